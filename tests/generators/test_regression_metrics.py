"""regression-metrics: sklearn values vs textbook formulas, determinism, grading, lazy sklearn import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, NumberAnswer, get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts

GEN = get("regression-metrics")
ROOT = Path(__file__).resolve().parents[2]
METRICS = ("mae", "mse", "rmse", "r2", "mape")


def textbook(metric: str, y: list[int], yhat: list[int]) -> float:
    n = len(y)
    errors = [a - b for a, b in zip(y, yhat, strict=True)]
    if metric == "mae":
        return sum(abs(e) for e in errors) / n
    if metric == "mse":
        return sum(e * e for e in errors) / n
    if metric == "rmse":
        return math.sqrt(sum(e * e for e in errors) / n)
    if metric == "r2":
        mean = sum(y) / n
        return 1 - sum(e * e for e in errors) / sum((a - mean) ** 2 for a in y)
    return sum(abs(e) / abs(a) for e, a in zip(errors, y, strict=True)) / n


def right_forms(parts) -> list[str]:
    """Several ways to type the right answer to every part."""
    per_part: list[list[str]] = []
    for part in parts:
        answer = part.answer
        if isinstance(answer, NumberAnswer):
            per_part.append([repr(answer.value), f"{answer.value:.3f}", f"{answer.value * 100:.2f}%"
                             if abs(answer.value) < 10 else f"{answer.value:.2f}"])
        else:
            index = [o.name for o in answer.options].index(answer.correct)
            per_part.append([answer.correct, str(index + 1), answer.options[index].text])
    return ["; ".join(p[i] for p in per_part) for i in range(3)]


def wrong_form(parts) -> str:
    pieces = []
    for part in parts:
        answer = part.answer
        if isinstance(answer, NumberAnswer):
            pieces.append(repr(answer.value + 10 * (answer.tolerance + answer.rel_tolerance * abs(answer.value)) + 0.1))
        else:
            pieces.append(next(o.name for o in answer.options if o.name != answer.correct))
    return "; ".join(pieces)


@pytest.mark.parametrize("metric", METRICS)
def test_value_matches_textbook(metric: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"metric": metric})
        data = problem.data
        assert data["metric"] == metric and data["ask"] == "value"
        assert min(data["y_true"]) > 0  # MAPE is defined by construction
        assert problem.expected == pytest.approx(textbook(metric, data["y_true"], data["y_pred"]), abs=1e-9)


def test_outlier_metrics_disagree() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "outlier"})
        y, a, b = problem.data["y_true"], problem.data["y_pred_a"], problem.data["y_pred_b"]
        mae_winner = "A" if textbook("mae", y, a) < textbook("mae", y, b) else "B"
        rmse_winner = "A" if textbook("rmse", y, a) < textbook("rmse", y, b) else "B"
        assert problem.expected == [mae_winner, rmse_winner]
        assert mae_winner != rmse_winner  # the whole point of the question
        assert min(a) > 0 and min(b) > 0


def test_mape_zero() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "mape-zero"})
        y, yhat = problem.data["y_true"], problem.data["y_pred"]
        assert y.count(0) == 1 and min(yhat) >= 1
        wape = sum(abs(a - b) for a, b in zip(y, yhat, strict=True)) / sum(y)
        assert problem.expected[0] == "undefined"
        assert problem.expected[1] == pytest.approx(wape, abs=1e-12)
        assert problem.data["sklearn_mape"] > 1e12  # sklearn divides by machine epsilon instead of failing
        labels = [o.text for o in problem.parts[0].answer.options]
        assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("params", [{}, {"ask": "value"}, {"ask": "outlier"}, {"ask": "mape-zero"},
                                    *({"metric": m} for m in METRICS)])
def test_grading_and_determinism(params: dict) -> None:
    for seed in range(25):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        for text in right_forms(problem.parts):
            grade = grade_parts(problem.parts, text)
            assert not isinstance(grade, Unreadable) and grade.correct, (seed, text, grade)
        grade = grade_parts(problem.parts, wrong_form(problem.parts))
        assert not isinstance(grade, Unreadable) and not grade.correct
        for part in problem.parts:
            if isinstance(part.answer, ChoiceAnswer):
                assert set(part.answer.feedback) <= {o.name for o in part.answer.options} - {part.answer.correct}
        assert "**" in problem.solution


def test_seeds_vary_and_random_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(60)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 60
    assert {p.data["ask"] for p in problems} == {"value", "outlier", "mape-zero"}


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"metric": "mad"})
    with pytest.raises(ValidationError):
        GEN.generate(1, {"unknown": 1})
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "outlier", "metric": "mae"})
    assert GEN.generate(1, {"ask": "value", "metric": "mae"}).data["metric"] == "mae"


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.regression_metrics, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
