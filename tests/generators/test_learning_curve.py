"""learning-curve: labels agree with their curves, measured next steps, determinism, grading, lazy import."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import Problem, get
from generators import learning_curve as lc
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts

GEN = get("learning-curve")
ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(60)


@cache
def problem(seed: int, diagnosis: str | None = None, task: str | None = None) -> Problem:
    return GEN.generate(seed, {"diagnosis": diagnosis, "task": task})


def end_point(p: Problem) -> tuple[float, float, float]:
    """(final gap, final validation score, shortfall below the ceiling), from the problem's data."""
    train, val = p.data["train_scores"][-1], p.data["val_scores"][-1]
    return train - val, val, p.data["ceiling"] - val


@pytest.mark.parametrize("seed", SEEDS)
def test_label_matches_curve(seed: int) -> None:
    p = problem(seed)
    diagnosis = p.expected[0]
    gap, val, shortfall = end_point(p)
    if diagnosis == "high_variance":
        assert gap >= lc.HIGH_VARIANCE_MIN_GAP
    elif diagnosis == "high_bias":
        assert gap <= lc.HIGH_BIAS_MAX_GAP and shortfall >= lc.HIGH_BIAS_MIN_SHORTFALL
    else:
        assert diagnosis == "good_fit"
        assert gap <= lc.GOOD_FIT_MAX_GAP and shortfall <= lc.GOOD_FIT_MAX_SHORTFALL
    # the picture reads at a glance: every score on the 0-1 axis, sizes growing
    scores = p.data["train_scores"] + p.data["val_scores"]
    assert all(0 <= s <= 1 for s in scores)
    assert p.data["train_sizes"] == sorted(p.data["train_sizes"])


def test_all_labels_and_tasks_are_drawn() -> None:
    seen = {(problem(s).expected[0], problem(s).data["task"]) for s in SEEDS}
    assert seen == {(d, t) for d in lc.DIAGNOSES for t in lc.TASKS}


@pytest.mark.parametrize("task", lc.TASKS)
@pytest.mark.parametrize("diagnosis", lc.DIAGNOSES)
def test_params_pin_the_label(diagnosis: str, task: str) -> None:
    for seed in range(3):
        p = problem(seed, diagnosis, task)
        assert p.expected[0] == diagnosis and p.data["task"] == task
        assert p.params == {"diagnosis": diagnosis, "task": task}
        assert p.data["score_name"] == ("accuracy" if task == "classification" else "r2")
        assert lc.verified_label(p.data["train_scores"][-1], p.data["val_scores"][-1], p.data["ceiling"]) == diagnosis


@pytest.mark.parametrize("seed", SEEDS)
def test_one_step_is_best_as_measured(seed: int) -> None:
    p = problem(seed)
    diagnosis, right = p.expected
    steps = p.data["steps"]
    # one bias fix, one variance fix and ship_it: exactly one fits each diagnosis
    assert len(set(steps) & set(lc.BIAS_FIXES)) == 1 and len(set(steps) & set(lc.VARIANCE_FIXES)) == 1
    assert "ship_it" in steps and right in steps
    expected_kind = {"high_bias": lc.BIAS_FIXES, "high_variance": lc.VARIANCE_FIXES, "good_fit": ("ship_it",)}
    assert right in expected_kind[diagnosis]
    fresh = p.data["fresh_scores"]
    gains = {step: score - fresh["as_is"] for step, score in fresh.items() if step != "as_is"}
    if diagnosis == "good_fit":
        assert all(g < lc.GOOD_FIT_MAX_GAIN for g in gains.values())
    else:
        assert gains[right] >= lc.MIN_FIX_MARGIN
        assert all(gains[right] - g >= lc.MIN_FIX_MARGIN for s, g in gains.items() if s != right)


@pytest.mark.parametrize("seed", range(12))
def test_feedback_quotes_the_measurements(seed: int) -> None:
    p = problem(seed)
    fresh = p.data["fresh_scores"]
    for part in p.parts:
        answer = part.answer
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
        assert all(text.strip() for text in answer.feedback.values())
    gap, val, _ = end_point(p)
    diagnosis_feedback = " ".join(p.parts[0].answer.feedback.values())
    assert f"{val:.2f}" in diagnosis_feedback
    for step, text in p.parts[1].answer.feedback.items():
        if step in fresh:
            assert f"{fresh['as_is']:.2f} as is, {fresh[step]:.2f}" in text
    if p.expected[1] in fresh:
        assert f"{fresh[p.expected[1]]:.2f}" in p.solution


