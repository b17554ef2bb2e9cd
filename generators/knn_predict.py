"""`knn-predict`: k-nearest neighbours with and without standardising the features.

A handful of labelled points with two features on very different scales (income in dollars and age in
years, floor area and distance...) and a query point. The question is the k-NN prediction on the raw
features, the prediction after standardising each feature with the training points' mean and standard
deviation (as ``StandardScaler`` does), both (they differ in about half the instances: on raw features the
large-scale feature decides alone), or the standardised distance to the nearest neighbour. The tests compare
with ``sklearn.neighbors.KNeighborsClassifier`` behind ``sklearn.preprocessing.StandardScaler``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from generators._arrays import median
from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Ask = Literal["unscaled", "scaled", "both", "nearest-distance"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    unit: str
    low: float
    high: float
    step: float  # values are multiples of this

    def show(self, value: float) -> str:
        if self.step >= 1:
            return f"{value:,.0f}"
        return f"{value:.{len(str(self.step).split('.')[1])}f}"


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    classes: tuple[str, str]
    big: Feature  # the large-scale feature
    small: Feature  # the small-scale feature, which carries the class signal


SCENARIOS = (
    Scenario(
        "A lender tries k-NN on past loans",
        "loan",
        ("defaulted", "repaid"),
        Feature("income", "$", 25_000, 140_000, 1_000),
        Feature("age", "years", 21, 70, 1),
    ),
    Scenario(
        "An estate agent tries k-NN on past listings",
        "listing",
        ("sold fast", "sat unsold"),
        Feature("floor area", "sq ft", 600, 3_500, 10),
        Feature("distance to centre", "km", 0.5, 30, 0.5),
    ),
    Scenario(
        "A payments team tries k-NN on card transactions",
        "transaction",
        ("legit", "fraud"),
        Feature("amount", "$", 5, 2_000, 5),
        Feature("merchant risk score", "0 to 1", 0.0, 1.0, 0.01),
    ),
    Scenario(
        "A health app tries k-NN on its users",
        "user",
        ("low risk", "high risk"),
        Feature("daily steps", "steps", 2_000, 15_000, 100),
        Feature("BMI", "kg/m²", 18, 40, 0.1),
    ),
    Scenario(
        "A retailer tries k-NN on loyalty-card customers",
        "customer",
        ("churned", "stayed"),
        Feature("annual spend", "$", 200, 20_000, 50),
        Feature("store visits", "per month", 1, 20, 1),
    ),
)


class KnnPredictParams(Params):
    ask: Ask | None = None
    k: Literal[1, 3, 5] | None = None  # None: 1, 3 or 5 by seed (nearest-distance ignores it)


@dataclass(frozen=True)  # no slots: the cached properties below need an instance __dict__
class Data:
    x: np.ndarray  # points × 2 (big, small)
    y: np.ndarray  # class index per point
    query: np.ndarray

    @cached_property
    def mean(self) -> np.ndarray:
        return self.x.mean(axis=0)

    @cached_property
    def std(self) -> np.ndarray:
        return self.x.std(axis=0)  # population (÷ n), as StandardScaler

    def scaled(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.x - self.mean) / self.std, (self.query - self.mean) / self.std

    @cached_property
    def _raw_distances(self) -> np.ndarray:
        return np.sqrt(((self.x - self.query) ** 2).sum(axis=1))

    @cached_property
    def _scaled_distances(self) -> np.ndarray:
        x, q = self.scaled()
        return np.sqrt(((x - q) ** 2).sum(axis=1))

    def distances(self, scaled: bool) -> np.ndarray:
        return self._scaled_distances if scaled else self._raw_distances

    def neighbours(self, k: int, scaled: bool) -> np.ndarray:
        return np.argsort(self.distances(scaled), kind="stable")[:k]

    def predict(self, k: int, scaled: bool) -> int:
        votes = np.bincount(self.y[self.neighbours(k, scaled)], minlength=2)
        return int(np.argmax(votes))


def _grid(rng: np.random.Generator, feature: Feature, size: int | None = None) -> np.ndarray:
    steps = int(round((feature.high - feature.low) / feature.step))
    return np.round(feature.low + rng.integers(0, steps + 1, size) * feature.step, 6)


def _draw(rng: np.random.Generator, scenario: Scenario) -> Data:
    """7-8 points whose class follows the small-scale feature (with some noise), and a query point."""
    n = int(rng.integers(7, 9))
    big, small = _grid(rng, scenario.big, n), _grid(rng, scenario.small, n)
    cut = median(small)
    y = ((small > cut) ^ (rng.random(n) < 0.15)).astype(int)
    query = np.array([float(_grid(rng, scenario.big)), float(_grid(rng, scenario.small))])
    return Data(np.column_stack([big, small]).astype(float), y, query)


def _clear(data: Data, k: int) -> bool:
    """No ties at the k-th neighbour in either metric, and both classes present."""
    if len(set(data.y.tolist())) < 2:
        return False
    for scaled in (False, True):
        d = np.sort(data.distances(scaled))
        if d[0] == 0 or (d[k] - d[k - 1]) < 1e-3 * max(d[k], 1e-9):
            return False
    return True


def _key(index: int) -> str:
    """Options are named by the class's position, so keys mean the same in every scenario."""
    return f"class-{index + 1}"


