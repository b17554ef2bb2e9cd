"""`gradient-step`: one update of SGD, momentum, RMSprop or Adam on a small parameter vector.

The optimiser is mid-training (step t, with its state after t − 1 steps) or fresh (t = 1). The problem
asks the new value of one weight, or for a stateful optimiser the new state entry (the momentum
buffer, RMSprop's running square, or Adam's bias-corrected m̂ / v̂). Conventions are PyTorch's
(``torch.optim``): momentum without dampening (b ← μ·b + g), ε added outside the square root, Adam's
t counted from 1. Expected values come from a vectorised numpy implementation of those rules; the
tests replay them with an independent scalar loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt, model_validator

Optimiser = Literal["sgd", "momentum", "rmsprop", "adam"]
OPTIMISERS: tuple[str, ...] = Optimiser.__args__  # type: ignore[attr-defined]
STATEFUL = ("momentum", "rmsprop", "adam")
EPS = 1e-8

OPTIMISER_NAMES = {"sgd": "plain SGD", "momentum": "SGD with momentum", "rmsprop": "RMSprop", "adam": "Adam"}

# Realistic hyper-parameters per optimiser: (learning rates, second hyper-parameter choices).
LEARNING_RATES = {
    "sgd": (0.1, 0.05, 0.01, 0.2),
    "momentum": (0.1, 0.05, 0.01),
    "rmsprop": (1e-3, 1e-2, 5e-3),
    "adam": (1e-3, 3e-4, 2e-3, 1e-2),
}
MOMENTA = (0.9, 0.9, 0.95, 0.8)
ALPHAS = (0.99, 0.99, 0.9)
BETA2S = (0.999, 0.999, 0.98)  # 0.98 is common when pre-training transformers


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    names: tuple[str, ...]  # what the 2-3 weights are


SCENARIOS = (
    Scenario(
        "You are fine-tuning the classification head of a ResNet-50 on a small medical-imaging set",
        ("head.weight[0, 0]", "head.weight[0, 1]", "head.bias[0]"),
    ),
    Scenario(
        "A logistic-regression click-through model is trained on ad impressions",
        ("w_hour", "w_device", "bias"),
    ),
    Scenario(
        "A two-layer MLP is learning MNIST digits; look at three weights of its first layer",
        ("w[0]", "w[1]", "w[2]"),
    ),
    Scenario("A matrix-factorisation recommender updates one user's embedding", ("u[0]", "u[1]", "u[2]")),
    Scenario(
        "You are fine-tuning a BERT sentiment classifier; track a few weights of its output layer",
        ("w[0]", "w[1]"),
    ),
    Scenario("A linear demand-forecasting model is trained on weekly sales", ("w_price", "w_promo", "bias")),
)


class GradientStepParams(Params):
    optimiser: Optimiser | None = None
    # "weight": the new value of one weight. "state": the new momentum buffer / RMSprop square average /
    # Adam m̂ or v̂ entry (plain SGD has no state, so it cannot be asked with "state").
    ask: Literal["weight", "state"] | None = None

    @model_validator(mode="after")
    def _sgd_has_no_state(self) -> GradientStepParams:
        if self.optimiser == "sgd" and self.ask == "state":
            raise ValueError("plain SGD keeps no state; use ask='weight' or another optimiser")
        return self


@dataclass(frozen=True, slots=True)
class Hyper:
    lr: float
    momentum: float = 0.9  # SGD momentum μ
    alpha: float = 0.99  # RMSprop smoothing constant
    beta1: float = 0.9
    beta2: float = 0.999


@dataclass(frozen=True, slots=True)
class StepResult:
    weights: np.ndarray
    state: dict[str, np.ndarray]  # the new state (buffer / square_avg / m, v)
    derived: dict[str, np.ndarray]  # quantities used on the way: m_hat, v_hat, the update


def optimiser_step(
    optimiser: str, hyper: Hyper, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], t: int
) -> StepResult:
    """One ``torch.optim`` step (no weight decay, no Nesterov, no dampening, no amsgrad).

    ``state`` is the state after t − 1 steps (zeros, or absent, when t = 1); ``t`` counts from 1.
    """
    w = np.asarray(w, dtype=float)
    g = np.asarray(g, dtype=float)
    zeros = np.zeros_like(w)
    match optimiser:
        case "sgd":
            update = hyper.lr * g
            return StepResult(w - update, {}, {"update": update})
        case "momentum":
            # PyTorch initialises the buffer to g on the first step, which equals μ·0 + g without dampening.
            buf = hyper.momentum * state.get("buf", zeros) + g
            update = hyper.lr * buf
            return StepResult(w - update, {"buf": buf}, {"update": update})
        case "rmsprop":
            square_avg = hyper.alpha * state.get("square_avg", zeros) + (1 - hyper.alpha) * g * g
            update = hyper.lr * g / (np.sqrt(square_avg) + EPS)
            return StepResult(w - update, {"square_avg": square_avg}, {"update": update})
        case "adam":
            m = hyper.beta1 * state.get("m", zeros) + (1 - hyper.beta1) * g
            v = hyper.beta2 * state.get("v", zeros) + (1 - hyper.beta2) * g * g
            m_hat = m / (1 - hyper.beta1**t)
            v_hat = v / (1 - hyper.beta2**t)
            update = hyper.lr * m_hat / (np.sqrt(v_hat) + EPS)
            return StepResult(
                w - update, {"m": m, "v": v}, {"m_hat": m_hat, "v_hat": v_hat, "update": update}
            )
    raise ValueError(f"unknown optimiser {optimiser!r}")


def _decimals(step: float) -> int:
    """Decimals at which the answer is graded (within 10⁻ᴺ): at most 1% of the step, so "no change" is wrong."""
    return max(3, int(np.ceil(-np.log10(0.01 * step))))


def _sig(x: float, digits: int = 4) -> float:
    """Round to ``digits`` significant figures, so the shown state is exactly the state used."""
    return float(f"{x:.{digits}g}")


def _show(x: float) -> str:
    return f"{x:.4g}"


def _term(x: float, digits: int = 0) -> str:
    """A number inside a formula: negatives in parentheses so "− (−1.2)" reads right."""
    text = fmt(x, digits) if digits else _show(x)
    return f"({text})" if x < 0 else text


def _history(
    rng: np.random.Generator, optimiser: str, hyper: Hyper, g: np.ndarray, t: int
) -> dict[str, np.ndarray]:
    """A plausible state after t − 1 steps: replay noisy gradients around today's, then round for display."""
    state: dict[str, np.ndarray] = {}
    w = np.zeros_like(g)
    for step in range(1, t):
        past = g * rng.uniform(0.5, 1.5, size=g.shape) + rng.normal(0, 0.1, size=g.shape)
        state = optimiser_step(optimiser, hyper, w, past, state, step).state
    return {key: np.array([_sig(x) for x in value]) for key, value in state.items()}


