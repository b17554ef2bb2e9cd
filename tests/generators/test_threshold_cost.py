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
from generators.threshold_cost import counts_at, precision_recall_at
from tests.generators.grading_checks import assert_grades

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
        assert problem.expected == [f"{d['thresholds'][best]:.2f}", costs[best]]
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
            options = [o.name for o in problem.parts[0].answer.options]
            right = [f"{name}; {cost:g}", f"{options.index(name) + 1}; {cost:,.0f}", f"flag if score ≥ {name}; {cost:g}"]
            wrong_name = next(o for o in options if o != name)
            wrong = [f"{wrong_name}; {cost:g}", f"{name}; {cost + 1:g}"]
            feedback = problem.parts[0].answer.feedback
            assert set(feedback) == set(options) - {name}
            assert all(f"${cost:,.0f} at ≥ {name}" in text for text in feedback.values())
        else:
            value = problem.expected
            right = [repr(value), f"{value:.3f}", f"{100 * value:.1f}%",
                     f"{problem.data['tp']}/{problem.data['tp'] + problem.data['fp' if params.get('ask') == 'precision' else 'fn']}"
                     if params.get("ask") else repr(value)]
            wrong = [f"{value + 0.05:.3f}"]
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_random_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["ask"] for p in problems} == {"best-threshold", "precision", "recall"}
    # The cheapest threshold is not always the lowest or the highest candidate.
    positions = {GEN.generate(s, {"ask": "best-threshold"}).data["thresholds"].index(
        GEN.generate(s, {"ask": "best-threshold"}).data["best_threshold"]) for s in range(40)}
    assert len(positions) >= 3


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "f1"})


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.threshold_cost, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
