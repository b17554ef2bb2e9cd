"""transformer-cost: every count recomputed from the weight shapes the architecture implies; slips; grading."""

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

GEN = get("transformer-cost")
ROOT = Path(__file__).resolve().parents[2]


def count(shapes: list[tuple[int, ...]]) -> int:
    """Parameters held by arrays of these shapes (allocated, so a wrong shape would show)."""
    return sum(np.zeros(shape, dtype=np.int8).size for shape in shapes)


def mha_shapes(d: int, heads: int, biases: bool) -> list[tuple[int, ...]]:
    """Per-head projections, as a from-scratch multi-head layer would hold them, plus the output projection."""
    head = d // heads
    shapes: list[tuple[int, ...]] = []
    for _ in range(heads):
        shapes += [(d, head)] * 3 + ([(head,)] * 3 if biases else [])
    return shapes + [(d, d)] + ([(d,)] if biases else [])


def ffn_shapes(d: int, d_ff: int, biases: bool) -> list[tuple[int, ...]]:
    return [(d, d_ff), (d_ff, d)] + ([(d_ff,), (d,)] if biases else [])


def layer_norm_shapes(d: int) -> list[tuple[int, ...]]:
    return [(d,), (d,)]


@pytest.mark.parametrize("ask", ["mha", "ffn", "block"])
def test_layer_counts_match_shapes(ask: str) -> None:
    biases_seen = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        shapes = {
            "mha": mha_shapes(d["d"], d["heads"], d["biases"]),
            "ffn": ffn_shapes(d["d"], d["d_ff"], d["biases"]),
            "block": mha_shapes(d["d"], d["heads"], d["biases"])
            + ffn_shapes(d["d"], d["d_ff"], d["biases"])
            + layer_norm_shapes(d["d"]) * 2,
        }[ask]
        assert problem.expected == count(shapes)
        biases_seen.add(d["biases"])
        assert ("no biases" in problem.prompt) == (not d["biases"])
    assert biases_seen == {True, False}


def test_biases_param_is_obeyed() -> None:
    for seed in range(20):
        problem = GEN.generate(seed, {"ask": "mha", "biases": False})
        assert problem.expected == 4 * problem.data["d"] ** 2
        problem = GEN.generate(seed, {"ask": "ffn", "biases": True})
        d, d_ff = problem.data["d"], problem.data["d_ff"]
        assert problem.expected == 2 * d * d_ff + d_ff + d


def test_embedding_counts_match_shapes() -> None:
    kinds = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "embedding"})
        d = problem.data
        shapes = [(d["vocab"], d["d"])]
        if d["learned_positions"]:
            shapes.append((d["context"], d["d"]))
        if not d["tied"]:
            shapes.append((d["d"], d["vocab"]))
        assert problem.expected == count(shapes)
        kinds.add((d["learned_positions"], d["tied"]))
    assert len(kinds) == 4


def test_score_memory_matches_an_allocated_array() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "score-memory"})
        d = problem.data
        dtype = {2: np.float16, 4: np.float32}[d["bytes"]]
        # One head's scores for one sequence, allocated for real; the rest is a product of counts.
        one = np.empty((d["n"], d["n"]), dtype=dtype).nbytes
        assert problem.expected == pytest.approx(one * d["heads"] * d["batch"] / 2**20, abs=1e-9)
        assert problem.expected >= 8
        assert d["bytes"] == (4 if "fp32" in problem.prompt else 2)


def measured_cost(cost: str, length: int, d: int = 16, heads: int = 2) -> float:
    """The cost at one sequence length, measured on real arrays: bytes held, or numpy's einsum FLOP count."""

    def flops(subscripts: str, *shapes: tuple[int, ...]) -> float:
        info = np.einsum_path(subscripts, *(np.ones(s) for s in shapes), optimize="greedy")[1]
        return float(next(line for line in info.splitlines() if "Naive FLOP count" in line).split(":")[1])

    head = d // heads
    if "memory" in cost:
        return np.empty((heads, length, length), dtype=np.float16).nbytes
    if "QKᵀ" in cost:
        return flops("hid,hjd->hij", (heads, length, head), (heads, length, head))
    if "projections" in cost:
        return 4 * flops("nd,de->ne", (length, d), (d, d))
    if "FFN" in cost:
        return flops("nd,df->nf", (length, d), (d, 4 * d)) + flops("nf,fd->nd", (length, 4 * d), (4 * d, d))
    assert "parameters" in cost
    return float(count(mha_shapes(d, heads, biases=True)))


