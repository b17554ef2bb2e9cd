"""conformal: every answer recomputed from what the learner reads (the printed scores, α, ŷ, probabilities):
q̂ by ``numpy.quantile(method="inverted_cdf")`` and by its definition in exact fractions, its coverage by
simulation with exchangeable draws, set sizes recounted in fractions, the smallest finite n by search; the
slips graded wrong; determinism, params, light import.

Why not ``numpy.quantile(scores, k/n, method="higher")``, as in Angelopoulos & Bates' code: "higher" takes
sorted index ⌈(n − 1)·k/n⌉ = k (0-based) whenever k < n, the (k + 1)-th smallest, one rank more than the
method prescribes (conservative, so their guarantee still holds). "inverted_cdf" is the empirical quantile
itself: the smallest score whose empirical cdf reaches k/n, the k-th smallest. A test below pins the difference.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

GEN = get("conformal")
ASKS = ("quantile", "interval", "set-size", "finite")
SEEDS = range(150)


def printed(problem: Problem) -> tuple[list[Fraction], Fraction]:
    """The calibration scores and α exactly as the prompt prints them."""
    match = re.search(r"in the order they came:\n\n([^\n]+)\n", problem.prompt)
    assert match, problem.prompt
    scores = [Fraction(text) for text in match.group(1).split(", ")]
    alpha = Fraction(re.search(r"α = ([0-9.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
    return scores, alpha


def by_definition(scores: list[Fraction], alpha: Fraction) -> Fraction | None:
    """The smallest calibration score s with #{scores ≤ s} ≥ (n + 1)(1 − α); None (q̂ = ∞) if there is none."""
    need = (len(scores) + 1) * (1 - alpha)
    candidates = [s for s in scores if sum(t <= s for t in scores) >= need]
    return min(candidates) if candidates else None


@pytest.mark.parametrize("ask", ["quantile", "interval"])
def test_qhat_matches_numpy_and_the_definition(ask: str) -> None:
    ends, largest = set(), 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": ask})
        d = problem.data
        scores, alpha = printed(problem)
        n = len(scores)
        assert n == d["n"] and 8 <= n <= 24 and alpha in (Fraction(1, 20), Fraction(1, 10), Fraction(1, 5))
        assert len(set(scores)) == n and scores != sorted(scores), seed  # distinct, shown unsorted
        qhat = by_definition(scores, alpha)
        assert qhat is not None and d["finite"], seed
        largest += qhat == max(scores)
        k = math.ceil((n + 1) * (1 - alpha))
        level = k / n
        floats = np.array([float(s) for s in scores])
        assert float(np.quantile(floats, level, method="inverted_cdf")) == float(qhat), seed
        assert d["qhat"] == float(qhat)
        if ask == "quantile":
            assert problem.expected == float(qhat), seed
        else:
            y_hat = Fraction(re.search(r"ŷ = ([0-9.]+) ", problem.prompt).group(1))  # type: ignore[union-attr]
            end = "upper" if "**upper end**" in problem.prompt else "lower"
            assert f"**{'lower' if end == 'upper' else 'upper'} end**" not in problem.prompt
            want = y_hat + qhat if end == "upper" else y_hat - qhat
            assert want > 0
            assert problem.expected == pytest.approx(float(want), abs=1e-9), seed
            ends.add(end)
    if ask == "interval":
        assert ends == {"upper", "lower"}
    # q̂ is the largest score in about a third of instances, so "pick the maximum" is no shortcut.
    assert 0.2 * len(SEEDS) <= largest <= 0.45 * len(SEEDS), largest


def test_higher_method_is_one_rank_above_unless_k_is_n() -> None:
    """Pins the module docstring's reason for the reference: at level k/n numpy's "higher" skips a rank."""
    differ = 0
    for seed in range(60):
        problem = generated(GEN, seed, {"ask": "quantile"})
        scores = np.array(problem.data["scores"])
        n, k = len(scores), problem.data["k"]
        higher = float(np.quantile(scores, k / n, method="higher"))
        assert higher == float(np.sort(scores)[min(k, n - 1)])
        differ += higher != problem.expected
    assert differ > 0


def coverage(rng: np.random.Generator, n: int, rank: int, trials: int) -> float:
    """Share of trials where a new score is ≤ the rank-th smallest of n calibration scores, all n + 1 drawn
    i.i.d. (so exchangeable) from a skewed, heavy-tailed law: the guarantee does not depend on it."""
    draws = rng.lognormal(0.0, 1.0, size=(trials, n + 1))
    qhat = np.sort(draws[:, :n], axis=1)[:, rank - 1]
    return float(np.mean(draws[:, n] <= qhat))


def test_qhat_covers_at_least_one_minus_alpha_and_one_rank_lower_does_not() -> None:
    """For the (n, α) the family draws, the generator's rank gives marginal coverage in
    [1 − α, 1 − α + 1/(n + 1)], and one rank lower falls short of 1 − α (the +1 is needed)."""
    rng = np.random.default_rng(2024)
    trials = 10_000
    seen: dict[tuple[int, float], int] = {}
    for seed in range(80):
        problem = generated(GEN, seed, {"ask": "quantile"})
        d = problem.data
        rank = sorted(d["scores"]).index(problem.expected) + 1
        seen.setdefault((d["n"], d["alpha"]), rank)
    assert len(seen) >= 10
    short = 0
    for (n, alpha), rank in seen.items():
        se = math.sqrt(alpha * (1 - alpha) / trials)
        covered = coverage(rng, n, rank, trials)
        assert 1 - alpha - 4 * se <= covered <= 1 - alpha + 1 / (n + 1) + 4 * se, (n, alpha, covered)
        lower = coverage(rng, n, rank - 1, trials)
        assert lower <= 1 - alpha + 4 * se, (n, alpha, lower)
        short += lower < 1 - alpha - 4 * se
    assert short >= len(seen) // 2  # most one-rank-lower choices fall clearly short


