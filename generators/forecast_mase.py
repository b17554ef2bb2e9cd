"""`forecast-mase`: MAE and MASE of forecasts on a seasonal series, and which forecast wins.

A short seasonal series (monthly with period 12, quarterly with period 4, or daily with a weekly period 7)
is split into a training part and a holdout. Three forecasts of the holdout are given: **naive** (the last
training value, repeated), **seasonal naive** (the value one season earlier) and a **model**. With e_t the
holdout errors and y the training series of length T:

    MAE  = mean |e_t|
    MASE = MAE / scale, scale = (1 / (T − 1))·Σ_{t=2..T} |y_t − y_{t−1}|      (one-step naive, in-sample)
                   or   scale = (1 / (T − m))·Σ_{t=m+1..T} |y_t − y_{t−m}|    (seasonal naive, in-sample)

| ask           | answer                                      | mistakes the numbers are drawn to expose            |
|---------------|---------------------------------------------|-----------------------------------------------------|
| `mae`         | MAE of one forecast, 2 decimals             | the signed mean error; RMSE                          |
| `mase`        | MASE of one forecast with the stated scale  | the other scale; the holdout naive MAE as the scale; dividing by T |
| `best`        | which forecast has the lowest MAE           | (each forecast wins in a fair share of instances)    |
| `beats_naive` | is the model's MASE below 1                 | comparing with the naive forecast on the holdout instead |

Following Hyndman & Koehler (2006), "Another look at measures of forecast accuracy". The tests check MAE
with ``sklearn.metrics.mean_absolute_error`` and the scale from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Ask = Literal["mae", "mase", "best", "beats_naive"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws
Scale = Literal["naive", "seasonal"]

FORECASTS = ("naive", "seasonal_naive", "model")
FORECAST_LABELS = {"naive": "naive", "seasonal_naive": "seasonal naive", "model": "model"}


@dataclass(frozen=True, slots=True)
class Frequency:
    period: int
    cycles: int  # full seasons of training data
    horizon: int
    season_names: tuple[str, ...]
    cycle_name: str  # "2023" style label maker: f"{cycle_name} {i}"
    holdout_name: str


MONTHLY = Frequency(
    12,
    2,
    6,
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "year",
    "the first 6 months of year 3",
)
QUARTERLY = Frequency(4, 4, 4, ("Q1", "Q2", "Q3", "Q4"), "year", "the 4 quarters of year 5")
DAILY = Frequency(7, 3, 7, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "week", "the 7 days of week 4")


@dataclass(frozen=True, slots=True)
class Scenario:
    series: str
    unit: str
    frequency: Frequency
    level: tuple[int, int]
    season_shape: tuple[float, ...]  # one value per season position, mean about 0, peak about ±1


SCENARIOS = (
    Scenario(
        "A gelato chain's monthly sales",
        "thousand cups",
        MONTHLY,
        (80, 140),
        (-0.9, -0.8, -0.5, -0.1, 0.3, 0.8, 1.0, 0.9, 0.4, -0.1, -0.5, -0.8),
    ),
    Scenario(
        "A regional airport's monthly passengers",
        "thousands",
        MONTHLY,
        (200, 320),
        (-0.6, -0.7, -0.3, 0.0, 0.2, 0.6, 1.0, 0.9, 0.3, -0.1, -0.5, -0.2),
    ),
    Scenario("A brewery's quarterly production", "megalitres", QUARTERLY, (60, 110), (-0.7, 0.2, 1.0, -0.5)),
    Scenario(
        "A department store's quarterly revenue", "$ millions", QUARTERLY, (30, 60), (-0.6, -0.3, -0.1, 1.0)
    ),
    Scenario(
        "A café's daily customer count",
        "customers",
        DAILY,
        (150, 260),
        (-0.2, -0.3, -0.2, 0.0, 0.4, 1.0, 0.7),
    ),
    Scenario(
        "A gym's daily check-in count", "check-ins", DAILY, (300, 450), (0.9, 0.7, 0.6, 0.4, 0.0, -0.6, -0.9)
    ),
)


class ForecastMaseParams(Params):
    ask: Ask | None = None
    scale: Scale | None = None  # the MASE denominator; None: by seed (mostly the one-step naive)


@dataclass(frozen=True, slots=True)
class Instance:
    train: np.ndarray
    actual: np.ndarray
    forecasts: dict[str, np.ndarray]
    period: int

    def mae(self, name: str) -> float:
        return float(np.mean(np.abs(self.actual - self.forecasts[name])))

    def scale(self, kind: str) -> float:
        lag = 1 if kind == "naive" else self.period
        return float(np.mean(np.abs(self.train[lag:] - self.train[:-lag])))

    def mase(self, name: str, kind: str) -> float:
        return self.mae(name) / self.scale(kind)


def _instance(rng: np.random.Generator, s: Scenario) -> Instance:
    f = s.frequency
    n = f.period * f.cycles + f.horizon
    level = rng.uniform(*s.level)
    amplitude = level * rng.uniform(0.0, 0.35)
    trend = level * rng.uniform(-0.01, 0.02) * (12 / f.period)
    t = np.arange(n)
    shape = np.array(s.season_shape)[t % f.period]
    y = level + trend * t + amplitude * shape + rng.normal(0, level * rng.uniform(0.02, 0.08), n)
    y = np.round(y).astype(int)
    train, actual = y[: n - f.horizon], y[n - f.horizon :]
    naive = np.full(f.horizon, train[-1])
    seasonal = train[len(train) - f.period + np.arange(f.horizon)]
    model = np.round(
        actual + rng.normal(rng.normal(0, 0.03) * level, level * rng.uniform(0.02, 0.12), f.horizon)
    )
    return Instance(
        train, actual, {"naive": naive, "seasonal_naive": seasonal, "model": model.astype(int)}, f.period
    )


def _mae_mistakes(inst: Instance, name: str) -> dict[str, float]:
    errors = inst.actual - inst.forecasts[name]
    return {"mean_error": float(np.mean(errors)), "rmse": float(np.sqrt(np.mean(errors**2)))}


def _mase_mistakes(inst: Instance, name: str, kind: str) -> dict[str, float]:
    other = "seasonal" if kind == "naive" else "naive"
    lag = 1 if kind == "naive" else inst.period
    summed = float(np.sum(np.abs(inst.train[lag:] - inst.train[:-lag])))
    mistakes = {
        "other_scale": inst.mase(name, other),
        "divide_by_T": inst.mae(name) / (summed / len(inst.train)),
    }
    if name != "naive":  # relative MAE: the naive forecast's holdout MAE as the scale
        mistakes["holdout_naive_scale"] = inst.mae(name) / inst.mae("naive")
    return mistakes


class ForecastMase(Generator):
    name = "forecast-mase"
    title = "Forecast accuracy: MAE, MASE and the naive benchmarks"
    description = (
        "A short seasonal series, a holdout and three forecasts (naive, seasonal naive, a model): MAE, MASE "
        "scaled by the in-sample naive or seasonal-naive error, which forecast wins, and whether MASE < 1."
    )
    Params = ForecastMaseParams
    topics = ("time-series", "forecasting", "metrics")

    def make(self, rng: np.random.Generator, seed: int, params: ForecastMaseParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        kind = params.scale or ("naive" if rng.random() < 0.6 else "seasonal")
        if ask == "beats_naive":
            kind = params.scale or "naive"
        target = str(rng.choice(FORECASTS)) if ask == "best" else str(rng.choice(["yes", "no"]))
        asked = str(rng.choice(FORECASTS, p=[0.2, 0.3, 0.5]))
        for _ in range(5000):
            inst = _instance(rng, s)
            maes = {name: inst.mae(name) for name in FORECASTS}
            if ask == "best":
                ranked = sorted(maes, key=maes.__getitem__)
                if ranked[0] == target and maes[ranked[1]] - maes[ranked[0]] >= 0.05 * maes[ranked[1]]:
                    break
            elif ask == "beats_naive":
                m = inst.mase("model", kind)
                if abs(m - 1) >= 0.05 and (m < 1) == (target == "yes"):
                    break
            elif ask == "mae":
                slips = _mae_mistakes(inst, asked)
                if maes[asked] > 0 and min(abs(maes[asked] - v) for v in slips.values()) >= 0.05:
                    break
            else:
                value = inst.mase(asked, kind)
                slips = _mase_mistakes(inst, asked, kind)
                if min(abs(value - v) for v in slips.values()) >= 0.01 and inst.scale("seasonal") > 0:
                    break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        f = s.frequency
        grid = "\n".join(
            [
                f"| {f.cycle_name} | " + " | ".join(f.season_names) + " |",
                "|---" * (f.period + 1) + "|",
                *(
                    f"| {c + 1} | "
                    + " | ".join(str(v) for v in inst.train[c * f.period : (c + 1) * f.period])
                    + " |"
                    for c in range(f.cycles)
                ),
            ]
        )
        holdout_labels = [f.season_names[i % f.period] for i in range(f.horizon)]
        table = Table(
            headers=("holdout", "actual", "naive", "seasonal naive", "model"),
            rows=tuple(
                (label, str(inst.actual[i]), *(str(inst.forecasts[name][i]) for name in FORECASTS))
                for i, label in enumerate(holdout_labels)
            ),
            title=f"holdout · {f.holdout_name} · {s.unit}",
        )
        intro = (
            f"**{s.series}** ({s.unit}), training data:\n\n{grid}\n\n"
            f"The holdout is {f.holdout_name}; the table gives the actual values and three forecasts made at the "
            f"end of the training data: **naive** (last training value), **seasonal naive** (same "
            f"{'month' if f.period == 12 else 'quarter' if f.period == 4 else 'weekday'} one {f.cycle_name} earlier) "
            "and a "
            "**model**."
        )
        scale_text = (
            "the in-sample MAE of the one-step naive forecast (mean of |y_t − y_(t−1)| over the training data)"
            if kind == "naive"
            else f"the in-sample MAE of the seasonal naive forecast (mean of |y_t − y_(t−{f.period})| over the training "
            "data)"
        )
        data: dict[str, object] = {
            "ask": ask,
            "period": f.period,
            "train": inst.train.tolist(),
            "actual": inst.actual.tolist(),
            "forecasts": {k: v.tolist() for k, v in inst.forecasts.items()},
            "scale_kind": kind,
            "mae": {name: inst.mae(name) for name in FORECASTS},
            "scale": {"naive": inst.scale("naive"), "seasonal": inst.scale("seasonal")},
        }
        if ask == "mae":
            label = FORECAST_LABELS[asked]
            question = (
                f"What is the **MAE** of the **{label}** forecast over the holdout? Answer to 2 decimals."
            )
            parts = (Part(f"MAE ({label})?", NumberAnswer(inst.mae(asked), decimals=2)),)
            data |= {"forecast": asked, "mistakes": _mae_mistakes(inst, asked)}
        elif ask == "mase":
            label = FORECAST_LABELS[asked]
            question = (
                f"What is the **MASE** of the **{label}** forecast, scaling its holdout MAE by {scale_text}? "
                "Answer to 3 decimals."
            )
            parts = (Part(f"MASE ({label})?", NumberAnswer(inst.mase(asked, kind), decimals=3)),)
            data |= {
                "forecast": asked,
                "mase": inst.mase(asked, kind),
                "mistakes": _mase_mistakes(inst, asked, kind),
            }
        elif ask == "best":
            question = "Which forecast is most accurate on the holdout by **MAE**?"
            parts = (Part("best forecast?", _best_answer(rng, inst)),)
        else:
            question = f"MASE scales the holdout MAE by {scale_text}. Is the **model's MASE below 1**?"
            parts = (Part("model MASE < 1?", _beats_answer(rng, inst, kind)),)
            data |= {"mase": inst.mase("model", kind)}
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, inst, kind, asked, f),
            data=data,
            table=table,
        )


def _best_answer(rng: np.random.Generator, inst: Instance) -> ChoiceAnswer:
    maes = {name: inst.mae(name) for name in FORECASTS}
    best = min(maes, key=maes.__getitem__)
    labels = {
        "naive": "The naive forecast",
        "seasonal_naive": "The seasonal naive forecast",
        "model": "The model's forecast",
    }
    options = tuple(Option(FORECASTS[i], labels[FORECASTS[i]]) for i in rng.permutation(3))
    feedback = {
        name: f"Its MAE is {fmt(maes[name], 2)}, above the {FORECAST_LABELS[best]} forecast's "
        f"{fmt(maes[best], 2)}."
        for name in FORECASTS
        if name != best
    }
    return ChoiceAnswer(options=options, correct=best, feedback=feedback)


def _beats_answer(rng: np.random.Generator, inst: Instance, kind: str) -> ChoiceAnswer:
    value = inst.mase("model", kind)
    correct = "yes" if value < 1 else "no"
    options = [Option("yes", "Yes, MASE is below 1"), Option("no", "No, MASE is 1 or more")]
    if rng.random() < 0.5:
        options.reverse()
    holdout = inst.mae("naive")
    wrong = "no" if correct == "yes" else "yes"
    text = f"MASE = {fmt(inst.mae('model'), 3)} / {fmt(inst.scale(kind), 3)} = {fmt(value, 3)}" + (
        f". (On the holdout the naive forecast's MAE is {fmt(holdout, 2)}: a different comparison.)"
        if (inst.mae("model") < holdout) != (value < 1)
        else "."
    )
    return ChoiceAnswer(options=tuple(options), correct=correct, feedback={wrong: text})


def _solution(ask: str, inst: Instance, kind: str, asked: str, f: Frequency) -> str:
    lines = []
    names = [asked] if ask in ("mae", "mase") else list(FORECASTS)
    for name in names:
        errors = inst.actual - inst.forecasts[name]
        lines.append(
            f"{FORECAST_LABELS[name].capitalize()}: |errors| = {', '.join(str(abs(int(e))) for e in errors)}"
            f" → MAE = {int(np.abs(errors).sum())} / {len(errors)} = "
            + (f"**{fmt(inst.mae(name), 2)}**" if ask == "mae" else fmt(inst.mae(name), 3))
        )
    if ask == "mae":
        m = _mae_mistakes(inst, asked)
        lines.append(
            f"Absolute values first: the signed mean error (actual − forecast) is {fmt(m['mean_error'], 2)} (that is "
            "the bias, "
            f"where errors cancel), and RMSE = {fmt(m['rmse'], 2)} squares before averaging, so big misses "
            "weigh more."
        )
        return "\n\n".join(lines)
    lag = 1 if kind == "naive" else f.period
    diffs = np.abs(inst.train[lag:] - inst.train[:-lag])
    scale_line = (
        f"Scale = mean of the {len(diffs)} in-sample differences |y_t − y_(t−{lag})| = "
        f"{int(diffs.sum())} / {len(diffs)} = {fmt(inst.scale(kind), 3)}."
    )
    if ask == "mase":
        value = inst.mase(asked, kind)
        lines += [
            scale_line,
            f"MASE = {fmt(inst.mae(asked), 4)} / {fmt(inst.scale(kind), 4)} = **{fmt(value)}**",
        ]
        other = "seasonal naive" if kind == "naive" else "one-step naive"
        m = _mase_mistakes(inst, asked, kind)
        lines.append(
            f"The scale is fixed by the training data, so MASE compares forecasts across series. The {other} scale "
            f"would give {fmt(m['other_scale'], 3)}; dividing the sum of differences by T = {len(inst.train)} instead "
            f"of {len(diffs)} gives {fmt(m['divide_by_T'], 3)}. MASE < 1 means the forecast's holdout errors are "
            f"smaller than the in-sample {'one-step' if kind == 'naive' else 'seasonal'} naive errors, which is not "
            "the same as beating that benchmark on the holdout."
        )
    elif ask == "best":
        maes = {name: inst.mae(name) for name in FORECASTS}
        best = min(maes, key=maes.__getitem__)
        lines.append(
            f"Lowest MAE: **the {FORECAST_LABELS[best]} forecast** ({fmt(maes[best], 2)}). Dividing every "
            "MAE by the same scale (MASE) ranks them the same way."
        )
        lines.append(
            "Compare every model with both benchmarks: on strongly seasonal data the seasonal naive forecast is a "
            "hard baseline, and a model that does not beat it adds nothing over a one-line rule. When the season "
            "is weak, the plain naive forecast can win."
        )
    else:
        value = inst.mase("model", kind)
        lines = lines[2:3]  # the model's MAE
        lines += [
            scale_line,
            f"MASE = {fmt(inst.mae('model'), 4)} / {fmt(inst.scale(kind), 4)} = {fmt(value, 3)}, so "
            f"**{'yes, below 1' if value < 1 else 'no, 1 or more'}**.",
        ]
        holdout = inst.mae("naive")
        lines.append(
            f"MASE < 1 means the model's holdout errors are smaller than the in-sample "
            f"{'one-step' if kind == 'naive' else 'seasonal'} naive errors. That is not a head-to-head on the "
            f"holdout: there the naive forecast's MAE is {fmt(holdout, 2)} against the model's "
            f"{fmt(inst.mae('model'), 2)}, and the two comparisons can disagree because the scale uses one-step "
            "in-sample errors while holdout forecasts run several steps ahead."
        )

    return "\n\n".join(lines)
