from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from generators import get
from generators.confusion_matrix import (
    BINARY_METRICS,
    sklearn_binary_metric,
    sklearn_multiclass_metric,
)
from quizzer.grading import grade_parts

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
