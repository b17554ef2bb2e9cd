"""`training-compute`: back-of-the-envelope compute and memory for training and serving a language model.

| ask              | answer                                                         | mistakes the numbers are drawn to expose |
|------------------|----------------------------------------------------------------|------------------------------------------|
| `training-flops` | C ≈ 6·N·D FLOPs (N parameters, D tokens), 3 significant figures | the forward pass alone (2·N·D); no factor (N·D) |
| `training-time`  | C / (G·P·u) / 86400 days on G GPUs of peak P at MFU u          | peak instead of achieved (no u); hours; forward pass alone; GPU-days (no ÷G) |
| `chinchilla`     | N = √(C/120), D = 20·N from D = 20·N and C = 6·N·D              | forgetting the 6 (N = √(C/20)); D = N (N = √(C/6)) |
| `state-memory`   | GB per GPU of 2 + 2 + 12 bytes/param under ZeRO stage 0-3       | the terms another stage shards; GiB (2³⁰) for GB; no fp32 master copy (2 + 2 + 8 bytes/param) |
| `kv-cache`       | 2·layers·kv_heads·head_dim·sequence·batch·bytes, in GB          | query heads for KV heads; K only (no 2); GiB for GB |
| `intensity`      | 2·m·k·n / (bytes·(m·k + k·n + m·n)) FLOP/byte, and compute- or memory-bound against the ridge peak / bandwidth | FLOPs without the 2; elements for bytes; the output not counted (where it shows) |

Every answer is asked to 3 significant figures (a large one typed in e-notation, 5.63e22), a precision at
which each listed mistake lands at least 3 units of the last figure away from the answer (instances where one
would not are drawn again). Each prompt states its conventions (GB = 10⁹ bytes, the byte costs, which FLOPs
and bytes count); the knowledge asked is the formula and, for ZeRO, which terms each stage shards.

References: Kaplan et al. 2020, Scaling Laws for Neural Language Models (C ≈ 6·N·D); Hoffmann et al. 2022,
Training Compute-Optimal Large Language Models (about 20 tokens per parameter); Rajbhandari et al. 2020,
ZeRO: Memory Optimizations Toward Training Trillion Parameter Models (SC20: 16 bytes per parameter, the
stages); Chowdhery et al. 2022, PaLM (model FLOPs utilisation); Williams, Waterman & Patterson 2009, Roofline
(ridge point); Ainslie et al. 2023, GQA (grouped-query attention). The tests recount each answer another way
(term by term from per-parameter byte costs, the KV cache from numpy arrays' ``nbytes``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    far_from,
    fmt,
    significant_text,
)

Ask = Literal["training-flops", "training-time", "chinchilla", "state-memory", "kv-cache", "intensity"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws
FIGURES = 3  # every numeric answer is asked to 3 significant figures
MISTAKE_UNITS = 3  # a mistake lands at least this many units of the last asked figure from the answer
GB = 1e9
GIB = 2**30
SECONDS_PER_DAY = 86_400
TOKENS_PER_PARAM = 20  # the Chinchilla rule of thumb

# bytes per parameter in mixed-precision Adam (Rajbhandari et al. 2020, §3.1): what each ZeRO stage shards
STATE_BYTES = {"weights": 2, "gradients": 2, "optimizer": 12}
SHARDED_FROM = {"optimizer": 1, "gradients": 2, "weights": 3}  # the first stage that shards each term

PEAKS_BF16 = (
    125,
    197,
    312,
    400,
    459,
    667,
    989,
)  # dense bf16 TFLOP/s, made-up but of real accelerators' sizes
GPU_COUNTS = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)
ZERO_GPUS = (2, 4, 8, 16, 32, 64, 128, 256, 512)
KV_LAYERS = (16, 24, 28, 32, 40, 48, 60, 64, 80)
KV_HEAD_DIMS = (64, 80, 96, 128)
KV_HEADS = (8, 12, 16, 24, 32, 40, 48, 64)
SEQUENCES = (1024, 2048, 4096, 8192, 16384, 32768)
BATCHES = (1, 2, 4, 8, 16, 32, 64)
CACHE_DTYPES = (("bf16", 2), ("fp8", 1))
M_SIZES = (1, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384)
KN_SIZES = (1024, 2048, 4096, 5120, 8192, 12288, 14336, 16384)
BANDWIDTHS = (0.9, 1.6, 2.0, 3.35, 4.8)  # TB/s
MATMUL_DTYPES = (  # name, bytes per value, peak TFLOP/s choices for that dtype
    ("fp32", 4, (19.5, 40, 60)),
    ("bf16", 2, (125, 312, 400, 989)),
    ("fp8", 1, (400, 660, 1979)),
)
BOUND_OPTIONS = (
    Option("compute-bound", aliases=("compute bound", "compute")),
    Option("memory-bound", aliases=("memory bound", "memory", "bandwidth-bound")),
)
T = TypeVar("T")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class ScientificAnswer(NumberAnswer):
    """A :class:`NumberAnswer` at significant figures whose expected value reads in e-notation (5.63e22), the
    form the prompt asks for, not the 23-digit integer plain notation gives a large float."""

    __slots__ = ()

    def shown(self) -> str:
        text = e_notation(self.value, self.significant or FIGURES)
        return f"{text} {self.unit}".strip()


class TrainingComputeParams(Params):
    ask: Ask | None = None


def e_notation(value: float, figures: int) -> str:
    """5.63e22: how the prompt asks a large number to be typed (what the answer reader accepts)."""
    mantissa, exponent = f"{value:.{figures - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def sci(value: float, figures: int = FIGURES) -> str:
    """5.63×10²² for reading; plain digits for numbers between 0.01 and 10,000."""
    if 0.01 <= abs(value) < 10_000:
        return significant_text(value, figures)
    mantissa, exponent = f"{value:.{figures - 1}e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


def amount(value: float) -> str:
    """A count in words with its scientific form: "6.7 billion (6.7×10⁹)"."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            return f"{fmt(value / scale, 3)} {word} ({sci(value, 2)})"
    return f"{value:,.0f}"  # pragma: no cover - every drawn count is a million or more


