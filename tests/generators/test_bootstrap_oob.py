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

GEN = get("bootstrap-oob")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("oob-share", "unique-rows", "oob-rows", "oob-trees")


def textbook(ask: str, n: int, trees: int | None) -> float:
    miss = (1 - 1 / n) ** n
    return {"oob-share": miss, "unique-rows": n * (1 - miss), "oob-rows": n * miss,
            "oob-trees": (trees or 0) * miss}[ask]


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


@pytest.mark.parametrize("params", [{}, *({"ask": a} for a in ASKS)])
def test_grading_and_determinism(params: dict) -> None:
    for seed in range(40):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        value = problem.expected
        right = [repr(value), f"{value:.3f}" if value < 1 else f"{value:.1f}"]
        if problem.data["ask"] == "oob-share":
            right.append(f"{100 * value:.2f}%")
        elif value > 1000:
            right.append(f"{round(value):,}")  # the nearest row, typed with thousands separators
        for text in right:
            grade = grade_parts(problem.parts, text)
            assert not isinstance(grade, Unreadable) and grade.correct, (seed, text)
        grade = grade_parts(problem.parts, repr(value * 1.05 + 0.06))
        assert not isinstance(grade, Unreadable) and not grade.correct


def test_small_n_needs_the_exact_formula() -> None:
    """For small n the 1/e shortcut is graded wrong: the question is worth asking."""
    problem = GEN.generate(1, {"ask": "oob-share", "n": 10})
    grade = grade_parts(problem.parts, "0.368")
    assert not isinstance(grade, Unreadable) and not grade.correct


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
