"""`attention`: scaled dot-product attention worked by hand on three tokens.

Q, K and V for a three-token input are given (small integers or one-decimal values, d_k = 2 to 4). The
question is one attention weight of one query row (softmax over the keys of q·kᵀ/√d_k), which key a query
attends to most, or one element of that query's output row (the weights times V; asked to 2 decimals, so weights rounded
on the way still land within the tolerance). The instances are drawn so
that the usual slips give a different answer: forgetting the √d_k scaling, dividing by d_k instead of √d_k,
taking the softmax down a column (over queries) instead of along the query's row, or averaging V evenly.
The tests check the values against ``scipy.special.softmax`` and a loop-by-loop implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Field,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    far_from,
    fmt,
)

Ask = Literal["weight", "most-attended", "output"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    tokens: tuple[str, str, str]


SCENARIOS = (
    Scenario("A toy self-attention head in a translation encoder reads the phrase", ("the", "red", "car")),
    Scenario(
        "One head of a tiny sentiment transformer processes the review snippet", ("not", "very", "good")
    ),
    Scenario("A single attention head of a code model reads the tokens", ("for", "x", "in")),
    Scenario("One head in a small language model sees the prefix", ("cats", "chase", "mice")),
    Scenario("A toy attention layer in a speech model attends over three audio frames", ("f1", "f2", "f3")),
    Scenario("A vision transformer head attends over three image patches", ("sky", "tree", "road")),
    Scenario("A recommender's attention layer reads a user's last three items", ("boots", "tent", "stove")),
)


class AttentionParams(Params):
    ask: Ask | None = None
    # Key/query dimension (None: 2-4 by seed). Values have the same dimension, as in a typical head.
    d_k: int | None = Field(default=None, ge=2, le=4)


@dataclass(frozen=True, slots=True)
class Weights:
    """Attention weights for every query, the right way and the ways people slip."""

    right: np.ndarray  # softmax along each row of QKᵀ/√d_k
    unscaled: np.ndarray  # softmax of QKᵀ without the scaling
    by_d: np.ndarray  # QKᵀ/d_k: divided by d_k instead of √d_k
    by_column: np.ndarray  # softmax down each column (over queries) of QKᵀ/√d_k


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def attention_weights(q: np.ndarray, k: np.ndarray) -> Weights:
    d = q.shape[1]
    raw = q @ k.T
    return Weights(
        right=_softmax_rows(raw / math.sqrt(d)),
        unscaled=_softmax_rows(raw),
        by_d=_softmax_rows(raw / d),
        by_column=_softmax_rows((raw / math.sqrt(d)).T).T,
    )


def _draw_matrices(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Q and K from small integers or one-decimal numbers; V from small integers (easy to weight by hand)."""
    decimals = bool(rng.random() < 0.5)
    if decimals:
        q = np.round(rng.uniform(-1.5, 1.5, (3, d)), 1)
        k = np.round(rng.uniform(-1.5, 1.5, (3, d)), 1)
    else:
        q = rng.integers(-2, 3, (3, d)).astype(float)
        k = rng.integers(-2, 3, (3, d)).astype(float)
    v = rng.integers(-3, 6, (3, d)).astype(float)
    return q, k, v, decimals


def _vector(values: np.ndarray) -> str:
    return "(" + ", ".join(fmt(float(x), 1) for x in values) + ")"


