"""training-compute: every answer recounted another way (the 6 of 6·N·D from a small MLP's matmul shapes, days
through timedelta, N from the roots of 120·N² − C, ZeRO memory term by term from per-parameter byte costs and
sharding flags, the KV cache from numpy arrays' nbytes on a short sequence then scaled, intensity from the bytes
of each array); the prompt states the numbers the answer uses; each named mistake graded wrong; determinism, a
mix of asks, no shortcut to compute- or memory-bound, params, light import."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import numpy as np
import pytest

from generators import NumberAnswer, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("training-compute")
ASKS = ("training-flops", "training-time", "chinchilla", "state-memory", "kv-cache", "intensity")
SEEDS = range(150)
SUPERSCRIPTS = {c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")} | {"⁻": "-"}


def typed(value: float) -> str:
    """The answer as a learner types it at 3 significant figures: e-notation (Python's own)."""
    return f"{value:.2e}"


def stated(prompt: str) -> list[float]:
    """The numbers a prompt states in scientific form, "6.7×10⁹" -> 6.7e9, in order."""
    found = re.findall(r"(\d+(?:\.\d+)?)×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", prompt)
    return [float(m) * 10 ** int("".join(SUPERSCRIPTS[c] for c in e)) for m, e in found]


def flops_per_param_token(widths: list[int], batch: int) -> float:
    """Training FLOPs of a bias-free MLP per parameter per token, counted from its matmul shapes: forward
    x·W (2·b·i·o), backward the gradient for the input (dy·Wᵀ) and for the weights (xᵀ·dy), 2·b·i·o each."""
    shapes = list(zip(widths[:-1], widths[1:], strict=True))
    weights = [np.empty((i, o), dtype=np.float32) for i, o in shapes]
    total = 0
    for w in weights:
        x, dy = np.empty((batch, w.shape[0])), np.empty((batch, w.shape[1]))
        total += 2 * x.shape[0] * x.shape[1] * w.shape[1]  # x @ w
        total += 2 * dy.shape[0] * dy.shape[1] * w.shape[0]  # dy @ w.T
        total += 2 * x.shape[1] * x.shape[0] * dy.shape[1]  # x.T @ dy
    return total / (sum(w.size for w in weights) * batch)


def test_training_flops_match_counted_matmuls() -> None:
    per = flops_per_param_token([64, 256, 256, 64], batch=32)
    assert per == 6
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "training-flops"})
        d = problem.data
        assert stated(problem.prompt)[:2] == pytest.approx([d["params"], d["tokens"]])
        assert problem.expected == pytest.approx(per * d["params"] * d["tokens"], rel=1e-12)


def test_training_time_matches_timedelta() -> None:
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "training-time"})
        d = problem.data
        assert stated(problem.prompt)[:2] == pytest.approx([d["params"], d["tokens"]])
        assert (
            f"**{d['gpus']} GPUs**" in problem.prompt and f"**{d['peak_tflops']} TFLOP/s**" in problem.prompt
        )
        assert f"**{round(d['mfu'] * 100)}%**" in problem.prompt
        gpu_seconds = 6 * d["params"] * d["tokens"] / (d["peak_tflops"] * 1e12 * d["mfu"])
        wall = timedelta(seconds=gpu_seconds / d["gpus"])
        assert problem.expected == pytest.approx(wall / timedelta(days=1), rel=1e-9)
        assert 0.3 <= d["mfu"] <= 0.6


def test_chinchilla_matches_the_roots() -> None:
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "chinchilla"})
        budget = problem.data["budget"]
        assert stated(problem.prompt)[0] == pytest.approx(budget)
        # C = 6·N·(20·N): the positive root of 120·N² − C.
        roots = np.roots([6 * 20, 0, -budget])
        n = float(roots[roots > 0][0].real)
        assert problem.expected == pytest.approx([n, 20 * n], rel=1e-9)
        assert 1e8 <= n <= 7e10


