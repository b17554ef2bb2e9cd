"""The product-metrics deck: every numeric answer recomputed from the numbers in its front (the delta method checked
against simulated users, the LTV series summed term by term), and the arithmetic behind some choice cards checked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["product-metrics"]

# The funnel shared by the two funnel cards: visitors, then the rate of each later step.
FUNNEL_VISITORS = 80_000
FUNNEL_RATES = [0.45, 0.20, 0.60, 0.75]

# The delta-method card: users per arm, per-user means, standard deviations and covariance of clicks and views.
N_USERS, MEAN_CLICKS, MEAN_VIEWS, SD_CLICKS, SD_VIEWS, COV = 10_000, 0.5, 5.0, 1.2, 6.0, 4.0


def funnel_counts() -> list[float]:
    counts = [float(FUNNEL_VISITORS)]
    for rate in FUNNEL_RATES:
        counts.append(counts[-1] * rate)
    return counts


def revenue_change() -> float:
    ratio = 0.90 * (3.3 / 3.0) * (52 / 50)
    # The slip the explanation quotes: adding the percentage changes.
    additive = 100 * ((0.90 - 1) + (3.3 / 3.0 - 1) + (52 / 50 - 1))
    assert round(additive, 1) == 4.0
    return 100 * (ratio - 1)


def mix_effect() -> float:
    w1, w2 = np.array([0.6, 0.4]), np.array([0.4, 0.6])
    r1, r2 = np.array([5.0, 2.0]), np.array([5.2, 2.1])
    mix = float((w2 - w1) @ r1)
    rate = float(w2 @ (r2 - r1))
    # The explanation's figures: 3.80% then 3.34%, split as -0.60 (mix) + 0.14 (rate), with both rates up.
    assert w1 @ r1 == pytest.approx(3.80) and w2 @ r2 == pytest.approx(3.34)
    assert rate == pytest.approx(0.14) and mix + rate == pytest.approx(w2 @ r2 - w1 @ r1)
    assert np.all(r2 > r1)
    return mix


def stickiness() -> float:
    peak_day = 150_000 / 400_000  # the peak-day slip
    assert peak_day == pytest.approx(0.375)
    return 100 * 120_000 / 400_000


def expected_lifetime() -> float:
    churn = 0.04
    months = np.arange(1, 5_000)
    pmf = (1 - churn) ** (months - 1) * churn  # leaves after paying for `months` months
    mean = float(months @ pmf)
    assert round(math.log(0.5) / math.log(1 - churn)) == 17  # the median the explanation quotes
    return round(mean)


def annual_churn() -> float:
    return 100 * (1 - 0.95**12)


def ltv_discounted() -> float:
    t = np.arange(0, 2_000)
    value = float(np.sum(20 * (0.9 / 1.01) ** t))
    # The figures the explanation contrasts: undiscounted, and the end-of-period convention m·r/(1 + d − r).
    assert float(np.sum(20 * 0.9**t)) == pytest.approx(200)
    end_of_period = 20 * 0.9 / (1 + 0.01 - 0.9)
    assert end_of_period == pytest.approx(163.64, abs=0.01)
    assert value == pytest.approx(183.64, abs=0.01)
    return round(value)


def delta_se() -> float:
    variance = (
        SD_CLICKS**2 / MEAN_VIEWS**2
        - 2 * MEAN_CLICKS * COV / MEAN_VIEWS**3
        + MEAN_CLICKS**2 * SD_VIEWS**2 / MEAN_VIEWS**4
    ) / N_USERS
    ctr = MEAN_CLICKS / MEAN_VIEWS
    # The two slips the explanation quotes: binomial on page views, and no covariance term.
    assert round(math.sqrt(ctr * (1 - ctr) / (N_USERS * MEAN_VIEWS)), 4) == 0.0013
    no_cov = (SD_CLICKS**2 / MEAN_VIEWS**2 + MEAN_CLICKS**2 * SD_VIEWS**2 / MEAN_VIEWS**4) / N_USERS
    assert round(math.sqrt(no_cov), 4) == 0.0027
    return math.sqrt(variance)


def dau_churned() -> float:
    yesterday, new, retained, resurrected = 50_000, 4_000, 38_000, 6_000
    churned = yesterday - retained
    today = new + retained + resurrected
    # The identity the explanation shows, and the net change a hasty reading mistakes for churn.
    assert today - yesterday == new + resurrected - churned == -2_000
    return churned


def funnel_overall() -> float:
    counts = funnel_counts()
    return 100 * counts[-1] / counts[0]


RECOMPUTE = {
    "revenue-decomposition-numeric": revenue_change,
    "mix-shift-numeric": mix_effect,
    "dau-mau-numeric": stickiness,
    "expected-lifetime-numeric": expected_lifetime,
    "annual-churn-numeric": annual_churn,
    "ltv-discounted-numeric": ltv_discounted,
    "delta-method-numeric": delta_se,
    "dau-churned-numeric": dau_churned,
    "funnel-overall-numeric": funnel_overall,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_delta_method_matches_simulated_users() -> None:
    """The formula the card teaches agrees with the spread of pooled CTR over many simulated arms whose users have the
    card's moments (views and clicks drawn jointly normal per user, then the ratio of sums)."""
    rng = np.random.default_rng(7)
    cov = np.array([[SD_CLICKS**2, COV], [COV, SD_VIEWS**2]])
    users, arms = 1_000, 4_000
    draws = rng.multivariate_normal([MEAN_CLICKS, MEAN_VIEWS], cov, size=(arms, users))
    ratios = draws[..., 0].sum(axis=1) / draws[..., 1].sum(axis=1)
    formula = delta_se() * math.sqrt(N_USERS / users)
    assert float(ratios.std()) == pytest.approx(formula, rel=0.05)


def test_funnel_biggest_loss_is_not_the_lowest_rate() -> None:
    counts = funnel_counts()
    assert counts == pytest.approx([80_000, 36_000, 7_200, 4_320, 3_240])
    losses = [a - b for a, b in zip(counts, counts[1:], strict=False)]
    assert losses == pytest.approx([44_000, 28_800, 2_880, 1_080])
    assert int(np.argmax(losses)) == 0 and int(np.argmin(FUNNEL_RATES)) == 1
    # A 10% relative gain at any one step raises purchases by the same 10%.
    for step in range(len(FUNNEL_RATES)):
        rates = list(FUNNEL_RATES)
        rates[step] *= 1.1
        assert FUNNEL_VISITORS * math.prod(rates) == pytest.approx(1.1 * counts[-1])
    card = DECK.card("funnel-biggest-loss")
    assert (
        isinstance(card, ChoiceCard)
        and isinstance(card.answer, str)
        and card.answer.startswith("Visit to product")
    )


def test_session_length_card_arithmetic() -> None:
    """Time per user = sessions per user × session length: +5% time with −10% length means about +17% sessions."""
    sessions_ratio = 1.05 / 0.90
    assert sessions_ratio == pytest.approx(1.1667, abs=1e-4)
    card = DECK.card("session-vs-user-average")
    assert isinstance(card, ChoiceCard) and isinstance(card.answer, str) and "more sessions" in card.answer