class Attention(Generator):
    name = "attention"
    title = "Scaled dot-product attention by hand"
    description = (
        "Three tokens' Q, K and V: one attention weight (softmax of q·kᵀ/√d_k over the keys), which key a "
        "query attends to most, or one element of the query's output row."
    )
    Params = AttentionParams
    topics = ("transformers", "attention", "deep-learning")

    def make(self, rng: np.random.Generator, seed: int, params: AttentionParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        d = params.d_k or int(rng.integers(2, 5))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        want_trap = bool(rng.random() < 0.5)  # most-attended: the column softmax picks a different key
        for _ in range(2000):
            q, k, v, decimals = _draw_matrices(rng, d)
            row = int(rng.integers(3))
            w = attention_weights(q, k)
            if ask == "weight":
                key = int(rng.integers(3))
                if _weight_ok(w, row, key):
                    return self._weight(seed, params, scenario, q, k, v, w, row, key)
            elif ask == "output":
                col = int(rng.integers(d))
                if _output_ok(w, v, row, col):
                    return self._output(seed, params, scenario, q, k, v, w, row, col)
            elif _most_ok(q, k, w, row, decimals, want_trap):
                return self._most(rng, seed, params, scenario, q, k, v, w, row)
        raise RuntimeError("no instance met the conditions")  # pragma: no cover - a few draws always suffice

    def _intro(self, scenario: Scenario, d: int) -> str:
        words = " ".join(f"“{t}”" for t in scenario.tokens)
        return (
            f"{scenario.context} {words}. Its query, key and value vectors (d_k = d_v = {d}) are below; "
            "the head computes softmax(QKᵀ/√d_k)·V with the softmax over the keys."
        )

    def _weight(
        self,
        seed: int,
        params: AttentionParams,
        scenario: Scenario,
        q: np.ndarray,
        k: np.ndarray,
        v: np.ndarray,
        w: Weights,
        row: int,
        key: int,
    ) -> Problem:
        d = q.shape[1]
        value = float(w.right[row, key])
        source, target = scenario.tokens[row], scenario.tokens[key]
        prompt = (
            f"{self._intro(scenario, d)}\n\n"
            f"What attention weight does the query of **“{source}”** put on the key of **“{target}”**? "
            "Answer to 3 decimals."
        )
        lines = _score_lines(scenario, q, k, row)
        lines.append(f"Weight on “{target}” = e^({fmt(_scaled(q, k, row)[key], 4)}) / Σ = **{fmt(value)}**")
        lines.append(
            f"Without the √{d} scaling the softmax of the raw scores gives {fmt(float(w.unscaled[row, key]))}; "
            f"dividing by d_k = {d} instead of √{d} gives {fmt(float(w.by_d[row, key]))}; a softmax down the column "
            f"(over the three queries) gives {fmt(float(w.by_column[row, key]))}. The scaling keeps the scores' "
            "variance near 1 as d_k grows, so the softmax does not saturate."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt=f"weight of “{source}” on “{target}”?", answer=NumberAnswer(value, decimals=3)),
            ),
            solution="\n\n".join(lines),
            data=_data("weight", scenario, q, k, v, w, row, key=key, weight=value),
            table=_table(scenario, q, k, v),
        )

    def _output(
        self,
        seed: int,
        params: AttentionParams,
        scenario: Scenario,
        q: np.ndarray,
        k: np.ndarray,
        v: np.ndarray,
        w: Weights,
        row: int,
        col: int,
    ) -> Problem:
        d = q.shape[1]
        value = float(w.right[row] @ v[:, col])
        source = scenario.tokens[row]
        prompt = (
            f"{self._intro(scenario, d)}\n\n"
            f"What is element **{col + 1}** (of {d}) of the attention output for **“{source}”**? "
            "Answer to 2 decimals."
        )
        lines = _score_lines(scenario, q, k, row)
        weights = ", ".join(f"{fmt(float(x), 4)}" for x in w.right[row])
        lines.append(f"Weights of “{source}” over the keys: ({weights}).")
        terms = " + ".join(
            f"{fmt(float(a), 4)} × {_paren(float(x))}" for a, x in zip(w.right[row], v[:, col], strict=True)
        )
        lines.append(f"Output element {col + 1} = Σⱼ aⱼ · vⱼ[{col + 1}] = {terms} = **{fmt(value)}**")
        lines.append(
            f"The output is a weighted average of the value vectors. An even average of V would give "
            f"{fmt(float(v[:, col].mean()))}; skipping the √{d} scaling gives "
            f"{fmt(float(w.unscaled[row] @ v[:, col]))} (the weights come out sharper)."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt=f"output[{col + 1}] for “{source}”?", answer=NumberAnswer(value, decimals=2)),
            ),
            solution="\n\n".join(lines),
            data=_data("output", scenario, q, k, v, w, row, column=col, output=value),
            table=_table(scenario, q, k, v),
        )

    def _most(
        self,
        rng: np.random.Generator,
        seed: int,
        params: AttentionParams,
        scenario: Scenario,
        q: np.ndarray,
        k: np.ndarray,
        v: np.ndarray,
        w: Weights,
        row: int,
    ) -> Problem:
        d = q.shape[1]
        best = int(np.argmax(w.right[row]))
        by_column = int(np.argmax(w.by_column[row]))
        source = scenario.tokens[row]
        order = rng.permutation(3)
        options = tuple(
            Option(f"key-{j + 1}", f"the key of “{scenario.tokens[j]}” (token {j + 1})") for j in order
        )
        feedback = {}
        for j in range(3):
            if j == best:
                continue
            text = (
                f"“{scenario.tokens[j]}” gets weight {fmt(float(w.right[row, j]), 3)}, less than the "
                f"{fmt(float(w.right[row, best]), 3)} on “{scenario.tokens[best]}”"
            )
            if j == by_column:
                text += (
                    " (it would win if the softmax were taken down the column, over the queries, instead of "
                    "over the keys)"
                )
            feedback[f"key-{j + 1}"] = text + "."
        prompt = (
            f"{self._intro(scenario, d)}\n\n"
            f"Which key does the query of **“{source}”** put the most attention weight on?"
        )
        lines = _score_lines(scenario, q, k, row)
        weights = ", ".join(
            f"“{t}” {fmt(float(x), 4)}" for t, x in zip(scenario.tokens, w.right[row], strict=True)
        )
        lines.append(f"Weights: {weights}. The largest is on **the key of “{scenario.tokens[best]}”**.")
        lines.append(
            "The scaling by √d_k never changes which key wins (it divides every score by the same number); it "
            "only changes how peaked the weights are. What can change the winner is normalising over the wrong "
            "axis: a softmax down each column (over queries) "
            + (
                f"would pick “{scenario.tokens[by_column]}” here."
                if by_column != best
                else "happens to pick the same key here, but need not."
            )
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt=f"most-attended key for “{source}”?",
                    answer=ChoiceAnswer(options=options, correct=f"key-{best + 1}", feedback=feedback),
                ),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "most-attended", scenario, q, k, v, w, row, most_attended=best, column_softmax_pick=by_column
            ),
            table=_table(scenario, q, k, v),
        )


