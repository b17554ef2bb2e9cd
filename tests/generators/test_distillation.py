"""distillation: softened probabilities vs scipy.special.softmax, KL and cross-entropy vs scipy.stats.entropy,
the mistakes graded wrong, determinism and params."""

from __future__ import annotations

import numpy as np
import pytest

from generators import get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("distillation")
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
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "hard_loss"}, {"temperature": 2}])
    assert GEN.Params.model_validate({"ask": "t2-kl"}).ask == "t2_kl"


def test_import_is_light() -> None:
    assert_import_is_light("generators.distillation")


def test_t2_kl_does_not_attribute_kl_to_hinton() -> None:
    """Regression: 'Hinton et al. add the soft term T²·KL' misattributed the KL form; the paper uses a
    cross-entropy with soft targets and scales it by T² (same gradients as the KL)."""
    prompt = GEN.generate(1, {"ask": "t2_kl"}).prompt
    assert "Hinton et al. add" not in prompt
    assert "scale the soft-target loss by T²" in prompt


def test_instances_are_those_scipy_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """log_softmax is scipy's arithmetic in numpy: the same seed gives the very same problem as with scipy."""
    from scipy import special

    import generators.distillation as module

    ours = [GEN.generate(seed).to_json() for seed in range(150)]
    monkeypatch.setattr(module, "log_softmax", special.log_softmax)
    assert [GEN.generate(seed).to_json() for seed in range(150)] == ours
