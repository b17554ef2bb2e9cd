"""cv-scheme: the measured feedback agrees with an independent recount on the scenario's data.

Each test rebuilds the instance's data from ``data_seed`` and the splitters from scikit-learn itself
(with the conventions the module documents), then recounts leaked groups, positives per fold,
future-trained test rows, estimates... and checks the numbers quoted to the user.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn import model_selection as ms
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsClassifier

from generators import Problem, get
from generators import cv_scheme as cv
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.family_checks import assert_generation_is_light
from tests.generators.instances import generated
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("cv-scheme")
ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(4)
# The default-params instances (seeds 0-299) are built once per worker and shared by the shortcut check,
# the scenario-coverage check and the answer contract (instances.py).
pytestmark = pytest.mark.xdist_group("cv-scheme")


@cache
def problem(seed: int, scenario: str | None = None, n_splits: int = 5) -> Problem:
    return GEN.generate(seed, {"scenario": scenario, "n_splits": n_splits})


def rebuild(p: Problem) -> cv.Dataset:
    return cv.build_dataset(p.data["scenario"], p.data["data_seed"], p.data["n_splits"])


def feedback(p: Problem) -> dict[str, str]:
    return p.parts[0].answer.feedback


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?", text)


def kfold(p: Problem) -> ms.KFold:
    return ms.KFold(p.data["n_splits"], shuffle=True, random_state=p.data["split_seed"])


def leak_recount(splits, groups: np.ndarray) -> tuple[list[tuple[int, int]], int]:
    """Per fold (test groups seen in training, test groups), and groups on both sides anywhere."""
    per_fold, both = [], set()
    for train, test in splits:
        train_groups, test_groups = set(groups[train].tolist()), set(groups[test].tolist())
        per_fold.append((len(test_groups & train_groups), len(test_groups)))
        both |= test_groups & train_groups
    return per_fold, len(both)


def check_leak_sentence(text: str, splits, groups: np.ndarray) -> None:
    per_fold, both = leak_recount(splits, groups)
    match = re.search(
        r"rows of (\d+) of (\d+) test \w+ into training \(fold (\d+)\); over all (\d+) folds, "
        r"(\d+) of (\d+)",
        text,
    )
    assert match, text
    leaked, tested, fold, folds, straddling, total = map(int, match.groups())
    assert (leaked, tested) == per_fold[fold - 1]
    assert leaked == max(a for a, _ in per_fold)
    assert folds == len(per_fold) and straddling == both and total == len(np.unique(groups))


# -- every scenario ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_splits", [3, 5, 10])
@pytest.mark.parametrize("scenario", cv.SCENARIOS)
def test_every_scenario_and_fold_count(scenario: str, n_splits: int) -> None:
    p = problem(0, scenario, n_splits)
    answer = p.parts[0].answer
    assert p.expected == cv.RIGHT[scenario]
    assert [o.name for o in answer.options] == list(cv.OPTIONS)
    assert set(answer.feedback) == set(cv.OPTIONS) - {p.expected}
    for name, text in answer.feedback.items():
        assert numbers(text) or "ValueError" in text, (name, text)  # measured, never canned
    assert p.data["scenario"] == scenario and p.data["n_splits"] == n_splits
    assert f"**{cv.OPTIONS[p.expected]}**" in p.solution and "Interview insight" in p.solution
    assert ";" not in "".join(o.label for o in answer.options)  # ';' separates answers on the CLI


def test_random_scenarios_cover_everything() -> None:
    assert {generated(GEN, seed).data["scenario"] for seed in range(40)} == set(cv.SCENARIOS)


def test_no_shortcut() -> None:
    """The prompt's words are the same for every scenario; what decides is in the data sheet's values."""
    assert_no_shortcut(GEN, {}, range(300))


@pytest.mark.parametrize("scenario", cv.SCENARIOS)
def test_data_sheet_states_every_fact(scenario: str) -> None:
    """Every sheet has the same keys, so no key (dates, ids, target, tuning, cost) gives the scheme away;
    the values agree with the rebuilt data."""
    p = problem(3, scenario)
    ds = rebuild(p)
    sheet = dict(p.table.rows)
    keys = [key for key, _ in p.table.rows]
    assert keys == [
        "rows",
        ds.story["who"],
        "dates",
        "target",
        "model",
        "used on",
        "tuned",
        "one fit takes",
        "you need",
    ]
    assert f"{ds.n_rows:,}" in sheet["rows"]
    if scenario in ("grouped", "grouped_imbalanced"):
        assert sheet[ds.story["who"]].startswith(f"{ds.n_groups:,} distinct")
        assert ds.n_groups < ds.n_rows
    elif scenario == "grouped_time":
        assert (
            sheet[ds.story["who"]]
            == f"{ds.n_groups:,} distinct, {ds.n_rows // ds.n_groups} {ds.story['rows']} each"
        )
    elif scenario != "time_ordered":
        assert sheet[ds.story["who"]].startswith(f"{ds.n_rows:,} distinct, 1 ")
    if ds.positives is not None and scenario not in ("time_ordered", "grouped_time"):
        assert f"{ds.positives} of {ds.n_rows:,} positive" in sheet["target"]
    assert ("in date order" in sheet["dates"]) == (scenario in ("time_ordered", "grouped_time"))
    assert ("chosen from" in sheet["tuned"]) == (scenario == "tuning")


@pytest.mark.parametrize("scenario", cv.SCENARIOS)
def test_feedback_changes_with_the_instance(scenario: str) -> None:
    first, second = problem(0, scenario), problem(1, scenario)
    assert feedback(first) != feedback(second)


# -- independent recounts ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_leaks_recounted(seed: int) -> None:
    p = problem(seed, "grouped")
    ds = rebuild(p)
    assert ds.n_rows == p.data["n_rows"] and ds.n_groups == p.data["n_groups"]
    X = np.zeros((ds.n_rows, 1))
    check_leak_sentence(feedback(p)["KFold"], list(kfold(p).split(X)), ds.groups)
    check_leak_sentence(feedback(p)["nested"], list(kfold(p).split(X)), ds.groups)
    check_leak_sentence(feedback(p)["TimeSeriesSplit"], list(ms.TimeSeriesSplit(5).split(X)), ds.groups)
    holdout = ms.ShuffleSplit(1, test_size=0.2, random_state=p.data["split_seed"])
    per_fold, _ = leak_recount(list(holdout.split(X)), ds.groups)
    assert f"rows of {per_fold[0][0]} of its {per_fold[0][1]} test" in feedback(p)["holdout"]
    # the right answer really keeps every group whole
    gkf, _ = leak_recount(list(ms.GroupKFold(5).split(X, groups=ds.groups)), ds.groups)
    assert all(a == 0 for a, _ in gkf)
    # the numeric target really makes the stratified splitters fail, with this message
    with pytest.raises(ValueError) as error:
        list(ms.StratifiedKFold(5).split(X, ds.y))
    assert str(error.value) in feedback(p)["StratifiedKFold"]
    with pytest.raises(ValueError) as error:
        list(ms.StratifiedGroupKFold(5).split(X, ds.y, ds.groups))
    assert str(error.value) in feedback(p)["StratifiedGroupKFold"]
    multi = {g for g, c in zip(*np.unique(ds.groups, return_counts=True), strict=True) if c > 1}
    leaking = sum(1 for g in ds.groups if g in multi)
    assert f"{leaking:,} of {ds.n_rows:,} folds leak" in feedback(p)["LeaveOneOut"]


@pytest.mark.parametrize("seed", SEEDS)
def test_time_ordered_future_recounted(seed: int) -> None:
    p = problem(seed, "time_ordered")
    ds = rebuild(p)
    X = np.zeros((ds.n_rows, 1))

    def future(splits) -> list[int]:
        return [sum(1 for t in test if (train > t).any()) for train, test in splits]

    def check(text: str, splits) -> None:
        scored = future(splits)
        match = re.search(r"in (\d+) of (\d+) folds: ([\d,]+) of ([\d,]+) test", text)
        assert match, text
        folds, total, m, tested = (int(g.replace(",", "")) for g in match.groups())
        assert folds == sum(1 for s in scored if s) and total == len(splits)
        assert m == sum(scored) and tested == sum(len(t) for _, t in splits)

    check(feedback(p)["KFold"], list(kfold(p).split(X)))
    stratified = ms.StratifiedKFold(5, shuffle=True, random_state=p.data["split_seed"])
    check(feedback(p)["StratifiedKFold"], list(stratified.split(X, ds.y)))
    check(feedback(p)["GroupKFold"], list(ms.GroupKFold(5).split(X, ds.y, np.arange(ds.n_rows) // 30)))
    assert future(ms.TimeSeriesSplit(5).split(X)) == [0] * 5
    assert f"in {ds.n_rows - 1:,} of {ds.n_rows:,} folds" in feedback(p)["LeaveOneOut"]
    assert p.data["positive_rate"] == pytest.approx(ds.y.mean())


@pytest.mark.parametrize("n_splits", [3, 5, 10])
def test_grouped_time_future_recounted(n_splits: int) -> None:
    """Panel rows (one per group per day, date order): shuffled and group splitters train on later days,
    TimeSeriesSplit never does, and its blocks are whole days."""
    p = problem(n_splits, "grouped_time", n_splits)
    ds = rebuild(p)
    X = np.zeros((ds.n_rows, 1))
    days = np.arange(ds.n_rows) // ds.n_groups
    assert (ds.groups == np.tile(np.arange(ds.n_groups), ds.n_rows // ds.n_groups)).all()

    def future(splits) -> list[int]:
        return [sum(1 for t in test if days[t] < days[train].max()) for train, test in splits]

    def check(text: str, splits) -> None:
        scored = future(splits)
        match = re.search(r"in (\d+) of (\d+) folds: ([\d,]+) of ([\d,]+) test rows", text)
        assert match, text
        folds, total, m, tested = (int(g.replace(",", "")) for g in match.groups())
        assert folds == sum(1 for v in scored if v) and total == len(splits)
        assert m == sum(scored) and tested == sum(len(t) for _, t in splits)

    check(feedback(p)["KFold"], list(kfold(p).split(X)))
    check(feedback(p)["GroupKFold"], list(ms.GroupKFold(n_splits).split(X, ds.y, ds.groups)))
    tss = list(ms.TimeSeriesSplit(n_splits).split(X))
    assert future(tss) == [0] * n_splits
    for train, test in tss:  # no day on both sides
        assert not set(days[train]) & set(days[test])
    assert p.expected == "TimeSeriesSplit"


@pytest.mark.parametrize("seed", SEEDS)
def test_imbalanced_positives_recounted(seed: int) -> None:
    p = problem(seed, "imbalanced")
    ds = rebuild(p)
    X = np.zeros((ds.n_rows, 1))
    k_pos = [int(ds.y[test].sum()) for _, test in kfold(p).split(X)]
    stratified = ms.StratifiedKFold(5, shuffle=True, random_state=p.data["split_seed"])
    s_pos = [int(ds.y[test].sum()) for _, test in stratified.split(X, ds.y)]
    text = feedback(p)["KFold"]
    assert (
        f"hold {', '.join(map(str, k_pos))} positives (StratifiedKFold: {', '.join(map(str, s_pos))})" in text
    )
    assert max(s_pos) - min(s_pos) <= 1  # the right answer deals positives out evenly
    assert min(k_pos) == 0 or min(k_pos) <= min(s_pos) - 2  # and the failure shows
    with pytest.raises(ValueError) as error:
        list(ms.GroupKFold(5).split(X, ds.y))
    assert str(error.value) in feedback(p)["GroupKFold"]
    holdout = ms.ShuffleSplit(1, test_size=0.2, random_state=p.data["split_seed"])
    held = int(ds.y[next(holdout.split(X))[1]].sum())
    assert f"holds {held} of the {int(ds.y.sum())} positives" in feedback(p)["holdout"]


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_imbalanced_recounted(seed: int) -> None:
    p = problem(seed, "grouped_imbalanced")
    ds = rebuild(p)
    X = np.zeros((ds.n_rows, 1))
    g_pos = [int(ds.y[test].sum()) for _, test in ms.GroupKFold(5).split(X, ds.y, ds.groups)]
    assert f"({', '.join(map(str, g_pos))} positives)" in feedback(p)["GroupKFold"]
    stratified = ms.StratifiedKFold(5, shuffle=True, random_state=p.data["split_seed"])
    check_leak_sentence(feedback(p)["StratifiedKFold"], list(stratified.split(X, ds.y)), ds.groups)
    check_leak_sentence(feedback(p)["KFold"], list(kfold(p).split(X)), ds.groups)
    sgkf = ms.StratifiedGroupKFold(5, shuffle=True, random_state=p.data["split_seed"])
    splits = list(sgkf.split(X, ds.y, ds.groups))
    assert all(a == 0 for a, _ in leak_recount(splits, ds.groups)[0])
    g_rates = [ds.y[t].mean() for _, t in ms.GroupKFold(5).split(X, ds.y, ds.groups)]
    s_rates = [ds.y[t].mean() for _, t in splits]
    assert max(g_rates) - min(g_rates) >= 2 * (max(s_rates) - min(s_rates))


@pytest.mark.parametrize("seed", SEEDS)
def test_tiny_estimates_recounted_with_sklearn(seed: int) -> None:
    p = problem(seed, "tiny")
    ds = rebuild(p)
    predictions = ms.cross_val_predict(LinearRegression(), ds.X, ds.y, cv=ms.LeaveOneOut())
    loo = float(np.mean((ds.y - predictions) ** 2))
    assert p.data["measured"]["LeaveOneOut"]["mse"] == pytest.approx(loo, rel=1e-9)
    assert f"MSE = {cv.fmt(loo, 1)}" in p.solution
    kfold_mse = []
    for s in p.data["measured"]["reshuffle_seeds"]:
        folds = ms.KFold(5, shuffle=True, random_state=s)
        kfold_mse.append(
            float(np.mean((ds.y - ms.cross_val_predict(LinearRegression(), ds.X, ds.y, cv=folds)) ** 2))
        )
    assert p.data["measured"]["KFold"]["mse_range"] == pytest.approx(
        [min(kfold_mse), max(kfold_mse)], rel=1e-9
    )
    assert f"{cv.fmt(min(kfold_mse), 1)}–{cv.fmt(max(kfold_mse), 1)}" in feedback(p)["KFold"]
    first_train = len(next(ms.TimeSeriesSplit(5).split(ds.X))[0])
    assert f"trains on only {first_train} rows" in feedback(p)["TimeSeriesSplit"]


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_plain_spread_recounted_with_sklearn(seed: int) -> None:
    p = problem(seed, "plain")
    ds = rebuild(p)
    seeds = p.data["measured"]["reshuffle_seeds"]
    kfold_r2 = [
        ms.cross_val_score(
            LinearRegression(), ds.X, ds.y, cv=ms.KFold(5, shuffle=True, random_state=s)
        ).mean()
        for s in seeds
    ]
    holdout_r2 = [
        ms.cross_val_score(
            LinearRegression(), ds.X, ds.y, cv=ms.ShuffleSplit(1, test_size=0.2, random_state=s)
        ).mean()
        for s in seeds
    ]
    text = feedback(p)["holdout"]
    assert (
        f"{min(holdout_r2):.3f}–{max(holdout_r2):.3f}, against {min(kfold_r2):.3f}–{max(kfold_r2):.3f}"
        in text
    )
    assert max(holdout_r2) - min(holdout_r2) >= 2 * (max(kfold_r2) - min(kfold_r2))


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_tuning_optimism_recounted_with_sklearn(seed: int) -> None:
    p = problem(seed, "tuning")
    ds = rebuild(p)
    stratified = ms.StratifiedKFold(5, shuffle=True, random_state=p.data["split_seed"])
    scores = [
        ms.cross_val_score(KNeighborsClassifier(n_neighbors=k), ds.X, ds.y, cv=stratified).mean()
        for k in cv.KNN_GRID
    ]
    best = max(scores)
    assert p.data["measured"]["StratifiedKFold"]["best_of_grid"] == pytest.approx(best, abs=1e-12)
    fresh = float(re.search(r"the tuned model scores (0\.\d+)", feedback(p)["StratifiedKFold"]).group(1))
    assert (
        f"best of {len(cv.KNN_GRID)} scores from the same folds that picked k: {best:.3f}"
        in feedback(p)["StratifiedKFold"]
    )
    nested = p.data["measured"]["nested"]["estimate"]
    assert best - fresh >= 0.03 - 0.001  # optimism shows...
    assert abs(nested - fresh) < best - fresh  # ...and nested CV is closer to the truth
    loo = [
        ms.cross_val_score(KNeighborsClassifier(n_neighbors=k), ds.X, ds.y, cv=ms.LeaveOneOut()).mean()
        for k in cv.KNN_GRID[::9]
    ]
    assert max(loo) <= p.data["measured"]["LeaveOneOut"]["best_of_grid"] + 1e-12


@pytest.mark.parametrize(("seed", "n_splits"), [(10043, 10), (1, 3)])
def test_nested_estimate_is_gridsearchcv(seed: int, n_splits: int) -> None:
    """cross_val_score(GridSearchCV(...)) with the documented splitters gives the nested estimate we quote.

    Seed 10043 with 10 folds has an inner-CV tie between k = 5 and k = 15 that GridSearchCV breaks by its
    float means; picking by a differently summed mean once chose the other k (0.505 instead of 0.531).
    """
    p = problem(seed, "tuning", n_splits)
    ds = rebuild(p)
    outer = ms.StratifiedKFold(n_splits, shuffle=True, random_state=p.data["split_seed"])
    inner = ms.StratifiedKFold(n_splits, shuffle=True, random_state=p.data["split_seed"] + 1)
    search = ms.GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(cv.KNN_GRID)}, cv=inner)
    expected = ms.cross_val_score(search, ds.X, ds.y, cv=outer).mean()
    assert p.data["measured"]["nested"]["estimate"] == pytest.approx(expected, abs=1e-12)
    assert f"{expected:.3f}" in p.solution


def test_numpy_stand_ins_match_sklearn() -> None:
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(150, 10)), rng.integers(0, 2, 150)
    X_test, y_test = rng.normal(size=(60, 10)), rng.integers(0, 2, 60)
    ours = cv._knn_accuracy(X, y, X_test, y_test)
    for i, k in enumerate(cv.KNN_GRID):
        assert ours[i] == KNeighborsClassifier(n_neighbors=k).fit(X, y).score(X_test, y_test)
    loo = cv._knn_accuracy(X, y, X, y, exclude_self=True)
    for i in (0, 7, 19):
        k = cv.KNN_GRID[i]
        assert loo[i] == pytest.approx(
            ms.cross_val_score(KNeighborsClassifier(n_neighbors=k), X, y, cv=ms.LeaveOneOut()).mean()
        )
    target = X @ rng.normal(size=10) + rng.normal(size=150)
    assert np.allclose(cv.ols_predict(X, target, X_test), LinearRegression().fit(X, target).predict(X_test))


def test_big_interval_recounted() -> None:
    p = problem(0, "big")
    n_test = math.ceil(0.2 * p.data["n_rows"])
    need = dict(p.table.rows)["you need"]
    accuracy = float(re.search(r"accuracy \(about (0\.\d+)", need).group(1))
    half = 1.96 * math.sqrt(accuracy * (1 - accuracy) / n_test)
    assert f"±{half:.4f}" in p.solution and f"{n_test:,} test rows" in p.solution
    assert f"{p.data['n_rows']:,} training runs" in feedback(p)["LeaveOneOut"]


# -- determinism, grading, import ---------------------------------------------------------------------


def test_deterministic() -> None:
    for seed in (0, 5, 77):
        first, again = GEN.generate(seed).to_json(), GEN.generate(seed).to_json()
        assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert (
        GEN.generate(0, {"scenario": "grouped"}).to_json()
        != GEN.generate(1, {"scenario": "grouped"}).to_json()
    )


@pytest.mark.parametrize("scenario", cv.SCENARIOS)
def test_grading_right_answer_every_way(scenario: str) -> None:
    p = problem(2, scenario)
    options = p.parts[0].answer.options
    index = [o.name for o in options].index(p.expected)
    for text in (p.expected, str(index + 1), "abcdefgh"[index], options[index].label, p.expected.lower()):
        grade = grade_parts(p.parts, text)
        assert not isinstance(grade, Unreadable), text
        assert grade.correct, text


def test_grading_wrong_answer_explains_what_went_wrong() -> None:
    p = problem(1, "grouped")
    grade = grade_parts(p.parts, "KFold")
    assert not isinstance(grade, Unreadable) and not grade.correct
    assert feedback(p)["KFold"] in grade.feedback and grade.expected == cv.OPTIONS["GroupKFold"]


def test_params_are_validated() -> None:
    for bad in ({"n_splits": 2}, {"n_splits": 11}, {"scenario": "random"}, {"folds": 5}):
        with pytest.raises(ValidationError):
            GEN.generate(0, bad)


def test_json_is_compact_and_serialisable() -> None:
    for scenario in cv.SCENARIOS:
        out = problem(0, scenario).to_json()
        assert out["expected"] == cv.RIGHT[scenario]
        assert len(json.dumps(out)) < 20_000


def test_import_does_not_load_sklearn() -> None:
    code = "import sys, generators.cv_scheme; print('sklearn' in sys.modules or 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_instances_are_those_sklearn_splitters_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy splitters (generators._splits) make, seed by seed, the very instances scikit-learn's
    splitters made: the same redraws, prompt, data sheet, feedback with every measured number and error
    message, solution and data."""
    seeds = range(120)
    ours = [generated(GEN, seed).to_json() for seed in seeds]
    # make_splitter names its classes through the module it reads them from: scikit-learn's under the same
    # names, so the option -> splitter mapping itself runs on both sides.
    monkeypatch.setattr(cv, "_splits", ms)
    assert [GEN.generate(seed).to_json() for seed in seeds] == ours


def test_generating_does_not_import_sklearn() -> None:
    """Every scenario at every fold count is made without scikit-learn or scipy (~90 MB of a session)."""
    assert_generation_is_light(
        "cv-scheme",
        [(0, {"scenario": scenario, "n_splits": k}) for scenario in cv.SCENARIOS for k in (3, 10)],
    )


@pytest.mark.parametrize("scenario", ["imbalanced", "grouped_imbalanced", "tuning", "plain"])
def test_fallback_verifies_for_every_fold_count(scenario: str) -> None:
    for k in range(3, 11):
        instance = cv.fallback(scenario, k)
        assert instance.ds.scenario == scenario
        assert cv._shows(scenario, instance.ds, k, instance.split_seed)
