"""`kmeans-step`: one Lloyd iteration of k-means by hand, and the silhouette of one point.

A few 2-D points with integer coordinates and k = 2-3 given initial centroids. Questions: a coordinate
of a centroid after one assignment + update step; which cluster a point joins in the *next*
assignment step (points can switch once the centroids move); or the silhouette s(i) of one point in a
finished clustering. Ties (a point equidistant from two centroids) and empty clusters are excluded by
construction. The Lloyd step is computed with numpy (the tests check it against
``sklearn.cluster.KMeans(init=..., n_init=1, max_iter=1)``); silhouettes are
``sklearn.metrics.silhouette_samples``'s steps in numpy, the same floats without importing scikit-learn
(the tests compare them bit for bit, and with the textbook formula).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Field,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    fmt,
)

Ask = Literal["centroid", "assignment", "silhouette"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MARGIN = 0.3  # a point's nearest centroid must beat the runner-up by at least this distance


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    x: str
    y: str


SCENARIOS = (
    Scenario("An online shop segments customers", "orders per year", "average basket (tens of €)"),
    Scenario("A courier groups drop-off addresses to place depots", "km east", "km north"),
    Scenario(
        "A factory clusters machine sensor readings", "temperature above baseline (°C)", "vibration (mm/s)"
    ),
    Scenario("A football analyst clusters forwards' seasons", "goals", "assists"),
    Scenario(
        "A bank clusters card holders' monthly behaviour", "transactions (tens)", "spend (hundreds of €)"
    ),
)


class KMeansStepParams(Params):
    ask: Ask | None = None
    k: int | None = Field(default=None, ge=2, le=3)


def lloyd_step(points: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One Lloyd iteration with numpy: the updated centroids, and each point's cluster under them (the *next*
    assignment step). Assumes no empty cluster, which the generator guarantees."""
    first = np.argmin(_distances(points, centroids), axis=1)
    updated = np.array([points[first == j].mean(axis=0) for j in range(len(centroids))])
    return updated, np.argmin(_distances(points, updated), axis=1)


