"""svm-hinge: margins, hinge losses, counts and widths vs numpy and sklearn.metrics.hinge_loss; grading."""

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

GEN = get("svm-hinge")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ["margin", "hinge-point", "hinge-mean", "violations", "width", "status"]


def decision(d: dict) -> np.ndarray:
    return np.array(d["x"]) @ np.array(d["w"]) + d["b"]


def test_margin_and_hinge_point_match_numpy() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "margin"})
        d = problem.data
        i = d["index"]
        assert problem.expected == pytest.approx(d["y"][i] * decision(d)[i], abs=1e-12)
        problem = GEN.generate(seed, {"ask": "hinge-point"})
        d = problem.data
        i = d["index"]
        assert problem.expected == pytest.approx(max(0.0, 1 - d["y"][i] * decision(d)[i]), abs=1e-12)
        assert problem.expected > 0


def test_mean_hinge_matches_sklearn() -> None:
    from sklearn.metrics import hinge_loss

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "hinge-mean"})
        d = problem.data
        f = decision(d)
        assert problem.expected == pytest.approx(np.maximum(0, 1 - np.array(d["y"]) * f).mean(), abs=1e-12)
        if seed < 30:  # sklearn's input checks are slow-ish
            assert problem.expected == pytest.approx(hinge_loss(d["y"], f), abs=1e-12)


def test_violations_count_margin_violations_not_just_errors() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "violations"})
        d = problem.data
        margins = np.array(d["y"]) * decision(d)
        assert problem.expected == int((margins < 1).sum())
        assert problem.expected != int((margins < 0).sum())


def test_width_matches_distance_between_the_two_hyperplanes() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "width"})
        w = np.array(problem.data["w"])
        # Walk from a point with f = −1 along w until f = +1 and measure the distance travelled.
        start = -(1 + problem.data["b"]) * w / (w @ w)
        end = start + 2 * w / (w @ w)
        assert start @ w + problem.data["b"] == pytest.approx(-1)
        assert end @ w + problem.data["b"] == pytest.approx(1)
        assert problem.expected == pytest.approx(math.dist(start, end), abs=1e-12)


def test_status_matches_margin_and_every_status_is_asked() -> None:
    seen = []
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "status"})
        d = problem.data
        margin = d["y"][d["index"]] * decision(d)[d["index"]]
        expected = (
            "outside"
            if margin > 1
            else "on-margin"
            if margin == 1
            else "inside"
            if margin > 0
            else "misclassified"
        )
        assert problem.expected == expected
        seen.append(expected)
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer) and len(answer.options) == 4
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
    assert all(30 <= seen.count(s) <= 70 for s in ("outside", "on-margin", "inside", "misclassified"))


def slips(problem) -> list[float]:
    d = problem.data
    f = decision(d)
    y = np.array(d["y"])
    i = d["index"]
    w = np.array(d["w"])
    return {
        "margin": [f[i]],  # forgot the label
        "hinge-point": [max(0.0, 1 - f[i]), 1 - y[i] * f[i] + 1],
        "hinge-mean": [np.maximum(0, 1 - y * f).sum(), (1 - y * f).mean(), np.maximum(0, 1 - f).mean()],
        "violations": [float((y * f < 0).sum())],
        "width": [1 / np.linalg.norm(w), 2 / (w @ w), 2 / np.abs(w).sum()],
    }[d["ask"]]


@pytest.mark.parametrize("ask", [a for a in ASKS if a != "status"])
def test_grading_numbers(ask: str) -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": ask})
        value = problem.expected
        digits = {"hinge-mean": 3, "width": 3, "violations": 0}.get(ask, 2)
        tolerance = problem.parts[0].answer.tolerance
        wrong = [repr(float(s)) for s in slips(problem) if abs(s - value) > tolerance]
        assert len(wrong) == len(slips(problem)) or ask == "width"
        assert_grades(
            problem, [repr(value), f"{value:.{digits}f}"], [*wrong, repr(value + 2 * 10**-digits)], seed
        )


def test_grading_status() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "status"})
        answer = problem.parts[0].answer
        others = [o.name for o in answer.options if o.name != answer.correct]
        index = [o.name for o in answer.options].index(answer.correct)
        assert_grades(problem, [answer.correct, str(index + 1), answer.options[index].label], others, seed)


def test_status_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "status"}, range(300))


def test_solution_shows_the_answer() -> None:
    for seed in range(80):
        problem = GEN.generate(seed)
        value = problem.expected
        if isinstance(value, str):
            label = next(o.label for o in problem.parts[0].answer.options if o.name == value)
            assert f"**{label}**" in problem.solution
        else:
            shown = f"{value:.4f}".rstrip("0").rstrip(".")
            assert f"**{shown}" in problem.solution, (seed, shown)


def test_points_are_distinct_and_both_labels_appear() -> None:
    for seed in range(100):
        d = GEN.generate(seed).data
        assert len({tuple(p) for p in d["x"]}) == len(d["x"])
        assert set(d["y"]) == {-1.0, 1.0}


def test_deterministic_and_mixed() -> None:
    for seed in (0, 11, 999, 2**42):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(80)} == set(ASKS)
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"ask": "dual"}, {"C": 1.0}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "hinge_mean"}).ask == "hinge-mean"


def test_import_is_light() -> None:
    code = (
        "import generators.svm_hinge, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_hinge_mean_slips_read_as_sentences() -> None:
    """Regression: 'dropping the max(0, ·) -1 (...)' read as a formula with a stray minus one."""
    solution = GEN.generate(1, {"ask": "hinge-mean"}).solution
    assert "dropping the max(0, ·) gives -1 " in solution
    assert "the sum instead of the mean gives 3.5" in solution