def _scaled(q: np.ndarray, k: np.ndarray, row: int) -> np.ndarray:
    return (k @ q[row]) / math.sqrt(q.shape[1])


def _score_lines(scenario: Scenario, q: np.ndarray, k: np.ndarray, row: int) -> list[str]:
    d = q.shape[1]
    raw = k @ q[row]
    scaled = _scaled(q, k, row)
    dots = "; ".join(
        f"q·k({scenario.tokens[j]}) = {' + '.join(f'{_paren(float(a))}×{_paren(float(b))}' for a, b in zip(q[row], k[j], strict=True))} "
        f"= {fmt(float(raw[j]), 2)}"
        for j in range(3)
    )
    exps = np.exp(scaled)
    return [
        f"Scores of “{scenario.tokens[row]}” against each key: {dots}.",
        f"Scale by √{d} = {fmt(math.sqrt(d), 4)}: ({', '.join(fmt(float(s), 4) for s in scaled)}).",
        f"Exponentials: ({', '.join(fmt(float(e), 4) for e in exps)}), sum Σ = {fmt(float(exps.sum()), 4)}.",
    ]


def _weight_ok(w: Weights, row: int, key: int) -> bool:
    value = w.right[row, key]
    slips = (w.unscaled[row, key], w.by_d[row, key], w.by_column[row, key])
    return 0.03 <= value <= 0.97 and far_from(value, slips, 0.01)


def _output_ok(w: Weights, v: np.ndarray, row: int, col: int) -> bool:
    value = w.right[row] @ v[:, col]
    slips = (w.unscaled[row] @ v[:, col], w.by_column[row] @ v[:, col], v[:, col].mean())
    return abs(value) >= 0.1 and far_from(value, slips, 0.03)


def _most_ok(q: np.ndarray, k: np.ndarray, w: Weights, row: int, decimals: bool, want_trap: bool) -> bool:
    raw = np.sort(k @ q[row])
    if raw[-1] - raw[-2] < (0.3 if decimals else 1.0):  # a clear winner, no near-ties
        return False
    column = w.by_column[row]
    top = np.sort(column)
    if top[-1] - top[-2] < 0.01:
        return False
    trap = int(np.argmax(column)) != int(np.argmax(w.right[row]))
    return trap == want_trap


def _paren(value: float) -> str:
    text = fmt(value, 2)
    return f"({text})" if value < 0 else text


def _table(scenario: Scenario, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> Table:
    rows = tuple(
        (f"{j + 1}: {t}", _vector(q[j]), _vector(k[j]), _vector(v[j])) for j, t in enumerate(scenario.tokens)
    )
    return Table(
        headers=("token", "query q", "key k", "value v"), rows=rows, title="Q, K, V (one row per token)"
    )


def _data(
    ask: str,
    scenario: Scenario,
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    w: Weights,
    row: int,
    **asked: object,
) -> dict[str, object]:
    return {
        "ask": ask,
        "tokens": list(scenario.tokens),
        "q": q.tolist(),
        "k": k.tolist(),
        "v": v.tolist(),
        "d_k": q.shape[1],
        "row": row,
        "weights": w.right.tolist(),
        "slips": {
            "unscaled": w.unscaled.tolist(),
            "by_d": w.by_d.tolist(),
            "by_column": w.by_column.tolist(),
        },
        **asked,
    }
