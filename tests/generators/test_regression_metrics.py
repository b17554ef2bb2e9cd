"""regression-metrics: sklearn values vs textbook formulas, determinism, grading, lazy sklearn import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import generators.regression_metrics as rm
from generators import ChoiceAnswer, NumberAnswer, get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.family_checks import assert_generation_is_light
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

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
            per_part.append(
                [
                    repr(answer.value),
                    f"{answer.value:.3f}",
                    f"{answer.value * 100:.2f}%" if abs(answer.value) < 10 else f"{answer.value:.2f}",
                ]
            )
        else:
            index = [o.name for o in answer.options].index(answer.correct)
            per_part.append([answer.correct, str(index + 1), answer.options[index].text])
    return ["; ".join(p[i] for p in per_part) for i in range(3)]


def wrong_form(parts) -> str:
    pieces = []
    for part in parts:
        answer = part.answer
        if isinstance(answer, NumberAnswer):
            pieces.append(repr(answer.value + 10 * answer.tolerances[0] + 0.1))
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


def test_outlier_parts_are_decided_by_the_numbers() -> None:
    """Each part's key is the model with the lower metric; MAE and RMSE disagree in about half the instances
    and agree (the big miss too small to matter, or the steady model better everywhere) in the rest."""
    disagree = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "outlier"})
        y, a, b = problem.data["y_true"], problem.data["y_pred_a"], problem.data["y_pred_b"]
        mae_winner = "A" if textbook("mae", y, a) < textbook("mae", y, b) else "B"
        rmse_winner = "A" if textbook("rmse", y, a) < textbook("rmse", y, b) else "B"
        assert problem.expected == [mae_winner, rmse_winner]
        for metric in ("mae", "rmse"):  # no near-ties: the winner is better by at least 5%
            low, high = sorted([textbook(metric, y, a), textbook(metric, y, b)])
            assert high >= 1.05 * low
        disagree += mae_winner != rmse_winner
        assert min(a) > 0 and min(b) > 0
    assert 0.35 <= disagree / 200 <= 0.65


@pytest.mark.parametrize("part", [0, 1])
def test_outlier_has_no_shortcut(part: int) -> None:
    assert_no_shortcut(GEN, {"ask": "outlier"}, range(300), part=part)


def test_mape_zero_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "mape-zero"}, range(300), part=0)


def textbook_rule(rule: str, y: list[int], yhat: list[int]) -> float:
    """Each "MAPE" implementation written out row by row."""
    terms = []
    for a, f in zip(y, yhat, strict=True):
        e = abs(a - f)
        if rule == "standard":
            terms.append(e / a)
        elif rule == "skip":
            if a:
                terms.append(e / a)
        elif rule == "forecast":
            terms.append(e / f)
        elif rule == "capped":
            terms.append(min(e / a, 1.0) if a else 1.0)
        else:
            terms.append(2 * e / (abs(a) + abs(f)))
    return sum(terms) / len(terms)


def test_mape_zero() -> None:
    """The keyed rule reproduces the reported number, every other offered rule misses it by >= 1 point."""
    keys, zeros = set(), 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "mape-zero"})
        d = problem.data
        y, yhat = d["y_true"], d["y_pred"]
        assert min(yhat) >= 1 and y.count(0) == (1 if d["has_zero"] else 0)
        zeros += d["has_zero"]
        if not d["has_zero"]:
            small = y.index(min(y))
            assert min(y) <= 2 and abs(y[small] - yhat[small]) > y[small]  # one tiny actual, missed by more
        wape = sum(abs(a - b) for a, b in zip(y, yhat, strict=True)) / sum(y)
        assert problem.expected[1] == pytest.approx(wape, abs=1e-12)
        options = [o.name for o in problem.parts[0].answer.options]
        assert ("standard" in options) != d["has_zero"] and ("skip" in options) == d["has_zero"]
        key = problem.expected[0]
        keys.add(key)
        assert textbook_rule(key, y, yhat) == pytest.approx(d["reported"], abs=1e-12)
        assert f"{100 * d['reported']:.1f}%" in problem.prompt
        for other in options:
            if other != key:
                assert abs(textbook_rule(other, y, yhat) - d["reported"]) >= 0.01 - 1e-12
        if d["has_zero"]:
            assert d["sklearn_mape"] > 1e12  # sklearn divides by machine epsilon instead of failing
        labels = [o.text for o in problem.parts[0].answer.options]
        assert len(set(labels)) == len(labels)
    assert keys == {"standard", "skip", "forecast", "capped", "smape"}
    assert 70 <= zeros <= 130


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


def _value_mistakes(d: dict, value: float) -> list[float]:
    """MSE for RMSE and back, MAE for RMSE, the forecast as MAPE's denominator, SS_res / SS_tot for R²."""
    y, yhat = d["y_true"], d["y_pred"]
    return {
        "mae": [textbook("rmse", y, yhat)],
        "mse": [textbook("rmse", y, yhat)],
        "rmse": [textbook("mse", y, yhat), textbook("mae", y, yhat)],
        "r2": [1 - value],
        "mape": [sum(abs(a - b) / b for a, b in zip(y, yhat, strict=True)) / len(y)],
    }[d["metric"]]


