"""tree-split: fitted-tree impurities vs textbook Gini / entropy, determinism, grading, lazy sklearn import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import get
from generators import tree_split as ts
from tests.generators.family_checks import assert_generation_is_light
from tests.generators.grading_checks import assert_grades
from tests.generators.sklearn_paths import tree_split_fit_splits

GEN = get("tree-split")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("parent", "children", "gain", "best-split")


def textbook(counts: list[int], criterion: str) -> float:
    n = sum(counts)
    shares = [c / n for c in counts if c]
    if criterion == "gini":
        return 1 - sum(p * p for p in shares)
    return -sum(p * math.log2(p) for p in shares)


def textbook_gain(left: list[int], right: list[int], criterion: str) -> tuple[float, float]:
    parent = [a + b for a, b in zip(left, right, strict=True)]
    n, nl, nr = sum(parent), sum(left), sum(right)
    weighted = (nl * textbook(left, criterion) + nr * textbook(right, criterion)) / n
    return weighted, textbook(parent, criterion) - weighted


def check(problem) -> None:
    d = problem.data
    criterion = d["criterion"]
    if d["ask"] == "best-split":
        gains = [textbook_gain(s["left"], s["right"], criterion)[1] for s in d["splits"]]
        assert [s["gain"] for s in d["splits"]] == pytest.approx(gains, abs=1e-9)
        best = max(range(2), key=gains.__getitem__)
        assert abs(gains[0] - gains[1]) >= 0.02 and min(gains) >= 0.02
        assert problem.expected == f"split-{best + 1}"
        return
    assert [a + b for a, b in zip(d["left"], d["right"], strict=True)] == d["parent"]
    weighted, gain = textbook_gain(d["left"], d["right"], criterion)
    expected = {"parent": textbook(d["parent"], criterion), "children": weighted, "gain": gain}[d["ask"]]
    assert problem.expected == pytest.approx(expected, abs=1e-9)
    assert gain >= 0.02 and min(sum(d["left"]), sum(d["right"])) >= 3


def test_random_params_match_textbook() -> None:
    for seed in range(200):
        check(GEN.generate(seed))


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("ask", ASKS)
def test_every_variant(criterion: str, ask: str) -> None:
    for seed in range(25):
        params = {"criterion": criterion, "ask": ask}
        problem = GEN.generate(seed, params)
        assert problem.data["criterion"] == criterion and problem.data["ask"] == ask
        check(problem)
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        if ask == "best-split":
            options = problem.parts[0].answer.options
            index = [o.name for o in options].index(problem.expected)
            right = [problem.expected, str(index + 1), "ab"[index], options[index].text]
            wrong = [str(2 - index)]
            (wrong_name,) = problem.parts[0].answer.feedback
            assert wrong_name != problem.expected
        else:
            value = problem.expected
            right = [repr(value), f"{value:.3f}", f"{value:.4f}"]
            wrong = [f"{value + 0.01:.3f}", f"{value - 0.01:.3f}"]
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(40)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 40
    assert {p.data["ask"] for p in problems} == set(ASKS)
    assert {p.data["criterion"] for p in problems} == {"gini", "entropy"}
    assert {GEN.generate(s, {"ask": "best-split"}).expected for s in range(20)} == {"split-1", "split-2"}


def test_bad_params_rejected() -> None:
    for bad in ({"criterion": "log_loss"}, {"ask": "depth"}, {"max_depth": 2}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.tree_split, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_best_split_has_no_shortcut() -> None:
    """Which split a tree picks must be read from the counts, not from the wording or the options' order."""
    from tests.generators.shortcuts import assert_no_shortcut

    assert_no_shortcut(GEN, {"ask": "best-split"}, range(300))


def test_instances_are_those_sklearn_trees_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy trees (generators._tree) give, seed by seed, the instances scikit-learn's depth-1 trees gave:
    every impurity to the last bit, the split a tree picks, the text; both criteria and every question."""
    cases = [(seed, {}) for seed in range(200)] + [
        (seed, {"criterion": criterion, "ask": "best-split"})
        for seed in range(30)
        for criterion in ("gini", "entropy")
    ]
    ours = [GEN.generate(seed, params).to_json() for seed, params in cases]
    monkeypatch.setattr(ts, "fit_splits", tree_split_fit_splits)
    assert [GEN.generate(seed, params).to_json() for seed, params in cases] == ours


def test_generating_does_not_import_sklearn() -> None:
    """Every question under both criteria is made without scikit-learn or scipy (~90 MB of a drill session)."""
    assert_generation_is_light(
        "tree-split",
        [
            (seed, {"criterion": criterion, "ask": ask})
            for criterion in ("gini", "entropy")
            for ask in ("parent", "children", "gain", "best-split")
            for seed in range(5)
        ],
    )