# Per-parameter bytes of mixed-precision Adam, and the ZeRO stage from which each is partitioned
# (Rajbhandari et al. 2020, Figure 1: P_os, P_os+g, P_os+g+p).
TERMS = {
    "bf16 weights": (2, 3),
    "bf16 gradients": (2, 2),
    "fp32 master weights": (4, 1),
    "fp32 momentum": (4, 1),
    "fp32 variance": (4, 1),
}


def zero_memory_gb(params: float, gpus: int, stage: int, terms: dict[str, tuple[int, int]] = TERMS) -> float:
    total = 0.0
    for cost, sharded_from in terms.values():
        sharded = stage >= sharded_from
        total += params * cost / (gpus if sharded else 1)
    return total / 1e9


def test_state_memory_term_by_term() -> None:
    stages = set()
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "state-memory"})
        d = problem.data
        assert stated(problem.prompt)[0] == pytest.approx(d["params"])
        assert f"**{d['gpus']} GPUs**" in problem.prompt and f"**ZeRO stage {d['stage']}**" in problem.prompt
        # Which terms the stage shards is what the ask tests: the front must not show it.
        assert problem.table is None and "shard" not in problem.prompt
        assert problem.expected == pytest.approx(
            zero_memory_gb(d["params"], d["gpus"], d["stage"]), rel=1e-12
        )
        mistakes = d["mistakes"]
        for other in set(range(4)) - {d["stage"]}:
            assert mistakes[f"stage_{other}"] == pytest.approx(zero_memory_gb(d["params"], d["gpus"], other))
        no_master = {k: v for k, v in TERMS.items() if k != "fp32 master weights"}
        assert mistakes["no_master"] == pytest.approx(
            zero_memory_gb(d["params"], d["gpus"], d["stage"], no_master)
        )
        stages.add(d["stage"])
    assert stages == {0, 1, 2, 3}


def test_state_memory_at_stage_three_is_sixteen_bytes_over_g() -> None:
    problem = next(p for s in SEEDS if (p := GEN.generate(s, {"ask": "state-memory"})).data["stage"] == 3)
    d = problem.data
    assert problem.expected == pytest.approx(16 * d["params"] / d["gpus"] / 1e9)


CACHE_DTYPES = {"bf16": np.float16, "fp8": np.uint8}  # numpy has no bf16 or fp8: same-sized stand-ins


def test_kv_cache_from_array_bytes() -> None:
    short = 8  # tokens cached for real; the cache is linear in the sequence length, so scale up
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "kv-cache"})
        d = problem.data
        assert d["kv_heads"] < d["heads"] and d["heads"] % d["kv_heads"] == 0
        head_dim = d["d_model"] // d["heads"]
        assert (
            f"**{d['layers']} layers**" in problem.prompt
            and f"**d_model = {d['d_model']}**" in problem.prompt
        )
        assert f"**{d['dtype']} ({d['bytes_per_value']} byte" in problem.prompt
        assert (
            f"**{d['heads']} query heads**" in problem.prompt
            and f"**{d['kv_heads']} KV heads**" in problem.prompt
        )
        assert f"{d['sequence']:,} tokens" in problem.prompt and f"**{d['batch']} sequence" in problem.prompt
        dtype = CACHE_DTYPES[d["dtype"]]
        layer = [np.empty((d["batch"], d["kv_heads"], short, head_dim), dtype=dtype) for _ in ("K", "V")]
        nbytes = d["layers"] * sum(a.nbytes for a in layer) * d["sequence"] / short
        assert problem.expected == pytest.approx(nbytes / 1e9, rel=1e-12)
        assert d["mistakes"]["query_heads"] == pytest.approx(problem.expected * d["heads"] / d["kv_heads"])


MATMUL_DTYPES = {"fp32": np.float32, "bf16": np.float16, "fp8": np.uint8}


