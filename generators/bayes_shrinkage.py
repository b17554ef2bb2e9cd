"""`bayes-shrinkage`: Bayesian estimates that pull noisy numbers toward a prior.

What a data scientist computes when a few observations should not be taken at face value: a new item's mean
with a prior from similar items, many small groups estimated together, items ranked with few ratings, and two
variants compared with Beta posteriors. Each prompt states its model and conventions.

| ask               | answer                                                          | mistakes the numbers are drawn to expose |
|-------------------|-----------------------------------------------------------------|-------------------------------------------|
| `normal-normal`   | posterior mean (μ₀/τ₀² + n·x̄/σ²) / (1/τ₀² + n/σ²); posterior sd 1/√(1/τ₀² + n/σ²) | weights 1 : n (the prior as one observation); σ² in place of σ²/n; the plain average (μ₀ + x̄)/2; no pooling x̄; sd = σ/√n (the prior ignored) |
| `partial-pooling` | B·μ + (1 − B)·ȳⱼ with B = (σ²/nⱼ) / (σ²/nⱼ + τ²); and which group moves furthest | B inverted; no pooling ȳⱼ; complete pooling μ; for the move: the smallest group or the group furthest from μ (each is the key in only some instances) |
| `bayes-average`   | the item with the highest (C·m + n·x̄) / (C + n), and that score | the raw-mean leader; the most-rated item; the raw mean as the score; C and n swapped; (m + x̄)/2 |
| `beta-ab`         | P(p_B > p_A) under Beta posteriors, exact (Evan Miller's sum)    | the one-sided p-value of the pooled z-test, and 1 minus it; 1 or 0 from comparing posterior means only; the stated prior ignored (Beta(1, 1) used) |
| `expected-loss`   | E[max(p_A − p_B, 0)] in percentage points: m_A·P(p_A⁺ > p_B) − m_B·P(p_A > p_B⁺), ⁺ = one more success | the other direction E[max(p_B − p_A, 0)]; the gap of posterior means max(m_A − m_B, 0); the stated prior ignored |

Every numeric slip lands at least ten answer tolerances from the answer (``GAP_2DP``, ``GAP_3DP``), except the
Bayesian average's score, where three (``GAP_SCORE``) keep instances whose leader has many ratings (its raw
mean then sits close to its score); the choice parts have a clear winner. The ``partial-pooling`` and ``bayes-average`` instances are drawn by case so that the obvious
heuristic (the smallest group moves most; the most-rated item wins; the raw leader wins) is right in only some
of them.

The Beta comparison is the closed form for integer parameters (Evan Miller 2015, "Formulas for Bayesian A/B
Testing"):

    P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i)·B(1 + i, β_B)·B(α_A, β_A)),

each term a positive number computed with ``math.lgamma`` in log space, so it is exact to float precision and
needs no integration; α_B stays below a few hundred. The expected loss of choosing B (Chris Stucchio 2014,
"Easy evaluation of decision rules in Bayesian A/B testing") reuses it: x times a Beta(α, β) density is α/(α + β) times the Beta(α + 1, β) density, so each half of
E[p_A·1{p_A > p_B}] − E[p_B·1{p_A > p_B}] is a posterior mean times one more such probability.

With an informative prior, ignoring it is always one of the slips the numbers expose: instances where Beta(1, 1)
gives nearly the same answer are redrawn, so the stated prior matters in every instance that states one. The
z-test's 1 − p is a slip too: under a flat prior with large samples it often lands within a tolerance of
P(p_B > p_A) (both are roughly Φ of the standardised gap), which would let a learner who never computed the
posterior pass; instances where it lands within ``GAP_3DP`` are redrawn, and the solution says why the two differ.

References: Gelman et al., BDA3 ch. 2 (normal-normal) and ch. 5 (hierarchical models, the 8 schools of Rubin
1981); Efron & Morris 1975 (Data analysis using Stein's estimator); Evan Miller 2012 (Bayesian average
ratings) and 2015; Chris Stucchio 2014. The tests recompute with
``scipy.stats`` (a grid posterior, numerical integration of the Beta densities) and exact fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators._stats import norm_sf
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

Ask = Literal["normal-normal", "partial-pooling", "bayes-average", "beta-ab", "expected-loss"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

GAP_2DP = 0.1  # slips in answers asked to 2 decimals land at least ten tolerances away
GAP_3DP = 0.01  # the same for answers asked to 3 decimals
GAP_SCORE = 0.03  # the Bayesian average's score (2 decimals): three tolerances, see the module docstring
CHOICE_MARGIN = (
    0.05  # the winner of a choice part beats the runner-up by at least this (in the answer's units)
)


class BayesShrinkageParams(Params):
    ask: Ask | None = None


# ── the estimates ─────────────────────────────────────────────────────────────────────────────────


def normal_posterior(mu0: float, tau0: float, sigma: float, n: int, xbar: float) -> tuple[float, float]:
    """Posterior mean and sd of a normal mean with known noise: precisions add, means average by precision."""
    prior_precision, data_precision = 1 / tau0**2, n / sigma**2
    precision = prior_precision + data_precision
    mean = (prior_precision * mu0 + data_precision * xbar) / precision
    return mean, 1 / math.sqrt(precision)


def shrinkage_factor(sigma: float, n: int, tau: float) -> float:
    """B = (σ²/n) / (σ²/n + τ²): the weight the grand mean gets; a small or noisy group leans on it more."""
    noise = sigma**2 / n
    return noise / (noise + tau**2)


def bayes_average(c: float, m: float, n: int, mean: float) -> float:
    """(C·m + n·x̄) / (C + n): the item's ratings plus C phantom ratings of m."""
    return (c * m + n * mean) / (c + n)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def prob_b_beats_a(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """P(p_B > p_A) for p_A ~ Beta(α_A, β_A), p_B ~ Beta(α_B, β_B), integer α_B (Evan Miller 2015)."""
    base = _log_beta(alpha_a, beta_a)
    return math.fsum(
        math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b) - math.log(beta_b + i) - _log_beta(1 + i, beta_b) - base
        )
        for i in range(alpha_b)
    )


