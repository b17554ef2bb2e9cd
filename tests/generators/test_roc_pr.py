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
from generators.roc_pr import SCENARIOS, _simulate_rare, roc_auc
from tests.generators.grading_checks import assert_grades

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


def test_auc_matches_pair_counting() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "auc"})
        d = problem.data
        assert len(set(d["scores"])) == len(d["scores"])
        assert problem.expected == pytest.approx(pair_auc(d["labels"], d["scores"]), abs=1e-12)
        assert problem.expected < 1


def test_rare_class_answers() -> None:
    for seed in range(120):  # each instance simulates thousands of rows
        problem = GEN.generate(seed, {"ask": "rare-class"})
        d = problem.data
        p, n = d["positives"], d["negatives"]
        # The rates shown to 3 decimals are exact, so the counts can be recovered from them.
        assert round(d["tpr"], 3) * p == pytest.approx(d["tp"]) and round(d["fpr"], 3) * n == pytest.approx(d["fp"])
        assert problem.expected[0] == pytest.approx(d["tp"] / (d["tp"] + d["fp"]), abs=1e-12)
        assert problem.expected[1] == "imbalance"
        assert d["prevalence"] == pytest.approx(p / (p + n)) and p / (p + n) < 0.025
        assert d["roc_auc"] - d["average_precision"] > 0.2  # the gap the question is about
        assert 1000 <= n <= 20_000


def test_rare_simulation_against_textbook() -> None:
    from generators.roc_pr import rates_at

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
    for seed in range(25):
        problem = GEN.generate(seed, params)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        expected = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        if problem.data["ask"] == "rare-class":
            options = [o.name for o in problem.parts[1].answer.options]
            precision = expected[0]
            right = [f"{precision:.3f}; imbalance", f"{100 * precision:.2f}%; {options.index('imbalance') + 1}",
                     f"{problem.data['tp']}/{problem.data['tp'] + problem.data['fp']}; "
                     f"{'abcd'[options.index('imbalance')]}"]
            wrong = [f"{precision:.3f}; threshold", f"{problem.data['tpr']:.3f}; imbalance"]
            assert set(problem.parts[1].answer.feedback) == set(options) - {"imbalance"}
        else:
            right = ["; ".join(f"{v:.3f}" for v in expected), "; ".join(repr(v) for v in expected),
                     "; ".join(f"{100 * v:.2f}%" for v in expected)]
            wrong = ["; ".join(f"{v + 0.03:.3f}" for v in expected)]
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_options_shuffled() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["ask"] for p in problems} == {"tpr-fpr", "auc", "rare-class"}
    positions = {[o.name for o in GEN.generate(s, {"ask": "rare-class"}).parts[1].answer.options].index("imbalance")
                 for s in range(30)}
    assert len(positions) >= 3


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "pr-auc"})


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.roc_pr, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
