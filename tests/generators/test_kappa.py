"""kappa: every answer recomputed with scikit-learn on label vectors rebuilt from the table a learner sees;
the paradox instances present; the slips (recomputed here, not read from the problem) graded wrong;
determinism, params and light generation."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_generation_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

pytestmark = pytest.mark.xdist_group("kappa")

GEN = get("kappa")
ASKS = ("observed", "expected", "kappa", "weighted")
SEEDS = range(100)


def printed_labels(problem: Problem) -> tuple[list[int], list[int], int]:
    """Annotator A's and B's label vectors realising the printed table (class index per item), and K."""
    assert problem.table is not None
    k = len(problem.table.headers) - 1
    assert [row[0] for row in problem.table.rows] == list(problem.table.headers[1:])
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(problem.table.rows):
        for j, cell in enumerate(row[1:]):
            a += [i] * int(cell)
            b += [j] * int(cell)
    assert f"**{len(a)}**" in problem.prompt  # the n the prompt states is the table's
    return a, b, k


def counted(a: list[int], b: list[int], k: int) -> dict[str, float]:
    """Every quantity and slip by counting items and pairs of items, written apart from the family's
    matrix algebra: pₑ is the chance that A's label on one item matches B's on an independently drawn item."""
    n = len(a)
    rate_a, rate_b = Counter(a), Counter(b)
    agreeing = Counter(x for x, y in zip(a, b, strict=True) if x == y)
    observed = sum(agreeing.values()) / n
    expected = sum(rate_a[c] * rate_b[c] for c in range(k)) / n**2
    values = {
        "observed": observed,
        "expected": expected,
        "kappa": (observed - expected) / (1 - expected),
        "largest_cell": max(agreeing.values()) / n,
        "disagreement": 1 - observed,
        "uniform": 1 / k,
        "uniform_chance": (observed - 1 / k) / (1 - 1 / k),
        **{f"class_{c}_only": rate_a[c] * rate_b[c] / n**2 for c in range(k)},
    }
    for name, power in (("linear", 1), ("quadratic", 2)):
        same_item = sum(abs(x - y) ** power for x, y in zip(a, b, strict=True)) / n
        any_pair = sum(rate_a[c] * rate_b[d] * abs(c - d) ** power for c in rate_a for d in rate_b) / n**2
        values[name] = 1 - same_item / any_pair
    return values


@cache
def reference(ask: str, seed: int) -> tuple[dict[str, float], float]:
    """(the counted quantities, the asked one from scikit-learn) for one instance; one library call each,
    as sklearn's input validation costs milliseconds a call."""
    problem = generated(GEN, seed, {"ask": ask})
    a, b, k = printed_labels(problem)
    values = counted(a, b, k)
    if ask == "observed":
        library = float(accuracy_score(a, b))
    elif ask == "expected":
        # κ = (pₒ − pₑ)/(1 − pₑ) solved for pₑ, with sklearn's κ.
        kappa = float(cohen_kappa_score(a, b))
        library = (values["observed"] - kappa) / (1 - kappa)
    elif ask == "kappa":
        library = float(cohen_kappa_score(a, b))
    else:
        library = float(cohen_kappa_score(a, b, labels=[0, 1, 2], weights=problem.data["weighting"]))
    return values, library


def slips(problem: Problem, ref: dict[str, float]) -> list[float]:
    """The mistakes the module docstring names for this ask, recomputed from the reference."""
    ask = problem.data["ask"]
    if ask == "observed":
        return [ref["largest_cell"], ref["disagreement"]]
    if ask == "expected":
        return [ref["uniform"], *(v for key, v in ref.items() if key.endswith("_only"))]
    if ask == "kappa":
        return [ref["observed"], ref["observed"] - ref["expected"], ref["uniform_chance"]]
    other = "quadratic" if problem.data["weighting"] == "linear" else "linear"
    return [ref["kappa"], ref[other]]


@pytest.mark.parametrize("ask", ASKS)
def test_answers_match_sklearn(ask: str) -> None:
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": ask})
        ref, library = reference(ask, seed)
        key = problem.data["weighting"] if ask == "weighted" else ask
        assert problem.expected == pytest.approx(library, abs=1e-12), seed
        assert problem.expected == pytest.approx(ref[key], abs=1e-12), seed
        assert 0.05 <= ref["kappa"] <= 0.95
        assert 40 <= problem.data["n"] <= 200
        # Every slip lands at least ten times the 3-decimal tolerance away from the answer.
        assert min(abs(problem.expected - s) for s in slips(problem, ref)) >= 0.01, seed
        if ask == "weighted":
            assert len(problem.data["classes"]) == 3


def test_weights_follow_the_prompt() -> None:
    """The prompt's weight rule is the one graded: linear says |i − j|, quadratic (i − j)²."""
    seen = set()
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "weighted"})
        weighting = problem.data["weighting"]
        seen.add(weighting)
        assert ("|i − j|" in problem.prompt) == (weighting == "linear"), seed
        assert ("(i − j)²" in problem.prompt) == (weighting == "quadratic"), seed
    assert seen == {"linear", "quadratic"}


def test_kappa_paradox_instances_are_drawn() -> None:
    """High raw agreement with a modest κ (Feinstein & Cicchetti 1990), measured with sklearn, in a good
    share of κ questions, and the solution names it exactly then."""
    paradox = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "kappa"})
        ref, kappa = reference("kappa", seed)
        is_paradox = ref["observed"] >= 0.85 and kappa <= 0.5
        paradox += is_paradox
        assert problem.data["paradox"] == is_paradox
        assert ("kappa paradox" in problem.solution) == is_paradox, seed
    assert paradox >= 15


def test_two_and_three_classes_and_skew() -> None:
    problems = [generated(GEN, seed, {"ask": "kappa"}) for seed in SEEDS]
    sizes = Counter(len(p.data["classes"]) for p in problems)
    assert sizes[2] >= 40 and sizes[3] >= 20
    assert 20 <= sum(p.data["skewed"] for p in problems) <= 90


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = generated(GEN, seed, {"ask": ask})
        value = problem.expected
        right = [repr(value), f"{value:.3f}", f"{value:.4f}"]
        if ask in ("observed", "expected"):
            right.append(f"{100 * value:.1f}%")
        wrong = [f"{s:.3f}" for s in slips(problem, reference(ask, seed)[0])]
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in SEEDS:
        problem = generated(GEN, seed)
        assert problem.solution.rstrip().endswith(f"**{problem.expected:.3f}**") or (
            f"≈ **{problem.expected:.3f}**" in problem.solution
        ), seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "fleiss"}, {"weights": "linear"}, {"ask": 3}])
    assert GEN.Params.model_validate({"ask": "weighted"}).ask == "weighted"


def test_generation_is_light() -> None:
    """Importing the module and making every question loads neither scipy nor scikit-learn."""
    assert_generation_is_light("kappa", [(seed, {"ask": ask}) for ask in ASKS for seed in range(3)])