def two_figures(value: float) -> float:
    """``value`` rounded to 2 significant figures, as a drawn quantity is stated."""
    exponent = math.floor(math.log10(value))
    return round(value, 1 - exponent)


def log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return two_figures(float(10 ** rng.uniform(math.log10(low), math.log10(high))))


def tolerance(value: float) -> float:
    """One unit of the last asked figure (what :class:`NumberAnswer` accepts)."""
    return 10.0 ** (math.floor(math.log10(abs(value))) - FIGURES + 1)


def apart(value: float, mistakes: dict[str, float]) -> bool:
    """Every mistake at least :data:`MISTAKE_UNITS` units of the last figure from the answer."""
    gap = MISTAKE_UNITS * tolerance(value)
    return far_from(value, mistakes.values(), gap)


def zero_bytes_per_param(stage: int, gpus: int, costs: dict[str, float] | None = None) -> float:
    """Bytes per parameter each GPU holds under ZeRO ``stage`` over ``gpus`` data-parallel GPUs."""
    costs = STATE_BYTES if costs is None else costs
    return sum(b / gpus if stage >= SHARDED_FROM[term] else b for term, b in costs.items())


def matmul_intensity(m: int, k: int, n: int, nbytes: int) -> float:
    """FLOPs per byte of an (m×k)·(k×n) matmul reading both inputs and writing the output once."""
    return 2 * m * k * n / (nbytes * (m * k + k * n + m * n))


def _draw(rng: np.random.Generator, make: Callable[[np.random.Generator], T | None]) -> T:
    """Draw with ``make(rng)`` until it returns an instance (not None)."""
    for _ in range(MAX_DRAWS):
        found = make(rng)
        if found is not None:
            return found
    raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


def _answer(value: float, unit: str = "") -> NumberAnswer:
    """The answer at :data:`FIGURES` significant figures; a large one shown as the prompt asks it typed."""
    if abs(value) >= 10_000:
        return ScientificAnswer(value, significant=FIGURES, unit=unit)
    return NumberAnswer(value, significant=FIGURES, unit=unit)


