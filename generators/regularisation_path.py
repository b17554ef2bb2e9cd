"""`regularisation-path`: Lasso vs Ridge on correlated features as the penalty grows.

Four standardised features: a correlated pair that both drive the target, an independent signal and a
pure-noise column. ``sklearn.linear_model.lasso_path`` and ``Ridge`` fit an alpha grid each (the
Lasso grid is scaled to the data's alpha_max, the alpha at which every Lasso coefficient is zero; Ridge's
penalty is not divided by n, so its grid is larger). The table shows the coefficients; the questions
read the path: which feature Lasso zeroes first, how many coefficients are exactly zero at an alpha, and
which model keeps both correlated features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table

Ask = Literal["first-zero", "zero-count", "keeps-both"]

ROWS = 200
LASSO_FRACTIONS = (0.005, 0.03, 0.08, 0.15, 0.3, 0.5, 0.8)  # of alpha_max
RIDGE_ALPHAS = (1.0, 10.0, 100.0, 1_000.0, 10_000.0)


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    target: str
    features: tuple[str, str, str, str]  # correlated pair, independent signal, noise


SCENARIOS = (
    Scenario("A house-price model", "price", ("living_area", "n_rooms", "age", "street_number")),
    Scenario("A weekly-sales model", "sales", ("ad_impressions", "ad_clicks", "discount", "store_code")),
    Scenario("An energy-demand model", "demand", ("temperature", "feels_like", "humidity", "meter_id")),
    Scenario("A salary model", "salary", ("years_experience", "age", "certifications", "employee_id")),
    Scenario("A crop-yield model", "yield", ("rainfall", "soil_moisture", "fertiliser", "plot_id")),
)


class RegularisationPathParams(Params):
    ask: Ask | None = None  # None: random per seed


@dataclass(frozen=True, slots=True)
class Paths:
    lasso_alphas: np.ndarray
    lasso: np.ndarray  # (alphas, features)
    ridge_alphas: np.ndarray
    ridge: np.ndarray
    correlation: float


def _data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Standardised X (pair correlated at ~0.85-0.95) and y = pair + signal + noise."""
    rho = rng.uniform(0.85, 0.95)
    base = rng.normal(size=ROWS)
    pair_b = rho * base + np.sqrt(1 - rho**2) * rng.normal(size=ROWS)
    x = np.column_stack([base, pair_b, rng.normal(size=ROWS), rng.normal(size=ROWS)])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    beta = np.array([rng.uniform(2.0, 4.0), rng.uniform(0.6, 1.8), rng.uniform(0.8, 2.5) * rng.choice([-1, 1]), 0.0])
    y = 50 + x @ beta + rng.normal(0, rng.uniform(2.0, 4.0), size=ROWS)
    return x, y


def _nice(value: float) -> float:
    """Round to 2 significant figures, so the grid reads like one a person would choose."""
    return float(f"{value:.2g}")


def lasso_alpha_max(x: np.ndarray, y: np.ndarray) -> float:
    """The smallest alpha at which every Lasso coefficient is zero: max |xⱼ·(y − ȳ)| / n."""
    return float(np.abs(x.T @ (y - y.mean())).max() / len(y))


