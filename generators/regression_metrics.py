"""`regression-metrics`: MAE, MSE, RMSE, R² and MAPE on a short vector of forecasts.

Three kinds of question: compute one metric; say which of two models MAE and RMSE each prefer when one
model has a single big miss (squared errors punish outliers, when the miss is big enough); and which of the
rules tools call "MAPE" (skip zero actuals, divide by the forecast, cap at 100%, symmetric) produced a
dashboard's number on rows with a zero or tiny actual, where textbook MAPE is undefined or dominated by one
row (WAPE is the usual fix). Expected values are ``sklearn.metrics``' numbers, computed here with numpy
the way scikit-learn computes them (the tests check they are the same floats, bit for bit, over every
question's vectors): importing scikit-learn for five one-line formulas cost a drill session about 90 MB.
WAPE, which scikit-learn lacks, is numpy too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    fmt,
    model_validator,
)

Metric = Literal["mae", "mse", "rmse", "r2", "mape"]
Ask = Literal["value", "outlier", "mape-zero"]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]

METRIC_NAMES = {
    "mae": "mean absolute error (MAE)",
    "mse": "mean squared error (MSE)",
    "rmse": "root mean squared error (RMSE)",
    "r2": "coefficient of determination R²",
    "mape": "mean absolute percentage error (MAPE)",
}


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    unit: str  # shown after numbers, e.g. "k$"
    low: int  # targets are integers in [low, high]
    high: int
    error: int  # typical absolute error of a decent model, in the same unit


SCENARIOS = (
    Scenario("A house-price model is checked on recent sales", "houses", "k$", 180, 950, 25),
    Scenario("A delivery-time model predicts minutes from order to door", "orders", "min", 14, 65, 4),
    Scenario("A demand forecast predicts daily units sold at one store", "days", "units", 40, 260, 12),
    Scenario("A grid operator forecasts tomorrow's peak load per region", "regions", "MW", 300, 1400, 45),
    Scenario("A ride-hailing model predicts fares", "trips", "$", 9, 80, 3),
    Scenario("A hotel forecasts nightly room bookings", "nights", "rooms", 60, 240, 9),
)

# Slow movers: a day with zero sales is normal, which is exactly where MAPE breaks.
ZERO_SCENARIOS = (
    Scenario(
        "A forecast predicts daily sales of a slow-moving spare part at one warehouse",
        "days",
        "units",
        1,
        14,
        2,
    ),
    Scenario("A model forecasts weekly returns of a niche product", "weeks", "returns", 1, 12, 2),
    Scenario(
        "A forecast predicts hourly walk-in customers at a small branch", "hours", "customers", 1, 16, 2
    ),
)


class RegressionMetricsParams(Params):
    ask: Ask | None = None  # None: random per seed (a `metric` alone implies "value")
    metric: Metric | None = None  # for ask="value"; None: random per seed

    @model_validator(mode="after")
    def _metric_only_for_value(self) -> RegressionMetricsParams:
        # Fail at deck load rather than silently ignore a param the chosen question does not use.
        if self.metric is not None and self.ask not in (None, "value"):
            raise ValueError(f"metric applies only to ask='value', not ask={self.ask!r}")
        return self


def metric_value(metric: str, y: np.ndarray, yhat: np.ndarray) -> float:
    """``sklearn_metric(metric, y, yhat)``, without importing scikit-learn.

    The same operations in the same order as ``sklearn.metrics`` 1.x on one output: float64 columns,
    means and sums down axis 0, MAPE dividing by max(|y|, machine epsilon), and R² of a constant target
    1.0 for a perfect forecast, else 0.0 (its ``force_finite``). The generator's targets are never constant.
    """
    y_true = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    y_pred = np.asarray(yhat, dtype=np.float64).reshape(-1, 1)
    match metric:
        case "mae":
            return float(np.mean(np.abs(y_pred - y_true), axis=0)[0])
        case "mse":
            return float(np.mean((y_true - y_pred) ** 2, axis=0)[0])
        case "rmse":
            return float(np.sqrt(np.mean((y_true - y_pred) ** 2, axis=0))[0])
        case "r2":
            residual = np.sum((y_true - y_pred) ** 2, axis=0)[0]
            spread = np.sum((y_true - np.mean(y_true, axis=0)) ** 2, axis=0)[0]
            if spread == 0:
                return 1.0 if residual == 0 else 0.0
            return float(1 - residual / spread)
        case "mape":
            epsilon = np.finfo(np.float64).eps
            return float(np.mean(np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), epsilon), axis=0)[0])
    raise ValueError(f"unknown metric {metric!r}")


def sklearn_metric(metric: str, y: np.ndarray, yhat: np.ndarray) -> float:
    """The metric by ``sklearn.metrics``: what :func:`metric_value` is checked against."""
    from sklearn import metrics

    match metric:
        case "mae":
            return float(metrics.mean_absolute_error(y, yhat))
        case "mse":
            return float(metrics.mean_squared_error(y, yhat))
        case "rmse":
            return float(metrics.root_mean_squared_error(y, yhat))
        case "r2":
            return float(metrics.r2_score(y, yhat))
        case "mape":
            return float(metrics.mean_absolute_percentage_error(y, yhat))
    raise ValueError(f"unknown metric {metric!r}")


def wape(y: np.ndarray, yhat: np.ndarray) -> float:
    """Weighted absolute percentage error Σ|y − ŷ| / Σ|y|: defined whenever the targets are not all zero."""
    return float(np.abs(y - yhat).sum() / np.abs(y).sum())


def _forecasts(rng: np.random.Generator, scenario: Scenario, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct positive integer targets and a decent model's integer forecasts (R² well above 0)."""
    while True:
        y = np.sort(rng.choice(np.arange(scenario.low, scenario.high + 1), size=n, replace=False))
        rng.shuffle(y)
        errors = np.rint(rng.normal(0, scenario.error, size=n)).astype(int)
        yhat = np.maximum(y + errors, 1)
        residual = y - yhat
        # R² in a realistic band, and at least one miss so no metric is trivially 0.
        if np.any(residual != 0) and 1 - (residual**2).sum() / ((y - y.mean()) ** 2).sum() > 0.4:
            return y.astype(int), yhat.astype(int)


