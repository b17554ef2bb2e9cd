"""off-policy: each estimator recounted with exact fractions from the shown table; IPS and DR shown unbiased by
simulating a known bandit; the slips graded wrong; determinism, params, light import."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from generators import get
from generators import off_policy as ope
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("off-policy")
ASKS = ("ips", "snips", "dr")


def exact(values: list[float]) -> list[Fraction]:
    """The numbers as the table shows them (short decimals), as exact fractions."""
    return [Fraction(repr(value)) for value in values]


def recount(d: dict) -> Fraction:
    """The estimate, from the textbook definitions, in exact arithmetic, written out row by row."""
    mu, pi, r = exact(d["mu"]), exact(d["pi"]), exact(d["rewards"])
    n = len(r)
    if d["ask"] == "ips":
        total = Fraction(0)
        for i in range(n):
            total += pi[i] * r[i] / mu[i]
        return total / n
    if d["ask"] == "snips":
        numerator = sum((pi[i] * r[i] / mu[i] for i in range(n)), Fraction(0))
        denominator = sum((pi[i] / mu[i] for i in range(n)), Fraction(0))
        return numerator / denominator
    r_hat, v_hat = exact(d["r_hat"]), exact(d["v_hat"])
    direct = sum(v_hat, Fraction(0)) / n
    correction = sum(((r[i] - r_hat[i]) * pi[i] / mu[i] for i in range(n)), Fraction(0)) / n
    return direct + correction


@pytest.mark.parametrize("ask", ASKS)
def test_estimates_are_the_exact_recount_of_the_table(ask: str) -> None:
    for seed in range(150):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        assert problem.parts[0].answer.value == pytest.approx(float(recount(d)), abs=1e-12), seed
        # The shown table carries every number the answer needs: the rows' own values, at most 2 decimals.
        for column in ("mu", "pi", "rewards", "r_hat", "v_hat"):
            assert all(round(value, 2) == value for value in d[column]), (seed, column)
        assert 0.6 <= sum(p / m for p, m in zip(d["pi"], d["mu"], strict=True)) / len(d["mu"]) <= 1.6


def test_ips_and_dr_average_to_the_true_value_and_snips_converges() -> None:
    """On a known contextual bandit, the family's estimators average (IPS, DR) or converge (SNIPS) to the target
    policy's true value, and DR with a decent reward model varies less than IPS."""
    rng = np.random.default_rng(0)
    contexts, actions = 3, 3
    means = rng.uniform(0.1, 0.9, size=(contexts, actions))  # click probability of each (context, action)
    mu = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])
    pi = np.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.0, 0.3, 0.7]])
    truth = float(np.mean(np.sum(pi * means, axis=1)))  # contexts equally likely
    model = np.clip(means + rng.normal(0, 0.05, size=means.shape), 0, 1)  # a decent reward model

    def log_of(n: int) -> ope.Log:
        x = rng.integers(contexts, size=n)
        a = (rng.random(n)[:, None] > np.cumsum(mu[x], axis=1)).sum(axis=1)  # a ~ μ(·|x), drawn by inversion
        r = (rng.random(n) < means[x, a]).astype(float)
        return ope.Log(
            tuple(a.tolist()),
            tuple(mu[x, a].tolist()),
            tuple(pi[x, a].tolist()),
            tuple(r.tolist()),
            tuple(model[x, a].tolist()),
            tuple(np.sum(pi[x] * model[x], axis=1).tolist()),
        )

    logs = [log_of(20) for _ in range(3000)]
    ips = np.array([ope.ips(log) for log in logs])
    dr = np.array([ope.doubly_robust(log) for log in logs])
    for estimates in (ips, dr):
        assert abs(estimates.mean() - truth) < 4 * estimates.std() / np.sqrt(len(estimates))
    assert dr.std() < ips.std()
    assert (
        abs(np.mean([log.rewards for log in logs]) - truth) > 0.05
    )  # the log's own mean is another policy's
    assert ope.snips(log_of(40_000)) == pytest.approx(truth, abs=0.01)


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        value = problem.parts[0].answer.value
        mistakes = problem.data["mistakes"]
        assert mistakes and min(abs(value - slip) for slip in mistakes.values()) >= ope.MISTAKE_GAP
        assert_grades(
            problem, [repr(value), f"{value:.3f}"], [f"{slip:.3f}" for slip in mistakes.values()], seed
        )


def test_solution_works_the_rows_and_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        assert f"**{problem.parts[0].answer.value:.4f}".rstrip("0").rstrip(".") in problem.solution, seed
        assert "π/μ" in problem.solution
        assert len(problem.table.rows) == len(problem.data["rewards"])


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "switch"}, {"n": 8}])


def test_import_is_light() -> None:
    assert_import_is_light("generators.off_policy")