class KnnPredict(Generator):
    name = "knn-predict"
    title = "k-NN with and without feature scaling"
    description = (
        "A few labelled points with features on very different scales: the k-NN prediction on raw features, "
        "after standardisation, and the standardised distance to the nearest neighbour."
    )
    Params = KnnPredictParams
    topics = ("knn", "feature-scaling", "classification")

    def make(self, rng: np.random.Generator, seed: int, params: KnnPredictParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        k = 1 if ask == "nearest-distance" else (params.k or int(rng.choice((1, 3, 5))))
        target = int(rng.integers(2))  # the class the asked prediction should be (keeps keys balanced)
        want_differ = bool(rng.random() < 0.5)
        for _ in range(5000):
            data = _draw(rng, scenario)
            if not _clear(data, k):
                continue
            raw, scaled = data.predict(k, False), data.predict(k, True)
            raw_nearest, scaled_nearest = data.neighbours(1, False)[0], data.neighbours(1, True)[0]
            if ask == "nearest-distance":
                if (
                    raw_nearest != scaled_nearest
                    and abs(data.distances(True)[raw_nearest] - data.distances(True)[scaled_nearest]) >= 0.05
                ):
                    return self._distance(seed, params, scenario, data)
                continue
            asked = scaled if ask in ("scaled", "both") else raw
            if asked == target and (raw != scaled) == want_differ:
                return self._predict(rng, seed, params, scenario, data, k, ask)
        raise RuntimeError("no data met the conditions")  # pragma: no cover - a few draws suffice

    def _intro(self, scenario: Scenario, data: Data) -> str:
        return (
            f"{scenario.context}: each {scenario.items} has **{scenario.big.name}** ({scenario.big.unit}) and "
            f"**{scenario.small.name}** ({scenario.small.unit}), and a known outcome. A new {scenario.items} has "
            f"{scenario.big.name} = {scenario.big.show(data.query[0])} and {scenario.small.name} = "
            f"{scenario.small.show(data.query[1])}. Distances are Euclidean. Standardising means z = (x − mean) / "
            "std per feature, with the mean and the population standard deviation (÷ n) of the training "
            f"{scenario.items}s, as `StandardScaler` computes them (the last two rows of the table); the new "
            f"{scenario.items} is transformed with the same numbers."
        )

    def _predict(
        self,
        rng: np.random.Generator,
        seed: int,
        params: KnnPredictParams,
        scenario: Scenario,
        data: Data,
        k: int,
        ask: str,
    ) -> Problem:
        raw, scaled = data.predict(k, False), data.predict(k, True)
        order = rng.permutation(2)
        options = tuple(Option(_key(int(i)), scenario.classes[int(i)]) for i in order)
        vote = f"a majority vote of the {k} nearest" if k > 1 else "the single nearest"
        questions = {
            "unscaled": f"What does k-NN with k = {k} ({vote}) predict on the **raw** features?",
            "scaled": f"What does k-NN with k = {k} ({vote}) predict after **standardising** both features?",
            "both": (
                f"What does k-NN with k = {k} ({vote}) predict (a) on the **raw** features and (b) after "
                "**standardising** both features?"
            ),
        }
        prompt = f"{self._intro(scenario, data)}\n\n{questions[ask]}"
        parts = []
        for scaled_part in (False,) if ask == "unscaled" else (True,) if ask == "scaled" else (False, True):
            pick = scaled if scaled_part else raw
            other = 1 - pick
            near = data.neighbours(k, scaled_part)
            feedback = {
                _key(other): (
                    f"On {'standardised' if scaled_part else 'raw'} features the {k} nearest "
                    f"{'are' if k > 1 else 'is'} {_names(near)}, with {_tally(data.y[near], scenario)}: "
                    f"{scenario.classes[pick]} wins."
                    + (
                        f" {scenario.classes[other]} is what the {'raw' if scaled_part else 'standardised'} features "
                        "give."
                        if raw != scaled
                        else ""
                    )
                )
            }
            label = "" if ask != "both" else ("b" if scaled_part else "a")
            parts.append(
                Part(
                    prompt=f"{'(' + label + ') ' if label else ''}{'standardised' if scaled_part else 'raw'} k-NN?",
                    label=label,
                    answer=ChoiceAnswer(options=options, correct=_key(pick), feedback=feedback),
                )
            )
        lines = _solution(scenario, data, k, ask)
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=tuple(parts),
            solution="\n\n".join(lines),
            data=_data(
                ask,
                scenario,
                data,
                k,
                raw_prediction=scenario.classes[raw],
                scaled_prediction=scenario.classes[scaled],
            ),
            table=_table(scenario, data),
        )

    def _distance(self, seed: int, params: KnnPredictParams, scenario: Scenario, data: Data) -> Problem:
        d_scaled = data.distances(True)
        nearest = int(data.neighbours(1, True)[0])
        raw_nearest = int(data.neighbours(1, False)[0])
        value = float(d_scaled[nearest])
        prompt = (
            f"{self._intro(scenario, data)}\n\nAfter standardising both features, what is the Euclidean distance "
            f"from the new {scenario.items} to its **nearest** training {scenario.items}? Answer to 2 decimals."
        )
        lines = _solution(scenario, data, 1, "nearest-distance")
        lines.append(f"Nearest after standardising: #{nearest + 1}, at distance **{fmt(value, 4)}**.")
        lines.append(
            f"On raw features the nearest would be #{raw_nearest + 1} (its standardised distance is "
            f"{fmt(float(d_scaled[raw_nearest]), 3)}), because raw {scenario.big.name} differences of hundreds or "
            f"thousands swamp any difference in {scenario.small.name}."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="nearest distance?", answer=NumberAnswer(value, decimals=2)),),
            solution="\n\n".join(lines),
            data=_data(
                "nearest-distance",
                scenario,
                data,
                1,
                nearest=nearest,
                raw_nearest=raw_nearest,
                value=value,
                raw_nearest_scaled_distance=float(d_scaled[raw_nearest]),
                raw_distance=float(data.distances(False)[raw_nearest]),
            ),
            table=_table(scenario, data),
        )