def _vector_table(y: np.ndarray, columns: dict[str, np.ndarray], scenario: Scenario, title: str) -> Table:
    headers = (
        scenario.items.rstrip("s").capitalize(),
        f"Actual ({scenario.unit})",
        *(f"{name} ({scenario.unit})" for name in columns),
    )
    rows = tuple(
        (str(i + 1), str(int(y[i])), *(str(int(col[i])) for col in columns.values())) for i in range(len(y))
    )
    return Table(headers=headers, rows=rows, title=title)


def _residual_lines(y: np.ndarray, yhat: np.ndarray, metric: str) -> str:
    """A Markdown table of the residuals with the column the metric needs."""
    extra = {
        "mae": "abs error",
        "mse": "error²",
        "rmse": "error²",
        "r2": "error²",
        "mape": "abs error / actual",
    }[metric]
    lines = [f"| # | actual y | forecast ŷ | error y − ŷ | {extra} |", "|---|---|---|---|---|"]
    for i, (a, b) in enumerate(zip(y, yhat, strict=True)):
        e = int(a - b)
        cell = {"mae": str(abs(e)), "mape": fmt(abs(e) / a, 4)}.get(metric, str(e * e))
        lines.append(f"| {i + 1} | {a} | {b} | {e} | {cell} |")
    return "\n".join(lines)


