"""`bias-variance`: estimate bias² and variance at a test point from repeated fits, and say which dominates.

A known curve plus noise generates several independent training sets; the same model is fitted to each and
predicts at one test point x0. The models are scikit-learn's LinearRegression, depth-1 and unpruned
regression trees and 1-NN as ``generators._regress`` computes them (the same predictions without importing
scikit-learn; the tests rebuild the instances with scikit-learn itself). Given the predictions per fit and
the true value f(x0), the questions are bias² = (mean prediction − f(x0))², variance = mean squared
deviation of the predictions from their mean (divide by the number of fits), or which of the two
dominates. Both are numpy on the predictions *as shown* (rounded to the table's decimals), so a hand
calculation matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from generators._arrays import quantile
from generators._regress import LinearFit, NearestNeighbour, RegressionTree
from generators.base import (
    ChoiceAnswer,
    Figure,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Series,
    Table,
    fmt,
)

Ask = Literal["bias2", "variance", "dominates"]
ModelName = Literal["linear", "stump", "deep-tree", "1-nn"]
MODELS: tuple[str, ...] = ModelName.__args__  # type: ignore[attr-defined]

MODEL_LABELS = {
    "linear": "a linear regression",
    "stump": "a depth-1 regression tree (a stump)",
    "deep-tree": "an unpruned regression tree",
    "1-nn": "a 1-nearest-neighbour regressor",
}


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    low: float
    high: float
    curve: Callable[[np.ndarray], np.ndarray]
    formula: str  # the curve as text, for the prompt
    noise: float  # sd of the noise on y


def _fuel(x: np.ndarray) -> np.ndarray:
    return 4.5 + 0.0012 * (x - 75) ** 2


def _yield(x: np.ndarray) -> np.ndarray:
    return 2 + 6 * (1 - np.exp(-x / 60))


def _demand(x: np.ndarray) -> np.ndarray:
    return 30 + 0.08 * (x - 18) ** 2


def _rentals(x: np.ndarray) -> np.ndarray:
    return 60 + 40 * np.sin(np.pi * (x - 6) / 12)


SCENARIOS = (
    Scenario(
        "A car's fuel use depends on cruising speed",
        "speed",
        "km/h",
        "fuel use",
        "L/100 km",
        30,
        130,
        _fuel,
        "f(v) = 4.5 + 0.0012·(v − 75)²",
        0.6,
    ),
    Scenario(
        "Wheat yield responds to nitrogen fertiliser with diminishing returns",
        "nitrogen",
        "kg/ha",
        "yield",
        "t/ha",
        0,
        250,
        _yield,
        "f(n) = 2 + 6·(1 − e^(−n/60))",
        0.5,
    ),
    Scenario(
        "A city's daily electricity demand depends on temperature",
        "temperature",
        "°C",
        "demand",
        "GWh",
        -5,
        35,
        _demand,
        "f(t) = 30 + 0.08·(t − 18)²",
        3.0,
    ),
    Scenario(
        "Bike-share rentals per hour follow the time of day",
        "hour",
        "h",
        "rentals",
        "bikes/h",
        6,
        18,
        _rentals,
        "f(h) = 60 + 40·sin(π·(h − 6)/12)",
        8.0,
    ),
)

FITS = 8
MAX_TRIES = 40  # draws of conditions + experiment before a target term is given up on (then: the other term)


class BiasVarianceParams(Params):
    ask: Ask | None = None  # None: random per seed
    model: ModelName | None = None  # None: random per seed


def _estimator(model: str, rng: np.random.Generator) -> Any:
    """A fresh regressor for one fit: ``generators._regress``'s ports of LinearRegression(),
    DecisionTreeRegressor(max_depth=1 or None) and KNeighborsRegressor(n_neighbors=1), which predict the
    same floats without importing scikit-learn. The trees still draw the random_state scikit-learn's were
    given, so every later draw, and so every instance, stays what it was."""
    match model:
        case "linear":
            return LinearFit()
        case "stump":
            rng.integers(2**31)
            return RegressionTree(max_depth=1)
        case "deep-tree":
            rng.integers(2**31)
            return RegressionTree()
    return NearestNeighbour()


@dataclass(frozen=True, slots=True)
class Conditions:
    """How the training sets are drawn: the data, not the model's name, decide which term dominates."""

    train_size: int
    noise: float  # sd of the noise on y
    low: float  # training inputs are uniform on [low, high]
    high: float
    x0: float

    @property
    def extrapolates(self) -> bool:
        return not self.low <= self.x0 <= self.high


