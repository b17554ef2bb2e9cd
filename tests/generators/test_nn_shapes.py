"""nn-shapes: formulas vs numpy sliding windows and weight-tensor sizes; grading; lazy imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.nn_shapes import conv_output_size
from quizzer.grading import grade_parts

GEN = get("nn-shapes")
ROOT = Path(__file__).resolve().parents[2]


def sliding_count(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Slide a dilated kernel over a zero-padded 1-D signal and count where it fits, stepping by stride."""
    padded = np.pad(np.zeros(size), padding)
    span = dilation * (kernel - 1) + 1
    if span > len(padded):
        return 0
    windows = np.lib.stride_tricks.sliding_window_view(padded, span)[::stride]
    taps = windows[:, ::dilation]  # the kernel's actual taps inside each window
    assert taps.shape[1] == kernel
    return windows.shape[0]


def sliding_count_2d(height: int, width: int, kernel: int, stride: int, padding: int, dilation: int) -> tuple[int, int]:
    padded = np.pad(np.zeros((height, width)), padding)
    span = dilation * (kernel - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(padded, (span, span))[::stride, ::stride]
    return windows.shape[0], windows.shape[1]


def test_formula_matches_sliding_windows_exhaustively() -> None:
    for size in (1, 2, 5, 7, 28, 32, 33):
        for kernel in (1, 2, 3, 5, 7):
            for stride in (1, 2, 3, 4):
                for padding in (0, 1, 2, 3):
                    for dilation in (1, 2, 3):
                        expected = sliding_count(size, kernel, stride, padding, dilation)
                        formula = conv_output_size(size, kernel, stride, padding, dilation)
                        assert max(formula, 0) == expected, (size, kernel, stride, padding, dilation)


def test_conv_output_matches_sliding_window() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "conv_output"})
        d = problem.data
        height, width = d["input"]
        out_h, out_w = sliding_count_2d(height, width, d["kernel"], d["stride"], d["padding"], d["dilation"])
        assert problem.expected == (out_h if d["axis"] == "height" else out_w)
        assert problem.expected >= 1
        assert isinstance(problem.expected, int)


def weight_count(shapes: list[tuple[int, ...]]) -> int:
    return sum(np.zeros(shape).size for shape in shapes)


def test_conv_params_match_tensor_sizes() -> None:
    styles = set()
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "conv_params"})
        d = problem.data
        c_in, c_out, k, groups = d["in_channels"], d["out_channels"], d["kernel"], d["groups"]
        shapes = [(c_out, c_in // groups, k, k)]  # torch's Conv2d.weight layout
        if d["bias"]:
            shapes.append((c_out,))
        if d["batchnorm"]:
            shapes += [(c_out,), (c_out,)]  # weight (γ) and bias (β); running stats are buffers
        assert problem.expected == weight_count(shapes)
        styles.add((groups > 1, d["batchnorm"], d["bias"], k == 1))
    assert len(styles) >= 5


def test_dense_params_match_tensor_sizes() -> None:
    saw_bn = False
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "dense_params"})
        d = problem.data
        sizes = d["sizes"]
        shapes: list[tuple[int, ...]] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            last = i == len(sizes) - 2
            shapes.append((b, a))
            if last or not d["batchnorm"]:
                shapes.append((b,))
            if not last and d["batchnorm"]:
                shapes += [(b,), (b,)]
        saw_bn |= d["batchnorm"]
        assert problem.expected == weight_count(shapes)
        # The prompt's code is what was counted.
        assert problem.prompt.count("nn.Linear(") == len(sizes) - 1
    assert saw_bn


def test_flatten_matches_simulated_forward_shapes() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "flatten"})
        d = problem.data
        c, h, _ = d["input"]
        for layer in d["layers"]:
            if match := re.match(r"nn\.Conv2d\((\d+), (\d+), kernel_size=(\d+)(?:, padding=(\d+))?\)", layer):
                assert int(match[1]) == c
                c, k, p = int(match[2]), int(match[3]), int(match[4] or 0)
                h = sliding_count(h, k, 1, p, 1)
            elif layer.startswith("nn.MaxPool2d"):
                h = sliding_count(h, 2, 2, 0, 1)
        assert h >= 1
        assert problem.expected == c * h * h


def test_deterministic_and_varied() -> None:
    for seed in (0, 8, 4242, 2**50):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({GEN.generate(seed).prompt for seed in range(80)}) >= 60
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {"conv_output", "conv_params", "dense_params",
                                                                      "flatten"}


def test_params_validation() -> None:
    for bad in ({"ask": "rnn"}, {"kernel": 3}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    value = problem.expected
    for text in (str(value), f"{value:,}", f"{value}.0"):
        assert grade_parts(problem.parts, text).correct, text
    assert not grade_parts(problem.parts, str(value + 1)).correct
    assert not grade_parts(problem.parts, str(value - 1)).correct


def test_json_and_solution() -> None:
    for seed in range(40):
        problem = GEN.generate(seed)
        json.dumps(problem.to_json())
        assert f"**{problem.expected:,}**" in problem.solution or f"**{problem.expected}**" in problem.solution


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.nn_shapes, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
