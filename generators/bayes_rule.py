"""`bayes-rule`: what a positive (or negative) result means, given sensitivity, specificity and a base rate.

A screening test or classifier with a stated sensitivity and specificity (or false-positive rate) is run
on a group with a stated base rate of the condition. The questions:

| ask        | answer                                   | base rate        | mistakes the numbers are drawn to expose |
|------------|------------------------------------------|------------------|-------------------------------------------|
| `positive` | P(condition given a positive result)     | low, 0.1 %–5 %   | the sensitivity (P(+ given condition)); specificity |
| `negative` | P(condition given a negative result)     | high, 10 %–45 %  | the miss rate 1 − sensitivity; the base rate |
| `counts`   | positives expected among N; how many of those truly have it | low | only true positives; all cases |

Probabilities are Bayes' rule in floats; the tests recount an exact population with ``fractions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["positive", "negative", "counts"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.02  # every slip lands at least this far from the answer


@dataclass(frozen=True, slots=True)
class Scenario:
    test: str  # "A blood test for a rare cancer"
    item: str  # singular noun for what is tested: "person"
    items: str  # plural: "people"
    condition: str  # plural verb phrase: "have the cancer"
    condition_one: str  # singular verb phrase: "has the cancer"
    label: str  # short name of the condition in P(label | result): "cancer"
    positive: str  # what a positive result is called: "a positive test"
    low_group: str  # a group with a low base rate
    high_group: str  # a group with a high base rate
    rate_name: str  # how the false-positive rate is called here
    whom: str = "whom"  # "of whom" for people, "of which" for things


SCENARIOS = (
    Scenario(
        "A blood test for a rare cancer",
        "person",
        "people",
        "have the cancer",
        "has the cancer",
        "cancer",
        "a positive test",
        "adults invited to a population screening programme",
        "patients referred by their doctor with symptoms",
        "false-positive rate",
    ),
    Scenario(
        "A fraud model's alert",
        "transaction",
        "transactions",
        "are fraudulent",
        "is fraudulent",
        "fraud",
        "an alert",
        "all card transactions of a bank",
        "transactions already held by the rules engine",
        "false-alarm rate",
        "which",
    ),
    Scenario(
        "A spam filter",
        "email",
        "emails",
        "are spam",
        "is spam",
        "spam",
        "a spam flag",
        "mail to a company inbox behind an upstream blocklist",
        "mail to a public contact address",
        "false-positive rate",
        "which",
    ),
    Scenario(
        "A camera-based defect detector",
        "part",
        "parts",
        "are defective",
        "is defective",
        "defect",
        "a reject signal",
        "parts from a mature production line",
        "parts returned by customers as faulty",
        "false-reject rate",
        "which",
    ),
    Scenario(
        "A doping test",
        "athlete",
        "athletes",
        "are doping",
        "is doping",
        "doping",
        "an adverse finding",
        "athletes tested at random out of competition",
        "athletes flagged by their biological passport",
        "false-positive rate",
    ),
    Scenario(
        "An intrusion-detection system",
        "login session",
        "login sessions",
        "are malicious",
        "is malicious",
        "intrusion",
        "an alarm",
        "all employee login sessions",
        "sessions from IP addresses on a threat-intelligence list",
        "false-alarm rate",
        "which",
    ),
)


class BayesRuleParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Rates:
    base_per_mille: int  # base rate × 1000 (0.1 % steps)
    sensitivity_pct: int
    specificity_per_mille: int  # specificity × 1000

    @property
    def base(self) -> float:
        return self.base_per_mille / 1000

    @property
    def sensitivity(self) -> float:
        return self.sensitivity_pct / 100

    @property
    def specificity(self) -> float:
        return self.specificity_per_mille / 1000


def posterior_positive(r: Rates) -> float:
    """P(condition | +) = π·sens / (π·sens + (1 − π)·(1 − spec))."""
    hit = r.base * r.sensitivity
    return hit / (hit + (1 - r.base) * (1 - r.specificity))


def posterior_negative(r: Rates) -> float:
    """P(condition | −) = π·(1 − sens) / (π·(1 − sens) + (1 − π)·spec)."""
    miss = r.base * (1 - r.sensitivity)
    return miss / (miss + (1 - r.base) * r.specificity)


def _pct(per_mille: int) -> str:
    return fmt(per_mille / 10, 1) + "%"


def _draw(rng: np.random.Generator, ask: str) -> Rates:
    """Rates where the slips named in the module docstring all miss the answer by ≥ MISTAKE_GAP."""
    for _ in range(MAX_DRAWS):
        if ask == "negative":
            r = Rates(
                int(rng.integers(10, 46)) * 10, int(rng.integers(60, 91)), int(rng.integers(85, 99)) * 10
            )
            value = posterior_negative(r)
            slips = (1 - r.sensitivity, r.base, 1 - r.specificity, 0.0)
        else:
            base = int(rng.choice([1, 2, 3, 4, 5, 8, 10, 15, 20, 25, 30, 40, 50]))
            # Whole-percent specificity for counts keeps the expected counts whole among 100,000.
            spec = int(rng.integers(90, 100)) * 10 if ask == "counts" else int(rng.integers(180, 200)) * 5
            r = Rates(base, int(rng.integers(80, 100)), spec)
            value = posterior_positive(r)
            slips = (r.sensitivity, r.specificity, 1 - r.specificity, r.base)
        if min(abs(value - s) for s in slips) >= MISTAKE_GAP and 0.03 <= value <= 0.8:
            return r
    else:
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


class BayesRule(Generator):
    name = "bayes-rule"
    title = "Bayes' rule: base rates, sensitivity and specificity"
    description = (
        "What a positive or negative result really means for a screening test or classifier: P(condition | "
        "result) from sensitivity, specificity and the base rate, or the expected counts among N."
    )
    Params = BayesRuleParams
    topics = ("probability", "bayes", "classification", "metrics")

    def make(self, rng: np.random.Generator, seed: int, params: BayesRuleParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        r = _draw(rng, ask)
        group = s.high_group if ask == "negative" else s.low_group
        as_fpr = bool(rng.random() < 0.5)
        fp_text = (
            f"a **{s.rate_name} of {_pct(1000 - r.specificity_per_mille)}**"
            if as_fpr
            else f"a **specificity of {_pct(r.specificity_per_mille)}**"
        )
        intro = (
            f"{s.test} is used on {group}, of {s.whom} **{_pct(r.base_per_mille)}** {s.condition}. It has a "
            f"**sensitivity of {r.sensitivity_pct}%** (it catches that share of the {s.items} that "
            f"{s.condition}) and {fp_text}."
        )
        n = 100_000
        tp = n * r.base * r.sensitivity
        fp = n * (1 - r.base) * (1 - r.specificity)
        fn = n * r.base * (1 - r.sensitivity)
        tn = n * (1 - r.base) * r.specificity
        counts = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        if ask == "positive":
            value = posterior_positive(r)
            question = (
                f"One {s.item} gets {s.positive}. What is the probability that this {s.item} really "
                f"{s.condition_one}, P({s.label} | positive)? Answer to 3 decimals."
            )
            parts = (Part("P(condition | positive)?", NumberAnswer(value, decimals=3)),)
        elif ask == "negative":
            value = posterior_negative(r)
            question = (
                f"One {s.item} gets a **negative** result. What is the probability that this "
                f"{s.item} {s.condition_one} all the same, P({s.label} | negative)? Answer to 3 decimals."
            )
            parts = (Part("P(condition | negative)?", NumberAnswer(value, decimals=3)),)
        else:
            value = posterior_positive(r)
            question = (
                f"It is run on **{n:,}** {s.items}.\n\n1. How many positive results ({s.positive}) "
                f"are expected in total?\n2. How many of those are **true** positives ({s.items} that "
                f"{s.condition})?\n\n"
                "Answer each as a whole number, separated by ';'."
            )
            parts = (
                Part("positives expected?", NumberAnswer(round(tp + fp), tolerance=0.5)),
                Part("of which truly positive?", NumberAnswer(round(tp), tolerance=0.5)),
            )
        table = Table(
            headers=("quantity", "value"),
            rows=(
                ("base rate", _pct(r.base_per_mille)),
                ("sensitivity", f"{r.sensitivity_pct}%"),
                (
                    "specificity" if not as_fpr else s.rate_name,
                    _pct(r.specificity_per_mille if not as_fpr else 1000 - r.specificity_per_mille),
                ),
            ),
            title="the stated rates",
        )
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, s, r, counts, n, value, as_fpr),
            data={
                "ask": ask,
                "base_rate": r.base,
                "sensitivity": r.sensitivity,
                "specificity": r.specificity,
                "stated_as_fpr": as_fpr,
                "n": n,
                **counts,
                "posterior": value,
            },
            table=table,
        )


def _count(value: float) -> str:
    """An expected count: thousands separators when whole, one decimal otherwise."""
    return f"{round(value):,}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def _solution(
    ask: str, s: Scenario, r: Rates, c: dict[str, float], n: int, value: float, as_fpr: bool
) -> str:
    with_it, without = n * r.base, n * (1 - r.base)
    tp, fp, fn, tn = (_count(c[key]) for key in ("tp", "fp", "fn", "tn"))
    fpr = _pct(1000 - r.specificity_per_mille)
    rates = (
        f"Specificity = 1 − {s.rate_name} = {_pct(r.specificity_per_mille)}."
        if as_fpr
        else f"The {s.rate_name} is 1 − specificity = {fpr}."
    )
    grid = "\n".join(
        [
            f"| per {n:,} {s.items} | positive | negative | total |",
            "|---|---|---|---|",
            f"| {s.condition} | {tp} | {fn} | {_count(with_it)} |",
            f"| the rest | {fp} | {tn} | {_count(without)} |",
        ]
    )
    lines = [
        f"{rates} Count a population of {n:,}: {_count(with_it)} {s.condition} ({_pct(r.base_per_mille)}) and "
        f"{_count(without)} others. It catches "
        f"{r.sensitivity_pct}% of the first group and wrongly flags {_pct(1000 - r.specificity_per_mille)} of the "
        "second:",
        grid,
    ]
    if ask == "negative":
        lines += [
            f"P({s.label} | negative) = misses / all negatives = {fn} / ({fn} + {tn}) = **{fmt(value)}**",
            f"Bayes' rule says the same: π·(1 − sens) / (π·(1 − sens) + (1 − π)·spec) = {fmt(r.base, 3)}·"
            f"{fmt(1 - r.sensitivity, 2)} / ({fmt(r.base, 3)}·{fmt(1 - r.sensitivity, 2)} + "
            f"{fmt(1 - r.base, 3)}·{fmt(r.specificity, 3)}).",
            f"It is not the miss rate 1 − sensitivity = {fmt(1 - r.sensitivity, 2)}: that is P(negative | "
            f"{s.label}), the other conditional. Where {_pct(r.base_per_mille)} {s.condition}, a "
            f"negative lowers the probability from {fmt(r.base, 3)} to {fmt(value, 3)} but does not rule it out; "
            "ruling out needs high sensitivity, and works best where the base rate is low.",
        ]
    else:
        answer = f"**{fmt(value)}**" if ask == "positive" else fmt(value)
        ppv = f"P({s.label} | positive) = true positives / all positives = {tp} / ({tp} + {fp}) = {answer}"
        if ask == "counts":
            lines += [
                f"Positives = true + false = {tp} + {fp} = **{_count(c['tp'] + c['fp'])}**; of those, **{tp}** "
                "are true positives.",
                ppv + ".",
            ]
        else:
            lines += [
                ppv,
                f"Bayes' rule says the same: π·sens / (π·sens + (1 − π)·(1 − spec)) = {fmt(r.base, 3)}·"
                f"{fmt(r.sensitivity, 2)} / ({fmt(r.base, 3)}·{fmt(r.sensitivity, 2)} + {fmt(1 - r.base, 3)}·"
                f"{fmt(1 - r.specificity, 3)}).",
            ]
        lines.append(
            f"The tempting answer, the sensitivity {fmt(r.sensitivity, 2)}, is P(positive | {s.label}): the other "
            f"conditional. With a base rate of {_pct(r.base_per_mille)}, the other {_count(without)} {s.items} "
            f"produce {fp} false positives against {tp} true ones; forgetting them is base-rate neglect."
        )
    return "\n\n".join(lines)
