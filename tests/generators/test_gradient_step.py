"""gradient-step: numpy optimiser vs an independent scalar loop, determinism, params, grading, lazy imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import NumberAnswer, get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades

GEN = get("gradient-step")
ROOT = Path(__file__).resolve().parents[2]
OPTIMISERS = ("sgd", "momentum", "rmsprop", "adam")
EPS = 1e-8


def scalar_step(optimiser: str, hyper: dict, w: float, g: float, state: dict, t: int) -> dict:
    """One torch.optim step on a single scalar, written out from the PyTorch docs' pseudo-code."""
    lr = hyper["lr"]
    if optimiser == "sgd":
        return {"w": w - lr * g}
    if optimiser == "momentum":
        buf = g if t == 1 else hyper["momentum"] * state["buf"] + g  # torch: buf = clone(g) on the first step
        return {"w": w - lr * buf, "buf": buf}
    if optimiser == "rmsprop":
        alpha = hyper["alpha"]
        square_avg = alpha * state.get("square_avg", 0.0) + (1 - alpha) * g * g
        return {"w": w - lr * g / (math.sqrt(square_avg) + EPS), "square_avg": square_avg}
    b1, b2 = hyper["beta1"], hyper["beta2"]
    m = b1 * state.get("m", 0.0) + (1 - b1) * g
    v = b2 * state.get("v", 0.0) + (1 - b2) * g * g
    # torch's formulation: step_size = lr / bc1; denom = sqrt(v) / sqrt(bc2) + eps
    bc1, bc2 = 1 - b1**t, 1 - b2**t
    denom = math.sqrt(v) / math.sqrt(bc2) + EPS
    return {"w": w - (lr / bc1) * m / denom, "m": m, "v": v, "m_hat": m / bc1, "v_hat": v / bc2}


def independent_answer(data: dict) -> float:
    i, t = data["index"], data["t"]
    state = {key: values[i] for key, values in data["state"].items()}
    result = scalar_step(data["optimiser"], data["hyper"], data["w"][i], data["g"][i], state, t)
    return result[data["quantity"]]


VARIANTS = [(o, a) for o in OPTIMISERS for a in ("weight", "state") if (o, a) != ("sgd", "state")]


@pytest.mark.parametrize(("optimiser", "ask"), VARIANTS)
def test_matches_scalar_loop(optimiser: str, ask: str) -> None:
    for seed in range(250):
        problem = GEN.generate(seed, {"optimiser": optimiser, "ask": ask})
        data = problem.data
        assert data["optimiser"] == optimiser and data["ask"] == ask
        expected = independent_answer(data)
        assert problem.expected == pytest.approx(expected, rel=1e-9, abs=1e-12)
        answer = problem.parts[0].answer
        assert isinstance(answer, NumberAnswer)
        if ask == "weight":
            # "No update" and a sign slip must both be wrong.
            w = data["w"][data["index"]]
            assert abs(w - problem.expected) > answer.tolerances[0]
            assert abs((2 * w - problem.expected) - problem.expected) > answer.tolerances[0]


def test_history_state_is_consistent() -> None:
    """Mid-training state is exactly what is shown; t = 1 has none; Adam's v stays non-negative."""
    seen_fresh = seen_mid = False
    for seed in range(300):
        data = GEN.generate(seed).data
        if data["t"] == 1:
            seen_fresh = True
            assert data["state"] == {}
        else:
            seen_mid = True
            assert (
                set(data["state"])
                == {"momentum": {"buf"}, "rmsprop": {"square_avg"}, "adam": {"m", "v"}}[data["optimiser"]]
            )
            for key in ("v", "square_avg"):
                assert all(x >= 0 for x in data["state"].get(key, []))
    assert seen_fresh and seen_mid


def test_adam_first_step_moves_by_lr() -> None:
    """Textbook fact: with bias correction Adam's first step is ≈ lr·sign(g)."""
    for seed in range(200):
        problem = GEN.generate(seed, {"optimiser": "adam", "ask": "weight"})
        data = problem.data
        if data["t"] != 1:
            continue
        i = data["index"]
        step = data["w"][i] - problem.expected
        assert step == pytest.approx(data["hyper"]["lr"] * math.copysign(1, data["g"][i]), rel=1e-6)


