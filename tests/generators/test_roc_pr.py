"""roc-pr: sklearn ROC / PR values vs textbook formulas, determinism, grading, lazy sklearn import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.roc_pr import SCENARIOS, _simulate_rare, rates_at, roc_auc
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("roc-pr")
ROOT = Path(__file__).resolve().parents[2]


def pair_auc(labels: list[int], scores: list[float]) -> float:
    """Share of (positive, negative) pairs ordered correctly, ties counting 1/2."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def textbook_ap(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mean over positives of the precision among rows scoring at least as high (no ties in scores)."""
    order = np.argsort(-scores)
    hits = labels[order]
    ranks = np.flatnonzero(hits) + 1
    return float(np.mean(np.arange(1, len(ranks) + 1) / ranks))


def test_tpr_fpr_match_textbook() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "tpr-fpr"})
        d = problem.data
        pairs = list(zip(d["scores"], d["labels"], strict=True))
        tp = sum(1 for s, y in pairs if s >= d["threshold"] and y == 1)
        fp = sum(1 for s, y in pairs if s >= d["threshold"] and y == 0)
        p, n = sum(d["labels"]), len(pairs) - sum(d["labels"])
        assert d["threshold"] not in d["scores"]
        assert problem.expected == pytest.approx([tp / p, fp / n], abs=1e-12)
        assert 0 < tp < p and 0 < fp < n
        if seed < 40:  # and sklearn's roc_curve reads the same operating point
            y, scores = np.array(d["labels"]), np.array(d["scores"])
            assert problem.expected == pytest.approx(list(rates_at(y, scores, d["threshold"])), abs=1e-12)


def test_auc_matches_pair_counting() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "auc"})
        d = problem.data
        assert len(set(d["scores"])) == len(d["scores"])
        assert problem.expected == pytest.approx(pair_auc(d["labels"], d["scores"]), abs=1e-12)
        assert problem.expected < 1
        if seed < 40:
            assert problem.expected == pytest.approx(
                roc_auc(np.array(d["labels"]), np.array(d["scores"])), abs=1e-12
            )


def test_rare_class_answers() -> None:
    from sklearn.metrics import average_precision_score, precision_score, roc_auc_score

    from generators.roc_pr import rare_areas, rare_rates

    keys = []
    for seed in range(120):  # each instance simulates thousands of rows
        problem = GEN.generate(seed, {"ask": "rare-class"})
        d = problem.data
        p, n = d["positives"], d["negatives"]
        # The rates shown to 3 decimals are exact, so the counts can be recovered from them.
        assert round(d["tpr"], 3) * p == pytest.approx(d["tp"]) and round(d["fpr"], 3) * n == pytest.approx(
            d["fp"]
        )
        assert problem.expected[0] == pytest.approx(d["tp"] / (d["tp"] + d["fp"]), abs=1e-12)
        assert d["prevalence"] == pytest.approx(p / (p + n)) and p / (p + n) < 0.025
        assert d["roc_auc"] - d["average_precision"] > 0.1  # ROC-AUC flatters the rare class
        assert 1000 <= n <= 20_000 and n % 1000 == 0
        # Part 2 from the shown rates alone: counts, precision, then the most sensitive point with >= 50%.
        precisions = []
        for point in d["points"]:
            tp, fp = round(point["tpr"] * p), round(point["fpr"] * n)
            assert (tp, fp) == (point["tp"], point["fp"])
            precisions.append(tp / (tp + fp))
            assert abs(tp / (tp + fp) - 0.5) >= 0.05  # never near the line
        fprs = [point["fpr"] for point in d["points"]]
        assert fprs == sorted(fprs) and len(set(fprs)) == 4
        good = [i for i, v in enumerate(precisions) if v >= 0.5]
        best = max(good, key=lambda i: d["points"][i]["tpr"])
        assert problem.expected[1] == f"point {best + 1}"
        keys.append(best)
        if seed < 15:  # the numpy shortcuts agree with sklearn.metrics
            rng = np.random.default_rng(seed)
            sim = _simulate_rare(rng, SCENARIOS[seed % len(SCENARIOS)], seed % 4)
            flagged = (sim.scores >= sim.threshold).astype(int)
            auc, ap = rare_areas(sim.y, sim.scores)
            assert auc == pytest.approx(roc_auc_score(sim.y, sim.scores), abs=1e-12)
            assert ap == pytest.approx(average_precision_score(sim.y, sim.scores), abs=1e-12)
            tpr, fpr, precision = rare_rates(sim.y, sim.scores, sim.threshold)
            assert (tpr, fpr) == pytest.approx(rates_at(sim.y, sim.scores, sim.threshold))
            assert precision == pytest.approx(precision_score(sim.y, flagged), abs=1e-12)
    assert set(keys) == {0, 1, 2, 3}