def _value_solution(metric: str, y: np.ndarray, yhat: np.ndarray, value: float, unit: str) -> str:
    n = len(y)
    e = y - yhat
    lines = [_residual_lines(y, yhat, metric)]
    abs_sum, sq_sum = int(np.abs(e).sum()), int((e**2).sum())
    match metric:
        case "mae":
            lines.append(f"MAE = Σ|y − ŷ| / n = {abs_sum} / {n} = **{fmt(value)} {unit}**")
            lines.append("MAE is in the target's unit and treats a miss of 20 as exactly twice a miss of 10.")
        case "mse":
            lines.append(f"MSE = Σ(y − ŷ)² / n = {sq_sum} / {n} = **{fmt(value)} {unit}²**")
            lines.append(
                "MSE is in squared units; it is what least squares minimises, and big misses dominate it."
            )
        case "rmse":
            lines.append(f"MSE = Σ(y − ŷ)² / n = {sq_sum} / {n} = {fmt(sq_sum / n)}")
            lines.append(f"RMSE = √MSE = √{fmt(sq_sum / n)} = **{fmt(value)} {unit}**")
            lines.append(
                f"RMSE ≥ MAE always (here {fmt(value, 2)} vs {fmt(abs_sum / n, 2)}); "
                "the gap grows with the spread of the errors."
            )
        case "r2":
            mean = float(y.mean())
            ss_tot = float(((y - mean) ** 2).sum())
            lines.append(f"SS_res = Σ(y − ŷ)² = {sq_sum}")
            lines.append(f"ȳ = {fmt(mean)}; SS_tot = Σ(y − ȳ)² = {fmt(ss_tot, 2)}")
            lines.append(f"R² = 1 − SS_res / SS_tot = 1 − {sq_sum} / {fmt(ss_tot, 2)} = **{fmt(value)}**")
            lines.append(
                "R² compares the model with always predicting the mean: 0 is no better, and it can go "
                "negative on a test set."
            )
        case "mape":
            ratios = np.abs(e) / y
            lines.append(
                f"MAPE = mean(|y − ŷ| / |y|) = ({' + '.join(fmt(r, 4) for r in ratios)}) / {n} "
                f"= **{fmt(value)}** ({fmt(100 * value, 2)}%)"
            )
            lines.append(
                "MAPE weighs a miss on a small target far more than the same miss on a large one, "
                "and it is undefined when a target is 0."
            )
    return "\n\n".join(lines)