def _num(value: float, digits: int) -> str:
    """Like ``fmt``, with thousands separators to match the table's raw values."""
    text = fmt(value, digits)
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}{dot}{frac}" if whole.lstrip("-").isdigit() else text


def _names(indexes: np.ndarray) -> str:
    return ", ".join(f"#{int(i) + 1}" for i in indexes)


def _tally(labels: np.ndarray, scenario: Scenario) -> str:
    counts = np.bincount(labels, minlength=2)
    return " and ".join(f"{int(counts[c])} {scenario.classes[c]}" for c in range(2) if counts[c])


def _solution(scenario: Scenario, data: Data, k: int, ask: str) -> list[str]:
    mean, std = data.mean, data.std
    xs, q = data.scaled()
    raw_d, scaled_d = data.distances(False), data.distances(True)
    lines = []
    if ask in ("unscaled", "both"):
        near = data.neighbours(k, False)
        gaps = np.abs(data.x[:, 0] - data.query[0])
        # Where the big-feature gap is itself tiny, the small feature decides that point's distance: say so.
        off = [int(i) for i in np.flatnonzero((raw_d - gaps > 0.5) & (raw_d - gaps > 0.05 * raw_d))]
        if off:
            verdict = (
                f"They are almost exactly the {scenario.big.name} gaps, except for {_names(np.array(off))}, whose "
                f"{scenario.big.name} is close to the new one's: only there does {scenario.small.name} count."
            )
        else:
            verdict = (
                f"They are almost exactly the {scenario.big.name} gaps: {scenario.small.name} barely counts."
            )
        lines.append(
            "Raw distances: "
            + ", ".join(f"#{i + 1} {fmt(float(v), 1)}" for i, v in enumerate(raw_d))
            + f". {verdict}"
        )
        lines.append(
            f"Nearest {k} on raw features: {_names(near)} ({_tally(data.y[near], scenario)}) → "
            f"**{scenario.classes[data.predict(k, False)]}**."
        )
    if ask != "unscaled":
        lines.append(
            f"Standardise with mean ({_num(float(mean[0]), 2)}, {_num(float(mean[1]), 3)}) and std "
            f"({_num(float(std[0]), 2)}, {_num(float(std[1]), 3)}): the new "
            f"{scenario.items} becomes z = ({fmt(float(q[0]), 3)}, {fmt(float(q[1]), 3)})."
        )
        lines.append(
            "Standardised points and distances: "
            + "; ".join(
                f"#{i + 1} ({fmt(float(a), 3)}, {fmt(float(b), 3)}) → {fmt(float(v), 3)}"
                for i, (a, b, v) in enumerate(zip(xs[:, 0], xs[:, 1], scaled_d, strict=True))
            )
            + "."
        )
    if ask in ("scaled", "both"):
        near = data.neighbours(k, True)
        lines.append(
            f"Nearest {k} after standardising: {_names(near)} ({_tally(data.y[near], scenario)}) → "
            f"**{scenario.classes[data.predict(k, True)]}**."
        )
    if ask != "nearest-distance":
        scaled_class = scenario.classes[data.predict(k, True)]
        same = data.predict(k, False) == data.predict(k, True)
        same_set = set(data.neighbours(k, False).tolist()) == set(data.neighbours(k, True).tolist())
        if not same:
            verdict = (
                f"After standardising, k-NN would predict {scaled_class} instead."
                if ask == "unscaled"
                else "Here scaling changes the prediction."
            )
        elif same_set:
            verdict = "Here scaling happens to keep the same neighbours."
        else:
            verdict = "Here scaling picks other neighbours but lands on the same answer" + (
                f" ({scaled_class})." if ask == "unscaled" else "."
            )
        lines.append(
            "k-NN has no weights to absorb units, so the feature with the biggest numbers decides alone unless "
            f"you scale. {verdict}"
        )
    return lines