def test_rare_class_has_no_shortcut() -> None:
    """Which operating point to pick is read from the rates and class counts, not from words or positions."""
    assert_no_shortcut(GEN, {"ask": "rare-class"}, range(300), part=1)


def test_rare_simulation_against_textbook() -> None:

    for seed in range(40):
        rng = np.random.default_rng(seed)
        sim = _simulate_rare(rng, SCENARIOS[seed % len(SCENARIOS)])
        y, scores = sim.y, sim.scores
        from sklearn.metrics import average_precision_score

        # Mann-Whitney form of ROC-AUC.
        ranks = np.empty(len(scores))
        ranks[np.argsort(scores)] = np.arange(1, len(scores) + 1)
        p, n = int(y.sum()), int((y == 0).sum())
        mann_whitney = (ranks[y == 1].sum() - p * (p + 1) / 2) / (p * n)
        assert roc_auc(y, scores) == pytest.approx(mann_whitney, abs=1e-12)
        assert average_precision_score(y, scores) == pytest.approx(textbook_ap(y, scores), abs=1e-12)
        tpr, fpr = rates_at(y, scores, sim.threshold)
        assert fpr == pytest.approx(((scores >= sim.threshold) & (y == 0)).sum() / n)
        assert round(fpr * 100, 6) == int(round(fpr * 100))  # an exact FPR point (1%, 2%, ...)


@pytest.mark.parametrize("params", [{}, {"ask": "tpr-fpr"}, {"ask": "auc"}, {"ask": "rare-class"}])
def test_grading_and_determinism(params: dict) -> None:
    """Exact, rounded, percent and fraction answers are right; slips, partial answers and junk are not."""
    for seed in range(200 if params.get("ask") in ("tpr-fpr", "auc") else 40):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        expected = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        if problem.data["ask"] == "rare-class":
            options = problem.parts[1].answer.options
            names = [o.name for o in options]
            precision, key = expected
            index = names.index(key)
            right = [
                f"{precision:.3f}; {key}",
                f"{100 * precision:.1f}%; {index + 1}",
                f"{problem.data['tp']}/{problem.data['tp'] + problem.data['fp']}; {'abcd'[index]}",
                f"{precision!r}; {options[index].text}",
                f"{precision:.3f}; P{index + 1}",
            ]
            wrong = [f"{precision:.3f}; {name}" for name in names if name != key]
            wrong += [f"{problem.data['tpr']:.3f}; {key}", f"{problem.data['average_precision']:.3f}; {key}"]
            assert set(problem.parts[1].answer.feedback) == set(names) - {key}
            for partial in (f"{precision:.3f}", f"{precision:.3f};", f"; {key}"):
                grade = grade_parts(problem.parts, partial)
                assert not isinstance(grade, Unreadable) and grade.incomplete, (seed, partial)
        else:
            right = [
                "; ".join(f"{v:.3f}" for v in expected),
                "; ".join(repr(v) for v in expected),
                "; ".join(f"{100 * v:.2f}%" for v in expected),
            ]
            wrong = ["; ".join(f"{v + 0.03:.3f}" for v in expected)]
            assert (
                all(part.answer.decimals == 3 for part in problem.parts) and "to 3 decimals" in problem.prompt
            )
            d = problem.data
            if d["ask"] == "tpr-fpr":
                wrong.append(
                    f"{expected[1]:.3f}; {expected[0]:.3f}"
                    if abs(expected[0] - expected[1]) > 0.002
                    else f"{expected[0] + 0.1:.3f}; {expected[1]:.3f}"
                )  # TPR and FPR swapped
                wrong.append(
                    f"{d['tp'] / (d['tp'] + d['fp']):.3f}; {expected[1]:.3f}"
                    if abs(d["tp"] / (d["tp"] + d["fp"]) - expected[0]) > 0.002
                    else f"{expected[0]:.3f}; {expected[1] + 0.1:.3f}"
                )  # precision for TPR
                for partial in (f"{expected[0]:.3f}", f"{expected[0]:.3f};"):
                    grade = grade_parts(problem.parts, partial)
                    assert not isinstance(grade, Unreadable) and grade.incomplete, (seed, partial)
            elif abs(1 - expected[0] - expected[0]) > 0.002:
                wrong.append(f"{1 - expected[0]:.3f}")  # pairs counted the wrong way round
        assert_grades(problem, right, wrong, seed)
        for junk in ("", "abc", "1;2;3;4;5", "\x1b[2J"):
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


def test_seeds_vary_and_options_shuffled() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["ask"] for p in problems} == {"tpr-fpr", "auc", "rare-class"}
    positions = {GEN.generate(s, {"ask": "rare-class"}).expected[1] for s in range(30)}
    assert len(positions) >= 3


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "pr-auc"})


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.roc_pr, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
