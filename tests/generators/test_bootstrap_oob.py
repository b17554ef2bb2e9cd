"""bootstrap-oob: closed forms vs a numpy bootstrap simulation, determinism, grading, lazy sklearn import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.bootstrap_oob import miss_probability
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades

GEN = get("bootstrap-oob")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("oob-share", "unique-rows", "oob-rows", "oob-trees")


def textbook(ask: str, n: int, trees: int | None) -> float:
    miss = (1 - 1 / n) ** n
    return {
        "oob-share": miss,
        "unique-rows": n * (1 - miss),
        "oob-rows": n * miss,
        "oob-trees": (trees or 0) * miss,
    }[ask]


@pytest.mark.parametrize("ask", ASKS)
def test_matches_closed_form(ask: str) -> None:
    for seed in range(250):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        assert problem.expected == pytest.approx(textbook(ask, d["n"], d.get("trees")), rel=1e-9)


@pytest.mark.parametrize("n", [2, 3, 7, 10, 40, 333, 5_000])
def test_simulation_agrees(n: int) -> None:
    """Draw 400 bootstrap samples and compare the OOB share and distinct-row count with the formulas."""
    rng = np.random.default_rng(n)
    reps = 400
    draws = rng.integers(0, n, size=(reps, n))
    distinct = np.array([len(np.unique(row)) for row in draws])
    miss = miss_probability(n)
    # Distinct rows per sample: mean within 4 standard errors of n(1 − miss).
    assert abs(distinct.mean() - n * (1 - miss)) < 4 * distinct.std(ddof=1) / math.sqrt(reps) + 1e-9
    oob_share = 1 - distinct / n
    assert abs(oob_share.mean() - miss) < 4 * oob_share.std(ddof=1) / math.sqrt(reps) + 1e-9


def test_miss_probability_limits() -> None:
    assert miss_probability(2) == pytest.approx(0.25)
    assert miss_probability(10_000_000) == pytest.approx(math.exp(-1), abs=1e-7)
    values = [miss_probability(n) for n in (2, 5, 50, 5_000)]
    assert values == sorted(values)  # approaches 1/e from below


@pytest.mark.parametrize("n", [2, 5, 10, 1_000, 10_000_000])
def test_pinned_n(n: int) -> None:
    for ask in ASKS:
        problem = GEN.generate(3, {"ask": ask, "n": n})
        assert problem.data["n"] == n
        assert f"{n:,}" in problem.prompt


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


@pytest.mark.parametrize("params", [{}, *({"ask": a} for a in ASKS)])
def test_grading_and_determinism(params: dict) -> None:
    """Exact and rounded answers are right, the usual slips wrong, junk unreadable: over 200 seeds."""
    for seed in range(200):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        d = problem.data
        value = problem.expected
        answer = problem.parts[0].answer
        decimals = 4 if d["ask"] == "oob-share" else 1
        assert answer.decimals == decimals and f"to {decimals} decimal" in problem.prompt
        rounded = f"{value:.{decimals}f}"
        assert rounded in problem.solution
        right = [repr(value), rounded]
        if d["ask"] == "oob-share":
            right.append(f"{100 * value:.2f}%")
        else:  # a count typed with its unit
            right.append(f"{rounded} {'trees' if d['ask'] == 'oob-trees' else 'rows'}")
        assert_grades(problem, right, _mistakes(d), seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


def _mistakes(d: dict) -> list[str]:
    """Slips a learner makes: the share kept instead of left out, the 1/e limit where n is small."""
    n, miss, trees = d["n"], d["miss_probability"], d.get("trees", 0)
    scale = {"oob-share": 1, "unique-rows": n, "oob-rows": n, "oob-trees": trees}[d["ask"]]
    kept = 1 - miss if d["ask"] != "unique-rows" else miss
    wrong = [repr(scale * kept), repr(d["value"] * 1.05 + 0.2)]
    limit = scale * (math.exp(-1) if d["ask"] != "unique-rows" else 1 - math.exp(-1))
    tolerance = 1e-4 if d["ask"] == "oob-share" else 0.1
    if abs(limit - d["value"]) > tolerance:
        wrong.append(repr(limit))
    return wrong


def test_textbook_limit_is_wrong_where_the_exact_share_differs() -> None:
    """0.368 (1/e) is graded wrong whenever the exact share is more than the tolerance from it, which is in
    most instances: the finite-n share is the point of the question."""
    differs = 0
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "oob-share"})
        exact = problem.expected
        grade = grade_parts(problem.parts, "0.368")
        assert not isinstance(grade, Unreadable)
        if abs(exact - 0.3679) > 1e-4:
            differs += 1
            assert not grade.correct, seed
        if abs(exact - 0.368) <= 1e-4:
            assert grade.correct, seed
    assert differs >= 200


def test_scenario_matches_the_explanation() -> None:
    """An A/B-test or survey bootstrap never talks about trees; a forest always does."""
    for seed in range(300):
        problem = GEN.generate(seed)
        forest = "forest" in problem.prompt or "ensemble" in problem.prompt or "ExtraTrees" in problem.prompt
        assert ("tree" in problem.solution) == forest, seed
        assert ("Each tree sees" in problem.prompt) == forest, seed
        if problem.data["ask"] in ("oob-rows", "oob-trees"):
            assert forest, seed
    problem = GEN.generate(10016, {"ask": "oob-rows", "n": 1000})
    assert "A/B" not in problem.prompt and "1,000" in problem.prompt


def test_solution_says_how_far_from_the_limit() -> None:
    problem = GEN.generate(1, {"ask": "oob-share", "n": 30})
    assert "0.3617" in problem.solution and "0.0062 below the large-n limit" in problem.solution
    assert "only as n grows large" in problem.solution


def test_seeds_vary_and_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) >= 36
    assert {p.data["ask"] for p in problems} == set(ASKS)


def test_bad_params_rejected() -> None:
    for bad in ({"n": 1}, {"n": 0}, {"ask": "oob-score"}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.bootstrap_oob, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
