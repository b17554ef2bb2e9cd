"""`bootstrap-oob`: what a bootstrap sample of n rows leaves out, and what that means for a random forest.

A bootstrap sample draws n rows with replacement, so a given row is missed with probability (1 − 1/n)^n,
which tends to 1/e ≈ 0.368. The questions: that share for this n, the expected number of distinct rows
in the sample, the expected number of out-of-bag (OOB) rows, or over how many of a forest's trees a given
row is out-of-bag. numpy computes (1 − 1/n)^n as exp(n·log1p(−1/n)), accurate for any n; the tests check
it against the plain power and a bootstrap simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from generators.base import Generator, NumberAnswer, Params, Part, Problem, fmt

Ask = Literal["oob-share", "unique-rows", "oob-rows", "oob-trees"]

SMALL_N = (4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 50)
LARGE_N = (100, 250, 500, 1_000, 2_500, 8_000, 10_000, 50_000, 120_000, 1_000_000)


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # "{n} customers" is filled in
    items: str


SCENARIOS = (
    Scenario("A random forest is trained on {n} customer records", "records"),
    Scenario("A bagged ensemble of trees is fitted to {n} house sales", "sales"),
    Scenario("A data scientist bootstraps {n} A/B-test users to get a confidence interval", "users"),
    Scenario("A random forest is trained on {n} labelled transactions", "transactions"),
    Scenario("An ExtraTrees model with bootstrap=True is trained on {n} patients", "patients"),
)


class BootstrapOOBParams(Params):
    ask: Ask | None = None  # None: random per seed
    n: int | None = Field(None, ge=2, le=10_000_000)  # rows; None: random per seed


def miss_probability(n: int) -> float:
    """P(a given row is not drawn in n draws with replacement) = (1 − 1/n)^n."""
    return float(np.exp(n * np.log1p(-1.0 / n)))


def _rows(n: int) -> str:
    return f"{n:,}"


class BootstrapOOB(Generator):
    name = "bootstrap-oob"
    title = "Bootstrap samples and out-of-bag rows"
    description = (
        "The share of rows a bootstrap sample of n leaves out ((1 − 1/n)^n → 1/e), the expected number of "
        "distinct and of out-of-bag rows, and over how many of a forest's trees a row is out-of-bag."
    )
    Params = BootstrapOOBParams
    topics = ("bootstrap", "random-forest", "probability")

    def make(self, rng: np.random.Generator, seed: int, params: BootstrapOOBParams) -> Problem:
        ask = params.ask or str(rng.choice(["oob-share", "unique-rows", "oob-rows", "oob-trees"]))
        n = params.n or int(rng.choice(SMALL_N if rng.random() < 0.5 else LARGE_N))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "oob-trees":
            scenario = SCENARIOS[int(rng.choice([0, 1, 3, 4]))]  # a forest, not a CI bootstrap
        trees = int(rng.choice([100, 200, 300, 500, 1000]))
        miss = miss_probability(n)
        context = scenario.context.format(n=_rows(n))
        match ask:
            case "oob-share":
                value = miss
                asked = "share of the rows that one bootstrap sample leaves out"
                how = "a number to 3 decimals (a percentage is fine)"
                answer = NumberAnswer(value, tolerance=0.005)
            case "unique-rows":
                value = n * (1 - miss)
                asked = "expected number of distinct rows in one bootstrap sample"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, tolerance=0.05, rel_tolerance=0.002)
            case "oob-rows":
                value = n * miss
                asked = "expected number of out-of-bag rows for one tree (rows its bootstrap sample misses)"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, tolerance=0.05, rel_tolerance=0.002)
            case _:
                value = trees * miss
                asked = f"expected number of the {trees} trees for which a given row is out-of-bag"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, tolerance=0.05, rel_tolerance=0.002)
        sample = ("Each tree sees" if ask in ("oob-rows", "oob-trees") else "A bootstrap sample is") + (
            f" {_rows(n)} rows drawn uniformly **with replacement** from the {_rows(n)}.")
        forest = f" The forest has {trees} trees, each with its own bootstrap sample." if ask == "oob-trees" else ""
        prompt = f"{context}. {sample}{forest}\n\nWhat is the **{asked}**? Answer as {how}."
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked[0].upper()}{asked[1:]}?", answer=answer),),
            solution=_solution(ask, n, trees, miss, value),
            data={"ask": ask, "n": n, **({"trees": trees} if ask == "oob-trees" else {}),
                  "miss_probability": miss, "value": value},
        )


def _solution(ask: str, n: int, trees: int, miss: float, value: float) -> str:
    lines = [
        f"One draw misses a given row with probability 1 − 1/{_rows(n)}; the {_rows(n)} draws are independent, so "
        f"P(row never drawn) = (1 − 1/{_rows(n)})^{_rows(n)} = {fmt(miss, 4)}"
        + (" (already close to its limit 1/e ≈ 0.3679)." if n >= 100 else
           " (below the large-n limit 1/e ≈ 0.3679, which is approached from below)."),
    ]
    match ask:
        case "oob-share":
            lines.append(f"By linearity of expectation that is also the expected share left out: **{fmt(value)}**.")
        case "unique-rows":
            lines.append(f"Each row appears with probability 1 − {fmt(miss, 4)} = {fmt(1 - miss, 4)}, so by "
                         f"linearity of expectation the sample has {_rows(n)} × {fmt(1 - miss, 4)} = "
                         f"**{fmt(value, 2)}** distinct rows; the other draws are repeats.")
        case "oob-rows":
            lines.append(f"Expected out-of-bag rows = {_rows(n)} × {fmt(miss, 4)} = **{fmt(value, 2)}**.")
        case _:
            lines.append(f"Each tree's sample is independent, so a row is out-of-bag for a tree with probability "
                         f"{fmt(miss, 4)}: {trees} × {fmt(miss, 4)} = **{fmt(value, 2)}** trees on average.")
    lines.append("So about 63.2% of the rows train each tree and about 36.8% are free validation data: the "
                 "out-of-bag score predicts each row using only the trees that never saw it.")
    return "\n\n".join(lines)