def fit_paths(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Paths:
    """Lasso coefficients over its grid (``lasso_path``, warm-started from large alpha) and Ridge's.

    ``lasso_path`` fits no intercept, so it gets centred data: the same coefficients ``Lasso`` finds with
    ``fit_intercept=True``, in one call instead of seven. Ridge takes one alpha per target, so a single fit
    on copies of y gives the whole Ridge grid.
    """
    from sklearn.linear_model import Ridge, lasso_path

    alpha_max = lasso_alpha_max(x, y)
    lasso_alphas = np.array([_nice(alpha_max * f) for f in LASSO_FRACTIONS])
    xc, yc = x - x.mean(axis=0), y - y.mean()
    # Standardised features converge fast; the cap is generous so no ConvergenceWarning at small alpha.
    fitted_alphas, coefs, _ = lasso_path(xc, yc, alphas=lasso_alphas, max_iter=20_000)
    order = np.argsort(fitted_alphas)  # lasso_path returns the alphas in decreasing order
    ridge_alphas = np.array(RIDGE_ALPHAS)
    ridge = Ridge(alpha=ridge_alphas, random_state=int(rng.integers(2**31)))
    ridge.fit(x, np.tile(y[:, None], len(ridge_alphas)))
    correlation = float(np.corrcoef(x[:, 0], x[:, 1])[0, 1])
    return Paths(fitted_alphas[order], coefs.T[order], ridge_alphas, ridge.coef_, correlation)


def _cell(c: float) -> str:
    if c == 0:
        return "0"
    return f"{c:+.3f}" if abs(c) >= 0.0005 else f"{c:+.1e}"


def _alpha(a: float) -> str:
    return f"{a:g}" if a < 1e5 else f"{a:.0f}"


def _first_zero_row(path: np.ndarray) -> int | None:
    rows = np.flatnonzero((path == 0).any(axis=1))
    return int(rows[0]) if len(rows) else None


def _usable(paths: Paths) -> bool:
    """Lasso: no zeros at the smallest alpha, one feature first, zeros never undone; a row dropping exactly one
    of the correlated pair; Ridge: no zeros at all. Distinct alphas after rounding."""
    lasso = paths.lasso
    zero = lasso == 0
    first = _first_zero_row(lasso)
    if first is None or first == 0 or zero[first].sum() != 1:
        return False
    if np.any(zero[:-1] & ~zero[1:]):  # a feature coming back would make "first" ambiguous to read
        return False
    if not np.any(zero[:, 0] ^ zero[:, 1]):
        return False
    return bool(np.all(paths.ridge != 0) and len(set(paths.lasso_alphas.tolist())) == len(LASSO_FRACTIONS))


class RegularisationPath(Generator):
    name = "regularisation-path"
    title = "Regularisation paths: Lasso vs Ridge on correlated features"
    description = (
        "Read Lasso and Ridge coefficient paths on correlated features: which feature Lasso zeroes first, "
        "how many coefficients are exactly zero at an alpha, and which model keeps both correlated features."
    )
    Params = RegularisationPathParams
    topics = ("regularisation", "linear-models", "feature-selection")

    def make(self, rng: np.random.Generator, seed: int, params: RegularisationPathParams) -> Problem:
        ask = params.ask or str(rng.choice(["first-zero", "zero-count", "keeps-both"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        while True:
            x, y = _data(rng)
            paths = fit_paths(x, y, rng)
            if _usable(paths):
                break
        names = scenario.features
        rows = [("Lasso", _alpha(a), *(_cell(c) for c in coefs)) for a, coefs in zip(paths.lasso_alphas, paths.lasso,
                                                                                    strict=True)]
        rows += [("Ridge", _alpha(a), *(_cell(c) for c in coefs)) for a, coefs in zip(paths.ridge_alphas, paths.ridge,
                                                                                     strict=True)]
        table = Table(headers=("Model", "alpha", *names), rows=tuple(rows),
                      title="coefficients on standardised features (0 = exactly zero)")
        setup = (
            f"{scenario.context} predicts {scenario.target} from four standardised features on {ROWS} rows; "
            f"`{names[0]}` and `{names[1]}` are strongly correlated (r = {paths.correlation:.2f}). Lasso and "
            "Ridge were fitted over a grid of alphas each (scikit-learn scales Lasso's squared error by 1/(2n) "
            "but not Ridge's, so their alphas are not comparable); the coefficients are below."
        )
        data = {"ask": ask, "features": list(names), "correlation": paths.correlation,
                "lasso_alphas": paths.lasso_alphas.tolist(), "lasso_coef": paths.lasso.tolist(),
                "ridge_alphas": paths.ridge_alphas.tolist(), "ridge_coef": paths.ridge.tolist()}
        if ask == "first-zero":
            parts, question, solution = _first_zero(paths, names)
        elif ask == "zero-count":
            parts, question, solution, extra = _zero_count(rng, paths, names)
            data.update(extra)
        else:
            parts, question, solution, extra = _keeps_both(rng, paths, names)
            data.update(extra)
        return self.problem(seed, params, prompt=f"{setup}\n\n{question}", parts=parts,
                            solution=f"{solution}\n\n{_insight()}", data=data, table=table)


def _first_zero(paths: Paths, names: tuple[str, ...]) -> tuple[tuple[Part, ...], str, str]:
    row = _first_zero_row(paths.lasso)
    assert row is not None
    feature = int(np.flatnonzero(paths.lasso[row] == 0)[0])
    zero_at = {j: _first_zero_row(paths.lasso[:, [j]]) for j in range(len(names))}
    options = tuple(Option(name, f"`{name}`") for name in names)
    feedback = {}
    for j, name in enumerate(names):
        if j == feature:
            continue
        later = zero_at[j]
        feedback[name] = (f"`{name}` is still {_cell(paths.lasso[row, j])} at alpha {_alpha(paths.lasso_alphas[row])}"
                          + (f"; it reaches 0 only at alpha {_alpha(paths.lasso_alphas[later])}." if later is not None
                             else " and stays non-zero over the whole grid."))
    question = "As alpha grows, which feature does **Lasso** set exactly to zero **first**?"
    solution = (f"Scan the Lasso rows from the smallest alpha: the first exact 0 appears at alpha "
                f"{_alpha(paths.lasso_alphas[row])}, in the **`{names[feature]}`** column. Lasso zeroes a feature once "
                "its correlation with the current residual drops below alpha; weak or redundant features go first.")
    part = Part(prompt="Which feature goes to zero first?", answer=ChoiceAnswer(options, names[feature], feedback))
    return (part,), question, solution


def _zero_count(rng: np.random.Generator, paths: Paths, names: tuple[str, ...]) -> tuple[tuple[Part, ...], str, str,
                                                                                          dict]:
    counts = (paths.lasso == 0).sum(axis=1)
    candidates = np.flatnonzero((counts >= 1) & (counts <= 3))
    row = int(rng.choice(candidates))
    lasso_zeros = int(counts[row])
    zero_names = [names[j] for j in np.flatnonzero(paths.lasso[row] == 0)]
    ridge_zeros = int((paths.ridge[-1] == 0).sum())
    lasso_alpha, ridge_alpha = _alpha(paths.lasso_alphas[row]), _alpha(paths.ridge_alphas[-1])
    question = (f"1. How many of Lasso's coefficients are **exactly zero** at alpha = {lasso_alpha}?\n"
                f"2. How many of Ridge's are exactly zero at its largest alpha, {ridge_alpha}?\n\n"
                "Answer two integers separated by ';'.")
    smallest = float(np.abs(paths.ridge[-1]).min())
    solution = "\n\n".join([
        f"Lasso at alpha {lasso_alpha}: exact zeros for {', '.join(f'`{n}`' for n in zero_names)} → "
        f"**{lasso_zeros}**.",
        f"Ridge at alpha {ridge_alpha}: **{ridge_zeros}**. Its coefficients shrink towards zero (the smallest is "
        f"{_cell(smallest if smallest else 0.0)}) but the L2 penalty's gradient vanishes at 0, so it never sets one "
        "exactly to zero. The L1 penalty's constant pull does: Lasso selects features, Ridge only shrinks them.",
    ])
    parts = (Part(prompt=f"Lasso zeros at alpha {lasso_alpha}?", answer=NumberAnswer(lasso_zeros, tolerance=0),
                  label="Lasso"),
             Part(prompt=f"Ridge zeros at alpha {ridge_alpha}?", answer=NumberAnswer(ridge_zeros, tolerance=0),
                  label="Ridge"))
    return parts, question, solution, {"lasso_alpha": float(paths.lasso_alphas[row]),
                                       "ridge_alpha": float(paths.ridge_alphas[-1])}


def _keeps_both(rng: np.random.Generator, paths: Paths, names: tuple[str, ...]) -> tuple[tuple[Part, ...], str, str,
                                                                                           dict]:
    zero = paths.lasso == 0
    row = int(rng.choice(np.flatnonzero(zero[:, 0] ^ zero[:, 1])))
    ridge_row = int(rng.integers(len(paths.ridge_alphas)))
    dropped = names[0] if zero[row, 0] else names[1]
    kept = names[1] if zero[row, 0] else names[0]
    la, ra = _alpha(paths.lasso_alphas[row]), _alpha(paths.ridge_alphas[ridge_row])
    lasso_pair = f"{_cell(paths.lasso[row, 0])} and {_cell(paths.lasso[row, 1])}"
    ridge_pair = f"{_cell(paths.ridge[ridge_row, 0])} and {_cell(paths.ridge[ridge_row, 1])}"
    options = (Option("lasso", f"Lasso at alpha {la}"), Option("ridge", f"Ridge at alpha {ra}"),
               Option("both", "Both"), Option("neither", "Neither"))
    feedback = {
        "lasso": f"Lasso's pair at alpha {la} is {lasso_pair}: `{dropped}` is exactly 0.",
        "both": f"Lasso has dropped `{dropped}` at alpha {la} ({lasso_pair}).",
        "neither": f"Ridge keeps both: {ridge_pair} at alpha {ra}.",
    }
    question = (f"Compare the rows Lasso alpha = {la} and Ridge alpha = {ra}. Which model keeps **both** `{names[0]}` "
                f"and `{names[1]}` with non-zero coefficients?")
    solution = (f"Lasso at alpha {la}: {lasso_pair}, so it keeps `{kept}` and drops `{dropped}`. Ridge at alpha {ra}: "
                f"{ridge_pair}, both non-zero → **Ridge**. With correlated features Lasso tends to pick one and zero "
                "the other (which one can flip between samples); Ridge spreads the weight across the pair.")
    part = Part(prompt="Which keeps both correlated features?", answer=ChoiceAnswer(options, "ridge", feedback))
    return (part,), question, solution, {"lasso_alpha": float(paths.lasso_alphas[row]),
                                         "ridge_alpha": float(paths.ridge_alphas[ridge_row]), "dropped": dropped}


def _insight() -> str:
    return ("Interview line: Lasso for a sparse, interpretable model; Ridge when correlated features should share "
            "credit; Elastic Net (L1 + L2) to select features while keeping correlated groups together. Always "
            "standardise first: both penalties are scale-dependent.")

