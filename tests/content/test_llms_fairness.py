"""The llms-fairness deck: every numeric answer recomputed from its front, and the confusion-matrix choice card's
claims checked against the matrices it gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["llms-fairness"]

# Per-group confusion matrices quoted in the fronts, as (TP, FN, FP, TN).
PARITY_GROUPS = {"A": (40, 10, 10, 40), "B": (16, 4, 16, 64)}
LOAN_GROUPS = {"A": (45, 15, 5, 35), "B": (18, 22, 2, 58)}


def rates(tp: int, fn: int, fp: int, tn: int) -> dict[str, float]:
    """The group metrics the fairness criteria compare, from one group's confusion matrix."""
    return {
        "tpr": tp / (tp + fn),
        "fpr": fp / (fp + tn),
        "ppv": tp / (tp + fp),
        "selection": (tp + fp) / (tp + fn + fp + tn),
    }


def labels_and_predictions(tp: int, fn: int, fp: int, tn: int) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild one group's rows so scikit-learn can count the matrix independently of `rates`."""
    y_true = np.array([1] * (tp + fn) + [0] * (fp + tn))
    y_pred = np.array([1] * tp + [0] * fn + [1] * fp + [0] * tn)
    return y_true, y_pred


def chinchilla_size_billions() -> float:
    compute, tokens_per_param = 5.88e23, 20
    params = math.sqrt(compute / (6 * tokens_per_param))
    assert tokens_per_param * params == pytest.approx(1.4e12)  # the 1.4T tokens the explanation quotes
    return params / 1e9


def rag_gap_points() -> float:
    recall, right_given_hit, right_given_miss = 0.55, 0.90, 0.10

    def accuracy(recall: float, right_given_hit: float) -> float:
        return recall * right_given_hit + (1 - recall) * right_given_miss

    assert accuracy(recall, right_given_hit) == pytest.approx(0.54)
    return 100 * (accuracy(0.75, right_given_hit) - accuracy(recall, 0.98))


def moe_active_billions() -> float:
    experts, top_k, expert_total, shared = 8, 2, 40.0, 2.0
    return shared + top_k * expert_total / experts


def moe_balance_term() -> float:
    shares = np.array([0.4, 0.3, 0.2, 0.1])
    probabilities = np.array([0.35, 0.3, 0.2, 0.15])
    experts = len(shares)
    uniform = np.full(experts, 1 / experts)
    # The value at uniform routing that the explanation quotes.
    assert experts * float(uniform @ uniform) == pytest.approx(1.0)
    return experts * float(shares @ probabilities)


def decode_tokens_per_second() -> float:
    params, bytes_per_weight, bandwidth = 7e9, 2, 2e12
    return bandwidth / (params * bytes_per_weight)


def disparate_impact() -> float:
    a, b = (rates(*PARITY_GROUPS[g]) for g in "AB")
    return b["selection"] / a["selection"]


def equal_opportunity_gap() -> float:
    a, b = (rates(*LOAN_GROUPS[g]) for g in "AB")
    assert a["ppv"] == pytest.approx(b["ppv"])  # the trap: precision is equal, so its gap is 0
    return a["tpr"] - b["tpr"]


def chouldechova_fpr() -> float:
    prevalence, ppv, fnr = 0.3, 0.6, 0.25
    fpr = prevalence / (1 - prevalence) * (1 - ppv) / ppv * (1 - fnr)
    # The explanation's check with counts: 1000 people, 300 positive.
    tp = 300 * (1 - fnr)
    fp = tp / ppv - tp
    assert fp / 700 == pytest.approx(fpr)
    return fpr


RECOMPUTE = {
    "chinchilla-optimal-size": chinchilla_size_billions,
    "rag-fix-retriever-or-generator": rag_gap_points,
    "moe-active-params": moe_active_billions,
    "moe-aux-loss-value": moe_balance_term,
    "decode-bandwidth-bound": decode_tokens_per_second,
    "disparate-impact-ratio": disparate_impact,
    "equal-opportunity-gap": equal_opportunity_gap,
    "chouldechova-fpr": chouldechova_fpr,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


@pytest.mark.parametrize("groups", [PARITY_GROUPS, LOAN_GROUPS])
def test_matrices_match_scikit_learn(groups: dict[str, tuple[int, int, int, int]]) -> None:
    for tp, fn, fp, tn in groups.values():
        y_true, y_pred = labels_and_predictions(tp, fn, fp, tn)
        assert confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel().tolist() == [tn, fp, fn, tp]


def test_which_criterion_holds() -> None:
    """Equal TPR and FPR, unequal PPV and selection rate: only the key's combination is true."""
    card = DECK.card("which-criterion-holds")
    assert isinstance(card, ChoiceCard)
    a, b = (rates(*PARITY_GROUPS[g]) for g in "AB")
    equal = {metric: math.isclose(a[metric], b[metric]) for metric in a}
    assert equal == {"tpr": True, "fpr": True, "ppv": False, "selection": False}
    assert card.answer == "Equalized odds holds; predictive parity and demographic parity fail"


def test_context_growth_factors() -> None:
    """One cached decode step compares a single query with n keys and mixes n values: linear in n, like the cache."""
    card = DECK.card("context-length-growth")
    assert isinstance(card, ChoiceCard)
    layers, width, short, long = 32, 4096, 8 * 1024, 32 * 1024

    def cache_entries(n: int) -> int:
        return 2 * layers * n * width  # one key and one value per token per layer

    def decode_step_attention_flops(n: int) -> int:
        return layers * (2 * n * width + 2 * n * width)  # q·Kᵀ over n keys, then weights · V

    kv_cache = cache_entries(long) / cache_entries(short)
    step = decode_step_attention_flops(long) / decode_step_attention_flops(short)
    prefill_scores = (long * long) / (short * short)  # the n × n matrix: the quadratic distractor
    assert prefill_scores == 16
    assert card.answer == f"KV cache × {kv_cache:.0f}; attention work per decode step × {step:.0f}"
