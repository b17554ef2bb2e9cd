"""The ML-security deck: every numeric answer recomputed from the numbers in its front (the linear-model attack
figures with numpy, the smoothing radius with scipy's normal quantile, the extraction count by actually solving a
logistic regression from its API answers), and the claims some choice cards rest on checked."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["security"]

# The linear model of the two attack cards.
WEIGHTS = np.array([0.5, -1.2, 0.8, -0.3, 2.0])


def linf_logit_change() -> float:
    """The largest change of w·x over the L∞ ball, found by the worst-case vertex ε·sign(w)."""
    epsilon = 0.1
    x = np.array([0.2, 0.4, -0.1, 0.7, 0.3])
    eta = epsilon * np.sign(WEIGHTS)
    change = float(WEIGHTS @ (x + eta) - WEIGHTS @ x)
    # No vertex of the cube does better (the maximum of a linear function over a box sits at a vertex).
    vertices = np.array(np.meshgrid(*[[-epsilon, epsilon]] * len(WEIGHTS))).reshape(len(WEIGHTS), -1).T
    assert float((vertices @ WEIGHTS).max()) == pytest.approx(change)
    # The L2-norm slip the explanation quotes.
    assert round(epsilon * float(np.linalg.norm(WEIGHTS)), 2) == 0.25
    return change


def l2_min_flip() -> float:
    """The distance from the input to the hyperplane w·x + b = 0, checked by walking that far against w."""
    logit = 1.5
    distance = logit / float(np.linalg.norm(WEIGHTS))
    step = -distance * WEIGHTS / np.linalg.norm(WEIGHTS)
    assert logit + float(WEIGHTS @ step) == pytest.approx(0.0)
    # The slips the explanation quotes: the L∞ budget and the coefficient along w.
    assert round(logit / float(np.abs(WEIGHTS).sum()), 2) == 0.31
    assert round(logit / float(WEIGHTS @ WEIGHTS), 2) == 0.23
    return distance


def smoothing_radius() -> float:
    sigma, p_a = 0.5, 0.9
    p_b = 1 - p_a
    general = sigma / 2 * (norm.ppf(p_a) - norm.ppf(p_b))
    assert general == pytest.approx(sigma * norm.ppf(p_a))
    assert round(float(norm.ppf(p_a)), 3) == 1.282  # forgetting σ
    return float(sigma * norm.ppf(p_a))


def robust_accuracy() -> float:
    total, clean_correct, flipped = 1000, 870, 520
    # Per-image outcomes, so the count of "right and still right" is taken, not assumed.
    correct = np.zeros(total, dtype=bool)
    correct[:clean_correct] = True
    robust = correct.copy()
    robust[:flipped] = False
    assert round(100 * flipped / clean_correct, 1) == 59.8  # the attack success rate of the explanation
    assert round(100 * robust.sum() / clean_correct, 1) == 40.2  # the conditional-rate slip
    return 100 * float(robust.mean())


def mia_advantage() -> float:
    tpr, fpr = 0.62, 0.41
    # Checked against an attack simulated on equal numbers of members and non-members.
    rng = np.random.default_rng(0)
    n = 200_000
    flagged_members = rng.random(n) < tpr
    flagged_others = rng.random(n) < fpr
    accuracy = (flagged_members.sum() + (~flagged_others).sum()) / (2 * n)
    assert accuracy == pytest.approx((1 + tpr - fpr) / 2, abs=0.005)
    return tpr - fpr


def extraction_queries() -> float:
    """Solve a hidden 20-feature logistic regression from its answered probabilities: 21 queries recover it
    exactly, 20 leave the system short of rank."""
    d = 20
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=d), 0.7

    def api(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(x @ w + b)))

    def design(queries: np.ndarray) -> np.ndarray:
        return np.hstack([queries, np.ones((len(queries), 1))])

    queries = rng.normal(size=(d + 1, d))
    p = api(queries)
    solution = np.linalg.solve(design(queries), np.log(p / (1 - p)))
    assert np.allclose(solution[:d], w) and solution[d] == pytest.approx(b)
    assert np.linalg.matrix_rank(design(queries[:d])) == d  # one short of the d + 1 unknowns
    return float(d + 1)


RECOMPUTE = {
    "linf-logit-change-numeric": linf_logit_change,
    "l2-min-flip-numeric": l2_min_flip,
    "smoothing-radius-numeric": smoothing_radius,
    "robust-accuracy-numeric": robust_accuracy,
    "mia-advantage-numeric": mia_advantage,
    "extraction-queries-numeric": extraction_queries,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_fgsm_key_raises_the_true_class_loss() -> None:
    """On a logistic model, the key's step x + ε·sign(∇ₓL) raises the loss of the true class, and the
    distractor's minus sign lowers it, as the explanation says."""
    card = DECK.card("fgsm-direction-choice")
    assert isinstance(card, ChoiceCard) and str(card.answer).startswith("x + ε·sign(∇ₓL(x, y))")
    x, y, epsilon = np.array([0.3, -0.5, 0.8]), 1.0, 0.05
    w = np.array([1.0, -2.0, 0.5])

    def loss(z: np.ndarray) -> float:
        p = 1 / (1 + np.exp(-(z @ w)))
        return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    p = 1 / (1 + np.exp(-(x @ w)))
    grad = (p - y) * w
    assert loss(x + epsilon * np.sign(grad)) > loss(x) > loss(x - epsilon * np.sign(grad))


def test_certified_l2_radius_covers_a_smaller_linf_radius() -> None:
    """The certificate card says an L2 radius r covers only an L∞ radius r/√d: the corner of the L∞ ball of
    radius r/√d has L2 norm exactly r, and that of a larger L∞ ball leaves the L2 ball."""
    card = DECK.card("certificate-scope-choice")
    assert isinstance(card, ChoiceCard) and card.explanation is not None and "r/√d" in card.explanation
    r, d = 0.5, 3 * 32 * 32
    corner = np.full(d, r / np.sqrt(d))
    assert float(np.linalg.norm(corner)) == pytest.approx(r)
    assert float(np.linalg.norm(np.full(d, 1.01 * r / np.sqrt(d)))) > r


def test_dp_bound_on_membership_advantage() -> None:
    """The privacy cards quote Yeom et al.'s bound: ε-DP gives TPR ≤ e^ε·FPR, so the advantage TPR − FPR is at
    most (e^ε − 1)·FPR ≤ e^ε − 1; the numeric card's advantage of 0.21 is possible only for ε ≥ ln(1.21)."""
    card = DECK.card("mia-advantage-numeric")
    assert isinstance(card, NumericCard) and card.explanation is not None and "e^ε − 1" in card.explanation
    advantage = 0.21
    epsilon_needed = np.log(1 + advantage)
    assert np.exp(epsilon_needed) - 1 == pytest.approx(advantage)
    # Any FPR with TPR = e^ε·FPR ≤ 1 gives an advantage no larger than e^ε − 1.
    for epsilon in (0.1, 0.5, 1.0):
        fpr = np.linspace(0, np.exp(-epsilon), 101)
        assert float((np.exp(epsilon) * fpr - fpr).max()) <= np.exp(epsilon) - 1 + 1e-12
