"""The interpretability deck: every numeric answer recomputed from the numbers in its front (Shapley values by
enumerating joining orders, SHAP values by an exact interventional Shapley computation, integrated gradients by
a Riemann sum, the partial dependence with scikit-learn), and the claims some cards make checked by building
the situation they describe."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import partial_dependence

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["interpretability"]

# The game of the three-player card: coalition (as a sorted tuple) -> value.
GAME = {
    (): 0.0,
    (1,): 10.0,
    (2,): 20.0,
    (3,): 30.0,
    (1, 2): 40.0,
    (1, 3): 50.0,
    (2, 3): 60.0,
    (1, 2, 3): 100.0,
}


def shapley_values(players: Sequence[int], value: Callable[[frozenset[int]], float]) -> dict[int, float]:
    """Exact Shapley values: each player's marginal contribution averaged over every joining order."""
    totals = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        joined: set[int] = set()
        for player in order:
            before = value(frozenset(joined))
            joined.add(player)
            totals[player] += value(frozenset(joined)) - before
    return {player: total / len(orders) for player, total in totals.items()}


def interventional_shap(
    model: Callable[[np.ndarray], float], x: np.ndarray, background: np.ndarray
) -> np.ndarray:
    """Exact interventional SHAP: a coalition's value is the model's mean over the background rows with the
    coalition's features taken from x and the others from the background row."""

    def value(coalition: frozenset[int]) -> float:
        rows = background.copy()
        for j in coalition:
            rows[:, j] = x[j]
        return float(np.mean([model(row) for row in rows]))

    phi = shapley_values(list(range(len(x))), value)
    return np.array([phi[j] for j in range(len(x))])


def game_value(coalition: frozenset[int]) -> float:
    return GAME[tuple(sorted(coalition))]


def shapley_player_one() -> float:
    phi = shapley_values([1, 2, 3], game_value)
    assert sum(phi.values()) == pytest.approx(GAME[(1, 2, 3)])  # efficiency
    assert (phi[2], phi[3]) == (pytest.approx(100 / 3), pytest.approx(130 / 3))
    # The two slips of the explanation: the plain mean of the marginals, and the leave-one-out contribution.
    assert np.mean([10, 40 - 20, 50 - 30, 100 - 60]) == pytest.approx(22.5)
    assert GAME[(1, 2, 3)] - GAME[(2, 3)] == 40
    return phi[1]


def shap_log_odds_probability() -> float:
    margin = -1.0 + 0.8 + 0.5 - 0.2
    return 1 / (1 + math.exp(-margin))


def linear_shap_x2() -> float:
    beta0, beta = 2.0, np.array([3.0, -1.5])
    means, x = np.array([4.0, 10.0]), np.array([6.0, 7.4])

    def model(row: np.ndarray) -> float:
        return float(beta0 + beta @ row)

    # Independent features: one background row at the means gives the exact interventional values.
    phi = interventional_shap(model, x, means[None, :])
    assert np.allclose(phi, beta * (x - means))
    assert phi.sum() == pytest.approx(model(x) - model(means))
    assert beta[1] * x[1] == pytest.approx(-11.1)  # the slip that forgets the baseline
    return float(phi[1])


def shap_product_x1() -> float:
    x, background = np.array([3.0, 4.0]), np.array([[1.0, 1.0]])

    def model(row: np.ndarray) -> float:
        return float(row[0] * row[1])

    phi = interventional_shap(model, x, background)
    assert phi[1] == pytest.approx(6.0)
    assert phi.sum() == pytest.approx(12.0 - 1.0)
    return float(phi[0])


def integrated_gradients_x1() -> float:
    x, baseline = np.array([3.0, 2.0]), np.zeros(2)

    def gradient(point: np.ndarray) -> np.ndarray:  # of f = x1² · x2
        return np.array([2 * point[0] * point[1], point[0] ** 2])

    # The path integral of the gradient, by Gauss-Legendre quadrature on [0, 1] (exact for this polynomial
    # path), and checked against the midpoint Riemann sum that implementations use.
    nodes, weights = np.polynomial.legendre.leggauss(8)
    alphas, weights = (nodes + 1) / 2, weights / 2
    mean_gradient = sum(
        w * gradient(baseline + a * (x - baseline)) for a, w in zip(alphas, weights, strict=True)
    )
    riemann = np.mean([gradient(baseline + a * (x - baseline)) for a in (np.arange(300) + 0.5) / 300], axis=0)
    assert np.allclose(mean_gradient, riemann, atol=1e-4)
    attributions = (x - baseline) * mean_gradient
    assert attributions[1] == pytest.approx(6.0)
    assert attributions.sum() == pytest.approx(x[0] ** 2 * x[1])  # completeness: f(x) − f(0)
    assert float((gradient(x) * x)[0]) == pytest.approx(36.0)  # gradient × input, the slip
    return float(attributions[0])


class ProductSquareModel(RegressorMixin, BaseEstimator):
    """f(x₁, x₂) = x₁ · x₂², the model of the partial dependence card, as a fitted scikit-learn regressor."""

    def fit(self, x: np.ndarray, y: np.ndarray) -> ProductSquareModel:
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x[:, 0] * x[:, 1] ** 2