def _hyper(rng: np.random.Generator, optimiser: str) -> Hyper:
    lr = float(rng.choice(LEARNING_RATES[optimiser]))
    return Hyper(
        lr=lr,
        momentum=float(rng.choice(MOMENTA)),
        alpha=float(rng.choice(ALPHAS)),
        beta2=float(rng.choice(BETA2S)),
    )


def _convention(optimiser: str, hyper: Hyper) -> str:
    match optimiser:
        case "sgd":
            return f"`torch.optim.SGD(lr={fmt(hyper.lr)})`: w ← w − lr·g."
        case "momentum":
            return (
                f"`torch.optim.SGD(lr={fmt(hyper.lr)}, momentum={fmt(hyper.momentum)})`, PyTorch's form "
                f"without dampening: b ← μ·b + g, then w ← w − lr·b."
            )
        case "rmsprop":
            return (
                f"`torch.optim.RMSprop(lr={fmt(hyper.lr)}, alpha={fmt(hyper.alpha)}, eps=1e-8)`: "
                f"v ← α·v + (1 − α)·g², then w ← w − lr·g / (√v + ε)."
            )
    return (
        f"`torch.optim.Adam(lr={fmt(hyper.lr, 6)}, betas=(0.9, {fmt(hyper.beta2)}), eps=1e-8)`, PyTorch's "
        f"bias-corrected Adam with ε added outside the square root; t counts steps from 1."
    )


