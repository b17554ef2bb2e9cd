from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from generators import get
from generators.base import fmt
from generators.confusion_matrix import (
    BINARY_METRICS,
    sklearn_binary_metric,
    sklearn_multiclass_metric,
)
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades

GEN = get("confusion-matrix")


def textbook(metric: str, tp: int, fp: int, fn: int, tn: int, beta: float) -> float:
    p, r = tp / (tp + fp), tp / (tp + fn)
    return {
        "accuracy": (tp + tn) / (tp + fp + fn + tn),
        "precision": p,
        "recall": r,
        "specificity": tn / (tn + fp),
        "npv": tn / (tn + fn),
        "fpr": fp / (fp + tn),
        "fnr": fn / (fn + tp),
        "f1": 2 * p * r / (p + r),
        "fbeta": (1 + beta**2) * p * r / (beta**2 * p + r),
        "mcc": (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)),
        "balanced_accuracy": (r + tn / (tn + fp)) / 2,
    }[metric]


def test_deterministic_per_seed() -> None:
    assert GEN.generate(42).to_json() == GEN.generate(42).to_json()
    assert len({GEN.generate(seed).prompt for seed in range(20)}) == 20


@pytest.mark.parametrize("metric", BINARY_METRICS)
def test_binary_agrees_with_sklearn_and_textbook(metric: str) -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"task": "binary", "metric": metric})
        d = problem.data
        beta = d.get("beta", 1.0)
        counts = (d["tp"], d["fp"], d["fn"], d["tn"])
        assert min(counts) >= 1
        assert problem.expected == pytest.approx(sklearn_binary_metric(metric, *counts, beta), abs=1e-12)
        assert problem.expected == pytest.approx(textbook(metric, *counts, beta), abs=1e-12)


def test_multiclass_agrees_with_sklearn_over_many_seeds() -> None:
    seen = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"task": "multiclass"})
        d = problem.data
        matrix = np.array(d["matrix"])
        assert (matrix.sum(axis=0) > 0).all() and (matrix.sum(axis=1) > 0).all()
        index = d["labels"].index(d["class"]) if "class" in d else None
        reference = sklearn_multiclass_metric(d["metric"], matrix, d.get("average"), index)
        assert problem.expected == pytest.approx(reference, abs=1e-12)
        seen.add((d["metric"], d.get("average", "class")))
    assert len(seen) == 12  # 3 metrics × (macro, micro, weighted, per class)


def test_table_layout_matches_data() -> None:
    layouts = set()
    for seed in range(60):
        problem = GEN.generate(seed, {"task": "binary"})
        d, table = problem.data, problem.table
        actual_on_rows = d["layout"]["actual_on"] == "rows"
        layouts.add((actual_on_rows, d["layout"]["positive_first"]))
        positive_row = next(i for i, row in enumerate(table.rows) if row[0].endswith(d["positive"]))
        positive_col = next(i for i, h in enumerate(table.headers) if h.endswith(d["positive"]))
        assert int(table.rows[positive_row][positive_col]) == d["tp"]
        negative_row = 1 - positive_row
        fn_or_fp = int(table.rows[negative_row][positive_col])
        assert fn_or_fp == (d["fn"] if not actual_on_rows else d["fp"])
        assert ("actual" in table.title) and ("predicted" in table.title)
    assert len(layouts) == 4


def test_multiclass_layout_transposes() -> None:
    for seed in range(30):
        problem = GEN.generate(seed, {"task": "multiclass"})
        matrix = np.array(problem.data["matrix"])
        shown = np.array([[int(c) for c in row[1:]] for row in problem.table.rows])
        expected = matrix if problem.data["layout"]["actual_on"] == "rows" else matrix.T
        assert (shown == expected).all()


def test_equivalent_answer_forms_grade_right() -> None:
    problem = GEN.generate(3, {"task": "binary", "metric": "precision"})
    tp, fp = problem.data["tp"], problem.data["fp"]
    value = tp / (tp + fp)
    for text in (f"{tp}/{tp + fp}", f"{value:.3f}", f"{value * 100:.2f}%", f"{value:.4e}"):
        assert grade_parts(problem.parts, text).correct, text
    assert not grade_parts(problem.parts, f"{value + 0.02:.3f}").correct


def test_params_are_validated() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        GEN.Params.model_validate({"metric": "prezision"})
    with pytest.raises(ValidationError):
        GEN.Params.model_validate({"colour": "red"})


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.confusion_matrix, sys; assert 'sklearn' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")
# The metric a learner computes instead when reading the matrix the wrong way round.
SWAPPED = {
    "precision": "recall",
    "recall": "precision",
    "specificity": "npv",
    "npv": "specificity",
    "fpr": "fnr",
    "fnr": "fpr",
}


def test_seed_3_grades_at_three_decimals() -> None:
    problem = GEN.generate(3)
    assert round(problem.expected, 4) == 0.5498 and "to 3 decimals" in problem.prompt
    assert_grades(problem, ["0.550", "0.549", "55%", "0.5498", "54.98%"], ["0.545", "0.552", "0.55%", "0.56"])


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_grading_property_over_many_seeds(task: str) -> None:
    """Exact, rounded and percent answers are right; a misread layout and junk are not."""
    for seed in range(200):
        problem = GEN.generate(seed, {"task": task})
        d, value = problem.data, problem.expected
        assert "to 3 decimals" in problem.prompt and problem.parts[0].answer.decimals == 3
        assert f"{value:.3f}".rstrip("0").rstrip(".") in problem.solution or fmt(value) in problem.solution
        wrong = [f"{value + 0.0025:.4f}", f"{value * 100:.1f}"]  # 0.55 typed as 55 (no % sign) is 55
        if task == "binary" and d["metric"] in SWAPPED:
            other = textbook(SWAPPED[d["metric"]], d["tp"], d["fp"], d["fn"], d["tn"], d.get("beta", 1.0))
            if abs(other - value) > 0.002:
                wrong.append(f"{other:.3f}")
        if task == "multiclass":
            matrix = np.array(d["matrix"])
            index = d["labels"].index(d["class"]) if "class" in d else None
            transposed = sklearn_multiclass_metric(d["metric"], matrix.T, d.get("average"), index)
            if abs(transposed - value) > 0.002:
                wrong.append(f"{transposed:.3f}")
        assert_grades(problem, [repr(value), f"{value:.3f}", f"{100 * value:.1f}%"], wrong, seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


def test_multiclass_solution_follows_the_layout_shown() -> None:
    """The per-class table says which sum is "predicted as it" in the layout the learner sees."""
    layouts = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"task": "multiclass"})
        on_rows = problem.data["layout"]["actual_on"] == "rows"
        layouts.add(on_rows)
        predicted, actual = ("column", "row") if on_rows else ("row", "column")
        assert f"predicted as it ({predicted} sum)" in problem.solution, seed
        assert f"actually it ({actual} sum)" in problem.solution, seed
        assert f"actual classes on {actual}s" in problem.solution, seed
        assert f"predicted as it ({actual} sum)" not in problem.solution, seed
    assert layouts == {True, False}
    problem = GEN.generate(2, {"task": "multiclass", "average": "per_class"})
    assert problem.data["layout"]["actual_on"] == "columns" and "(row sum)" in problem.solution
