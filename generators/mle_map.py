"""`mle-map`: MLE, MAP and posterior mean of a success rate with a Beta prior.

k successes in n trials and a Beta(a, b) prior (a, b ≥ 2, so the prior has an interior mode). The
posterior is Beta(k + a, n − k + b). The questions:

| ask              | answer                                             | mistakes the numbers are drawn to expose   |
|------------------|----------------------------------------------------|--------------------------------------------|
| `map`            | posterior mode (k + a − 1) / (n + a + b − 2)       | the posterior mean; the MLE k / n           |
| `posterior_mean` | (k + a) / (n + a + b)                              | the MAP; the MLE; the prior mean            |
| `all`            | MLE; MAP; posterior mean (three parts)             | any two swapped                             |
| `closest`        | which of MAP and posterior mean is nearer the prior mean a / (a + b) | the belief that the mean always shrinks more |

The posterior mean is always between the MLE and the prior *mean*; the MAP is between the MLE and the
prior *mode* (a − 1) / (a + b − 2). With a skewed prior those two pull differently, so either can end up
nearer the prior mean. Values are closed forms; the tests use ``scipy.stats.beta`` and a grid search on
the log posterior.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Ask = Literal["map", "posterior_mean", "all", "closest"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.005  # MLE, MAP, posterior mean and prior mean differ pairwise by at least 5 tolerances
CLOSEST_GAP = 0.004  # in `closest`, the two distances to the prior mean differ by at least this much


@dataclass(frozen=True, slots=True)
class Scenario:
    setting: str  # what is being estimated
    trials: str  # "visitors"
    successes: str  # "signed up"
    prior_story: str  # where the prior comes from, with {a} and {b}
    rates: tuple[float, float]  # plausible true rates: the prior mean and the data are drawn from here
    sizes: tuple[int, ...]  # sample sizes n that make sense for the setting


SCENARIOS = (
    Scenario(
        "A new landing page's sign-up rate",
        "visitors",
        "signed up",
        "past landing pages, encoded as a Beta({a}, {b}) prior",
        (0.08, 0.3),
        (20, 30, 40, 60),
    ),
    Scenario(
        "A new ad's click-through rate",
        "impressions",
        "were clicked",
        "the click-through rates of similar ads, summarised as a Beta({a}, {b}) prior",
        (0.04, 0.15),
        (40, 60, 80, 100),
    ),
    Scenario(
        "A rookie basketball player's free-throw percentage",
        "free throws",
        "went in",
        "league-wide rookie numbers, summarised as a Beta({a}, {b}) prior",
        (0.55, 0.85),
        (10, 15, 20, 30),
    ),
    Scenario(
        "A new supplier's defect rate",
        "inspected parts",
        "were defective",
        "the quality team's experience with similar suppliers, written as a Beta({a}, {b}) prior",
        (0.05, 0.2),
        (30, 40, 50, 80),
    ),
    Scenario(
        "The probability of heads of a coin from a magic shop",
        "tosses",
        "came up heads",
        "your suspicion about trick coins, written as a Beta({a}, {b}) prior",
        (0.3, 0.7),
        (8, 10, 12, 20),
    ),
    Scenario(
        "The share of a new email campaign's recipients who buy",
        "recipients",
        "bought",
        "previous campaigns, encoded as a Beta({a}, {b}) prior",
        (0.05, 0.2),
        (40, 50, 80, 100),
    ),
)


class MleMapParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Estimates:
    mle: float
    map: float
    posterior_mean: float
    prior_mean: float
    prior_mode: float


def estimates(k: int, n: int, a: int, b: int) -> Estimates:
    return Estimates(
        mle=k / n,
        map=(k + a - 1) / (n + a + b - 2),
        posterior_mean=(k + a) / (n + a + b),
        prior_mean=a / (a + b),
        prior_mode=(a - 1) / (a + b - 2),
    )


def _draw(
    rng: np.random.Generator, scenario: Scenario, ask: str, want_map_closer: bool
) -> tuple[int, int, int, int]:
    """(k, n, a, b) with the estimates apart and, for `closest`, the wanted answer clear of a tie.

    The prior's mean and the data's true rate are both drawn from the scenario's plausible range, so the
    prior and the data disagree by a realistic amount.
    """
    low, high = scenario.rates
    for _ in range(MAX_DRAWS):
        strength = int(rng.integers(6, 31))  # a + b
        a = round(float(rng.uniform(low, high)) * strength)
        b = strength - a
        if min(a, b) < 2:
            continue
        n = int(rng.choice(scenario.sizes))
        k = int(rng.binomial(n, rng.uniform(low, high)))
        e = estimates(k, n, a, b)
        values = sorted([e.mle, e.map, e.posterior_mean, e.prior_mean])
        if min(np.diff(values)) < MISTAKE_GAP:
            continue
        if ask != "closest":
            return k, n, a, b
        gap = abs(e.posterior_mean - e.prior_mean) - abs(e.map - e.prior_mean)
        if abs(gap) >= CLOSEST_GAP and (gap > 0) == want_map_closer:
            return k, n, a, b
    else:
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


class MleMap(Generator):
    name = "mle-map"
    title = "MLE, MAP and posterior mean with a Beta prior"
    description = (
        "k successes in n trials and a Beta(a, b) prior: the maximum-likelihood estimate, the MAP estimate "
        "(posterior mode), the posterior mean, and which of them the prior pulls closest to its mean."
    )
    Params = MleMapParams
    topics = ("bayesian-inference", "estimation", "probability")

    def make(self, rng: np.random.Generator, seed: int, params: MleMapParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        k, n, a, b = _draw(rng, scenario, ask, want_map_closer=bool(rng.random() < 0.5))
        e = estimates(k, n, a, b)
        intro = (
            f"**{scenario.setting}** is estimated from data: of **{n}** {scenario.trials}, **{k}** "
            f"{scenario.successes}. The prior comes from {scenario.prior_story.format(a=a, b=b)}."
        )
        table = Table(
            headers=("quantity", "value"),
            rows=(("trials n", str(n)), ("successes k", str(k)), ("prior", f"Beta({a}, {b})")),
            title="data and prior",
        )
        if ask == "closest":
            parts = (Part("nearer the prior mean?", _closest_answer(e)),)
            question = (
                f"Which estimate is **nearer the prior mean** a / (a + b) = {a}/{a + b}: the MAP estimate or the "
                "posterior mean?"
            )
        elif ask == "all":
            parts = (
                Part("MLE?", NumberAnswer(e.mle, decimals=3)),
                Part("MAP?", NumberAnswer(e.map, decimals=3)),
                Part("posterior mean?", NumberAnswer(e.posterior_mean, decimals=3)),
            )
            question = (
                "Give three estimates of the rate, each to 3 decimals, separated by ';':\n\n"
                "1. the **maximum-likelihood estimate (MLE)**\n2. the **MAP estimate**\n3. the **posterior mean**"
            )
        elif ask == "map":
            parts = (Part("MAP?", NumberAnswer(e.map, decimals=3)),)
            question = (
                "What is the **MAP estimate** (the mode of the posterior) of the rate? Answer to 3 decimals."
            )
        else:
            parts = (Part("posterior mean?", NumberAnswer(e.posterior_mean, decimals=3)),)
            question = "What is the **posterior mean** of the rate? Answer to 3 decimals."
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, k, n, a, b, e),
            data={
                "ask": ask,
                "k": k,
                "n": n,
                "a": a,
                "b": b,
                "mle": e.mle,
                "map": e.map,
                "posterior_mean": e.posterior_mean,
                "prior_mean": e.prior_mean,
                "prior_mode": e.prior_mode,
            },
            table=table,
        )


def _closest_answer(e: Estimates) -> ChoiceAnswer:
    d_map, d_mean = abs(e.map - e.prior_mean), abs(e.posterior_mean - e.prior_mean)
    correct = "map" if d_map < d_mean else "posterior_mean"
    options = (
        Option("map", "The MAP estimate (posterior mode)"),
        Option("posterior_mean", "The posterior mean (posterior average)"),
    )
    feedback = {
        "map": (
            f"The MAP is {fmt(e.map, 3)}, {fmt(d_map, 3)} from the prior mean {fmt(e.prior_mean, 3)}; the posterior "
            f"mean {fmt(e.posterior_mean, 3)} is nearer ({fmt(d_mean, 3)})."
        ),
        "posterior_mean": (
            f"The posterior mean is {fmt(e.posterior_mean, 3)}, {fmt(d_mean, 3)} from the prior mean "
            f"{fmt(e.prior_mean, 3)}; the MAP {fmt(e.map, 3)} is nearer ({fmt(d_map, 3)}): it is pulled toward the "
            f"prior mode {fmt(e.prior_mode, 3)}, not the prior mean."
        ),
    }
    return ChoiceAnswer(
        options=options, correct=correct, feedback={k: v for k, v in feedback.items() if k != correct}
    )


def _solution(ask: str, k: int, n: int, a: int, b: int, e: Estimates) -> str:
    def bold(text: str, on: bool) -> str:
        return f"**{text}**" if on else text

    weight = (a + b) / (a + b + n)
    lines = [
        f"The Beta prior is conjugate to the binomial likelihood: the posterior is Beta(k + a, n − k + b) = "
        f"Beta({k + a}, {n - k + b}).",
        f"MLE = k / n = {k}/{n} = {bold(fmt(e.mle), ask == 'all')} (the data alone).",
        f"MAP = posterior mode = (k + a − 1) / (n + a + b − 2) = {k + a - 1}/{n + a + b - 2} = "
        f"{bold(fmt(e.map), ask in ('all', 'map'))}.",
        f"Posterior mean = (k + a) / (n + a + b) = {k + a}/{n + a + b} = "
        f"{bold(fmt(e.posterior_mean), ask in ('all', 'posterior_mean'))}.",
        f"The posterior mean is a weighted average: w·(prior mean) + (1 − w)·MLE with w = (a + b)/(a + b + n) = "
        f"{a + b}/{a + b + n} = {fmt(weight, 3)}, i.e. {fmt(weight, 3)}·{fmt(e.prior_mean, 3)} + "
        f"{fmt(1 - weight, 3)}·{fmt(e.mle, 3)}. The prior acts like a + b = {a + b} extra trials "
        f"(a + b − 2 = {a + b - 2} for the MAP).",
    ]
    if ask == "closest":
        d_map, d_mean = abs(e.map - e.prior_mean), abs(e.posterior_mean - e.prior_mean)
        winner = "the MAP estimate" if d_map < d_mean else "the posterior mean"
        lines.append(
            f"Distances to the prior mean {a}/{a + b} = {fmt(e.prior_mean, 3)}: MAP |{fmt(e.map, 3)} − "
            f"{fmt(e.prior_mean, 3)}| = {fmt(d_map, 3)}, posterior mean |{fmt(e.posterior_mean, 3)} − "
            f"{fmt(e.prior_mean, 3)}| = {fmt(d_mean, 3)}, so **{winner}** is nearer."
        )
        lines.append(
            f"The posterior mean always shrinks the MLE toward the prior *mean*; the MAP shrinks it toward the "
            f"prior *mode* (a − 1)/(a + b − 2) = {fmt(e.prior_mode, 3)}. When the prior is skewed (a ≠ b) the "
            "two targets differ, so neither estimate is always the more conservative one."
        )
    else:
        lines.append(
            "With more data the prior's weight shrinks and all three converge; with few trials the choice "
            "matters. A uniform Beta(1, 1) prior makes the MAP equal to the MLE, while the posterior mean "
            "becomes Laplace's (k + 1)/(n + 2)."
        )
    return "\n\n".join(lines)
