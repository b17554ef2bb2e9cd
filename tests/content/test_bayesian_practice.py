"""The Bayesian-practice deck: every numeric answer recomputed from the numbers in its front (conjugate updates
in closed form, checked against scipy's distributions or simulation where a slip would be easy), and the
claims that several choice cards rest on checked by computing them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECK = builtin_decks()["bayesian"]


def logit_prior_extreme_share() -> float:
    """Mass of N(0, 10²) on the log-odds beyond logit(0.99), both tails; a sampled check of the same share."""
    cut = float(special.logit(0.99))
    share = float(2 * stats.norm.sf(cut, scale=10.0))
    p = special.expit(np.random.default_rng(0).normal(0.0, 10.0, 200_000))
    assert float(np.mean((p < 0.01) | (p > 0.99))) == pytest.approx(share, abs=0.005)
    return share


def beta_prior_size() -> float:
    """a + b of the Beta whose mean and sd match; scipy's Beta with those a, b has that mean and sd."""
    mean, sd = 0.04, 0.01
    size = mean * (1 - mean) / sd**2 - 1
    prior = stats.beta(mean * size, (1 - mean) * size)
    assert prior.mean() == pytest.approx(mean) and prior.std() == pytest.approx(sd)
    return size


def normal_posterior_sd() -> float:
    prior_mean, prior_sd, sigma, n, xbar = 70.0, 5.0, 15.0, 18, 76.0
    precision = 1 / prior_sd**2 + n / sigma**2
    mean = (prior_mean / prior_sd**2 + n * xbar / sigma**2) / precision
    assert mean == pytest.approx(74.0)  # the mean the explanation quotes
    assert sigma / math.sqrt(n) == pytest.approx(3.54, abs=0.005)  # the slip that ignores the prior
    return 1 / math.sqrt(precision)


def shrinkage_factor(n: int) -> float:
    sigma, tau = 10.0, 2.0
    noise = sigma**2 / n
    return noise / (noise + tau**2)


def small_group_shrinkage() -> float:
    assert shrinkage_factor(100) == pytest.approx(0.2)  # the large group of the explanation
    return shrinkage_factor(5)


def robbins_one_claim() -> float:
    counts = {0: 7000, 1: 2000, 2: 600}
    total = 10_000
    share = {x: c / total for x, c in counts.items()}
    assert 1 * share[1] / share[0] == pytest.approx(0.2857, abs=1e-4)  # the x = 0 value of the explanation
    return 2 * share[2] / share[1]


def bayesian_average(n: int, mean: float) -> float:
    prior_mean, pseudo = 3.8, 20
    return (pseudo * prior_mean + n * mean) / (pseudo + n)


def item_a_average() -> float:
    a, b = bayesian_average(5, 4.8), bayesian_average(200, 4.5)
    assert b > a and 4.8 > 4.5  # the reordering the card is about
    return a


def next_two_successes() -> float:
    """E[p²] under Beta(9, 5), checked by integrating against scipy's density."""
    posterior = stats.beta(2 + 7, 2 + 3)
    exact = posterior.moment(2)
    integral, _ = integrate.quad(lambda p: p**2 * posterior.pdf(p), 0, 1)
    assert integral == pytest.approx(exact)
    assert posterior.mean() ** 2 == pytest.approx(0.413, abs=0.0005)  # the plug-in slip
    return float(exact)


def coin_bayes_factor() -> float:
    n, k = 20, 15
    under_null = float(stats.binom.pmf(k, n, 0.5))
    under_uniform, _ = integrate.quad(lambda p: stats.binom.pmf(k, n, p), 0, 1)
    assert under_uniform == pytest.approx(1 / (n + 1))
    # The explanation's comparisons: the p-value and the likelihood ratio at the MLE.
    assert stats.binomtest(k, n, 0.5).pvalue == pytest.approx(0.041, abs=0.0005)
    assert stats.binom.pmf(k, n, k / n) / under_null == pytest.approx(13.7, abs=0.05)
    return under_uniform / under_null


def tiny_rhat() -> float:
    chains = np.array([[1.0, 2.0, 3.0, 2.0], [3.0, 4.0, 5.0, 4.0]])
    _, n = chains.shape
    within = float(chains.var(axis=1, ddof=1).mean())
    between = n * float(chains.mean(axis=1).var(ddof=1))
    assert (within, between) == (pytest.approx(2 / 3), pytest.approx(8.0))
    var_plus = (n - 1) / n * within + between / n
    return math.sqrt(var_plus / within)


