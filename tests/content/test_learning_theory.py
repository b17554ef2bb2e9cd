"""The learning-theory deck: every numeric answer recomputed from the numbers in its front (the bounds solved for
their smallest n, shattering checked by linear programming, dichotomies enumerated, the minimum-norm solution
reached by running gradient descent), and the claims of a few choice cards checked by brute force."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.stats import norm

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["theory"]


def smallest_n(bound_holds: Callable[[int], bool]) -> int:
    """The smallest whole n for which a sample-size condition holds, by direct search rather than the closed form,
    so a slip in the algebra of an explanation cannot hide in the check."""
    n = 1
    while not bound_holds(n):
        n += 1
    return n


def hoeffding_test_size() -> float:
    epsilon, delta = 0.02, 0.05
    n = smallest_n(lambda n: 2 * math.exp(-2 * n * epsilon**2) <= delta)
    # The one-sided slip of the explanation, ln(1/δ), gives fewer examples.
    assert math.ceil(math.log(1 / delta) / (2 * epsilon**2)) == 3745
    return float(n)


def accuracy_half_width() -> float:
    p, n = 0.9, 2500
    half_width = norm.ppf(0.975) * math.sqrt(p * (1 - p) / n)
    # The Hoeffding half-width the explanation compares it with.
    assert math.sqrt(math.log(2 / 0.05) / (2 * n)) == pytest.approx(0.0272, abs=1e-4)
    return round(half_width, 4)


def union_bound_size() -> float:
    k, epsilon, delta = 50, 0.02, 0.05
    return float(smallest_n(lambda n: 2 * k * math.exp(-2 * n * epsilon**2) <= delta))


def realisable_size() -> float:
    size, epsilon, delta = 1e6, 0.05, 0.01
    return float(smallest_n(lambda n: n >= (math.log(size) + math.log(1 / delta)) / epsilon))


def agnostic_size() -> float:
    size, epsilon, delta = 1e6, 0.05, 0.01
    # A uniform gap of ε puts ERM within 2ε of the best rule; the explanation's ERM-within-0.05 needs ε = 0.025.
    assert smallest_n(lambda n: 2 * size * math.exp(-2 * n * 0.025**2) <= delta) == 15292
    return float(smallest_n(lambda n: 2 * size * math.exp(-2 * n * epsilon**2) <= delta))


def separable(points: np.ndarray, labels: tuple[int, ...]) -> bool:
    """Whether some sign(w·x + b) gives these ±1 labels: feasibility of y(w·x + b) ≥ 1 as a linear program."""
    signs = np.array(labels, dtype=float)
    a_ub = -signs[:, None] * np.hstack([points, np.ones((len(points), 1))])
    result = linprog(
        np.zeros(points.shape[1] + 1), A_ub=a_ub, b_ub=-np.ones(len(points)), bounds=(None, None)
    )
    return bool(result.status == 0)


def shattered(points: np.ndarray) -> bool:
    return all(separable(points, labels) for labels in itertools.product((-1, 1), repeat=len(points)))


def vc_halfspaces_r5() -> float:
    d = 5
    # The origin and the unit vectors: d + 1 points that halfspaces shatter (the lower bound of the explanation).
    points = np.vstack([np.zeros(d), np.eye(d)])
    assert shattered(points)
    # Radon: d + 2 points cannot be shattered; checked on random points, for each of which a labeling fails.
    rng = np.random.default_rng(0)
    for _ in range(3):
        assert not shattered(rng.normal(size=(d + 2, d)))
    return float(len(points))


def threshold_labelings() -> float:
    x = np.arange(10.0)
    cuts = np.concatenate([[-1.0], x + 0.5])
    labelings = {tuple((x >= t).astype(int)) for t in cuts}
    # No other threshold adds a labeling: a fine sweep finds the same set.
    assert {tuple((x >= t).astype(int)) for t in np.linspace(-2, 12, 2001)} == labelings
    return float(len(labelings))


def min_norm_w1() -> float:
    a = np.array([[2.0, 1.0, 2.0]])
    y = np.array([6.0])
    w = np.zeros(3)
    for _ in range(2000):
        w -= 0.05 * a.T @ (a @ w - y)
    assert w == pytest.approx((np.linalg.pinv(a) @ y), abs=1e-9)
    # The sparse solution the explanation contrasts it with fits as well but has a larger norm.
    assert np.linalg.norm([3.0, 0.0, 0.0]) > np.linalg.norm(w)
    return float(w[0])


RECOMPUTE = {
    "hoeffding-test-size": hoeffding_test_size,
    "accuracy-ci-half-width": accuracy_half_width,
    "union-bound-k-models": union_bound_size,
    "finite-class-realisable": realisable_size,
    "finite-class-agnostic": agnostic_size,
    "vc-linear-rd": vc_halfspaces_r5,
    "threshold-dichotomies": threshold_labelings,
    "min-norm-numeric": min_norm_w1,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_intervals_shatter_two_points_but_not_three() -> None:
    """The key of the intervals card: every labeling of 2 points is an interval's, (1, 0, 1) on 3 points is not."""

    def interval_labelings(x: np.ndarray) -> set[tuple[int, ...]]:
        ends = np.concatenate([[x.min() - 1], (x[:-1] + x[1:]) / 2, [x.max() + 1]])
        return {tuple(((x >= a) & (x <= b)).astype(int)) for a in ends for b in ends}

    assert len(interval_labelings(np.array([0.0, 1.0]))) == 4
    three = interval_labelings(np.array([0.0, 1.0, 2.0]))
    assert len(three) < 8 and (1, 0, 1) not in three
    card = DECK.card("intervals-vc")
    assert isinstance(card, ChoiceCard) and card.answer == "2"


def test_lines_cannot_shatter_the_xor_square() -> None:
    """The key of the lines card: the XOR labeling of a square's corners is not linearly separable, while three
    points in general position are shattered."""
    square = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert not separable(square, (1, 1, -1, -1))
    assert shattered(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    assert not shattered(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]))


def test_rescaling_a_relu_layer_keeps_the_function_and_scales_the_curvature() -> None:
    """The sharpness-rescaling card: W₁·100 and W₂/100 compute the same function, and the Hessian of the squared
    loss in W₂ (which is hᵀh for the hidden activations h) grows by 100² = 10,000."""
    rng = np.random.default_rng(1)
    w1, w2, x = rng.normal(size=(4, 3)), rng.normal(size=(1, 4)), rng.normal(size=(3, 20))
    alpha = 100.0
    hidden, hidden_scaled = np.maximum(w1 @ x, 0), np.maximum(alpha * w1 @ x, 0)
    assert (w2 / alpha) @ hidden_scaled == pytest.approx(w2 @ hidden)
    hessian, hessian_scaled = hidden @ hidden.T, hidden_scaled @ hidden_scaled.T
    assert np.trace(hessian_scaled) / np.trace(hessian) == pytest.approx(alpha**2)
