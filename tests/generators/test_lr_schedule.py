"""lr-schedule: numpy closed forms vs PyTorch-style recursive (chainable) schedulers; grading; imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import get
from quizzer.grading import grade_parts

GEN = get("lr-schedule")
ROOT = Path(__file__).resolve().parents[2]
KINDS = ("step", "cosine", "cosine_restarts", "warmup_cosine", "warmup_linear")


def replay(data: dict) -> float:
    """Step a scheduler t times the way torch / transformers do (recursively where torch does) and read lr."""
    base, t, cfg = data["base_lr"], data["t"], data["config"]
    lr = base
    match data["schedule"]:
        case "step":
            for epoch in range(1, t + 1):  # StepLR / MultiStepLR: multiply by gamma when a boundary is reached
                if "milestones" in cfg:
                    if epoch in cfg["milestones"]:
                        lr *= cfg["gamma"]
                elif epoch % cfg["step_size"] == 0:
                    lr *= cfg["gamma"]
            return lr
        case "cosine":  # CosineAnnealingLR's chainable form (valid for 0 < epoch <= T_max)
            t_max, eta_min = cfg["T_max"], cfg["eta_min"]
            for epoch in range(1, t + 1):
                lr = eta_min + (lr - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / (
                    1 + math.cos(math.pi * (epoch - 1) / t_max))
            return lr
        case "cosine_restarts":  # CosineAnnealingWarmRestarts.step() without an explicit epoch
            t_cur, t_i = 0, cfg["T_0"]
            for _ in range(t):
                t_cur += 1
                if t_cur >= t_i:
                    t_cur -= t_i
                    t_i *= cfg["T_mult"]
            return cfg["eta_min"] + (base - cfg["eta_min"]) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
    # transformers' lr_lambda, evaluated at the current step
    warmup, total = cfg["num_warmup_steps"], cfg["num_training_steps"]
    if t < warmup:
        return base * t / max(1, warmup)
    progress = (t - warmup) / max(1, total - warmup)
    if data["schedule"] == "warmup_cosine":
        return base * max(0.0, 0.5 * (1 + math.cos(math.pi * 0.5 * 2 * progress)))
    return base * max(0.0, (total - t) / max(1, total - warmup))


@pytest.mark.parametrize("kind", KINDS)
def test_matches_recursive_scheduler(kind: str) -> None:
    boundaries = 0
    for seed in range(250):
        problem = GEN.generate(seed, {"schedule": kind})
        d = problem.data
        assert d["schedule"] == kind
        assert 0 < d["t"] < d["total"]
        assert problem.expected == pytest.approx(replay(d), rel=1e-9)
        assert problem.expected >= 0.005 * d["base_lr"]  # never (nearly) zero
        if _at_boundary(d):
            boundaries += 1
            # Counting from 1 (reading the rate of step t − 1) is the classic mistake: it must grade wrong.
            assert not grade_parts(problem.parts, repr(replay(d | {"t": d["t"] - 1}))).correct
    if kind in ("step", "cosine_restarts"):
        assert boundaries >= 40  # the 0-based off-by-one is asked often


def _at_boundary(d: dict) -> bool:
    cfg, t = d["config"], d["t"]
    if d["schedule"] == "step":
        return t in cfg.get("milestones", []) or ("step_size" in cfg and t % cfg["step_size"] == 0)
    if d["schedule"] == "cosine_restarts":
        start, length = 0, cfg["T_0"]
        while start < t:
            start, length = start + length, length * cfg["T_mult"]
        return start == t
    return False


def test_figure_matches_schedule() -> None:
    for seed in range(40):
        problem = GEN.generate(seed)
        d = problem.data
        series = problem.figure.series[0]
        assert len(series.x) <= 300 and series.x[0] == 0
        assert all(0 <= y <= d["base_lr"] * (1 + 1e-12) for y in series.y)
        for x, y in list(zip(series.x, series.y, strict=True))[::37]:
            assert y == pytest.approx(replay(d | {"t": int(x)}), rel=1e-9, abs=1e-15)


def test_deterministic_and_varied() -> None:
    for seed in (0, 6, 1000, 2**39):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({GEN.generate(seed).prompt for seed in range(80)}) >= 70
    assert {GEN.generate(seed).data["schedule"] for seed in range(60)} == set(KINDS)


def test_params_validation() -> None:
    for bad in ({"schedule": "onecycle"}, {"t": 3}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    value = problem.expected
    for text in (repr(value), f"{value:.3g}", f"{value:.2e}", f"{float(f'{value:.3g}'):.10f}"):
        assert grade_parts(problem.parts, text).correct, text  # the prompt asks for 3 significant figures
    two = float(f"{value:.2g}")  # 2 significant figures are too few, unless the 3rd digit is (nearly) 0
    if abs(two - value) > 10 ** (math.floor(math.log10(value)) - 2) * (1 + 1e-6):
        assert not grade_parts(problem.parts, f"{value:.1e}").correct
    assert not grade_parts(problem.parts, repr(value * 1.05)).correct
    assert not grade_parts(problem.parts, repr(problem.data["base_lr"] * 2)).correct


def test_json() -> None:
    for seed in range(40):
        problem = GEN.generate(seed)
        json.dumps(problem.to_json())
        assert "**" in problem.solution and "```python" in problem.prompt


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.lr_schedule, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
