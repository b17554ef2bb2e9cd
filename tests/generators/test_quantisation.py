"""quantisation: q found as the nearest point of the explicit grid of representable values, scale and
zero-point from their definitions with exact fractions, the mistakes graded wrong, params validation."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("quantisation")
ASKS = ("scale_zero_point", "quantise", "dequantise")


def reference_grid(x: list[float], scheme: str) -> tuple[Fraction, int, np.ndarray, np.ndarray]:
    """Scale, zero-point, and every (code, real value) pair the scheme can represent."""
    values = [Fraction(str(v)) for v in x]
    if scheme == "symmetric":
        scale = max(abs(v) for v in values) / 127
        zero_point = 0
        codes = np.arange(-127, 128)
    else:
        lo, hi = min(min(values), Fraction(0)), max(max(values), Fraction(0))
        scale = (hi - lo) / 255
        exact = -lo / scale
        zero_point = int(exact + Fraction(1, 2))  # exact is never near a tie (checked below)
        assert abs(exact - int(exact) - Fraction(1, 2)) > Fraction(1, 100)
        codes = np.arange(0, 256)
    grid = float(scale) * (codes - zero_point)
    return scale, zero_point, codes, grid


def nearest_code(value: float, codes: np.ndarray, grid: np.ndarray) -> int:
    distance = np.abs(grid - value)
    best = int(np.argmin(distance))
    assert np.sort(distance)[1] - distance[best] > 1e-9  # no tie between two codes
    return int(codes[best])


@pytest.mark.parametrize("ask", ASKS)
def test_answers_match_the_grid(ask: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        scale, zero_point, codes, grid = reference_grid(d["x"], d["scheme"])
        assert d["scale"] == pytest.approx(float(scale), rel=1e-12)
        assert d["zero_point"] == zero_point
        value = d["x"][d["index"]]
        q = nearest_code(value, codes, grid)
        assert d["q"] == q
        # Zero is exactly representable: some code's real value is 0 (to float precision).
        assert np.min(np.abs(grid)) < 1e-12
        if ask == "scale_zero_point":
            assert d["scheme"] == "asymmetric"
            assert problem.expected == [pytest.approx(float(scale), rel=1e-12), zero_point]
        elif ask == "quantise":
            assert problem.expected == q
        else:
            x_hat = float(scale) * (q - zero_point)
            assert problem.expected == pytest.approx([x_hat, abs(value - x_hat)], abs=1e-12)
            assert abs(value - x_hat) <= float(scale) / 2 + 1e-12


def test_both_schemes_and_scale_param() -> None:
    assert {GEN.generate(s, {"ask": "quantise"}).data["scheme"] for s in range(40)} == {
        "asymmetric",
        "symmetric",
    }
    assert {
        GEN.generate(s, {"scheme": "symmetric", "ask": "dequantise"}).data["scheme"] for s in range(10)
    } == {"symmetric"}


def mistakes(problem: Problem) -> list[str]:
    d = problem.data
    if d["ask"] == "scale_zero_point":
        texts = [f"{scale:.4g}; {zp}" for scale, zp in d["mistakes"].values()]
        return texts + [
            f"{d['scale']:.4g}; {d['zero_point'] + 1}",
            f"{d['scale'] * 255 / 256:.4g}; {d['zero_point']}",
        ]
    if d["ask"] == "quantise":
        return [str(v) for v in set(d["mistakes"].values()) - {d["q"]}]
    no_zero_point = d["scale"] * d["q"]
    texts = [f"{d['dequantised']:.4f}; 0"]
    if d["zero_point"]:
        texts.append(f"{no_zero_point:.4f}; {abs(d['x'][d['index']] - no_zero_point):.4f}")
    return texts


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        if ask == "scale_zero_point":
            right = [f"{d['scale']!r}; {d['zero_point']}", f"{d['scale']:.4g}; {d['zero_point']}"]
        elif ask == "quantise":
            right = [str(d["q"])]
        else:
            right = [f"{d['dequantised']!r}; {d['error']!r}", f"{d['dequantised']:.4f}; {d['error']:.4f}"]
        wrong = mistakes(problem)
        assert wrong
        assert_grades(problem, right, wrong, seed)


def test_own_range_mistake_is_exercised() -> None:
    """One-sided tensors (min > 0) appear, where forgetting to include 0 in the range changes the answer."""
    count = 0
    for seed in range(200):
        d = GEN.generate(seed, {"ask": "scale_zero_point"}).data
        assert ("own_range" in d["mistakes"]) == (min(d["x"]) > 0 or max(d["x"]) < 0)
        if min(d["x"]) > 0:
            count += 1
            assert d["zero_point"] == 0
            assert abs(d["mistakes"]["own_range"][0] - d["scale"]) > 6e-4 * d["scale"]
    assert count >= 20


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        d = problem.data
        if d["ask"] == "scale_zero_point":
            assert f"**{d['zero_point']}**" in problem.solution
        elif d["ask"] == "quantise":
            assert f"**{d['q']}**" in problem.solution
        else:
            assert f"**{d['dequantised']:.5f}".rstrip("0").rstrip(".") in problem.solution


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(
        GEN, [{"ask": "bits"}, {"scheme": "int4"}, {"ask": "scale_zero_point", "scheme": "symmetric"}]
    )


def test_import_is_light() -> None:
    assert_import_is_light("generators.quantisation")


def test_softmax_row_says_its_values_are_rounded() -> None:
    """Regression: a 'softmax-attention row' whose shown values summed to 0.98-1.01 without saying why."""
    seen = 0
    for seed in range(120):
        problem = GEN.generate(seed)
        if "softmax" in problem.prompt:
            seen += 1
            assert "rounded to 2 decimals" in problem.prompt
            assert abs(sum(problem.data["x"]) - 1) <= 0.005 * len(problem.data["x"]) + 1e-9
    assert seen


def test_quantise_slips_named_in_the_solution_all_miss_the_answer() -> None:
    """Regression: seed 9 said 'Rounding down (floor) instead of to the nearest integer gives 163', the answer
    itself (67.105 floors and rounds alike)."""
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "quantise"})
        slips = problem.data["mistakes"]
        assert problem.expected not in slips.values(), seed
        assert f"gives {problem.expected}." not in problem.solution, seed
