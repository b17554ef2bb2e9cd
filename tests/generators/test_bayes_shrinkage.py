"""bayes-shrinkage: every answer recomputed another way (a scipy grid posterior, the variance form of the
shrinkage, exact fractions from the printed table, numerical integration of the Beta densities), the mistakes
graded wrong, the choice parts free of shortcuts, determinism and params."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.integrate import cumulative_trapezoid

from generators import ChoiceAnswer, Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_generation_is_light,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("bayes-shrinkage")
ASKS = ("normal-normal", "partial-pooling", "bayes-average", "beta-ab", "expected-loss")
SEEDS = range(80)

pytestmark = pytest.mark.xdist_group("bayes-shrinkage")


def problem_for(ask: str, seed: int) -> Problem:
    return generated(GEN, seed, {"ask": ask})


def choice(problem: Problem, index: int) -> ChoiceAnswer:
    answer = problem.parts[index].answer
    assert isinstance(answer, ChoiceAnswer)
    return answer


def key_label(problem: Problem, index: int) -> str:
    """The name the learner reads and types for the key (options are named by table row)."""
    answer = choice(problem, index)
    return next(option.text for option in answer.options if option.name == answer.correct)


# ── normal-normal ─────────────────────────────────────────────────────────────────────────────────


def grid_posterior(mu0: float, tau0: float, sigma: float, n: int, xbar: float) -> tuple[float, float]:
    """Mean and sd of prior × likelihood on a fine grid, with scipy's normal densities (no conjugacy used)."""
    grid = np.linspace(mu0 - 12 * tau0, mu0 + 12 * tau0, 20_001)
    log_post = stats.norm.logpdf(grid, mu0, tau0) + stats.norm.logpdf(xbar, grid, sigma / math.sqrt(n))
    weights = np.exp(log_post - log_post.max())
    weights /= weights.sum()
    mean = float(np.sum(weights * grid))
    return mean, float(math.sqrt(np.sum(weights * (grid - mean) ** 2)))


def test_normal_normal_matches_a_grid_posterior_and_the_variance_form() -> None:
    for seed in SEEDS:
        problem = problem_for("normal-normal", seed)
        d = problem.data
        mu0, tau0, sigma, n, xbar = d["mu0"], d["tau0"], d["sigma"], d["n"], d["xbar"]
        for printed in (f"μ₀ = {mu0} ", f"τ₀ = {tau0} ", f"σ = {sigma} ", f"n = {n}**", f"x̄ = {xbar:g} "):
            assert printed in problem.prompt, (seed, printed)
        mean, sd = problem.expected
        grid_mean, grid_sd = grid_posterior(mu0, tau0, sigma, n, xbar)
        assert mean == pytest.approx(grid_mean, abs=1e-4) and sd == pytest.approx(grid_sd, abs=1e-4), seed
        # The same posterior through variances: the prior mean moved by the data's share of the variance.
        noise = sigma**2 / n
        assert mean == pytest.approx(mu0 + tau0**2 / (tau0**2 + noise) * (xbar - mu0), abs=1e-9)
        assert sd == pytest.approx(math.sqrt(tau0**2 * noise / (tau0**2 + noise)), abs=1e-9)
        assert min(mu0, xbar) < mean < max(mu0, xbar)
        assert sd < min(tau0, sigma / math.sqrt(n))


def normal_mistakes(problem: Problem) -> list[str]:
    d = problem.data
    mean, sd = problem.expected
    mu0, tau0, sigma, n, xbar = d["mu0"], d["tau0"], d["sigma"], d["n"], d["xbar"]
    precision_one = 1 / tau0**2 + 1 / sigma**2  # the data counted as one observation
    slips_mean = [
        (mu0 + n * xbar) / (n + 1),
        (mu0 / tau0**2 + xbar / sigma**2) / precision_one,
        (mu0 + xbar) / 2,
        xbar,
    ]
    slips_sd = [sigma / math.sqrt(n), 1 / math.sqrt(precision_one)]
    return (
        [f"{m:.2f}; {sd:.2f}" for m in slips_mean]
        + [f"{mean:.2f}; {s:.2f}" for s in slips_sd]
        + [f"{sd:.2f}; {mean:.2f}"]
    )


