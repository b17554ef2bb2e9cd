"""ab-test: scipy values vs erf-based manual formulas; tolerance covers formula variants; grading; imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import pytest
from pydantic import ValidationError

from generators import get
from quizzer.grading import grade_parts
from tests.generators.library_paths import assert_same_instances_as_library

GEN = get("ab-test")
ROOT = Path(__file__).resolve().parents[2]
Z = NormalDist()  # the standard library's normal: independent of scipy


def manual_sample_size(p1: float, p2: float, alpha: float, power: float, pooled: bool = False) -> float:
    z_a, z_b = Z.inv_cdf(1 - alpha / 2), Z.inv_cdf(power)
    if pooled:  # Fleiss without continuity correction: pooled variance under H0
        p_bar = (p1 + p2) / 2
        root = z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        return root**2 / (p2 - p1) ** 2
    return (z_a + z_b) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2


def manual_p_value(conv_a: int, n_a: int, conv_b: int, n_b: int) -> tuple[float, float]:
    pooled = (conv_a + conv_b) / (n_a + n_b)
    z = (conv_b / n_b - conv_a / n_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return z, math.erfc(abs(z) / math.sqrt(2))  # = 2·(1 − Φ(|z|))


@pytest.mark.parametrize("alpha", [None, 0.01, 0.05, 0.1])
@pytest.mark.parametrize("power", [None, 0.8, 0.9])
def test_sample_size_matches_formula(alpha: float | None, power: float | None) -> None:
    for seed in range(200):
        params = (
            {"ask": "sample_size"} | ({"alpha": alpha} if alpha else {}) | ({"power": power} if power else {})
        )
        problem = GEN.generate(seed, params)
        d = problem.data
        if alpha:
            assert d["alpha"] == alpha
        if power:
            assert d["power"] == power
        exact = manual_sample_size(d["baseline"], d["target"], d["alpha"], d["power"])
        assert problem.expected == math.ceil(exact)
        answer = problem.parts[0].answer
        # The pooled variant and textbook-rounded z values (1.96 / 0.84 etc.) are accepted.
        pooled = manual_sample_size(d["baseline"], d["target"], d["alpha"], d["power"], pooled=True)
        assert grade_parts(problem.parts, str(math.ceil(pooled))).correct
        z_a = round(Z.inv_cdf(1 - d["alpha"] / 2), 2)
        z_b = round(Z.inv_cdf(d["power"]), 2)
        p1, p2 = d["baseline"], d["target"]
        rounded = (z_a + z_b) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2
        assert grade_parts(problem.parts, str(math.ceil(rounded))).correct
        # Forgetting "per arm" (answering the total) or using one-sided z must be wrong.
        assert not grade_parts(problem.parts, str(2 * problem.expected)).correct
        one_sided = manual_sample_size(p1, p2, 2 * d["alpha"], d["power"])
        assert not grade_parts(problem.parts, str(math.ceil(one_sided))).correct
        assert answer.rel_tolerance == 0.02


def test_p_value_matches_manual_z_test() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "p_value"})
        d = problem.data
        z, p = manual_p_value(d["conversions_a"], d["n_a"], d["conversions_b"], d["n_b"])
        assert d["z"] == pytest.approx(z, rel=1e-12)
        assert problem.expected == pytest.approx(p, rel=1e-9)
        assert 0.002 <= problem.expected <= 0.8
        # One-sided p (half) is wrong whenever it differs meaningfully.
        if p > 0.02:
            assert not grade_parts(problem.parts, f"{p / 2:.4f}").correct


@pytest.mark.parametrize("alpha", [None, 0.01, 0.05, 0.1])
def test_bonferroni_matches_manual(alpha: float | None) -> None:
    for seed in range(250):
        problem = GEN.generate(seed, {"ask": "bonferroni"} | ({"alpha": alpha} if alpha else {}))
        d = problem.data
        if alpha:
            assert d["alpha"] == alpha
        level = d["alpha"] / d["m"]
        assert len(d["p_values"]) == d["m"]
        assert problem.expected == [pytest.approx(level, rel=1e-12), sum(p <= level for p in d["p_values"])]
        assert all(abs(p - level) > 0.1 * level for p in d["p_values"])  # no near-ties
        # At least one comparison is significant only without the correction.
        assert any(level < p < d["alpha"] for p in d["p_values"])


def test_deterministic_and_varied() -> None:
    for seed in (0, 9, 512, 2**36):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(60)}) >= 58
    assert {GEN.generate(seed).data["ask"] for seed in range(40)} == {"sample_size", "p_value", "bonferroni"}


def test_params_validation() -> None:
    for bad in ({"alpha": 0.02}, {"power": 0.95}, {"ask": "t_test"}, {"mde": 0.1}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    ask = problem.data["ask"]
    if ask == "bonferroni":
        level, count = problem.expected
        forms = [
            f"{level}; {count}",
            f"{level * 100:.4g}%; {count}",
            f"{problem.data['alpha']}/{problem.data['m']}; {count}",
        ]
        wrongs = [f"{level}; {count + 1}", f"{problem.data['alpha']}; {count}"]
    elif ask == "sample_size":
        value = problem.expected
        forms = [str(value), f"{value:,}", f"{value * 1.01:.0f}"]
        wrongs = [str(int(value * 1.05)), str(int(value * 0.9))]
    else:
        value = problem.expected
        forms = [repr(value), f"{value:.2g}", f"{float(f'{value:.2g}') * 100:.6g}%"]  # 2 significant figures
        wrongs = [f"{value + 0.03:.3f}", f"{value * 1.2:.2g}"]
    for text in forms:
        assert grade_parts(problem.parts, text).correct, text
    for text in wrongs:
        assert not grade_parts(problem.parts, text).correct, text


def test_import_does_not_load_sklearn() -> None:
    code = (
        "import generators.ab_test, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_instances_same_as_with_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question kind, 240 seeds: the instance (prompt, table, parts and tolerances, solution, data with the
    full-precision p-value) is the one scipy.stats.norm made before the family stopped importing it."""
    from scipy.stats import norm

    cases = [(seed, {"ask": ask}) for seed in range(80) for ask in ("sample_size", "p_value", "bonferroni")]
    assert_same_instances_as_library(GEN, cases, monkeypatch, {"norm_ppf": norm.ppf, "norm_sf": norm.sf})
