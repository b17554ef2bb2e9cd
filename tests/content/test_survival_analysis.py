"""The survival-analysis deck: every numeric answer recomputed from the numbers in its front (Kaplan–Meier and
Nelson–Aalen from the censored table, hazards through S = exp(−H), the C-index from its comparable pairs), and
the slips the explanations quote shown to give different answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["survival"]

# The ten users of the Kaplan–Meier and Nelson–Aalen cards: (weeks, churned?).
TEN_USERS = [
    (2, True), (3, True), (3, False), (5, True), (6, False),
    (7, True), (7, True), (9, False), (10, True), (12, False),
]  # fmt: skip

# The five users of the C-index card: (months, churned?, risk score).
FIVE_USERS = [(2, True, 0.9), (4, False, 0.5), (5, True, 0.7), (6, True, 0.2), (8, False, 0.4)]


def risk_table(data: list[tuple[int, bool]], horizon: float) -> list[tuple[int, int]]:
    """(at risk, events) at each distinct event time up to the horizon; a user censored at an event time counts at
    risk for it, as the fronts say."""
    event_times = sorted({t for t, event in data if event and t <= horizon})
    return [(sum(1 for s, _ in data if s >= t), sum(1 for s, e in data if e and s == t)) for t in event_times]


def kaplan_meier(data: list[tuple[int, bool]], horizon: float) -> float:
    return float(np.prod([1 - d / n for n, d in risk_table(data, horizon)]))


def nelson_aalen(data: list[tuple[int, bool]], horizon: float) -> float:
    return sum(d / n for n, d in risk_table(data, horizon))


def km_ten_users() -> float:
    # The slip the explanation quotes: drop the censored users and take the share lasting past 8.
    events_only = [t for t, event in TEN_USERS if event]
    assert sum(t > 8 for t in events_only) / len(events_only) == pytest.approx(1 / 6)
    return kaplan_meier(TEN_USERS, 8)


def nelson_aalen_ten_users() -> float:
    h = nelson_aalen(TEN_USERS, 8)
    # The explanation's comparisons: −log of Kaplan–Meier, and exp(−H) against Kaplan–Meier.
    assert round(-math.log(kaplan_meier(TEN_USERS, 8)), 3) == 0.888
    assert round(math.exp(-h), 3) == 0.470
    return h


def exponential_median() -> float:
    rate = 0.04
    assert 1 / rate == pytest.approx(25.0)  # the mean, the slip
    return math.log(2) / rate


def survival_from_hazard() -> float:
    rate, years = 0.2, 3
    assert round((1 - rate) ** years, 3) == 0.512  # compounding the rate as a yearly probability
    return math.exp(-rate * years)


def weibull_survival() -> float:
    scale, shape, t = 10.0, 0.5, 2.5
    assert round(math.exp(-t / scale), 3) == 0.779  # the exponential slip
    return math.exp(-((t / scale) ** shape))


def ph_survival_power() -> float:
    s0, hazard_ratio = 0.7, 1.8
    assert 1 - hazard_ratio * (1 - s0) == pytest.approx(0.46)  # hazard ratio used as a risk ratio
    return s0**hazard_ratio


def harrell_c(users: list[tuple[int, bool, float]], respect_censoring: bool = True) -> float:
    """Share of comparable pairs ordered correctly: the earlier time must be an observed event (or, for the slip,
    any earlier time); ties in risk would count a half, and there are none here."""
    concordant = comparable = 0.0
    for i, (ti, ei, ri) in enumerate(users):
        for tj, ej, rj in users[i + 1 :]:
            (t_first, e_first, r_first), (_, _, r_second) = sorted([(ti, ei, ri), (tj, ej, rj)])
            if respect_censoring and not e_first:
                continue
            comparable += 1
            concordant += 1.0 if r_first > r_second else 0.5 if r_first == r_second else 0.0
    return concordant / comparable


def c_index() -> float:
    assert harrell_c(FIVE_USERS, respect_censoring=False) == pytest.approx(0.8)
    return harrell_c(FIVE_USERS)


RECOMPUTE = {
    "km-ten-subjects-numeric": km_ten_users,
    "nelson-aalen-numeric": nelson_aalen_ten_users,
    "exponential-median-numeric": exponential_median,
    "survival-from-hazard-numeric": survival_from_hazard,
    "weibull-numeric": weibull_survival,
    "ph-survival-power-numeric": ph_survival_power,
    "c-index-numeric": c_index,
}

test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_hazard_ratio_card_risks() -> None:
    """The misread card's numbers: with HR 2 under PH, 10% control churn becomes 19% and 70% becomes 91%."""
    assert round(1 - 0.9**2, 2) == 0.19
    assert round(1 - 0.3**2, 2) == 0.91
    card = DECK.card("hazard-ratio-misread")
    assert card.back is not None and "19%" in card.back and "91%" in card.back


def test_aft_time_ratio() -> None:
    """The AFT choice card: a coefficient of 0.405 is a time ratio of about 1.5."""
    assert math.exp(0.405) == pytest.approx(1.5, abs=0.001)


def test_c_index_is_scale_free() -> None:
    """The C-index card's claim: multiplying every risk by 10 leaves the index unchanged."""
    scaled = [(t, e, 10 * r) for t, e, r in FIVE_USERS]
    assert harrell_c(scaled) == harrell_c(FIVE_USERS)


def test_numeric_fronts_use_the_tables_in_this_module() -> None:
    """The fronts list the same users the recomputation uses, so editing one without the other fails."""
    km = DECK.card("km-ten-subjects-numeric")
    assert isinstance(km, NumericCard)
    listed = ", ".join(f"{t}{'' if event else '+'}" for t, event in TEN_USERS)
    assert listed.replace(", 12+", " and 12+") in " ".join(km.front.split())
    c = DECK.card("c-index-numeric")
    for name, (t, event, risk) in zip("ABCDE", FIVE_USERS, strict=True):
        assert f"{name} ({t}, {'yes' if event else 'no'}, {risk})" in " ".join(c.front.split())