# ── partial pooling ───────────────────────────────────────────────────────────────────────────────


def printed_groups(problem: Problem) -> tuple[list[str], list[int], list[Fraction]]:
    assert problem.table is not None
    names = [row[0] for row in problem.table.rows]
    sizes = [int(row[1]) for row in problem.table.rows]
    means = [Fraction(row[2]) for row in problem.table.rows]
    return names, sizes, means


def test_partial_pooling_matches_the_precision_form() -> None:
    cases = set()
    for seed in SEEDS:
        problem = problem_for("partial-pooling", seed)
        d = problem.data
        names, sizes, means = printed_groups(problem)
        mu, tau, sigma = d["mu"], d["tau"], d["sigma"]
        for printed in (f"μ = {mu} ", f"τ = {tau} ", f"σ = {sigma} "):
            assert printed in problem.prompt, (seed, printed)
        # Posterior mean of each group's true mean: prior N(μ, τ²) and the group mean's likelihood, by
        # precisions, in exact arithmetic.
        estimates = [
            (Fraction(mu, tau**2) + n * y / sigma**2) / (Fraction(1, tau**2) + Fraction(n, sigma**2))
            for n, y in zip(sizes, means, strict=True)
        ]
        asked = names.index(problem.parts[0].prompt.removeprefix("estimate for ").removesuffix("?"))
        estimate, _ = problem.expected
        top = key_label(problem, 1)
        assert estimate == pytest.approx(float(estimates[asked]), abs=1e-9), seed
        moves = [abs(e - y) for e, y in zip(estimates, means, strict=True)]
        assert top == names[moves.index(max(moves))], seed
        assert sorted(moves)[-1] - sorted(moves)[-2] >= Fraction(1, 20)
        assert f"**{names[asked]}**" in problem.prompt
        cases.add((top == names[sizes.index(min(sizes))], top == d["furthest"]))
    # The key is sometimes the smallest group, sometimes the furthest, sometimes neither.
    assert cases == {(True, False), (False, True), (False, False)}


def pooling_mistakes(problem: Problem) -> list[str]:
    d = problem.data
    estimate, _ = problem.expected
    top = key_label(problem, 1)
    names, sizes, means = printed_groups(problem)
    asked = d["asked"]
    b = (d["sigma"] ** 2 / sizes[asked]) / (d["sigma"] ** 2 / sizes[asked] + d["tau"] ** 2)
    y = float(means[asked])
    slips = [(1 - b) * d["mu"] + b * y, y, d["mu"]]
    wrong = [f"{v:.2f}; {top}" for v in slips]
    other = next(name for name in (d["smallest"], d["furthest"], *names) if name != top)
    return [*wrong, f"{estimate:.2f}; {other}"]


# ── Bayesian average ──────────────────────────────────────────────────────────────────────────────


def test_bayes_average_matches_phantom_ratings_in_exact_arithmetic() -> None:
    agree = most = 0
    for seed in SEEDS:
        problem = problem_for("bayes-average", seed)
        assert problem.table is not None
        d = problem.data
        c, m = d["c"], Fraction(str(d["m"]))
        assert f"C = {c}**" in problem.prompt and f"m = {d['m']:g}**" in problem.prompt
        rows = [(name, int(n.replace(",", "")), Fraction(x)) for name, n, x in problem.table.rows]
        # C phantom ratings of m appended to each item's own ratings (whose total is n·x̄).
        scores = {name: (c * m + n * x) / (c + n) for name, n, x in rows}
        best = max(scores, key=scores.__getitem__)
        _, score = problem.expected
        top = key_label(problem, 0)
        assert top == best and score == pytest.approx(float(scores[best]), abs=1e-9), seed
        raw_best = max(rows, key=lambda row: row[2])[0]
        most_rated = max(rows, key=lambda row: row[1])[0]
        agree += top == raw_best
        most += top == most_rated
        if top == raw_best:
            assert top != most_rated, seed
    # The raw leader wins in some instances, not most; the most-rated item is not a reliable guess.
    assert 0.25 * len(SEEDS) <= agree <= 0.55 * len(SEEDS)
    assert most <= 0.4 * len(SEEDS)


