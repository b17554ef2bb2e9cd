"""`transformer-cost`: parameter counts, attention memory and scaling for a transformer, by hand.

Given an architecture (d_model, heads, d_ff, vocabulary, context), the question is one of: the parameters of
a multi-head attention layer (4·d² + 4·d with biases, 4·d² without; the number of heads does not enter), of
the position-wise FFN (2·d·d_ff + d_ff + d), of a whole encoder block with its two LayerNorms, of the
embedding layers (token table, learned positions, a tied or untied output head), the memory of one layer's
attention-score matrices (n²·h·b·bytes), the factor by which a cost grows when the sequence gets k times
longer (score matrix ×k², projections ×k, parameters ×1), or the trainable parameters LoRA adds
(r·(d_in + d_out) per adapted matrix). Every prompt says whether biases count. The tests recount every
answer from the weight shapes the architecture implies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["mha", "ffn", "block", "embedding", "score-memory", "scaling", "lora"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MIB = 2**20


@dataclass(frozen=True, slots=True)
class Config:
    name: str
    d: int  # d_model
    heads: int
    d_ff: int
    vocab: int
    context: int
    layers: int


# Published shapes (BERT, GPT-2, the original Transformer, T5-small, DistilBERT) and a few made-up small ones,
# so the counts are not always ones people have memorised.
CONFIGS = (
    Config("BERT-base", 768, 12, 3072, 30522, 512, 12),
    Config("BERT-large", 1024, 16, 4096, 30522, 512, 24),
    Config("GPT-2 small", 768, 12, 3072, 50257, 1024, 12),
    Config("GPT-2 medium", 1024, 16, 4096, 50257, 1024, 24),
    Config("the original Transformer (base)", 512, 8, 2048, 37000, 512, 6),
    Config("DistilBERT", 768, 12, 3072, 30522, 512, 6),
    Config("a small in-house encoder", 256, 4, 1024, 16000, 256, 4),
    Config("a compact on-device model", 384, 6, 1536, 32000, 512, 8),
    Config("a 6-layer research model", 640, 10, 1920, 24000, 1024, 6),
    Config("a tiny character-level model", 128, 4, 512, 96, 256, 4),
    Config("a mid-size encoder", 512, 8, 1536, 32000, 2048, 8),
)


@dataclass(frozen=True, slots=True)
class LoraTarget:
    label: str  # "W_q and W_v"
    shapes: tuple[tuple[str, str], ...]  # (d_in, d_out) by name: "d" or "d_ff"


LORA_TARGETS = (
    LoraTarget("W_q and W_v (the original LoRA setting)", (("d", "d"), ("d", "d"))),
    LoraTarget("all four attention projections W_q, W_k, W_v, W_o", (("d", "d"),) * 4),
    LoraTarget(
        "W_q, W_v and both FFN matrices (d → d_ff and d_ff → d)",
        (("d", "d"), ("d", "d"), ("d", "d_ff"), ("d_ff", "d")),
    ),
    LoraTarget("the FFN's two matrices only (d → d_ff and d_ff → d)", (("d", "d_ff"), ("d_ff", "d"))),
)


@dataclass(frozen=True, slots=True)
class ScalingCost:
    label: str  # what is measured
    power: int  # grows like n^power
    why: str


SCALING_COSTS = (
    ScalingCost(
        "the memory of the attention-score matrices (QKᵀ, one per head)",
        2,
        "the score matrix is n × n per head, so it grows with n²",
    ),
    ScalingCost("the FLOPs of computing QKᵀ", 2, "each of the n × n scores is a d_k-long dot product"),
    ScalingCost(
        "the FLOPs of the Q, K, V and output projections",
        1,
        "each token is projected on its own: n rows times a fixed d × d matrix",
    ),
    ScalingCost("the FLOPs of the position-wise FFN", 1, "the FFN runs on each token separately"),
    ScalingCost(
        "the number of parameters of the attention layer",
        0,
        "the weights are d × d whatever the sequence length (no learned positions here)",
    ),
)


class TransformerCostParams(Params):
    ask: Ask | None = None
    # Whether the linear layers have biases (None: by seed). Applies to the parameter-count questions.
    biases: bool | None = None


def mha_params(d: int, biases: bool) -> int:
    """W_q, W_k, W_v, W_o are each d × d; heads split d, they do not add weights."""
    return 4 * d * d + (4 * d if biases else 0)


def ffn_params(d: int, d_ff: int, biases: bool) -> int:
    return 2 * d * d_ff + ((d_ff + d) if biases else 0)


def layer_norm_params(d: int) -> int:
    return 2 * d  # a scale γ and a shift β per feature


def block_params(d: int, d_ff: int, biases: bool) -> int:
    return mha_params(d, biases) + ffn_params(d, d_ff, biases) + 2 * layer_norm_params(d)


def embedding_params(config: Config, learned_positions: bool, tied: bool) -> int:
    token = config.vocab * config.d
    return token + (config.context * config.d if learned_positions else 0) + (0 if tied else token)


def lora_params(config: Config, target: LoraTarget, rank: int, layers: int) -> int:
    sizes = {"d": config.d, "d_ff": config.d_ff}
    return layers * sum(rank * (sizes[a] + sizes[b]) for a, b in target.shapes)


def _bias_phrase(biases: bool) -> str:
    return (
        "Count weights **and biases** (every linear layer has a bias)."
        if biases
        else "The linear layers have **no biases**: count only their weight matrices."
    )


class TransformerCost(Generator):
    name = "transformer-cost"
    title = "Transformer parameter counts and costs"
    description = (
        "Parameters of multi-head attention, the FFN, a whole block, the embeddings and LoRA adapters; the "
        "memory of the attention scores; how costs scale when the sequence gets longer."
    )
    Params = TransformerCostParams
    topics = ("transformers", "deep-learning", "efficiency")

    def make(self, rng: np.random.Generator, seed: int, params: TransformerCostParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        config = CONFIGS[int(rng.integers(len(CONFIGS)))]
        biases = params.biases if params.biases is not None else bool(rng.random() < 0.6)
        if ask in ("mha", "ffn", "block"):
            return self._layer(seed, params, ask, config, biases)
        if ask == "embedding":
            return self._embedding(rng, seed, params, config)
        if ask == "score-memory":
            return self._memory(rng, seed, params, config)
        if ask == "scaling":
            return self._scaling(rng, seed, params, config)
        return self._lora(rng, seed, params, config)

    def _layer(
        self, seed: int, params: TransformerCostParams, ask: str, config: Config, biases: bool
    ) -> Problem:
        d, h, d_ff = config.d, config.heads, config.d_ff
        what = {
            "mha": "one **multi-head self-attention layer** (the Q, K, V and output projections)",
            "ffn": "one **position-wise feed-forward network** (d → d_ff → d)",
            "block": (
                "one whole **encoder block**: multi-head self-attention, the feed-forward network and the two "
                "LayerNorms (each with a scale and a shift per feature)"
            ),
        }[ask]
        prompt = (
            f"Take the layer sizes of {config.name}: d_model = {d}, {h} heads, d_ff = {d_ff}. "
            f"{_bias_phrase(biases)}\n\nHow many parameters are in {what}? Answer as a whole number."
        )
        mha, ffn, norms = mha_params(d, biases), ffn_params(d, d_ff, biases), 2 * layer_norm_params(d)
        value = {"mha": mha, "ffn": ffn, "block": mha + ffn + norms}[ask]
        lines = []
        if ask in ("mha", "block"):
            total = f"**{mha:,}**" if ask == "mha" else f"{mha:,}"
            lines.append(
                f"Attention: W_q, W_k, W_v, W_o are each d × d = {d} × {d} = {d * d:,}"
                + (f", plus four bias vectors of size {d}" if biases else "")
                + f". Total 4·d²{' + 4·d' if biases else ''} = {total}. The {h} heads only split d into {h} slices "
                f"of d/h = {d // h}; they add no weights."
            )
        if ask in ("ffn", "block"):
            lines.append(
                f"FFN: d × d_ff + d_ff × d = 2 × {d} × {d_ff} = {2 * d * d_ff:,}"
                + (f", plus biases d_ff + d = {d_ff + d:,}" if biases else "")
                + (f". Total **{ffn:,}**" if ask == "ffn" else f". Total {ffn:,}")
                + "."
            )
        if ask == "block":
            lines.append(f"Two LayerNorms: 2 × (γ and β of size {d}) = {norms:,}.")
            lines.append(f"Block = {mha:,} + {ffn:,} + {norms:,} = **{value:,}**")
        if ask == "ffn":
            lines.append(
                f"With d_ff = {d_ff // d if d_ff % d == 0 else fmt(d_ff / d, 2)}·d, the FFN holds about "
                f"{fmt(ffn / mha_params(d, biases), 1)}× the attention layer's parameters."
            )
        elif ask == "mha":
            lines.append(
                "The usual mistake is multiplying by the number of heads: h heads of size d/h together "
                "use exactly one d × d matrix per projection."
            )
        else:
            lines.append(
                f"Biases and LayerNorms are a rounding error next to the d² matrices; here the FFN holds "
                f"{fmt(100 * ffn / value, 1)}% of the block's weights, attention {fmt(100 * mha / value, 1)}%."
            )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="parameters?", answer=NumberAnswer(float(value), tolerance=0)),),
            solution="\n\n".join(lines),
            data={
                "ask": ask,
                "config": config.name,
                "d": d,
                "heads": h,
                "d_ff": d_ff,
                "biases": biases,
                "mha": mha,
                "ffn": ffn,
                "layer_norms": norms,
                "value": value,
            },
            table=_config_table(config, ("d_model", "heads", "d_ff")),
        )

    def _embedding(
        self, rng: np.random.Generator, seed: int, params: TransformerCostParams, config: Config
    ) -> Problem:
        learned = bool(rng.random() < 0.5)
        tied = bool(rng.random() < 0.5)
        value = embedding_params(config, learned, tied)
        d, vocab, n = config.d, config.vocab, config.context
        positions = (
            f"**learned** position embeddings for a context of {n:,} tokens"
            if learned
            else "**sinusoidal** (fixed, not learned) position encodings"
        )
        head = (
            "the output layer that maps back to the vocabulary is **tied** to the token embedding (same matrix)"
            if tied
            else "the output layer that maps back to the vocabulary is a **separate** matrix (not tied), without bias"
        )
        prompt = (
            f"A model with the sizes of {config.name} has a vocabulary of {vocab:,} tokens and d_model = {d}. "
            "Suppose it uses "
            f"{positions}, and {head}.\n\nHow many parameters do the token embedding, the position embedding and "
            "the output layer hold together? Answer as a whole number."
        )
        token = vocab * d
        lines = [f"Token embedding: vocabulary × d = {vocab:,} × {d} = {token:,}."]
        lines.append(
            f"Positions: {n:,} × {d} = {n * d:,}." if learned else "Positions: sinusoidal, 0 parameters."
        )
        lines.append(
            "Output layer: tied, so 0 new parameters."
            if tied
            else f"Output layer: its own d × vocabulary matrix, {token:,}."
        )
        lines.append(f"Total = **{value:,}**")
        lines.append(
            "In small models the embeddings are a large share of all parameters (a 50k vocabulary at d = 768 is "
            "already ~38.6M), and an untied output layer doubles it; GPT-2 and BERT tie the two (Press & Wolf, 2017)."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="embedding parameters?", answer=NumberAnswer(float(value), tolerance=0)),),
            solution="\n\n".join(lines),
            data={
                "ask": "embedding",
                "config": config.name,
                "d": d,
                "vocab": vocab,
                "context": n,
                "learned_positions": learned,
                "tied": tied,
                "value": value,
            },
            table=_config_table(config, ("d_model", "vocabulary", "context")),
        )

    def _memory(
        self, rng: np.random.Generator, seed: int, params: TransformerCostParams, config: Config
    ) -> Problem:
        h = config.heads
        while True:  # at least 8 MiB, so that MB (10⁶ bytes) instead of MiB is clearly off
            n = int(rng.choice((512, 1000, 1024, 1536, 2048, 3000, 4096)))
            batch = int(rng.choice((1, 2, 4, 8, 16)))
            precision, nbytes = (("fp16", 2), ("bf16", 2), ("fp32", 4))[int(rng.integers(3))]
            total = n * n * h * batch * nbytes
            if total >= 8 * MIB:
                break
        value = total / MIB
        prompt = (
            f"You run attention with the shape of {config.name} ({h} heads, d_model = {config.d}) on a batch of {batch} "
            f"sequence{'s' if batch > 1 else ''} of {n:,} tokens, in {precision} ({nbytes} bytes per number), "
            "with plain (not fused/flash) attention.\n\n"
            "How much memory do **one layer's attention-score matrices** (QKᵀ/√d_k, before the softmax) take? "
            "Answer in MiB (1 MiB = 2²⁰ bytes), to 1 decimal."
        )
        lines = [
            f"One score matrix is n × n = {n:,} × {n:,} = {n * n:,} numbers per head and per sequence.",
            f"× {h} heads × {batch} sequence{'s' if batch > 1 else ''} × {nbytes} bytes = {total:,} bytes.",
            f"{total:,} / 2²⁰ = **{fmt(value, 1)} MiB**",
            "It grows with n², not n, and d_model does not enter: that is the memory FlashAttention avoids by "
            "never materialising the full matrix. Forgetting the heads or the batch, or using n instead of n², "
            "are the usual slips.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="MiB?", answer=NumberAnswer(value, decimals=1, unit="MiB")),),
            solution="\n\n".join(lines),
            data={
                "ask": "score-memory",
                "config": config.name,
                "n": n,
                "heads": h,
                "batch": batch,
                "bytes": nbytes,
                "total_bytes": total,
                "value": value,
            },
        )

    def _scaling(
        self, rng: np.random.Generator, seed: int, params: TransformerCostParams, config: Config
    ) -> Problem:
        cost = SCALING_COSTS[int(rng.integers(len(SCALING_COSTS)))]
        k = int(rng.choice((2, 3, 4, 8)))
        n = int(rng.choice((256, 512, 1024)))
        value = k**cost.power
        prompt = (
            f"A team runs a model with the sizes of {config.name} (d_model = {config.d}, {config.heads} heads) with "
            f"standard attention and moves from sequences of {n:,} tokens to {k * n:,} tokens (same batch size and "
            f"model).\n\nBy what factor does this cost grow: **{cost.label}**? Answer as a whole number (1 if "
            "unchanged)."
        )
        lines = [
            f"The sequence is {k}× longer; {cost.why}.",
            f"Factor = {k}^{cost.power} = **{value}**",
            "Rule of thumb: anything per token (projections, FFN) scales with n, anything per pair of tokens "
            "(scores, their softmax, the weighted sum of V) with n², and the weights do not depend on n. For short "
            "sequences the per-token part dominates the FLOPs (about 12·n·d² multiply-adds per layer with d_ff = 4·d, "
            "against 2·n²·d for the scores and the weighted sum), so the n² part takes over only beyond n ≈ 6·d.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="factor?", answer=NumberAnswer(float(value), tolerance=0)),),
            solution="\n\n".join(lines),
            data={
                "ask": "scaling",
                "config": config.name,
                "cost": cost.label,
                "power": cost.power,
                "k": k,
                "n": n,
                "value": value,
            },
        )

    def _lora(
        self, rng: np.random.Generator, seed: int, params: TransformerCostParams, config: Config
    ) -> Problem:
        target = LORA_TARGETS[int(rng.integers(len(LORA_TARGETS)))]
        rank = int(rng.choice((4, 8, 16, 32)))
        layers = config.layers
        value = lora_params(config, target, rank, layers)
        sizes = {"d": config.d, "d_ff": config.d_ff}
        prompt = (
            f"You fine-tune {config.name} (d_model = {config.d}, d_ff = {config.d_ff}, {layers} layers) with "
            f"LoRA of rank r = {rank} on {target.label} in every layer; the adapters have no biases and the base "
            "weights are frozen.\n\nHow many **trainable** parameters does LoRA add? Answer as a whole number."
        )
        per_layer = [rank * (sizes[a] + sizes[b]) for a, b in target.shapes]
        lines = [
            "Each adapted W (d_in × d_out) gets B (d_in × r) and A (r × d_out): r·(d_in + d_out) parameters.",
            "Per layer: "
            + " + ".join(f"{rank}·({sizes[a]} + {sizes[b]})" for a, b in target.shapes)
            + f" = {sum(per_layer):,}.",
            f"× {layers} layers = **{value:,}**",
        ]
        full = layers * sum(sizes[a] * sizes[b] for a, b in target.shapes)
        lines.append(
            f"The matrices themselves hold {full:,} weights, so LoRA trains {fmt(100 * value / full, 2)}% of them. "
            "Multiplying r·d_in·d_out instead of adding the sides is the usual slip."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="LoRA parameters?", answer=NumberAnswer(float(value), tolerance=0)),),
            solution="\n\n".join(lines),
            data={
                "ask": "lora",
                "config": config.name,
                "d": config.d,
                "d_ff": config.d_ff,
                "layers": layers,
                "rank": rank,
                "target": target.label,
                "shapes": [list(s) for s in target.shapes],
                "value": value,
            },
        )


def _config_table(config: Config, fields: tuple[str, ...]) -> Table:
    values = {
        "d_model": config.d,
        "heads": config.heads,
        "d_ff": config.d_ff,
        "vocabulary": config.vocab,
        "context": config.context,
    }
    return Table(headers=fields, rows=(tuple(f"{values[f]:,}" for f in fields),), title=config.name)
