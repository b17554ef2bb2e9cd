"""`quantisation`: 8-bit affine (asymmetric) and symmetric quantisation of a small tensor.

Conventions, stated in every prompt:

| scheme       | range                                   | scale                  | zero-point           | integer q                                   |
|--------------|-----------------------------------------|------------------------|----------------------|---------------------------------------------|
| asymmetric   | [lo, hi] = [min(x, 0), max(x, 0)]       | (hi − lo) / 255        | round(−lo / scale)   | clamp(round(x / scale) + zp, 0, 255) (uint8) |
| symmetric    | [−m, m], m = max abs(x)                 | m / 127                | 0                    | clamp(round(x / scale), −127, 127) (int8)    |

Dequantised value x̂ = scale·(q − zp). The range always includes 0 so that 0 is exactly representable
(zero padding, ReLU zeros), as PyTorch's observers do.

| ask                | answer                                   | mistakes the numbers are drawn to expose              |
|--------------------|------------------------------------------|-------------------------------------------------------|
| `scale_zero_point` | scale (4 significant figures); zero-point | dividing by 256; the tensor's own min when it is > 0; the zero-point's sign |
| `quantise`         | q of one element                         | forgetting the zero-point; rounding down instead of to nearest; the other scheme |
| `dequantise`       | x̂ of one element; abs(x − x̂) (4 decimals) | forgetting the zero-point; claiming no error          |

No value the learner rounds lies within 0.03 of a .5 tie. The tests find q as the nearest point of the
explicit quantisation grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt, model_validator

Ask = Literal["scale_zero_point", "quantise", "dequantise"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws
Scheme = Literal["asymmetric", "symmetric"]

TIE_MARGIN = 0.03


@dataclass(frozen=True, slots=True)
class Scenario:
    what: str
    kind: Literal["signed", "positive", "skewed"]
    spread: float


SCENARIOS = (
    Scenario("the weights of one output channel of a convolution layer", "signed", 0.3),
    Scenario("a token's embedding vector (a slice of it)", "signed", 0.8),
    Scenario("post-ReLU activations of one layer on a calibration batch (a slice)", "positive", 1.5),
    Scenario("a GELU layer's outputs on a calibration batch (a slice)", "skewed", 1.2),
    Scenario("the weights of one row of a linear layer", "signed", 0.15),
    Scenario("a softmax-attention row (probabilities rounded to 2 decimals)", "positive", 0.0),
)


class QuantisationParams(Params):
    ask: Ask | None = None
    scheme: Scheme | None = None  # None: by seed (asymmetric for scale_zero_point)

    @model_validator(mode="after")
    def _zero_point_needs_asymmetric(self) -> QuantisationParams:
        if self.ask == "scale_zero_point" and self.scheme == "symmetric":
            raise ValueError(
                "the symmetric scheme's zero-point is always 0; ask 'scale_zero_point' is asymmetric"
            )
        return self


@dataclass(frozen=True, slots=True)
class Quantiser:
    scheme: str
    scale: float
    zero_point: int
    qmin: int
    qmax: int

    def quantise(self, x: float) -> int:
        return int(min(self.qmax, max(self.qmin, round(x / self.scale) + self.zero_point)))

    def dequantise(self, q: int) -> float:
        return self.scale * (q - self.zero_point)


def quantiser(x: np.ndarray, scheme: str) -> Quantiser:
    if scheme == "symmetric":
        return Quantiser(scheme, float(np.max(np.abs(x))) / 127, 0, -127, 127)
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 255
    return Quantiser(scheme, scale, int(round(-lo / scale)), 0, 255)


def _tensor(rng: np.random.Generator, s: Scenario) -> np.ndarray:
    n = int(rng.integers(6, 9))
    if s.kind == "signed":
        x = rng.normal(rng.normal(0, 0.3) * s.spread, s.spread, n)
    elif s.kind == "skewed":
        z = rng.normal(0.3, s.spread, n)
        x = (
            z * 0.5 * (1 + np.tanh(0.8 * (z + 0.044715 * z**3)))
        )  # GELU-shaped: small negatives, long right tail
    elif s.spread:
        x = np.maximum(rng.normal(0.4, s.spread, n), 0) + (
            0 if rng.random() < 0.5 else rng.uniform(0.05, 0.4)
        )
    else:
        x = rng.dirichlet(np.full(n, 1.5))
    return np.round(x, 2 if s.spread > 0.25 or not s.spread else 3)


def _near_tie(value: float) -> bool:
    return abs(value - math.floor(value) - 0.5) < TIE_MARGIN


class Quantisation(Generator):
    name = "quantisation"
    title = "8-bit quantisation: scale, zero-point, quantised and dequantised values"
    description = (
        "Affine (asymmetric, uint8) and symmetric (int8) quantisation of a small tensor: the scale and "
        "zero-point, the integer an element maps to, and its dequantised value and rounding error."
    )
    Params = QuantisationParams
    topics = ("deep-learning", "deployment", "efficiency")

    def make(self, rng: np.random.Generator, seed: int, params: QuantisationParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        drawn = "asymmetric" if ask == "scale_zero_point" else str(rng.choice(["asymmetric", "symmetric"]))
        scheme = params.scheme or drawn
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        for _ in range(1000):
            x = _tensor(rng, s)
            if len(set(x.tolist())) < len(x) or np.max(np.abs(x)) == 0:
                continue
            qz = quantiser(x, scheme)
            inner = np.flatnonzero((x != x.min()) & (x != x.max()) & (np.abs(x) != np.abs(x).max()))
            if not len(inner):
                continue
            index = int(rng.choice(inner))  # not an end of the range, which maps to an end code trivially
            ratio = x[index] / qz.scale
            if _near_tie(ratio) or (scheme == "asymmetric" and _near_tie(-min(float(x.min()), 0) / qz.scale)):
                continue
            error = abs(x[index] - qz.dequantise(qz.quantise(x[index])))
            if ask == "dequantise" and error < 0.0006:
                continue
            if ask == "quantise":
                slips = _q_mistakes(x, index, qz)
                # Every slip the solution names must miss the answer (floor == round when the fraction is < .5).
                if qz.quantise(x[index]) in slips.values() or len(set(slips.values())) < len(slips):
                    continue
            break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        value = float(x[index])
        q = qz.quantise(value)
        names = [f"x{i + 1}" for i in range(len(x))]
        table = Table(
            headers=("element", *names), rows=(("value", *(_num(v) for v in x)),), title="the tensor x"
        )
        convention = _convention(scheme)
        intro = f"You quantise {s.what} to 8 bits, per tensor, with the **{scheme}** scheme: {convention}"
        data: dict[str, object] = {
            "ask": ask,
            "scheme": scheme,
            "x": x.tolist(),
            "index": index,
            "scale": qz.scale,
            "zero_point": qz.zero_point,
            "q": q,
            "dequantised": qz.dequantise(q),
        }
        if ask == "scale_zero_point":
            question = (
                "What are the **scale** (to 4 significant figures) and the **zero-point** (a whole number)? "
                "Separate them with ';'."
            )
            parts = (
                Part("scale?", NumberAnswer(qz.scale, significant=4)),
                Part("zero-point?", NumberAnswer(qz.zero_point, tolerance=0)),
            )
            data["mistakes"] = _scale_mistakes(x)
        elif ask == "quantise":
            question = f"Which integer **q** does element **{names[index]} = {_num(value)}** map to? Answer as a whole number."
            parts = (Part(f"q({names[index]})?", NumberAnswer(q, tolerance=0)),)
            data["mistakes"] = _q_mistakes(x, index, qz)
        else:
            question = (
                f"Element **{names[index]} = {_num(value)}** is quantised and then dequantised. What is the "
                "**dequantised value** x̂, and the **absolute rounding error** |x − x̂|? Answer both to 4 decimals, "
                "separated by ';'."
            )
            parts = (
                Part("x̂?", NumberAnswer(qz.dequantise(q), decimals=4)),
                Part("|x − x̂|?", NumberAnswer(abs(value - qz.dequantise(q)), decimals=4)),
            )
            data["error"] = abs(value - qz.dequantise(q))
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, x, index, qz, names),
            data=data,
            table=table,
        )


def _num(value: float) -> str:
    return fmt(float(value), 3)


def _convention(scheme: str) -> str:
    if scheme == "asymmetric":
        return (
            "uint8 codes 0-255, range [lo, hi] = [min(x, 0), max(x, 0)], scale = (hi − lo)/255, "
            "zero-point = round(−lo/scale), q = clamp(round(x/scale) + zero-point, 0, 255), and "
            "x̂ = scale·(q − zero-point). Round halves away from zero."
        )
    return (
        "int8 codes −127 to 127, scale = max|x|/127, zero-point 0, q = clamp(round(x/scale), −127, 127), and "
        "x̂ = scale·q. Round halves away from zero."
    )


def _scale_mistakes(x: np.ndarray) -> dict[str, list[float]]:
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    right = (hi - lo) / 255
    mistakes = {"divide_by_256": [(hi - lo) / 256, round(-lo / ((hi - lo) / 256))]}
    if round(-lo / right) != 0:  # a sign slip only changes a zero-point that is not 0
        mistakes["sign"] = [right, round(lo / right)]
    if float(x.min()) > 0 or float(x.max()) < 0:  # one-sided: the tensor's own range leaves 0 out
        own = (float(x.max()) - float(x.min())) / 255
        mistakes["own_range"] = [own, round(-float(x.min()) / own)]
    return mistakes


def _q_mistakes(x: np.ndarray, index: int, qz: Quantiser) -> dict[str, int]:
    value = float(x[index])
    other = quantiser(x, "symmetric" if qz.scheme == "asymmetric" else "asymmetric")
    mistakes = {
        "floor": int(min(qz.qmax, max(qz.qmin, math.floor(value / qz.scale + 1e-9) + qz.zero_point))),
        "other_scheme": other.quantise(value),
    }
    if qz.zero_point:
        mistakes["no_zero_point"] = int(round(value / qz.scale))
    return mistakes


def _solution(ask: str, x: np.ndarray, index: int, qz: Quantiser, names: list[str]) -> str:
    value = float(x[index])
    lines = []
    if qz.scheme == "asymmetric":
        lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
        forced = " (0 is pulled into the range)" if lo != float(x.min()) or hi != float(x.max()) else ""
        lines.append(f"Range: lo = min(x, 0) = {_num(lo)}, hi = max(x, 0) = {_num(hi)}{forced}.")
        scale_text = f"scale = ({_num(hi)} − {_paren(lo)})/255 = {fmt(qz.scale, 6)}"
        zp_text = f"zero-point = round({_num(-lo)} / {fmt(qz.scale, 6)}) = round({fmt(-lo / qz.scale, 3)}) = {qz.zero_point}"
        if ask == "scale_zero_point":
            lines.append(f"scale = ({_num(hi)} − {_paren(lo)})/255 = **{fmt(qz.scale, 6)}**")
            lines.append(
                f"zero-point = round({_num(-lo)} / {fmt(qz.scale, 6)}) = round({fmt(-lo / qz.scale, 3)}) = "
                f"**{qz.zero_point}**: the code that stands for the real value 0."
            )
            m = _scale_mistakes(x)
            lines.append(
                f"Dividing by 256 gives {fmt(m['divide_by_256'][0], 6)}: 256 codes have 255 gaps between them. "
                + (
                    f"Using the tensor's own range [{_num(float(x.min()))}, {_num(float(x.max()))}] would give scale "
                    f"{fmt(m['own_range'][0], 6)} but then 0 is not exactly representable, which breaks zero padding "
                    "and ReLU zeros. "
                    if float(x.min()) > 0
                    else ""
                )
                + (
                    "The zero-point is positive because the range has negatives: it shifts them onto codes ≥ 0."
                    if qz.zero_point
                    else "With nothing negative, lo = 0 and the zero-point is 0."
                )
            )
            return "\n\n".join(lines)
        lines += [scale_text + ",", zp_text + "."]
    else:
        m = float(np.max(np.abs(x)))
        lines.append(
            f"max|x| = {_num(m)}, so scale = {_num(m)}/127 = {fmt(qz.scale, 6)}; the zero-point is 0."
        )
    ratio = value / qz.scale
    q = qz.quantise(value)
    shift = f" + {qz.zero_point}" if qz.scheme == "asymmetric" else ""
    q_line = f"q = round({_num(value)} / {fmt(qz.scale, 6)}){shift} = round({fmt(ratio, 3)}){shift} = " + (
        f"**{q}**" if ask == "quantise" else str(q)
    )
    lines.append(q_line + ("" if qz.qmin <= round(ratio) + qz.zero_point <= qz.qmax else " (clamped)") + ".")
    if ask == "quantise":
        mistakes = _q_mistakes(x, index, qz)
        extra = (
            f" Forgetting the zero-point gives {mistakes['no_zero_point']}, a code that means a different value."
            if "no_zero_point" in mistakes
            else ""
        )
        lines.append(
            f"Rounding down (floor) instead of to the nearest integer gives {mistakes['floor']}.{extra} The "
            f"{'symmetric' if qz.scheme == 'asymmetric' else 'asymmetric'} scheme would map "
            f"{names[index]} to {mistakes['other_scheme']}: the code depends on the scheme's scale and "
            "zero-point."
        )
        return "\n\n".join(lines)
    x_hat = qz.dequantise(q)
    shift_text = f"({q} − {qz.zero_point})" if qz.scheme == "asymmetric" else str(q)
    lines.append(f"x̂ = scale·{shift_text} = {fmt(qz.scale, 6)}·{shift_text} = **{fmt(x_hat, 5)}**")
    lines.append(
        f"|x − x̂| = |{_num(value)} − {f'({fmt(x_hat, 5)})' if x_hat < 0 else fmt(x_hat, 5)}| = **{fmt(abs(value - x_hat), 5)}**, at most "
        f"scale/2 = {fmt(qz.scale / 2, 5)} for values inside the range."
    )
    lines.append(
        "The error grows with the scale, so one outlier that stretches the range costs precision for "
        "every other element: that is why weights are often quantised per channel, and why the "
        "asymmetric scheme suits one-sided tensors such as ReLU outputs (symmetric wastes the negative "
        "codes)."
    )
    return "\n\n".join(lines)


def _paren(value: float) -> str:
    return f"({_num(value)})" if value < 0 else _num(value)
