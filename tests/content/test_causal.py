"""The causal deck: every numeric answer recomputed from the numbers in its front (the Benjamini–Hochberg count
checked against scipy, the CUPED variance against simulated users), the wrong answers its explanations quote
recomputed too, and the claims of the two DAG choice cards checked by simulating their linear causal graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import false_discovery_control

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["causal"]

# The checkout data of the Simpson card: device -> arm -> (conversions, users).
CHECKOUT = {"desktop": {"A": (40, 100), "B": (350, 1000)}, "mobile": {"A": (90, 900), "B": (8, 100)}}
BH_P_VALUES = [0.001, 0.013, 0.015, 0.024, 0.2, 0.35, 0.6, 0.9]


def att_from_table() -> float:
    """The ATT from both potential outcomes, and the ATE and naive contrast the explanation quotes."""
    treated = np.array([(5, 9), (6, 9), (4, 6)], dtype=float)
    untreated = np.array([(3, 3), (7, 8), (2, 2)], dtype=float)
    effects = np.concatenate([treated[:, 1] - treated[:, 0], untreated[:, 1] - untreated[:, 0]])
    att = float((treated[:, 1] - treated[:, 0]).mean())
    naive = float(treated[:, 1].mean() - untreated[:, 0].mean())
    selection_bias = float(treated[:, 0].mean() - untreated[:, 0].mean())
    assert round(float(effects.mean()), 2) == 1.67
    assert naive == pytest.approx(4.0) and naive == pytest.approx(att + selection_bias)
    return att


def simpson_adjusted_difference() -> float:
    """P(convert | do(A)) − P(convert | do(B)) in points, standardised to the device mix of all users."""
    users = {device: sum(n for _, n in arms.values()) for device, arms in CHECKOUT.items()}
    total = sum(users.values())
    assert total == 2100

    def adjusted(arm: str) -> float:
        return sum(CHECKOUT[d][arm][0] / CHECKOUT[d][arm][1] * users[d] / total for d in CHECKOUT)

    def pooled(arm: str) -> float:
        return sum(CHECKOUT[d][arm][0] for d in CHECKOUT) / sum(CHECKOUT[d][arm][1] for d in CHECKOUT)

    # A wins within each device and loses pooled: the paradox the explanation quotes (13.0% against 32.5%).
    for device in CHECKOUT:
        rate = {arm: c / n for arm, (c, n) in CHECKOUT[device].items()}
        assert rate["A"] > rate["B"]
    assert round(100 * pooled("A"), 1) == 13.0 and round(100 * pooled("B"), 1) == 32.5
    assert round(100 * (pooled("A") - pooled("B")), 1) == -19.5
    return 100 * (adjusted("A") - adjusted("B"))


def ipw_mean() -> float:
    y = np.array([10.0, 4.0, 7.0])
    e = np.array([0.8, 0.2, 0.5])
    w = 1 / e
    assert float(y.mean()) == pytest.approx(7.0)
    assert float((e * y).sum() / e.sum()) == pytest.approx(8.2)  # weighting by e instead of 1/e
    return float((w * y).sum() / w.sum())


def did_estimate() -> float:
    treated_before, treated_after, control_before, control_after = 20, 26, 15, 18
    assert treated_after - treated_before == 6 and treated_after - control_after == 8
    return (treated_after - treated_before) - (control_after - control_before)


def wald_estimate() -> float:
    y_encouraged, y_other = 12.0, 10.8
    d_encouraged, d_other = 0.60, 0.20
    assert y_encouraged - y_other == pytest.approx(1.2)  # the intention-to-treat effect
    return (y_encouraged - y_other) / (d_encouraged - d_other)


def uplift_extra_purchases() -> float:
    coupons = 1000
    segments = {1: (0.30, 0.28), 2: (0.10, 0.04)}
    extra = {s: coupons * (treated - control) for s, (treated, control) in segments.items()}
    assert extra[1] == pytest.approx(20)
    assert coupons * segments[1][0] == pytest.approx(300)  # what a response model would count
    return max(extra.values())


def cuped_variance() -> float:
    var_y, var_x, cov = 25.0, 16.0, 12.0
    theta = cov / var_x
    rho = cov / math.sqrt(var_x * var_y)
    direct = var_y - 2 * theta * cov + theta**2 * var_x
    assert direct == pytest.approx(var_y * (1 - rho**2))
    assert var_y * (1 - rho) == pytest.approx(10.0)  # the 1 − ρ slip the explanation quotes
    # Simulated users with that covariance: the adjusted metric's sample variance agrees.
    rng = np.random.default_rng(3)
    x, y = rng.multivariate_normal([0.0, 0.0], [[var_x, cov], [cov, var_y]], size=400_000).T
    adjusted = y - theta * (x - x.mean())
    assert float(adjusted.var()) == pytest.approx(direct, rel=0.02)
    return direct


def clusters_per_arm() -> float:
    individual_n, m, icc = 10_000, 50, 0.02
    design_effect = 1 + (m - 1) * icc
    assert individual_n / m == 200 and individual_n * (1 + m * icc) / m == pytest.approx(400)
    return individual_n * design_effect / m


def bh_rejections() -> float:
    p = np.sort(np.array(BH_P_VALUES))
    m, q = len(p), 0.05
    passing = np.nonzero(p <= q * np.arange(1, m + 1) / m)[0]
    k = int(passing.max()) + 1
    # scipy's BH-adjusted p-values reject the same number.
    assert int((false_discovery_control(p, method="bh") <= q).sum()) == k
    # The step-down reading (stop at the first miss) and Bonferroni each keep only one.
    first_miss = int(np.argmax(p > q * np.arange(1, m + 1) / m))
    assert first_miss == 1
    assert int((p <= q / m).sum()) == 1
    return k


RECOMPUTE = {
    "att-from-potential-outcomes": att_from_table,
    "simpson-adjusted-difference": simpson_adjusted_difference,
    "ipw-weighted-mean": ipw_mean,
    "did-two-by-two": did_estimate,
    "wald-iv-estimate": wald_estimate,
    "uplift-targeting-numeric": uplift_extra_purchases,
    "cuped-variance-numeric": cuped_variance,
    "cluster-sample-size": clusters_per_arm,
    "bh-cutoff-numeric": bh_rejections,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def ols_coefficient_of_x(y: np.ndarray, x: np.ndarray, *controls: np.ndarray) -> float:
    """The coefficient of x in a least-squares fit of y on x, the controls and an intercept."""
    design = np.column_stack([x, *controls, np.ones_like(x)])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(coefficients[0])


def test_backdoor_card_only_z_recovers_the_total_effect() -> None:
    """Z → X, Z → Y, X → M → Y, X → C ← Y simulated with a total effect of X on Y of 1.0 + 0.5·2.0 = 2.0:
    adjusting for {Z} recovers it; {Z, M}, {Z, C} and the empty set do not, as the explanation says."""
    card = DECK.card("backdoor-adjustment-set")
    assert isinstance(card, ChoiceCard) and card.answer == "{Z}"
    rng = np.random.default_rng(11)
    n = 200_000
    z = rng.normal(size=n)
    x = 0.8 * z + rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 1.0 * x + 2.0 * m + 1.5 * z + rng.normal(size=n)
    c = x + y + rng.normal(size=n)
    total = 1.0 + 0.5 * 2.0
    assert ols_coefficient_of_x(y, x, z) == pytest.approx(total, abs=0.03)
    assert abs(ols_coefficient_of_x(y, x, z, m) - total) > 0.5  # only the direct effect, 1.0
    assert abs(ols_coefficient_of_x(y, x, z, c) - total) > 0.5  # the collider opens a path
    assert abs(ols_coefficient_of_x(y, x) - total) > 0.3  # confounding through Z left open


def test_m_bias_card_adjusting_for_z_biases_the_estimate() -> None:
    """U1 → X, U1 → Z, U2 → Z, U2 → Y, X → Y with effect 1.0: Z correlates with both X and Y, the unadjusted
    estimate is unbiased, and adjusting for the collider Z biases it, as the key says."""
    card = DECK.card("m-bias-choice")
    assert isinstance(card, ChoiceCard) and card.answer.startswith("Adjust for nothing")
    rng = np.random.default_rng(5)
    n = 200_000
    u1, u2 = rng.normal(size=n), rng.normal(size=n)
    x = 1.5 * u1 + rng.normal(size=n)
    z = u1 + u2 + 0.5 * rng.normal(size=n)
    y = 1.0 * x + 1.5 * u2 + rng.normal(size=n)
    assert abs(np.corrcoef(z, x)[0, 1]) > 0.3 and abs(np.corrcoef(z, y)[0, 1]) > 0.3
    assert ols_coefficient_of_x(y, x) == pytest.approx(1.0, abs=0.02)
    assert abs(ols_coefficient_of_x(y, x, z) - 1.0) > 0.1


def test_berkson_selection_on_a_collider_induces_negative_correlation() -> None:
    """Two independent diseases; admission when either is present (plus a few admitted for other reasons):
    among the admitted the diseases are negatively correlated, as the pitfall card's back says."""
    card = DECK.card("berkson-collider-pitfall")
    assert card.back is not None and "collider" in card.back
    rng = np.random.default_rng(2)
    n = 400_000
    a, b = rng.random(n) < 0.1, rng.random(n) < 0.1
    admitted = a | b | (rng.random(n) < 0.05)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01
    assert np.corrcoef(a[admitted], b[admitted])[0, 1] < -0.3


def test_simpson_card_is_numeric_with_percent_unit() -> None:
    """The Simpson answer is in percentage points, so `3.6` and `3.6%` must both mean 3.6."""
    card = DECK.card("simpson-adjusted-difference")
    assert isinstance(card, NumericCard) and card.unit == "%"
