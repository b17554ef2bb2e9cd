"""`pca-variance`: explained-variance ratios and how many principal components to keep.

Questions: the share of variance explained by the first m components (or one component) given the
eigenvalues of the covariance / correlation matrix, or PCA's singular values (which must be squared
first); the smallest number of components reaching 90 / 95 / 99 %; and PC1's share for a pair of
correlated features given their 2×2 correlation or covariance matrix. Expected values are computed with
numpy from the instance's numbers; the tests realise each instance as a data set with exactly that
covariance and check ``sklearn.decomposition.PCA`` agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["ratio", "n_components", "correlated_pair"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
TARGETS = (0.9, 0.95, 0.99)
MARGIN = 0.003  # cumulative ratios stay this far from the target, so rounding can't flip the count
N_SAMPLES = 200  # rows in the (notional) data set; only matters when singular values are shown


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    standardised: bool


SCENARIOS = (
    Scenario("A lab runs PCA on a panel of {p} gene-expression assays, each standardised to unit variance", True),
    Scenario("A wearable produces {p} accelerometer features; they are standardised and fed to PCA", True),
    Scenario("Before segmenting customers, {p} standardised behavioural features go through PCA", True),
    Scenario("A quant team runs PCA on the daily returns of {p} related stocks (raw covariance, not standardised)",
             False),
    Scenario("An engineer runs PCA on {p} sensor channels in their raw units", False),
)


@dataclass(frozen=True, slots=True)
class PairScenario:
    context: str
    features: tuple[str, str]
    standardised: bool


PAIR_SCENARIOS = (
    PairScenario("A survey has two questions that measure similar things", ("Q1 score", "Q2 score"), True),
    PairScenario("A health study records two body measurements", ("height", "arm span"), True),
    PairScenario("An ops team monitors servers", ("CPU load", "memory use"), True),
    PairScenario("A marketing data set has two raw (unscaled) features", ("ad spend", "impressions"), False),
    PairScenario("A housing data set has two raw features", ("floor area", "rooms"), False),
)


class PCAVarianceParams(Params):
    ask: Ask | None = None
    # Share of variance to reach for ask="n_components" (None: 0.9, 0.95 or 0.99 by seed).
    target: Literal[0.9, 0.95, 0.99] | None = None


def explained_variance_ratio(eigenvalues: np.ndarray) -> np.ndarray:
    """λⱼ / Σλ: PCA's ``explained_variance_ratio_`` for a covariance matrix with these eigenvalues."""
    values = np.asarray(eigenvalues, dtype=float)
    return values / values.sum()


def components_for(eigenvalues: np.ndarray, target: float) -> int:
    """The smallest m whose first m components explain at least ``target`` of the variance."""
    cumulative = np.cumsum(explained_variance_ratio(eigenvalues))
    return int(np.argmax(cumulative >= target) + 1)


def realise(cov: np.ndarray, n: int, seed: int) -> np.ndarray:
    """An n × p data set whose sample covariance (ddof = 1) is exactly ``cov`` (used by the tests).

    Orthonormal, centred columns Q give QᵀQ = I, so X = √(n − 1)·Q·Lᵀ with L Lᵀ = cov has cov(X) = cov.
    """
    rng = np.random.default_rng(seed)
    p = cov.shape[0]
    z = rng.normal(size=(n, p))
    q, _ = np.linalg.qr(z - z.mean(axis=0))
    lower = np.linalg.cholesky(cov)
    return np.sqrt(n - 1) * q @ lower.T + rng.uniform(-5, 5, size=p)


def _spectrum(rng: np.random.Generator, p: int, standardised: bool) -> np.ndarray:
    """Distinct, decreasing eigenvalues with a realistic decay; they sum to p for a correlation matrix."""
    while True:
        decay = rng.uniform(0.3, 0.75)
        raw = decay ** np.arange(p) * rng.uniform(0.85, 1.15, p)
        raw = np.sort(raw)[::-1]
        scale = p if standardised else float(rng.choice([2.0, 10.0, 40.0]))
        values = np.round(raw / raw.sum() * scale, 2)
        if standardised:  # make the sum exactly p again after rounding, on the largest eigenvalue
            values[0] = round(p - values[1:].sum(), 2)
        if values[-1] >= 0.01 and np.all(np.diff(values) < 0):
            return values