def test_scaling_matches_measured_growth() -> None:
    powers = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "scaling"})
        d = problem.data
        base = 8  # the ratio does not depend on the starting length; small arrays keep the test fast
        ratio = measured_cost(d["cost"], d["k"] * base) / measured_cost(d["cost"], base)
        assert problem.expected == pytest.approx(ratio, rel=2e-3)  # einsum_path prints 4 significant digits
        powers.add(d["power"])
    assert powers == {0, 1, 2}


def test_lora_counts_match_shapes() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "lora"})
        d = problem.data
        sizes = {"d": d["d"], "d_ff": d["d_ff"]}
        shapes = []
        for _ in range(d["layers"]):
            for a, b in d["shapes"]:
                shapes += [(sizes[a], d["rank"]), (d["rank"], sizes[b])]  # B and A
        assert problem.expected == count(shapes)


def slips(problem) -> list[float]:
    """Answers the usual mistakes give for this instance."""
    d = problem.data
    ask = d["ask"]
    if ask == "mha":
        return [
            problem.expected * d["heads"],
            4 * d["d"] ** 2 + (0 if d["biases"] else 4 * d["d"]),
            3 * d["d"] ** 2,
        ]
    if ask == "ffn":
        return [d["d"] * d["d_ff"], 2 * d["d"] * d["d_ff"] + (0 if d["biases"] else d["d"] + d["d_ff"])]
    if ask == "block":
        return [d["mha"] + d["ffn"], problem.expected + (d["heads"] - 1) * d["mha"]]
    if ask == "embedding":
        token, positions = d["vocab"] * d["d"], d["context"] * d["d"]
        return [
            problem.expected
            + (token if d["tied"] else -token),  # tied head counted twice / untied head missed
            problem.expected
            + (-positions if d["learned_positions"] else positions),  # positions wrong way round
        ]
    if ask == "score-memory":
        return [problem.expected / d["heads"], problem.expected * 2**20 / 1e6, problem.expected / d["n"]]
    if ask == "scaling":
        return [d["k"] ** p for p in (0, 1, 2) if p != d["power"]]
    return [
        d["layers"]
        * sum(
            d["rank"] * {"d": d["d"], "d_ff": d["d_ff"]}[a] * {"d": d["d"], "d_ff": d["d_ff"]}[b]
            for a, b in d["shapes"]
        ),
        problem.expected / d["layers"],
    ]


@pytest.mark.parametrize("ask", ["mha", "ffn", "block", "embedding", "score-memory", "scaling", "lora"])
def test_grading(ask: str) -> None:
    for seed in range(25):
        problem = GEN.generate(seed, {"ask": ask})
        value = problem.expected
        if ask == "score-memory":
            right = [repr(value), f"{value:.1f}"]
        else:
            right = [str(int(value)), f"{int(value):,}"]
        wrong = [repr(float(s)) for s in slips(problem)] + [repr(value + 1)]
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(100):
        problem = GEN.generate(seed)
        value = problem.expected
        shown = (
            f"{value:.1f}".removesuffix(".0") if problem.data["ask"] == "score-memory" else f"{int(value):,}"
        )
        assert f"**{shown}" in problem.solution, (seed, shown)


def test_deterministic_and_mixed() -> None:
    for seed in (0, 9, 321, 2**35):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(100)} == {
        "mha",
        "ffn",
        "block",
        "embedding",
        "score-memory",
        "scaling",
        "lora",
    }
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"ask": "flops"}, {"biases": "maybe"}, {"d_model": 512}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "score_memory"}).ask == "score-memory"


def test_import_is_light() -> None:
    code = "import generators.transformer_cost, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_bias_phrase_does_not_exclude_layernorm() -> None:
    """Regression: 'count weight matrices only' contradicted the block question, which counts LayerNorm γ and β."""
    prompt = GEN.generate(11, {"ask": "block", "biases": False}).prompt
    assert "count weight matrices only" not in prompt
    assert "count only their weight matrices" in prompt and "LayerNorms" in prompt
