"""kmeans-step: numpy Lloyd step vs sklearn KMeans, silhouettes vs sklearn and the textbook; grading; imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import generators.kmeans_step as kmeans_step
from generators import ChoiceAnswer, get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades
from tests.generators.library_paths import assert_same_instances_as_library
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("kmeans-step")
ROOT = Path(__file__).resolve().parents[2]


def dist(a: list[float], b: list[float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def nearest(point: list[float], centroids: list[list[float]]) -> tuple[int, float]:
    """Index of the nearest centroid and its margin over the runner-up."""
    ds = sorted((dist(point, c), j) for j, c in enumerate(centroids))
    return ds[0][1], ds[1][0] - ds[0][0]


def textbook_lloyd(
    points: list[list[float]], centroids: list[list[float]]
) -> tuple[list, list[int], list[int]]:
    first = [nearest(p, centroids)[0] for p in points]
    updated = []
    for j in range(len(centroids)):
        members = [p for p, label in zip(points, first, strict=True) if label == j]
        updated.append([sum(p[0] for p in members) / len(members), sum(p[1] for p in members) / len(members)])
    return updated, first, [nearest(p, updated)[0] for p in points]


@pytest.mark.parametrize("k", [None, 2, 3])
@pytest.mark.parametrize("ask", ["centroid", "assignment"])
def test_lloyd_step_matches_textbook(ask: str, k: int | None) -> None:
    switched = 0
    for seed in range(200 if k is None else 100):  # k=None covers both k values; pinned k needs fewer seeds
        params = {"ask": ask} | ({"k": k} if k else {})
        problem = GEN.generate(seed, params)
        d = problem.data
        if k:
            assert d["k"] == k
        points, init = d["points"], d["initial_centroids"]
        updated, first, second = textbook_lloyd(points, init)
        names = [f"C{j + 1}" for j in range(d["k"])]
        assert d["first_assignment"] == [names[j] for j in first]
        assert np.allclose(d["updated_centroids"], updated, atol=1e-12)
        for p in points:  # no ties, before or after the update
            assert nearest(p, init)[1] >= 0.3 and nearest(p, updated)[1] >= 0.3
        if ask == "centroid":
            j = names.index(d["centroid"])
            assert problem.expected == pytest.approx(updated[j]["xy".index(d["axis"])], abs=1e-12)
        else:
            i = int(d["point"][1:]) - 1
            assert problem.expected == names[second[i]]
            switched += first[i] != second[i]
    if ask == "assignment" and k is None:
        assert switched >= 40  # the instructive case (a point that changes cluster) is asked often


def sklearn_lloyd_step(points: np.ndarray, centroids: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The same step by ``sklearn.cluster.KMeans(init=centroids, n_init=1, max_iter=1)``.

    sklearn re-runs the assignment after the last update, so its ``labels_`` are the next assignments too.
    The generator does not use it: its OpenMP start-up costs ~30 ms per fit on a busy machine, numpy 50 µs.
    """
    from sklearn.cluster import KMeans

    model = KMeans(
        n_clusters=len(centroids), init=centroids, n_init=1, max_iter=1, algorithm="lloyd", random_state=seed
    ).fit(points)
    return model.cluster_centers_, model.labels_


def test_lloyd_step_matches_sklearn_kmeans() -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # OpenMP start-up per tiny fit is slow on a busy machine
        for seed in range(80):
            d = GEN.generate(seed, {"ask": "centroid" if seed % 2 else "assignment"}).data
            centres, labels = sklearn_lloyd_step(
                np.array(d["points"]), np.array(d["initial_centroids"]), seed
            )
            assert np.allclose(centres, d["updated_centroids"], atol=1e-9)
            _, _, second = textbook_lloyd(d["points"], d["initial_centroids"])
            assert labels.tolist() == second


def textbook_silhouette(points: list[list[float]], labels: list[str], i: int) -> float:
    own = labels[i]
    a_d = [dist(points[i], p) for j, p in enumerate(points) if labels[j] == own and j != i]
    a = sum(a_d) / len(a_d)
    b = min(
        sum(dist(points[i], p) for j, p in enumerate(points) if labels[j] == other)
        / sum(1 for label in labels if label == other)
        for other in set(labels) - {own}
    )
    return (b - a) / max(a, b)


def test_silhouette_matches_textbook() -> None:
    for seed in range(250):
        problem = GEN.generate(seed, {"ask": "silhouette"})
        d = problem.data
        i = int(d["point"][1:]) - 1
        assert problem.expected == pytest.approx(textbook_silhouette(d["points"], d["labels"], i), abs=1e-12)
        sizes = {label: d["labels"].count(label) for label in d["labels"]}
        assert min(sizes.values()) >= 2 and len(sizes) == d["k"]
        # The distance column is what the formula needs, to 3 decimals.
        column = [row[-1] for row in problem.table.rows]
        assert column[i] == "—"
        for j, text in enumerate(column):
            if j != i:
                assert float(text) == pytest.approx(dist(d["points"][i], d["points"][j]), abs=6e-4)


