"""The time-series deck: every numeric answer recomputed from its front, and the card mix kept honest."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import norm

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks

DECK = builtin_decks()["time-series"]
CARDS = {card.id: card for card in DECK.cards}


def observations_after_differencing() -> float:
    """Difference an actual series of 120 points at lag 12, then at lag 1, and count what is left."""
    series = np.arange(120, dtype=float) ** 1.5
    seasonal = series[12:] - series[:-12]
    return float(np.diff(seasonal).size)


def ar1_autocorrelation() -> float:
    """ρ(3) = φ³, cross-checked against the sample ACF of a long simulated AR(1) path."""
    phi, lag = 0.8, 3
    rng = np.random.default_rng(0)
    path = np.zeros(200_000)
    shocks = rng.standard_normal(path.size)
    for t in range(1, path.size):
        path[t] = phi * path[t - 1] + shocks[t]
    sample = np.corrcoef(path[:-lag], path[lag:])[0, 1]
    assert abs(sample - phi**lag) < 0.01
    return phi**lag


def ses_forecast() -> float:
    """Run the SES recursion one step; the forecast for any horizon is that level."""
    alpha, level = 0.3, 100.0
    level = alpha * 120 + (1 - alpha) * level
    return level


def ses_weight() -> float:
    """Weight on y_{T-3}: unroll the recursion on unit impulses and read off the coefficient."""
    alpha = 0.2
    history = np.zeros(50)
    history[-4] = 1.0  # y_{T-3} = 1, every other observation 0
    level = 0.0
    for value in history:
        level = alpha * value + (1 - alpha) * level
    return level


def damped_forecast() -> float:
    level, trend, phi, horizon = 50.0, 2.0, 0.9, 3
    return level + sum(phi**j for j in range(1, horizon + 1)) * trend


def random_walk_half_width() -> float:
    """Half-width of a 95% interval for the naive forecast 9 steps ahead: σ√h times the normal quantile."""
    sigma, horizon = 10.0, 9
    return float(norm.ppf(0.975)) * sigma * math.sqrt(horizon)


EXPECTED: dict[str, Callable[[], float]] = {
    "differencing-obs-lost": observations_after_differencing,
    "ar1-acf-calc": ar1_autocorrelation,
    "ses-forecast-calc": ses_forecast,
    "ses-weight-calc": ses_weight,
    "damped-trend-calc": damped_forecast,
    "random-walk-interval-calc": random_walk_half_width,
}


def test_every_numeric_card_is_recomputed() -> None:
    numeric = {card.id for card in DECK.cards if isinstance(card, NumericCard)}
    assert numeric == set(EXPECTED)


@pytest.mark.parametrize("card_id", sorted(EXPECTED))
def test_numeric_answer(card_id: str) -> None:
    card = CARDS[card_id]
    assert isinstance(card, NumericCard)
    assert card.tolerance is not None
    assert abs(EXPECTED[card_id]() - card.answer) <= card.tolerance + 1e-9


def test_common_slips_are_graded_wrong() -> None:
    """The numbers were picked so the usual mistakes fall outside the tolerance."""
    damped = CARDS["damped-trend-calc"]
    assert abs(50 + 3 * 2 - damped.answer) > damped.tolerance  # undamped Holt
    interval = CARDS["random-walk-interval-calc"]
    assert abs(norm.ppf(0.975) * 10 - interval.answer) > interval.tolerance  # one-step σ at every horizon
    weight = CARDS["ses-weight-calc"]
    assert abs(0.8**3 - weight.answer) > weight.tolerance  # forgot the leading α
    lost = CARDS["differencing-obs-lost"]
    assert abs(118 - lost.answer) > lost.tolerance  # one observation lost per differencing step