def quantile_mistakes(problem: Problem) -> list[float]:
    """The slips' q̂, recomputed with numpy: no +1 in the rank, the default (linear) quantile, mean + 2·sd."""
    scores = np.array(problem.data["scores"])
    n, alpha = len(scores), Fraction(str(problem.data["alpha"]))
    naive = math.ceil(n * (1 - alpha))
    slips = [
        float(np.sort(scores)[naive - 1]),
        float(np.quantile(scores, 1 - float(alpha))),
        float(scores.mean() + 2 * scores.std(ddof=1)),
        float(scores.mean() + 2 * scores.std(ddof=0)),
    ]
    if problem.data["k"] < n:  # "take the max to be safe": valid but not the smallest such score
        slips.append(float(scores.max()))
    return slips


@pytest.mark.parametrize("ask", ["quantile", "interval"])
def test_regression_grading(ask: str) -> None:
    for seed in range(100):
        problem = generated(GEN, seed, {"ask": ask})
        d = problem.data
        places = d["decimals"]
        slips = quantile_mistakes(problem)
        if ask == "interval":
            sign = 1 if d["end"] == "upper" else -1
            slips = [d["y_hat"] + sign * q for q in slips] + [d["y_hat"] - sign * d["qhat"]]
        for slip in slips:
            assert abs(slip - problem.expected) >= 3 * 10**-places - 1e-9, (seed, slip)
        right = [repr(problem.expected), f"{problem.expected:.{places}f}"]
        wrong = [f"{slip:.{places}f}" for slip in slips]
        assert_grades(problem, right, wrong, seed)


def printed_set(problem: Problem) -> tuple[list[Fraction], Fraction, Fraction]:
    """Class probabilities, q̂ and α as printed; q̂ computed by its definition when the prompt gives the
    calibration examples' true-class probabilities instead."""
    assert problem.table is not None
    probs = [Fraction(p) for _, p in problem.table.rows]
    alpha = Fraction(re.search(r"α = ([0-9.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
    given = re.search(r"q̂ = ([0-9.]+)\*\*", problem.prompt)
    calibration = re.search(r"true class these probabilities:\n\n([^\n]+)\n", problem.prompt)
    assert (given is None) != (calibration is None)
    assert (given is not None) == problem.data["qhat_given"]
    if given:
        return probs, Fraction(given.group(1)), alpha
    scores = [1 - Fraction(text) for text in calibration.group(1).split(", ")]  # type: ignore[union-attr]
    assert 8 <= len(scores) <= 24
    qhat = by_definition(scores, alpha)
    assert qhat is not None
    return probs, qhat, alpha


def test_set_size_recounted() -> None:
    sizes, kinds = set(), set()
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "set-size"})
        probs, qhat, alpha = printed_set(problem)
        assert sum(probs) == 1 and 4 <= len(probs) <= 6
        assert problem.data["qhat"] == float(qhat)
        size = sum(1 for p in probs if 1 - p <= qhat)
        assert problem.expected == size, seed
        # No class within 0.015 of the bar, so the count does not hinge on rounding.
        assert min(abs(p - (1 - qhat)) for p in probs) >= Fraction(15, 1000), seed
        top_1, sure = 1, sum(1 for p in probs if p >= 1 - alpha)
        assert size not in (top_1, sure), seed
        wrong = [str(top_1), str(sure)]
        if not problem.data["qhat_given"]:
            # q̂ without the +1: the smallest score whose count reaches n(1 − α), not (n + 1)(1 − α).
            scores = [1 - Fraction(str(p)) for p in problem.data["calibration_true_probs"]]
            naive = min(s for s in scores if sum(t <= s for t in scores) >= len(scores) * (1 - alpha))
            naive_size = sum(1 for p in probs if 1 - p <= naive)
            assert naive_size <= size
            if naive_size != size:
                wrong.append(str(naive_size))
        assert_grades(problem, [str(size)], wrong, seed)
        sizes.add(size)
        kinds.add(problem.data["qhat_given"])
    assert len(sizes) >= 3 and kinds == {True, False}


def test_finite_by_search() -> None:
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "finite"})
        alpha = Fraction(re.search(r"α = ([0-9.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
        held = int(re.search(r"holds \*\*(\d+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
        n_min = next(n for n in range(1, 10_000) if math.ceil((n + 1) * (1 - alpha)) <= n)
        k = math.ceil((held + 1) * (1 - alpha))
        assert problem.expected == [n_min, k], seed
        # q̂ is a real residual for the team's n and not the largest one.
        assert k < held
        inverse, naive = math.ceil(1 / alpha), math.ceil(held * (1 - alpha))
        wrong = [f"{inverse}; {k}", f"{inverse + 1}; {k}", f"{n_min}; {naive}", f"{n_min - 1}; {k}"]
        assert_grades(problem, [f"{n_min}; {k}"], wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(80):
        problem = generated(GEN, seed)
        d = problem.data
        if d["ask"] == "finite":
            assert f"**{d['n_min']}**" in problem.solution and f"**{d['k']}**" in problem.solution
        elif d["ask"] == "set-size":
            assert f"Set size = **{d['size']}**" in problem.solution
        else:
            assert f"**{problem.expected:.{d['decimals']}f}" in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "coverage"}, {"alpha": 0.1}, {"n": 10}])
    assert GEN.Params.model_validate({"ask": "set_size"}).ask == "set-size"


def test_import_is_light() -> None:
    assert_import_is_light("generators.conformal")
