"""learning-curve: labels agree with their curves, measured next steps, determinism, grading, lazy import."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from generators import Problem, get
from generators import learning_curve as lc
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.family_checks import assert_generation_is_light
from tests.generators.instances import generated
from tests.generators.shortcuts import assert_no_shortcut
from tests.generators.sklearn_paths import learning_curve_fit_predict, learning_curve_splitter

GEN = get("learning-curve")
ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(300)  # one cached instance per seed serves every test below and the answer contract's 80
pytestmark = pytest.mark.xdist_group("learning-curve")  # the worker that holds those instances


def problem(seed: int, diagnosis: str | None = None, task: str | None = None) -> Problem:
    """The instance for a seed (and pinned label), from the per-process cache (``instances.py``)."""
    params = {key: value for key, value in (("diagnosis", diagnosis), ("task", task)) if value is not None}
    return generated(GEN, seed, params)


def end_point(p: Problem) -> tuple[float, float, float]:
    """(final gap, final validation score, shortfall below the ceiling), from the problem's data."""
    train, val = p.data["train_scores"][-1], p.data["val_scores"][-1]
    return train - val, val, p.data["ceiling"] - val


def test_label_matches_curve() -> None:
    for seed in SEEDS:
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


def step_from_numbers(d: dict) -> str:
    """The next step, read from the data the way the prompt tells a learner to, with every margin checked."""
    train, val = d["train_scores"][-1], d["val_scores"][-1]
    rise = d["val_scores"][-1] - d["val_scores"][-2]
    target, ceiling = d["target"], d["ceiling"]
    assert target == round(target, 2) and d["rise_min"] == lc.RISE_MIN
    assert abs(val - target) >= 0.01
    if val >= target:
        return "ship_it"
    assert abs(target - ceiling) >= 0.01
    if target > ceiling:
        return "better_labels"
    assert abs(train - target) >= 0.01
    if train < target:
        (bias_fix,) = set(d["steps"]) & {"more_capacity", "better_features"}
        return bias_fix
    assert abs(rise - d["rise_min"]) >= 0.005
    return "more_data" if rise >= d["rise_min"] else "more_regularisation"


def test_next_step_follows_the_numbers() -> None:
    """More rows only while validation still rises by the stated amount; ship only at the target; better labels
    only when the target is above the ceiling; a bias fix only when even training misses the target."""
    for seed in SEEDS:
        p = problem(seed)
        d = p.data
        assert p.expected[1] == step_from_numbers(d), seed
        rise = d["val_scores"][-1] - d["val_scores"][-2]
        if p.expected[1] == "more_data":
            assert rise >= d["rise_min"] and d["train_scores"][-1] > d["target"] > d["val_scores"][-1]
        # five steps, one of each kind, shuffled
        assert len(d["steps"]) == 5 and len(set(d["steps"]) & set(lc.BIAS_FIXES)) == 1


def test_every_step_is_common_and_not_fixed_by_the_diagnosis() -> None:
    keys = Counter(problem(s).expected[1] for s in SEEDS)
    assert set(keys) == set(lc.STEPS)
    assert max(keys.values()) <= 0.32 * len(SEEDS)
    by_diagnosis: dict[str, set[str]] = {}
    for s in SEEDS:
        by_diagnosis.setdefault(problem(s).expected[0], set()).add(problem(s).expected[1])
    assert all(len(steps) >= 2 for steps in by_diagnosis.values())
    positions = Counter(problem(s).data["steps"].index(problem(s).expected[1]) for s in SEEDS)
    assert max(positions.values()) <= 0.3 * len(SEEDS)


def test_explanations_agree_with_the_numbers() -> None:
    for seed in SEEDS:
        p = problem(seed)
        d = p.data
        val, target = d["val_scores"][-1], d["target"]
        rise = d["val_scores"][-1] - d["val_scores"][-2]
        texts = [p.solution, *p.parts[1].answer.feedback.values()]
        for text in texts:
            assert ("meets the" in text) <= (val >= target)
            assert ("is below the" in text and "target" in text) <= (val < target) or "Training" in text
            if "over the last step" in text:
                if rise > 0:
                    assert f"validation rose by {rise:.3f}" in text.lower()
                elif rise < 0:
                    assert f"validation fell by {-rise:.3f}" in text.lower()
            assert ("still climbing" in text) <= (rise >= lc.RISE_MIN)
            assert ("has stalled" in text) <= (rise < lc.RISE_MIN)
            assert ("no model can reach it" in text) <= (target > d["ceiling"])
        assert f"**{target:.2f}**" in p.prompt and str(lc.RISE_MIN) in p.prompt


@pytest.mark.parametrize("part", [0, 1])
def test_no_shortcut(part: int) -> None:
    assert_no_shortcut(GEN, {}, SEEDS, part=part)


def test_all_labels_and_tasks_are_drawn() -> None:
    seen = {(problem(s).expected[0], problem(s).data["task"]) for s in SEEDS}
    assert seen == {(d, t) for d in lc.DIAGNOSES for t in lc.TASKS}


@pytest.mark.parametrize("task", lc.TASKS)
@pytest.mark.parametrize("diagnosis", lc.DIAGNOSES)
def test_params_pin_the_label(diagnosis: str, task: str) -> None:
    steps = set()
    for seed in range(6):
        p = problem(seed, diagnosis, task)
        assert p.expected[0] == diagnosis and p.data["task"] == task
        assert p.params == {"diagnosis": diagnosis, "task": task}
        assert p.data["score_name"] == ("accuracy" if task == "classification" else "r2")
        assert (
            lc.verified_label(p.data["train_scores"][-1], p.data["val_scores"][-1], p.data["ceiling"])
            == diagnosis
        )
        assert p.expected[1] == step_from_numbers(p.data)
        steps.add(p.expected[1])
    assert len(steps) >= 2  # a pinned diagnosis does not pin the step