@pytest.mark.parametrize("ask", ["value", "outlier", "mape-zero"])
def test_grading_property_over_many_seeds(ask: str) -> None:
    """Exact and stated-precision answers, options by name / position / letter / text are right; each part
    alone is incomplete; the family's slips and junk are not right."""
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        if ask == "value":
            answer = problem.parts[0].answer
            decimals = 3 if d["metric"] in ("r2", "mape") else 2
            assert answer.decimals == decimals and f"to {decimals} decimals" in problem.prompt
            right = [repr(answer.value), f"{answer.value:.{decimals}f}"]
            if d["metric"] == "mape":
                right.append(f"{100 * answer.value:.1f}%")
            wrong = [
                repr(x) for x in _value_mistakes(d, answer.value) if abs(x - answer.value) > 2 * 10**-decimals
            ]
        else:
            choice = problem.parts[0].answer
            names = [o.name for o in choice.options]
            index = names.index(choice.correct)
            key = choice.options[index]
            if ask == "outlier":
                second = problem.parts[1].answer.correct
                right = [
                    f"{choice.correct}; {second}",
                    f"{index + 1}; {second.lower()}",
                    f"{key.text}; Model {second}",
                ]
                wrong = [f"{name}; {second}" for name in names if name != choice.correct]
                wrong.append(f"{choice.correct}; {'A' if second == 'B' else 'B'}")
            else:
                w = problem.expected[1]
                right = [
                    f"{choice.correct}; {w:.3f}",
                    f"{'abcd'[index]}; {100 * w:.1f}%",
                    f"{key.text}; {w!r}",
                    f"{key.aliases[0]}; {w:.3f}",
                ]
                wrong = [f"{name}; {w:.3f}" for name in names if name != choice.correct]
                wrong.append(f"{choice.correct}; {d['reported']:.3f}")  # the dashboard's number is not WAPE
                wrong = [
                    t
                    for t in wrong
                    if abs(d["reported"] - w) > 0.002 or not t.endswith(f"{d['reported']:.3f}")
                ]
            first = right[0].split(";")[0]
            for partial in (first, f"{first};", "; " + right[0].split(";")[1].strip()):
                grade = grade_parts(problem.parts, partial)
                assert not isinstance(grade, Unreadable) and grade.incomplete, (seed, partial)
        assert_grades(problem, right, wrong, seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


@pytest.mark.parametrize(
    "params",
    [{}, {"ask": "value"}, {"ask": "outlier"}, {"ask": "mape-zero"}, *({"metric": m} for m in METRICS)],
)
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
                assert set(part.answer.feedback) <= {o.name for o in part.answer.options} - {
                    part.answer.correct
                }
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


# -- the numpy metrics are scikit-learn's ----------------------------------------------------------


def _vectors(seeds: range) -> list[tuple[np.ndarray, np.ndarray]]:
    """(actual, forecast) pairs from every kind of question, as the generator made them."""
    pairs = []
    for ask in ("value", "outlier", "mape-zero"):
        for seed in seeds:
            data = GEN.generate(seed, {"ask": ask}).data
            for key in ("y_pred", "y_pred_a", "y_pred_b"):
                if key in data:
                    pairs.append((np.array(data["y_true"]), np.array(data[key])))
    return pairs


def test_numpy_metrics_are_sklearns_floats_bit_for_bit() -> None:
    """Over the generator's own vectors, and over random float vectors (constant targets included), each
    metric computed with numpy is exactly the float ``sklearn.metrics`` returns."""
    rng = np.random.default_rng(16)
    pairs = _vectors(range(150))
    for _ in range(400):
        y = rng.normal(50, 30, size=int(rng.integers(2, 12))).round(int(rng.integers(0, 3)))
        pairs.append((y, y + rng.normal(0, rng.choice([0.5, 5, 40]), size=len(y))))
    constant = np.full(5, 3.0)
    pairs += [(constant, constant), (constant, np.arange(5.0)), (np.zeros(4), np.ones(4))]
    for y, yhat in pairs:
        for metric in METRICS:
            ours, theirs = rm.metric_value(metric, y, yhat), rm.sklearn_metric(metric, y, yhat)
            same = ours == theirs or (math.isnan(ours) and math.isnan(theirs))
            assert same, (metric, y, yhat, ours, theirs)


def test_instances_are_those_sklearn_metrics_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same seed gives the same problem (prompt, numbers, solution) as when sklearn computed them."""
    seeds = range(120)
    ours = [GEN.generate(seed).to_json() for seed in seeds]
    monkeypatch.setattr(rm, "metric_value", rm.sklearn_metric)
    assert [GEN.generate(seed).to_json() for seed in seeds] == ours


def test_generating_does_not_import_sklearn() -> None:
    """Every kind of question is made without scikit-learn (importing it costs a session about 90 MB)."""
    assert_generation_is_light(
        "regression-metrics",
        [(seed, {"ask": ask}) for ask in ("value", "outlier", "mape-zero") for seed in range(40)],
    )
