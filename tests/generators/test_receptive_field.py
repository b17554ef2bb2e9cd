"""receptive-field: one-hot impulses pushed through the stack with numpy, interval arithmetic top-down,
real output shapes from sliding windows; the mistakes graded wrong; the compare choice has no shortcut."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from generators import ChoiceAnswer, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("receptive-field")


def forward(x: np.ndarray, layers: list[dict]) -> np.ndarray:
    """Apply the stack along the last axis with all-ones kernels (pooling as sum-pooling, so every input
    that a max-pool could pass on shows up), zero padding, stride and dilation as given."""
    for layer in layers:
        k, s, d, p = layer["k"], layer["s"], layer["d"], layer["p"]
        padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(p, p)])
        windows = sliding_window_view(padded, d * (k - 1) + 1, axis=-1)[..., ::s, ::d]
        x = windows.sum(axis=-1)
    return x


def impulse_receptive_field(layers: list[dict]) -> int:
    """Span of the input pixels that reach the middle output unit: one impulse per input pixel (identity batch)."""
    # Wide enough that borders never clip the middle unit (a clipped span would fail the comparison, not hide).
    length = 4 * interval_receptive_field(layers) + 32
    out = forward(np.eye(length, dtype=np.int64), layers)  # row i: the output when only pixel i is on
    middle = out.shape[1] // 2
    reached = np.flatnonzero(out[:, middle])
    return int(reached.max() - reached.min() + 1)  # a span: dilated kernels leave holes inside it


def interval_receptive_field(layers: list[dict]) -> int:
    """Top-down: output unit u covers [u·s − p, u·s − p + d·(k − 1)] one layer down; recurse to the input."""
    low = high = 10
    for layer in reversed(layers):
        low = low * layer["s"] - layer["p"]
        high = high * layer["s"] - layer["p"] + layer["d"] * (layer["k"] - 1)
    return high - low + 1


def test_rf_matches_impulses_and_intervals() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "rf"})
        layers = problem.data["layers"]
        assert problem.expected == interval_receptive_field(layers)
        assert problem.expected == impulse_receptive_field(layers), seed
        assert problem.expected not in problem.data["mistakes"].values()


def test_output_size_matches_real_arrays() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "output_size"})
        size = problem.data["input_size"]
        out = forward(np.zeros((1, size)), problem.data["layers"])
        assert problem.expected == out.shape[1] >= 4
        assert problem.expected not in problem.data["mistakes"].values()


def test_compare_matches_impulses() -> None:
    keys = []
    for seed in range(150):
        problem = GEN.generate(seed, {"ask": "compare"})
        d = problem.data
        ra, rb = interval_receptive_field(d["stack_a"]), interval_receptive_field(d["stack_b"])
        assert (ra, rb) == (impulse_receptive_field(d["stack_a"]), impulse_receptive_field(d["stack_b"]))
        assert problem.expected == ("same" if ra == rb else "a" if ra > rb else "b")
        assert d["stack_a"] != d["stack_b"]
        keys.append(problem.expected)
    assert min(keys.count(k) for k in ("a", "b", "same")) >= 35


def test_compare_traps_naive_counting() -> None:
    """In about half the A/B instances, summing (k − 1)·d while ignoring strides picks the wrong stack."""
    traps = 0
    for seed in range(150):
        d = GEN.generate(seed, {"ask": "compare"}).data
        if d["rf_a"] == d["rf_b"]:
            continue
        naive_a, naive_b = (sum((x["k"] - 1) * x["d"] for x in d[key]) for key in ("stack_a", "stack_b"))
        traps += (naive_a > naive_b) != (d["rf_a"] > d["rf_b"]) or naive_a == naive_b
    assert traps >= 30


def test_compare_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "compare"}, range(300))


@pytest.mark.parametrize("ask", ["rf", "output_size", "compare"])
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        if ask == "compare":
            answer = problem.parts[0].answer
            assert isinstance(answer, ChoiceAnswer)
            names = [o.name for o in answer.options]
            right = [answer.correct, str(names.index(answer.correct) + 1)]
            wrong = [name for name in names if name != answer.correct]
            assert all(f"{problem.data['rf_a']} pixels" in text for text in answer.feedback.values())
        else:
            right = [str(problem.expected), f"{problem.expected}.0"]
            wrong = [str(v) for v in set(problem.data["mistakes"].values())] + [str(problem.expected + 1)]
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        d = problem.data
        if d["ask"] == "rf":
            assert f"**{problem.expected}** pixels" in problem.solution
        elif d["ask"] == "output_size":
            assert f"**{problem.expected}×{problem.expected}**" in problem.solution
        else:
            assert f"({d['rf_a']} vs {d['rf_b']} pixels)" in problem.solution


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ("rf", "output_size", "compare"))


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "flops"}, {"layers": 3}])
    assert GEN.Params.model_validate({"ask": "output-size"}).ask == "output_size"


def test_import_is_light() -> None:
    assert_import_is_light("generators.receptive_field")


def test_compare_insight_does_not_credit_the_dilated_kernel_with_more_weights() -> None:
    """Regression: 'two 3×3 convs see as far as one 5×5 (and a 3×3 with dilation 2) with fewer weights' read as
    if two 3×3 convs had fewer weights than one dilated 3×3 (18 > 9)."""
    solution = GEN.generate(1, {"ask": "compare"}).solution
    assert "(and a 3×3 with dilation 2) with fewer weights" not in solution
    assert "18 against 25" in solution and "with 9" in solution


def test_output_size_states_the_rounding_rule() -> None:
    """Regression: the output-size question did not say layers floor their size, and every instance is drawn so
    that ceil (Caffe's pooling convention) gives a different answer."""
    for seed in range(20):
        problem = GEN.generate(seed, {"ask": "output_size"})
        assert "rounds its output size down" in problem.prompt and "ceil_mode=False" in problem.prompt