class GradientStep(Generator):
    name = "gradient-step"
    title = "One optimiser step (SGD, momentum, RMSprop, Adam)"
    description = (
        "Apply one update of SGD, SGD with momentum, RMSprop or Adam (PyTorch conventions, with Adam's bias "
        "correction) to a 2-3 entry parameter vector, fresh or mid-training; ask a new weight or state entry."
    )
    Params = GradientStepParams
    topics = ("optimisers", "deep-learning")

    def make(self, rng: np.random.Generator, seed: int, params: GradientStepParams) -> Problem:
        ask = params.ask
        if params.optimiser is not None:
            optimiser = params.optimiser
        else:
            optimiser = str(rng.choice(STATEFUL if ask == "state" else OPTIMISERS))
        if ask is None:
            ask = "weight" if optimiser == "sgd" or rng.random() < 0.6 else "state"
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        size = len(scenario.names)
        hyper = _hyper(rng, optimiser)
        t = 1 if optimiser == "sgd" or rng.random() < 0.35 else int(rng.integers(2, 21))
        quantity = _state_quantity(rng, optimiser) if ask == "state" else "w"
        if t == 1 and quantity in ("buf", "m_hat"):
            # On a fresh optimiser the momentum buffer and Adam's m̂ both equal g: the answer would be read
            # off the table. Ask them mid-training, where the history matters.
            t = int(rng.integers(2, 21))

        index = int(rng.integers(size))
        for _ in range(50):
            # Redraw until the asked value is not (to the stated precision) a number the table shows: a
            # mid-training m̂ can sit right on today's gradient when the history is steady.
            w, g = _weights_and_gradients(rng, size)
            state = _history(rng, optimiser, hyper, g, t) if optimiser in STATEFUL else {}
            result = optimiser_step(optimiser, hyper, w, g, state, t)
            if quantity == "w":
                value = float(result.weights[index])
                step = abs(float(result.derived["update"][index]))
                # Decimals scale with the size of the update: "no change" or a sign slip must be wrong.
                answer = NumberAnswer(value, decimals=_decimals(step))
            else:
                source = result.derived if quantity in ("m_hat", "v_hat") else result.state
                value = float(source[quantity][index])
                answer = NumberAnswer(value, significant=3)
            shown = [float(x) for x in (w[index], g[index], *(values[index] for values in state.values()))]
            if all(abs(value - x) > 2 * answer.tolerances[0] for x in shown):
                break
        if quantity == "w":
            asked = f"the new value of **{scenario.names[index]}** after this step"
            how = f"Answer to {answer.decimals} decimals."
        else:
            asked = f"the new **{STATE_NAMES[quantity]}** for {scenario.names[index]}"
            how = "Answer to 3 significant figures (e.g. 2.45e-4)."

        when = (
            "The optimiser is freshly created: this is its first step (t = 1), all state is zero."
            if t == 1 or optimiser == "sgd"
            else f"Training is under way: this is step t = {t}; the state after step {t - 1} is in the table."
        )
        prompt = (
            f"{scenario.context}, using {OPTIMISER_NAMES[optimiser]}: {_convention(optimiser, hyper)}\n\n"
            f"{when} The current weights and this step's gradients are below.\n\n"
            f"What is {asked}? {how}"
        )
        data = {
            "optimiser": optimiser,
            "ask": ask,
            "quantity": quantity,
            "index": index,
            "names": list(scenario.names),
            "t": t,
            "hyper": {"lr": hyper.lr, **_hyper_data(optimiser, hyper)},
            "w": w.tolist(),
            "g": g.tolist(),
            "state": {k: v.tolist() for k, v in state.items()},
            "answer": value,
        }
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked}?", answer=answer),),
            solution=_solution(
                optimiser, hyper, w, g, state, t, result, index, scenario.names[index], quantity
            ),
            data=data,
            table=_table(optimiser, scenario.names, w, g, state, t),
        )


STATE_NAMES = {
    "buf": "momentum buffer b",
    "square_avg": "RMSprop square average v",
    "m_hat": "bias-corrected first moment m̂",
    "v_hat": "bias-corrected second moment v̂",
}


def _state_quantity(rng: np.random.Generator, optimiser: str) -> str:
    if optimiser == "momentum":
        return "buf"
    if optimiser == "rmsprop":
        return "square_avg"
    return str(rng.choice(["m_hat", "v_hat"]))