def test_silhouettes_same_floats_as_sklearn() -> None:
    """Random point sets (integer grids like the generator's, and continuous ones), 2-4 clusters, some of
    one point: every s(i) equals ``silhouette_samples``'s bit for bit."""
    from sklearn.metrics import silhouette_samples

    rng = np.random.default_rng(2024)
    for trial in range(300):
        n = int(rng.integers(4, 16))
        k = int(rng.integers(2, min(4, n - 1) + 1))
        points = (
            rng.integers(0, 11, size=(n, 2)).astype(float) if trial % 2 else rng.normal(0, 5, size=(n, 2))
        )
        labels = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
        rng.shuffle(labels)
        ours = kmeans_step.silhouettes(points, labels)
        theirs = silhouette_samples(points, labels)
        assert ours.tolist() == theirs.tolist(), (points, labels)


def test_instances_same_as_with_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    """240 silhouette questions built with sklearn's silhouette_samples are the ones the family builds."""
    from sklearn.metrics import silhouette_samples

    cases = [
        (seed, {"ask": "silhouette"} | ({"k": k} if k else {})) for seed in range(80) for k in (None, 2, 3)
    ]
    assert_same_instances_as_library(GEN, cases, monkeypatch, {"silhouettes": silhouette_samples})


def test_deterministic_and_varied() -> None:
    for seed in (0, 2, 31, 2**45):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(60)}) == 60
    assert {GEN.generate(seed).data["ask"] for seed in range(40)} == {"centroid", "assignment", "silhouette"}


def test_params_validation() -> None:
    for bad in ({"k": 1}, {"k": 4}, {"ask": "dbscan"}, {"n": 5}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    answer = problem.parts[0].answer
    if isinstance(answer, ChoiceAnswer):
        index = [o.name for o in answer.options].index(answer.correct)
        forms = [answer.correct, str(index + 1), "abc"[index], answer.correct.lower()]
        wrong = next(o.name for o in answer.options if o.name != answer.correct)
        grade = grade_parts(problem.parts, wrong)
        assert not grade.correct and answer.feedback[wrong] in grade.feedback
    else:
        forms = [
            repr(answer.value),
            f"{answer.value:.2f}" if problem.data["ask"] == "centroid" else f"{answer.value:.3f}",
        ]
        assert not grade_parts(problem.parts, f"{answer.value + 0.1:.3f}").correct
    for text in forms:
        assert grade_parts(problem.parts, text).correct, text


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.kmeans_step, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


def test_assignment_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "assignment"}, range(300))


def test_first_step_cluster_is_right_only_half_the_time() -> None:
    """The next assignment cannot be copied from the first step: about half the asked points switch."""
    switched = 0
    for seed in range(150):
        d = GEN.generate(seed, {"ask": "assignment"}).data
        i = int(d["point"][1:]) - 1
        switched += d["first_assignment"][i] != d["next_assignment"]
    assert 0.35 <= switched / 150 <= 0.65


def test_grading_property_over_many_seeds() -> None:
    """Exact and rounded answers, options by name / position / letter are right; slips and junk are not."""
    for seed in range(240):
        problem = GEN.generate(seed)
        answer = problem.parts[0].answer
        d = problem.data
        if isinstance(answer, ChoiceAnswer):
            names = [o.name for o in answer.options]
            index = names.index(answer.correct)
            right = [answer.correct, str(index + 1), "abc"[index], answer.correct.lower()]
            wrong = [name for name in names if name != answer.correct]
        elif d["ask"] == "centroid":
            assert "to 2 decimals" in problem.prompt and answer.decimals == 2
            j, axis = int(d["centroid"][1:]) - 1, "xy".index(d["axis"])
            right = [repr(answer.value), f"{answer.value:.2f}"]
            initial = d["initial_centroids"][j][axis]
            wrong = [repr(initial)] if abs(initial - answer.value) > 0.02 else []  # the centroid not moved
        else:
            assert "to 3 decimals" in problem.prompt and answer.decimals == 3
            right = [repr(answer.value), f"{answer.value:.3f}"]
            wrong = [f"{-answer.value:.3f}"] if abs(answer.value) > 0.002 else []  # (a − b) for (b − a)
            wrong.append(f"{answer.value + 0.004:.3f}")
        assert_grades(problem, right, wrong, seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)
