"""knn-predict: predictions and distances vs sklearn's KNeighborsClassifier behind StandardScaler; grading."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, get
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("knn-predict")
ROOT = Path(__file__).resolve().parents[2]


def sklearn_predictions(d: dict) -> tuple[str, str]:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, q = np.array(d["x"]), np.array(d["y"]), np.array([d["query"]])
    raw = KNeighborsClassifier(n_neighbors=d["k"]).fit(x, y).predict(q)[0]
    scaled = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=d["k"])).fit(x, y).predict(q)[0]
    return d["classes"][int(raw)], d["classes"][int(scaled)]


def labels(problem) -> list[str]:
    """The class names (option labels) of every part's key."""
    found = []
    for part in problem.parts:
        answer = part.answer
        assert isinstance(answer, ChoiceAnswer)
        found.append(next(o.label for o in answer.options if o.name == answer.correct))
    return found


def textbook_predictions(d: dict) -> tuple[str, str]:
    """Majority vote of the k nearest by plain-Python distances, raw and z-scored with the training stats."""
    n = len(d["x"])
    columns = list(zip(*d["x"], strict=True))
    means = [sum(c) / n for c in columns]
    stds = [math.sqrt(sum((v - m) ** 2 for v in c) / n) for c, m in zip(columns, means, strict=True)]

    def vote(points: list[list[float]], query: list[float]) -> str:
        order = sorted(range(n), key=lambda i: math.dist(points[i], query))
        votes = [d["y"][i] for i in order[: d["k"]]]
        return d["classes"][max(set(votes), key=votes.count)]

    def z(row: list[float]) -> list[float]:
        return [(v - m) / s for v, m, s in zip(row, means, stds, strict=True)]

    return vote(d["x"], d["query"]), vote([z(row) for row in d["x"]], z(d["query"]))


@pytest.mark.parametrize("ask", ["unscaled", "scaled", "both"])
def test_predictions_match_sklearn(ask: str) -> None:
    differ = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        raw, scaled = textbook_predictions(d)
        if seed < 40:  # sklearn fits are slow-ish; the textbook check covers every seed
            assert sklearn_predictions(d) == (raw, scaled)
        assert (d["raw_prediction"], d["scaled_prediction"]) == (raw, scaled)
        expected = {"unscaled": [raw], "scaled": [scaled], "both": [raw, scaled]}[ask]
        assert labels(problem) == expected
        differ += raw != scaled
    assert 70 <= differ <= 130  # scaling changes the prediction in about half the instances


def test_k_param() -> None:
    for k in (1, 3, 5):
        for seed in range(15):
            problem = GEN.generate(seed, {"ask": "both", "k": k})
            assert problem.data["k"] == k and f"k = {k}" in problem.prompt
            raw, scaled = sklearn_predictions(problem.data)
            assert labels(problem) == [raw, scaled]


def test_nearest_distance_matches_sklearn() -> None:
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "nearest-distance"})
        d = problem.data
        x, q = np.array(d["x"]), np.array([d["query"]])
        if seed < 80:  # sklearn's validation is slow-ish; the numpy check below covers every seed
            scaler = StandardScaler().fit(x)
            distance, index = (
                NearestNeighbors(n_neighbors=1).fit(scaler.transform(x)).kneighbors(scaler.transform(q))
            )
            assert problem.expected == pytest.approx(distance[0, 0], abs=1e-9)
            assert d["nearest"] == index[0, 0]
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        zq = (q[0] - x.mean(axis=0)) / x.std(axis=0)
        assert problem.expected == pytest.approx(min(math.dist(row, zq) for row in z), abs=1e-12)
        assert d["raw_nearest"] != d["nearest"]


def test_grading_choices() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "both"})
        a, b = labels(problem)
        flip = {c: next(o for o in problem.data["classes"] if o != c) for c in problem.data["classes"]}
        assert_grades(
            problem, [f"{a}; {b}"], [f"{flip[a]}; {b}", f"{a}; {flip[b]}", f"{flip[a]}; {flip[b]}"], seed
        )
        for part in problem.parts:  # the wrong class's feedback names the neighbours that decide
            assert isinstance(part.answer, ChoiceAnswer)
            assert set(part.answer.feedback) == {o.name for o in part.answer.options} - {part.answer.correct}
            assert "#" in next(iter(part.answer.feedback.values()))
        problem = GEN.generate(seed, {"ask": "scaled"})
        (key,) = labels(problem)
        assert_grades(problem, [key, problem.expected], [flip[key]], seed)


def test_grading_distance() -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": "nearest-distance"})
        d = problem.data
        value = problem.expected
        # Slips: the raw nearest point's standardised distance, and the raw distance itself.
        wrong = [repr(d["raw_nearest_scaled_distance"]), repr(d["raw_distance"]), f"{value + 0.02:.3f}"]
        assert_grades(problem, [repr(value), f"{value:.2f}"], wrong, seed)


@pytest.mark.parametrize(("ask", "part"), [("unscaled", 0), ("scaled", 0), ("both", 1)])
def test_no_shortcut(ask: str, part: int) -> None:
    assert_no_shortcut(GEN, {"ask": ask}, range(300), part=part)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        if problem.data["ask"] == "nearest-distance":
            assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution
        else:
            assert all(f"→ **{key}**" in problem.solution for key in labels(problem))


def test_deterministic_and_mixed() -> None:
    for seed in (0, 3, 808, 2**41):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {
        "unscaled",
        "scaled",
        "both",
        "nearest-distance",
    }
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"k": 2}, {"k": 0}, {"ask": "weighted"}, {"metric": "manhattan"}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "nearest_distance"}).ask == "nearest-distance"


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.knn_predict, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_raw_solution_only_says_the_small_feature_barely_counts_when_true() -> None:
    """Regression: 'They are almost exactly the income gaps: age barely counts' was said even when a point's
    income equalled the new one's, so age alone made its distance (seed 131: income gap 0, distance 22)."""
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "unscaled"})
        d = problem.data
        x, q = np.array(d["x"]), np.array(d["query"])
        raw = np.sqrt(((x - q) ** 2).sum(axis=1))
        gaps = np.abs(x[:, 0] - q[0])
        small_matters = bool(np.any((raw - gaps > 0.5) & (raw - gaps > 0.05 * raw)))
        assert ("barely counts" in problem.solution) != small_matters, seed
