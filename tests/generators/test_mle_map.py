"""mle-map: estimates vs scipy.stats.beta and a grid search on the log posterior; grading; shortcuts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from generators import ChoiceAnswer, Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("mle-map")
ASKS = ("map", "posterior_mean", "all", "closest")


def grid_argmax(log_density: Callable[[np.ndarray], np.ndarray]) -> float:
    """Maximise on a coarse grid over (0, 1), then on a fine grid around the best coarse point (step 1e-6)."""
    coarse = np.linspace(1e-6, 1 - 1e-6, 2001)
    best = coarse[int(np.argmax(log_density(coarse)))]
    fine = np.linspace(max(best - 1e-3, 1e-9), min(best + 1e-3, 1 - 1e-9), 2001)
    return float(fine[int(np.argmax(log_density(fine)))])


def reference(k: int, n: int, a: int, b: int) -> dict[str, float]:
    """The estimates by numeric optimisation and scipy, without the closed forms."""
    from scipy.stats import beta, binom

    return {
        "mle": grid_argmax(lambda p: binom.logpmf(k, n, p)),
        "map": grid_argmax(lambda p: binom.logpmf(k, n, p) + beta.logpdf(p, a, b)),
        "posterior_mean": float(beta.mean(k + a, n - k + b)),
        "prior_mean": float(beta.mean(a, b)),
        "prior_mode": grid_argmax(lambda p: beta.logpdf(p, a, b)),
    }


def test_estimates_match_scipy_and_grid_search() -> None:
    asks = set()
    for seed in range(200):
        problem = GEN.generate(seed)
        d = problem.data
        ask = d["ask"]
        asks.add(ask)
        ref = reference(d["k"], d["n"], d["a"], d["b"])
        for key in ("mle", "map", "prior_mode"):
            assert d[key] == pytest.approx(ref[key], abs=1e-5), (seed, key)
        for key in ("posterior_mean", "prior_mean"):
            assert d[key] == pytest.approx(ref[key], abs=1e-12), (seed, key)
        if ask == "closest":
            nearer = (
                "map"
                if abs(ref["map"] - ref["prior_mean"]) < abs(ref["posterior_mean"] - ref["prior_mean"])
                else "posterior_mean"
            )
            assert problem.expected == nearer
        else:
            wanted = {
                "map": ref["map"],
                "posterior_mean": ref["posterior_mean"],
                "all": [ref["mle"], ref["map"], ref["posterior_mean"]],
            }[ask]
            assert problem.expected == pytest.approx(wanted, abs=1e-5)
    assert asks == set(ASKS)


def test_posterior_mean_is_between_mle_and_prior_mean() -> None:
    """The shrinkage identity the solution teaches, checked over many instances."""
    for seed in range(300):
        d = GEN.generate(seed).data
        low, high = sorted([d["mle"], d["prior_mean"]])
        assert low < d["posterior_mean"] < high
        w = (d["a"] + d["b"]) / (d["a"] + d["b"] + d["n"])
        assert d["posterior_mean"] == pytest.approx(w * d["prior_mean"] + (1 - w) * d["mle"], abs=1e-12)


def test_estimates_far_enough_apart_and_realistic() -> None:
    for seed in range(300):
        d = GEN.generate(seed).data
        values = sorted([d["mle"], d["map"], d["posterior_mean"], d["prior_mean"]])
        assert min(np.diff(values)) >= 0.005
        assert d["a"] >= 2 and d["b"] >= 2 and 0 <= d["k"] <= d["n"]


def mistakes(problem: Problem) -> list[str]:
    d = problem.data
    if d["ask"] == "map":
        slips = [d["posterior_mean"], d["mle"], (d["k"] + d["a"]) / (d["n"] + d["a"] + d["b"] - 2)]
        return [f"{v:.3f}" for v in slips if abs(v - d["map"]) > 0.002]
    if d["ask"] == "posterior_mean":
        return [f"{v:.3f}" for v in (d["map"], d["mle"], d["prior_mean"])]
    mle, map_, mean = d["mle"], d["map"], d["posterior_mean"]
    return [
        f"{mle:.3f}; {mean:.3f}; {map_:.3f}",
        f"{map_:.3f}; {mle:.3f}; {mean:.3f}",
        f"{mle:.3f}; {map_:.3f}; {mle:.3f}",
    ]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        if ask == "closest":
            answer = problem.parts[0].answer
            assert isinstance(answer, ChoiceAnswer)
            names = [o.name for o in answer.options]
            wrong_name = next(name for name in names if name != answer.correct)
            right = [answer.correct, str(names.index(answer.correct) + 1)]
            wrong = [wrong_name, str(names.index(wrong_name) + 1)]
            assert set(answer.feedback) == {wrong_name}
            assert f"{problem.data['prior_mean']:.3f}".rstrip("0") in answer.feedback[wrong_name]
        else:
            values = problem.expected if isinstance(problem.expected, list) else [problem.expected]
            right = ["; ".join(repr(v) for v in values), "; ".join(f"{v:.3f}" for v in values)]
            wrong = mistakes(problem)
        assert_grades(problem, right, wrong, seed)


def test_closest_has_no_shortcut() -> None:
    reports = assert_no_shortcut(GEN, {"ask": "closest"}, range(300))
    assert reports[0].majority < 0.6


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        d = problem.data
        if d["ask"] == "closest":
            winner = "the MAP estimate" if problem.expected == "map" else "the posterior mean"
            assert f"**{winner}**" in problem.solution
        else:
            values = problem.expected if isinstance(problem.expected, list) else [problem.expected]
            for value in values:
                assert f"**{value:.4f}".rstrip("0").rstrip(".") in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "mode"}, {"prior": [1, 1]}])
    assert GEN.Params.model_validate({"ask": "posterior-mean"}).ask == "posterior_mean"


def test_import_is_light() -> None:
    assert_import_is_light("generators.mle_map")
