"""class-imbalance: sklearn baselines / weights and the leak simulation vs textbook formulas, grading, lazy import."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import class_imbalance as ci
from generators import get
from generators.class_imbalance import twin_probability
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators import sklearn_paths
from tests.generators.family_checks import assert_generation_is_light
from tests.generators.instances import generated
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("class-imbalance")
ROOT = Path(__file__).resolve().parents[2]
LEAK = {"ask": "oversampling-leak"}
# The leak instances (a tree fit per pipeline, the slow kind) are built once per worker: the shortcut check
# reads 300 seeds, the simulation and grading checks read the first 60 of them from the same cache.
pytestmark = pytest.mark.xdist_group("class-imbalance")


def test_majority_baseline_matches_textbook() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "majority-accuracy"})
        counts = problem.data["counts"]
        assert counts[0] == max(counts) and min(counts) >= 10
        assert problem.expected == pytest.approx([counts[0] / sum(counts), 1 / len(counts)], abs=1e-12)


def test_balanced_weights_match_textbook() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "class-weight"})
        counts = problem.data["counts"]
        n, k = sum(counts), len(counts)
        weights = [n / (k * c) for c in counts]
        assert problem.data["weights"] == pytest.approx(weights, rel=1e-12)
        assert problem.expected == pytest.approx([weights[-1], weights[0]], rel=1e-12)
        # Each class ends up with the same total weight n / k.
        assert [w * c for w, c in zip(weights, counts, strict=True)] == pytest.approx([n / k] * k)


def test_twin_probability_matches_product_formula() -> None:
    for rows, test_rows, copies in [(1730, 433, 3), (2000, 500, 2), (1500, 375, 6), (100, 25, 4)]:
        others = copies - 1
        # P(all other copies in the test set) drawing without replacement.
        none_in_train = math.prod((test_rows - 1 - i) / (rows - 1 - i) for i in range(others))
        assert twin_probability(rows, test_rows, copies) == pytest.approx(1 - none_in_train, abs=1e-12)


def test_leak_simulation() -> None:
    """Leaky pipelines (duplicate, then split) score far above honest ones on the same data; the realised
    share of test minority rows with a twin in training matches the probability on average."""
    realised, expected, cases = [], [], set()
    for seed in range(60):
        problem = generated(GEN, seed, LEAK)
        d = problem.data
        kinds = {key: run["kind"] for key, run in d["pipelines"].items()}
        honest = [key for key, kind in kinds.items() if kind == "honest"]
        trust = {("A",): "A", ("B",): "B", ("A", "B"): "both", (): "neither"}[tuple(honest)]
        assert problem.expected[0] == trust == d["trust"]
        cases.add(trust)
        assert d["rows_after_oversampling"] == d["rows"] + d["minority"] * (d["copies"] - 1)
        assert d["test_rows"] == math.ceil(0.25 * d["rows_after_oversampling"])
        assert problem.expected[1] == pytest.approx(
            twin_probability(d["rows_after_oversampling"], d["test_rows"], d["copies"])
        )
        runs = d["pipelines"]
        if len(honest) == 1:  # the leak inflates the test score, every time
            leaky = next(key for key in runs if key not in honest)
            assert runs[leaky]["recall"] >= runs[honest[0]]["recall"] + 0.2
        for run in runs.values():
            if run["kind"] == "leaky":
                realised.append(run["twin_share"])
                rows_after = d["rows"] + d["minority"] * (run["copies"] - 1)
                expected.append(twin_probability(rows_after, math.ceil(0.25 * rows_after), run["copies"]))
            else:
                assert run["twin_share"] == 0
    assert np.mean(realised) == pytest.approx(np.mean(expected), abs=0.02)
    assert cases == {"A", "B", "both", "neither"}


def test_oversampling_leak_has_no_shortcut() -> None:
    """Which score to trust is read from the order of the steps, not from the words or which score is lower."""
    reports = assert_no_shortcut(GEN, LEAK, range(150), part=0)
    assert reports[0].majority <= 0.35


@pytest.mark.parametrize(
    "params", [{}, {"ask": "majority-accuracy"}, {"ask": "class-weight"}, {"ask": "oversampling-leak"}]
)
def test_grading_and_determinism(params: dict) -> None:
    for seed in range(200 if params.get("ask") in ("majority-accuracy", "class-weight") else 40):
        problem = generated(GEN, seed, params)  # the shared instance must equal a fresh one
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        first, second = problem.expected
        if problem.data["ask"] == "oversampling-leak":
            options = problem.parts[0].answer.options
            names = [o.name for o in options]
            key = options[names.index(first)]
            right = [
                f"{first}; {second:.3f}",
                f"{names.index(first) + 1}; {100 * second:.1f}%",
                f"{key.text}; {second!r}",
                f"{key.aliases[0]}; {second:.3f}",
            ]
            wrong = [f"{name}; {second:.3f}" for name in names if name != first]
            wrong.append(f"{first}; {second - 0.05:.3f}")
            wrong.append(f"{first}; {1 - second:.3f}")  # the chance of no twin, not of a twin
            feedback = problem.parts[0].answer.feedback
            assert set(feedback) == set(names) - {first} and all(feedback.values())
            for partial in (first, f"{first};", f"; {second:.3f}"):
                grade = grade_parts(problem.parts, partial)
                assert not isinstance(grade, Unreadable) and grade.incomplete, (seed, partial)
        else:
            right = [f"{first!r}; {second!r}", f"{first:.3f}; {second:.3f}"]
            if problem.data["ask"] == "majority-accuracy":
                right.append(f"{100 * first:.2f}%; {100 * second:.1f}%")
            wrong = [f"{first * 1.1 + 0.01:.3f}; {second:.3f}", f"{first:.4f}; {second * 1.1 + 0.01:.3f}"]
            counts = problem.data["counts"]
            if problem.data["ask"] == "class-weight":  # n / count without the number of classes
                total = sum(counts)
                wrong.append(f"{total / counts[-1]:.2f}; {total / counts[0]:.2f}")
            else:  # the share of the rarest class for accuracy; 0 instead of chance for balanced accuracy
                wrong.append(f"{counts[-1] / sum(counts):.3f}; {second:.3f}")
                wrong.append(f"{first:.3f}; 0")
            for partial in (f"{first:.3f}", f"{first:.3f};"):
                grade = grade_parts(problem.parts, partial)
                assert not isinstance(grade, Unreadable) and grade.incomplete, (seed, partial)
        for text in right:
            grade = grade_parts(problem.parts, text)
            assert not isinstance(grade, Unreadable) and grade.correct, (seed, text, grade)
        for text in wrong:
            grade = grade_parts(problem.parts, text)
            assert not isinstance(grade, Unreadable) and not grade.correct, (seed, text)
        for junk in ("", "abc", "1;2;3;4;5", "\x1b[2J"):
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


def test_seeds_vary_and_random_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(30)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 30
    assert {p.data["ask"] for p in problems} == {"majority-accuracy", "class-weight", "oversampling-leak"}


def test_bad_params_rejected() -> None:
    with pytest.raises(ValidationError):
        GEN.generate(1, {"ask": "smote"})


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.class_imbalance, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_baseline_and_weights_are_sklearns_floats() -> None:
    """Over random class counts (2 or 3 classes, ties for the majority included), the numpy baseline and
    weights are bit for bit ``DummyClassifier`` + ``balanced_accuracy_score`` and ``compute_class_weight``."""
    rng = np.random.default_rng(11)
    cases = [np.array([40, 40, 7]), np.array([5, 9, 9]), np.array([10, 10])]
    cases += [rng.integers(10, 100_000, size=int(rng.integers(2, 4))) for _ in range(80)]  # 15 ms each
    for counts in cases:
        assert ci.majority_baseline(counts) == sklearn_paths.majority_baseline(counts), counts
        assert np.array_equal(ci.balanced_weights(counts), sklearn_paths.balanced_weights(counts)), counts


def test_twin_probability_is_exact_and_scipys_to_the_last_bit_or_so() -> None:
    """The exact hypergeometric value, rounded once; scipy's ``1 - hypergeom.pmf`` lands on it or one unit in
    the last place away (never far enough to change the 3-decimal answer)."""
    from fractions import Fraction

    for rows in (1000, 1130, 1500, 2000, 2875):
        for copies in range(2, 9):
            test_rows = math.ceil(0.25 * rows)
            ours = twin_probability(rows, test_rows, copies)
            exact = 1 - Fraction(math.comb(test_rows - 1, copies - 1), math.comb(rows - 1, copies - 1))
            assert ours == float(exact)
            assert abs(ours - sklearn_paths.twin_probability(rows, test_rows, copies)) <= 2 * math.ulp(ours)


def _without_last_bits(problem: dict) -> dict:
    """A leak problem's JSON with the twin probability rounded to 12 decimals (where scipy's value and the
    exact one may differ in the last bit)."""
    data = {**problem["data"]}
    if "twin_probability" in data:
        data["twin_probability"] = round(data["twin_probability"], 12)
        expected = [*problem["expected"][:-1], round(problem["expected"][-1], 12)]
        return {**problem, "data": data, "expected": expected}
    return problem


def test_instances_are_those_sklearn_and_scipy_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """With scikit-learn's DummyClassifier, class weights, train_test_split and tree and scipy's hypergeom
    swapped back in, every question makes the same instances seed by seed: the same prompt, tables, scores,
    feedback and solution; the twin probability at most a last bit apart in the stored float."""
    cases = [(seed, LEAK) for seed in range(100)]
    cases += [(seed, {"ask": ask}) for ask in ("majority-accuracy", "class-weight") for seed in range(60)]
    ours = [_without_last_bits(generated(GEN, seed, params).to_json()) for seed, params in cases]
    for name in ("majority_baseline", "balanced_weights", "twin_probability"):
        monkeypatch.setattr(ci, name, getattr(sklearn_paths, name))
    monkeypatch.setattr(ci, "train_test_split", sklearn_paths.sklearn_train_test_split)
    monkeypatch.setattr(ci, "fit_tree", sklearn_paths.sklearn_fit_tree)
    theirs = [_without_last_bits(GEN.generate(seed, params).to_json()) for seed, params in cases]
    assert theirs == ours


def test_generating_does_not_import_sklearn_or_scipy() -> None:
    """Every question is made without scikit-learn or scipy (~90 MB of a drill session)."""
    assert_generation_is_light(
        "class-imbalance",
        [
            (seed, {"ask": ask})
            for ask in ("majority-accuracy", "class-weight", "oversampling-leak")
            for seed in range(4)
        ],
    )