class RegressionMetrics(Generator):
    name = "regression-metrics"
    title = "Regression metrics: MAE, MSE, RMSE, R², MAPE"
    description = (
        "Compute MAE, MSE, RMSE, R² or MAPE on a short vector of forecasts; say which of two models MAE and "
        "RMSE prefer when one model has a single big miss; and what happens to MAPE when a target is zero."
    )
    Params = RegressionMetricsParams
    topics = ("metrics", "regression")

    def make(self, rng: np.random.Generator, seed: int, params: RegressionMetricsParams) -> Problem:
        ask = params.ask
        if ask is None:
            ask = (
                "value"
                if params.metric
                else str(rng.choice(["value", "value", "value", "outlier", "mape-zero"]))
            )
        if ask == "outlier":
            return self._outlier(rng, seed, params)
        if ask == "mape-zero":
            return self._mape_zero(rng, seed, params)
        return self._value(rng, seed, params)

    def _value(self, rng: np.random.Generator, seed: int, params: RegressionMetricsParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        metric = params.metric or str(rng.choice(METRICS))
        n = int(rng.integers(5, 7))
        y, yhat = _forecasts(rng, scenario, n)
        value = metric_value(metric, y, yhat)
        if metric in ("r2", "mape"):
            # Unitless ratios: 3 decimals. MAPE also as a percent ("7.3%" reads as 0.073).
            answer = NumberAnswer(value, decimals=3)
            how = "a number to 3 decimals" + (" (a percentage is fine too)" if metric == "mape" else "")
        else:
            # In the target's unit (squared for MSE), to 2 decimals.
            unit = f"{scenario.unit}²" if metric == "mse" else scenario.unit
            answer = NumberAnswer(value, decimals=2, unit=unit)
            how = f"a number in {unit}, to 2 decimals"
        asked = METRIC_NAMES[metric]
        prompt = (
            f"{scenario.context}. Here are its forecasts for {n} {scenario.items}.\n\n"
            f"What is the **{asked}**? Answer as {how}."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked}?", answer=answer),),
            solution=_value_solution(metric, y, yhat, value, scenario.unit),
            data={
                "ask": "value",
                "metric": metric,
                "y_true": y.tolist(),
                "y_pred": yhat.tolist(),
                "unit": scenario.unit,
            },
            table=_vector_table(y, {"Forecast": yhat}, scenario, f"{n} {scenario.items}: actual vs forecast"),
        )

    def _outlier(self, rng: np.random.Generator, seed: int, params: RegressionMetricsParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        n = int(rng.integers(6, 9))
        # Half the time MAE and RMSE disagree (the big miss decides RMSE); otherwise the big miss is too small
        # to matter, or the steady model is better everywhere. The numbers decide each part on its own.
        mode = str(rng.choice(["disagree", "disagree", "spiky", "steady"]))
        y, spiky, steady = _outlier_pair(rng, scenario, n, mode)
        spiky_is_a = bool(rng.random() < 0.5)
        models = {"A": spiky if spiky_is_a else steady, "B": steady if spiky_is_a else spiky}
        scores = {m: {k: metric_value(k, y, models[m]) for k in ("mae", "rmse")} for m in models}
        parts = []
        for metric in ("mae", "rmse"):
            best = min(models, key=lambda m: scores[m][metric])
            other = "B" if best == "A" else "A"
            label = metric.upper()
            feedback = {
                other: f"Model {other}'s {label} is {fmt(scores[other][metric], 2)} vs Model {best}'s "
                f"{fmt(scores[best][metric], 2)}."
            }
            parts.append(
                Part(
                    prompt=f"Which model has the lower {label}?",
                    answer=ChoiceAnswer((Option("A", "Model A"), Option("B", "Model B")), best, feedback),
                    label=label,
                )
            )
        prompt = (
            f"{scenario.context}. Two candidate models forecast the same {n} {scenario.items}.\n\n"
            "1. Which model has the lower **MAE**?\n2. Which model has the lower **RMSE**?\n\n"
            "Answer both with a model letter, separated by ';'."
        )
        spiky_name = "A" if spiky_is_a else "B"
        solution = _outlier_solution(y, models, scores, spiky_name, scenario.unit)
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=tuple(parts),
            solution=solution,
            data={
                "ask": "outlier",
                "mode": mode,
                "y_true": y.tolist(),
                "y_pred_a": models["A"].tolist(),
                "y_pred_b": models["B"].tolist(),
                "unit": scenario.unit,
                "scores": scores,
            },
            table=_vector_table(
                y,
                {"Model A": models["A"], "Model B": models["B"]},
                scenario,
                f"{n} {scenario.items}: actual vs two models' forecasts",
            ),
        )

    def _mape_zero(self, rng: np.random.Generator, seed: int, params: RegressionMetricsParams) -> Problem:
        scenario = ZERO_SCENARIOS[int(rng.integers(len(ZERO_SCENARIOS)))]
        n = int(rng.integers(5, 8))
        # Half the instances have an actual of 0 (textbook MAPE is undefined, so the dashboard must use some
        # patch), half a tiny actual (MAPE is defined but that row dominates). The key rule is drawn uniformly
        # among the four offered; the reported number, computed with it, is the only clue.
        has_zero = bool(rng.random() < 0.5)
        offered = ("skip" if has_zero else "standard", "forecast", "capped", "smape")
        key = str(rng.choice(offered))
        y, yhat, values = _zero_forecasts(rng, scenario, n, has_zero, offered)
        reported = values[key]
        w = wape(y, yhat)
        sk_mape = metric_value("mape", y, yhat)
        item = scenario.items.rstrip("s")
        order = rng.permutation(len(offered))
        options = tuple(
            Option(offered[i], RULE_LABELS[offered[i]], aliases=RULE_ALIASES[offered[i]]) for i in order
        )
        feedback = {
            rule: f"That rule gives {100 * values[rule]:.1f}% on these rows, not the {100 * reported:.1f}% "
            "on the dashboard."
            for rule in offered
            if rule != key
        }
        parts = (
            Part(
                prompt="Which rule reproduces the dashboard's MAPE?",
                answer=ChoiceAnswer(options, key, feedback),
                label="MAPE rule",
            ),
            Part(
                prompt="What is the WAPE, Σ|y − ŷ| / Σ|y|?", answer=NumberAnswer(w, decimals=3), label="WAPE"
            ),
        )
        prompt = (
            f"{scenario.context}. Here are {n} {scenario.items} of actuals ({scenario.unit}) and forecasts. The "
            f'team\'s dashboard reports **MAPE = {100 * reported:.1f}%** for them, but tools implement "MAPE" '
            "differently, especially around small and zero actuals.\n\n"
            "1. Which rule reproduces the dashboard's number?\n"
            "2. A common alternative is **WAPE** = Σ|y − ŷ| / Σ|y|. What is it? Answer to 3 decimals "
            "(a percentage is fine too).\n\nSeparate the answers with ';'."
        )
        abs_errors = np.abs(y - yhat)
        small = int(np.argmin(y))
        if has_zero:
            defined = (
                f"Row {small + 1} has actual 0 and forecast {yhat[small]}: its term |{yhat[small]} − 0| / 0 "
                "divides by zero, so textbook MAPE is **undefined** here and any number on a dashboard "
                f"comes from a patch. (sklearn's `mean_absolute_percentage_error` divides by machine "
                f"epsilon instead and returns {sk_mape:.3g}.)"
            )
        else:
            defined = (
                f"Textbook MAPE is defined here, but row {small + 1} (actual {y[small]}, forecast "
                f"{yhat[small]}) contributes {100 * abs_errors[small] / y[small]:.0f}% on its own: a tiny "
                "actual dominates MAPE."
            )
        lines = []  # a list, not a Markdown table: the rules' |y − ŷ| would split its cells
        for rule in offered:
            mark = " ← the dashboard" if rule == key else ""
            lines.append(f"- {RULE_LABELS[rule]}: {100 * values[rule]:.1f}%{mark}")
        solution = "\n\n".join(
            [
                defined,
                "Compute each candidate rule on the rows and compare with the dashboard's "
                f"{100 * reported:.1f}%:",
                "\n".join(lines),
                f"So the dashboard uses **{RULE_LABELS[key]}**.",
                f"WAPE = Σ|y − ŷ| / Σ|y| = ({' + '.join(str(int(a)) for a in abs_errors)}) / "
                f"({' + '.join(str(int(a)) for a in y)}) = {int(abs_errors.sum())} / {int(y.sum())} = **{w:.3f}**",
                f"WAPE (total absolute error over total actuals) stays defined with zero targets and weighs each "
                f"{item} by its volume; for intermittent demand it, MAE or a scaled error (MASE) replaces MAPE. "
                "Whatever a dashboard calls MAPE, check how it treats zero and tiny actuals.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=parts,
            solution=solution,
            data={
                "ask": "mape-zero",
                "y_true": y.tolist(),
                "y_pred": yhat.tolist(),
                "unit": scenario.unit,
                "has_zero": has_zero,
                "rule": key,
                "reported": reported,
                "rule_values": values,
                "sklearn_mape": sk_mape,
                "wape": w,
            },
            table=_vector_table(y, {"Forecast": yhat}, scenario, f"{n} {scenario.items}: actual vs forecast"),
        )


RULE_LABELS = {
    "standard": "mean of |y − ŷ| / |y| over every row (textbook)",
    "skip": "mean of |y − ŷ| / |y| over rows whose actual is not 0",
    "forecast": "mean of |y − ŷ| / |ŷ| over every row (forecast as base)",
    "capped": "mean of min(|y − ŷ| / |y|, 1) over every row (0 actual: 100%)",
    "smape": "mean of 2|y − ŷ| / (|y| + |ŷ|) over every row (symmetric)",
}
RULE_ALIASES = {
    "standard": ("textbook", "textbook MAPE", "MAPE"),
    "skip": ("skip zeros", "skip", "drop zeros"),
    "forecast": ("forecast denominator", "divide by forecast"),
    "capped": ("cap", "capped at 100%", "clip"),
    "smape": ("sMAPE", "symmetric MAPE", "symmetric"),
}


def mape_rule(rule: str, y: np.ndarray, yhat: np.ndarray) -> float:
    """What a dashboard reports as "MAPE" under each common implementation (NaN where it is undefined)."""
    y, yhat = y.astype(float), yhat.astype(float)
    e = np.abs(y - yhat)
    nonzero = y != 0
    match rule:
        case "standard":
            return float((e / y).mean()) if nonzero.all() else float("nan")
        case "skip":
            return float((e[nonzero] / y[nonzero]).mean())
        case "forecast":
            return float((e / yhat).mean())
        case "capped":
            ratios = np.ones_like(y)
            ratios[nonzero] = np.minimum(e[nonzero] / y[nonzero], 1.0)
            return float(ratios.mean())
        case "smape":
            return float((2 * e / (np.abs(y) + np.abs(yhat))).mean())
    raise ValueError(f"unknown rule {rule!r}")


def _zero_forecasts(
    rng: np.random.Generator, scenario: Scenario, n: int, has_zero: bool, rules: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Small counts with one actual of 0 (``has_zero``) or of 1-2 missed by more than itself; forecasts >= 1.

    Redrawn until the offered rules give values at least 1 percentage point apart, so the dashboard's number
    (shown to 1 decimal) points to exactly one rule.
    """
    while True:
        y = rng.integers(scenario.low + 2, scenario.high + 1, size=n)
        small = int(rng.integers(n))
        y[small] = 0 if has_zero else int(rng.integers(1, 3))
        yhat = np.maximum(y + rng.integers(-scenario.error - 1, scenario.error + 2, size=n), 1)
        if not has_zero:
            yhat[small] = y[small] + int(
                rng.integers(y[small] + 1, y[small] + 4)
            )  # a miss bigger than the actual
        values = {rule: mape_rule(rule, y, yhat) for rule in rules}
        spread = np.sort(np.array(list(values.values())))
        if np.all(np.diff(spread) >= 0.01):
            return y, yhat, values


def _outlier_pair(
    rng: np.random.Generator, scenario: Scenario, n: int, mode: str = "disagree"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets, a 'spiky' model (small misses plus one big one) and a 'steady' model (medium misses everywhere).

    ``mode`` "disagree": MAE prefers the spiky model and RMSE the steady one; "spiky": the big miss is not big
    enough, both prefer the spiky model; "steady": the steady model wins both. Every preference by >= 10%.
    """
    u = scenario.error
    while True:
        y = rng.integers(scenario.low, scenario.high + 1, size=n)
        small = rng.integers(max(1, u // 5), max(2, u // 2) + 1, size=n)
        small[int(rng.integers(n))] = int(rng.integers(3 * u, 7 * u + 1))
        mae_s, rmse_s = small.mean(), np.sqrt((small**2).mean())
        level = {
            "disagree": np.sqrt(mae_s * rmse_s),
            "spiky": rmse_s * rng.uniform(1.15, 1.4),
            "steady": mae_s * rng.uniform(0.55, 0.85),
        }[mode]
        medium = np.maximum(np.rint(level * rng.uniform(0.85, 1.15, size=n)), 1).astype(int)
        mae_m, rmse_m = medium.mean(), np.sqrt((medium**2).mean())
        mae_spiky = mae_s * 1.1 < mae_m
        rmse_spiky = rmse_s * 1.1 < rmse_m
        wanted = {
            "disagree": mae_spiky and rmse_m * 1.1 < rmse_s,
            "spiky": mae_spiky and rmse_spiky,
            "steady": mae_m * 1.1 < mae_s and rmse_m * 1.1 < rmse_s,
        }[mode]
        if wanted:
            spiky = y + small * rng.choice([-1, 1], size=n)
            steady = y + medium * rng.choice([-1, 1], size=n)
            if spiky.min() > 0 and steady.min() > 0:
                return y, spiky, steady


def _outlier_solution(
    y: np.ndarray, models: dict[str, np.ndarray], scores: dict[str, dict[str, float]], spiky: str, unit: str
) -> str:
    lines = ["| model | absolute errors | MAE | RMSE |", "|---|---|---|---|"]
    for m, yhat in models.items():
        errors = ", ".join(str(int(v)) for v in np.abs(y - yhat))
        lines.append(f"| {m} | {errors} | {fmt(scores[m]['mae'], 2)} | {fmt(scores[m]['rmse'], 2)} |")
    steady = "B" if spiky == "A" else "A"
    big = int(np.abs(y - models[spiky]).max())
    mae_best = min(models, key=lambda m: scores[m]["mae"])
    rmse_best = min(models, key=lambda m: scores[m]["rmse"])
    mae_other, rmse_other = ("B" if mae_best == "A" else "A"), ("B" if rmse_best == "A" else "A")
    if mae_best == spiky:
        mae_why = f"MAE averages the misses, so Model {spiky}'s many small errors win it"
    else:
        mae_why = f"Model {steady}'s errors are small enough everywhere that it wins even the plain average"
    if rmse_best == steady:
        rmse_why = f"RMSE squares first, so Model {spiky}'s single miss of {big} {unit} dominates"
    else:
        rmse_why = (
            f"RMSE squares first, yet Model {spiky}'s single miss of {big} {unit} is not big enough to "
            f"outweigh Model {steady}'s medium misses on every row"
        )
    return "\n\n".join(
        [
            "\n".join(lines),
            f"{mae_why}: **MAE prefers {mae_best}** ({fmt(scores[mae_best]['mae'], 2)} vs "
            f"{fmt(scores[mae_other]['mae'], 2)} {unit}).",
            f"{rmse_why}: **RMSE prefers {rmse_best}** ({fmt(scores[rmse_best]['rmse'], 2)} vs "
            f"{fmt(scores[rmse_other]['rmse'], 2)} {unit}).",
            "Pick the metric from the cost of errors: if one big miss hurts more than several small ones, use "
            "RMSE; if every unit of error costs the same, use MAE (which is also robust to outliers in the data).",
        ]
    )