def test_intensity_from_array_bytes() -> None:
    bounds = set()
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "intensity"})
        d = problem.data
        m, k, n = d["m"], d["k"], d["n"]
        assert f"m × k = **{m} × {k}**" in problem.prompt and f"k × n = **{k} × {n}**" in problem.prompt
        assert f"**{d['dtype']} ({d['bytes_per_value']} byte" in problem.prompt
        assert f"**{d['peak_tflops']:g} TFLOP/s**" in problem.prompt
        assert f"**{d['bandwidth_tbs']:g} TB/s**" in problem.prompt
        zero = np.zeros((), dtype=MATMUL_DTYPES[d["dtype"]])  # broadcast views: the shapes without the memory
        moved = sum(np.broadcast_to(zero, shape).nbytes for shape in ((m, k), (k, n), (m, n)))
        intensity = 2 * m * k * n / moved
        ridge = (d["peak_tflops"] * 1e12) / (d["bandwidth_tbs"] * 1e12)
        bound = "compute-bound" if intensity > ridge else "memory-bound"
        assert problem.expected[0] == pytest.approx(intensity, rel=1e-12)
        assert problem.expected[1] == bound
        assert abs(intensity / ridge - 1) >= 0.1  # far enough from the ridge to call
        bounds.add(bound)
    assert bounds == {"compute-bound", "memory-bound"}


def test_intensity_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "intensity"}, range(300), part=1)


def wrong_answers(problem: object) -> list[str]:
    d = problem.data  # type: ignore[attr-defined]
    mistakes = d["mistakes"]
    if d["ask"] == "chinchilla":
        return [f"{typed(n)}; {typed(t)}" for n, t in mistakes.values()]
    if d["ask"] == "intensity":
        other = "memory-bound" if d["bound"] == "compute-bound" else "compute-bound"
        return [f"{typed(v)}; {d['bound']}" for v in mistakes.values()] + [
            f"{typed(d['intensity'])}; {other}"
        ]
    return [typed(v) for v in mistakes.values()]


EXPECTED_MISTAKES = {
    "training-flops": {"forward_only", "no_factor"},
    "training-time": {"no_mfu", "hours", "forward_only", "gpu_days"},
    "chinchilla": {"no_six", "d_equals_n"},
    "state-memory": {"gib", "no_master"},
    "kv-cache": {"query_heads", "k_only", "gib"},
    "intensity": {"flops_once"},
}


@pytest.mark.parametrize("ask", ASKS)
def test_mistakes_graded_wrong(ask: str) -> None:
    for seed in range(100):
        problem = GEN.generate(seed, {"ask": ask})
        assert EXPECTED_MISTAKES[ask] <= set(problem.data["mistakes"]), seed
        expected = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        right = "; ".join(typed(v) if isinstance(v, float) else v for v in expected)
        assert_grades(problem, [right], wrong_answers(problem), seed)


def test_chinchilla_mistakes_are_the_named_slips() -> None:
    problem = GEN.generate(3, {"ask": "chinchilla"})
    c, (n, _) = problem.data["budget"], problem.expected
    assert problem.data["mistakes"]["no_six"][0] == pytest.approx(n * math.sqrt(6))
    assert problem.data["mistakes"]["d_equals_n"][0] == pytest.approx(math.sqrt(c / 6))


def bold_form(answer: NumberAnswer) -> str:
    """How the solution writes the answer in bold: 5.63×10²² for a large one, plain figures otherwise."""
    mantissa, exponent = f"{answer.value:.2e}".split("e")
    if abs(answer.value) >= 10_000:
        return f"{mantissa}×10" + "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(int(exponent)))
    return answer.shown()


def test_solution_ends_with_the_answer_in_bold() -> None:
    for seed in range(120):
        problem = GEN.generate(seed)
        for part in problem.parts:
            if isinstance(part.answer, NumberAnswer):
                assert f"**{bold_form(part.answer)}" in problem.solution, (seed, problem.data["ask"])
            else:
                assert f"**{part.answer.correct}**" in problem.solution


def test_large_answers_are_shown_as_typed() -> None:
    problem = GEN.generate(1, {"ask": "training-flops"})
    answer = problem.parts[0].answer
    assert answer.shown() == typed(problem.expected).replace("e+", "e")
    assert "e-notation" in problem.prompt


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "flops"}, {"gpus": 8}, {"ask": "zero"}])
    assert GEN.Params.model_validate({"ask": "kv_cache"}).ask == "kv-cache"


def test_import_is_light() -> None:
    assert_import_is_light("generators.training_compute")