def _line_residual(scenario: Scenario, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The curve minus its least-squares line over [low, high] (what a linear fit converges to)."""
    grid = np.linspace(low, high, 401)
    f = scenario.curve(grid)
    slope, intercept = np.polyfit(grid, f, 1)
    return grid, f - (slope * grid + intercept)


def draw_conditions(rng: np.random.Generator, scenario: Scenario, model: str, target: str) -> Conditions:
    """Training sets under which ``target`` ("bias" or "variance") tends to dominate for ``model``.

    Tends to: the experiment decides, and the caller keeps a draw only when the computed terms agree. Few
    noisy points make any model's fits disagree; many clean points make them agree, so what is left is
    the model's systematic miss: a line or a stump where the curve bends away from them, any model where
    x0 lies outside the inputs it was trained on.
    """
    span = scenario.high - scenario.low
    low, high = scenario.low, scenario.high
    flexible = model in ("deep-tree", "1-nn")
    if target == "variance":
        n = int(rng.integers(5, 9)) if not flexible else int(rng.integers(12, 41))
        noise = scenario.noise * (rng.uniform(1.5, 3.0) if not flexible else rng.uniform(0.8, 1.5))
        if model == "linear":  # near where the best line crosses the curve, the average fit is on target
            grid, residual = _line_residual(scenario, low, high)
            crossings = grid[np.flatnonzero(np.diff(np.sign(residual)) != 0)]
            x0 = float(rng.choice(crossings)) + rng.normal(0, 0.02 * span)
        else:
            x0 = low + span * rng.uniform(0.1, 0.9)
    else:
        n = int(rng.integers(80, 301))
        noise = scenario.noise * rng.uniform(0.15, 0.5)
        if flexible:  # only extrapolation makes a flexible model miss the same way every time
            cover = span * rng.uniform(0.5, 0.7)
            if rng.random() < 0.5:
                high, x0 = low + cover, low + span * rng.uniform(0.85, 0.97)
            else:
                low, x0 = high - cover, high - span * rng.uniform(0.85, 0.97)
        elif model == "linear":  # where the curve bends furthest from the best line
            grid, residual = _line_residual(scenario, low, high)
            far = grid[np.abs(residual) >= quantile(np.abs(residual), 0.7)]
            x0 = float(rng.choice(far))
        else:
            x0 = low + span * rng.uniform(0.05, 0.95)
    x0 = float(np.clip(np.round(x0), scenario.low, scenario.high))
    return Conditions(n, float(np.round(noise, 2)), float(np.round(low)), float(np.round(high)), x0)


@dataclass(frozen=True, slots=True)
class Experiment:
    conditions: Conditions
    truth: float  # f(x0) as shown
    predictions: np.ndarray  # per fit, as shown
    grid: np.ndarray
    curves: np.ndarray  # per fit, predictions over the grid (for the figure)

    @property
    def x0(self) -> float:
        return self.conditions.x0


def run_experiment(
    rng: np.random.Generator, scenario: Scenario, model: str, conditions: Conditions
) -> Experiment:
    """Fit ``model`` on FITS fresh training sets drawn under ``conditions``; predict at x0 and on a grid."""
    c = conditions
    grid = np.linspace(scenario.low, scenario.high, 41)
    points = np.concatenate([[c.x0], grid])[:, None]
    predictions = []
    for _ in range(FITS):
        x = rng.uniform(c.low, c.high, size=c.train_size)
        y = scenario.curve(x) + rng.normal(0, c.noise, size=c.train_size)
        predictions.append(_estimator(model, rng).fit(x[:, None], y).predict(points))
    table = np.array(predictions)
    decimals = _decimals(scenario)
    truth = float(np.round(scenario.curve(np.array([c.x0]))[0], decimals))
    return Experiment(c, truth, np.round(table[:, 0], decimals), grid, table[:, 1:])


def _decimals(scenario: Scenario) -> int:
    return 2 if scenario.noise < 1 else 1


def bias_variance(truth: float, predictions: np.ndarray) -> tuple[float, float]:
    """(bias², variance) of the predictions at one point; variance divides by the number of fits."""
    mean = float(np.mean(predictions))
    return (mean - truth) ** 2, float(np.var(predictions))


def clear(bias2: float, variance: float) -> bool:
    """One term at least twice the other, so "which dominates" has a clear answer in every variant."""
    return max(bias2, variance) >= 2 * min(bias2, variance) and max(bias2, variance) > 0


def build_experiment(rng: np.random.Generator, scenario: Scenario, model: str, target: str) -> Experiment:
    """Draw conditions and run until ``target`` dominates clearly (the other term, if it never does)."""
    for attempt in range(2 * MAX_TRIES):
        wanted = target if attempt < MAX_TRIES else ("bias" if target == "variance" else "variance")
        experiment = run_experiment(rng, scenario, model, draw_conditions(rng, scenario, model, wanted))
        bias2, variance = bias_variance(experiment.truth, experiment.predictions)
        if clear(bias2, variance) and (bias2 > variance) == (wanted == "bias"):
            return experiment
    raise RuntimeError(f"no clear experiment for {model} on {scenario.context}")  # pragma: no cover


class BiasVariance(Generator):
    name = "bias-variance"
    title = "Bias² and variance from repeated fits"
    description = (
        "A model is refitted on fresh training sets from a known curve plus noise; from its predictions "
        "at one point, estimate bias² and variance and say which dominates."
    )
    Params = BiasVarianceParams
    topics = ("bias-variance", "model-selection")

    def make(self, rng: np.random.Generator, seed: int, params: BiasVarianceParams) -> Problem:
        ask = params.ask or str(rng.choice(["bias2", "variance", "dominates"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        model = params.model or str(rng.choice(MODELS))
        # Which term should dominate is drawn first, for every model; the conditions that make it happen
        # (noise, sample size, where x0 sits, which inputs were seen) are in the prompt for the learner to read.
        target = str(rng.choice(["bias", "variance"]))
        experiment = build_experiment(rng, scenario, model, target)
        conditions = experiment.conditions
        bias2, variance = bias_variance(experiment.truth, experiment.predictions)
        dominant = "bias" if bias2 > variance else "variance"
        decimals = _decimals(scenario)
        unit2 = f"({scenario.y_unit})²"
        x0_text = f"{fmt(experiment.x0)} {scenario.x_unit}"
        setup = (
            f"{scenario.context}: the true curve is {scenario.formula}, and each observation adds noise with "
            f"sd {fmt(conditions.noise)} {scenario.y_unit}. {FITS} independent training sets of "
            f"{conditions.train_size} points were drawn, with {scenario.x_name} uniform between "
            f"{fmt(conditions.low)} and {fmt(conditions.high)} {scenario.x_unit}; {MODEL_LABELS[model]} was fitted to "
            f"each, and each fit predicted the {scenario.y_name} at {scenario.x_name} x0 = **{x0_text}**, where the "
            f"true value is f(x0) = **{fmt(experiment.truth)} {scenario.y_unit}**."
        )
        if ask == "dominates":
            feedback_text = f"Here bias² = {fmt(bias2, 4)} and variance = {fmt(variance, 4)} {unit2}."
            other = "variance" if dominant == "bias" else "bias"
            options = (
                Option("bias", "Bias² (the average fit is off target)"),
                Option("variance", "Variance (the fits disagree with each other)"),
            )
            part = Part(
                prompt="Which dominates at x0?",
                answer=ChoiceAnswer(options, dominant, {other: feedback_text}),
            )
            question = "At x0, which term of the expected squared error is larger: **bias²** or **variance**?"
        else:
            value = bias2 if ask == "bias2" else variance
            what = (
                "bias² = (mean prediction − f(x0))²"
                if ask == "bias2"
                else "variance = mean of (prediction − mean prediction)², dividing by the number of fits"
            )
            part = Part(
                prompt=f"{'Bias²' if ask == 'bias2' else 'Variance'} at x0?",
                # Relative to the asked term itself: the terms can differ a thousandfold here, and a tolerance
                # sized for the larger one would let 0 pass for the smaller.
                answer=NumberAnswer(value, significant=3, unit=unit2),
            )
            question = f"Estimate the **{what}**, in {unit2}. Answer to 3 significant figures."
        prompt = f"{setup}\n\n{question}"
        table = Table(
            headers=("Fit", f"Prediction at x0 ({scenario.y_unit})"),
            rows=tuple((str(i + 1), f"{p:.{decimals}f}") for i, p in enumerate(experiment.predictions)),
            title=f"{MODEL_LABELS[model]} · x0 = {x0_text} · f(x0) = {fmt(experiment.truth)}",
        )
        figure = Figure(
            title=f"{FITS} fits of {MODEL_LABELS[model]} vs the true curve",
            x_label=f"{scenario.x_name} ({scenario.x_unit})",
            y_label=f"{scenario.y_name} ({scenario.y_unit})",
            series=(
                Series(
                    "true f",
                    tuple(experiment.grid.tolist()),
                    tuple(scenario.curve(experiment.grid).round(4).tolist()),
                ),
                *(
                    Series(f"fit {i + 1}", tuple(experiment.grid.tolist()), tuple(c.round(4).tolist()))
                    for i, c in enumerate(experiment.curves)
                ),
            ),
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(part,),
            solution=_solution(experiment, bias2, variance, dominant, model, scenario),
            data={
                "ask": ask,
                "model": model,
                "x0": experiment.x0,
                "truth": experiment.truth,
                "predictions": experiment.predictions.tolist(),
                "bias2": bias2,
                "variance": variance,
                "dominant": dominant,
                "noise_sd": conditions.noise,
                "train_size": conditions.train_size,
                "train_range": [conditions.low, conditions.high],
            },
            table=table,
            figure=figure,
        )


def _why(experiment: Experiment, dominant: str, model: str, scenario: Scenario) -> str:
    """Why this term dominates here, in terms of this instance's conditions (never of the model's name alone)."""
    c = experiment.conditions
    seen = f"{fmt(c.low)}–{fmt(c.high)} {scenario.x_unit}"
    if dominant == "bias":
        if c.extrapolates:
            return (
                f"x0 lies outside the inputs the fits were trained on ({seen}), so every fit extends its edge "
                f"and misses f(x0) the same way; with {c.train_size} points of noise sd {fmt(c.noise)} the fits "
                "agree closely with each other"
            )
        shape = {
            "linear": "a straight line cannot bend with the curve",
            "stump": "one split gives only two levels",
        }.get(model, "the fits smooth over the curve")
        return (
            f"{shape}, so every fit misses f(x0) in the same direction; with {c.train_size} points of noise sd "
            f"{fmt(c.noise)} per training set, the fits agree closely with each other"
        )
    if model == "linear":
        return (
            f"x0 sits near where the best straight line crosses the curve, so the average fit lands close to "
            f"f(x0); but each line is fitted to only {c.train_size} points with noise sd {fmt(c.noise)}, so its "
            "slope and intercept swing from fit to fit"
        )
    if model == "stump":
        return (
            f"with only {c.train_size} noisy points (sd {fmt(c.noise)}) per training set, where the single split "
            "lands and the two leaf means change from fit to fit, so the predictions at x0 scatter"
        )
    what = (
        "an unpruned tree follows each training set's noise"
        if model == "deep-tree"
        else "each prediction copies the single nearest noisy training point"
    )
    return (
        f"{what} (sd {fmt(c.noise)}, {c.train_size} points per set), so the predictions at x0 scatter from fit "
        "to fit while their average stays near f(x0)"
    )


def _solution(
    experiment: Experiment, bias2: float, variance: float, dominant: str, model: str, scenario: Scenario
) -> str:
    p = experiment.predictions
    mean = float(p.mean())
    deviations = " + ".join(f"({fmt(v - mean, 4)})²" for v in p)
    return "\n\n".join(
        [
            f"Mean prediction = ({' + '.join(fmt(v) for v in p)}) / {len(p)} = {fmt(mean, 4)}",
            f"Bias² = (mean − f(x0))² = ({fmt(mean, 4)} − {fmt(experiment.truth)})² = **{fmt(bias2, 4)}**",
            f"Variance = [{deviations}] / {len(p)} = **{fmt(variance, 4)}**",
            f"**{'Bias²' if dominant == 'bias' else 'Variance'} dominates** ({fmt(max(bias2, variance), 4)} vs "
            f"{fmt(min(bias2, variance), 4)}): {_why(experiment, dominant, model, scenario)}. The expected squared "
            f"error at x0 is bias² + variance + the noise variance {fmt(experiment.conditions.noise**2, 4)}, which no "
            "model can remove.",
            "Interview line: the model class sets tendencies, the data decide: high bias → a richer model, better "
            "features, or training data that covers where you predict; high variance → more data, regularisation, "
            "pruning, a larger k, or averaging many models (bagging).",
        ]
    )
