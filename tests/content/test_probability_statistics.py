"""probability-statistics deck: numeric answers recomputed from their fronts, the numbers behind choice keys, and the mix."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import Ridge

from quizzer.decks.loader import load_sources
from quizzer.decks.model import NumericCard
from quizzer.paths import builtin_decks_dir

LOADED = load_sources([(builtin_decks_dir() / "14-probability-statistics.yaml", True)])
assert LOADED.decks, LOADED.issues
DECK = LOADED.decks[0].deck
CARDS = {card.id: card for card in DECK.cards}


def beta_posterior_mean() -> float:
    clicks, views = 8, 10
    return float(stats.beta(2 + clicks, 2 + views - clicks).mean())


def variance_of_combination() -> float:
    weights = np.array([2.0, -3.0])
    covariance = np.array([[1.0, 0.5], [0.5, 2.0]])
    return float(weights @ covariance @ weights)


def ridge_lambda() -> float:
    noise_var, prior_var = 4.0, 0.5
    return noise_var / prior_var


def mle_variance() -> float:
    _, scale = stats.norm.fit([2.0, 4.0, 6.0, 8.0])
    return float(scale**2)


def users_for_half_width() -> float:
    n, width, target = 400, 2.0, 0.5
    return n * (width / target) ** 2


def correlation_after_fahrenheit() -> float:
    covariance = np.array([[4.0, 6.0], [6.0, 25.0]])  # SD(X) = 2, SD(Y) = 5, Cov = 6
    scale = np.diag([1.8, 1.0])  # the +32 shift leaves second moments alone
    converted = scale @ covariance @ scale
    return float(converted[0, 1] / np.sqrt(converted[0, 0] * converted[1, 1]))


def local_minimum_percent() -> float:
    return float(100 * stats.binom.pmf(10, 10, 0.5))


RECOMPUTE = {
    "beta-posterior-mean": beta_posterior_mean,
    "variance-linear-combination": variance_of_combination,
    "ridge-lambda-from-prior": ridge_lambda,
    "mle-variance-biased": mle_variance,
    "ci-width-sample-size": users_for_half_width,
    "correlation-unit-change": correlation_after_fahrenheit,
    "saddle-coin-flip": local_minimum_percent,
}


def test_every_numeric_card_is_recomputed() -> None:
    assert not LOADED.issues and DECK.id == "probability-statistics"
    assert {card.id for card in DECK.cards if isinstance(card, NumericCard)} == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer(card_id: str) -> None:
    card = CARDS[card_id]
    assert isinstance(card, NumericCard) and card.tolerance is not None
    assert abs(RECOMPUTE[card_id]() - card.answer) <= card.tolerance + 1e-12


def test_ridge_with_the_cards_lambda_is_the_gaussian_posterior_mean() -> None:
    """Bayesian linear regression's posterior mean equals sklearn's Ridge at alpha = the card's λ."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 4))
    y = x @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(scale=2.0, size=50)
    noise_var, prior_var = 4.0, 0.5
    precision = x.T @ x / noise_var + np.eye(4) / prior_var
    posterior_mean = np.linalg.solve(precision, x.T @ y / noise_var)
    ridge = Ridge(alpha=CARDS["ridge-lambda-from-prior"].answer, fit_intercept=False).fit(x, y)
    assert ridge.coef_ == pytest.approx(posterior_mean, abs=1e-8)


def test_ppv_key_is_the_largest_improvement() -> None:
    def ppv(prevalence: float, sensitivity: float, specificity: float) -> float:
        true_pos = prevalence * sensitivity
        return true_pos / (true_pos + (1 - prevalence) * (1 - specificity))

    base = ppv(0.001, 0.99, 0.99)
    assert base == pytest.approx(0.09, abs=0.005)
    options = {
        "Raise specificity from 99% to 99.9%": ppv(0.001, 0.99, 0.999),
        "Raise sensitivity from 99% to 100%": ppv(0.001, 1.0, 0.99),
        "Screen a group where the prevalence is 0.5%": ppv(0.005, 0.99, 0.99),
        "Test ten times as many people with the same test": base,
    }
    card = CARDS["ppv-lever"]
    assert set(options) == set(card.options)
    assert max(options, key=options.__getitem__) == card.answer
    assert options[card.answer] == pytest.approx(0.50, abs=0.01)
    assert options["Screen a group where the prevalence is 0.5%"] == pytest.approx(0.33, abs=0.01)


def test_simpsons_numbers() -> None:
    a = {"small": (81, 87), "large": (192, 263)}
    b = {"small": (234, 270), "large": (55, 80)}
    for size in ("small", "large"):
        assert a[size][0] / a[size][1] > b[size][0] / b[size][1]
    pooled_a = sum(s for s, _ in a.values()) / sum(n for _, n in a.values())
    pooled_b = sum(s for s, _ in b.values()) / sum(n for _, n in b.values())
    assert round(100 * pooled_a) == 78 and round(100 * pooled_b) == 83
    assert CARDS["simpsons-paradox"].answer.startswith("A,")


def test_square_of_a_symmetric_variable_is_uncorrelated() -> None:
    x = np.linspace(-1, 1, 20_001)
    assert abs(np.corrcoef(x, x**2)[0, 1]) < 1e-10
    assert CARDS["zero-correlation-dependence"].answer.startswith("0,")


def test_touching_intervals_mean_a_small_p_value() -> None:
    """The overlap card's numbers: equal SEs, intervals just touching → p ≈ 0.006."""
    z = 2 * 1.959964 / np.sqrt(2)
    assert 2 * stats.norm.sf(z) == pytest.approx(0.0056, abs=0.0005)


def test_paired_bootstrap_is_narrower_than_independent_resampling() -> None:
    """Two models that share most of their hits and misses: same-index resampling keeps the covariance."""
    rng = np.random.default_rng(0)
    rows, rounds = 2_000, 2_000
    shared = rng.random(rows)
    correct_a = (shared < 0.85).astype(float)
    correct_b = np.where(rng.random(rows) < 0.9, correct_a, 1.0 - correct_a)
    same = rng.integers(0, rows, size=(rounds, rows))
    other = rng.integers(0, rows, size=(rounds, rows))
    paired = correct_a[same].mean(axis=1) - correct_b[same].mean(axis=1)
    independent = correct_a[same].mean(axis=1) - correct_b[other].mean(axis=1)
    paired_width = np.diff(np.percentile(paired, [2.5, 97.5]))[0]
    independent_width = np.diff(np.percentile(independent, [2.5, 97.5]))[0]
    assert paired_width < 0.7 * independent_width
    key = CARDS["bootstrap-what-it-captures"].answer
    assert isinstance(key, str) and "both A and B" in key
