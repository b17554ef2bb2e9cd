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

from generators.base import Field, Generator, NumberAnswer, Params, Part, Problem

Ask = Literal["oob-share", "unique-rows", "oob-rows", "oob-trees"]

# Small and medium n: (1 − 1/n)^n differs from 1/e in the 4th decimal (by about 1/(2e·n)), so the textbook
# 0.368 is graded wrong. Large n (a quarter of the draws) shows where the limit is a fine answer.
SMALL_N = (4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75)
MEDIUM_N = (100, 150, 200, 250, 400, 500, 750, 1_000)
LARGE_N = (2_500, 8_000, 10_000, 50_000, 120_000, 1_000_000)
LIMIT = float(np.exp(-1.0))


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # "{n} customers" is filled in
    items: str
    forest: bool  # a tree ensemble (each tree has its own sample), not a one-off bootstrap for a CI


SCENARIOS = (
    Scenario("A random forest is trained on {n} customer records", "records", True),
    Scenario("A bagged ensemble of trees is fitted to {n} house sales", "sales", True),
    Scenario("A data scientist bootstraps {n} A/B-test users to get a confidence interval", "users", False),
    Scenario("A random forest is trained on {n} labelled transactions", "transactions", True),
    Scenario("An ExtraTrees model with bootstrap=True is trained on {n} patients", "patients", True),
    Scenario(
        "An analyst resamples {n} survey answers with the bootstrap to get a standard error", "answers", False
    ),
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
        size = rng.random()
        n = params.n or int(rng.choice(SMALL_N if size < 0.45 else MEDIUM_N if size < 0.75 else LARGE_N))
        # Out-of-bag rows "for one tree" and trees only make sense for an ensemble; the share left out and the
        # distinct rows are asked of any bootstrap.
        allowed = [s for s in SCENARIOS if s.forest or ask in ("oob-share", "unique-rows")]
        scenario = allowed[int(rng.integers(len(allowed)))]
        trees = int(rng.choice([100, 200, 300, 500, 1000]))
        miss = miss_probability(n)
        context = scenario.context.format(n=_rows(n))
        match ask:
            case "oob-share":
                value = miss
                asked = "expected share of the rows that one bootstrap sample leaves out"
                how = "a number to 4 decimals (a percentage is fine)"
                answer = NumberAnswer(value, decimals=4)
            case "unique-rows":
                value = n * (1 - miss)
                asked = "expected number of distinct rows in one bootstrap sample"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, decimals=1)
            case "oob-rows":
                value = n * miss
                asked = "expected number of out-of-bag rows for one tree (rows its bootstrap sample misses)"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, decimals=1)
            case _:
                value = trees * miss
                asked = f"expected number of the {trees} trees for which a given row is out-of-bag"
                how = "a number to 1 decimal"
                answer = NumberAnswer(value, decimals=1)
        sample = ("Each tree sees" if scenario.forest else "A bootstrap sample is") + (
            f" {_rows(n)} rows drawn uniformly **with replacement** from the {_rows(n)}."
        )
        forest = (
            f" The forest has {trees} trees, each with its own bootstrap sample."
            if ask == "oob-trees"
            else ""
        )
        prompt = f"{context}. {sample}{forest}\n\nWhat is the **{asked}**? Answer as {how}."
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked[0].upper()}{asked[1:]}?", answer=answer),),
            solution=_solution(ask, n, trees, miss, value, scenario.forest),
            data={
                "ask": ask,
                "n": n,
                **({"trees": trees} if ask == "oob-trees" else {}),
                "miss_probability": miss,
                "value": value,
            },
        )


def _solution(ask: str, n: int, trees: int, miss: float, value: float, forest: bool) -> str:
    lines = [
        f"One draw misses a given row with probability 1 − 1/{_rows(n)}; the {_rows(n)} draws are independent, so "
        f"P(row never drawn) = (1 − 1/{_rows(n)})^{_rows(n)} = {miss:.4f}.",
    ]
    match ask:
        case "oob-share":
            lines.append(
                f"By linearity of expectation that is also the expected share left out: **{value:.4f}**."
            )
        case "unique-rows":
            lines.append(
                f"Each row appears with probability 1 − {miss:.6f} = {1 - miss:.6f}, so by "
                f"linearity of expectation the sample has {_rows(n)} × {1 - miss:.6f} = "
                f"**{value:.1f}** distinct rows; the other draws are repeats."
            )
        case "oob-rows":
            lines.append(f"Expected out-of-bag rows = {_rows(n)} × {miss:.6f} = **{value:.1f}**.")
        case _:
            lines.append(
                f"Each tree's sample is independent, so a row is out-of-bag for a tree with probability "
                f"{miss:.6f}: {trees} × {miss:.6f} = **{value:.1f}** trees on average."
            )
    gap = LIMIT - miss
    if abs(gap) < 0.00005:
        where = f"For n = {_rows(n)} that is 1/e to 4 decimals, the large-n limit itself"
    else:
        where = (
            f"For n = {_rows(n)} that is {gap:.4f} below the large-n limit 1/e ≈ 0.3679, so the textbook "
            f"0.368 would be off here"
        )
    use = (
        "the out-of-bag score predicts each row using only the trees that never saw it"
        if forest
        else "each resample repeats some rows and leaves others out, which is what makes its spread an estimate "
        "of the sampling variability"
    )
    lines.append(
        f"{where}. About {100 * (1 - miss):.1f}% of the rows are in a sample and {100 * miss:.1f}% are "
        f"left out (63.2% / 36.8% only as n grows large): {use}."
    )
    return "\n\n".join(lines)
