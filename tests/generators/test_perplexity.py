"""perplexity: values vs scipy.stats.gmean and plain-Python loops; slips; grading; the comparison's shortcut test."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, get
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("perplexity")
ROOT = Path(__file__).resolve().parents[2]


def loop_perplexity(probs: list[float]) -> float:
    """The n-th root of 1 / Π p, computed as a product (no logs)."""
    product = 1.0
    for p in probs:
        product *= p
    return (1 / product) ** (1 / len(probs))


def test_perplexity_matches_gmean_and_product() -> None:
    from scipy.stats import gmean

    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "perplexity"})
        probs = problem.data["probs"]
        assert problem.expected == pytest.approx(1 / gmean(probs), rel=1e-12)
        assert problem.expected == pytest.approx(loop_perplexity(probs), rel=1e-12)
        assert all(0.01 <= p <= 0.99 for p in probs)


@pytest.mark.parametrize("unit", ["bits", "nats"])
def test_cross_entropy_matches_loop(unit: str) -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": unit})
        probs = problem.data["probs"]
        log = math.log2 if unit == "bits" else math.log
        assert problem.expected == pytest.approx(sum(-log(p) for p in probs) / len(probs), rel=1e-12)
        base = 2 if unit == "bits" else math.e
        assert base**problem.expected == pytest.approx(loop_perplexity(probs), rel=1e-9)


def test_from_loss_uses_the_right_base() -> None:
    units = set()
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "from-loss"})
        d = problem.data
        units.add(d["unit"])
        base = math.e if d["unit"] == "nats" else 2
        assert problem.expected == pytest.approx(base ** d["loss"], rel=1e-12)
        assert ("natural log" in problem.prompt) == (d["unit"] == "nats")
        assert abs(problem.expected - d["wrong_base"]) > 1
    assert units == {"bits", "nats"}


def test_compare_matches_gmean_and_traps_the_arithmetic_mean() -> None:
    from scipy.stats import gmean

    traps = 0
    keys = []
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "compare"})
        d = problem.data
        a, b = d["probs_a"], d["probs_b"]
        assert problem.expected == ("model-A" if 1 / gmean(a) < 1 / gmean(b) else "model-B")
        higher_mean = "model-A" if sum(a) > sum(b) else "model-B"
        traps += higher_mean != problem.expected
        keys.append(problem.expected)
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
    assert 110 <= traps <= 190
    assert 110 <= keys.count("model-A") <= 190


def test_grading_perplexity() -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": "perplexity"})
        value = problem.expected
        wrong = [repr(v) for v in problem.data["slips"].values()] + [f"{value + 0.02:.3f}"]
        assert_grades(problem, [repr(value), f"{value:.2f}"], wrong, seed)


@pytest.mark.parametrize("unit", ["bits", "nats"])
def test_grading_cross_entropy(unit: str) -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": unit})
        d = problem.data
        log10_mean = sum(-math.log10(p) for p in d["probs"]) / len(d["probs"])
        wrong = [repr(d["other_unit"]), repr(d["sum"]), repr(log10_mean)]
        assert_grades(problem, [repr(problem.expected), f"{problem.expected:.3f}"], wrong, seed)


def test_grading_from_loss_and_compare() -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": "from-loss"})
        value = problem.expected
        wrong = [repr(problem.data["wrong_base"]), repr(problem.data["loss"]), f"{value + 0.2:.2f}"]
        assert_grades(problem, [repr(value), f"{value:.1f}"], wrong, seed)
        problem = GEN.generate(seed, {"ask": "compare"})
        other = "model-B" if problem.expected == "model-A" else "model-A"
        assert_grades(problem, [problem.expected, problem.expected.replace("-", " ")], [other], seed)


def test_compare_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "compare"}, range(300))


def test_solution_shows_the_answer() -> None:
    for seed in range(80):
        problem = GEN.generate(seed)
        value = problem.expected
        if isinstance(value, str):
            assert f"**Model {value[-1]}**" in problem.solution
        else:
            digits = 2 if problem.data["ask"] == "from-loss" else 4
            assert f"**{value:.{digits}f}".rstrip("0").rstrip(".") in problem.solution


def test_deterministic_and_mixed() -> None:
    for seed in (0, 6, 404, 2**37):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {
        "perplexity",
        "bits",
        "nats",
        "from-loss",
        "compare",
    }
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"ask": "bleu"}, {"tokens": 5}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "from_loss"}).ask == "from-loss"


def test_import_is_light() -> None:
    code = "import generators.perplexity, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
