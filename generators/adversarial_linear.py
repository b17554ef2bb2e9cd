"""`adversarial-linear`: adversarial perturbations of a logistic-regression classifier.

The worked example behind Goodfellow, Shlens & Szegedy (2015, *Explaining and Harnessing Adversarial
Examples*, ICLR): §3 (a perturbation η with ‖η‖∞ ≤ ε moves w·x by up to ε·m·n, m the mean weight magnitude,
n the dimension), §4 (the fast gradient sign method, FGSM) and §5 (for logistic regression FGSM is exact and
moves the logit by ε·‖w‖₁). For a linear logit z = w·x + b, a change δ moves the logit by exactly w·δ, so
the best attack under a budget is read off a dual norm of w. The predicted class is 1 when z > 0; the attack
always pushes toward the other class. These are facts about linear models: the paper's claim that deep nets
are "too linear" for the same reason is a hypothesis, and the solutions say so.

| ask            | answer                                                       | mistakes the numbers are drawn to expose |
|----------------|--------------------------------------------------------------|------------------------------------------|
| `fgsm_logit`   | z′ = z ∓ ε·‖w‖₁ (an L∞ FGSM step x′ = x ∓ ε·sign(w)); whether the prediction flips | ε·‖w‖₂ instead of ε·‖w‖₁; stepping the wrong way (z ± ε·‖w‖₁); dropping the sign (ε·Σw) |
| `min_eps_linf` | the smallest L∞ budget reaching the boundary, \\|z\\| / ‖w‖₁  | \\|z\\|/‖w‖₂; \\|z\\|/‖w‖∞; \\|z\\|/\\|Σw\\| |
| `min_eps_l2`   | the smallest L2 perturbation reaching the boundary, \\|z\\| / ‖w‖₂, and how much it moves one feature, −z·wₖ/‖w‖₂² (δ points along ∓w) | \\|z\\|/‖w‖₁; \\|z\\|/‖w‖₂²; for the feature: the opposite sign, the L∞ corner ∓sign(wₖ)·\\|z\\|/‖w‖₁, the unscaled unit direction ∓wₖ/‖w‖₂ |
| `dimension`    | the smallest number of features d, each of weight magnitude m moved by ε, whose joint effect ε·m·d reaches the margin \\|z\\|: ⌈\\|z\\|/(ε·m)⌉ | rounding down (one short of the boundary); √d growth, ⌈(\\|z\\|/(ε·m))²⌉ |

Weights are drawn with two large and several small entries of mixed sign, so ‖w‖₁, ‖w‖₂, ‖w‖∞ and |Σw|
differ clearly, and every mistake lands at least a clear margin (0.02 in the logit; 4% for the budgets,
graded to 3 significant figures) away from the answer. The FGSM budget is drawn as a fraction of the
flipping budget, below it or above it with equal chance, so "does it flip?" cannot be guessed. In
`dimension` the ratio |z|/(ε·m) stays at least 0.05 from a whole number, so rounding down is always wrong.
Szegedy et al. (2014, *Intriguing properties of neural networks*) found the examples; the tests rebuild x′,
solve the L∞ budget as a linear program and project x onto the boundary for the L2 one.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
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

Ask = Literal["fgsm_logit", "min_eps_linf", "min_eps_l2", "dimension"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

LOGIT_GAP = 0.02  # a mistaken logit lands at least this far from z′ (graded to 3 decimals)
RELATIVE_GAP = 0.04  # a mistaken budget lands at least this far, relatively (graded to 3 significant figures)
MIN_MARGIN = 0.3  # |z| at least this: the input is not already on the boundary
FLIP_MARGIN = 0.05  # |z′| at least this after FGSM: flipping or not is not a rounding question

SETTINGS = (
    ("A spam filter", "spam", "not spam"),
    ("A fraud model", "fraud", "legitimate"),
    ("A malware detector", "malicious", "benign"),
    ("A content-moderation model", "toxic", "acceptable"),
    ("A loan-default model", "default", "non-default"),
)


class AdversarialLinearParams(Params):
    ask: Ask | None = None


def norms(w: np.ndarray) -> dict[str, float]:
    """The four ways of summing a weight vector that the asks and their mistakes use."""
    return {
        "l1": float(np.abs(w).sum()),
        "l2": float(np.sqrt((w * w).sum())),
        "linf": float(np.abs(w).max()),
        "sum": float(w.sum()),
    }


def draw_instance(rng: np.random.Generator) -> tuple[np.ndarray, float, np.ndarray, float]:
    """w (two large weights, the rest small, mixed signs, none zero), b and x with |z| ≥ MIN_MARGIN."""
    for _ in range(MAX_DRAWS):
        d = int(rng.integers(4, 9))
        magnitudes = np.concatenate([rng.uniform(1.0, 3.0, size=2), rng.uniform(0.05, 0.5, size=d - 2)])
        signs = rng.choice([-1.0, 1.0], size=d)
        order = rng.permutation(d)
        w = np.round((signs * magnitudes)[order], 2)
        b = float(np.round(rng.uniform(-1.0, 1.0), 1)) + 0.0  # never -0.0
        x = np.round(rng.uniform(-2.0, 2.0, size=d), 1)
        z = float(w @ x + b)
        n = norms(w)
        if abs(z) >= MIN_MARGIN and np.all(w != 0) and 0.1 <= abs(n["sum"]) <= 0.75 * n["l1"]:
            return w, b, x, z
    raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


def feature_shift(w: np.ndarray, z: float, feature: int) -> float:
    """How far the smallest L2 change δ = −z·w/‖w‖₂² (the projection onto the boundary) moves one feature."""
    return float(-z * w[feature] / (w @ w))


def fgsm_logit(w: np.ndarray, z: float, eps: float) -> float:
    """The logit after x′ = x − s·ε·sign(w), s the sign of z: w·x′ + b = z − s·ε·‖w‖₁."""
    return float(z - np.sign(z) * eps * norms(w)["l1"])


class AdversarialLinear(Generator):
    name = "adversarial-linear"
    title = "Adversarial perturbations of a linear classifier (FGSM, minimal L∞ and L2 budgets, dimension)"
    description = (
        "For a logistic-regression logit z = w·x + b: the logit after an L∞ FGSM step and whether the class "
        "flips, the smallest L∞ budget |z|/‖w‖₁ and the smallest L2 perturbation |z|/‖w‖₂ that reach the "
        "decision boundary, and how many features a fixed per-feature budget needs to flip a margin — the "
        "linearity argument of Goodfellow et al. (2015)."
    )
    Params = AdversarialLinearParams
    topics = ("adversarial", "logistic-regression")

    def make(self, rng: np.random.Generator, seed: int, params: AdversarialLinearParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        setting, positive, negative = SETTINGS[int(rng.integers(len(SETTINGS)))]
        if ask == "dimension":
            return self._dimension(rng, seed, params, setting, positive, negative)
        for _ in range(MAX_DRAWS):
            w, b, x, z = draw_instance(rng)
            n = norms(w)
            if ask == "fgsm_logit":
                flips = bool(rng.random() < 0.5)
                fraction = rng.uniform(1.15, 1.6) if flips else rng.uniform(0.4, 0.85)
                eps = float(np.round(abs(z) / n["l1"] * fraction, 2))
                if eps < 0.01:
                    continue
                value = fgsm_logit(w, z, eps)
                s = 1.0 if z > 0 else -1.0
                mistakes = {
                    "l2_norm": z - s * eps * n["l2"],
                    "wrong_direction": z + s * eps * n["l1"],
                    "no_sign": z - s * eps * n["sum"],
                }
                if abs(value) >= FLIP_MARGIN and min(abs(value - m) for m in mistakes.values()) >= LOGIT_GAP:
                    break
            else:
                eps = 0.0
                denominators = (
                    {"l2": n["l2"], "l1": n["l1"], "l2_squared": n["l2"] ** 2}
                    if ask == "min_eps_l2"
                    else {"l1": n["l1"], "l2": n["l2"], "linf": n["linf"], "sum": abs(n["sum"])}
                )
                right_key = "l2" if ask == "min_eps_l2" else "l1"
                value = abs(z) / denominators[right_key]
                mistakes = {k: abs(z) / v for k, v in denominators.items() if k != right_key}
                if not far_from(value, mistakes.values(), RELATIVE_GAP * value):
                    continue
                if ask == "min_eps_linf":
                    break
                feature = int(rng.integers(len(w)))
                shift = feature_shift(w, z, feature)
                shift_mistakes = {
                    "wrong_way": -shift,
                    "linf_corner": float(-np.sign(z) * np.sign(w[feature]) * abs(z) / n["l1"]),
                    "unit_direction": float(-np.sign(z) * w[feature] / n["l2"]),
                }
                if (
                    abs(shift) >= LOGIT_GAP
                    and far_from(shift, shift_mistakes.values(), LOGIT_GAP)
                ):
                    break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("feature", "weight w", "input x"),
            rows=tuple(
                (f"x{i + 1}", fmt(float(wi), 2), fmt(float(xi), 1))
                for i, (wi, xi) in enumerate(zip(w, x, strict=True))
            ),
            title=f"logistic regression, bias b = {fmt(b, 1)}",
        )
        intro = (
            f"{setting} is a logistic regression with logit z = w·x + b and bias **b = {fmt(b, 1)}**; it predicts "
            f"class 1 ({positive}) when z > 0 and class 0 ({negative}) otherwise. The weights and one input x are "
            "below. An attacker changes x to push the prediction toward the other class; an L∞ budget ε caps the "
            "largest change to any single feature, an L2 budget caps the Euclidean length of the change, and the "
            "features are unbounded."
        )
        data = {
            "ask": ask,
            "w": w.tolist(),
            "b": b,
            "x": x.tolist(),
            "z": z,
            "eps": eps,
            "value": value,
            "mistakes": mistakes,
        }
        if ask == "min_eps_l2":
            data["feature"] = feature
            data["shift"] = shift
            data["shift_mistakes"] = shift_mistakes
        if ask == "fgsm_logit":
            return self._fgsm(seed, params, intro, table, data, w, z, eps, value, positive, negative)
        return self._budget(seed, params, intro, table, data, w, z, ask, value)

    def _fgsm(
        self,
        seed: int,
        params: AdversarialLinearParams,
        intro: str,
        table: Table,
        data: dict[str, object],
        w: np.ndarray,
        z: float,
        eps: float,
        value: float,
        positive: str,
        negative: str,
    ) -> Problem:
        n = norms(w)
        flips = bool(np.sign(value) != np.sign(z))
        data["flips"] = flips
        prompt = (
            f"{intro}\n\nThe attacker takes one **L∞ FGSM step of size ε = {fmt(eps, 2)}** against the current "
            "prediction (every feature moves by ε in whichever direction pushes toward the other class). What "
            "is the logit z′ after the step, to 3 decimals, and does the predicted class flip?"
        )
        answer = NumberAnswer(value, decimals=3)
        current, other = (positive, negative) if z > 0 else (negative, positive)
        choice = ChoiceAnswer(
            options=(
                Option("flips", f"it flips: z′ and z differ in sign, so the prediction becomes {other}"),
                Option("stays", f"it stays: z′ and z share a sign, so the prediction remains {current}"),
            ),
            correct="flips" if flips else "stays",
            feedback={
                "flips": "z′ keeps the sign of z: the step moves the logit by ε·‖w‖₁, less than |z|.",
                "stays": "z′ has crossed zero: the step moves the logit by ε·‖w‖₁, more than |z|.",
            },
        )
        s = "−" if z > 0 else "+"
        direction = "lower" if z > 0 else "raise"
        terms = " + ".join(
            f"{_paren(float(wi))}·{_paren(float(xi))}" for wi, xi in zip(w, data["x"], strict=True)
        )  # type: ignore[arg-type]
        solution = "\n\n".join(
            [
                f"z = w·x + b = {terms} + {_paren(float(data['b']))} = {fmt(z)}, so the model predicts "  # type: ignore[arg-type]
                f"class {int(z > 0)} ({current}).",
                f"FGSM steps x′ = x + ε·sign(∇ₓ loss), the loss taken at the label being attacked, y = "
                f"{int(z > 0)}; for logistic regression ∇ₓ loss = (σ(z) − y)·w, so to {direction} the logit "
                f"the attacker sets x′ = x {s} ε·sign(w): each feature moves by ε, "
                f"{'against' if z > 0 else 'with'} its weight's sign, so w·x′ = w·x {s} ε·Σ|wᵢ| = w·x {s} ε·‖w‖₁. Here ‖w‖₁ = "
                f"{fmt(n['l1'], 2)}, so the logit moves by {fmt(eps, 2)}·{fmt(n['l1'], 2)} = {fmt(eps * n['l1'])}.",
                f"z′ = {fmt(z)} {s} {fmt(eps * n['l1'])} = **{answer.shown()}**; the prediction "
                + (f"**flips** to {other}." if flips else f"**stays** {current}."),
                f"Slips: ε·‖w‖₂ = {fmt(eps * n['l2'])} is the L2 step's effect, not L∞'s (z′ would be "
                f"{fmt(data['mistakes']['l2_norm'], 3)}); stepping the wrong way gives "  # type: ignore[index]
                f"{fmt(data['mistakes']['wrong_direction'], 3)}; ε·Σw = {fmt(eps * n['sum'])} forgets that "  # type: ignore[index]
                f"sign(w) makes every term count positively (z′ would be {fmt(data['mistakes']['no_sign'], 3)}).",  # type: ignore[index]
                f"For a linear model this step is exact, the worst change in the L∞ ball. Each feature changes "
                f"by only {fmt(eps, 2)}, yet the logit moves by ε·‖w‖₁ = ε·m·d (m the mean weight magnitude), "
                "which at a fixed m grows with the number of features d: Goodfellow et al.'s linearity "
                "argument. That deep nets are linear enough to suffer the same is their hypothesis, not a "
                "theorem.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("z′ (3 decimals)?", answer, "logit"),
                Part("does the prediction flip?", choice, "flip"),
            ),
            solution=solution,
            data=data,
            table=table,
        )

    def _budget(
        self,
        seed: int,
        params: AdversarialLinearParams,
        intro: str,
        table: Table,
        data: dict[str, object],
        w: np.ndarray,
        z: float,
        ask: str,
        value: float,
    ) -> Problem:
        n = norms(w)
        answer = NumberAnswer(value, significant=3)
        current = int(z > 0)
        mistakes: dict[str, float] = data["mistakes"]  # type: ignore[assignment]
        intro_z = (
            f"Here z = w·x + b = {fmt(z)}, so the model predicts class {current}; the boundary is z = 0."
        )
        if ask == "min_eps_linf":
            prompt = (
                f"{intro}\n\nWhat is the **smallest L∞ budget ε** with which the attacker can bring the logit to "
                "the decision boundary (z′ = 0)? Answer to 3 significant figures."
            )
            solution = "\n\n".join(
                [
                    intro_z,
                    f"With every feature allowed to move by at most ε, the logit {'falls' if z > 0 else 'rises'} "
                    f"most when each feature moves the full ε {'against' if z > 0 else 'with'} its weight's sign: "
                    "the change is ε·Σ|wᵢ| = ε·‖w‖₁ (the L1 norm is the dual of the L∞ norm). Here ‖w‖₁ = "
                    f"{fmt(n['l1'], 2)}.",
                    f"Reaching z′ = 0 needs ε·‖w‖₁ = |z|: ε = {fmt(abs(z))} / {fmt(n['l1'], 2)} = "
                    f"**{answer.shown()}**.",
                    f"Slips: |z|/‖w‖₂ = {fmt(mistakes['l2'], 4)} (the L2 distance to the boundary; ‖w‖₁ ≥ ‖w‖₂, so the L∞ budget needed is smaller), "
                    f"|z|/‖w‖∞ = {fmt(mistakes['linf'], 4)} (moving only the largest-weight feature), |z|/|Σw| = "
                    f"{fmt(mistakes['sum'], 4)} (forgetting that sign(w) makes every term count positively).",
                ]
            )
            parts: tuple[Part, ...] = (Part("smallest L∞ ε (3 significant figures)?", answer),)
        else:
            sign = "−" if z > 0 else "+"
            feature = int(data["feature"])  # type: ignore[call-overload]
            shift = float(data["shift"])  # type: ignore[arg-type]
            slips: dict[str, float] = data["shift_mistakes"]  # type: ignore[assignment]
            name = f"x{feature + 1}"
            shift_answer = NumberAnswer(shift, decimals=3)
            prompt = (
                f"{intro}\n\nWhat is the **smallest L2 norm ‖δ‖₂** of a change δ that brings the logit to the "
                "decision boundary (z′ = 0), to 3 significant figures? And by how much does that smallest δ "
                f"change feature **{name}** (signed: negative if it lowers {name}), to 3 decimals?"
            )
            solution = "\n\n".join(
                [
                    intro_z,
                    "A change δ moves the logit by w·δ, and for a given length ‖δ‖₂ that is largest when δ points "
                    "along w (Cauchy–Schwarz): the shortest route to the hyperplane w·x + b = 0 is perpendicular "
                    f"to it, δ = −z·w/‖w‖₂², pointing along {sign}w to "
                    + ("lower" if z > 0 else "raise")
                    + " the logit.",
                    f"Its length is the distance to the hyperplane, |z|/‖w‖₂, with ‖w‖₂ = √Σwᵢ² = "
                    f"{fmt(n['l2'], 4)}: ‖δ‖₂ = {fmt(abs(z))} / {fmt(n['l2'], 4)} = **{answer.shown()}**.",
                    f"Each feature moves in proportion to its own weight: δ_{name} = −z·w_{name}/‖w‖₂² = "
                    f"−{_paren(z)}·{_paren(float(w[feature]))} / {fmt(n['l2'] ** 2, 4)} = "
                    f"**{shift_answer.shown()}**.",
                    f"Slips: |z|/‖w‖₁ = {fmt(mistakes['l1'], 4)} is the L∞ budget, not an L2 length; "
                    f"|z|/‖w‖₂² = {fmt(mistakes['l2_squared'], 4)} is the multiplier of w, not the length of δ. "
                    f"For {name}: the opposite sign ({fmt(slips['wrong_way'], 3)}) moves away from the boundary; "
                    f"moving every feature by the same amount, the L∞ corner, gives {fmt(slips['linf_corner'], 3)} "
                    f"and is longer in L2; the unit direction alone gives {fmt(slips['unit_direction'], 3)}, "
                    "not scaled to reach the boundary.",
                ]
            )
            parts = (
                Part("smallest ‖δ‖₂ (3 significant figures)?", answer, "length"),
                Part(f"change of {name} (3 decimals)?", shift_answer, name),
            )
        return self.problem(
            seed, params, prompt=prompt, parts=parts, solution=solution, data=data, table=table
        )

    def _dimension(
        self,
        rng: np.random.Generator,
        seed: int,
        params: AdversarialLinearParams,
        setting: str,
        positive: str,
        negative: str,
    ) -> Problem:
        """How many features a fixed per-feature budget needs to flip a margin: the logit moves by ε·m·d."""
        for _ in range(MAX_DRAWS):
            margin = float(np.round(rng.uniform(1.0, 8.0), 3))
            weight = float(rng.choice([0.02, 0.05, 0.1, 0.2, 0.25]))
            eps = float(rng.choice([0.005, 0.01, 0.02, 0.05]))
            ratio = margin / (eps * weight)
            value = math.ceil(ratio)
            mistakes = {
                "floor": math.floor(ratio),
                "sqrt_growth": math.ceil(ratio**2),  # as if the logit moved by ε·m·√d, an L2 length
            }
            if 20 <= ratio <= 5000 and ratio - math.floor(ratio) >= 0.05 and math.ceil(ratio) - ratio >= 0.05:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        current = positive if rng.random() < 0.5 else negative
        z = margin if current == positive else -margin
        prompt = (
            f"{setting} is a linear classifier (logit z = w·x + b; class 1, {positive}, when z > 0, else class "
            f"0, {negative}). For one input the logit is **z = {fmt(z, 3)}**, so it is classed {current}. Every "
            f"feature's weight has magnitude **|wᵢ| = {fmt(weight)}**. The attacker may change each feature by "
            f"at most **ε = {fmt(eps)}** (an L∞ budget) and moves each one by the full ε in the direction that "
            f"pushes toward the other class.\n\nWhat is the **smallest number of features d** for which moving "
            "all of them this way flips the prediction, taking z′ to the other side of z = 0? Answer as a whole "
            "number."
        )
        answer = NumberAnswer(float(value), tolerance=0)
        solution = "\n\n".join(
            [
                f"Each feature moved by the full ε the adversarial way (x′ᵢ = xᵢ ∓ ε·sign(wᵢ)) changes the logit by ε·|wᵢ| = ε·m = {fmt(eps)}·"
                f"{fmt(weight)} = {fmt(eps * weight, 6)}; with d features the changes add up: the logit moves by "
                "ε·m·d.",
                f"The prediction flips once ε·m·d exceeds |z|: d > {fmt(margin, 3)} / {fmt(eps * weight, 6)} = "
                f"{fmt(ratio, 3)}, so the smallest whole d is **{value}**.",
                f"Slips: rounding down ({mistakes['floor']}) leaves the logit just short of the boundary; "
                f"treating the effect as growing like √d, the way the L2 length of the change does, gives "
                f"{mistakes['sqrt_growth']}. The per-feature change stays {fmt(eps)} however large d is, yet the "
                "logit moves linearly in d: for a linear model in high dimensions many imperceptible changes add up "
                "to a flip (Goodfellow et al. 2015, §3). Their claim that deep nets fail for the same reason "
                "is a hypothesis about those nets, not something this arithmetic shows.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("smallest d (whole number)?", answer),),
            solution=solution,
            data={
                "ask": "dimension",
                "z": z,
                "weight": weight,
                "eps": eps,
                "value": value,
                "mistakes": mistakes,
            },
        )


def _paren(value: float) -> str:
    text = fmt(value, 4)
    return f"({text})" if value < 0 else text
