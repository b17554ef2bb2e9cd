"""`conformal`: split conformal prediction by hand (Vovk, Gammerman & Shafer 2005; Angelopoulos & Bates,
"A Gentle Introduction to Conformal Prediction and Distribution-Free Uncertainty Quantification", 2021/2023).

A model is fitted on one split; on a held-out calibration split of n points it scores each point's
nonconformity s (regression: the absolute residual |y − ŷ|; classification: 1 − p̂(true class)). With
k = ⌈(n + 1)(1 − α)⌉ and q̂ the k-th smallest score, a new exchangeable point's score is ≤ q̂ with probability
k/(n + 1), which lies in [1 − α, 1 − α + 1/(n + 1)) for tie-free scores. When k > n no score is large enough
and q̂ = ∞.

| ask        | answer                                                          | mistakes the numbers are drawn to expose |
|------------|-----------------------------------------------------------------|-------------------------------------------|
| `quantile` | q̂ = the k-th smallest of n unsorted residuals (n 8–24, k ≤ n)  | k = ⌈n(1 − α)⌉ (no +1); numpy's default linearly interpolated quantile at 1 − α; mean + 2·sd (sample or population sd); the largest score when k < n |
| `interval` | the lower or upper end of ŷ ± q̂ for a new point                | the same three slips in q̂; the other end |
| `set-size` | how many classes have 1 − p̂(y) ≤ q̂, given 4–6 softmax probabilities and q̂ (or, in a third, the true class's p̂ on 8–24 calibration examples) | the top-1 class only; the classes with p̂ ≥ 1 − α; the classes with p̂ ≥ q̂; q̂ without the +1 |
| `finite`   | the smallest n with k ≤ n, ⌈1/α − 1⌉; and k for the n the team holds | 1/α and 1/α + 1 (rounded up); k = ⌈n(1 − α)⌉ |

Every slip lands at least ``MISTAKE_STEPS`` units of the last stated decimal from the answer (whole-number
answers: at least 1 away), so a slip is graded wrong. Ranks are computed in integers (α in percent or per
mille), never from a float product that may land a hair above a whole number. Scores are distinct, and no
class probability ties with the set's threshold 1 − q̂. The tests recompute q̂ with
``numpy.quantile(..., method="inverted_cdf")`` and from the definition (the smallest score whose rank reaches
(n + 1)(1 − α), in fractions), simulate coverage with exchangeable draws, and recount the sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["quantile", "interval", "set-size", "finite"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_STEPS = 3  # a slip lands at least this many units of the answer's last decimal away
LARGEST_SHARE = 1 / 3  # share of `quantile` / `interval` instances where q̂ is the largest score (k = n)
FROM_SCORES_SHARE = 1 / 3  # share of `set-size` instances that give calibration probabilities, not q̂
ALPHA_PCT = (5, 10, 20)  # miscoverage for the regression asks, in percent
FINITE_ALPHA_PER_MILLE = (10, 20, 25, 50, 100, 150, 200, 250)


@dataclass(frozen=True, slots=True)
class Regression:
    model: str  # "A delivery-time model"
    target: str  # what it predicts: "the minutes from order to door"
    item: str  # "order"
    items: str  # "orders"
    unit: str  # shown after numbers: "min"
    scale: float  # typical size of a residual
    decimals: int  # residuals and predictions are stated to this many decimals
    centre: tuple[float, float]  # range of a new point's prediction ŷ


@dataclass(frozen=True, slots=True)
class Classification:
    model: str  # "A wildlife-camera image classifier"
    item: str  # "photo"
    items: str  # "photos"
    classes: tuple[str, ...]  # six class names; an instance uses the first 4-6


REGRESSIONS = (
    Regression(
        "A delivery-time model", "the minutes from order to door", "order", "orders", "min", 4.0, 1, (25, 55)
    ),
    Regression(
        "A next-day temperature forecast", "tomorrow's noon temperature", "day", "days", "°C", 1.2, 2, (8, 28)
    ),
    Regression(
        "A building's energy-demand model", "the day's consumption", "day", "days", "kWh", 12.0, 1, (150, 400)
    ),
    Regression(
        "A phone battery-life model", "hours of use per charge", "phone", "phones", "h", 0.8, 2, (8, 20)
    ),
    Regression(
        "An exam-score model",
        "a student's final exam score",
        "student",
        "students",
        "points",
        5.0,
        1,
        (45, 80),
    ),
    Regression(
        "A hospital length-of-stay model", "a patient's stay", "patient", "patients", "days", 1.5, 2, (4, 12)
    ),
)

CLASSIFICATIONS = (
    Classification(
        "A wildlife-camera image classifier",
        "photo",
        "photos",
        ("deer", "fox", "badger", "boar", "hare", "lynx"),
    ),
    Classification(
        "A support-ticket router",
        "ticket",
        "tickets",
        ("billing", "login", "bug report", "refund", "shipping", "feature request"),
    ),
    Classification(
        "A bird-song classifier",
        "recording",
        "recordings",
        ("robin", "wren", "blackbird", "chaffinch", "great tit", "blue tit"),
    ),
    Classification(
        "A news-topic classifier",
        "article",
        "articles",
        ("politics", "business", "sport", "science", "culture", "health"),
    ),
    Classification(
        "A plant-disease classifier",
        "leaf photo",
        "leaf photos",
        ("healthy", "rust", "blight", "mildew", "leaf spot", "mosaic virus"),
    ),
)


class ConformalParams(Params):
    ask: Ask | None = None


def conformal_rank(n: int, alpha: int, per: int = 100) -> int:
    """k = ⌈(n + 1)(1 − α)⌉ for α = ``alpha``/``per``, in integers (a float product such as 20·0.95 may land a
    hair above 19 and round up to 20)."""
    return -(-(n + 1) * (per - alpha) // per)


def naive_rank(n: int, alpha: int, per: int = 100) -> int:
    """⌈n(1 − α)⌉: the empirical (1 − α)-quantile's rank, without the finite-sample +1."""
    return -(-n * (per - alpha) // per)


def smallest_finite_n(alpha: int, per: int = 1000) -> int:
    """The smallest n with ⌈(n + 1)(1 − α)⌉ ≤ n, i.e. n ≥ (1 − α)/α = 1/α − 1, rounded up."""
    return -(-(per - alpha) // alpha)


def linear_quantile(scores: list[float], level: float) -> float:
    """numpy's default quantile (Hyndman & Fan type 7): the sorted scores interpolated at position
    (n − 1)·level, written out so the tests can compare it with ``numpy.quantile``."""
    ordered = sorted(scores)
    position = (len(ordered) - 1) * level
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def mean_plus_two_sd(scores: list[float], ddof: int) -> float:
    """The Gaussian rule of thumb some reach for: mean + 2·sd of the scores."""
    mean = sum(scores) / len(scores)
    variance = sum((s - mean) ** 2 for s in scores) / (len(scores) - ddof)
    return mean + 2 * math.sqrt(variance)


def quantile_slips(scores: list[float], alpha_pct: int) -> dict[str, float]:
    """The q̂ each slip gives for these scores."""
    ordered = sorted(scores)
    slips = {
        "no_plus_one": ordered[naive_rank(len(scores), alpha_pct) - 1],
        "linear_quantile": linear_quantile(scores, 1 - alpha_pct / 100),
        "mean_2sd": mean_plus_two_sd(scores, ddof=1),
        "mean_2sd_population": mean_plus_two_sd(scores, ddof=0),
    }
    if conformal_rank(len(scores), alpha_pct) < len(scores):
        slips["largest"] = ordered[-1]  # "to be safe, take the max": valid, but wider than needed
    return slips


def prediction_set(probs_pct: list[int], qhat_per_mille: int) -> list[int]:
    """Indices y with 1 − p̂(y) ≤ q̂, i.e. p̂(y) ≥ 1 − q̂, in per mille so no float decides a boundary."""
    return [i for i, p in enumerate(probs_pct) if 1000 - 10 * p <= qhat_per_mille]


class Conformal(Generator):
    name = "conformal"
    title = "Split conformal prediction: the quantile, the interval, the prediction set"
    description = (
        "Split conformal prediction by hand: the finite-sample conformal quantile of calibration residuals, "
        "the interval ŷ ± q̂ it gives, the size of a classification prediction set, and the smallest "
        "calibration set for which the interval is finite."
    )
    Params = ConformalParams
    topics = ("uncertainty", "conformal-prediction", "statistics")

    def make(self, rng: np.random.Generator, seed: int, params: ConformalParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        if ask == "set-size":
            return self._set_size(rng, seed, params)
        if ask == "finite":
            return self._finite(rng, seed, params)
        return self._regression(rng, seed, params, ask)

    def _regression(self, rng: np.random.Generator, seed: int, params: ConformalParams, ask: str) -> Problem:
        s = REGRESSIONS[int(rng.integers(len(REGRESSIONS)))]
        step = 10.0**-s.decimals
        gap = MISTAKE_STEPS * step - 1e-9
        # With n ≤ 24, α = 0.05 and α = 0.1 with n ≤ 18 make q̂ the largest score; left to chance that would
        # be most instances, and "pick the maximum" a shortcut. A third are drawn so, the rest have k < n.
        want_largest = bool(rng.random() < LARGEST_SHARE)
        for _ in range(MAX_DRAWS):
            n = int(rng.integers(8, 25))
            alpha_pct = int(rng.choice(ALPHA_PCT))
            k = conformal_rank(n, alpha_pct)
            if k > n or naive_rank(n, alpha_pct) == k or (k == n) != want_largest:
                continue  # q̂ would be ∞, forgetting the +1 would change nothing, or the other kind is wanted
            draws = np.abs(rng.standard_t(5, size=n)) * s.scale
            scores = [round(float(x), s.decimals) for x in draws]
            if len(set(scores)) < n or min(scores) <= 0:
                continue
            qhat = sorted(scores)[k - 1]
            slips = quantile_slips(scores, alpha_pct)
            if ask == "interval":
                y_hat = round(float(rng.uniform(*s.centre)), s.decimals)
                upper = bool(rng.random() < 0.5)
                if y_hat - max(qhat, *slips.values()) <= 0:
                    continue
                sign = 1 if upper else -1
                value = round(y_hat + sign * qhat, s.decimals)
                mistakes = {key: y_hat + sign * q for key, q in slips.items()}
                mistakes["other_end"] = round(y_hat - sign * qhat, s.decimals)
            else:
                value = qhat
                mistakes = dict(slips)
            if min(abs(value - m) for m in mistakes.values()) >= gap:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        alpha = alpha_pct / 100
        shown = ", ".join(f"{x:.{s.decimals}f}" for x in scores)
        intro = (
            f"{s.model} predicts {s.target}. For split conformal prediction it was fitted on one set of "
            f"{s.items} and then scored on **n = {n}** held-out calibration {s.items}, each by its absolute "
            f"residual |y − ŷ| in {s.unit}, in the order they came:\n\n{shown}\n\n"
            f"The target coverage is **{100 - alpha_pct}%** (miscoverage **α = {fmt(alpha)}**)."
        )
        data: dict[str, object] = {
            "ask": ask,
            "n": n,
            "alpha": alpha,
            "scores": scores,
            "k": k,
            "finite": k <= n,
            "qhat": qhat,
            "decimals": s.decimals,
        }
        lines = _quantile_working(scores, alpha_pct, k, qhat, s)
        if ask == "quantile":
            question = (
                "What is the split-conformal quantile **q̂**, the smallest calibration score that guarantees a "
                f"new exchangeable {s.item}'s residual is ≤ q̂ with probability at least 1 − α? "
                f"Answer in {s.unit}, to {_decimals(s.decimals)}."
            )
            part = Part("q̂?", NumberAnswer(value, decimals=s.decimals, unit=s.unit))
            lines.insert(2, f"q̂ = the {_ordinal(k)} smallest score = **{qhat:.{s.decimals}f} {s.unit}**.")
        else:
            end = "upper" if upper else "lower"
            question = (
                f"A new {s.item} gets the prediction **ŷ = {y_hat:.{s.decimals}f} {s.unit}**. What is the "
                f"**{end} end** of its split-conformal interval ŷ ± q̂ at this coverage? Answer in {s.unit}, "
                f"to {_decimals(s.decimals)}."
            )
            part = Part(f"{end} end?", NumberAnswer(value, decimals=s.decimals, unit=s.unit))
            lower, high = y_hat - qhat, y_hat + qhat
            lines.insert(2, f"q̂ = the {_ordinal(k)} smallest score = {qhat:.{s.decimals}f} {s.unit}.")
            lines.insert(
                3,
                f"Interval = ŷ ± q̂ = {y_hat:.{s.decimals}f} ± {qhat:.{s.decimals}f} = "
                f"[{lower:.{s.decimals}f}, {high:.{s.decimals}f}] {s.unit}; its {end} end is "
                f"**{value:.{s.decimals}f} {s.unit}**.",
            )
            data |= {"y_hat": y_hat, "end": end}
        data |= {"value": value, "mistakes": mistakes}
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=(part,),
            solution="\n\n".join(lines),
            data=data,
        )

    def _set_size(self, rng: np.random.Generator, seed: int, params: ConformalParams) -> Problem:
        s = CLASSIFICATIONS[int(rng.integers(len(CLASSIFICATIONS)))]
        # Mostly q̂ is stated (as from a large calibration set); sometimes the learner computes it first from a
        # small one, the true class's probability on each calibration example.
        from_scores = bool(rng.random() < FROM_SCORES_SHARE)
        calibration: list[int] = []  # p̂(true class) of each calibration example, in hundredths
        for _ in range(MAX_DRAWS):
            n_classes = int(rng.integers(4, 7))
            raw = rng.dirichlet(np.full(n_classes, float(rng.choice([0.6, 1.0, 1.6]))))
            probs = [max(1, round(float(p) * 100)) for p in raw]
            probs[int(np.argmax(probs))] += 100 - sum(probs)
            if min(probs) < 1 or len(set(probs)) < n_classes:
                continue
            alpha_pct = int(rng.choice(ALPHA_PCT))
            if from_scores:
                n_cal = int(rng.integers(8, 25))
                k = conformal_rank(n_cal, alpha_pct)
                if k > n_cal:
                    continue
                calibration = [int(p) for p in np.clip(np.round(rng.beta(2.5, 1.0, n_cal) * 100), 1, 99)]
                ordered = sorted(100 - p for p in calibration)
                qhat = 10 * ordered[k - 1]  # per mille
                naive_qhat = 10 * ordered[naive_rank(n_cal, alpha_pct) - 1]
            else:
                n_cal = int(rng.integers(4, 41)) * 50
                qhat = naive_qhat = int(rng.integers(500, 975))  # per mille
            threshold = 1000 - qhat
            if min(abs(10 * p - threshold) for p in probs) < 15:
                continue  # no class sits within 0.015 of the threshold: the count does not hinge on a hair
            size = len(prediction_set(probs, qhat))
            slips = {
                "top_1": 1,
                "p_at_least_1_minus_alpha": sum(p >= 100 - alpha_pct for p in probs),
                "p_at_least_qhat": sum(10 * p >= qhat for p in probs),
                "no_plus_one": len(prediction_set(probs, naive_qhat)),
            }
            if size >= 2 and slips["top_1"] != size and slips["p_at_least_1_minus_alpha"] != size:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        names = list(s.classes[:n_classes])
        order = rng.permutation(n_classes)
        names = [names[i] for i in order]
        alpha = alpha_pct / 100
        q_text = f"{qhat / 1000:.2f}" if from_scores else f"{qhat / 1000:.3f}"
        question = (
            f"A new {s.item} gets the probabilities below. How many classes are in its prediction set? "
            "Answer as a whole number."
        )
        if from_scores:
            shown = ", ".join(f"{p / 100:.2f}" for p in calibration)
            prompt = (
                f"{s.model} outputs softmax probabilities over {n_classes} classes. Split conformal prediction "
                f"scores each held-out calibration {s.item} by **s = 1 − p̂(true class)**. On **n = {n_cal}** "
                f"calibration {s.items} the model gave the true class these probabilities:\n\n{shown}\n\n"
                f"At miscoverage **α = {fmt(alpha)}**, the prediction set of a new {s.item} holds every class y "
                f"with 1 − p̂(y) ≤ q̂, q̂ the split-conformal quantile of the calibration scores.\n\n{question}"
            )
        else:
            prompt = (
                f"{s.model} outputs softmax probabilities over {n_classes} classes. Split conformal prediction "
                f"scores each of **{n_cal}** held-out calibration {s.items} by **s = 1 − p̂(true class)**; at "
                f"miscoverage **α = {fmt(alpha)}** the conformal quantile of those scores is **q̂ = {q_text}**. "
                f"The prediction set of a new {s.item} holds every class y with 1 − p̂(y) ≤ q̂.\n\n{question}"
            )
        table = Table(
            headers=("class", "p̂"),
            rows=tuple((name, f"{p / 100:.2f}") for name, p in zip(names, probs, strict=True)),
            title=f"softmax output for the new {s.item}",
        )
        members = set(prediction_set(probs, qhat))
        kept = ", ".join(
            f"{names[i]} ({probs[i] / 100:.2f})" for i in sorted(members, key=lambda i: -probs[i])
        )
        dropped = ", ".join(
            f"{names[i]} ({probs[i] / 100:.2f})"
            for i in sorted(set(range(n_classes)) - members, key=lambda i: -probs[i])
        )
        lines = []
        if from_scores:
            ordered = sorted(100 - p for p in calibration)
            k, naive = conformal_rank(n_cal, alpha_pct), naive_rank(n_cal, alpha_pct)
            lines += [
                f"Scores s = 1 − p̂(true class), sorted: {', '.join(f'{x / 100:.2f}' for x in ordered)}.",
                f"k = ⌈(n + 1)(1 − α)⌉ = ⌈{n_cal + 1}·{fmt(1 - alpha)}⌉ = "
                f"⌈{fmt((n_cal + 1) * (100 - alpha_pct) / 100, 2)}⌉ = {k}, so q̂ = the {_ordinal(k)} smallest "
                f"score = {q_text}.",
            ]
        lines += [
            f"1 − p̂(y) ≤ q̂ is the same as p̂(y) ≥ 1 − q̂ = 1 − {q_text} = **{threshold / 1000:.{len(q_text) - 2}f}**.",
            f"In the set: {kept}." + (f" Out: {dropped}." if dropped else " No class is left out."),
            f"Set size = **{size}**.",
        ]
        if from_scores and slips["no_plus_one"] != size:
            lines.append(
                f"Without the +1, k = ⌈n(1 − α)⌉ = {naive} gives q̂ = {naive_qhat / 1000:.2f} and a set of "
                f"{slips['no_plus_one']}: one rank too low, it no longer guarantees {100 - alpha_pct}% coverage."
            )
        lines.append(
            f"Not the top-1 class alone: conformal sets grow when the model is unsure, and this {s.item} is "
            f"a hard one. Not the classes with p̂ ≥ 1 − α = {fmt(1 - alpha)} (here "
            f"{slips['p_at_least_1_minus_alpha']}): α sets the coverage, and q̂ is where the calibration "
            f"scores put the bar. Over exchangeable {s.items}, sets built this way contain the true class at "
            f"least {100 - alpha_pct}% of the time; the guarantee is on average, not for this {s.item}."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("classes in the set?", NumberAnswer(size, tolerance=0)),),
            solution="\n\n".join(lines),
            data={
                "ask": "set-size",
                "classes": names,
                "probs": [p / 100 for p in probs],
                "qhat": qhat / 1000,
                "qhat_given": not from_scores,
                "calibration_true_probs": [p / 100 for p in calibration],
                "alpha": alpha,
                "n_calibration": n_cal,
                "size": size,
                "mistakes": {k: v for k, v in slips.items() if v != size},
            },
            table=table,
        )

    def _finite(self, rng: np.random.Generator, seed: int, params: ConformalParams) -> Problem:
        s = REGRESSIONS[int(rng.integers(len(REGRESSIONS)))]
        for _ in range(MAX_DRAWS):
            alpha = int(rng.choice(FINITE_ALPHA_PER_MILLE))  # per mille
            n_min = smallest_finite_n(alpha)
            held = int(rng.integers(n_min + 1, 4 * n_min + 21))
            k = conformal_rank(held, alpha, per=1000)
            naive = naive_rank(held, alpha, per=1000)
            if naive != k and k < held:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        inverse_up = -(-1000 // alpha)  # ⌈1/α⌉
        a = alpha / 1000
        prompt = (
            f"{s.model} predicts {s.target}. The team wants split-conformal intervals ŷ ± q̂ with "
            f"**{fmt(100 - a * 100, 1)}%** coverage (**α = {fmt(a)}**), q̂ taken from the absolute residuals "
            f"of n held-out calibration {s.items}. With too few of them no calibration residual is large "
            "enough for the finite-sample guarantee, and q̂ = ∞.\n\n"
            "1. What is the **smallest n** for which q̂ is finite?\n"
            f"2. The team holds **{held}** calibration {s.items}. q̂ is then the k-th smallest residual: "
            "what is **k**?\n\n"
            "Answer each as a whole number, separated by ';'."
        )
        ratio = fmt((1000 - alpha) / alpha, 4)
        lines = [
            "q̂ is the k-th smallest of the n scores with k = ⌈(n + 1)(1 − α)⌉; it is finite when k ≤ n.",
            f"(n + 1)(1 − α) ≤ n ⇔ n ≥ (1 − α)/α = 1/α − 1 = {ratio}, so the smallest n is "
            f"**{n_min}**. Check: n = {n_min} gives k = ⌈{n_min + 1}·{fmt(1 - a)}⌉ = "
            f"{conformal_rank(n_min, alpha, per=1000)} ≤ {n_min}; n = {n_min - 1} gives k = "
            f"⌈{n_min}·{fmt(1 - a)}⌉ = {conformal_rank(n_min - 1, alpha, per=1000)} > {n_min - 1}.",
            f"With n = {held}: k = ⌈{held + 1}·{fmt(1 - a)}⌉ = ⌈{fmt((held + 1) * (1000 - alpha) / 1000, 4)}⌉ "
            f"= **{k}**. Forgetting the +1 gives ⌈{held}·{fmt(1 - a)}⌉ = {naive}, and q̂ one rank too low "
            f"covers only {naive}/{held + 1} = {fmt(100 * naive / (held + 1), 1)}% on average, under the "
            f"{fmt(100 - a * 100, 1)}% target; the right k covers {k}/{held + 1} = "
            f"{fmt(100 * k / (held + 1), 1)}%.",
            f"Answering ⌈1/α⌉ = {inverse_up} overshoots: n = {n_min} already gives a finite q̂ (the largest "
            "residual). Rule of thumb: below 1/α − 1 calibration points, split conformal cannot promise "
            "1 − α coverage with any finite interval.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("smallest n?", NumberAnswer(n_min, tolerance=0)),
                Part("k?", NumberAnswer(k, tolerance=0)),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "finite",
                "alpha": a,
                "n_min": n_min,
                "n_held": held,
                "k": k,
                "mistakes": {
                    "inverse_alpha": inverse_up,
                    "inverse_alpha_plus_one": inverse_up + 1,
                    "no_plus_one": naive,
                },
            },
        )


def _quantile_working(scores: list[float], alpha_pct: int, k: int, qhat: float, s: Regression) -> list[str]:
    """The steps shared by `quantile` and `interval`: sort, the rank, then why each slip is a slip (the
    line naming q̂ is inserted by the caller)."""
    n, d = len(scores), s.decimals
    ordered = sorted(scores)
    naive = naive_rank(n, alpha_pct)
    slips = quantile_slips(scores, alpha_pct)
    one_minus = fmt(1 - alpha_pct / 100)
    return [
        f"Sorted: {', '.join(f'{x:.{d}f}' for x in ordered)}.",
        f"k = ⌈(n + 1)(1 − α)⌉ = ⌈{n + 1}·{one_minus}⌉ = ⌈{fmt((n + 1) * (100 - alpha_pct) / 100, 2)}⌉ = {k} "
        f"(≤ n = {n}, so q̂ is finite"
        + (": with this few points it is the largest score)." if k == n else ")."),
        f"Why the +1: a new {s.item}'s residual is equally likely to rank anywhere among the n + 1 = {n + 1} "
        f"scores (the calibration ones and its own), so P(new ≤ {_ordinal(k)} smallest) = {k}/{n + 1} = "
        f"{fmt(100 * k / (n + 1), 1)}% ≥ {100 - alpha_pct}%. Without it, k = ⌈n(1 − α)⌉ = {naive} gives "
        f"{ordered[naive - 1]:.{d}f}, which covers only {naive}/{n + 1} = {fmt(100 * naive / (n + 1), 1)}%.",
        f"numpy's default quantile at 1 − α interpolates to {fmt(slips['linear_quantile'], d + 2)}, below q̂ "
        f"for the same reason; mean + 2·sd = {fmt(slips['mean_2sd'], d + 2)} treats the scores as Gaussian "
        "(absolute residuals are skewed) and carries no coverage guarantee."
        + (
            f" The largest score, {ordered[-1]:.{d}f}, is safe but wider than needed: it covers {n}/{n + 1} = "
            f"{fmt(100 * n / (n + 1), 1)}%."
            if k < n
            else ""
        ),
    ]


def _decimals(count: int) -> str:
    return f"{count} decimal" + ("s" if count != 1 else "")


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"