def silhouettes(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """s(i) of every point, as ``sklearn.metrics.silhouette_samples(points, labels)`` computes it.

    The same operations in the same order, so the same floats: Euclidean distances by the dot-product
    expansion ‖x‖² + ‖y‖² − 2x·y clipped at 0 with a zero diagonal (``euclidean_distances``), per-cluster
    sums by ``np.bincount`` over each row, a = own sum / (size − 1), b = the smallest other mean, and
    (b − a) / max(a, b), 0 for a point alone in its cluster. scikit-learn would cost a drill session ~90 MB
    for these few lines. ``labels`` are 0..k−1 with every cluster present (what the generator draws).
    """
    x = np.asarray(points, dtype=float)
    labels = np.asarray(labels)
    sizes = np.bincount(labels)
    squared_norms = np.einsum("ij,ij->i", x, x)[:, None]
    squared = -2 * (x @ x.T)
    squared += squared_norms
    squared += squared_norms.T
    np.maximum(squared, 0, out=squared)
    np.fill_diagonal(squared, 0)
    distances = np.sqrt(squared)
    sums = np.zeros((len(x), len(sizes)))
    for i, row in enumerate(distances):
        sums[i] += np.bincount(labels, weights=row, minlength=len(sizes))
    own = (np.arange(len(x)), labels)
    a = sums[own]
    sums[own] = np.inf
    b = (sums / sizes).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        a /= (sizes - 1).take(labels, mode="clip")
        s = (b - a) / np.maximum(a, b)
    return np.nan_to_num(s)


def _distances(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return np.linalg.norm(points[:, None, :] - centroids[None, :, :], axis=2)


def _clear(points: np.ndarray, centroids: np.ndarray) -> bool:
    """Every point has a clear nearest centroid and no centroid is left without points."""
    d = np.sort(_distances(points, centroids), axis=1)
    labels = np.argmin(_distances(points, centroids), axis=1)
    return bool(np.all(d[:, 1] - d[:, 0] >= MARGIN)) and len(set(labels.tolist())) == len(centroids)


def _blobs(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """7-10 distinct integer points in [0, 10]² around k loose blob centres, and their blob labels."""
    while True:
        centres = rng.integers(1, 10, size=(k, 2))
        if k > 1 and np.min(_pairwise(centres.astype(float))[np.triu_indices(k, 1)]) < 4:
            continue
        n = int(rng.integers(7, 11))
        labels = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
        points = np.clip(centres[labels] + rng.integers(-2, 3, size=(n, 2)), 0, 10)
        if len({tuple(p) for p in points.tolist()}) == n:
            return points.astype(float), labels


def _pairwise(points: np.ndarray) -> np.ndarray:
    return _distances(points, points)


def _initial_centroids(rng: np.random.Generator, points: np.ndarray, k: int) -> tuple[np.ndarray, str]:
    """Forgy (k of the points) or arbitrary integer positions, as a deck might describe them."""
    if rng.random() < 0.5:
        chosen = np.sort(rng.choice(len(points), size=k, replace=False))
        return points[chosen].copy(), "forgy:" + ",".join(str(int(i) + 1) for i in chosen)
    return rng.integers(0, 11, size=(k, 2)).astype(float), "given"


def _point(p: np.ndarray) -> str:
    return f"({fmt(float(p[0]), 2)}, {fmt(float(p[1]), 2)})"


class KMeansStep(Generator):
    name = "kmeans-step"
    title = "k-means by hand: one Lloyd step, silhouette"
    description = (
        "One assignment + update step of k-means on a few 2-D points (a moved centroid's coordinate, or "
        "which cluster a point joins next), and the silhouette of one point of a clustering."
    )
    Params = KMeansStepParams
    topics = ("unsupervised", "clustering")

    def make(self, rng: np.random.Generator, seed: int, params: KMeansStepParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        k = params.k or int(rng.choice([2, 3, 3]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "silhouette":
            return self._silhouette(rng, seed, params, scenario, k)
        return self._lloyd(rng, seed, params, scenario, k, ask)

    def _lloyd(
        self,
        rng: np.random.Generator,
        seed: int,
        params: KMeansStepParams,
        scenario: Scenario,
        k: int,
        ask: str,
    ) -> Problem:
        # Half the assignment questions ask about a point that switches cluster once the centroids move, half
        # about one that stays: the first-step cluster is right only as often as a coin.
        switch = ask == "assignment" and bool(rng.random() < 0.5)
        while True:  # redraw until the instance has no ties and no empty cluster, before and after the update
            points, _ = _blobs(rng, k)
            init, how = _initial_centroids(rng, points, k)
            if not _clear(points, init):
                continue
            first = np.argmin(_distances(points, init), axis=1)
            centroids, labels = lloyd_step(points, init)
            if _clear(points, centroids) and (not switch or np.any(labels != first)):
                break
        names = [f"C{j + 1}" for j in range(k)]
        table = Table(
            headers=("point", scenario.x, scenario.y),
            rows=tuple((f"P{i + 1}", fmt(float(p[0])), fmt(float(p[1]))) for i, p in enumerate(points)),
            title=f"{len(points)} points",
        )
        if how.startswith("forgy"):
            picked = how.split(":")[1].split(",")
            start = (
                "k-means was initialised by picking points at random (Forgy): "
                + ", ".join(f"{names[j]} = P{picked[j]} {_point(init[j])}" for j in range(k))
                + "."
            )
        else:
            start = (
                "The initial centroids are "
                + ", ".join(f"{names[j]} = {_point(init[j])}" for j in range(k))
                + "."
            )
        intro = (
            f"{scenario.context} with k-means (k = {k}, Euclidean distance) on the points below. {start}\n\n"
            "One Lloyd iteration = assign every point to its nearest centroid, then move each centroid to "
            "the mean of its points."
        )
        steps = _lloyd_solution(points, init, first, centroids, names)
        data = {
            "ask": ask,
            "k": k,
            "points": points.tolist(),
            "initial_centroids": init.tolist(),
            "init": how.split(":")[0],
            "first_assignment": [names[j] for j in first],
            "updated_centroids": centroids.tolist(),
        }
        if ask == "centroid":
            # Ask about a centroid that actually moves, i.e. one owning at least two points.
            movers = [j for j in range(k) if not np.allclose(centroids[j], init[j])] or list(range(k))
            j = int(rng.choice(movers))
            axis = int(rng.integers(2))
            value = float(centroids[j, axis])
            coordinate = ("x", "y")[axis]
            prompt = (
                f"{intro}\n\nAfter one iteration, what is the **{coordinate} coordinate of {names[j]}** "
                f"(the {(scenario.x, scenario.y)[axis]} axis)? Answer to 2 decimals."
            )
            steps.append(f"So {names[j]}'s new {coordinate} = **{fmt(value)}**.")
            steps.append(
                "Each update can only lower the within-cluster sum of squares, which is why Lloyd's "
                "algorithm converges, but only to a local optimum that depends on the initialisation."
            )
            data.update(centroid=names[j], axis=coordinate, value=value)
            part = Part(prompt=f"{names[j]}.{coordinate}?", answer=NumberAnswer(value, decimals=2))
        else:
            pool = np.flatnonzero(labels != first) if switch else np.flatnonzero(labels == first)
            i = int(rng.choice(pool))
            d = _distances(points[i : i + 1], centroids)[0]
            correct = names[int(labels[i])]
            prompt = (
                f"{intro}\n\nAfter that iteration, the **next** assignment step runs with the moved "
                f"centroids. Which cluster does **P{i + 1}** {_point(points[i])} join then?"
            )
            options = tuple(Option(name, name) for name in names)
            feedback = {
                names[j]: (
                    f"P{i + 1} is {fmt(float(d[j]), 3)} from {names[j]}'s new position "
                    f"{_point(centroids[j])}, but {fmt(float(d[labels[i]]), 3)} from {correct}'s "
                    f"{_point(centroids[labels[i]])}."
                )
                for j in range(k)
                if names[j] != correct
            }
            switched = labels[i] != first[i]
            steps.append(
                f"Next assignment for P{i + 1}: distances to the new centroids are "
                + ", ".join(f"{names[j]} {fmt(float(d[j]), 3)}" for j in range(k))
                + f", so it joins **{correct}**"
                + (
                    f" (it was in {names[first[i]]} before: points switch as centroids move)."
                    if switched
                    else "."
                )
            )
            steps.append(
                "k-means stops when an assignment step changes nothing; each iteration costs O(n·k·d)."
            )
            data.update(point=f"P{i + 1}", next_assignment=correct)
            part = Part(prompt=f"cluster of P{i + 1}?", answer=ChoiceAnswer(options, correct, feedback))
        return self.problem(
            seed, params, prompt=prompt, parts=(part,), solution="\n\n".join(steps), data=data, table=table
        )

    def _silhouette(
        self, rng: np.random.Generator, seed: int, params: KMeansStepParams, scenario: Scenario, k: int
    ) -> Problem:
        while True:
            points, labels = _blobs(rng, k)
            sizes = np.bincount(labels, minlength=k)
            if np.all(sizes >= 2):
                break
        scores = silhouettes(points, labels)
        i = int(rng.integers(len(points)))
        value = float(scores[i])
        names = [f"C{j + 1}" for j in range(k)]
        d = _pairwise(points)[i]
        table = Table(
            headers=("point", scenario.x, scenario.y, "cluster", f"distance to P{i + 1}"),
            rows=tuple(
                (
                    f"P{j + 1}",
                    fmt(float(p[0])),
                    fmt(float(p[1])),
                    names[labels[j]],
                    "—" if j == i else fmt(float(d[j]), 3),
                )
                for j, p in enumerate(points)
            ),
            title=f"a {k}-cluster solution",
        )
        prompt = (
            f"{scenario.context}. A clustering with k = {k} gave the labels below (Euclidean distances from "
            f"P{i + 1} to every other point are listed to save time).\n\n"
            f"What is the **silhouette** s of **P{i + 1}**? Answer to 3 decimals."
        )
        own = labels[i]
        same = [j for j in range(len(points)) if labels[j] == own and j != i]
        a = float(np.mean(d[same]))
        means = {c: float(np.mean(d[labels == c])) for c in range(k) if c != own}
        nearest = min(means, key=lambda c: means[c])
        b = means[nearest]
        steps = [
            "s(i) = (b − a) / max(a, b), where a = mean distance to the other points of its own cluster and b = "
            "the smallest mean distance to the points of another cluster.",
            f"a = mean distance to {', '.join(f'P{j + 1}' for j in same)} ({names[own]}) = "
            f"({' + '.join(fmt(float(d[j]), 3) for j in same)}) / {len(same)} = {fmt(a)}",
            *(f"Mean distance to {names[c]} = {fmt(m)}" for c, m in means.items()),
            f"b = {fmt(b)} ({names[nearest]}, the nearest other cluster)",
            f"s = ({fmt(b)} − {fmt(a)}) / {fmt(max(a, b))} = **{fmt(value)}**",
            "s near 1: well inside its cluster; near 0: on a border; negative: probably in the wrong cluster. "
            "The silhouette score of a clustering is the mean of s over all points.",
        ]
        data = {
            "ask": "silhouette",
            "k": k,
            "points": points.tolist(),
            "labels": [names[c] for c in labels],
            "point": f"P{i + 1}",
            "silhouette": value,
        }
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"s(P{i + 1})?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(steps),
            data=data,
            table=table,
        )


def _lloyd_solution(
    points: np.ndarray, init: np.ndarray, first: np.ndarray, centroids: np.ndarray, names: list[str]
) -> list[str]:
    d = _distances(points, init)
    rows = [
        "| point | " + " | ".join(f"d to {n}" for n in names) + " | nearest |",
        "|---" * (len(names) + 2) + "|",
    ]
    for i, p in enumerate(points):
        rows.append(
            f"| P{i + 1} {_point(p)} | "
            + " | ".join(fmt(float(x), 2) for x in d[i])
            + f" | {names[first[i]]} |"
        )
    lines = ["**Assignment** (distances to the initial centroids):", "\n".join(rows), "**Update** (means):"]
    for j, name in enumerate(names):
        members = np.flatnonzero(first == j)
        xs = " + ".join(fmt(float(points[m, 0])) for m in members)
        ys = " + ".join(fmt(float(points[m, 1])) for m in members)
        lines.append(
            f"{name} ← mean of {', '.join(f'P{m + 1}' for m in members)}: x = ({xs}) / {len(members)} = "
            f"{fmt(float(centroids[j, 0]))}, y = ({ys}) / {len(members)} = {fmt(float(centroids[j, 1]))}"
        )
    return lines