def test_deterministic_and_varied() -> None:
    for seed in (0, 1, 7, 12345, 2**40):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    prompts = {GEN.generate(seed).prompt for seed in range(60)}
    assert len(prompts) >= 55
    kinds = {(GEN.generate(s).data["optimiser"], GEN.generate(s).data["quantity"]) for s in range(200)}
    assert len(kinds) == 1 + 2 + 2 + 3  # sgd w; momentum w, buf; rmsprop w, square_avg; adam w, m̂, v̂


def test_params_validation() -> None:
    with pytest.raises(ValidationError):
        GEN.Params.model_validate({"optimiser": "sgd", "ask": "state"})
    with pytest.raises(ValidationError):
        GEN.Params.model_validate({"optimiser": "adagrad"})
    with pytest.raises(ValidationError):
        GEN.Params.model_validate({"lr": 0.1})
    for seed in range(30):  # ask=state without an optimiser never picks sgd
        assert GEN.generate(seed, {"ask": "state"}).data["optimiser"] != "sgd"


@pytest.mark.parametrize("seed", range(40))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    answer = problem.parts[0].answer
    value = answer.value
    digits = 8
    for text in (repr(value), f"{value:.{digits}f}", f"{value:.6e}"):
        assert grade_parts(problem.parts, text).correct, text
    wrong = value + 5 * answer.tolerances[0] + 1e-3
    assert not grade_parts(problem.parts, repr(wrong)).correct


@pytest.mark.parametrize("seed", range(20))
def test_rounding_as_instructed_is_accepted(seed: int) -> None:
    """Typing the answer with as many decimals as the prompt asks for must grade right."""
    problem = GEN.generate(seed, {"ask": "weight"})
    decimals = int(problem.prompt.split("Answer to ")[1].split(" decimals")[0])
    assert grade_parts(problem.parts, f"{problem.expected:.{decimals}f}").correct


def test_json_and_solution() -> None:
    for seed in range(50):
        problem = GEN.generate(seed)
        json.dumps(problem.to_json())
        assert "**" in problem.solution and "\\frac" not in problem.solution
        assert problem.table is not None and len(problem.table.rows) in (2, 3)


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.gradient_step, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


def _mistakes(problem) -> list[str]:
    """Slips the family knows: no update, the step's sign flipped, Adam without bias correction, the
    dampened (1 − μ) momentum buffer; each only where it differs from the answer beyond the tolerance."""
    d, value = problem.data, problem.expected
    tolerance = problem.parts[0].answer.tolerances[0]
    i, h = d["index"], d["hyper"]
    w, g = d["w"][i], d["g"][i]
    old = {key: values[i] for key, values in d["state"].items()}
    candidates = []
    if d["quantity"] == "w":
        candidates += [w, 2 * w - value]
    if d["optimiser"] == "adam":
        step = scalar_step("adam", h, w, g, old, d["t"])
        uncorrected = {
            "w": w - h["lr"] * step["m"] / (math.sqrt(step["v"]) + EPS),
            "m_hat": step["m"],
            "v_hat": step["v"],
        }
        candidates.append(uncorrected[d["quantity"]])
    if d["quantity"] == "buf":
        candidates.append(h["momentum"] * old.get("buf", 0.0) + (1 - h["momentum"]) * g)
    return [repr(x) for x in candidates if abs(x - value) > 2 * tolerance]


def test_grading_property_over_many_seeds() -> None:
    """Exact and stated-precision answers are right, the known slips wrong, junk unreadable."""
    for seed in range(300):
        problem = GEN.generate(seed)
        answer = problem.parts[0].answer
        value = problem.expected
        if problem.data["quantity"] == "w":
            decimals = int(problem.prompt.split("Answer to ")[1].split(" decimals")[0])
            assert answer.decimals == decimals
            rounded = f"{value:.{decimals}f}"
        else:
            assert "3 significant figures" in problem.prompt and answer.significant == 3
            rounded = f"{value:.3g}"
        assert_grades(problem, [repr(value), rounded, f"{value:.6e}"], _mistakes(problem), seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


def test_asked_state_is_never_a_number_from_the_table() -> None:
    """A fresh momentum buffer or Adam m̂ equals g; such asks are posed mid-training instead, so no
    asked value can be copied from the prompt's table."""
    for seed in range(400):
        problem = GEN.generate(seed, {"ask": "state"})
        shown = {float(cell) for cell in problem.table.rows[problem.data["index"]][1:]}  # the asked row
        value = problem.expected
        assert not any(abs(value - x) <= problem.parts[0].answer.tolerances[0] for x in shown), seed