def _typed(value: float) -> str:
    """How a learner would type ``value`` at the asked precision."""
    return e_notation(value, FIGURES) if abs(value) >= 10_000 else sci(value)


# One sentence per ask whatever the instance's numbers, so the wording never hints at the answer.
PRECISION = "Answer to 3 significant figures."
PRECISION_E = "Answer to 3 significant figures, in e-notation (e.g. 5.63e22)."


class TrainingCompute(Generator):
    name = "training-compute"
    title = "Training and serving compute, by the envelope"
    description = (
        "Estimates interviewers ask for aloud: training FLOPs 6·N·D, wall-clock days at a given MFU, the "
        "Chinchilla-optimal size for a budget, per-GPU memory of weights, gradients and Adam states under ZeRO, "
        "the KV cache with grouped-query attention, and a matmul's arithmetic intensity against the roofline."
    )
    Params = TrainingComputeParams
    topics = ("distributed-training", "scaling-laws", "inference")

    def make(self, rng: np.random.Generator, seed: int, params: TrainingComputeParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        fields = {
            "training-flops": _training_flops,
            "training-time": _training_time,
            "chinchilla": _chinchilla,
            "state-memory": _state_memory,
            "kv-cache": _kv_cache,
            "intensity": _intensity,
        }[ask](rng)
        fields["data"] = {"ask": ask, **fields["data"]}
        return self.problem(seed, params, **fields)


def _training_flops(rng: np.random.Generator) -> dict[str, Any]:
    def make(rng: np.random.Generator) -> tuple[float, float] | None:
        n = log_uniform(rng, 1e8, 7e10)
        d = log_uniform(rng, n * 10, n * 1000)
        return (n, d) if 2e10 <= d <= 1.5e13 else None

    n, d = _draw(rng, make)
    c = 6 * n * d
    mistakes = {"forward_only": 2 * n * d, "no_factor": n * d}
    prompt = (
        f"A language model with **N = {amount(n)} parameters** is trained on **D = {amount(d)} tokens**.\n\n"
        "Estimate the **total training compute C in FLOPs** with the standard rule for a dense transformer "
        "(forward and backward pass over every token, attention's own score FLOPs neglected). " + PRECISION_E
    )
    solution = "\n\n".join(
        [
            "Each token costs about 2 FLOPs per parameter in the forward pass (a multiply and an add per "
            "weight) and about 4 in the backward pass (gradients with respect to both the activations and the "
            "weights), so C ≈ 6·N·D (Kaplan et al. 2020).",
            f"C ≈ 6 × {sci(n, 2)} × {sci(d, 2)} = {sci(c, 4)} ≈ **{sci(c)} FLOPs** (typed {_typed(c)}).",
            f"The forward pass alone, 2·N·D = {sci(mistakes['forward_only'])}, is what running the model over "
            f"the same tokens costs: a third of training. N·D = {sci(mistakes['no_factor'])} forgets the FLOPs "
            "per parameter altogether. The rule leaves out attention over the context (about "
            "2·layers·context·d_model FLOPs per token forward by Kaplan et al.'s count), small while the "
            "context is short next to 12·d_model.",
        ]
    )
    return {
        "prompt": prompt,
        "parts": (Part("C in FLOPs?", _answer(c)),),
        "solution": solution,
        "data": {"params": n, "tokens": d, "flops": c, "mistakes": mistakes},
    }


def _training_time(rng: np.random.Generator) -> dict[str, Any]:
    def make(rng: np.random.Generator) -> tuple[float, float, int, int, float, float] | None:
        n = log_uniform(rng, 3e8, 7e10)
        d = log_uniform(rng, n * 10, n * 300)
        gpus = int(rng.choice(GPU_COUNTS))
        peak = int(rng.choice(PEAKS_BF16))
        mfu = int(rng.integers(30, 61)) / 100
        days = 6 * n * d / (gpus * peak * 1e12 * mfu) / SECONDS_PER_DAY
        return (n, d, gpus, peak, mfu, days) if 1 <= days <= 400 else None

    n, d, gpus, peak, mfu, days = _draw(rng, make)
    c = 6 * n * d
    achieved = gpus * peak * 1e12 * mfu
    mistakes = {
        "no_mfu": days * mfu,
        "hours": days * 24,
        "forward_only": days / 3,
        "gpu_days": days * gpus,
    }
    prompt = (
        f"A model with **N = {amount(n)} parameters** is trained on **D = {amount(d)} tokens** on "
        f"**{gpus} GPUs**, each with a dense bf16 peak of **{peak} TFLOP/s**, at a model FLOPs utilisation "
        f"(MFU) of **{round(mfu * 100)}%**.\n\n"
        "Take the training compute as 6·N·D FLOPs. How many **days of wall-clock time** does the run take? "
        + PRECISION
    )
    solution = "\n\n".join(
        [
            f"Compute: C = 6·N·D = 6 × {sci(n, 2)} × {sci(d, 2)} = {sci(c, 4)} FLOPs.",
            f"Achieved throughput: G·P·u = {gpus} × {peak}×10¹² × {fmt(mfu)} = {sci(achieved, 4)} FLOP/s. MFU is "
            "the share of the peak the model's own FLOPs reach (Chowdhery et al. 2022): recomputed activations, "
            "communication, memory stalls and pipeline bubbles take the rest.",
            f"Time: {sci(c, 4)} / {sci(achieved, 4)} = {sci(c / achieved, 4)} s, / 86,400 s per day = "
            f"**{sci(days)} days**.",
            f"At the peak (no MFU) it would look like {sci(mistakes['no_mfu'])} days; {sci(mistakes['hours'])} "
            f"is the same time in hours; counting the forward pass alone gives {sci(mistakes['forward_only'])}; "
            f"not dividing by the {gpus} GPUs gives GPU-days, {sci(mistakes['gpu_days'])}.",
        ]
    )
    return {
        "prompt": prompt,
        "parts": (Part("days?", _answer(days)),),
        "solution": solution,
        "data": {
            "params": n,
            "tokens": d,
            "gpus": gpus,
            "peak_tflops": peak,
            "mfu": mfu,
            "days": days,
            "mistakes": mistakes,
        },
    }


def _chinchilla(rng: np.random.Generator) -> dict[str, Any]:
    budget = log_uniform(rng, 1.2e19, 5.8e23)
    n = math.sqrt(budget / (6 * TOKENS_PER_PARAM))
    d = TOKENS_PER_PARAM * n
    no_six = math.sqrt(budget / TOKENS_PER_PARAM)
    same = math.sqrt(budget / 6)
    mistakes = {"no_six": (no_six, TOKENS_PER_PARAM * no_six), "d_equals_n": (same, same)}
    prompt = (
        f"You have a training budget of **C = {sci(budget, 2)} FLOPs** ({e_notation(budget, 2)}). Use the "
        "Chinchilla rule of thumb for a compute-optimal model, **D = 20·N** training tokens for N parameters, "
        "and C = 6·N·D.\n\n"
        "What are the compute-optimal **N (parameters)** and **D (tokens)**? " + PRECISION_E + " Give N; D."
    )
    solution = "\n\n".join(
        [
            "Substitute D = 20·N into C = 6·N·D: C = 120·N², so N = √(C/120) (Hoffmann et al. 2022 found "
            "parameters and tokens should grow in equal proportion, about 20 tokens per parameter).",
            f"N = √({sci(budget, 2)} / 120) = √{sci(budget / 120, 4)} = **{sci(n)} parameters**.",
            f"D = 20·N = 20 × {sci(n, 4)} = **{sci(d)} tokens**.",
            f"Check: 6 × {sci(n, 4)} × {sci(d, 4)} = {sci(6 * n * d, 3)} FLOPs. Forgetting the 6 (C = N·D) "
            f"gives N = √(C/20) = {sci(no_six)}, √6 ≈ 2.4 times too big; taking D = N gives N = √(C/6) = "
            f"{sci(same)}, a model √20 ≈ 4.5 times too big trained on far too few tokens (the pre-Chinchilla "
            "habit of growing the model faster than the data).",
        ]
    )
    return {
        "prompt": prompt,
        "parts": (Part("N (parameters)?", _answer(n)), Part("D (tokens)?", _answer(d))),
        "solution": solution,
        "data": {"budget": budget, "params": n, "tokens": d, "mistakes": mistakes},
    }


def _state_memory(rng: np.random.Generator) -> dict[str, Any]:
    def make(rng: np.random.Generator) -> tuple[float, int, int, float, dict[str, float]] | None:
        n = log_uniform(rng, 1e8, 7e10)
        gpus = int(rng.choice(ZERO_GPUS))
        stage = int(rng.integers(4))
        value = n * zero_bytes_per_param(stage, gpus) / GB
        mistakes = {
            f"stage_{other}": n * zero_bytes_per_param(other, gpus) / GB
            for other in range(4)
            if other != stage
        }
        mistakes["gib"] = value * GB / GIB
        no_master = {"weights": 2, "gradients": 2, "optimizer": 8}
        mistakes["no_master"] = n * zero_bytes_per_param(stage, gpus, no_master) / GB
        return (n, gpus, stage, value, mistakes) if value >= 0.1 and apart(value, mistakes) else None

    n, gpus, stage, value, mistakes = _draw(rng, make)
    # The working names each term and whether it is sharded; the front shows no such table, since which terms
    # a stage shards is the knowledge the ask tests.
    terms = [
        f"{cost}/{gpus} ({term})" if stage >= SHARDED_FROM[term] else f"{cost} ({term})"
        for term, cost in STATE_BYTES.items()
    ]
    per_param = zero_bytes_per_param(stage, gpus)
    prompt = (
        f"A model with **N = {amount(n)} parameters** is trained with mixed-precision Adam, data-parallel over "
        f"**{gpus} GPUs** with **ZeRO stage {stage}** (stage 0 = plain data parallelism). Per parameter: "
        "2 bytes of bf16 weights, 2 bytes of bf16 gradients, and 12 bytes of fp32 optimizer state (a master "
        "copy of the weights, Adam's momentum and variance, 4 bytes each).\n\n"
        "How many **GB (10⁹ bytes) per GPU** do the weights, gradients and optimizer states take (ignore "
        "activations, buffers and fragmentation)? " + PRECISION
    )
    shards = {
        0: "Stage 0 shards nothing: every GPU holds all 16 bytes per parameter.",
        1: "Stage 1 (P_os) shards the 12 bytes of optimizer state across the GPUs; weights and gradients "
        "stay replicated.",
        2: "Stage 2 (P_os+g) shards the optimizer state and the gradients; only the bf16 weights stay "
        "replicated.",
        3: "Stage 3 (P_os+g+p) shards all three, weights included (gathered layer by layer when needed), so "
        "memory falls as 16/G bytes per parameter.",
    }
    solution = "\n\n".join(
        [
            shards[stage] + " (Rajbhandari et al. 2020.)",
            f"Bytes per parameter per GPU = {' + '.join(terms)} = {fmt(per_param, 4)}.",
            f"× N = {fmt(per_param, 4)} × {sci(n, 2)} = {sci(value * GB, 4)} bytes = **{sci(value)} GB**.",
            "Other stages here: "
            + ", ".join(f"stage {k[-1]} {sci(v)} GB" for k, v in mistakes.items() if k.startswith("stage_"))
            + f". In GiB (2³⁰ bytes) the same memory reads {sci(mistakes['gib'])}; leaving out the fp32 master "
            f"copy (8 bytes of optimizer state, not 12) gives {sci(mistakes['no_master'])} GB.",
        ]
    )
    return {
        "prompt": prompt,
        "parts": (Part("GB per GPU?", _answer(value)),),
        "solution": solution,
        "data": {"params": n, "gpus": gpus, "stage": stage, "gb": value, "mistakes": mistakes},
    }


def _kv_cache(rng: np.random.Generator) -> dict[str, Any]:
    def make(rng: np.random.Generator) -> dict[str, Any] | None:
        heads = int(rng.choice(KV_HEADS))
        head_dim = int(rng.choice(KV_HEAD_DIMS))
        kv_choices = [g for g in (1, 2, 4, 8, 16) if heads % g == 0 and heads // g >= 2]
        kv_heads = int(rng.choice(kv_choices))
        layers = int(rng.choice(KV_LAYERS))
        sequence = int(rng.choice(SEQUENCES))
        batch = int(rng.choice(BATCHES))
        dtype, nbytes = CACHE_DTYPES[int(rng.integers(len(CACHE_DTYPES)))]
        per_token = 2 * layers * kv_heads * head_dim * nbytes
        value = per_token * sequence * batch / GB
        if not 0.05 <= value <= 2000:
            return None
        mistakes = {"query_heads": value * heads / kv_heads, "k_only": value / 2, "gib": value * GB / GIB}
        if not apart(value, mistakes):
            return None  # pragma: no cover - the factors are all ≥ 7% apart
        return {
            "layers": layers,
            "d_model": heads * head_dim,
            "heads": heads,
            "kv_heads": kv_heads,
            "head_dim": head_dim,
            "sequence": sequence,
            "batch": batch,
            "dtype": dtype,
            "bytes_per_value": nbytes,
            "gb": value,
            "mistakes": mistakes,
        }

    d = _draw(rng, make)
    value = d["gb"]
    per_token = 2 * d["layers"] * d["kv_heads"] * d["head_dim"] * d["bytes_per_value"]
    sequences = "sequences" if d["batch"] > 1 else "sequence"
    prompt = (
        f"A decoder-only model has **{d['layers']} layers**, **d_model = {d['d_model']}**, **{d['heads']} query "
        f"heads** and **{d['kv_heads']} KV heads** (grouped-query attention; every head has d_model / query "
        "heads dimensions). It serves a batch of "
        f"**{d['batch']} {sequences} of {d['sequence']:,} tokens**{' each' if d['batch'] > 1 else ''}, caching keys and values in "
        f"**{d['dtype']} ({d['bytes_per_value']} byte{'s' if d['bytes_per_value'] > 1 else ''} per value)**.\n\n"
        "How many **GB (10⁹ bytes)** does the KV cache take in total, over all layers and the whole batch? "
        + PRECISION
    )
    solution = "\n\n".join(
        [
            f"head_dim = d_model / heads = {d['d_model']} / {d['heads']} = {d['head_dim']}. With grouped-query "
            f"attention (Ainslie et al. 2023) the {d['heads']} query heads share {d['kv_heads']} key/value "
            "heads, and only those are cached.",
            f"Per token: 2 (K and V) × {d['layers']} layers × {d['kv_heads']} KV heads × {d['head_dim']} × "
            f"{d['bytes_per_value']} byte{'s' if d['bytes_per_value'] > 1 else ''} = {per_token:,} bytes.",
            f"× {d['sequence']:,} tokens × {d['batch']} {sequences} = {per_token * d['sequence'] * d['batch']:,} "
            f"bytes = **{sci(value)} GB**.",
            f"Caching all {d['heads']} heads, as multi-head attention would, gives {sci(d['mistakes']['query_heads'])}"
            f" GB ({d['heads'] // d['kv_heads']}× more, the saving GQA exists for); forgetting V gives "
            f"{sci(d['mistakes']['k_only'])}; in GiB the cache reads {sci(d['mistakes']['gib'])}.",
        ]
    )
    return {
        "prompt": prompt,
        "parts": (Part("KV cache in GB?", _answer(value)),),
        "solution": solution,
        "data": d,
    }


def _intensity(rng: np.random.Generator) -> dict[str, Any]:
    want_compute = bool(rng.random() < 0.5)

    def make(rng: np.random.Generator) -> dict[str, Any] | None:
        dtype, nbytes, peaks = MATMUL_DTYPES[int(rng.integers(len(MATMUL_DTYPES)))]
        peak = float(rng.choice(peaks))
        bandwidth = float(rng.choice(BANDWIDTHS))
        m = int(rng.choice(M_SIZES))
        k, n = (int(x) for x in rng.choice(KN_SIZES, size=2))
        value = matmul_intensity(m, k, n, nbytes)
        ridge = peak / bandwidth  # TFLOP/s over TB/s: FLOPs per byte
        if (value > ridge) != want_compute or abs(value / ridge - 1) < 0.1 or value >= 10_000:
            return None  # the other side, or too close to the ridge to call from an estimate
        mistakes = {"flops_once": value / 2}
        if nbytes > 1:
            mistakes["elements"] = value * nbytes
        inputs_only = 2 * m * k * n / (nbytes * (m * k + k * n))
        if abs(inputs_only - value) >= MISTAKE_UNITS * tolerance(value):
            mistakes["inputs_only"] = inputs_only
        return {
            "dtype": dtype,
            "bytes_per_value": nbytes,
            "peak_tflops": peak,
            "bandwidth_tbs": bandwidth,
            "m": m,
            "k": k,
            "n": n,
            "intensity": value,
            "ridge": ridge,
            "bound": "compute-bound" if value > ridge else "memory-bound",
            "mistakes": mistakes,
        }

    d = _draw(rng, make)
    m, k, n, nbytes = d["m"], d["k"], d["n"], d["bytes_per_value"]
    value, ridge, bound = d["intensity"], d["ridge"], d["bound"]
    flops = 2 * m * k * n
    moved = nbytes * (m * k + k * n + m * n)
    prompt = (
        f"A matmul multiplies an activation matrix of shape m × k = **{m} × {k}** by a weight matrix of shape "
        f"k × n = **{k} × {n}**, all in **{d['dtype']} ({nbytes} byte{'s' if nbytes > 1 else ''} per value)**, on a GPU "
        "with a peak of "
        f"**{fmt(d['peak_tflops'])} TFLOP/s** at that precision and **{fmt(d['bandwidth_tbs'])} TB/s** of "
        "memory bandwidth.\n\n"
        "Count 2·m·k·n FLOPs (a multiply and an add per term) and the bytes of reading both inputs and writing "
        "the output once. What is its **arithmetic intensity in FLOPs per byte**, and is it **compute-bound or "
        "memory-bound** on this GPU? " + PRECISION + " Give intensity; bound."
    )
    other = "memory-bound" if bound == "compute-bound" else "compute-bound"
    why = {
        "compute-bound": f"the intensity {sci(value)} is above the ridge {sci(ridge)} (the arithmetic units, "
        "not memory, set the time)",
        "memory-bound": f"the intensity {sci(value)} is below the ridge {sci(ridge)} (the GPU waits on memory "
        "and its arithmetic units sit partly idle)",
    }
    solution = "\n\n".join(
        [
            f"FLOPs: 2 × {m} × {k} × {n} = {sci(flops, 4)}.",
            f"Bytes: {nbytes} × ({m}×{k} + {k}×{n} + {m}×{n}) = {nbytes} × "
            f"{m * k + k * n + m * n:,} = {sci(moved, 4)}.",
            f"Intensity = {sci(flops, 4)} / {sci(moved, 4)} = **{sci(value)} FLOP/byte**.",
            f"Ridge point (Williams, Waterman & Patterson 2009) = peak / bandwidth = {fmt(d['peak_tflops'])}×10¹² / "
            f"{fmt(d['bandwidth_tbs'])}×10¹² = {sci(ridge)} FLOP/byte. So it is **{bound}**: {why[bound]}.",
            "With few rows (small m, as when decoding a few tokens at a time) the weight matrix dominates the "
            "bytes and the intensity is about 2·m / (bytes per value), far below the ridge of a data-centre GPU "
            "in bf16 (one to a few hundred FLOP/byte): batching more tokens per weight read is what raises it.",
        ]
    )
    feedback = {other: f"{why[bound][0].upper()}{why[bound][1:]}, so it is {bound}."}
    return {
        "prompt": prompt,
        "parts": (
            Part("arithmetic intensity (FLOP/byte)?", _answer(value)),
            Part("compute- or memory-bound?", ChoiceAnswer(BOUND_OPTIONS, bound, feedback)),
        ),
        "solution": solution,
        "data": d,
    }
