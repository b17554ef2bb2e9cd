"""attention: weights and outputs vs scipy.special.softmax and a loop-by-loop implementation; slips; grading."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, get
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("attention")
ROOT = Path(__file__).resolve().parents[2]


def scipy_weights(q: list[list[float]], k: list[list[float]]) -> np.ndarray:
    from scipy.special import softmax

    q_arr, k_arr = np.array(q), np.array(k)
    return softmax(q_arr @ k_arr.T / np.sqrt(q_arr.shape[1]), axis=1)


def loop_weights(q_row: list[float], k: list[list[float]], scale: float) -> list[float]:
    """One query's weights with plain Python: dot products, scale, exp, normalise over the keys."""
    scores = [sum(a * b for a, b in zip(q_row, key, strict=True)) / scale for key in k]
    exps = [math.exp(s) for s in scores]
    return [e / sum(exps) for e in exps]


def test_weight_matches_scipy_and_loops() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "weight"})
        d = problem.data
        row, key = d["row"], d["key"]
        expected = scipy_weights(d["q"], d["k"])[row, key]
        assert problem.expected == pytest.approx(expected, abs=1e-12)
        assert problem.expected == pytest.approx(
            loop_weights(d["q"][row], d["k"], math.sqrt(d["d_k"]))[key], abs=1e-12
        )
        assert 0.03 <= problem.expected <= 0.97


def test_output_matches_scipy_and_loops() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "output"})
        d = problem.data
        row, col = d["row"], d["column"]
        expected = (scipy_weights(d["q"], d["k"]) @ np.array(d["v"]))[row, col]
        assert problem.expected == pytest.approx(expected, abs=1e-12)
        weights = loop_weights(d["q"][row], d["k"], math.sqrt(d["d_k"]))
        assert problem.expected == pytest.approx(
            sum(a * v[col] for a, v in zip(weights, d["v"], strict=True)), abs=1e-12
        )


def test_most_attended_matches_argmax_and_often_traps_the_column_softmax() -> None:
    from scipy.special import softmax

    traps = 0
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "most-attended"})
        d = problem.data
        row = d["row"]
        best = int(np.argmax(scipy_weights(d["q"], d["k"])[row]))
        assert problem.expected == f"key-{best + 1}"
        scaled = np.array(d["q"]) @ np.array(d["k"]).T / math.sqrt(d["d_k"])
        by_column = int(np.argmax(softmax(scaled, axis=0)[row]))
        assert d["column_softmax_pick"] == by_column
        traps += by_column != best
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer) and len(answer.options) == 3
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
    assert 100 <= traps <= 200  # the wrong-axis softmax picks another key in about half the instances


def test_d_k_param_and_mix() -> None:
    for d_k in (2, 3, 4):
        for seed in range(20):
            problem = GEN.generate(seed, {"d_k": d_k})
            assert problem.data["d_k"] == d_k
            assert all(len(row) == d_k for row in problem.data["q"])
            assert f"d_k = d_v = {d_k}" in problem.prompt
    asks = {GEN.generate(seed).data["ask"] for seed in range(60)}
    assert asks == {"weight", "most-attended", "output"}


def test_deterministic_and_varied() -> None:
    for seed in (0, 4, 123, 2**40):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(60)}) == 60


def test_params_validation() -> None:
    for bad in ({"d_k": 1}, {"d_k": 5}, {"ask": "values"}, {"heads": 2}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "most_attended"}).ask == "most-attended"


@pytest.mark.parametrize("seed", range(50))
def test_grading_weight(seed: int) -> None:
    problem = GEN.generate(seed, {"ask": "weight"})
    d = problem.data
    row, key = d["row"], d["key"]
    slips = [d["slips"][name][row][key] for name in ("unscaled", "by_d", "by_column")]
    right = [repr(problem.expected), f"{problem.expected:.3f}"]
    assert_grades(problem, right, [f"{s:.4f}" for s in slips] + ["0", f"{problem.expected + 0.01:.4f}"], seed)


@pytest.mark.parametrize("seed", range(50))
def test_grading_output(seed: int) -> None:
    problem = GEN.generate(seed, {"ask": "output"})
    d = problem.data
    row, col = d["row"], d["column"]
    v = np.array(d["v"])
    slips = [
        (np.array(d["slips"]["unscaled"]) @ v)[row, col],  # forgot √d_k
        (np.array(d["slips"]["by_column"]) @ v)[row, col],  # softmax over queries
        v[:, col].mean(),  # an even average of the values
    ]
    assert_grades(
        problem, [repr(problem.expected), f"{problem.expected:.2f}"], [f"{s:.4f}" for s in slips], seed
    )


@pytest.mark.parametrize("seed", range(30))
def test_grading_most_attended(seed: int) -> None:
    problem = GEN.generate(seed, {"ask": "most-attended"})
    answer = problem.parts[0].answer
    assert isinstance(answer, ChoiceAnswer)
    names = [o.name for o in answer.options]
    index = names.index(answer.correct)
    wrong = [str(i + 1) for i in range(3) if i != index]
    assert_grades(problem, [answer.correct, str(index + 1), answer.options[index].label], wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        if isinstance(problem.expected, str):
            best = int(problem.expected.removeprefix("key-")) - 1
            assert f"**the key of “{problem.data['tokens'][best]}”**" in problem.solution
        else:
            assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution


def test_most_attended_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "most-attended"}, range(300))


def test_import_does_not_load_scipy() -> None:
    code = (
        "import generators.attention, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_column_softmax_feedback_does_not_say_only_if() -> None:
    """Regression: 'it wins only if the softmax is taken down the column' overclaimed: other slips (swapping
    the roles of Q and K) can also pick that key."""
    for seed in range(20):
        answer = GEN.generate(seed, {"ask": "most-attended"}).parts[0].answer
        for text in answer.feedback.values():
            assert "wins only if" not in text