def rating_mistakes(problem: Problem) -> list[str]:
    d = problem.data
    _, score = problem.expected
    top = key_label(problem, 0)
    j = d["names"].index(top)
    c, m, n, x = d["c"], d["m"], d["sizes"][j], d["raw"][j]
    wrong = [f"{top}; {v:.2f}" for v in (x, (n * m + c * x) / (c + n), (m + x) / 2)]
    for name in {d["raw_top"], d["most_rated"]} - {top}:
        wrong.append(f"{name}; {score:.2f}")
    return wrong


# ── Beta A/B ──────────────────────────────────────────────────────────────────────────────────────


def integrated_probability(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """P(p_B > p_A) = ∫ f_B(x)·F_A(x) dx with scipy's Beta densities, over where the mass is."""
    a, b = stats.beta(alpha_a, beta_a), stats.beta(alpha_b, beta_b)
    lo = max(0.0, min(a.ppf(1e-12), b.ppf(1e-12)))
    hi = min(1.0, max(a.isf(1e-12), b.isf(1e-12)))
    value, _ = integrate.quad(lambda x: b.pdf(x) * a.cdf(x), lo, hi, points=[a.mean(), b.mean()], limit=200)
    return float(value)


def posterior_params(d: dict) -> tuple[int, int, int, int]:
    a, b = d["prior"]
    return a + d["k_a"], b + d["n_a"] - d["k_a"], a + d["k_b"], b + d["n_b"] - d["k_b"]


def test_beta_ab_matches_numerical_integration() -> None:
    flat = 0
    for seed in range(30):  # quad is the slow reference: 30 seeds cover both kinds of prior
        problem = problem_for("beta-ab", seed)
        d = problem.data
        assert problem.table is not None
        (_, n_a, k_a), (_, n_b, k_b) = problem.table.rows
        assert (int(n_a.replace(",", "")), int(k_a.replace(",", ""))) == (d["n_a"], d["k_a"])
        assert (int(n_b.replace(",", "")), int(k_b.replace(",", ""))) == (d["n_b"], d["k_b"])
        a, b = d["prior"]
        assert f"Beta({a}, {b})" in problem.prompt
        flat += (a, b) == (1, 1)
        params = posterior_params(d)
        assert problem.expected == pytest.approx(integrated_probability(*params), abs=1e-7), seed
        assert params[2] <= 400  # the closed-form sum stays short
    assert 10 <= flat <= 28


def test_beta_ab_agrees_with_a_seeded_monte_carlo() -> None:
    draws = np.random.default_rng(2015)
    for seed in range(6):
        problem = problem_for("beta-ab", seed)
        alpha_a, beta_a, alpha_b, beta_b = posterior_params(problem.data)
        wins = np.mean(draws.beta(alpha_b, beta_b, 300_000) > draws.beta(alpha_a, beta_a, 300_000))
        assert problem.expected == pytest.approx(float(wins), abs=0.005), seed  # > 5 standard errors


def ab_mistakes(problem: Problem) -> list[str]:
    d = problem.data
    pooled = (d["k_a"] + d["k_b"]) / (d["n_a"] + d["n_b"])
    z = (d["k_b"] / d["n_b"] - d["k_a"] / d["n_a"]) / math.sqrt(
        pooled * (1 - pooled) * (1 / d["n_a"] + 1 / d["n_b"])
    )
    alpha_a, beta_a, alpha_b, beta_b = posterior_params(d)
    means_only = 1.0 if alpha_b / (alpha_b + beta_b) > alpha_a / (alpha_a + beta_a) else 0.0
    # The p-value itself and 1 − p, which a flat prior and large samples bring close to the answer.
    wrong = [f"{stats.norm.sf(z):.3f}", f"{stats.norm.cdf(z):.3f}", f"{means_only:.3f}"]
    if d["prior"] != [1, 1]:
        flat = integrated_probability(
            1 + d["k_a"], 1 + d["n_a"] - d["k_a"], 1 + d["k_b"], 1 + d["n_b"] - d["k_b"]
        )
        wrong.append(f"{flat:.3f}")
    return wrong


def grid_expected_loss(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """E[max(p_A − p_B, 0)] = ∫ f_A(x) ∫₀ˣ (x − y) f_B(y) dy dx on a fine grid, with scipy's Beta densities:
    the inner integral is x·F_B(x) − ∫₀ˣ y f_B(y) dy, both cumulative trapezoids (no Beta identities)."""
    a, b = stats.beta(alpha_a, beta_a), stats.beta(alpha_b, beta_b)
    lo = max(0.0, min(a.ppf(1e-13), b.ppf(1e-13)))
    hi = min(1.0, max(a.isf(1e-13), b.isf(1e-13)))
    x = np.linspace(lo, hi, 20_001)
    f_b = b.pdf(x)
    inner = x * cumulative_trapezoid(f_b, x, initial=0) - cumulative_trapezoid(x * f_b, x, initial=0)
    return float(np.trapezoid(a.pdf(x) * inner, x))


def test_expected_loss_matches_a_grid_integral() -> None:
    for seed in range(40):
        problem = problem_for("expected-loss", seed)
        d = problem.data
        assert problem.table is not None
        assert [row[1:] for row in problem.table.rows] == [
            (f"{d['n_a']:,}", f"{d['k_a']:,}"),
            (f"{d['n_b']:,}", f"{d['k_b']:,}"),
        ]
        params = posterior_params(d)
        assert problem.expected == pytest.approx(100 * grid_expected_loss(*params), abs=1e-5), seed
        assert problem.expected >= 0.02


def test_expected_loss_agrees_with_a_seeded_monte_carlo() -> None:
    draws = np.random.default_rng(2012)
    for seed in range(6):
        problem = problem_for("expected-loss", seed)
        alpha_a, beta_a, alpha_b, beta_b = posterior_params(problem.data)
        diff = draws.beta(alpha_a, beta_a, 300_000) - draws.beta(alpha_b, beta_b, 300_000)
        losses = 100 * np.maximum(diff, 0)
        error = 5 * losses.std() / math.sqrt(losses.size)
        assert problem.expected == pytest.approx(float(losses.mean()), abs=error), seed


def loss_mistakes(problem: Problem) -> list[str]:
    d = problem.data
    alpha_a, beta_a, alpha_b, beta_b = posterior_params(d)
    mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
    # E[max(p_A − p_B, 0)] − E[max(p_B − p_A, 0)] = E[p_A − p_B] (checked on a grid in the next test).
    other_way = problem.expected - 100 * (mean_a - mean_b)
    wrong = [f"{other_way:.3f}", f"{100 * max(mean_a - mean_b, 0):.3f}"]
    if d["prior"] != [1, 1]:
        flat = grid_expected_loss(
            1 + d["k_a"], 1 + d["n_a"] - d["k_a"], 1 + d["k_b"], 1 + d["n_b"] - d["k_b"]
        )
        wrong.append(f"{100 * flat:.3f}")
    return wrong


def test_the_other_direction_differs_by_the_mean_gap() -> None:
    for seed in range(10):
        problem = problem_for("expected-loss", seed)
        alpha_a, beta_a, alpha_b, beta_b = posterior_params(problem.data)
        gap = alpha_a / (alpha_a + beta_a) - alpha_b / (alpha_b + beta_b)
        other_way = 100 * grid_expected_loss(alpha_b, beta_b, alpha_a, beta_a)  # E[max(p_B − p_A, 0)]
        assert other_way == pytest.approx(problem.expected - 100 * gap, abs=1e-5)
        assert other_way == pytest.approx(problem.data["mistakes"]["wrong_direction"], abs=1e-6)


# ── shared ────────────────────────────────────────────────────────────────────────────────────────

MISTAKES = {
    "normal-normal": normal_mistakes,
    "partial-pooling": pooling_mistakes,
    "bayes-average": rating_mistakes,
    "beta-ab": ab_mistakes,
    "expected-loss": loss_mistakes,
}


def right_answers(problem: Problem) -> list[str]:
    """The exact answer and the answer at the stated precision, a choice typed as the item's name."""
    decimals = 3 if problem.data["ask"] in ("beta-ab", "expected-loss") else 2
    exact, rounded = [], []
    for index, part in enumerate(problem.parts):
        if isinstance(part.answer, ChoiceAnswer):
            exact.append(key_label(problem, index))
            rounded.append(key_label(problem, index))
        else:
            exact.append(repr(part.answer.value))
            rounded.append(f"{part.answer.value:.{decimals}f}")
    return ["; ".join(exact), "; ".join(rounded)]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(50):
        problem = problem_for(ask, seed)
        wrong = MISTAKES[ask](problem)
        assert_grades(problem, right_answers(problem), wrong, seed)


def test_each_slip_is_ten_tolerances_away() -> None:
    for ask in ASKS:
        for seed in range(60):
            problem = problem_for(ask, seed)
            expected = problem.expected if isinstance(problem.expected, list) else [problem.expected]
            number = next(float(v) for v in expected if not isinstance(v, str))
            slips = problem.data["mistakes"]
            values = [*slips["mean"].values()] if ask == "normal-normal" else [*slips.values()]
            gap = {"beta-ab": 0.01, "expected-loss": 0.01, "bayes-average": 0.03}.get(ask, 0.1)
            assert min(abs(number - v) for v in values) >= gap - 1e-12, (ask, seed)


def test_choice_feedback_explains_the_tempting_options() -> None:
    for seed in range(40):
        problem = problem_for("partial-pooling", seed)
        d = problem.data
        answer = choice(problem, 1)
        row = {option.text: option.name for option in answer.options}
        assert set(answer.feedback) == {row[name] for name in d["names"]} - {answer.correct}
        if d["smallest"] != d["top"]:
            assert "fewest" in answer.feedback[row[d["smallest"]]]
        problem = problem_for("bayes-average", seed)
        d = problem.data
        answer = choice(problem, 0)
        row = {option.text: option.name for option in answer.options}
        if d["raw_top"] != d["top"]:
            assert "best raw mean" in answer.feedback[row[d["raw_top"]]]


@pytest.mark.parametrize(("ask", "part"), [("partial-pooling", 1), ("bayes-average", 0)])
def test_choice_parts_have_no_shortcut(ask: str, part: int) -> None:
    assert_no_shortcut(GEN, {"ask": ask}, range(150), part=part)


def test_solution_shows_the_answer() -> None:
    for ask in ASKS:
        for seed in range(30):
            problem = problem_for(ask, seed)
            for index, part in enumerate(problem.parts):
                if isinstance(part.answer, ChoiceAnswer):
                    bold = f"**{key_label(problem, index)}**"
                else:
                    bold = f"**{part.answer.value:.4f}".rstrip("0").rstrip(".")
                assert bold in problem.solution, (ask, seed, bold)


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "poisson-gamma"}, {"prior": [1, 1]}, {"ask": "beta"}])
    assert GEN.Params.model_validate({"ask": "beta_ab"}).ask == "beta-ab"


def test_import_and_generation_are_light() -> None:
    assert_import_is_light("generators.bayes_shrinkage")
    assert_generation_is_light(GEN.name, [(seed, {"ask": ask}) for ask in ASKS for seed in range(3)])