def expected_loss_of_b(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """E[max(p_A − p_B, 0)]: m_A·P(p_A⁺ > p_B) − m_B·P(p_A > p_B⁺), where ⁺ adds one to α (x·Beta(α, β)'s
    density is α/(α + β) times Beta(α + 1, β)'s), each probability one more exact sum."""
    mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
    a_plus_wins = 1 - prob_b_beats_a(alpha_a + 1, beta_a, alpha_b, beta_b)
    a_wins_plus = 1 - prob_b_beats_a(alpha_a, beta_a, alpha_b + 1, beta_b)
    return mean_a * a_plus_wins - mean_b * a_wins_plus


def pooled_z_p_value(k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    """One-sided p-value of the pooled two-proportion z-test for H₁: p_B > p_A (the frequentist slip)."""
    pooled = (k_a + k_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return norm_sf((k_b / n_b - k_a / n_a) / se)


# ── scenarios ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class MeanScenario:
    setting: str  # "A delivery platform has opened a new route"
    quantity: str  # "the route's mean delivery time"
    one: str  # "delivery"
    many: str  # "deliveries"
    each: str  # "Each delivery's time": one observation
    prior_from: str  # "its other routes"
    unit: str  # "min"
    mu0: tuple[int, int]  # prior mean range
    tau0: tuple[int, ...]  # prior sd choices
    sigma: tuple[int, ...]  # per-observation noise sd choices


MEAN_SCENARIOS = (
    MeanScenario(
        "A delivery platform has opened a new route",
        "the route's mean delivery time",
        "delivery",
        "deliveries",
        "Each delivery's time",
        "its other routes in the city",
        "min",
        (28, 45),
        (3, 4, 5, 6),
        (8, 10, 12, 15),
    ),
    MeanScenario(
        "An ML team has moved a model to a new server type",
        "the model's mean inference latency on it",
        "request",
        "requests",
        "Each request's latency",
        "the server types it has benchmarked before",
        "ms",
        (80, 140),
        (6, 8, 10, 12),
        (15, 20, 25, 30),
    ),
    MeanScenario(
        "A retailer has opened a new store",
        "the store's mean basket value",
        "basket",
        "baskets",
        "Each basket's value",
        "its existing stores",
        "€",
        (35, 60),
        (3, 4, 5, 6),
        (12, 15, 18, 20),
    ),
    MeanScenario(
        "A lab is measuring a new batch of a reference solution",
        "the batch's true concentration",
        "measurement",
        "measurements",
        "Each measurement",
        "the previous batches",
        "mg/L",
        (50, 90),
        (2, 3, 4),
        (5, 6, 8),
    ),
)


@dataclass(frozen=True, slots=True)
class GroupScenario:
    setting: str  # what the groups measured
    group: str  # "school"
    groups: str  # "schools"
    quantity: str  # "mean score gain"
    members: str  # "students"
    unit: str  # "points"
    names: tuple[str, ...]
    mu: tuple[int, int]
    tau: tuple[int, ...]
    sigma: tuple[int, ...]
    sizes: tuple[int, ...]
    lowest: float | None = None  # a sample mean below this would be absurd (a negative length of stay)


GROUP_SCENARIOS = (
    GroupScenario(
        "A tutoring programme ran in several schools; each school reports the mean test-score gain of its "
        "tutored students",
        "school",
        "schools",
        "mean score gain",
        "students",
        "points",
        ("Ashford", "Brookside", "Carlton", "Dunmore", "Elmwood", "Fairview", "Glenhill", "Hartley"),
        (5, 12),
        (3, 4, 5, 6),
        (10, 12, 15, 20),
        (4, 6, 8, 10, 15, 20, 30, 40, 60),
    ),
    GroupScenario(
        "A chain trialled a promotion in several stores; each store reports the mean daily sales uplift",
        "store",
        "stores",
        "mean daily uplift",
        "trial days",
        "€k",
        ("Harbour St", "Market Sq", "Station Rd", "Mill Lane", "Park Ave", "Castle St", "Bridge Rd"),
        (3, 8),
        (2, 3, 4),
        (6, 8, 10, 12),
        (3, 5, 7, 10, 14, 21, 28, 42),
    ),
    GroupScenario(
        "An online shop ran several ad campaigns; each reports the mean order value of the orders it brought",
        "campaign",
        "campaigns",
        "mean order value",
        "orders",
        "€",
        ("Spring", "Summer", "Back-to-school", "Autumn", "Black Friday", "Winter", "Loyalty"),
        (40, 60),
        (3, 4, 5, 6),
        (15, 20, 25, 30),
        (5, 8, 12, 20, 30, 50, 80, 120),
        5.0,
    ),
    GroupScenario(
        "A hospital group compares its wards; each ward reports the mean length of stay of its patients "
        "admitted for one condition",
        "ward",
        "wards",
        "mean length of stay",
        "patients",
        "days",
        ("North", "South", "East", "West", "Central", "Riverside", "Hillside"),
        (4, 7),
        (2, 3),
        (4, 5, 6),
        (3, 5, 8, 12, 20, 30, 50),
        1.0,
    ),
)


@dataclass(frozen=True, slots=True)
class RatingScenario:
    site: str  # "A restaurant guide"
    item: str  # "restaurant"
    items: str  # "restaurants"
    names: tuple[str, ...]


RATING_SCENARIOS = (
    RatingScenario(
        "A restaurant guide",
        "restaurant",
        "restaurants",
        (
            "Olive & Thyme",
            "The Copper Pot",
            "Saffron House",
            "Nori Bar",
            "Casa Verde",
            "Blue Fig",
            "Kettle Yard",
        ),
    ),
    RatingScenario(
        "A mobile app store",
        "app",
        "apps",
        ("NoteNest", "BudgetBee", "FitTrack", "SnapScan", "LinguaLoop", "SleepWell", "TaskTide"),
    ),
    RatingScenario(
        "An online bookshop",
        "novel",
        "novels",
        (
            "The Salt Road",
            "Glass Harbour",
            "Northern Lights",
            "A Quiet Orbit",
            "Ember Falls",
            "The Last Ferry",
        ),
    ),
    RatingScenario(
        "A podcast platform",
        "podcast",
        "podcasts",
        (
            "Data Over Coffee",
            "Signal & Noise",
            "The Long Tail",
            "Model Behaviour",
            "Edge Cases",
            "Deep Field",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class TestScenario:
    change: str  # "a redesigned checkout button"
    unit: str  # "visitors"
    event: str  # "completed a purchase"
    base: tuple[float, float]  # range of the control conversion rate


TEST_SCENARIOS = (
    TestScenario("a redesigned checkout button", "visitors", "completed a purchase", (0.03, 0.12)),
    TestScenario("a shorter onboarding email", "new users", "activated their account", (0.15, 0.35)),
    TestScenario("a new pricing page", "visitors", "started a trial", (0.04, 0.10)),
    TestScenario("a reworded push notification", "recipients", "opened the app", (0.08, 0.20)),
)


class BayesShrinkage(Generator):
    name = "bayes-shrinkage"
    title = "Bayesian shrinkage: normal-normal, partial pooling, Bayesian averages, Beta A/B"
    description = (
        "Estimates pulled toward a prior: a normal mean's posterior, partially pooled group means, the "
        "Bayesian average that ranks items with few ratings, and P(B beats A) and the expected loss of shipping B "
        "from Beta posteriors."
    )
    Params = BayesShrinkageParams
    topics = ("probability", "bayesian", "statistics", "ab-testing")

    def make(self, rng: np.random.Generator, seed: int, params: BayesShrinkageParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        make = {
            "normal-normal": self._normal_normal,
            "partial-pooling": self._partial_pooling,
            "bayes-average": self._bayes_average,
        }.get(ask)
        if make is None:  # beta-ab and expected-loss share the test they draw
            return self._beta_ab(rng, seed, params, ask)
        return make(rng, seed, params)

    # ── normal-normal ─────────────────────────────────────────────────────────────────────────────

    def _normal_normal(self, rng: np.random.Generator, seed: int, params: BayesShrinkageParams) -> Problem:
        s = MEAN_SCENARIOS[int(rng.integers(len(MEAN_SCENARIOS)))]
        for _ in range(MAX_DRAWS):
            mu0 = int(rng.integers(s.mu0[0], s.mu0[1] + 1))
            tau0 = int(rng.choice(s.tau0))
            sigma = int(rng.choice(s.sigma))
            n = int(rng.integers(3, 31))
            xbar = round(mu0 + float(rng.choice([-1, 1])) * float(rng.uniform(1.0, 3.0)) * tau0, 1)
            mean, sd = normal_posterior(mu0, tau0, sigma, n, xbar)
            weight = shrinkage_factor(sigma, n, tau0)  # the prior's share of the posterior mean
            mean_slips = _normal_mean_slips(mu0, tau0, sigma, n, xbar)
            sd_slips = _normal_sd_slips(tau0, sigma, n)
            if (
                0.15 <= weight <= 0.85
                and min(abs(mean - v) for v in mean_slips.values()) >= GAP_2DP
                and min(abs(sd - v) for v in sd_slips.values()) >= GAP_2DP
            ):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        u = s.unit
        prompt = (
            f"{s.setting}. You want {s.quantity}. From {s.prior_from}, your prior for it is normal with mean "
            f"**μ₀ = {mu0} {u}** and sd **τ₀ = {tau0} {u}**. {s.each} is that true mean plus independent "
            f"normal noise with known sd **σ = {sigma} {u}**. The first **n = {n}** {s.many} average "
            f"**x̄ = {fmt(xbar, 1)} {u}**.\n\n"
            f"With this conjugate normal model, what are the **posterior mean** and the **posterior sd** of "
            f"{s.quantity}? Answer both in {u} to 2 decimals, separated by ';'."
        )
        prior_precision, data_precision = 1 / tau0**2, n / sigma**2
        w_data = data_precision / (prior_precision + data_precision)
        lines = [
            f"Precisions add. Prior precision 1/τ₀² = 1/{tau0}² = {fmt(prior_precision, 5)}; the data's "
            f"precision is n/σ² = {n}/{sigma}² = {fmt(data_precision, 5)} (the mean of {n} {s.many} has "
            f"variance σ²/n = {fmt(sigma**2 / n, 4)}). Posterior precision = {fmt(prior_precision + data_precision, 5)}.",
            f"Posterior mean = precision-weighted average = ({fmt(prior_precision, 5)}·{mu0} + "
            f"{fmt(data_precision, 5)}·{fmt(xbar, 1)}) / {fmt(prior_precision + data_precision, 5)} = "
            f"{fmt(1 - w_data, 4)}·{mu0} + {fmt(w_data, 4)}·{fmt(xbar, 1)} = **{fmt(mean)}** {u}",
            f"Posterior sd = 1/√{fmt(prior_precision + data_precision, 5)} = **{fmt(sd)}** {u}",
            f"The slips: weighting prior and data 1 : n as if the prior were one {s.one} gives "
            f"{fmt(mean_slips['one_to_n'], 2)}; using σ² instead of σ²/n for the data's variance gives "
            f"{fmt(mean_slips['sigma_squared'], 2)} (the data count as one {s.one}); the plain average "
            f"(μ₀ + x̄)/2 gives {fmt(mean_slips['equal'], 2)}. The sd is not σ/√n = "
            f"{fmt(sd_slips['sigma_root_n'], 2)}: that ignores the prior, which adds information and makes the "
            "posterior narrower than either source alone.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("posterior mean?", NumberAnswer(mean, unit=u, decimals=2)),
                Part("posterior sd?", NumberAnswer(sd, unit=u, decimals=2)),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "normal-normal",
                "mu0": mu0,
                "tau0": tau0,
                "sigma": sigma,
                "n": n,
                "xbar": xbar,
                "posterior_mean": mean,
                "posterior_sd": sd,
                "mistakes": {"mean": mean_slips, "sd": sd_slips},
            },
        )

    # ── partial pooling ───────────────────────────────────────────────────────────────────────────

    def _partial_pooling(self, rng: np.random.Generator, seed: int, params: BayesShrinkageParams) -> Problem:
        s = GROUP_SCENARIOS[int(rng.integers(len(GROUP_SCENARIOS)))]
        case = str(rng.choice(["smallest", "furthest", "neither"]))
        for _ in range(MAX_DRAWS):
            count = int(rng.integers(5, 7))
            names = [s.names[i] for i in sorted(rng.choice(len(s.names), size=count, replace=False))]
            mu = int(rng.integers(s.mu[0], s.mu[1] + 1))
            tau = int(rng.choice(s.tau))
            sigma = int(rng.choice(s.sigma))
            sizes = [int(v) for v in rng.choice(s.sizes, size=count, replace=False)]
            means = [
                round(mu + float(rng.normal(0, math.sqrt(tau**2 + sigma**2 / size))), 1) for size in sizes
            ]
            shrink = [shrinkage_factor(sigma, size, tau) for size in sizes]
            moves = [b * abs(y - mu) for b, y in zip(shrink, means, strict=True)]
            order = sorted(range(count), key=lambda j: -moves[j])
            top = order[0]
            smallest = min(range(count), key=lambda j: sizes[j])
            furthest = max(range(count), key=lambda j: abs(means[j] - mu))
            if moves[top] - moves[order[1]] < CHOICE_MARGIN * max(1.0, moves[top]):
                continue
            if len({abs(y - mu) for y in means}) < count or (s.lowest is not None and min(means) < s.lowest):
                continue
            if {
                "smallest": top == smallest and top != furthest,
                "furthest": top == furthest and top != smallest,
                "neither": top not in (smallest, furthest),
            }[case] is False:
                continue
            asked = int(rng.integers(count))
            estimate = shrink[asked] * mu + (1 - shrink[asked]) * means[asked]
            slips = _pooling_slips(mu, means[asked], shrink[asked])
            if 0.1 <= shrink[asked] <= 0.9 and min(abs(estimate - v) for v in slips.values()) >= GAP_2DP:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        u = s.unit
        estimates = [b * mu + (1 - b) * y for b, y in zip(shrink, means, strict=True)]
        table = Table(
            headers=(s.group.capitalize(), f"{s.members} (n)", f"{s.quantity} ({u})"),
            rows=tuple(
                (name, str(size), fmt(y, 1)) for name, size, y in zip(names, sizes, means, strict=True)
            ),
            title=f"results by {s.group}",
        )
        prompt = (
            f"{s.setting} (table). Model: each {s.group}'s true {s.quantity} is drawn from a normal with grand "
            f"mean **μ = {mu} {u}** and between-{s.group} sd **τ = {tau} {u}**; each of its {s.members} varies "
            f"around it with known within-{s.group} sd **σ = {sigma} {u}**, so a {s.group}'s sample mean has "
            f"variance σ²/n. Treat μ and τ as known.\n\n"
            f"1. What is the partially pooled (posterior mean) estimate of **{names[asked]}**'s true "
            f"{s.quantity}? Answer in {u} to 2 decimals.\n"
            f"2. Which {s.group}'s estimate moves furthest from its own sample mean when pooled?\n\n"
            "Separate the two answers with ';'."
        )
        feedback = {}
        for j in range(count):
            if j == top:
                continue
            text = (
                f"{names[j]} moves B·|ȳ − μ| = {fmt(shrink[j], 3)}·{fmt(abs(means[j] - mu), 1)} = "
                f"{fmt(moves[j], 2)} {u}, less than {names[top]}'s {fmt(moves[top], 2)}"
            )
            if j == smallest:
                text += f": it has the fewest {s.members}, but its mean sits only {fmt(abs(means[j] - mu), 1)} from μ"
            elif j == furthest:
                text += (
                    f": its mean is furthest from μ, but {sizes[j]} {s.members} make it trusted (B is small)"
                )
            feedback[_row(j)] = text + "."
        grid = "\n".join(
            [
                f"| {s.group} | n | σ²/n | B | ȳ | estimate | move |",
                "|---|---|---|---|---|---|---|",
                *(
                    f"| {names[j]} | {sizes[j]} | {fmt(sigma**2 / sizes[j], 2)} | {fmt(shrink[j], 3)} | "
                    f"{fmt(means[j], 1)} | {fmt(estimates[j], 2)} | {fmt(moves[j], 2)} |"
                    for j in range(count)
                ),
            ]
        )
        a = asked
        lines = [
            f"Each {s.group}'s shrinkage factor is B = (σ²/n) / (σ²/n + τ²), the share of weight the grand mean "
            f"gets; τ² = {tau**2}, σ² = {sigma**2}. The estimate is B·μ + (1 − B)·ȳ, and it moves B·|ȳ − μ|:",
            grid,
            f"{names[a]}: B = {fmt(sigma**2 / sizes[a], 4)} / ({fmt(sigma**2 / sizes[a], 4)} + {tau**2}) = "
            f"{fmt(shrink[a], 4)}, estimate = {fmt(shrink[a], 4)}·{mu} + {fmt(1 - shrink[a], 4)}·"
            f"{fmt(means[a], 1)} = **{fmt(estimate)}** {u}",
            f"Furthest move: **{names[top]}** ({fmt(moves[top], 2)} {u}). How far a {s.group} moves depends on "
            f"both how noisy its mean is (B) and how far it sits from μ: the {s.group} with the fewest "
            f"{s.members} is {names[smallest]}, the one furthest from μ is {names[furthest]}.",
            f"The slips for {names[a]}: B inverted ((1 − B)·μ + B·ȳ) gives {fmt(slips['inverted'], 2)}; no "
            f"pooling keeps ȳ = {fmt(means[a], 1)}; complete pooling gives every {s.group} μ = {mu}.",
        ]
        options = tuple(Option(_row(j), name) for j, name in enumerate(names))
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(f"estimate for {names[asked]}?", NumberAnswer(estimate, unit=u, decimals=2)),
                Part("moves furthest?", ChoiceAnswer(options=options, correct=_row(top), feedback=feedback)),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "partial-pooling",
                "case": case,
                "names": names,
                "sizes": sizes,
                "means": means,
                "mu": mu,
                "tau": tau,
                "sigma": sigma,
                "asked": asked,
                "estimate": estimate,
                "top": names[top],
                "smallest": names[smallest],
                "furthest": names[furthest],
                "mistakes": slips,
            },
            table=table,
        )

    # ── Bayesian average ──────────────────────────────────────────────────────────────────────────

    def _bayes_average(self, rng: np.random.Generator, seed: int, params: BayesShrinkageParams) -> Problem:
        s = RATING_SCENARIOS[int(rng.integers(len(RATING_SCENARIOS)))]
        agree = bool(rng.random() < 0.4)  # in the rest, the raw-mean leader is not the Bayesian leader
        for _ in range(MAX_DRAWS):
            count = int(rng.integers(4, 6))
            names = [s.names[i] for i in sorted(rng.choice(len(s.names), size=count, replace=False))]
            c = int(rng.choice([5, 10, 15, 20, 25, 50]))
            m = round(float(rng.uniform(3.4, 4.0)), 1)
            sizes = [int(round(math.exp(rng.uniform(math.log(2), math.log(2500))))) for _ in range(count)]
            raw = [
                round(float(rng.uniform(4.2, 5.0) if n < 3 * c else rng.uniform(3.5, 4.8)), 2) for n in sizes
            ]
            scores = [bayes_average(c, m, n, x) for n, x in zip(sizes, raw, strict=True)]
            order = sorted(range(count), key=lambda j: -scores[j])
            top = order[0]
            raw_top = max(range(count), key=lambda j: raw[j])
            most = max(range(count), key=lambda j: sizes[j])
            if len(set(raw)) < count or len(set(sizes)) < count:
                continue
            if scores[top] - scores[order[1]] < 0.02 or sorted(raw)[-1] - sorted(raw)[-2] < 0.02:
                continue
            if (top == raw_top) != agree or (agree and top == most):
                continue  # agreeing instances where the most-rated item also leads teach nothing
            slips = _rating_slips(c, m, sizes[top], raw[top])
            if min(abs(scores[top] - v) for v in slips.values()) >= GAP_SCORE:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=(s.item.capitalize(), "ratings (n)", "mean rating (x̄)"),
            rows=tuple((name, f"{n:,}", f"{x:.2f}") for name, n, x in zip(names, sizes, raw, strict=True)),
            title=f"{s.items} and their 1-5 star ratings",
        )
        prompt = (
            f"{s.site} ranks {s.items} by a Bayesian average: each {s.item}'s n ratings with mean x̄ are "
            f"combined with **C = {c}** phantom ratings at the site-wide mean **m = {fmt(m, 1)}** stars, "
            f"score = (C·m + n·x̄) / (C + n).\n\n"
            f"1. Which {s.item} in the table ranks first?\n"
            f"2. What is its score? Answer to 2 decimals.\n\n"
            "Separate the two answers with ';'."
        )
        feedback = {}
        for j in range(count):
            if j == top:
                continue
            text = f"{names[j]} scores {fmt(scores[j], 3)}, below {names[top]}'s {fmt(scores[top], 3)}"
            if j == raw_top:
                text += (
                    f": it has the best raw mean ({raw[j]:.2f}), but with fewer ratings ({sizes[j]:,} against "
                    f"{sizes[top]:,}) the C = {c} phantom ratings pull it further toward m"
                )
            elif j == most:
                text += f": it has the most ratings ({sizes[j]:,}), but its mean ({raw[j]:.2f}) is lower"
            feedback[_row(j)] = text + "."
        grid = "\n".join(
            [
                f"| {s.item} | n | x̄ | (C·m + n·x̄) / (C + n) |",
                "|---|---|---|---|",
                *(
                    f"| {names[j]} | {sizes[j]:,} | {raw[j]:.2f} | ({c}·{fmt(m, 1)} + {sizes[j]}·{raw[j]:.2f}) / "
                    f"{c + sizes[j]} = {fmt(scores[j], 3)} |"
                    for j in order
                ),
            ]
        )
        if agree:
            verdict = (
                f"Here the raw ranking agrees: {names[top]} also has the best raw mean, far enough ahead to keep "
                f"the lead once its {sizes[top]:,} ratings are pulled toward m; the most-rated {s.item}, "
                f"{names[most]}, does not win."
            )
        else:
            verdict = (
                f"The raw ranking would put {names[raw_top]} first ({raw[raw_top]:.2f} from {sizes[raw_top]:,} "
                f"ratings): with fewer ratings than {names[top]} ({sizes[top]:,}), it is pulled further toward m, "
                f"to {fmt(scores[raw_top], 3)}."
            )
        lines = [
            f"Each score adds C = {c} ratings of m = {fmt(m, 1)} to the {s.item}'s own; the weight of its own mean "
            f"is n / (C + n), so {s.items} with few ratings sit near m:",
            grid,
            f"First: **{names[top]}**, score **{fmt(scores[top])}**",
            verdict,
            f"Slips for the score: the raw mean {raw[top]:.2f}; C and n swapped (n·m + C·x̄) / (C + n) = "
            f"{fmt(slips['swapped'], 2)}; (m + x̄)/2 = {fmt(slips['halfway'], 2)}.",
        ]
        options = tuple(Option(_row(j), name) for j, name in enumerate(names))
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("first?", ChoiceAnswer(options=options, correct=_row(top), feedback=feedback)),
                Part("its score?", NumberAnswer(scores[top], decimals=2)),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "bayes-average",
                "agree": agree,
                "names": names,
                "sizes": sizes,
                "raw": raw,
                "c": c,
                "m": m,
                "scores": scores,
                "top": names[top],
                "raw_top": names[raw_top],
                "most_rated": names[most],
                "mistakes": slips,
            },
            table=table,
        )

    # ── Beta A/B ──────────────────────────────────────────────────────────────────────────────────

    def _beta_ab(
        self, rng: np.random.Generator, seed: int, params: BayesShrinkageParams, ask: str
    ) -> Problem:
        s = TEST_SCENARIOS[int(rng.integers(len(TEST_SCENARIOS)))]
        flat = bool(rng.random() < 0.65)
        loss = ask == "expected-loss"
        for _ in range(MAX_DRAWS):
            base = float(rng.uniform(*s.base))
            if flat:
                a, b = 1, 1
            else:
                a = int(rng.choice([2, 3, 4, 5]))
                b = max(2, round(a * (1 - base) / base))
            n_a = int(rng.integers(4, 121)) * 10
            n_b = int(rng.integers(4, 121)) * 10
            lift = float(rng.uniform(-0.15, 0.35))
            k_a = int(rng.binomial(n_a, base))
            k_b = int(rng.binomial(n_b, min(0.95, base * (1 + lift))))
            if not (0 < k_a < n_a and 0 < k_b < n_b) or a + k_b > 400:
                continue
            post = (a + k_a, b + n_a - k_a, a + k_b, b + n_b - k_b)
            probability = prob_b_beats_a(*post)
            if loss:
                value = 100 * expected_loss_of_b(*post)
                slips = _loss_slips(a, b, k_a, n_a, k_b, n_b)
                wanted = value >= 0.02
            else:
                value = probability
                slips = _ab_slips(a, b, k_a, n_a, k_b, n_b)
                wanted = 0.03 <= value <= 0.97
            if wanted and far_from(value, slips.values(), GAP_3DP):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        alpha_a, beta_a, alpha_b, beta_b = post
        prior = (
            "a uniform **Beta(1, 1)** prior (a = b = 1)"
            if flat
            else f"a **Beta({a}, {b})** prior (a = {a}, b = {b}, from past tests of similar changes)"
        )
        table = Table(
            headers=("variant", s.unit, s.event),
            rows=(("A (control)", f"{n_a:,}", f"{k_a:,}"), ("B", f"{n_b:,}", f"{k_b:,}")),
            title="test results",
        )
        intro = (
            f"A product team tests {s.change}: variant A is the current version, B the new one (table). Each "
            f"variant's conversion rate gets {prior}, so its posterior is Beta(a + conversions, b + "
            f"non-conversions), the two independent."
        )
        if loss:
            question = (
                "The team will ship B only if the **expected loss of choosing B** is small: E[max(p_A − p_B, 0)], "
                "the conversion rate given up on average, counting only the cases where A is really better. "
                "Compute it exactly (not by simulation) and answer in percentage points (a loss of 0.0012 is "
                "0.12 pp) to 3 decimals."
            )
            part = Part("E[max(p_A − p_B, 0)] in pp?", NumberAnswer(value, unit="pp", decimals=3))
        else:
            question = (
                "What is the posterior probability that B's true rate is higher, **P(p_B > p_A)**? Compute it "
                "exactly (not by simulation) and answer to 3 decimals."
            )
            part = Part("P(p_B > p_A)?", NumberAnswer(value, decimals=3))
        mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
        lines = [
            f"Posteriors: p_A ~ Beta({a} + {k_a}, {b} + {n_a - k_a}) = Beta({alpha_a}, {beta_a}) and p_B ~ "
            f"Beta({a} + {k_b}, {b} + {n_b - k_b}) = Beta({alpha_b}, {beta_b}); posterior means "
            f"m_A = {fmt(mean_a, 5)} and m_B = {fmt(mean_b, 5)}.",
            "For integer α_B, P(p_B > p_A) is a finite sum (Evan Miller 2015): h(α_A, β_A, α_B, β_B) = "
            "Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i)·B(1 + i, β_B)·B(α_A, β_A)), with B the beta "
            "function. Compute each term through log-gamma (lgamma) to avoid overflow; all terms are positive.",
        ]
        lines += _loss_lines(post, value, slips) if loss else _probability_lines(post, value, slips, a, b)
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=(part,),
            solution="\n\n".join(lines),
            data={
                "ask": ask,
                "prior": [a, b],
                "n_a": n_a,
                "k_a": k_a,
                "n_b": n_b,
                "k_b": k_b,
                "probability": probability,
                "value": value,
                "mistakes": slips,
            },
            table=table,
        )


