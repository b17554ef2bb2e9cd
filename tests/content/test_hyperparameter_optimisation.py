"""The hyperparameter-optimisation deck: every numeric answer recomputed from the numbers in its front (the halving
schedules by simulating them, the winner's curse by integration and by simulation, scikit-learn's halving search by
running it), and the claims of the conditional-grid and halving explanations checked against scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.datasets import make_classification
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (registers the halving searches)
from sklearn.model_selection import HalvingGridSearchCV, ParameterGrid
from sklearn.tree import DecisionTreeClassifier

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["hpo"]


def log_uniform_share() -> float:
    low, high, a, b = 1e-6, 1e-1, 1e-4, 3e-3
    share = math.log10(b / a) / math.log10(high / low)
    # Sampling the exponent agrees, and the uniform slip of the explanation is about 2.9%.
    draws = 10 ** np.random.default_rng(0).uniform(math.log10(low), math.log10(high), 400_000)
    assert float(np.mean((draws >= a) & (draws <= b))) == pytest.approx(share, abs=0.003)
    assert (b - a) / (high - low) == pytest.approx(0.029, abs=0.0005)
    return 100 * share


def random_trials_for_two_important() -> float:
    good = 0.2 * 0.2  # the 6 irrelevant hyperparameters do not enter
    trials = next(n for n in range(1, 1000) if 1 - (1 - good) ** n >= 0.95)
    # Simulated: with that many trials a good one turns up about 95% of the time, and with one fewer less often.
    rng = np.random.default_rng(2)
    draws = rng.uniform(size=(20_000, trials, 8))
    hit = ((draws[:, :, 0] < 0.2) & (draws[:, :, 1] < 0.2)).any(axis=1)
    assert float(hit.mean()) == pytest.approx(0.951, abs=0.01)
    assert 1 - (1 - good) ** (trials - 1) < 0.95
    assert next(n for n in range(1, 1000) if 1 - 0.8**n >= 0.95) == 14  # the 0.2-alone slip
    return float(trials)


def conditional_grid_size() -> float:
    c_values, gammas, degrees = [0.01, 0.1, 1, 10, 100], [1e-3, 1e-2, 1e-1, 1], [2, 3, 4]
    grid = [
        {"kernel": ["linear"], "C": c_values},
        {"kernel": ["rbf"], "C": c_values, "gamma": gammas},
        {"kernel": ["poly"], "C": c_values, "degree": degrees},
    ]
    flat = {"kernel": ["linear", "rbf", "poly"], "C": c_values, "gamma": gammas, "degree": degrees}
    assert len(ParameterGrid(flat)) == 180  # the flat-dict slip of the explanation
    # Of those 180, only 85 differ as SVC models: linear ignores gamma and degree, rbf ignores degree.
    ignored = {"linear": {"gamma", "degree"}, "rbf": {"degree"}, "poly": set()}
    distinct = {
        tuple(sorted((k, v) for k, v in params.items() if k not in ignored[params["kernel"]]))
        for params in ParameterGrid(flat)
    }
    assert len(distinct) == 85
    return float(len(ParameterGrid(grid)))


def expected_improvement() -> float:
    best, mu, sigma = 0.80, 0.78, 0.04
    z = (mu - best) / sigma
    closed = (mu - best) * stats.norm.cdf(z) + sigma * stats.norm.pdf(z)
    # The closed form against the expectation integrated over the posterior.
    numeric, _ = integrate.quad(lambda f: (f - best) * stats.norm.pdf(f, mu, sigma), best, mu + 12 * sigma)
    assert closed == pytest.approx(numeric, rel=1e-6)
    assert stats.norm.cdf(z) == pytest.approx(0.3085, abs=1e-4)  # the 31% chance quoted
    return float(closed)


def ucb_switch_kappa() -> float:
    (mu_a, sigma_a), (mu_b, sigma_b) = (0.82, 0.01), (0.78, 0.05)
    kappa = (mu_a - mu_b) / (sigma_b - sigma_a)
    # Just below and above the threshold the preference flips, and at κ = 2 the scores are 0.84 and 0.88.
    assert mu_a + (kappa - 0.01) * sigma_a > mu_b + (kappa - 0.01) * sigma_b
    assert mu_b + (kappa + 0.01) * sigma_b > mu_a + (kappa + 0.01) * sigma_a
    assert (mu_a + 2 * sigma_a, mu_b + 2 * sigma_b) == pytest.approx((0.84, 0.88))
    return kappa


def successive_halving_epochs() -> float:
    """Simulate the rungs: keep the best third, resume survivors from their checkpoints."""
    configs, eta, epochs, done = 81, 3, 1, 0
    trained = from_scratch = 0
    while configs >= 1:
        trained += configs * (epochs - done)  # survivors only train the epochs they have not had yet
        from_scratch += configs * epochs
        configs, done, epochs = configs // eta, epochs, epochs * eta
    assert from_scratch == 405
    return float(trained)


def hyperband_total_configs() -> float:
    max_budget, eta = 81, 3
    s_max = round(math.log(max_budget, eta))
    brackets = [math.ceil((s_max + 1) / (s + 1) * eta**s) for s in range(s_max, -1, -1)]
    assert brackets == [81, 34, 15, 8, 5]
    assert sum((s_max + 1) / (s + 1) * eta**s for s in range(s_max + 1)) == pytest.approx(142.25)
    return float(sum(brackets))


def expected_max_noise() -> float:
    n, sigma = 20, 1.0
    density = lambda x: x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1)  # noqa: E731
    expected, _ = integrate.quad(density, -np.inf, np.inf)
    draws = np.random.default_rng(1).normal(0.0, 1.0, (200_000, n)).max(axis=1)
    assert float(draws.mean()) == pytest.approx(expected, abs=0.01)
    return sigma * expected


class _FitSizeRecorder(DecisionTreeClassifier):
    """A tree that records how many rows each fit sees, to check what the halving card says about CV fits."""

    fit_sizes: list[int] = []

    def fit(self, X, y, sample_weight=None, check_input=True):  # noqa: N803 (scikit-learn's signature)
        type(self).fit_sizes.append(len(X))
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def halving_last_iteration_samples() -> float:
    x, y = make_classification(n_samples=1000, random_state=0)
    _FitSizeRecorder.fit_sizes = []
    search = HalvingGridSearchCV(
        _FitSizeRecorder(random_state=0),
        {"max_depth": list(range(1, 31))},
        factor=3,
        min_resources=20,
        random_state=0,
    ).fit(x, y)
    assert search.n_candidates_ == [30, 10, 4, 2]
    assert search.n_resources_ == [20, 60, 180, 540]
    # The explanation: the 540 are cross-validated, so each of the last 2 × 5 fits trains on 4/5 of them.
    assert _FitSizeRecorder.fit_sizes[-11:-1] == [432] * 10
    assert _FitSizeRecorder.fit_sizes[-1] == 1000  # the refit of the winner on all rows
    return float(search.n_resources_[-1])


RECOMPUTE = {
    "log-uniform-subrange-mass": log_uniform_share,
    "random-trials-two-important": random_trials_for_two_important,
    "conditional-grid-count": conditional_grid_size,
    "expected-improvement-value": expected_improvement,
    "ucb-kappa-switch": ucb_switch_kappa,
    "successive-halving-epochs": successive_halving_epochs,
    "hyperband-total-configs": hyperband_total_configs,
    "winners-curse-noise": expected_max_noise,
    "halving-final-resources": halving_last_iteration_samples,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_exhaust_reaches_close_to_all_samples() -> None:
    """The halving explanation says min_resources='exhaust' would make the last iteration use close to all
    1,000 rows: scikit-learn picks the start so that it does."""
    x, y = make_classification(n_samples=1000, random_state=0)
    search = HalvingGridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": list(range(1, 31))},
        factor=3,
        min_resources="exhaust",
        random_state=0,
    ).fit(x, y)
    assert 900 <= search.n_resources_[-1] <= 1000 and search.n_resources_[-1] > 540


def test_optuna_pruners_are_the_keys() -> None:
    """The multi-answer Optuna card: exactly the three *Pruner classes are keys, none of the samplers."""
    card = DECK.card("optuna-pruners")
    assert isinstance(card, ChoiceCard)
    assert set(card.answers) == {option for option in card.options if option.endswith("Pruner")}
    assert all(option.endswith("Sampler") for option in card.options if option not in card.answers)


def test_grid_over_budget_in_initial_design_card() -> None:
    """The initial-design explanation says a 3-value grid over the front's 5 hyperparameters (243) overruns 60."""
    card = DECK.card("random-first-then-model")
    assert isinstance(card, ChoiceCard) and card.explanation is not None
    assert "5 hyperparameters" in card.front and "60 trials" in card.front
    assert len(ParameterGrid({f"h{i}": [0, 1, 2] for i in range(5)})) == 243 > 60
    assert "243" in card.explanation
