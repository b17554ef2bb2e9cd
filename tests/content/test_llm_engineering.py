"""The llm-engineering deck: every numeric answer recomputed from the numbers in its front (LoRA adapter sizes,
QLoRA storage, pass@k, compounding agent steps, token budgets and prices, prompt-cache savings, Elo), and the
arithmetic behind the exact-match/F1 choice card checked."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy.special import comb

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["llm-engineering"]


def lora_mlp_params() -> float:
    rank, layers, hidden, inner = 8, 32, 4096, 11008
    shapes = [(inner, hidden), (inner, hidden), (hidden, inner)]  # gate, up (d_out × d_in), down
    total = layers * sum(rank * (d_out + d_in) for d_out, d_in in shapes)
    # The square-matrix slip the explanation quotes: 2·d·r with d = 4096 for every projection.
    assert layers * 3 * 2 * hidden * rank == 6_291_456
    return float(total)


def qlora_13b_gigabytes() -> float:
    params = 13e9
    bits = 4 + 8 / 64 + 32 / (64 * 256)
    # The explanation's comparisons: half a byte per weight, a 32-bit scale per block, 16-bit weights.
    assert params * 4 / 8 / 1e9 == pytest.approx(6.5)
    assert round(params * (4 + 32 / 64) / 8 / 1e9, 1) == 7.3
    assert params * 16 / 8 / 1e9 == pytest.approx(26.0)
    return params * bits / 8 / 1e9


def pass_at_5() -> float:
    n, c, k = 10, 3, 5
    estimate = 1 - comb(n - c, k, exact=True) / comb(n, k, exact=True)
    # Monte Carlo: draw k of the n samples without replacement; pass if any is correct.
    rng = np.random.default_rng(0)
    samples = np.array([1] * c + [0] * (n - c))
    draws = [rng.choice(samples, size=k, replace=False).any() for _ in range(40_000)]
    assert float(np.mean(draws)) == pytest.approx(estimate, abs=0.01)
    assert round(1 - (1 - c / n) ** k, 3) == 0.832  # the biased plug-in the explanation quotes
    return estimate


def agent_success_percent() -> float:
    per_step, steps = 0.95, 20
    assert 0.9 ** (1 / steps) == pytest.approx(0.9947, abs=1e-4)
    return 100 * per_step**steps


def elo_expected() -> float:
    r_a, r_b = 1250, 1150
    return 1 / (1 + 10 ** ((r_b - r_a) / 400))


def context_words() -> float:
    window, output, system, tokens_per_word = 128_000, 4_000, 1_500, 1.3
    assert math.floor((window - system) / tokens_per_word) == 97_307  # output reservation forgotten
    return float(math.floor((window - output - system) / tokens_per_word))


def request_cost() -> float:
    requests, tokens_in, tokens_out = 10_000, 12_000, 800
    price_in, price_out = 3 / 1e6, 15 / 1e6
    assert requests * (tokens_in + tokens_out) * price_in == pytest.approx(384)
    assert requests * (tokens_in + tokens_out) * price_out == pytest.approx(1920)
    return requests * (tokens_in * price_in + tokens_out * price_out)


def cache_saving_percent() -> float:
    requests, prefix, fresh = 1_000, 10_000, 2_000
    base, write, read = 3 / 1e6, 3.75 / 1e6, 0.30 / 1e6
    uncached = requests * (prefix + fresh) * base
    cached = (prefix * write + fresh * base) + (requests - 1) * (prefix * read + fresh * base)
    assert uncached == pytest.approx(36) and cached == pytest.approx(9.0345)
    return 100 * (1 - cached / uncached)


RECOMPUTE = {
    "lora-mlp-param-count": lora_mlp_params,
    "qlora-13b-memory": qlora_13b_gigabytes,
    "pass-at-k-unbiased": pass_at_5,
    "agent-compounding-errors": agent_success_percent,
    "elo-expected-score": elo_expected,
    "context-budget-words": context_words,
    "request-cost-tokens": request_cost,
    "prompt-cache-saving": cache_saving_percent,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def _squad_tokens(text: str) -> list[str]:
    """SQuAD's normalisation: lower-case, drop punctuation and the articles a/an/the, split on whitespace."""
    cleaned = "".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace())
    return [token for token in cleaned.split() if token not in {"a", "an", "the"}]


def test_exact_match_and_f1_key() -> None:
    """The key says EM 0 and F1 0.67; the distractors' 0.50 and 1.00 are precision and recall alone."""
    prediction, reference = _squad_tokens("Marie Curie, Polish physicist"), _squad_tokens("Marie Curie")
    exact = float(prediction == reference)
    shared = sum((Counter(prediction) & Counter(reference)).values())
    precision, recall = shared / len(prediction), shared / len(reference)
    f1 = 2 * precision * recall / (precision + recall)
    assert exact == 0.0 and round(f1, 2) == 0.67 and precision == 0.5 and recall == 1.0
    card = DECK.card("exact-match-vs-f1")
    assert isinstance(card, ChoiceCard)
    assert (
        card.answer == "Exact match 0 and token F1 0.67, since recall is 1 but precision is 2 out of 4 tokens"
    )


def test_lora_alpha_scale_factors() -> None:
    """The alpha/rank card's key: α/r is 2 at r = 8 and 0.5 at r = 32 with α = 16, a four-fold drop."""
    alpha = 16
    assert alpha / 8 == 2 and alpha / 32 == 0.5 and (alpha / 8) / (alpha / 32) == 4
    card = DECK.card("lora-alpha-rank-scaling")
    assert isinstance(card, ChoiceCard)
    assert (
        isinstance(card.answer, str) and "from 2 to 0.5" in card.answer and "four times less" in card.answer
    )