def test_feedback_for_every_wrong_option() -> None:
    for seed in range(40):
        p = problem(seed)
        for part in p.parts:
            answer = part.answer
            assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
            assert all(text.strip() for text in answer.feedback.values())
        _, val, _ = end_point(p)
        assert f"{val:.2f}" in " ".join(p.parts[0].answer.feedback.values())
        assert f"{p.data['target']:.2f}" in " ".join(p.parts[1].answer.feedback.values())


SKLEARN_TWINS = {
    "logistic": lambda task: LogisticRegression(tol=1e-10, max_iter=10_000),  # the exact optimum, as ours
    "linear": lambda task: LinearRegression(),
    "stump": lambda task: (DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor)(
        max_depth=1, random_state=3
    ),
    "tree7": lambda task: (DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor)(
        max_depth=7, random_state=3
    ),
    "tree": lambda task: (DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor)(
        random_state=3
    ),
    "1nn": lambda task: (KNeighborsClassifier if task == "classification" else KNeighborsRegressor)(1),
    "knn3": lambda task: (KNeighborsClassifier if task == "classification" else KNeighborsRegressor)(3),
    "knn15": lambda task: (KNeighborsClassifier if task == "classification" else KNeighborsRegressor)(15),
}


@pytest.mark.parametrize("recipe", lc.RECIPES, ids=lambda r: f"{r.model}-{r.task}-{r.diagnosis}")
def test_curve_is_sklearn_learning_curve(recipe: lc.Recipe) -> None:
    """The numpy models and the fold loop give scikit-learn's ``learning_curve`` numbers."""
    from sklearn.model_selection import KFold, StratifiedKFold, learning_curve

    process = lc.Process(recipe.task, recipe.rules[0], 0.1 if recipe.task == "classification" else 0.3)
    X, y = process.draw(np.random.default_rng(5), 203)  # not a multiple of 5: uneven folds
    ours = lc.learning_curve(recipe.model, X, y, recipe.task, 3)
    splitter = (StratifiedKFold if recipe.task == "classification" else KFold)(
        5, shuffle=True, random_state=3
    )
    sizes, train, val = learning_curve(
        SKLEARN_TWINS[recipe.model](recipe.task),
        X,
        y,
        train_sizes=[0.2, 0.4, 0.6, 0.8, 1.0],
        cv=splitter,
        scoring="accuracy" if recipe.task == "classification" else "r2",
    )
    assert ours.sizes == tuple(sizes)
    assert np.allclose(ours.train, train.mean(axis=1), atol=1e-6)
    assert np.allclose(ours.val, val.mean(axis=1), atol=1e-6)


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


@pytest.mark.parametrize(
    ("diagnosis", "task", "kind"),
    [(d, t, k) for d in lc.DIAGNOSES for t in lc.TASKS for k in lc.STEP_WEIGHTS[d]],
)
def test_fallback_configuration_verifies(diagnosis: str, task: str, kind: str) -> None:
    instance = lc.fallback(diagnosis, task, kind)
    curve = instance.curve
    assert lc.verified_label(curve.train[-1], curve.val[-1], instance.process.ceiling) == diagnosis
    reading = (curve.train[-1], curve.val[-1], curve.last_rise, instance.target, instance.process.ceiling)
    assert lc.step_for(*reading) == kind and lc.clear_reading(*reading)


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
        f"{'abc'[index[0]]}; {'abcde'[index[1]]}",
        f"{options[0][index[0]].label}; {options[1][index[1]].label}",
        f"{diagnosis.replace('_', ' ')}; {step.replace('_', '-')}",
    ]
    for text in forms:
        grade = grade_parts(p.parts, text)
        assert not isinstance(grade, Unreadable), text
        assert grade.correct, text


def test_grading_wrong_answer_gets_feedback_with_numbers() -> None:
    p = problem(2, "high_bias", "regression")
    wrong_step = next(s for s in p.data["steps"] if s != p.expected[1])
    grade = grade_parts(p.parts, f"high_variance; {wrong_step}")
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


def test_instances_are_those_sklearn_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy trees (generators._tree) and folds (generators._splits) make, seed by seed, the very instances
    scikit-learn's trees and (Stratified)KFold made: the same redraws, curves (every float), targets, steps and
    text."""
    seeds = range(120)
    ours = [problem(seed).to_json() for seed in seeds]
    monkeypatch.setattr(lc, "fit_predict", learning_curve_fit_predict)
    monkeypatch.setattr(lc, "_splitter", learning_curve_splitter)
    assert [GEN.generate(seed).to_json() for seed in seeds] == ours


def test_generating_does_not_import_sklearn() -> None:
    """Every diagnosis and task is made without scikit-learn or scipy (~90 MB of a drill session)."""
    assert_generation_is_light(
        "learning-curve",
        [
            (seed, {"diagnosis": diagnosis, "task": task})
            for diagnosis in ("high_bias", "high_variance", "good_fit")
            for task in ("classification", "regression")
            for seed in range(3)
        ],
    )


def test_import_does_not_load_sklearn() -> None:
    code = "import sys, generators.learning_curve; print('sklearn' in sys.modules or 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
