"""`ab-test`: sample size, two-proportion z-test p-value, and Bonferroni correction for conversion tests.

Sample size per arm uses the two-sided, unpooled-variance normal approximation
n = (z₁₋α/₂ + z₁₋β)² · (p₁(1 − p₁) + p₂(1 − p₂)) / (p₂ − p₁)², rounded up; answers within 2 % are
accepted, which covers rounded z values (1.96, 0.84) and the pooled-variance variant (they differ by
< 1.2 % for lifts up to 30 %). The p-value is the classic pooled two-proportion z-test, two-sided.
Bonferroni asks the per-test alpha and how many of m p-values survive it. The normal quantiles and tail
areas are ``scipy.stats.norm``'s floats computed without importing scipy (``generators._stats``); the tests
rebuild every instance with scipy itself and re-derive the values with ``math.erf``-based formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators._stats import norm_ppf, norm_sf
from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["sample_size", "p_value", "bonferroni"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # "a new checkout page"
    metric: str  # "checkout conversion"
    unit: str  # "visitors"
    baseline: tuple[float, float]


SCENARIOS = (
    Scenario(
        "A retailer tests a one-page checkout against the current three-step flow",
        "checkout conversion",
        "visitors",
        (0.02, 0.05),
    ),
    Scenario("A newsletter team tests a new sign-up modal", "sign-up rate", "visitors", (0.06, 0.15)),
    Scenario(
        "A streaming service tests a new recommendation carousel",
        "click-through rate",
        "sessions",
        (0.01, 0.04),
    ),
    Scenario(
        "A SaaS company tests a new pricing page", "trial-to-paid conversion", "trial users", (0.10, 0.25)
    ),
    Scenario("A marketing team tests a new email subject line", "open rate", "recipients", (0.18, 0.35)),
)


class ABTestParams(Params):
    ask: Ask | None = None
    # Two-sided significance level (the family-wise level for ask="bonferroni"); None: by seed.
    alpha: Literal[0.01, 0.05, 0.1] | None = None
    power: Literal[0.8, 0.9] | None = None


def sample_size_per_arm(p1: float, p2: float, alpha: float, power: float) -> int:
    """Two-sided, unpooled normal approximation, rounded up (``scipy.stats.norm.ppf``'s z values)."""
    z = norm_ppf(1 - alpha / 2) + norm_ppf(power)
    return math.ceil(z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2)


def two_proportion_z(conv_a: int, n_a: int, conv_b: int, n_b: int) -> tuple[float, float]:
    """Pooled two-proportion z statistic (B − A) and its two-sided p-value (as ``scipy.stats.norm.sf``)."""
    pooled = (conv_a + conv_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (conv_b / n_b - conv_a / n_a) / se
    return z, float(2 * norm_sf(abs(z)))


def bonferroni(p_values: list[float], alpha: float) -> tuple[float, int]:
    """Per-test level α/m and how many p-values fall below it (ties excluded by construction)."""
    threshold = alpha / len(p_values)
    return threshold, int(np.count_nonzero(np.asarray(p_values) < threshold))


def _pct(x: float, digits: int = 2) -> str:
    return f"{fmt(x * 100, digits)}%"


class ABTest(Generator):
    name = "ab-test"
    title = "A/B tests: sample size, z-test, Bonferroni"
    description = (
        "Per-arm sample size for a conversion test (baseline, minimum detectable effect, alpha, power), the "
        "two-sided p-value of a two-proportion z-test, and a Bonferroni correction over several comparisons."
    )
    Params = ABTestParams
    topics = ("statistics", "experimentation", "ab-testing")

    def make(self, rng: np.random.Generator, seed: int, params: ABTestParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "sample_size":
            return self._sample_size(rng, seed, params, scenario)
        if ask == "p_value":
            return self._p_value(rng, seed, params, scenario)
        return self._bonferroni(rng, seed, params, scenario)

    def _sample_size(
        self, rng: np.random.Generator, seed: int, params: ABTestParams, scenario: Scenario
    ) -> Problem:
        p1 = round(float(rng.uniform(*scenario.baseline)), 3)
        alpha = float(params.alpha or rng.choice([0.05, 0.05, 0.01, 0.1]))
        power = float(params.power or rng.choice([0.8, 0.8, 0.9]))
        if rng.random() < 0.6:
            lift = float(rng.choice([0.05, 0.1, 0.15, 0.2]))
            p2 = p1 * (1 + lift)
            mde = f"a **{fmt(lift * 100)}% relative lift** (from {_pct(p1, 1)} to {_pct(p2, 3)})"
        else:
            delta = (
                float(rng.choice([0.005, 0.01, 0.02])) if p1 >= 0.05 else float(rng.choice([0.0025, 0.005]))
            )
            p2 = p1 + delta
            mde = f"an **absolute increase of {fmt(delta * 100, 2)} percentage points** (to {_pct(p2, 3)})"
        value = sample_size_per_arm(p1, p2, alpha, power)
        z_a, z_b = norm_ppf(1 - alpha / 2), norm_ppf(power)
        prompt = (
            f"{scenario.context}. The current {scenario.metric} is **{_pct(p1, 1)}**. The team wants to detect "
            f"{mde} with a two-sided test at **α = {fmt(alpha)}** and **{fmt(power * 100)}% power**.\n\n"
            f"How many {scenario.unit} are needed **per arm**? Use n = (z₁₋α/₂ + z₁₋β)² · (p₁(1−p₁) + p₂(1−p₂)) / "
            "(p₂ − p₁)² and round up. Answers within 2% count."
        )
        variance = p1 * (1 - p1) + p2 * (1 - p2)
        solution = "\n\n".join(
            [
                f"p₁ = {fmt(p1, 5)}, p₂ = {fmt(p2, 5)}, difference δ = {fmt(p2 - p1, 5)}.",
                f"z₁₋α/₂ = z_{fmt(1 - alpha / 2, 3)} = {fmt(z_a, 3)}; z₁₋β = z_{fmt(power, 2)} = {fmt(z_b, 3)}; "
                f"sum² = {fmt((z_a + z_b) ** 2, 3)}.",
                f"p₁(1−p₁) + p₂(1−p₂) = {fmt(p1 * (1 - p1), 5)} + {fmt(p2 * (1 - p2), 5)} = {fmt(variance, 5)}.",
                f"n = {fmt((z_a + z_b) ** 2, 3)} × {fmt(variance, 5)} / {fmt(p2 - p1, 5)}² = "
                f"{fmt((z_a + z_b) ** 2 * variance / (p2 - p1) ** 2, 1)} → **{value:,}** per arm "
                f"({2 * value:,} in total).",
                "n grows with 1/δ²: halving the detectable effect quadruples the traffic. Small baselines need "
                "huge samples for the same relative lift, which is why MDE is negotiated before the test.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="per-arm sample size?",
                    answer=NumberAnswer(value, tolerance=0, rel_tolerance=0.02, unit=scenario.unit),
                ),
            ),
            solution=solution,
            data={
                "ask": "sample_size",
                "baseline": p1,
                "target": p2,
                "alpha": alpha,
                "power": power,
                "formula": "unpooled",
                "n_per_arm": value,
            },
        )

    def _p_value(
        self, rng: np.random.Generator, seed: int, params: ABTestParams, scenario: Scenario
    ) -> Problem:
        for _ in range(200):  # p-values in [0.002, 0.8]: not so tiny that "0" is within tolerance
            n_a = int(rng.integers(20, 401)) * 100
            n_b = n_a + int(rng.integers(-5, 6)) * 10
            rate = float(rng.uniform(*scenario.baseline))
            se = math.sqrt(2 * rate * (1 - rate) / n_a)
            lift = float(rng.normal(0, 2.2)) * se  # a true difference of ~0-4 standard errors
            conv_a = int(rng.binomial(n_a, rate))
            conv_b = int(rng.binomial(n_b, min(max(rate + lift, 0.001), 0.999)))
            z, p = two_proportion_z(conv_a, n_a, conv_b, n_b)
            if 0.002 <= p <= 0.8:
                break
        alpha = float(params.alpha or 0.05)
        table = Table(
            headers=("arm", scenario.unit, "conversions", "rate"),
            rows=(
                ("A (control)", f"{n_a:,}", f"{conv_a:,}", _pct(conv_a / n_a, 3)),
                ("B (variant)", f"{n_b:,}", f"{conv_b:,}", _pct(conv_b / n_b, 3)),
            ),
            title=scenario.metric,
        )
        prompt = (
            f"{scenario.context}. After the test, the counts are below.\n\n"
            "What is the **two-sided p-value** of the pooled two-proportion z-test? Answer to 2 significant figures."
        )
        pooled = (conv_a + conv_b) / (n_a + n_b)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        significant = p < alpha
        solution = "\n\n".join(
            [
                f"Rates: p̂_A = {conv_a} / {n_a} = {fmt(conv_a / n_a, 5)}, p̂_B = {conv_b} / {n_b} = {fmt(conv_b / n_b, 5)}.",
                f"Pooled rate p̂ = ({conv_a} + {conv_b}) / ({n_a} + {n_b}) = {fmt(pooled, 5)}.",
                f"SE = √(p̂(1 − p̂)(1/n_A + 1/n_B)) = {fmt(se, 6)}.",
                f"z = (p̂_B − p̂_A) / SE = {fmt(conv_b / n_b - conv_a / n_a, 5)} / {fmt(se, 6)} = {fmt(z, 3)}.",
                f"p = 2·(1 − Φ(|z|)) = **{fmt(p)}**: {'significant' if significant else 'not significant'} at "
                f"α = {fmt(alpha)}.",
                "The pooled SE is the null hypothesis's SE (both arms share one rate); confidence intervals use the "
                "unpooled one. A p-value is not the probability that B is better.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="p-value?", answer=NumberAnswer(p, significant=2)),),
            solution=solution,
            data={
                "ask": "p_value",
                "n_a": n_a,
                "conversions_a": conv_a,
                "n_b": n_b,
                "conversions_b": conv_b,
                "z": z,
                "p_value": p,
            },
            table=table,
        )

    def _bonferroni(
        self, rng: np.random.Generator, seed: int, params: ABTestParams, scenario: Scenario
    ) -> Problem:
        alpha = float(params.alpha or rng.choice([0.05, 0.05, 0.1]))
        setting = str(rng.choice(["variants", "metrics", "segments"]))
        m = int(
            rng.choice({"variants": [3, 4, 5], "metrics": [4, 5, 6, 8], "segments": [5, 6, 8, 10]}[setting])
        )
        threshold = alpha / m
        p_values = _p_values(rng, m, alpha, threshold)
        per_test, count = bonferroni(p_values, alpha)
        names = {
            "variants": [f"variant {chr(ord('B') + i)} vs control" for i in range(m)],
            "metrics": [f"metric {i + 1}" for i in range(m)],
            "segments": [f"segment {i + 1}" for i in range(m)],
        }[setting]
        what = {
            "variants": f"compares {m} variants against one control on {scenario.metric}",
            "metrics": f"reports {m} metrics for one variant against control",
            "segments": f"reports the effect on {scenario.metric} in {m} country segments",
        }[setting]
        table = Table(
            headers=("comparison", "p-value"),
            rows=tuple((name, fmt(p, 4)) for name, p in zip(names, p_values, strict=True)),
            title=f"{m} tests",
        )
        prompt = (
            f"{scenario.context}; the analysis {what}. The team wants a family-wise error rate of "
            f"**α = {fmt(alpha)}** and uses the **Bonferroni** correction.\n\n"
            "Part 1: what significance level must each individual test meet (to 2 significant figures)? "
            "Part 2: how many of the comparisons below are significant after the correction? "
            "Answer both, separated by ';'."
        )
        nominal = sum(p < alpha for p in p_values)
        solution = "\n\n".join(
            [
                f"Bonferroni: test each of the m = {m} hypotheses at α/m = {fmt(alpha)} / {m} = **{fmt(per_test, 6)}**.",
                "Below it: "
                + (
                    ", ".join(
                        f"{n} (p = {fmt(p, 4)})"
                        for n, p in zip(names, p_values, strict=True)
                        if p < threshold
                    )
                    or "none"
                )
                + f" → **{count}** significant.",
                f"Without correction {nominal} would look significant at {fmt(alpha)}. With {m} independent tests at "
                f"{fmt(alpha)} the chance of at least one false positive is 1 − (1 − {fmt(alpha)})^{m} = "
                f"{fmt(1 - (1 - alpha) ** m, 3)}; Bonferroni caps it at {fmt(alpha)} but is conservative (Holm is "
                "uniformly more powerful; Benjamini-Hochberg controls the FDR instead).",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt="per-test alpha?", answer=NumberAnswer(per_test, significant=2)),
                Part(prompt="how many significant?", answer=NumberAnswer(count, tolerance=0)),
            ),
            solution=solution,
            data={
                "ask": "bonferroni",
                "alpha": alpha,
                "m": m,
                "comparisons": names,
                "p_values": p_values,
                "per_test_alpha": per_test,
                "significant": count,
            },
            table=table,
        )


def _p_values(rng: np.random.Generator, m: int, alpha: float, threshold: float) -> list[float]:
    """m p-values (4 decimals) none within 15% of α/m; at least one passes only without the correction."""
    while True:
        kinds = rng.choice(["strong", "trap", "null"], size=m, p=[0.3, 0.3, 0.4])
        kinds[0] = "trap"  # significant at α, but not after Bonferroni: the point of the question
        values = []
        for kind in kinds:
            if kind == "strong":
                values.append(float(rng.uniform(0.0001, threshold * 0.85)))
            elif kind == "trap":
                values.append(float(rng.uniform(threshold * 1.15, alpha * 0.95)))
            else:
                values.append(float(rng.uniform(alpha, 0.95)))
        values = [round(v, 4) for v in values]
        clear = all(abs(v - threshold) > 0.15 * threshold and v > 0 for v in values)
        if clear:
            order = rng.permutation(m)
            return [values[i] for i in order]
