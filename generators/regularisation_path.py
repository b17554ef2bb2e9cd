"""`regularisation-path`: Lasso vs Ridge on correlated features as the penalty grows.

Four standardised features, in a shuffled column order: a correlated pair and two independent ones, each
with a true coefficient drawn afresh (any of them may be weak, and the pair may share the signal or one
twin may carry it), so which feature Lasso drops first depends on this instance's data, not on a column's
role. scikit-learn's ``lasso_path`` and ``Ridge`` fit an alpha grid each (computed as they compute them, by
``generators._regress``, without importing scikit-learn; the Lasso grid is scaled to the data's alpha_max,
the alpha at which every Lasso coefficient is zero; Ridge's penalty is not divided by n, so its grid is
larger). The table shows the coefficients; the questions read the path: which feature
Lasso zeroes first, how many of Lasso's coefficients are exactly zero at an alpha, and up to which alpha
Lasso keeps both correlated features (Ridge keeps them at every alpha: the contrast the solution draws).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators._arrays import distinct
from generators._regress import lasso_path, ridge_coefs
from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table

Ask = Literal["first-zero", "zero-count", "keeps-both"]

ROWS = 200
LASSO_FRACTIONS = (0.005, 0.03, 0.08, 0.15, 0.3, 0.5, 0.8)  # of alpha_max
RIDGE_ALPHAS = (1.0, 10.0, 100.0, 1_000.0, 10_000.0)
SHOWN_ALPHAS = 4  # alphas offered in the keeps-both question


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    target: str
    pair: tuple[str, str]  # the correlated pair
    others: tuple[str, str]  # two features independent of the pair; any feature may turn out weak


SCENARIOS = (
    Scenario("A house-price model", "price", ("living_area", "n_rooms"), ("age", "distance_to_centre")),
    Scenario("A weekly-sales model", "sales", ("ad_impressions", "ad_clicks"), ("discount", "footfall")),
    Scenario("An energy-demand model", "demand", ("temperature", "feels_like"), ("humidity", "wind_speed")),
    Scenario("A salary model", "salary", ("years_experience", "age"), ("certifications", "weekly_hours")),
    Scenario("A crop-yield model", "yield", ("rainfall", "soil_moisture"), ("fertiliser", "sunshine_hours")),
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


def _data(rng: np.random.Generator, weak: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Standardised X, columns (pair, pair, other, other) with the pair correlated at ~0.8-0.95.

    Every true coefficient is drawn on its own (magnitude 0.6-3.5, random sign); feature ``weak`` (a role,
    0-3) gets a magnitude of 0-1.2 instead, so it is likely, not certain, to be the one Lasso drops first.
    The caller draws ``weak`` uniformly, checks which feature the path really drops first and shuffles the
    columns for display.
    """
    rho = rng.uniform(0.8, 0.95)
    base = rng.normal(size=ROWS)
    pair_b = rho * base + np.sqrt(1 - rho**2) * rng.normal(size=ROWS)
    x = np.column_stack([base, pair_b, rng.normal(size=ROWS), rng.normal(size=ROWS)])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    beta = rng.uniform(0.6, 3.5, size=4) * rng.choice([-1, 1], size=4)
    if weak is not None:
        beta[weak] = rng.uniform(0.0, 1.2) * np.sign(beta[weak])
    if rng.random() < 0.5:  # the pair usually pulls the same way, as twins measuring one thing do
        beta[1] = abs(beta[1]) * np.sign(beta[0])
    y = 50 + x @ beta + rng.normal(0, rng.uniform(2.0, 4.0), size=ROWS)
    return x, y


def _nice(value: float) -> float:
    """Round to 2 significant figures, so the grid reads like one a person would choose."""
    return float(f"{value:.2g}")


def lasso_alpha_max(x: np.ndarray, y: np.ndarray) -> float:
    """The smallest alpha at which every Lasso coefficient is zero: max |xⱼ·(y − ȳ)| / n."""
    return float(np.abs(x.T @ (y - y.mean())).max() / len(y))


