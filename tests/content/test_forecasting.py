"""The forecasting deck: every numeric answer recomputed from the numbers in its front (the newsvendor with
scipy's normal quantile, Croston and SBA by running the smoothers period by period, the quantile of a sum
checked by simulation, RMSSE from the series), and the slips each explanation quotes checked to differ."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECK = builtin_decks()["forecasting"]


def newsvendor_ratio() -> float:
    price, cost, salvage = 10.0, 7.0, 1.0
    underage, overage = price - cost, cost - salvage
    # The slips of the explanation: costs swapped, salvage forgotten.
    assert overage / (underage + overage) == pytest.approx(2 / 3)
    assert underage / (underage + cost) == pytest.approx(0.3)
    return underage / (underage + overage)


def newsvendor_order() -> float:
    mean, sd, underage, overage = 200.0, 40.0, 4.0, 1.0
    ratio = underage / (underage + overage)
    order = float(stats.norm.ppf(ratio, loc=mean, scale=sd))
    assert float(stats.norm.ppf(1 - ratio, loc=mean, scale=sd)) == pytest.approx(166.3, abs=0.05)
    # The critical ratio minimises the expected cost: check against a grid search over order sizes.
    demand = stats.norm(mean, sd).rvs(size=200_000, random_state=np.random.default_rng(0))
    grid = np.arange(180.0, 290.0, 0.5)
    cost = [np.mean(underage * np.maximum(demand - q, 0) + overage * np.maximum(q - demand, 0)) for q in grid]
    assert abs(grid[int(np.argmin(cost))] - order) < 3.0
    return order


def log_back_transform_mean() -> float:
    mu, sigma = 3.0, 0.5
    draws = np.exp(np.random.default_rng(1).normal(mu, sigma, 400_000))
    assert float(draws.mean()) == pytest.approx(math.exp(mu + sigma**2 / 2), rel=0.01)
    assert float(np.median(draws)) == pytest.approx(math.exp(mu), rel=0.01)  # the naive back-transform
    return math.exp(mu + sigma**2 / 2)


def interval_score() -> float:
    lower, upper, actual, level = 90.0, 110.0, 115.0, 0.8
    alpha = 1 - level
    below = max(lower - actual, 0.0)
    above = max(actual - upper, 0.0)
    return (upper - lower) + 2 / alpha * (below + above)


def total_quantile() -> float:
    mean, sd, tau = 100.0, 20.0, 0.9
    exact = float(stats.norm.ppf(tau, loc=2 * mean, scale=sd * math.sqrt(2)))
    stores = np.random.default_rng(2).normal(mean, sd, size=(400_000, 2))
    assert float(np.quantile(stores.sum(axis=1), tau)) == pytest.approx(exact, abs=0.5)
    summed_quantiles = 2 * float(stats.norm.ppf(tau, loc=mean, scale=sd))
    assert summed_quantiles == pytest.approx(251.3, abs=0.05)  # the slip: quantiles do not add
    return exact


def croston_sba() -> float:
    """Run Croston period by period from the state in the front: five empty periods, then a sale of 20."""
    alpha, size, interval = 0.2, 12.0, 4.0
    since_last = 0
    for demand in [0, 0, 0, 0, 0, 20]:
        since_last += 1
        if demand > 0:
            size += alpha * (demand - size)
            interval += alpha * (since_last - interval)
            since_last = 0
    croston = size / interval
    assert croston == pytest.approx(3.091, abs=0.001)
    assert (1 - alpha) * croston == pytest.approx(2.47, abs=0.005)  # the slip of a factor 1 − α
    return (1 - alpha / 2) * croston


def rmsse() -> float:
    train = np.array([0, 0, 0, 0, 4, 0, 6, 2], dtype=float)
    forecast, actual = np.array([3.0, 3.0]), np.array([1.0, 5.0])
    active = train[np.flatnonzero(train)[0] :]
    scale = np.mean(np.diff(active) ** 2)
    whole_scale = np.mean(np.diff(train) ** 2)
    assert math.sqrt(np.mean((forecast - actual) ** 2) / whole_scale) == pytest.approx(0.577, abs=0.001)
    return math.sqrt(np.mean((forecast - actual) ** 2) / scale)


def test_crps_of_a_point_forecast_is_the_absolute_error() -> None:
    """The CRPS cards' claim: for a step CDF at x the integral of (F(z) − 1{y ≤ z})² is |y − x|, and the CRPS
    is twice the pinball loss integrated over the quantile levels."""
    x, y = 3.0, 7.5
    z = np.linspace(-10, 20, 300_001)
    integrand = ((z >= x).astype(float) - (z >= y).astype(float)) ** 2
    assert float(np.trapezoid(integrand, z)) == pytest.approx(abs(y - x), abs=1e-3)
    # A normal forecast: closed-form CRPS against twice the integrated pinball loss of its quantiles.
    mu, sigma, obs = 1.0, 2.0, 2.5
    w = (obs - mu) / sigma
    closed = sigma * (w * (2 * stats.norm.cdf(w) - 1) + 2 * stats.norm.pdf(w) - 1 / math.sqrt(math.pi))
    taus = np.linspace(0.0005, 0.9995, 1000)
    q = stats.norm.ppf(taus, loc=mu, scale=sigma)
    pinball = np.where(obs >= q, taus * (obs - q), (1 - taus) * (q - obs))
    assert 2 * float(pinball.mean()) == pytest.approx(closed, rel=0.01)


RECOMPUTE = {
    "newsvendor-ratio-numeric": newsvendor_ratio,
    "newsvendor-order-numeric": newsvendor_order,
    "log-backtransform-numeric": log_back_transform_mean,
    "interval-score-numeric": interval_score,
    "quantiles-do-not-add-numeric": total_quantile,
    "croston-sba-numeric": croston_sba,
    "rmsse-numeric": rmsse,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)