RECOMPUTE = {
    "logit-wide-prior-numeric": logit_prior_extreme_share,
    "prior-effective-sample-size": beta_prior_size,
    "normal-normal-posterior-sd": normal_posterior_sd,
    "shrinkage-factor-small-group": small_group_shrinkage,
    "robbins-poisson-numeric": robbins_one_claim,
    "bayesian-average-reorder": item_a_average,
    "next-two-successes-numeric": next_two_successes,
    "bayes-factor-coin-numeric": coin_bayes_factor,
    "rhat-tiny-numeric": tiny_rhat,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_wider_alternative_prior_lowers_the_bayes_factor() -> None:
    """Lindley card: a normal mean estimate 0.5 with standard error 0.2 (p ≈ 0.012); BF₁₀ for H₁: δ ~ N(0, s²)
    falls as s widens from 1 to 100 and ends up favouring H₀, as the key says."""
    estimate, se = 0.5, 0.2
    assert 2 * stats.norm.sf(estimate / se) < 0.05

    def bf10(s: float) -> float:
        return float(stats.norm.pdf(estimate, scale=math.hypot(se, s)) / stats.norm.pdf(estimate, scale=se))

    factors = [bf10(s) for s in (1.0, 10.0, 100.0)]
    assert factors[0] > 1 > factors[2] and factors == sorted(factors, reverse=True)
    card = DECK.card("lindley-prior-width")
    assert (
        isinstance(card, ChoiceCard) and isinstance(card.answer, str) and card.answer.startswith("It falls")
    )


def test_separation_mle_diverges_and_prior_bounds_it() -> None:
    """Separation card: a feature that is 1 on 40 rows, all positive (plus 60 mixed rows with it at 0). The
    log-likelihood keeps rising in that coefficient, so no finite MLE exists; adding a Cauchy(0, 2.5) log-prior
    gives an interior maximum."""
    rng = np.random.default_rng(1)
    x = np.r_[np.ones(40), np.zeros(60)]
    y = np.r_[np.ones(40), rng.integers(0, 2, 60)]
    intercept = float(special.logit(y[x == 0].mean()))  # the MLE of the intercept, whatever the coefficient

    def loglik(beta: float) -> float:
        eta = intercept + beta * x
        return float(np.sum(y * eta - np.logaddexp(0.0, eta)))

    values = [loglik(b) for b in (1.0, 5.0, 10.0, 20.0)]
    assert values == sorted(values) and values[-1] < 0
    result = optimize.minimize_scalar(
        lambda b: -(loglik(b) + stats.cauchy.logpdf(b, scale=2.5)), bounds=(0.0, 100.0), method="bounded"
    )
    assert 1.0 < result.x < 50.0


def test_net_votes_and_thresholds_rank_as_the_explanation_says() -> None:
    """Miller card: net votes put 55% positive above 60% positive; a 5-vote cut-off keeps 6/6 above 95/100."""
    net = {"55%": 5500 - 4500, "60%": 600 - 400}
    assert net["55%"] > net["60%"] and 5500 / 10_000 < 600 / 1000
    assert 6 / 6 > 95 / 100 and 6 > 5


def test_pooled_eight_schools_estimate() -> None:
    """Eight-schools card: the precision-weighted (complete-pooling) estimate of Rubin's data is about 7.7."""
    effects = np.array([28, 8, -3, 7, -1, 1, 18, 12], dtype=float)
    ses = np.array([15, 10, 16, 11, 9, 11, 10, 18], dtype=float)
    weights = 1 / ses**2
    assert float(weights @ effects / weights.sum()) == pytest.approx(7.7, abs=0.05)
    assert np.all(np.abs(effects / ses) < 1.96)  # none clearly significant alone
    card = DECK.card("eight-schools")
    assert card.back is not None and "28" in card.back


def test_numeric_cards_state_their_precision() -> None:
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            assert card.tolerance is not None
            if "whole number" in card.front:
                assert card.tolerance == 0
            for decimals, tolerance in ((2, 0.01), (3, 0.001)):
                if f"to {decimals} decimals" in card.front:
                    assert card.tolerance == tolerance, card.id