class PCAVariance(Generator):
    name = "pca-variance"
    title = "PCA: explained variance and components to keep"
    description = (
        "Explained-variance ratios from eigenvalues or singular values, the number of components reaching "
        "90/95/99% of the variance, and PC1's share for two correlated features."
    )
    Params = PCAVarianceParams
    topics = ("unsupervised", "pca", "dimensionality-reduction")

    def make(self, rng: np.random.Generator, seed: int, params: PCAVarianceParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        if ask == "correlated_pair":
            return self._pair(rng, seed, params)
        return self._spectrum_question(rng, seed, params, ask)

    def _spectrum_question(self, rng: np.random.Generator, seed: int, params: PCAVarianceParams,
                           ask: str) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        p = int(rng.integers(4, 9))
        target = float(params.target or rng.choice(TARGETS))
        for attempt in range(200):
            eigenvalues = _spectrum(rng, p, scenario.standardised)
            shown_singular = bool(rng.random() < 0.25)
            if shown_singular:
                # Show PCA's singular_values_ (2 decimals); the variance they imply is s² / (n − 1).
                singular = np.round(np.sqrt(eigenvalues * (N_SAMPLES - 1)), 2)
                variances = singular**2
            else:
                singular, variances = None, eigenvalues
            cumulative = np.cumsum(explained_variance_ratio(variances))
            if ask != "n_components":
                break
            # No cumulative share near the target (rounding can't flip the count), and prefer instances where
            # the answer is not "all of them" (after many tries, accept it).
            clear = np.min(np.abs(cumulative[:-1] - target)) >= MARGIN
            if clear and (components_for(variances, target) < p or attempt >= 100):
                break
        ratios = explained_variance_ratio(variances)
        context = scenario.context.format(p=p)
        shown = singular if singular is not None else eigenvalues
        column = "singular value s" if singular is not None else "eigenvalue λ"
        table = Table(
            headers=("component", column),
            rows=tuple((f"PC{j + 1}", fmt(float(v), 2)) for j, v in enumerate(shown)),
            title=("`PCA().singular_values_`" if singular is not None else "eigenvalues of the "
                   + ("correlation" if scenario.standardised else "covariance") + " matrix"),
        )
        source = (f"PCA on {N_SAMPLES} rows reports the singular values below (`singular_values_`)"
                  if singular is not None else "The eigenvalues of the "
                  + ("correlation" if scenario.standardised else "covariance") + " matrix are below")
        steps = []
        if singular is not None:
            steps.append("Singular values are not variances: each component's variance is s² / (n − 1), and the "
                         "(n − 1) cancels in the ratio, so ratio = s² / Σ s².")
            steps.append("s² = " + ", ".join(fmt(float(v), 2) for v in variances) + f"; Σ s² = {fmt(float(variances.sum()), 2)}")
        else:
            total = float(eigenvalues.sum())
            steps.append(f"Total variance = Σλ = {' + '.join(fmt(float(v), 2) for v in eigenvalues)} = {fmt(total, 2)}"
                         + (f" (= p = {p}: a correlation matrix's eigenvalues sum to the number of features)"
                            if scenario.standardised else "") + ".")
        steps.append("Ratios: " + ", ".join(f"PC{j + 1} {fmt(float(r))}" for j, r in enumerate(ratios))
                     + "; cumulative: " + ", ".join(fmt(float(c)) for c in cumulative) + ".")
        data: dict[str, object] = {"ask": ask, "p": p, "standardised": scenario.standardised}
        if singular is not None:
            data.update(singular_values=singular.tolist(), n_samples=N_SAMPLES)
        else:
            data.update(eigenvalues=eigenvalues.tolist())
        if ask == "ratio":
            single = bool(rng.random() < 0.3)
            if single:
                j = int(rng.integers(1, 3))
                value = float(ratios[j])
                asked = f"the share of the total variance explained by **PC{j + 1} alone**"
                steps.append(f"PC{j + 1} alone: {fmt(float(variances[j]), 2)} / {fmt(float(variances.sum()), 2)} "
                             f"= **{fmt(value)}**")
                data.update(component=j + 1)
            else:
                m = int(rng.integers(1, 4))
                value = float(cumulative[m - 1])
                asked = ("the share of the total variance explained by **PC1**" if m == 1 else
                         f"the share of the total variance explained by the **first {m} components** together")
                head = (fmt(float(variances[0]), 2) if m == 1 else
                        f"({' + '.join(fmt(float(v), 2) for v in variances[:m])})")
                steps.append(f"{'PC1' if m == 1 else f'First {m}'}: {head} / {fmt(float(variances.sum()), 2)} "
                             f"= **{fmt(value)}**")
                data.update(first=m)
            prompt = f"{context}. {source}.\n\nWhat is {asked}? Answer to 3 decimals (or as a percentage)."
            steps.append("Eigenvalues are variances along the principal axes, so ratios of eigenvalues are ratios of "
                          "variance; on unstandardised data, features with big units dominate the first PCs.")
            part = Part(prompt="explained-variance ratio?", answer=NumberAnswer(value, decimals=3))
            data.update(value=value)
        else:
            value = components_for(variances, target)
            prompt = (f"{context}. {source}.\n\nWhat is the **smallest number of components** that together "
                      f"explain at least **{fmt(target * 100)}%** of the variance? Answer with an integer.")
            steps.append(f"The cumulative share first reaches {fmt(target * 100)}% at m = **{value}** "
                         f"({fmt(float(cumulative[value - 1]))})"
                         + (f", after {fmt(float(cumulative[value - 2]))} with {value - 1}." if value > 1 else "."))
            steps.append(f"`PCA(n_components={fmt(target)})` does exactly this; a scree plot's elbow or "
                         "cross-validating the downstream model are the alternatives.")
            part = Part(prompt="components?", answer=NumberAnswer(value, tolerance=0))
            data.update(target=target, value=value)
        return self.problem(seed, params, prompt=prompt, parts=(part,), solution="\n\n".join(steps), data=data,
                            table=table)

    def _pair(self, rng: np.random.Generator, seed: int, params: PCAVarianceParams) -> Problem:
        scenario = PAIR_SCENARIOS[int(rng.integers(len(PAIR_SCENARIOS)))]
        rho = round(float(rng.uniform(0.2, 0.95)) * float(rng.choice([1, 1, -1])), 2)
        if scenario.standardised:
            var_a = var_b = 1.0
        else:
            var_a = float(rng.choice([4.0, 9.0, 16.0, 25.0]))
            var_b = float(rng.choice([1.0, 2.0, 4.0]))
        cov_ab = round(rho * np.sqrt(var_a * var_b), 2)
        cov = np.array([[var_a, cov_ab], [cov_ab, var_b]])
        eigenvalues = np.linalg.eigvalsh(cov)[::-1]
        value = float(explained_variance_ratio(eigenvalues)[0])
        a, b = scenario.features
        kind = "correlation" if scenario.standardised else "covariance"
        prompt = (f"{scenario.context}: **{a}** and **{b}**"
                  + (", both standardised" if scenario.standardised else ", in raw units")
                  + f". Their {kind} matrix is below.\n\nWhat share of the total variance does the **first "
                  "principal component** explain? Answer to 3 decimals (or as a percentage).")
        table = Table(headers=("", a, b),
                      rows=((a, fmt(var_a, 2), fmt(cov_ab, 2)), (b, fmt(cov_ab, 2), fmt(var_b, 2))),
                      title=f"{kind} matrix")
        mean, half = (var_a + var_b) / 2, (var_a - var_b) / 2
        root = float(np.sqrt(half**2 + cov_ab**2))
        steps = [f"Eigenvalues of [[a, c], [c, d]]: λ = (a + d)/2 ± √(((a − d)/2)² + c²) = {fmt(mean, 3)} ± "
                 f"√({fmt(half, 3)}² + {fmt(abs(cov_ab), 3)}²) = {fmt(mean, 3)} ± {fmt(root)}",
                 f"λ₁ = {fmt(float(eigenvalues[0]))}, λ₂ = {fmt(float(eigenvalues[1]))}; total = trace = "
                 f"{fmt(var_a + var_b, 2)}",
                 f"PC1's share = {fmt(float(eigenvalues[0]))} / {fmt(var_a + var_b, 2)} = **{fmt(value)}**"]
        if scenario.standardised:
            steps.append(f"For two standardised features the eigenvalues are 1 ± |ρ|, so PC1 explains "
                         f"(1 + |ρ|)/2 = (1 + {fmt(abs(rho))})/2: the sign of the correlation doesn't matter, only "
                         "its strength.")
        else:
            steps.append("On raw units the feature with the larger variance pulls PC1 towards itself; standardise "
                         "first unless the units are comparable.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="PC1's share?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(steps),
            data={"ask": "correlated_pair", "features": [a, b], "standardised": scenario.standardised,
                  "matrix": cov.tolist(), "value": value},
            table=table,
        )
