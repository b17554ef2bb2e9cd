"""The regression-glm deck: every numeric answer recomputed from the numbers in its front (with scipy's
distributions and scikit-learn's metric where the card names them, and a simulation where the card's formula
is the thing being taught), and the claims behind three choice cards checked by fitting the models."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats
from sklearn.linear_model import LinearRegression, PoissonRegressor
from sklearn.metrics import mean_poisson_deviance

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["regression-glm"]


def expected_spend() -> float:
    """E[y] of a log-normal: exp(μ + σ²/2), checked against draws; exp(μ) alone is the median."""
    mu, sigma = 4.0, 0.8
    draws = np.exp(np.random.default_rng(0).normal(mu, sigma, 2_000_000))
    assert float(draws.mean()) == pytest.approx(math.exp(mu + sigma**2 / 2), rel=0.01)
    assert float(np.median(draws)) == pytest.approx(math.exp(mu), rel=0.01)
    return math.exp(mu + sigma**2 / 2)


def expected_claims_with_offset() -> float:
    intercept, urban, years = -3.0, 0.4, 2.5
    # The slips the explanation quotes: no offset, and the rate ratio read as 1 + β.
    assert math.exp(intercept + urban) == pytest.approx(0.0743, abs=1e-4)
    assert math.exp(urban) - 1 == pytest.approx(0.49, abs=0.005)
    return math.exp(math.log(years) + intercept + urban)


def risk_ratio_from_odds_ratio() -> float:
    p0, odds_ratio = 0.4, 2.25
    odds1 = p0 / (1 - p0) * odds_ratio
    p1 = odds1 / (1 + odds1)
    # Zhang & Yu's correction gives the same number.
    assert odds_ratio / (1 - p0 + p0 * odds_ratio) == pytest.approx(p1 / p0)
    return p1 / p0


def negative_binomial_zero_share() -> float:
    mu, k = 6.0, 1.5
    dist = stats.nbinom(n=k, p=k / (k + mu))  # scipy's (n, p) for mean μ and variance μ + μ²/k
    assert float(dist.mean()) == pytest.approx(mu)
    assert float(dist.var()) == pytest.approx(30.0)
    assert stats.poisson(mu).pmf(0) == pytest.approx(0.0025, abs=1e-4)
    return float(dist.pmf(0))


def likelihood_ratio_p_value() -> float:
    statistic, df = 412.6 - 401.3, 195 - 192
    assert stats.chi2.sf(statistic, 1) < 0.001  # the one-degree-of-freedom slip
    return float(stats.chi2.sf(statistic, df))


def bic_difference() -> float:
    n = 400
    models = {"A": (-520.4, 5), "B": (-514.9, 9)}
    aic = {name: 2 * k - 2 * ll for name, (ll, k) in models.items()}
    bic = {name: k * math.log(n) - 2 * ll for name, (ll, k) in models.items()}
    assert aic["B"] < aic["A"] and bic["A"] < bic["B"]  # the two criteria disagree, as the card says
    return bic["B"] - bic["A"]


def mcfadden_r2() -> float:
    return 1 - (-520.0) / (-693.1)


def mean_deviance() -> float:
    y, mu = np.array([0.0, 2.0, 5.0]), np.array([0.5, 2.0, 3.0])
    by_hand = 2 * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0) - (y - mu))
    assert float(by_hand.mean()) == pytest.approx(mean_poisson_deviance(y, mu))
    assert float(((y - mu) ** 2).mean()) == pytest.approx(1.417, abs=0.001)
    return float(mean_poisson_deviance(y, mu))


def cooks_distance() -> float:
    residual, leverage, p = 1.5, 0.6, 4
    return residual**2 / p * leverage / (1 - leverage)


def test_cooks_distance_formula_matches_its_definition() -> None:
    """The card's shortcut (r²/p)·h/(1 − h) equals Cook's definition: the shift of all fitted values when the
    row is dropped, over p·s²."""
    rng = np.random.default_rng(3)
    n, p = 30, 4
    x = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    y = x @ np.array([1.0, 2.0, -1.0, 0.5]) + rng.normal(size=n)
    hat = x @ np.linalg.solve(x.T @ x, x.T)
    fitted = hat @ y
    s2 = float(((y - fitted) ** 2).sum() / (n - p))
    for i in (0, 7, 19):
        keep = np.arange(n) != i
        beta_i = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        by_definition = float(((fitted - x @ beta_i) ** 2).sum() / (p * s2))
        h = hat[i, i]
        r = (y[i] - fitted[i]) / math.sqrt(s2 * (1 - h))
        assert r**2 / p * h / (1 - h) == pytest.approx(by_definition)


def omitted_variable_coefficient() -> float:
    beta_x, beta_z, delta = 2.0, -3.0, 0.8
    rng = np.random.default_rng(1)
    x = rng.normal(size=200_000)
    z = delta * x + rng.normal(size=x.size)
    y = beta_x * x + beta_z * z + rng.normal(size=x.size)
    short = LinearRegression().fit(x[:, None], y).coef_[0]
    assert short == pytest.approx(beta_x + beta_z * delta, abs=0.02)
    return beta_x + beta_z * delta


def intraclass_correlation() -> float:
    between_sd, residual_sd = 0.6, 1.2
    return between_sd**2 / (between_sd**2 + residual_sd**2)


RECOMPUTE = {
    "retransformation-numeric": expected_spend,
    "offset-expected-count": expected_claims_with_offset,
    "odds-ratio-to-risk-ratio": risk_ratio_from_odds_ratio,
    "negative-binomial-zero-share": negative_binomial_zero_share,
    "lrt-deviance-numeric": likelihood_ratio_p_value,
    "aic-bic-disagree-numeric": bic_difference,
    "mcfadden-pseudo-r2": mcfadden_r2,
    "mean-poisson-deviance-numeric": mean_deviance,
    "cooks-distance-numeric": cooks_distance,
    "omitted-variable-bias-numeric": omitted_variable_coefficient,
    "icc-numeric": intraclass_correlation,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_rate_target_with_exposure_weights_equals_the_offset_model() -> None:
    """The sklearn-exposure-weights key: PoissonRegressor on y/t with sample_weight=t gives the coefficients of
    a Poisson GLM of counts with offset log t (fitted here by maximising its likelihood directly), while
    log t as a free feature does not fix its coefficient at 1."""
    card = DECK.card("sklearn-exposure-weights")
    assert isinstance(card, ChoiceCard) and "exposure as the sample weight" in card.answer
    rng = np.random.default_rng(5)
    n = 2_000
    x = rng.normal(size=(n, 2))
    exposure = rng.uniform(0.1, 3.0, size=n)
    counts = rng.poisson(exposure * np.exp(-1.0 + x @ np.array([0.4, -0.3])))

    model = PoissonRegressor(alpha=0.0, max_iter=1_000, tol=1e-10)
    model.fit(x, counts / exposure, sample_weight=exposure)

    design = np.column_stack([np.ones(n), x])

    def negative_log_likelihood(beta: np.ndarray) -> float:
        eta = np.log(exposure) + design @ beta
        return float(np.sum(np.exp(eta) - counts * eta))

    offset_fit = optimize.minimize(
        negative_log_likelihood, np.zeros(3), method="BFGS", options={"gtol": 1e-8}
    )
    assert model.intercept_ == pytest.approx(offset_fit.x[0], abs=1e-4)
    assert model.coef_ == pytest.approx(offset_fit.x[1:], abs=1e-4)


def test_centring_age_removes_the_collinearity_but_not_the_fit() -> None:
    """The structural-collinearity-centring claims: age and age² over 20..70 correlate near 0.99 (VIF above
    40), centred they do not, and the fitted values are the same either way."""
    age = np.linspace(20, 70, 501)
    y = 0.02 * (age - 45) ** 2 + 0.1 * age + np.random.default_rng(2).normal(size=age.size)
    r = np.corrcoef(age, age**2)[0, 1]
    assert 1 / (1 - r**2) > 40
    centred = age - age.mean()
    assert abs(np.corrcoef(centred, centred**2)[0, 1]) < 0.01
    raw = LinearRegression().fit(np.column_stack([age, age**2]), y)
    cen = LinearRegression().fit(np.column_stack([centred, centred**2]), y)
    assert raw.predict(np.column_stack([age, age**2])) == pytest.approx(
        cen.predict(np.column_stack([centred, centred**2]))
    )


def test_one_logit_effect_gives_the_quoted_probability_gains() -> None:
    """The interaction-link-scale front: one coefficient 0.7 on the logit scale takes 0.10 to 0.18 and 0.50 to
    0.67."""

    def shifted(p: float) -> float:
        return float(stats.logistic.cdf(stats.logistic.ppf(p) + 0.7))

    assert round(shifted(0.10), 2) == 0.18
    assert round(shifted(0.50), 2) == 0.67