def _table(scenario: Scenario, data: Data) -> Table:
    rows = [
        (f"#{i + 1}", scenario.big.show(x[0]), scenario.small.show(x[1]), scenario.classes[int(y)])
        for i, (x, y) in enumerate(zip(data.x, data.y, strict=True))
    ]
    rows.append(("new", scenario.big.show(data.query[0]), scenario.small.show(data.query[1]), "?"))
    rows.append(("mean", _num(float(data.mean[0]), 2), _num(float(data.mean[1]), 3), ""))
    rows.append(("std (÷ n)", _num(float(data.std[0]), 2), _num(float(data.std[1]), 3), ""))
    return Table(
        headers=(
            scenario.items,
            f"{scenario.big.name} ({scenario.big.unit})",
            f"{scenario.small.name} ({scenario.small.unit})",
            "outcome",
        ),
        rows=tuple(rows),
        title=f"training {scenario.items}s (mean and std over the training rows only)",
    )


def _data(ask: str, scenario: Scenario, data: Data, k: int, **asked: object) -> dict[str, object]:
    return {
        "ask": ask,
        "classes": list(scenario.classes),
        "features": [scenario.big.name, scenario.small.name],
        "x": data.x.tolist(),
        "y": data.y.tolist(),
        "query": data.query.tolist(),
        "k": k,
        **asked,
    }
