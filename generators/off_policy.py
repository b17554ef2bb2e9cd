"""`off-policy`: the value of a new policy estimated from a log another policy collected (a contextual bandit).

Each row of the log is one decision of the running (logging) policy μ: the action it took, the probability
μ(a|x) it gave that action, the reward seen, and the probability π(a|x) the new (target) policy would give the
same action in the same context. The asks:

| ask     | answer                                                  | mistakes the numbers are drawn to expose            |
|---------|---------------------------------------------------------|-----------------------------------------------------|
| `ips`   | V̂_IPS = (1/n)·Σ (π/μ)·r                                 | the plain mean reward of the log; (1/n)·Σ π·r (not divided by μ); (1/n)·Σ r/μ (π ignored) |
| `snips` | V̂_SNIPS = Σ (π/μ)·r / Σ (π/μ)                           | the IPS value (divided by n); the plain mean reward |
| `dr`    | V̂_DR = (1/n)·Σ [v̂_π(x) + (π/μ)·(r − r̂(x, a))]          | the direct-method value (1/n)·Σ v̂_π(x); the IPS value; the correction not weighted |

For ``dr`` each row also gives a reward model's prediction r̂(x, a) for the logged action and its value under the
new policy, v̂_π(x) = Σ_a′ π(a′|x)·r̂(x, a′), as one number.

References: Horvitz & Thompson 1952 (inverse-probability weighting); Swaminathan & Joachims 2015, "The
Self-Normalized Estimator for Counterfactual Learning" (NeurIPS); Dudík, Langford & Li 2011, "Doubly Robust
Policy Evaluation and Learning" (ICML). The tests recompute each estimator with exact fractions and check
by simulation that IPS and DR average to the new policy's true value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["ips", "snips", "dr"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.01  # every slip lands at least this far from the answer (graded to 3 decimals: 0.001)
LOGGING_PROBABILITIES = (0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8)
TARGET_PROBABILITIES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.8, 0.9, 1.0)
MEAN_WEIGHT = (0.6, 1.6)  # the range the log's mean importance weight is drawn in


@dataclass(frozen=True, slots=True)
class Scenario:
    system: str  # "A news site's recommender"
    context: str  # what a row's context is called: "visit"
    actions: tuple[str, ...]
    reward: str  # what the reward is: "click (1) or not (0)"
    rewards: tuple[float, ...]  # the values a reward can take


SCENARIOS = (
    Scenario(
        "A news site's homepage recommender",
        "visit",
        ("sports", "politics", "tech", "culture"),
        "click (1) or no click (0)",
        (0.0, 1.0),
    ),
    Scenario(
        "An ad server choosing one banner per page view",
        "page view",
        ("banner A", "banner B", "banner C"),
        "click (1) or no click (0)",
        (0.0, 1.0),
    ),
    Scenario(
        "A shop's coupon engine",
        "checkout",
        ("10% off", "free shipping", "no coupon"),
        "profit of the order in dollars",
        (0.0, 4.0, 6.0, 10.0),
    ),
    Scenario(
        "A music app picking the next track",
        "session",
        ("new release", "old favourite", "friend's pick"),
        "track played past 30 s (1) or skipped (0)",
        (0.0, 1.0),
    ),
    Scenario(
        "A food-delivery app ranking one restaurant on top",
        "app open",
        ("nearby", "top rated", "promoted", "new"),
        "order value in dollars",
        (0.0, 8.0, 15.0, 22.0),
    ),
)


class OffPolicyParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Log:
    actions: tuple[int, ...]
    mu: tuple[float, ...]  # logging probability of the logged action
    pi: tuple[float, ...]  # target probability of the logged action
    rewards: tuple[float, ...]
    r_hat: tuple[float, ...]  # the reward model's prediction for the logged action (dr only)
    v_hat: tuple[float, ...]  # the reward model's value of the target policy in the row's context (dr only)

    @property
    def weights(self) -> list[float]:
        return [p / m for p, m in zip(self.pi, self.mu, strict=True)]


def ips(log: Log) -> float:
    return sum(w * r for w, r in zip(log.weights, log.rewards, strict=True)) / len(log.rewards)


def snips(log: Log) -> float:
    weights = log.weights
    return sum(w * r for w, r in zip(weights, log.rewards, strict=True)) / sum(weights)


def direct_method(log: Log) -> float:
    return sum(log.v_hat) / len(log.v_hat)


def doubly_robust(log: Log) -> float:
    terms = [
        v + w * (r - rh) for v, w, r, rh in zip(log.v_hat, log.weights, log.rewards, log.r_hat, strict=True)
    ]
    return sum(terms) / len(terms)


def values(log: Log, ask: str) -> dict[str, float]:
    """The right answer ("right") and the slips a learner makes on this ask."""
    n = len(log.rewards)
    naive = sum(log.rewards) / n
    if ask == "ips":
        return {
            "right": ips(log),
            "mean_reward": naive,
            "not_divided_by_mu": sum(p * r for p, r in zip(log.pi, log.rewards, strict=True)) / n,
            "pi_ignored": sum(r / m for r, m in zip(log.rewards, log.mu, strict=True)) / n,
        }
    if ask == "snips":
        return {"right": snips(log), "ips": ips(log), "mean_reward": naive}
    unweighted = sum(v + r - rh for v, r, rh in zip(log.v_hat, log.rewards, log.r_hat, strict=True)) / n
    return {
        "right": doubly_robust(log),
        "direct_method": direct_method(log),
        "ips": ips(log),
        "unweighted_correction": unweighted,
    }


class OffPolicy(Generator):
    name = "off-policy"
    title = "Off-policy evaluation: IPS, self-normalised IPS, doubly robust"
    description = (
        "A logged bandit dataset (the action the running policy took, its probability, the reward) and a new "
        "policy's probability of each logged action: estimate the new policy's value with inverse-propensity "
        "scoring, its self-normalised form, or the doubly robust estimator with a reward model."
    )
    Params = OffPolicyParams
    topics = ("reinforcement-learning", "bandits")

    def make(self, rng: np.random.Generator, seed: int, params: OffPolicyParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        for _ in range(MAX_DRAWS):
            log = _draw(rng, s, with_model=ask == "dr")
            found = values(log, ask)
            right = found["right"]
            if (
                # The weights average 1 in expectation; a log far from that reads as broken, not as a lesson.
                MEAN_WEIGHT[0] <= sum(log.weights) / len(log.weights) <= MEAN_WEIGHT[1]
                and min(abs(right - v) for k, v in found.items() if k != "right") >= MISTAKE_GAP
            ):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        return self.problem(
            seed,
            params,
            prompt=_prompt(s, ask, len(log.rewards)),
            parts=(Part(f"{_NAMES[ask]} estimate?", NumberAnswer(right, decimals=3)),),
            solution=_solution(s, ask, log, found),
            data={
                "ask": ask,
                "actions": list(log.actions),
                "mu": list(log.mu),
                "pi": list(log.pi),
                "rewards": list(log.rewards),
                "r_hat": list(log.r_hat),
                "v_hat": list(log.v_hat),
                "value": right,
                "mistakes": {k: v for k, v in found.items() if k != "right"},
            },
            table=_table(s, ask, log),
        )


_NAMES = {"ips": "IPS", "snips": "SNIPS", "dr": "Doubly robust"}


def _draw(rng: np.random.Generator, s: Scenario, *, with_model: bool) -> Log:
    n = int(rng.integers(6, 11))
    actions = tuple(int(a) for a in rng.integers(len(s.actions), size=n))
    mu = tuple(float(m) for m in rng.choice(LOGGING_PROBABILITIES, size=n))
    pi = tuple(float(p) for p in rng.choice(TARGET_PROBABILITIES, size=n))
    rewards = tuple(float(r) for r in rng.choice(s.rewards, size=n))
    if not with_model:
        return Log(actions, mu, pi, rewards, (), ())
    top = max(s.rewards)
    digits = 2 if top <= 1 else 1
    # A reward model predicts an expected reward (a click probability, an expected order value), never the
    # reward a row happened to get: DR's correction is then the model's error on what was observed.
    r_hat = tuple(float(np.round(rng.uniform(0.1, 0.9) * top, digits)) for _ in range(n))
    v_hat = tuple(float(np.round(rng.uniform(0.1, 0.9) * top, digits)) for _ in range(n))
    return Log(actions, mu, pi, rewards, r_hat, v_hat)


def _prompt(s: Scenario, ask: str, n: int) -> str:
    lead = (
        f"{s.system} logged **{n} {s.context}s** under its current policy μ. For each, the table gives the action "
        f"μ took, the probability **μ(a|x)** it gave that action, the reward ({s.reward}), and the probability "
        f"**π(a|x)** that a new policy π would give the same action in the same {s.context}."
    )
    if ask == "ips":
        question = (
            "Estimate the new policy's value per " + s.context + " with **inverse-propensity scoring (IPS)**."
        )
    elif ask == "snips":
        question = (
            "Estimate the new policy's value per "
            + s.context
            + " with **self-normalised IPS (SNIPS)**, which divides "
            "by the sum of the importance weights instead of by n."
        )
    else:
        question = (
            "A reward model gives, for each row, its prediction **r̂(x, a)** for the logged action and its value of "
            "the new policy in that context, **v̂_π(x) = Σ_a′ π(a′|x)·r̂(x, a′)**. Estimate the new policy's value "
            f"per {s.context} with the **doubly robust** estimator."
        )
    return f"{lead}\n\n{question} Answer to 3 decimals."


def _table(s: Scenario, ask: str, log: Log) -> Table:
    headers = [s.context, "action", "μ(a|x)", "reward", "π(a|x)"]
    if ask == "dr":
        headers += ["r̂(x, a)", "v̂_π(x)"]
    rows = []
    for i, action in enumerate(log.actions):
        row = [str(i + 1), s.actions[action], fmt(log.mu[i]), fmt(log.rewards[i]), fmt(log.pi[i])]
        if ask == "dr":
            row += [fmt(log.r_hat[i]), fmt(log.v_hat[i])]
        rows.append(tuple(row))
    return Table(headers=tuple(headers), rows=tuple(rows), title="the logged decisions")


def _solution(s: Scenario, ask: str, log: Log, found: dict[str, float]) -> str:
    n = len(log.rewards)
    weights = log.weights
    weight_line = (
        "Importance weights w = π/μ: "
        + ", ".join(
            f"{fmt(p)}/{fmt(m)} = {fmt(w, 4)}" for p, m, w in zip(log.pi, log.mu, weights, strict=True)
        )
        + "."
    )
    weighted = [w * r for w, r in zip(weights, log.rewards, strict=True)]
    total = sum(weighted)
    naive = sum(log.rewards) / n
    lines = [weight_line]
    if ask in ("ips", "snips"):
        lines.append(
            "Weighted rewards w·r: "
            + ", ".join(fmt(x, 3) for x in weighted)
            + f"; their sum is {fmt(total, 4)}."
        )
    if ask == "ips":
        lines.append(f"V̂_IPS = Σ w·r / n = {fmt(total, 4)} / {n} = **{fmt(found['right'], 4)}**")
        lines.append(
            f"The log's own mean reward, {fmt(naive, 3)}, is the value of the *old* policy. Forgetting to divide by μ "
            f"gives {fmt(found['not_divided_by_mu'], 3)}; ignoring π gives {fmt(found['pi_ignored'], 3)}. IPS is "
            "unbiased when μ > 0 wherever π > 0, but rows with a small μ and a large π carry huge weights, so its "
            "variance is high."
        )
    elif ask == "snips":
        lines.append(
            f"Σ w = {fmt(sum(weights), 4)}. V̂_SNIPS = Σ w·r / Σ w = {fmt(total, 4)} / {fmt(sum(weights), 4)} = "
            f"**{fmt(found['right'], 4)}**"
        )
        lines.append(
            f"Plain IPS divides by n = {n} instead: {fmt(found['ips'], 3)}. The weights average 1 only in "
            f"expectation; here they average {fmt(sum(weights) / n, 3)}, and SNIPS corrects for that, trading a "
            "small bias for a large cut in variance. The log's mean reward, "
            f"{fmt(naive, 3)}, is the old policy's value."
        )
    else:
        terms = [
            v + w * (r - rh) for v, w, r, rh in zip(log.v_hat, weights, log.rewards, log.r_hat, strict=True)
        ]
        lines.append(
            "Per row, v̂_π(x) + w·(r − r̂): "
            + "; ".join(
                f"{fmt(v)} + {fmt(w, 4)}·({fmt(r)} − {fmt(rh)}) = {fmt(t, 3)}"
                for v, w, r, rh, t in zip(log.v_hat, weights, log.rewards, log.r_hat, terms, strict=True)
            )
            + "."
        )
        lines.append(f"V̂_DR = mean of those = {fmt(sum(terms), 4)} / {n} = **{fmt(found['right'], 4)}**")
        lines.append(
            f"The model alone (direct method) says {fmt(found['direct_method'], 3)}; IPS alone says "
            f"{fmt(found['ips'], 3)}. DR starts from the model and adds the importance-weighted error of the model on "
            "what was actually observed, so it stays unbiased if either the propensities or the reward model are "
            "right, and its variance is lower than IPS's when the model is good."
        )
    return "\n\n".join(lines)