def _probability_lines(
    post: tuple[int, int, int, int], value: float, slips: dict[str, float], a: int, b: int
) -> list[str]:
    alpha_a, beta_a, alpha_b, beta_b = post
    mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
    lines = [
        f"Here α_B = {alpha_b}, so the sum has {alpha_b} terms (i = 0…{alpha_b - 1}); they add up to "
        f"P(p_B > p_A) = **{fmt(value)}**",
        f"It is how sure you can be, under this prior and model, that B's rate is higher at all; it says "
        f"nothing of by how much (a tiny but well-measured gain scores near 1): the expected loss weighs that. "
        f"Comparing posterior means only ({fmt(mean_b, 4)} vs {fmt(mean_a, 4)}) says which is ahead, not how "
        f"sure you can be: the answer would be {fmt(slips['means_only'])} if that were read as certainty.",
        f"Not the one-sided p-value of the pooled z-test ({fmt(slips['p_value'], 3)}): that is P(a z at least "
        f"this large | p_A = p_B), a statement about the data under no difference, not the probability that "
        f"p_B > p_A. Nor 1 − p ({fmt(slips['one_minus_p'], 3)}): with a flat prior and large samples the two "
        f"are often close (both are roughly Φ of the standardised gap), but the z-test's normal approximation "
        f"and its standard error pooled as if p_A = p_B are not the posterior; here 1 − p is off by "
        f"{fmt(abs(slips['one_minus_p'] - value), 3)}.",
    ]
    if "prior_ignored" in slips:
        lines.append(
            f"Ignoring the stated prior (Beta(1, 1) instead of Beta({a}, {b})) gives {fmt(slips['prior_ignored'], 3)}."
        )
    return lines