def pdp_at_two() -> float:
    # x₁ values are arbitrary (the front says they do not matter); 2 is among them so it is on the grid.
    data = np.array([[0.0, 1.0], [2.0, 2.0], [5.0, 3.0], [7.0, 6.0]])
    model = ProductSquareModel().fit(data, np.zeros(len(data)))
    result = partial_dependence(model, data, [0], kind="average", grid_resolution=100)
    grid = result["grid_values"][0]
    value = float(result["average"][0][list(grid).index(2.0)])
    assert 2.0 * data[:, 1].mean() ** 2 == pytest.approx(18.0)  # plugging in the mean x₂, the slip
    return value


def counterfactual_income_rise() -> float:
    current, slope, threshold = -1.5, 0.05, 0.7
    needed = math.log(threshold / (1 - threshold))
    assert (0.0 - current) / slope == pytest.approx(30.0)  # aiming at the 0.5 threshold instead
    return (needed - current) / slope


RECOMPUTE = {
    "shapley-three-players": shapley_player_one,
    "shap-additivity-log-odds": shap_log_odds_probability,
    "linear-shap-values": linear_shap_x2,
    "shap-product-interaction": shap_product_x1,
    "integrated-gradients-numeric": integrated_gradients_x1,
    "pdp-by-hand": pdp_at_two,
    "counterfactual-income-numeric": counterfactual_income_rise,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_dummy_feature_gets_zero_interventionally_but_not_conditionally() -> None:
    """The axiom and SHAP-variant cards: a feature the model never reads gets 0 from interventional SHAP, while
    the conditional game (absent features drawn given the present ones) credits it through its correlate."""
    rng = np.random.default_rng(0)
    income = rng.normal(size=4000)
    savings = 0.8 * income + 0.6 * rng.normal(size=4000)  # correlation 0.8
    data = np.column_stack([income, savings])

    def model(row: np.ndarray) -> float:
        return float(2.0 * row[0])  # reads income only

    x = np.array([1.5, 1.5])
    interventional = interventional_shap(model, x, data[:500])
    assert interventional[1] == pytest.approx(0.0)

    def conditional_value(coalition: frozenset[int]) -> float:
        # Linear-Gaussian conditional expectation of the model given the present features.
        if coalition == frozenset():
            return 0.0
        if 0 in coalition:
            return 2.0 * x[0]
        return 2.0 * 0.8 * x[1]  # E[income | savings] = 0.8 · savings for unit variances

    conditional = shapley_values([0, 1], conditional_value)
    assert conditional[1] > 0.5
    card = DECK.card("interventional-vs-conditional-shap")
    assert (
        isinstance(card, ChoiceCard)
        and isinstance(card.answer, str)
        and card.answer.startswith("Conditional")
    )


def test_flat_pdp_hides_opposite_ice_slopes() -> None:
    """The ICE choice card: two equal groups with opposite slopes give a flat partial dependence while every ICE
    curve is steep."""
    hour = np.tile(np.arange(24.0), 2)
    group = np.repeat([1.0, -1.0], 24)
    data = np.column_stack([hour, group])

    class InteractionModel(RegressorMixin, BaseEstimator):
        def fit(self, x: np.ndarray, y: np.ndarray) -> InteractionModel:
            self.n_features_in_ = x.shape[1]
            return self

        def predict(self, x: np.ndarray) -> np.ndarray:
            return x[:, 0] * x[:, 1]

    model = InteractionModel().fit(data, np.zeros(len(data)))
    result = partial_dependence(model, data, [0], kind="both", grid_resolution=100)
    assert np.ptp(result["average"][0]) == pytest.approx(0.0)
    grid = result["grid_values"][0]
    slopes = (np.diff(result["individual"][0], axis=1) / np.diff(grid)).mean(axis=1)
    assert set(np.round(slopes, 9)) == {1.0, -1.0}
    assert np.allclose(result["individual"][0].mean(axis=0), result["average"][0])


def test_shapley_kernel_weights_extreme_coalitions_most() -> None:
    """The KernelSHAP card: the Shapley kernel (M − 1) / (C(M, s) · s · (M − s)) peaks at sizes 1 and M − 1."""
    m = 6
    weights = {s: (m - 1) / (math.comb(m, s) * s * (m - s)) for s in range(1, m)}
    assert weights[1] == weights[m - 1] == max(weights.values())
    assert weights[m // 2] == min(weights.values())


def test_black_baseline_gives_black_pixels_no_attribution() -> None:
    """The baseline choice card: with the all-zero baseline, an input at zero gets zero integrated gradient,
    however much the model depends on it; a different baseline credits it."""

    def gradient(point: np.ndarray) -> np.ndarray:
        """Of f = 5·x1 + x2, where x1 is a dark pixel the model leans on heavily."""
        return np.array([5.0, 1.0])

    def ig(x: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        alphas = (np.arange(100) + 0.5) / 100
        return (x - baseline) * np.mean([gradient(baseline + a * (x - baseline)) for a in alphas], axis=0)

    x = np.array([0.0, 0.8])
    assert ig(x, np.zeros(2))[0] == 0.0
    assert ig(x, np.full(2, 0.5))[0] == pytest.approx(-2.5)


def test_numeric_fronts_state_precision() -> None:
    """Every numeric card names its precision, and the tolerance matches it."""
    expected = {"to 3 decimals": 0.001, "to 2 decimals": 0.01, "to 1 decimal": 0.1, "whole number": 0.0}
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            stated = [tol for phrase, tol in expected.items() if phrase in card.front]
            assert stated == [card.tolerance], card.id
