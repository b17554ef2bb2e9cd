"""distillation: softened probabilities vs scipy.special.softmax, KL and cross-entropy vs scipy.stats.entropy,
the mistakes graded wrong, determinism and params."""

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

GEN = get("distillation")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("soft_prob", "kl", "cross_entropy", "t2_kl")


def reference(teacher: list[float], student: list[float], t: float) -> dict[str, float]:
    from scipy.special import softmax
    from scipy.stats import entropy

    pt, ps = softmax(np.array(teacher) / t), softmax(np.array(student) / t)
    divergence = float(entropy(pt, ps))
    return {
        "kl": divergence,
        "cross_entropy": float(entropy(pt)) + divergence,
        "t2_kl": t**2 * divergence,
        "kl_reversed": float(entropy(ps, pt)),
        "kl_t1": float(entropy(softmax(teacher), softmax(student))),
    }


@pytest.mark.parametrize("ask", ASKS)
def test_values_match_scipy(ask: str) -> None:
    from scipy.special import softmax

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        ref = reference(d["teacher"], d["student"], d["temperature"])
        for key, value in ref.items():
            assert d[key] == pytest.approx(value, abs=1e-10), (seed, key)
        if ask == "soft_prob":
            p = softmax(np.array(d["teacher"]) / d["temperature"])[d["index"]]
            assert problem.expected == pytest.approx(float(p), abs=1e-12)
            assert problem.expected >= 0.03
        else:
            assert problem.expected == pytest.approx(ref[ask], abs=1e-10)


def test_temperature_flattens_the_teacher() -> None:
    from scipy.special import softmax

    for seed in range(100):
        d = GEN.generate(seed, {"ask": "soft_prob"}).data
        t = d["temperature"]
        assert t > 1
        sharp, soft = softmax(d["teacher"]), softmax(np.array(d["teacher"]) / t)
        assert soft.max() < sharp.max() and soft.min() > sharp.min()


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        right = [repr(problem.expected), f"{problem.expected:.3f}"]
        wrong = [f"{v:.3f}" for v in problem.data["mistakes"].values()]
        assert len(wrong) == 2
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    for seed in (0, 12, 300, 2**43):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
        json.dumps(GEN.generate(seed).to_json())
    problems = [GEN.generate(seed) for seed in range(60)]
    assert len({json.dumps(p.data) for p in problems}) == 60
    assert {p.data["ask"] for p in problems} == set(ASKS)


def test_params_validation() -> None:
    for bad in ({"ask": "hard_loss"}, {"temperature": 2}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "t2-kl"}).ask == "t2_kl"


def test_import_is_light() -> None:
    code = "import generators.distillation, sys; assert 'scipy' not in sys.modules and 'sklearn' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