def _loss_lines(post: tuple[int, int, int, int], value: float, slips: dict[str, float]) -> list[str]:
    alpha_a, beta_a, alpha_b, beta_b = post
    mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
    a_plus_wins = 1 - prob_b_beats_a(alpha_a + 1, beta_a, alpha_b, beta_b)
    a_wins_plus = 1 - prob_b_beats_a(alpha_a, beta_a, alpha_b + 1, beta_b)
    lines = [
        "Split the loss: E[max(p_A − p_B, 0)] = E[p_A·1{p_A > p_B}] − E[p_B·1{p_A > p_B}]. A Beta(α, β) "
        "density times x is α/(α + β) times the Beta(α + 1, β) density, so E[p_A·1{p_A > p_B}] = "
        "m_A·P(p_A⁺ > p_B) with p_A⁺ ~ Beta(α_A + 1, β_A), and E[p_B·1{p_A > p_B}] = m_B·P(p_A > p_B⁺) with "
        "p_B⁺ ~ Beta(α_B + 1, β_B).",
        f"P(p_A⁺ > p_B) = 1 − h({alpha_a + 1}, {beta_a}, {alpha_b}, {beta_b}) = {fmt(a_plus_wins, 6)} and "
        f"P(p_A > p_B⁺) = 1 − h({alpha_a}, {beta_a}, {alpha_b + 1}, {beta_b}) = {fmt(a_wins_plus, 6)}.",
        f"Loss = {fmt(mean_a, 5)}·{fmt(a_plus_wins, 6)} − {fmt(mean_b, 5)}·{fmt(a_wins_plus, 6)} = "
        f"{fmt(value / 100, 7)} = **{fmt(value)}** pp",
        f"The other direction, E[max(p_B − p_A, 0)] (the loss of keeping A), is {fmt(slips['wrong_direction'], 3)} "
        f"pp: the two differ by exactly m_A − m_B. The gap of the posterior means alone, max(m_A − m_B, 0) = "
        f"{fmt(slips['means_only'], 3)} pp, ignores the uncertainty: B can lose even when its mean is ahead.",
    ]
    if "prior_ignored" in slips:
        lines.append(
            f"Ignoring the stated prior (Beta(1, 1) instead) gives {fmt(slips['prior_ignored'], 3)} pp."
        )
    return lines