def _weights_and_gradients(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights in ±[0.1, 1.5], gradients in ±[0.02, 1]: never tiny, so every update is visible."""
    w = np.round(rng.uniform(0.1, 1.5, size) * rng.choice([-1, 1], size), 3)
    g = np.round(rng.uniform(0.02, 1.0, size) * rng.choice([-1, 1], size), 3)
    return w, g


def _hyper_data(optimiser: str, hyper: Hyper) -> dict[str, float]:
    match optimiser:
        case "momentum":
            return {"momentum": hyper.momentum}
        case "rmsprop":
            return {"alpha": hyper.alpha, "eps": EPS}
        case "adam":
            return {"beta1": hyper.beta1, "beta2": hyper.beta2, "eps": EPS}
    return {}


def _table(
    optimiser: str, names: tuple[str, ...], w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], t: int
) -> Table:
    headers = ["parameter", "w (now)", "gradient g"]
    keys = {"momentum": ("buf",), "rmsprop": ("square_avg",), "adam": ("m", "v")}.get(optimiser, ())
    shown = {"buf": "buffer b", "square_avg": "square avg v", "m": "m", "v": "v"}
    # A fresh optimiser has all-zero state: no columns for it.
    columns = [(f"{shown[key]} (after step {t - 1})", state[key]) for key in keys] if t > 1 else []
    headers += [header for header, _ in columns]
    rows = []
    for i, name in enumerate(names):
        row = [name, fmt(float(w[i]), 3), fmt(float(g[i]), 3)]
        row += [_show(float(values[i])) for _, values in columns]
        rows.append(tuple(row))
    return Table(headers=tuple(headers), rows=tuple(rows), title=f"step t = {t}")


def _solution(
    optimiser: str,
    hyper: Hyper,
    w: np.ndarray,
    g: np.ndarray,
    state: dict[str, np.ndarray],
    t: int,
    result: StepResult,
    i: int,
    name: str,
    quantity: str,
) -> str:
    wi, gi = float(w[i]), float(g[i])
    new_w = float(result.weights[i])
    lines = [f"Work on {name} alone (every entry updates independently): w = {fmt(wi, 3)}, g = {fmt(gi, 3)}."]
    match optimiser:
        case "sgd":
            lines.append(
                f"w ← w − lr·g = {fmt(wi, 3)} − {fmt(hyper.lr)} × {_term(gi, 3)} = **{fmt(new_w, 6)}**"
            )
            lines.append(
                "Plain SGD's step is proportional to the raw gradient, so its scale depends on the "
                "loss's scale: that is what adaptive methods remove."
            )
        case "momentum":
            old = float(state["buf"][i]) if t > 1 else 0.0
            buf = float(result.state["buf"][i])
            lines.append(
                f"b ← μ·b + g = {fmt(hyper.momentum)} × {_term(old)} + {_term(gi, 3)} = {_bold(buf, quantity == 'buf')}"
            )
            lines.append(
                f"w ← w − lr·b = {fmt(wi, 3)} − {fmt(hyper.lr)} × {_term(buf)} = "
                f"{_bold(new_w, quantity == 'w', 6)}"
            )
            lines.append(
                "PyTorch's buffer sums gradients without the (1 − μ) factor, so a steady gradient "
                f"builds steps up to 1/(1 − μ) = {fmt(1 / (1 - hyper.momentum), 2)}× larger than SGD's."
            )
        case "rmsprop":
            old = float(state["square_avg"][i]) if t > 1 else 0.0
            v = float(result.state["square_avg"][i])
            lines.append(
                f"v ← α·v + (1 − α)·g² = {fmt(hyper.alpha)} × {_term(old)} + {fmt(1 - hyper.alpha)} × "
                f"{_show(gi * gi)} = {_bold(v, quantity == 'square_avg')}"
            )
            lines.append(
                f"w ← w − lr·g / (√v + ε) = {fmt(wi, 3)} − {fmt(hyper.lr)} × {_term(gi, 3)} / "
                f"{_show(float(np.sqrt(v)))} = {_bold(new_w, quantity == 'w', 6)}"
            )
            if t == 1:
                lines.append(
                    f"On the first step √v = √(1 − α)·|g|, so the step is lr/√(1 − α) = "
                    f"{_show(hyper.lr / np.sqrt(1 - hyper.alpha))} in size: RMSprop has no bias correction, "
                    "which is why its first steps are large."
                )
            else:
                lines.append("Dividing by √v normalises each coordinate's step by its recent gradient size.")
        case "adam":
            m_old = float(state["m"][i]) if t > 1 else 0.0
            v_old = float(state["v"][i]) if t > 1 else 0.0
            m, v = float(result.state["m"][i]), float(result.state["v"][i])
            m_hat, v_hat = float(result.derived["m_hat"][i]), float(result.derived["v_hat"][i])
            c1, c2 = 1 - hyper.beta1**t, 1 - hyper.beta2**t
            lines.append(f"m ← β₁·m + (1 − β₁)·g = 0.9 × {_term(m_old)} + 0.1 × {_term(gi, 3)} = {_show(m)}")
            lines.append(
                f"v ← β₂·v + (1 − β₂)·g² = {fmt(hyper.beta2)} × {_show(v_old)} + "
                f"{fmt(1 - hyper.beta2)} × {_show(gi * gi)} = {_show(v)}"
            )
            lines.append(
                f"Bias correction at t = {t}: m̂ = m / (1 − 0.9^{t}) = {_term(m)} / {_show(c1)} = "
                f"{_bold(m_hat, quantity == 'm_hat')}; v̂ = v / (1 − {fmt(hyper.beta2)}^{t}) = {_show(v)} / "
                f"{_show(c2)} = {_bold(v_hat, quantity == 'v_hat')}"
            )
            lines.append(
                f"w ← w − lr·m̂ / (√v̂ + ε) = {fmt(wi, 3)} − {fmt(hyper.lr, 6)} × {_term(m_hat)} / "
                f"{_show(float(np.sqrt(v_hat)))} = {_bold(new_w, quantity == 'w', 6)}"
            )
            uncorrected = wi - hyper.lr * m / (np.sqrt(v) + EPS)
            lines.append(
                f"Without bias correction the step would give {fmt(float(uncorrected), 6)}: early on m and "
                "v are biased towards 0, and the correction makes the first steps about lr in size."
            )
    return "\n\n".join(lines)


def _bold(x: float, asked: bool, digits: int = 0) -> str:
    text = fmt(x, digits) if digits else _show(x)
    return f"**{text}**" if asked else text
