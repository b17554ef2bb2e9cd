"""The prob-models deck: every numeric answer recomputed from the numbers in its front by a route other than the
explanation's arithmetic where one exists (HMM probabilities by enumerating every state path, conjugate posteriors
on a grid, the robust z-score with scipy's MAD), and the library behaviour that choice keys claim checked against
scikit-learn itself."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from sklearn.ensemble import IsolationForest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.svm import OneClassSVM

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["prob-models"]


def explanation(card_id: str) -> str:
    card = DECK.card(card_id)
    assert isinstance(card, NumericCard) and card.explanation is not None
    return card.explanation


def path_probabilities(
    start: np.ndarray, transition: np.ndarray, emission: np.ndarray, observations: list[int]
) -> dict[tuple[int, ...], float]:
    """The joint probability of every hidden-state path with the observations: brute force, no dynamic programme,
    so it checks the forward and Viterbi recursions of the explanations rather than repeating them."""
    paths = {}
    for path in itertools.product(range(len(start)), repeat=len(observations)):
        p = start[path[0]] * emission[path[0], observations[0]]
        for previous, state, observation in zip(path, path[1:], observations[1:], strict=False):
            p *= transition[previous, state] * emission[state, observation]
        paths[path] = float(p)
    return paths


# Hot = 0, Cold = 1; observations high = 0, low = 1.
HOT_COLD = (
    np.array([0.6, 0.4]),
    np.array([[0.7, 0.3], [0.4, 0.6]]),
    np.array([[0.8, 0.2], [0.3, 0.7]]),
)
# Rainy = 0, Sunny = 1; observations umbrella = 0, none = 1.
WEATHER = (
    np.array([0.5, 0.5]),
    np.array([[0.7, 0.3], [0.2, 0.8]]),
    np.array([[0.9, 0.1], [0.2, 0.8]]),
)


def em_responsibility() -> float:
    weighted = np.array([0.6 * stats.norm.pdf(2, 0, 1), 0.4 * stats.norm.pdf(2, 4, 2)])
    # The slips the explanation quotes: no 1/σ factor, and no mixing weights.
    no_sigma = np.array([0.6 * math.exp(-2.0), 0.4 * math.exp(-0.5)])
    assert no_sigma[1] / no_sigma.sum() == pytest.approx(0.749, abs=5e-4)
    unweighted = np.array([stats.norm.pdf(2, 0, 1), stats.norm.pdf(2, 4, 2)])
    assert unweighted[1] / unweighted.sum() == pytest.approx(0.691, abs=5e-4)
    return float(weighted[1] / weighted.sum())


def forward_probability() -> float:
    paths = path_probabilities(*HOT_COLD, observations=[0, 1])
    assert max(paths.values()) == pytest.approx(0.1008)  # the best single path the explanation contrasts
    return sum(paths.values())


def viterbi_probability() -> float:
    paths = path_probabilities(*WEATHER, observations=[0, 0, 1])
    best = max(paths, key=paths.__getitem__)
    assert best == (0, 0, 1)  # Rainy, Rainy, Sunny
    assert round(sum(paths.values()), 4) == 0.1218  # the forward total the explanation quotes
    return paths[best]


def mh_acceptance() -> float:
    target_current, target_proposed = 0.08, 0.05
    q_forward, q_reverse = 0.5, 0.3  # q(x′ | x), q(x | x′)
    assert target_proposed / target_current == pytest.approx(0.625)  # without the Hastings correction
    assert target_proposed * q_forward / (target_current * q_reverse) > 1  # with the q's swapped
    return min(1.0, target_proposed * q_reverse / (target_current * q_forward))


def ar1_effective_sample_size() -> float:
    n, rho = 10_000, 0.9
    autocorrelations = rho ** np.arange(1, 2_000)
    return float(n / (1 + 2 * autocorrelations.sum()))


def normal_normal_posterior_mean() -> float:
    """Prior × likelihood on a grid of μ, normalised numerically: no conjugate formula involved."""
    mu = np.linspace(20, 90, 200_001)
    prior = stats.norm.pdf(mu, 50, 4)
    likelihood = stats.norm.pdf(60, mu, 20 / math.sqrt(16))  # x̄ is sufficient: x̄ ~ N(μ, σ²/n)
    posterior = prior * likelihood
    return float((mu * posterior).sum() / posterior.sum())


def gamma_poisson_posterior_mean() -> float:
    counts = np.array([6, 3, 5, 4])
    lam = np.linspace(1e-6, 20, 200_001)
    log_prior = stats.gamma.logpdf(lam, a=4, scale=1 / 2)  # shape 4, rate 2
    log_posterior = log_prior + stats.poisson.logpmf(counts[:, None], lam).sum(axis=0)
    weights = np.exp(log_posterior - log_posterior.max())
    return float((lam * weights).sum() / weights.sum())


def iforest_normaliser() -> float:
    n = 256
    c_approx = 2 * (math.log(n - 1) + 0.5772) - 2 * (n - 1) / n
    exact_harmonic = sum(1 / i for i in range(1, n))
    c_exact = 2 * exact_harmonic - 2 * (n - 1) / n
    assert round(c_exact, 2) == 10.25  # the exact-harmonic value the explanation mentions
    assert round(2 ** (-5 / c_approx), 2) == 0.71
    return c_approx


def robust_z() -> float:
    x = np.array([20, 22, 23, 25, 26, 28, 80], dtype=float)
    scale = stats.median_abs_deviation(x, scale="normal")  # MAD / Φ⁻¹(0.75) = 1.4826 · MAD
    assert scale == pytest.approx(1.4826 * 3, rel=1e-4)
    classical = (80 - x.mean()) / x.std(ddof=1)
    assert round(float(classical), 2) == 2.25
    return float((80 - np.median(x)) / scale)


def kaplan_meier_at(t: float, times: list[float], events: list[bool]) -> float:
    """The product-limit estimate, computed from the rows: at each event time multiply by 1 − d/n at risk."""
    times_arr, events_arr = np.array(times), np.array(events)
    survival = 1.0
    for event_time in sorted(set(times_arr[events_arr])):
        if event_time > t:
            break
        at_risk = np.sum(times_arr >= event_time)
        deaths = np.sum((times_arr == event_time) & events_arr)
        survival *= 1 - deaths / at_risk
    return float(survival)


def kaplan_meier_value() -> float:
    times = [2, 3, 4, 4, 5, 6, 7, 9]
    events = [True, False, True, True, False, True, False, True]
    kept = [time for time, event in zip(times, events, strict=True) if event]
    assert kaplan_meier_at(6, kept, [True] * len(kept)) == pytest.approx(0.2)  # censored rows dropped
    assert kaplan_meier_at(6, times, [True] * len(times)) == pytest.approx(0.25)  # censoring counted as churn
    return kaplan_meier_at(6, times, events)


RECOMPUTE = {
    "em-responsibility-numeric": em_responsibility,
    "hmm-forward-numeric": forward_probability,
    "hmm-viterbi-numeric": viterbi_probability,
    "mh-acceptance-numeric": mh_acceptance,
    "mcmc-ess-numeric": ar1_effective_sample_size,
    "normal-normal-posterior-numeric": normal_normal_posterior_mean,
    "gamma-poisson-numeric": gamma_poisson_posterior_mean,
    "iforest-path-normaliser-numeric": iforest_normaliser,
    "robust-zscore-numeric": robust_z,
    "kaplan-meier-numeric": kaplan_meier_value,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_explanations_quote_the_recomputed_figures() -> None:
    """Figures an explanation states beside the key, checked where they are written."""
    assert "0.1218" in explanation("hmm-viterbi-numeric")
    assert "0.1008" in explanation("hmm-forward-numeric")
    assert "50.38" in explanation("normal-normal-posterior-numeric")
    prior_precision, data_precision = 1 / 4**2, 1 / 20**2  # the slip: σ² instead of σ²/n
    assert (prior_precision * 50 + data_precision * 60) / (prior_precision + data_precision) == pytest.approx(
        50.38, abs=0.005
    )
    assert "4.89" in explanation("gamma-poisson-numeric")
    misread_rate = 0.5 + 4  # the prior's rate 2 read as a scale, i.e. a rate of 1/2
    assert round(22 / misread_rate, 2) == 4.89


def test_contamination_only_moves_the_threshold() -> None:
    """The key of iforest-contamination-choice: same trees and scores, a different offset and labels."""
    card = DECK.card("iforest-contamination-choice")
    assert isinstance(card, ChoiceCard) and card.answer.startswith("Only the threshold")
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(size=(500, 2)), rng.uniform(-6, 6, size=(20, 2))])
    low = IsolationForest(contamination=0.01, random_state=0).fit(x)
    high = IsolationForest(contamination=0.05, random_state=0).fit(x)
    assert np.allclose(low.score_samples(x), high.score_samples(x))
    assert low.offset_ != high.offset_
    assert (low.predict(x) == -1).sum() < (high.predict(x) == -1).sum()


def test_one_class_svm_nu_bounds() -> None:
    """ν bounds the training share outside the boundary from above and the support-vector share from below."""
    x = np.random.default_rng(1).normal(size=(1_000, 2))
    nu = 0.05
    model = OneClassSVM(nu=nu, gamma=0.5).fit(x)
    outside = float(np.mean(model.predict(x) == -1))
    support = len(model.support_) / len(x)
    assert outside <= nu + 0.01 and support >= nu - 0.01
    assert outside == pytest.approx(nu, abs=0.02)


def test_gp_variance_ignores_targets_and_tiny_length_scale_reverts_to_prior() -> None:
    """The posterior-variance card and the length-scale choice: same inputs, different y, same std; with a tiny
    length-scale the mean between training points falls back to the prior mean 0 and the std to the prior's 1."""
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    gaps = np.array([[0.5], [1.5], [2.5]])
    kernel = RBF(length_scale=0.05)
    fits = [
        GaussianProcessRegressor(kernel=kernel, alpha=1e-6, optimizer=None).fit(x, y)
        for y in (np.array([1.0, -2.0, 3.0, 0.5]), np.array([5.0, 4.0, -1.0, 2.0]))
    ]
    (mean_a, std_a), (_, std_b) = (fit.predict(gaps, return_std=True) for fit in fits)
    assert np.allclose(std_a, std_b)
    assert np.allclose(mean_a, 0.0, atol=1e-6) and np.allclose(std_a, 1.0, atol=1e-6)
    at_data = fits[0].predict(x)
    assert np.allclose(at_data, [1.0, -2.0, 3.0, 0.5], atol=1e-3)


def test_only_the_key_pair_is_incomparable() -> None:
    """Harrell's rule: a pair counts when the shorter time is an observed event. Of the four pairs offered, only the
    key fails it (B, censored first, is also incomparable with C and D, which the card does not offer)."""
    customers = {"A": (5, True), "B": (3, False), "C": (8, True), "D": (10, False)}

    def comparable(first: str, second: str) -> bool:
        (t1, e1), (t2, e2) = customers[first], customers[second]
        return t1 != t2 and (e1 if t1 < t2 else e2)

    card = DECK.card("c-index-comparable-pairs")
    assert isinstance(card, ChoiceCard)
    offered = [tuple(option.split(" and ")) for option in card.options]
    assert [f"{a} and {b}" for a, b in offered if not comparable(a, b)] == [card.answer]
    assert not comparable("B", "C") and not comparable("B", "D")