def lasso_grid(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lasso's alpha grid (ascending) and coefficients, from ``lasso_path`` warm-started from large alpha.

    ``lasso_path`` (scikit-learn's, as ``generators._regress`` computes it) fits no intercept, so it gets
    centred data: the same coefficients ``Lasso`` finds with ``fit_intercept=True``, in one call instead of
    seven.
    """
    alpha_max = lasso_alpha_max(x, y)
    lasso_alphas = np.array([_nice(alpha_max * f) for f in LASSO_FRACTIONS])
    xc, yc = x - x.mean(axis=0), y - y.mean()
    # Standardised features converge fast; the cap is generous so no ConvergenceWarning at small alpha.
    fitted_alphas, coefs = lasso_path(xc, yc, alphas=lasso_alphas, max_iter=20_000)
    order = np.argsort(fitted_alphas)  # lasso_path returns the alphas in decreasing order
    return fitted_alphas[order], coefs.T[order]


def ridge_grid(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ridge's alphas and coefficients, as ``Ridge(alpha=alphas).fit(x, y tiled per alpha)`` finds them
    (``generators._regress.ridge_coefs``). The draw is the random_state scikit-learn's Ridge was given (its
    solver never used it): kept so every later draw, and so every instance, stays what it was."""
    ridge_alphas = np.array(RIDGE_ALPHAS)
    rng.integers(2**31)
    return ridge_alphas, ridge_coefs(x, y, ridge_alphas)


def fit_paths(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, pair: tuple[int, int] = (0, 1)
) -> Paths:
    """Both paths, and the correlation of the pair's columns."""
    correlation = float(np.corrcoef(x[:, pair[0]], x[:, pair[1]])[0, 1])
    return Paths(*lasso_grid(x, y), *ridge_grid(x, y, rng), correlation)


def _cell(c: float) -> str:
    if c == 0:
        return "0"
    return f"{c:+.3f}" if abs(c) >= 0.0005 else f"{c:+.1e}"


def _alpha(a: float) -> str:
    return f"{a:g}" if a < 1e5 else f"{a:.0f}"


def _first_zero_row(path: np.ndarray) -> int | None:
    rows = np.flatnonzero((path == 0).any(axis=1))
    return int(rows[0]) if len(rows) else None


def _first_zero_column(path: np.ndarray) -> int:
    row = _first_zero_row(path)
    assert row is not None
    return int(np.flatnonzero(path[row] == 0)[0])


def _usable(lasso_alphas: np.ndarray, lasso: np.ndarray, pair: tuple[int, int]) -> bool:
    """No zeros at the smallest alpha, one feature first, zeros never undone, the pair split up by some alpha
    of the grid, and distinct alphas after rounding."""
    zero = lasso == 0
    first = _first_zero_row(lasso)
    if first is None or first == 0 or zero[first].sum() != 1:
        return False
    if np.any(zero[:-1] & ~zero[1:]):  # a feature coming back would make "first" ambiguous to read
        return False
    if not np.any(zero[:, pair[0]] | zero[:, pair[1]]):
        return False
    return len(set(lasso_alphas.tolist())) == len(LASSO_FRACTIONS)


class RegularisationPath(Generator):
    name = "regularisation-path"
    title = "Regularisation paths: Lasso vs Ridge on correlated features"
    description = (
        "Read Lasso and Ridge coefficient paths on correlated features: which feature Lasso zeroes first, "
        "how many coefficients are exactly zero at an alpha, and up to which alpha Lasso keeps both correlated "
        "features (Ridge keeps them at every alpha)."
    )
    Params = RegularisationPathParams
    topics = ("regularisation", "linear-models", "feature-selection")

    def make(self, rng: np.random.Generator, seed: int, params: RegularisationPathParams) -> Problem:
        ask = params.ask or str(rng.choice(["first-zero", "zero-count", "keeps-both"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        # Each role (either twin of the pair, either other feature) is the first to go in a fair share of
        # instances: a learner cannot bet on "the redundant twin" or on a column's name.
        first_role = int(rng.integers(4))
        while True:
            order = rng.permutation(4)  # column j shows feature order[j] of (pair, pair, other, other)
            x, y = _data(rng, first_role)
            x = x[:, order]
            pair = (int(np.flatnonzero(order == 0)[0]), int(np.flatnonzero(order == 1)[0]))
            lasso_alphas, lasso = lasso_grid(x, y)  # Ridge waits until the Lasso path is accepted
            if not (_usable(lasso_alphas, lasso, pair) and order[_first_zero_column(lasso)] == first_role):
                continue
            correlation = float(np.corrcoef(x[:, pair[0]], x[:, pair[1]])[0, 1])
            paths = Paths(lasso_alphas, lasso, *ridge_grid(x, y, rng), correlation)
            if np.all(paths.ridge != 0):  # L2 never zeroes a coefficient; checked, not assumed
                break
        roles = (*scenario.pair, *scenario.others)
        names = tuple(roles[i] for i in order)
        rows = [
            ("Lasso", _alpha(a), *(_cell(c) for c in coefs))
            for a, coefs in zip(paths.lasso_alphas, paths.lasso, strict=True)
        ]
        rows += [
            ("Ridge", _alpha(a), *(_cell(c) for c in coefs))
            for a, coefs in zip(paths.ridge_alphas, paths.ridge, strict=True)
        ]
        table = Table(
            headers=("Model", "alpha", *names),
            rows=tuple(rows),
            title="coefficients on standardised features (0 = exactly zero)",
        )
        setup = (
            f"{scenario.context} predicts {scenario.target} from four standardised features on {ROWS} rows; "
            f"`{names[pair[0]]}` and `{names[pair[1]]}` are strongly correlated (r = {paths.correlation:.2f}), "
            "the other two are nearly uncorrelated with everything. Lasso and Ridge were fitted over a grid of "
            "alphas each (scikit-learn scales Lasso's squared error by 1/(2n) but not Ridge's, so their alphas "
            "are not comparable); the coefficients are below."
        )
        data = {
            "ask": ask,
            "features": list(names),
            "pair": list(pair),
            "correlation": paths.correlation,
            "lasso_alphas": paths.lasso_alphas.tolist(),
            "lasso_coef": paths.lasso.tolist(),
            "ridge_alphas": paths.ridge_alphas.tolist(),
            "ridge_coef": paths.ridge.tolist(),
        }
        if ask == "first-zero":
            parts, question, solution = _first_zero(paths, names)
        elif ask == "zero-count":
            parts, question, solution, extra = _zero_count(rng, paths, names)
            data.update(extra)
        else:
            key = keeps_both_row(paths.lasso, pair)
            rank = int(rng.choice(SHOWN_ALPHAS, p=RANK_WEIGHTS[key]))
            parts, question, solution, extra = _keeps_both(rng, paths, names, pair, rank)
            data.update(extra)
        return self.problem(
            seed,
            params,
            prompt=f"{setup}\n\n{question}",
            parts=parts,
            solution=f"{solution}\n\n{_insight()}",
            data=data,
            table=table,
        )


def _first_zero(paths: Paths, names: tuple[str, ...]) -> tuple[tuple[Part, ...], str, str]:
    row = _first_zero_row(paths.lasso)
    assert row is not None
    feature = int(np.flatnonzero(paths.lasso[row] == 0)[0])
    zero_at = {j: _first_zero_row(paths.lasso[:, [j]]) for j in range(len(names))}
    # Option names are the columns, not the features: feature names differ by scenario, columns do not.
    options = tuple(Option(f"column_{j + 1}", f"`{name}`") for j, name in enumerate(names))
    feedback = {}
    for j, name in enumerate(names):
        if j == feature:
            continue
        later = zero_at[j]
        feedback[f"column_{j + 1}"] = (
            f"`{name}` is still {_cell(paths.lasso[row, j])} at alpha {_alpha(paths.lasso_alphas[row])}"
            + (
                f"; it reaches 0 only at alpha {_alpha(paths.lasso_alphas[later])}."
                if later is not None
                else " and stays non-zero over the whole grid."
            )
        )
    smallest = paths.lasso[0]
    weakest = int(np.argmin(np.abs(smallest)))
    hint = (
        f"It was already the smallest at alpha {_alpha(paths.lasso_alphas[0])} ({_cell(smallest[feature])})."
        if weakest == feature
        else f"At alpha {_alpha(paths.lasso_alphas[0])} `{names[weakest]}` was smaller ({_cell(smallest[weakest])} vs "
        f"{_cell(smallest[feature])}), so size alone does not decide: Lasso drops a feature once its correlation "
        "with what the others leave unexplained falls below alpha, and a correlated twin loses that race "
        "first."
    )
    question = "As alpha grows, which feature does **Lasso** set exactly to zero **first**?"
    solution = (
        f"Scan the Lasso rows from the smallest alpha: the first exact 0 appears at alpha "
        f"{_alpha(paths.lasso_alphas[row])}, in the **`{names[feature]}`** column. {hint} Ridge, on its "
        "side, keeps all four non-zero at every alpha of its grid."
    )
    part = Part(
        prompt="Which feature goes to zero first?",
        answer=ChoiceAnswer(options, f"column_{feature + 1}", feedback),
    )
    return (part,), question, solution


def _zero_count(
    rng: np.random.Generator, paths: Paths, names: tuple[str, ...]
) -> tuple[tuple[Part, ...], str, str, dict]:
    counts = (paths.lasso == 0).sum(axis=1)
    # Pick the count first (0 to 3, among those the grid shows), then a row with it: every count is common.
    count = int(rng.choice(distinct(counts[(counts <= 3)])))
    row = int(rng.choice(np.flatnonzero(counts == count)))
    lasso_zeros = int(counts[row])
    zero_names = [names[j] for j in np.flatnonzero(paths.lasso[row] == 0)]
    lasso_alpha = _alpha(paths.lasso_alphas[row])
    question = (
        f"How many of Lasso's four coefficients are **exactly zero** at alpha = {lasso_alpha}? "
        "Answer as a whole number."
    )
    ridge_alpha = _alpha(paths.ridge_alphas[-1])
    smallest = float(np.abs(paths.ridge[-1]).min())
    listed = (
        f"exact zeros for {', '.join(f'`{n}`' for n in zero_names)}" if zero_names else "no exact zeros yet"
    )
    solution = "\n\n".join(
        [
            f"Lasso at alpha {lasso_alpha}: {listed} → **{lasso_zeros}**. Values like "
            f"{_cell(float(np.abs(paths.lasso[row][paths.lasso[row] != 0]).min()))} are small but not zero.",
            f"Compare Ridge at its largest alpha, {ridge_alpha}: its coefficients shrink towards zero (the smallest is "
            f"{_cell(smallest)}) but none is exactly 0, because the L2 penalty's gradient vanishes at 0. The L1 "
            "penalty's constant pull does reach 0: Lasso selects features, Ridge only shrinks them.",
        ]
    )
    parts = (
        Part(
            prompt=f"Lasso zeros at alpha {lasso_alpha}?",
            answer=NumberAnswer(lasso_zeros, tolerance=0),
            label="Lasso",
        ),
    )
    return parts, question, solution, {"lasso_alpha": float(paths.lasso_alphas[row])}


def keeps_both_row(lasso: np.ndarray, pair: tuple[int, int]) -> int:
    """The last row (largest alpha) before Lasso first zeroes one of the pair."""
    split = np.flatnonzero((lasso[:, pair[0]] == 0) | (lasso[:, pair[1]] == 0))
    return int(split[0]) - 1


# keeps-both: the key's rank among the four alphas offered (0 = smallest), by the grid row where Lasso last keeps
# both twins. A row near the top of the grid leaves few larger alphas to offer, so it can only rank high; the
# weights (fitted to how often each row comes up, ~0.17 0.10 0.07 0.15 0.22 0.30) make every rank ~1/4 overall.
RANK_WEIGHTS = {
    0: (1.0, 0.0, 0.0, 0.0),
    1: (0.5, 0.5, 0.0, 0.0),
    2: (0.25, 0.5, 0.25, 0.0),
    3: (0.133, 0.317, 0.333, 0.217),
    4: (0.0, 0.545, 0.137, 0.318),
    5: (0.0, 0.0, 0.5, 0.5),
}
RANK_NAMES = ("smallest", "second", "third", "largest")  # option names: the alpha's rank among those offered


def _keeps_both(
    rng: np.random.Generator, paths: Paths, names: tuple[str, ...], pair: tuple[int, int], rank: int
) -> tuple[tuple[Part, ...], str, str, dict]:
    a, b = names[pair[0]], names[pair[1]]
    key = keeps_both_row(paths.lasso, pair)
    n_rows = len(paths.lasso_alphas)
    # The key with `rank` grid rows below it and the rest above, all drawn from the grid; shown shuffled, so
    # neither the key's place in the list nor its rank among the offered alphas gives it away.
    below = rng.choice(key, size=rank, replace=False) if rank else np.array([], dtype=int)
    above = rng.choice(np.arange(key + 1, n_rows), size=SHOWN_ALPHAS - 1 - rank, replace=False)
    shown = sorted([key, *below.tolist(), *above.tolist()])
    alphas = paths.lasso_alphas
    rank_name = {i: RANK_NAMES[r] for r, i in enumerate(shown)}
    options = tuple(
        Option(rank_name[i], f"alpha = {_alpha(alphas[i])}") for i in rng.permutation(shown).tolist()
    )
    feedback = {}
    for i in shown:
        pair_text = f"`{a}` {_cell(paths.lasso[i, pair[0]])}, `{b}` {_cell(paths.lasso[i, pair[1]])}"
        if i > key:
            feedback[rank_name[i]] = f"At alpha {_alpha(alphas[i])} Lasso has {pair_text}: one is already 0."
        elif i < key:
            feedback[rank_name[i]] = (
                f"Both are non-zero at alpha {_alpha(alphas[i])} ({pair_text}), but they "
                f"still are at the larger alpha {_alpha(alphas[key])}."
            )
    dropped_row = key + 1
    dropped = a if paths.lasso[dropped_row, pair[0]] == 0 else b
    kept = b if dropped == a else a
    key_pair = f"{_cell(paths.lasso[key, pair[0]])} and {_cell(paths.lasso[key, pair[1]])}"
    next_pair = f"{_cell(paths.lasso[dropped_row, pair[0]])} and {_cell(paths.lasso[dropped_row, pair[1]])}"
    ridge_last = f"{_cell(paths.ridge[-1, pair[0]])} and {_cell(paths.ridge[-1, pair[1]])}"
    question = (
        f"Of the alphas below, what is the **largest** at which **Lasso** still keeps **both** `{a}` and "
        f"`{b}` non-zero?"
    )
    solution = (
        f"Follow `{a}` and `{b}` down the Lasso rows: at alpha {_alpha(alphas[key])} they are {key_pair}, "
        f"at the next alpha, {_alpha(alphas[dropped_row])}, {next_pair}. So the answer is **alpha = "
        f"{_alpha(alphas[key])}**: beyond it Lasso keeps `{kept}` and drops `{dropped}`. Ridge keeps both at "
        f"every alpha of its grid, down to {ridge_last} at alpha {_alpha(paths.ridge_alphas[-1])}: it shrinks "
        "correlated twins together and spreads the weight between them, where Lasso tends to pick one "
        "(and which one can flip between samples)."
    )
    part = Part(
        prompt="Largest alpha at which Lasso keeps both?",
        answer=ChoiceAnswer(options, rank_name[key], feedback),
    )
    return (
        (part,),
        question,
        solution,
        {
            "lasso_alpha": float(alphas[key]),
            "shown_alphas": [float(alphas[i]) for i in shown],
            "dropped": dropped,
        },
    )


def _insight() -> str:
    return (
        "Interview line: Lasso for a sparse, interpretable model; Ridge when correlated features should share "
        "credit; Elastic Net (L1 + L2) to select features while keeping correlated groups together. Always "
        "standardise first: both penalties are scale-dependent."
    )
