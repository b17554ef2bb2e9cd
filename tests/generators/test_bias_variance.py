"""bias-variance: bias² / variance vs textbook formulas on the shown predictions, simulation sanity, grading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from tests.generators.grading_checks import assert_grades

GEN = get("bias-variance")
ROOT = Path(__file__).resolve().parents[2]
MODELS = ("linear", "stump", "deep-tree", "1-nn")


def textbook(truth: float, predictions: list[float]) -> tuple[float, float]:
    b = len(predictions)
    mean = sum(predictions) / b
    return (mean - truth) ** 2, sum((p - mean) ** 2 for p in predictions) / b


def test_matches_textbook_over_seeds() -> None:
    for seed in range(120):  # each instance fits 8 models
        problem = GEN.generate(seed)
        d = problem.data
        bias2, variance = textbook(d["truth"], d["predictions"])
        assert (d["bias2"], d["variance"]) == pytest.approx((bias2, variance), abs=1e-12)
        assert max(bias2, variance) >= 2 * min(bias2, variance)
        expected = {"bias2": bias2, "variance": variance,
                    "dominates": "bias" if bias2 > variance else "variance"}[d["ask"]]
        assert problem.expected == (expected if isinstance(expected, str) else pytest.approx(expected, abs=1e-12))
        # The table shows exactly the numbers the answer is computed from.
        shown = [float(row[1]) for row in problem.table.rows]
        assert shown == d["predictions"]


def test_simulation_behaves_like_the_theory() -> None:
    """Averaged over instances, flexible models have more variance and less bias² than rigid ones."""
    stats = {m: [GEN.generate(s, {"model": m}).data for s in range(20)] for m in MODELS}

    def ratio(model: str) -> float:
        return float(np.median([d["variance"] / (d["variance"] + d["bias2"]) for d in stats[model]]))

    assert min(ratio("deep-tree"), ratio("1-nn")) > max(ratio("linear"), ratio("stump"))
    assert ratio("1-nn") > 0.5 and ratio("linear") < 0.5


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("ask", ["bias2", "variance", "dominates"])
def test_variants_grading_and_determinism(model: str, ask: str) -> None:
    for seed in range(5):
        params = {"model": model, "ask": ask}
        problem = GEN.generate(seed, params)
        assert problem.data["model"] == model and problem.data["ask"] == ask
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        assert len(problem.figure.series) == 9
        if ask == "dominates":
            options = [o.name for o in problem.parts[0].answer.options]
            index = options.index(problem.expected)
            right = [problem.expected, str(index + 1), problem.parts[0].answer.options[index].text]
            wrong = [next(o for o in options if o != problem.expected)]
        else:
            value = problem.expected
            right = [repr(value), f"{value:.3g}", f"{value:.4g}"]
            wrong = [repr(value * 1.05 + 0.02 * max(problem.data["bias2"], problem.data["variance"]))]
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(30)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 30
    assert {p.data["ask"] for p in problems} == {"bias2", "variance", "dominates"}
    assert {p.data["dominant"] for p in problems} == {"bias", "variance"}


def test_bad_params_rejected() -> None:
    for bad in ({"model": "svm"}, {"ask": "noise"}, {"fits": 10}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.bias_variance, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
