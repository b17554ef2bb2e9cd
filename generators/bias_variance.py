"""`bias-variance`: estimate bias² and variance at a test point from repeated fits, and say which dominates.

A known curve plus noise generates several independent training sets; the same scikit-learn model is
fitted to each and predicts at one test point x0. Given the predictions per fit and the true value
f(x0), the questions are bias² = (mean prediction − f(x0))², variance = mean squared deviation of the
predictions from their mean (divide by the number of fits), or which of the two dominates. Both are
numpy on the predictions *as shown* (rounded to the table's decimals), so a hand calculation matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

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
    Scenario("A car's fuel use depends on cruising speed", "speed", "km/h", "fuel use", "L/100 km", 30, 130,
             _fuel, "f(v) = 4.5 + 0.0012·(v − 75)²", 0.6),
    Scenario("Wheat yield responds to nitrogen fertiliser with diminishing returns", "nitrogen", "kg/ha", "yield",
             "t/ha", 0, 250, _yield, "f(n) = 2 + 6·(1 − e^(−n/60))", 0.5),
    Scenario("A city's daily electricity demand depends on temperature", "temperature", "°C", "demand", "GWh",
             -5, 35, _demand, "f(t) = 30 + 0.08·(t − 18)²", 3.0),
    Scenario("Bike-share rentals per hour follow the time of day", "hour", "h", "rentals", "bikes/h", 6, 18,
             _rentals, "f(h) = 60 + 40·sin(π·(h − 6)/12)", 8.0),
)

FITS = 8
TRAIN_SIZE = 30


class BiasVarianceParams(Params):
    ask: Ask | None = None  # None: random per seed
    model: ModelName | None = None  # None: random per seed


def _estimator(model: str, rng: np.random.Generator) -> Any:
    from sklearn.linear_model import LinearRegression
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor

    match model:
        case "linear":
            return LinearRegression()
        case "stump":
            return DecisionTreeRegressor(max_depth=1, random_state=int(rng.integers(2**31)))
        case "deep-tree":
            return DecisionTreeRegressor(random_state=int(rng.integers(2**31)))
    return KNeighborsRegressor(n_neighbors=1)


@dataclass(frozen=True, slots=True)
class Experiment:
    x0: float
    truth: float  # f(x0) as shown
    predictions: np.ndarray  # per fit, as shown
    grid: np.ndarray
    curves: np.ndarray  # per fit, predictions over the grid (for the figure)


def run_experiment(rng: np.random.Generator, scenario: Scenario, model: str) -> Experiment:
    """Fit ``model`` on FITS fresh training sets of TRAIN_SIZE noisy points; predict at x0 and on a grid."""
    span = scenario.high - scenario.low
    x0 = float(np.round(scenario.low + span * rng.uniform(0.1, 0.9)))
    grid = np.linspace(scenario.low, scenario.high, 41)
    points = np.concatenate([[x0], grid])[:, None]
    predictions = []
    for _ in range(FITS):
        x = rng.uniform(scenario.low, scenario.high, size=TRAIN_SIZE)
        y = scenario.curve(x) + rng.normal(0, scenario.noise, size=TRAIN_SIZE)
        predictions.append(_estimator(model, rng).fit(x[:, None], y).predict(points))
    table = np.array(predictions)
    decimals = _decimals(scenario)
    truth = float(np.round(scenario.curve(np.array([x0]))[0], decimals))
    return Experiment(x0, truth, np.round(table[:, 0], decimals), grid, table[:, 1:])


def _decimals(scenario: Scenario) -> int:
    return 2 if scenario.noise < 1 else 1


def bias_variance(truth: float, predictions: np.ndarray) -> tuple[float, float]:
    """(bias², variance) of the predictions at one point; variance divides by the number of fits."""
    mean = float(np.mean(predictions))
    return (mean - truth) ** 2, float(np.var(predictions))


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
        while True:
            experiment = run_experiment(rng, scenario, model)
            bias2, variance = bias_variance(experiment.truth, experiment.predictions)
            # One term at least twice the other, so "which dominates" has a clear answer in every variant.
            if max(bias2, variance) >= 2 * min(bias2, variance) and max(bias2, variance) > 0:
                break
        dominant = "bias" if bias2 > variance else "variance"
        decimals = _decimals(scenario)
        unit2 = f"({scenario.y_unit})²"
        x0_text = f"{fmt(experiment.x0)} {scenario.x_unit}"
        setup = (
            f"{scenario.context}: the true curve is {scenario.formula}, and each observation adds noise with "
            f"sd {fmt(scenario.noise)} {scenario.y_unit}. {FITS} independent training sets of {TRAIN_SIZE} points "
            f"were drawn, {MODEL_LABELS[model]} was fitted to each, and each fit predicted the {scenario.y_name} at "
            f"{scenario.x_name} x0 = **{x0_text}**, where the true value is f(x0) = **{fmt(experiment.truth)} "
            f"{scenario.y_unit}**."
        )
        if ask == "dominates":
            feedback_text = (f"Here bias² = {fmt(bias2, 4)} and variance = {fmt(variance, 4)} {unit2}.")
            other = "variance" if dominant == "bias" else "bias"
            options = (Option("bias", "Bias² (the average fit is off target)"),
                       Option("variance", "Variance (the fits disagree with each other)"))
            part = Part(prompt="Which dominates at x0?",
                        answer=ChoiceAnswer(options, dominant, {other: feedback_text}))
            question = ("At x0, which term of the expected squared error is larger: **bias²** or **variance**?")
        else:
            value = bias2 if ask == "bias2" else variance
            what = ("bias² = (mean prediction − f(x0))²" if ask == "bias2"
                    else "variance = mean of (prediction − mean prediction)², dividing by the number of fits")
            part = Part(prompt=f"{'Bias²' if ask == 'bias2' else 'Variance'} at x0?",
                        # 1% of the value, or 1% of the larger term when this one is tiny next to it.
                        answer=NumberAnswer(value, tolerance=0.01 * max(bias2, variance), rel_tolerance=0.01,
                                            unit=unit2))
            question = (f"Estimate the **{what}**, in {unit2}. Answer to 3 significant figures.")
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
            series=(Series("true f", tuple(experiment.grid.tolist()),
                           tuple(scenario.curve(experiment.grid).round(4).tolist())),
                    *(Series(f"fit {i + 1}", tuple(experiment.grid.tolist()), tuple(c.round(4).tolist()))
                      for i, c in enumerate(experiment.curves))),
        )
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(part,),
            solution=_solution(experiment, bias2, variance, dominant, model, scenario),
            data={"ask": ask, "model": model, "x0": experiment.x0, "truth": experiment.truth,
                  "predictions": experiment.predictions.tolist(), "bias2": bias2, "variance": variance,
                  "dominant": dominant, "noise_sd": scenario.noise, "train_size": TRAIN_SIZE},
            table=table,
            figure=figure,
        )


def _solution(experiment: Experiment, bias2: float, variance: float, dominant: str, model: str,
              scenario: Scenario) -> str:
    p = experiment.predictions
    mean = float(p.mean())
    deviations = " + ".join(f"({fmt(v - mean, 4)})²" for v in p)
    why = {
        "linear": "a straight line cannot bend with the curve, so every fit misses in the same direction",
        "stump": "one split gives only two levels, so every fit flattens the curve the same way",
        "deep-tree": "an unpruned tree follows each training set's noise, so the fits scatter",
        "1-nn": "each prediction copies the single nearest noisy training point, so the fits scatter",
    }[model]
    return "\n\n".join([
        f"Mean prediction = ({' + '.join(fmt(v) for v in p)}) / {len(p)} = {fmt(mean, 4)}",
        f"Bias² = (mean − f(x0))² = ({fmt(mean, 4)} − {fmt(experiment.truth)})² = **{fmt(bias2, 4)}**",
        f"Variance = [{deviations}] / {len(p)} = **{fmt(variance, 4)}**",
        f"**{'Bias²' if dominant == 'bias' else 'Variance'} dominates** ({fmt(max(bias2, variance), 4)} vs "
        f"{fmt(min(bias2, variance), 4)}): {why}. The expected squared error at x0 is bias² + variance + the "
        f"noise variance {fmt(scenario.noise**2, 4)}, which no model can remove.",
        "Interview line: high bias → a richer model or better features; high variance → more data, "
        "regularisation, pruning, a larger k, or averaging many models (bagging).",
    ])
