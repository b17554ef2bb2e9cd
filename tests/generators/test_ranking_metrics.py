"""ranking-metrics: sklearn NDCG / AP and numpy MRR vs textbook formulas, determinism, grading, lazy import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import generators.ranking_metrics as rm
from generators import get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts

GEN = get("ranking-metrics")
ROOT = Path(__file__).resolve().parents[2]


def textbook_ndcg(grades: list[int], k: int) -> float:
    def dcg(values: list[int]) -> float:
        return sum(g / math.log2(i + 2) for i, g in enumerate(values[:k]))

    return dcg(grades) / dcg(sorted(grades, reverse=True))


def textbook_ap(row: list[int]) -> float:
    hits = [i for i, v in enumerate(row) if v]
    return sum((j + 1) / (i + 1) for j, i in enumerate(hits)) / len(hits)


def textbook_rr(row: list[int]) -> float:
    return next((1 / (i + 1) for i, v in enumerate(row) if v), 0.0)


@pytest.mark.parametrize("k", [None, 2, 3, 5, 8])
def test_ndcg_matches_textbook(k: int | None) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"metric": "ndcg", "k": k})
        data = problem.data
        assert k is None or data["k"] == k
        assert len(data["relevance"]) >= data["k"] + 2
        assert sum(data["relevance"][: data["k"]]) > 0
        assert problem.expected == pytest.approx(textbook_ndcg(data["relevance"], data["k"]), abs=1e-12)
        assert 0 < problem.expected < 1


def test_k_alone_implies_ndcg() -> None:
    assert GEN.generate(3, {"k": 4}).data["metric"] == "ndcg"


def test_mrr_matches_textbook() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"metric": "mrr"})
        rows = problem.data["relevant"]
        assert sum(1 for row in rows if not any(row)) <= 1
        assert problem.expected == pytest.approx(sum(textbook_rr(r) for r in rows) / len(rows), abs=1e-12)


@pytest.mark.parametrize("metric", ["ap", "map"])
def test_ap_matches_textbook(metric: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"metric": metric})
        rows = problem.data["relevant"]
        assert (len(rows) == 1) == (metric == "ap")
        assert all(any(row) for row in rows)
        expected = sum(textbook_ap(r) for r in rows) / len(rows)
        assert problem.expected == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("params", [{}, {"metric": "ndcg"}, {"metric": "mrr"}, {"metric": "ap"},
                                    {"metric": "map"}, {"k": 3}])
def test_grading_and_determinism(params: dict) -> None:
    for seed in range(25):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        value = problem.expected
        for text in (repr(value), f"{value:.3f}", f"{100 * value:.2f}%", f"{value:.3e}"):
            grade = grade_parts(problem.parts, text)
            assert not isinstance(grade, Unreadable) and grade.correct, (seed, text)
        grade = grade_parts(problem.parts, f"{value + 0.02:.3f}")
        assert not isinstance(grade, Unreadable) and not grade.correct
        assert f"**{problem.solution.split('**')[1]}**" in problem.solution


def test_mrr_fraction_typed() -> None:
    problem = GEN.generate(1, {"metric": "mrr"})
    rows = problem.data["relevant"]
    numerator = sum(textbook_rr(r) for r in rows)
    grade = grade_parts(problem.parts, f"{numerator}/{len(rows)}")
    assert not isinstance(grade, Unreadable) and grade.correct


def test_seeds_vary_and_random_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["metric"] for p in problems} == {"ndcg", "mrr", "ap", "map"}


def test_bad_params_rejected() -> None:
    for bad in ({"metric": "precision"}, {"k": 1}, {"k": 9}, {"extra": True}, {"metric": "mrr", "k": 3}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.ranking_metrics, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# -- scikit-learn's floats without scikit-learn ----------------------------------------------------


def test_ndcg_and_ap_are_sklearns_floats_bit_for_bit() -> None:
    """Random graded lists (ties in the grades, k beyond the list) and 0/1 lists: numpy's NDCG@k and AP are
    exactly the floats ``ndcg_score`` and ``average_precision_score`` return."""
    rng = np.random.default_rng(11)
    for _ in range(600):
        n = int(rng.integers(2, 15))
        grades = rng.integers(0, 4, n)
        k = int(rng.integers(1, n + 2))
        assert rm.ndcg_at_k(grades, k) == rm.sklearn_ndcg_at_k(grades, k), (grades, k)
        labels = (rng.random(n) < rng.random()).astype(int)
        labels[int(rng.integers(n))] = 1  # sklearn warns on a list with nothing relevant
        assert rm.average_precision(labels) == rm.sklearn_average_precision(labels), labels


def test_instances_are_those_sklearn_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = range(200)
    ours = [GEN.generate(seed).to_json() for seed in seeds]
    monkeypatch.setattr(rm, "ndcg_at_k", rm.sklearn_ndcg_at_k)
    monkeypatch.setattr(rm, "average_precision", rm.sklearn_average_precision)
    assert [GEN.generate(seed).to_json() for seed in seeds] == ours