def _row(index: int) -> str:
    """An option's machine name: its row in the table. The learner reads and types the item's own name (the
    label); naming the option by row keeps the key's name as uniform as its position, where item names drawn
    from each scenario's own list would let the scenario's words narrow the guess."""
    return f"row-{index + 1}"


def _normal_mean_slips(mu0: float, tau0: float, sigma: float, n: int, xbar: float) -> dict[str, float]:
    return {
        "one_to_n": (mu0 + n * xbar) / (n + 1),
        "sigma_squared": normal_posterior(mu0, tau0, sigma, 1, xbar)[0],
        "equal": (mu0 + xbar) / 2,
        "no_pooling": xbar,
        "prior": mu0,
    }


def _normal_sd_slips(tau0: float, sigma: float, n: int) -> dict[str, float]:
    return {
        "sigma_root_n": sigma / math.sqrt(n),
        "sigma_squared": normal_posterior(0, tau0, sigma, 1, 0)[1],
        "prior": tau0,
    }


def _pooling_slips(mu: float, ybar: float, shrink: float) -> dict[str, float]:
    return {"inverted": (1 - shrink) * mu + shrink * ybar, "no_pooling": ybar, "complete_pooling": mu}


def _rating_slips(c: int, m: float, n: int, mean: float) -> dict[str, float]:
    return {"raw": mean, "swapped": (n * m + c * mean) / (c + n), "halfway": (m + mean) / 2}