def test_curve_is_sklearn_learning_curve() -> None:
    from sklearn.model_selection import StratifiedKFold, learning_curve
    from sklearn.tree import DecisionTreeClassifier

    process = lc.Process("classification", "sine", 0.2)
    X, y = process.draw(np.random.default_rng(5), 200)
    ours = lc._learning_curve(lc._estimator("tree", "classification", 3), X, y, "classification", 3)
    sizes, train, val = learning_curve(
        DecisionTreeClassifier(random_state=3), X, y, train_sizes=[0.2, 0.4, 0.6, 0.8, 1.0],
        cv=StratifiedKFold(5, shuffle=True, random_state=3), scoring="accuracy")
    assert ours.sizes == tuple(sizes) and np.allclose(ours.train, train.mean(axis=1))
    assert np.allclose(ours.val, val.mean(axis=1))


def test_ceiling_is_the_noise_limit() -> None:
    """1 - flip rate for labels; var(f) / (var(f) + sd²) for R², checked on a big sample."""
    assert lc.Process("classification", "circle", 0.07).ceiling == pytest.approx(0.93)
    process = lc.Process("regression", "bump", 0.3)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200_000, 2))
    truth = lc._regression_target("bump", X)
    y = truth + rng.normal(0, 0.3, len(truth))
    r2_of_truth = 1 - ((y - truth) ** 2).mean() / y.var()
    assert process.ceiling == pytest.approx(r2_of_truth, abs=0.005)


@pytest.mark.parametrize("task", lc.TASKS)
@pytest.mark.parametrize("diagnosis", lc.DIAGNOSES)
def test_fallback_configuration_verifies(diagnosis: str, task: str) -> None:
    instance = lc._fallback(diagnosis, task)
    curve = instance.curve
    assert lc.verified_label(curve.train[-1], curve.val[-1], instance.process.ceiling) == diagnosis
    assert lc.steps_verified(diagnosis, instance.right_step, instance.base_score, instance.effects)


def test_deterministic() -> None:
    for seed in (0, 7, 123):
        first, again = GEN.generate(seed).to_json(), GEN.generate(seed).to_json()
        assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert GEN.generate(1).to_json() != GEN.generate(2).to_json()


def test_figure_and_table_show_the_curve() -> None:
    p = problem(4)
    assert p.figure is not None and p.table is not None
    assert p.figure.y_range == (0.0, 1.0)
    training, validation = p.figure.series
    assert list(training.x) == [float(s) for s in p.data["train_sizes"]]
    assert list(training.y) == p.data["train_scores"] and list(validation.y) == p.data["val_scores"]
    assert [row[0] for row in p.table.rows] == [str(s) for s in p.data["train_sizes"]]
    assert all(isinstance(cell, str) for row in p.table.rows for cell in row)


def test_json_contract() -> None:
    out = problem(9).to_json()
    assert set(out["data"]) >= {"train_sizes", "train_scores", "val_scores", "score_name"}
    assert isinstance(out["expected"], list) and out["expected"][0] in lc.DIAGNOSES
    assert all(isinstance(v, float) for v in out["data"]["val_scores"])
    json.dumps(out)


@pytest.mark.parametrize("seed", range(6))
def test_grading_right_answer_every_way(seed: int) -> None:
    p = problem(seed)
    diagnosis, step = p.expected
    options = [part.answer.options for part in p.parts]
    index = [[o.name for o in opts].index(name) for opts, name in zip(options, p.expected, strict=True)]
    forms = [
        f"{diagnosis}; {step}",
        f"{index[0] + 1}; {index[1] + 1}",
        f"{'abc'[index[0]]}; {'abc'[index[1]]}",
        f"{options[0][index[0]].label}; {options[1][index[1]].label}",
        f"{diagnosis.replace('_', ' ')}; {step.replace('_', '-')}",
    ]
    for text in forms:
        grade = grade_parts(p.parts, text)
        assert not isinstance(grade, Unreadable), text
        assert grade.correct, text


def test_grading_wrong_answer_gets_measured_feedback() -> None:
    p = problem(2, "high_bias", "regression")
    grade = grade_parts(p.parts, "high_variance; ship_it")
    assert not isinstance(grade, Unreadable) and not grade.correct
    assert "Part 1" in grade.feedback and "ceiling" not in grade.expected
    assert f"{p.data['val_scores'][-1]:.2f}" in grade.feedback
    only_first = grade_parts(p.parts, p.expected[0])  # part 1 alone is incomplete, never right
    assert not isinstance(only_first, Unreadable) and not only_first.correct and only_first.incomplete


def test_params_are_validated() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(0, {"diagnosis": "overfit"})
    with pytest.raises(ValidationError):
        GEN.generate(0, {"bogus": 1})


def test_import_does_not_load_sklearn() -> None:
    code = "import sys, generators.learning_curve; print('sklearn' in sys.modules or 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
