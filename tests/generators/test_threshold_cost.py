"""threshold-cost: counts and rates vs sklearn.metrics and textbook formulas, determinism, grading, lazy import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.threshold_cost import RANK_NAMES, counts_at, precision_recall_at
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("threshold-cost")
ROOT = Path(__file__).resolve().parents[2]


def textbook_counts(labels: list[int], scores: list[float], t: float) -> tuple[int, int, int, int]:
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if s >= t and y == 1)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if s >= t and y == 0)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if s < t and y == 1)
    return tp, fp, fn, len(labels) - tp - fp - fn


def test_best_threshold_matches_textbook() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "best-threshold"})
        d = problem.data
        assert len(set(d["scores"])) == len(d["scores"]) and not set(d["scores"]) & set(d["thresholds"])
        costs = []
        for t in d["thresholds"]:
            tp, fp, fn, tn = textbook_counts(d["labels"], d["scores"], t)
            costs.append(fp * d["cost_fp"] + fn * d["cost_fn"])
        best = min(range(len(costs)), key=costs.__getitem__)
        assert sorted(costs).count(costs[best]) == 1  # unique cheapest threshold
        assert problem.expected == [RANK_NAMES[len(costs)][best], costs[best]]
        key = next(o for o in problem.parts[0].answer.options if o.name == problem.expected[0])
        assert key.value == d["thresholds"][best] == d["best_threshold"] and costs[best] > 0
        # Every candidate is a distinct operating point (no two flag the same rows).
        flagged = [sum(s >= t for s in d["scores"]) for t in d["thresholds"]]
        assert len(set(flagged)) == len(flagged) and min(flagged) > 0 and max(flagged) < len(d["scores"])


@pytest.mark.parametrize("ask", ["precision", "recall"])
def test_rates_match_textbook_and_sklearn(ask: str) -> None:
    from sklearn.metrics import precision_score, recall_score

    scorer = precision_score if ask == "precision" else recall_score
    for seed in range(250):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        tp, fp, fn, tn = textbook_counts(d["labels"], d["scores"], d["threshold"])
        assert (tp, fp, fn, tn) == (d["tp"], d["fp"], d["fn"], d["tn"])
        assert tp and fp and fn  # neither rate is a trivial 1
        expected = tp / (tp + fp) if ask == "precision" else tp / (tp + fn)
        assert problem.expected == pytest.approx(expected, abs=1e-12)
        predicted = (np.array(d["scores"]) >= d["threshold"]).astype(int)
        assert problem.expected == pytest.approx(scorer(d["labels"], predicted), abs=1e-12)


def test_numpy_counts_match_sklearn_confusion_matrix() -> None:
    from sklearn.metrics import confusion_matrix

    for seed in range(100):
        d = GEN.generate(seed, {"ask": "best-threshold"}).data
        y, scores = np.array(d["labels"]), np.array(d["scores"])
        for t in d["thresholds"]:
            c = counts_at(y, scores, t)
            tn, fp, fn, tp = confusion_matrix(y, (scores >= t).astype(int), labels=[0, 1]).ravel()
            assert (c.tp, c.fp, c.fn, c.tn) == (tp, fp, fn, tn)
            if c.tp + c.fp:
                assert precision_recall_at(y, scores, t)[0] == pytest.approx(tp / (tp + fp))


@pytest.mark.parametrize("params", [{}, {"ask": "best-threshold"}, {"ask": "precision"}, {"ask": "recall"}])
def test_grading_and_determinism(params: dict) -> None:
    for seed in range(30):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        if len(problem.parts) == 2:
            name, cost = problem.expected
            options = problem.parts[0].answer.options
            names = [o.name for o in options]
            key = options[names.index(name)]
            t = f"{key.value:.2f}"
            right = [
                f"{t}; {cost:g}",
                f"#{names.index(name) + 1}; {cost:,.0f}",
                f"flag if score ≥ {t}; {cost:g}",
            ]
            wrong_name = next(o for o in names if o != name)
            wrong = [f"{wrong_name}; {cost:g}", f"{t}; {cost + 1:g}"]
            feedback = problem.parts[0].answer.feedback
            assert set(feedback) == set(names) - {name}
            assert all(f"${cost:,.0f} at ≥ {t}" in text for text in feedback.values())
        else:
            value = problem.expected
            right = [
                repr(value),
                f"{value:.3f}",
                f"{100 * value:.1f}%",
                f"{problem.data['tp']}/{problem.data['tp'] + problem.data['fp' if params.get('ask') == 'precision' else 'fn']}"
                if params.get("ask")
                else repr(value),
            ]
            wrong = [f"{value + 0.05:.3f}"]
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_random_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["ask"] for p in problems} == {"best-threshold", "precision", "recall"}
    # The cheapest threshold is not always the lowest or the highest candidate.
    positions = [GEN.generate(s, {"ask": "best-threshold"}).data for s in range(40)]
    assert len({d["thresholds"].index(d["best_threshold"]) for d in positions}) >= 4


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "f1"})


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.threshold_cost, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


def test_best_threshold_has_no_shortcut() -> None:
    """Neither the scenario's cost ratio nor the candidates shown say which threshold is cheapest."""
    assert_no_shortcut(GEN, {"ask": "best-threshold"}, range(300), part=0)


def test_best_threshold_typed_forms() -> None:
    """A threshold typed as a number in any form picks its option; the cost takes a unit or a $ sign."""
    for seed in (3, 10009, *range(200)):
        problem = GEN.generate(seed, {"ask": "best-threshold"})
        name, cost = problem.expected
        options = problem.parts[0].answer.options
        names = [o.name for o in options]
        key = options[names.index(name)]
        short = f"{key.value:g}"  # 0.4, not 0.40
        index = names.index(name)
        right = [
            f"{short}; {cost:g}",
            f"{key.value:.2f}; ${cost:g}",
            f"{key.value:.2f}; {cost:g} dollars",
            f"{'abcde'[index]}; {cost:g}",
            f"{name}; {cost:g}",
            f"{100 * key.value:g}%; {cost:g}",
            f"{key.text}; ${cost:,.0f}",
        ]
        other = next(o for o in options if o.name != name)
        wrong = [f"{other.value:g}; {cost:g}", f"{short}; {cost + 1:g}", f"{short}; {cost * 1.1:g}"]
        assert_grades(problem, right, wrong, seed)
        for partial in (short, f"{short};", f"; {cost:g}"):
            grade = grade_parts(problem.parts, partial)
            assert not isinstance(grade, Unreadable) and grade.incomplete and not grade.correct, (
                seed,
                partial,
            )
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


@pytest.mark.parametrize("ask", ["precision", "recall"])
def test_rate_grading_property(ask: str) -> None:
    """Exact, rounded, percent and fraction answers are right; the other rate and junk are not."""
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d, value = problem.data, problem.expected
        assert "to 3 decimals" in problem.prompt and problem.parts[0].answer.decimals == 3
        other = d["tp"] / (d["tp"] + (d["fn"] if ask == "precision" else d["fp"]))
        wrong = [f"{other:.3f}"] if abs(other - value) > 0.002 else []
        wrong.append(f"{d['tp'] / (d['tp'] + d['fp'] + d['fn'] + d['tn']):.3f}")  # TP / N
        wrong = [w for w in wrong if abs(float(w) - value) > 0.002]
        assert_grades(problem, [repr(value), f"{value:.3f}", f"{100 * value:.1f}%"], wrong, seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)