def _ab_slips(a: int, b: int, k_a: int, n_a: int, k_b: int, n_b: int) -> dict[str, float]:
    mean_a, mean_b = (a + k_a) / (a + b + n_a), (a + k_b) / (a + b + n_b)
    p_value = pooled_z_p_value(k_a, n_a, k_b, n_b)
    slips = {"p_value": p_value, "one_minus_p": 1 - p_value, "means_only": 1.0 if mean_b > mean_a else 0.0}
    if (a, b) != (1, 1):  # always a slip: the sampler redraws instances where the prior makes no difference
        slips["prior_ignored"] = prob_b_beats_a(1 + k_a, 1 + n_a - k_a, 1 + k_b, 1 + n_b - k_b)
    return slips


def _loss_slips(a: int, b: int, k_a: int, n_a: int, k_b: int, n_b: int) -> dict[str, float]:
    """In percentage points, as the answer."""
    post = (a + k_a, b + n_a - k_a, a + k_b, b + n_b - k_b)
    mean_a, mean_b = post[0] / (post[0] + post[1]), post[2] / (post[2] + post[3])
    loss = expected_loss_of_b(*post)
    slips = {"wrong_direction": 100 * (loss - mean_a + mean_b), "means_only": 100 * max(mean_a - mean_b, 0.0)}
    if (a, b) != (1, 1):  # always a slip: the sampler redraws instances where the prior makes no difference
        slips["prior_ignored"] = 100 * expected_loss_of_b(1 + k_a, 1 + n_a - k_a, 1 + k_b, 1 + n_b - k_b)
    return slips
