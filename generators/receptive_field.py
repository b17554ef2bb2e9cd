"""`receptive-field`: receptive field and output size of a stack of convolution and pooling layers.

Square kernels, the same along both axes, so one axis tells the whole story. Each layer has a kernel k,
stride s, dilation d (1 for pooling) and zero padding p. Going up the stack, with r₀ = 1 and j₀ = 1
(the jump: input pixels between neighbouring units):

    r_out = r_in + (k − 1)·d·j_in        j_out = j_in·s
    size_out = ⌊(size_in + 2p − d·(k − 1) − 1) / s⌋ + 1

| ask           | answer                                        | mistakes the numbers are drawn to expose         |
|---------------|-----------------------------------------------|--------------------------------------------------|
| `rf`          | receptive field of one final unit, in pixels  | ignoring strides; ignoring dilation; the jump after the layer instead of before |
| `output_size` | spatial size after the stack                  | rounding up; ignoring dilation in the kernel span |
| `compare`     | which of two stacks sees more (or the same)   | judging by depth or by summing kernel sizes       |

The tests propagate one-hot impulses through the stack with numpy and do interval arithmetic top-down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table

Ask = Literal["rf", "output_size", "compare"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws


@dataclass(frozen=True, slots=True)
class Layer:
    kind: Literal["conv", "pool"]
    k: int
    s: int = 1
    d: int = 1
    p: int = 0

    def describe(self) -> str:
        name = f"conv {self.k}×{self.k}" if self.kind == "conv" else f"max-pool {self.k}×{self.k}"
        extras = [f"stride {self.s}"] if self.s > 1 else []
        extras += [f"dilation {self.d}"] if self.d > 1 else []
        extras.append(f"padding {self.p}")
        return f"{name}, {', '.join(extras)}"

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "k": self.k, "s": self.s, "d": self.d, "p": self.p}


CONTEXTS = (
    "A small CNN backbone for defect inspection",
    "The encoder of a segmentation network",
    "A keypoint detector's feature extractor",
    "A CNN over audio spectrograms",
    "The stem of an image classifier",
    "A text-line recogniser's convolutional front end",
)
SIZES = (64, 96, 100, 128, 150, 224, 227, 256)


class ReceptiveFieldParams(Params):
    ask: Ask | None = None


def receptive_field(layers: list[Layer]) -> tuple[int, int]:
    """(receptive field, jump) of one unit after the stack, by the forward recurrence."""
    r, j = 1, 1
    for layer in layers:
        r += (layer.k - 1) * layer.d * j
        j *= layer.s
    return r, j


def output_size(layers: list[Layer], size: int) -> int:
    for layer in layers:
        size = (size + 2 * layer.p - layer.d * (layer.k - 1) - 1) // layer.s + 1
    return size


def _rf_mistakes(layers: list[Layer]) -> dict[str, int]:
    no_stride = 1 + sum((layer.k - 1) * layer.d for layer in layers)
    no_dilation = receptive_field([Layer(layer.kind, layer.k, layer.s, 1, layer.p) for layer in layers])[0]
    r, j = 1, 1
    for layer in layers:  # the jump after the layer instead of before
        j *= layer.s
        r += (layer.k - 1) * layer.d * j
    return {"ignore_stride": no_stride, "ignore_dilation": no_dilation, "jump_after": r}


def _size_mistakes(layers: list[Layer], size: int) -> dict[str, int]:
    rounded_up = ignored = size
    for layer in layers:
        rounded_up = -(-(rounded_up + 2 * layer.p - layer.d * (layer.k - 1) - 1) // layer.s) + 1
        ignored = (ignored + 2 * layer.p - (layer.k - 1) - 1) // layer.s + 1
    return {"round_up": rounded_up, "ignore_dilation": ignored}


def _layer(rng: np.random.Generator, allow_stride: bool) -> Layer:
    if allow_stride and rng.random() < 0.25:
        k = int(rng.choice([2, 3]))
        return Layer("pool", k, 2, 1, int(k == 3 and rng.random() < 0.5))
    k = int(rng.choice([3, 3, 3, 5, 7]))
    s = 2 if allow_stride and rng.random() < 0.3 else 1
    d = int(rng.choice([2, 3])) if s == 1 and k == 3 and rng.random() < 0.35 else 1
    p = d * (k - 1) // 2 if rng.random() < 0.75 else 0
    return Layer("conv", k, s, d, p)


def _stack(rng: np.random.Generator, n_layers: int) -> list[Layer]:
    return [_layer(rng, allow_stride=True) for _ in range(n_layers)]


def _naive_score(layers: list[Layer]) -> int:
    """What a learner who ignores strides compares: the kernel spans added up."""
    return sum((layer.k - 1) * layer.d for layer in layers)


class ReceptiveField(Generator):
    name = "receptive-field"
    title = "Receptive field and output size of a CNN stack"
    description = (
        "A stack of convolution and pooling layers (kernel, stride, dilation, padding): the receptive field of "
        "one output unit in input pixels, the output size, or which of two stacks sees more."
    )
    Params = ReceptiveFieldParams
    topics = ("deep-learning", "cnn", "computer-vision")

    def make(self, rng: np.random.Generator, seed: int, params: ReceptiveFieldParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        context = CONTEXTS[int(rng.integers(len(CONTEXTS)))]
        if ask == "compare":
            return self._compare(rng, seed, params, context)
        size = int(rng.choice(SIZES))
        for _ in range(MAX_DRAWS):
            layers = _stack(rng, int(rng.integers(3, 6)))
            rf, jump = receptive_field(layers)
            out = output_size(layers, size)
            if out < 4:
                continue
            if ask == "rf" and rf not in _rf_mistakes(layers).values():
                break
            if ask == "output_size" and out not in _size_mistakes(layers, size).values():
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("layer", "operation"),
            rows=tuple((str(i + 1), layer.describe()) for i, layer in enumerate(layers)),
            title="layers, input first · square kernels",
        )
        data: dict[str, object] = {
            "ask": ask,
            "layers": [layer.to_json() for layer in layers],
            "input_size": size,
            "rf": rf,
            "jump": jump,
            "output_size": out,
        }
        if ask == "rf":
            question = (
                "How many input pixels wide is the **receptive field** of one unit after the last layer (along one "
                "axis, ignoring the image border)? Answer as a whole number."
            )
            parts = (Part("receptive field?", NumberAnswer(rf, tolerance=0)),)
            data["mistakes"] = _rf_mistakes(layers)
        else:
            question = (
                f"The input is **{size}×{size}** pixels. What is the spatial size (height = width) of the output of "
                "the last layer? Every layer rounds its output size down, as PyTorch's `Conv2d` and `MaxPool2d` do by "
                "default (`ceil_mode=False`). Answer as a whole number."
            )
            parts = (Part("output size?", NumberAnswer(out, tolerance=0)),)
            data["mistakes"] = _size_mistakes(layers, size)
        prompt = f"{context} applies the layers below, in order.\n\n{question}"
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=parts,
            solution=_solution(ask, layers, size),
            data=data,
            table=table,
        )

    def _compare(
        self, rng: np.random.Generator, seed: int, params: ReceptiveFieldParams, context: str
    ) -> Problem:
        target = str(rng.choice(["a", "b", "same"]))
        naive_trap = bool(rng.random() < 0.5)  # the kernel-sum comparison points the wrong way
        for _ in range(2000):
            a = _stack(rng, int(rng.integers(3, 6)))
            if target == "same":
                b = _equivalent(rng, a)
            elif rng.random() < 0.5:  # a near copy too, so "the stacks look alike" is no cue for "same"
                b = _perturbed(rng, a)
            else:
                b = _stack(rng, int(rng.integers(3, 6)))
            ra, rb = receptive_field(a)[0], receptive_field(b)[0]
            truth = "same" if ra == rb else ("a" if ra > rb else "b")
            if truth != target or a == b or max(ra, rb) > 1.6 * min(ra, rb):
                continue
            na, nb = _naive_score(a), _naive_score(b)
            naive = "same" if na == nb else ("a" if na > nb else "b")
            if target == "same" or (naive != truth) == naive_trap:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        rows = [
            (str(i + 1), a[i].describe() if i < len(a) else "", b[i].describe() if i < len(b) else "")
            for i in range(max(len(a), len(b)))
        ]
        table = Table(
            headers=("layer", "stack A", "stack B"),
            rows=tuple(rows),
            title="two candidate stacks, input first",
        )
        options = [
            Option("a", "Stack A sees a wider region"),
            Option("b", "Stack B sees a wider region"),
            Option("same", "Both see the same region width"),
        ]
        options = [options[i] for i in rng.permutation(3)]
        rf_text = f"stack A's receptive field is {ra} pixels and stack B's is {rb}"
        if truth == "same":
            wrong_side = (
                f"No: both receptive fields are {ra} pixels; the layers that differ add the same "
                "(k − 1)·d at the same jump."
            )
            feedback = {"a": wrong_side, "b": wrong_side}
        else:
            feedback = {
                "a": f"No: {rf_text}.",
                "b": f"No: {rf_text}.",
                "same": f"No: {rf_text}; counting layers or adding kernel sizes ignores how strides multiply "
                "later kernels.",
            }
        feedback.pop(truth, None)
        prompt = (
            f"{context} could use either of the two stacks below.\n\nWhich stack's final units have the **larger "
            "receptive field** (in input pixels, along one axis)?"
        )
        solution = "\n\n".join(
            [
                "With r ← r + (k − 1)·d·j and j ← j·s, starting from r = 1, j = 1.",
                "Stack A: " + _rf_steps(a),
                "Stack B: " + _rf_steps(b),
                f"So **{ {'a': 'stack A sees a wider region', 'b': 'stack B sees a wider region', 'same': 'both see the same width'}[truth] }** "
                f"({ra} vs {rb} pixels).",
                "Kernels after a stride count multiple times: each stride-2 layer doubles how many input pixels one "
                "step of a later kernel moves. Two stacked 3×3 convs see as far as one 5×5 with fewer weights (18 "
                "against 25 per channel pair), three as far as one 7×7 (27 against 49); a single 3×3 with dilation 2 "
                "also spans 5 pixels, with 9.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    "larger receptive field?",
                    ChoiceAnswer(options=tuple(options), correct=truth, feedback=feedback),
                ),
            ),
            solution=solution,
            data={
                "ask": "compare",
                "stack_a": [x.to_json() for x in a],
                "stack_b": [x.to_json() for x in b],
                "rf_a": ra,
                "rf_b": rb,
                "naive_trap": naive_trap,
            },
            table=table,
        )


def _equivalent(rng: np.random.Generator, layers: list[Layer]) -> list[Layer]:
    """A different stack with the same receptive field: swap one stride-1 conv for an equivalent.

    A k×k conv adds (k − 1)·d·j; so do two convs whose (k − 1)·d add up to the same span at the same jump.
    """
    spans = {
        2: [[(3, 1)]],
        4: [[(5, 1)], [(3, 2)], [(3, 1), (3, 1)]],
        6: [[(7, 1)], [(3, 3)], [(3, 1), (3, 1), (3, 1)], [(5, 1), (3, 1)], [(3, 2), (3, 1)]],
    }
    candidates = [
        i for i, x in enumerate(layers) if x.kind == "conv" and x.s == 1 and (x.k - 1) * x.d in (4, 6)
    ]
    if not candidates:
        return layers
    i = int(rng.choice(candidates))
    old = layers[i]
    choices = [c for c in spans[(old.k - 1) * old.d] if c != [(old.k, old.d)]]
    new = choices[int(rng.integers(len(choices)))]
    replacement = [Layer("conv", k, 1, d, d * (k - 1) // 2) for k, d in new]
    return [*layers[:i], *replacement, *layers[i + 1 :]]


def _perturbed(rng: np.random.Generator, layers: list[Layer]) -> list[Layer]:
    """A near copy: one layer redrawn, or two neighbours swapped (which matters once a stride is involved)."""
    out = list(layers)
    i = int(rng.integers(len(out)))
    if rng.random() < 0.5 and i + 1 < len(out):
        out[i], out[i + 1] = out[i + 1], out[i]
    else:
        out[i] = _layer(rng, allow_stride=True)
    return out


def _rf_steps(layers: list[Layer]) -> str:
    r, j = 1, 1
    steps = []
    for layer in layers:
        new_r = r + (layer.k - 1) * layer.d * j
        step = f"r = {r} + {layer.k - 1}·{layer.d}·{j} = {new_r}"
        steps.append(step + (f", then j = {j}·{layer.s} = {j * layer.s}" if layer.s > 1 else ""))
        r, j = new_r, j * layer.s
    return "; ".join(steps) + f" → receptive field {r}."


def _solution(ask: str, layers: list[Layer], size: int) -> str:
    if ask == "rf":
        rows = ["| layer | k | s | d | j (before) | r = r + (k − 1)·d·j |", "|---|---|---|---|---|---|"]
        r, j = 1, 1
        for i, layer in enumerate(layers):
            new_r = r + (layer.k - 1) * layer.d * j
            rows.append(
                f"| {i + 1} | {layer.k} | {layer.s} | {layer.d} | {j} | {r} + {layer.k - 1}·{layer.d}·{j} "
                f"= {new_r} |"
            )
            r, j = new_r, j * layer.s
        mistakes = _rf_mistakes(layers)
        return "\n\n".join(
            [
                "Start from one input pixel: r = 1, jump j = 1. Each layer widens the field by (k − 1)·d steps of the "
                "current jump, then multiplies the jump by its stride.",
                "\n".join(rows),
                f"Receptive field = **{r}** pixels (padding changes sizes, not the receptive field).",
                f"Ignoring the strides gives 1 + Σ(k − 1)·d = {mistakes['ignore_stride']}: kernels after a stride-2 layer "
                f"step over 2 input pixels per unit. Multiplying by the jump *after* the layer instead gives "
                f"{mistakes['jump_after']}.",
            ]
        )
    rows = ["| layer | size in | ⌊(in + 2p − d·(k − 1) − 1) / s⌋ + 1 | size out |", "|---|---|---|---|"]
    current = size
    for i, layer in enumerate(layers):
        new = output_size([layer], current)
        rows.append(
            f"| {i + 1} | {current} | ⌊({current} + {2 * layer.p} − {layer.d * (layer.k - 1)} − 1) / "
            f"{layer.s}⌋ + 1 | {new} |"
        )
        current = new
    mistakes = _size_mistakes(layers, size)
    return "\n\n".join(
        [
            "Per layer: size_out = ⌊(size_in + 2p − d·(k − 1) − 1) / s⌋ + 1, where d·(k − 1) + 1 is the kernel's span "
            "with dilation.",
            "\n".join(rows),
            f"Output: **{current}×{current}**.",
            f"Rounding up instead of down gives {mistakes['round_up']}; treating a dilated kernel as if it spanned only "
            f"k pixels gives {mistakes['ignore_dilation']}. 'Same' padding p = d·(k − 1)/2 keeps the size only at "
            "stride 1.",
        ]
    )
