"""`svm-hinge`: read a linear SVM: functional margins, hinge loss, margin width, where a point sits.

A linear classifier f(x) = w·x + b (w, b given) and a few labelled points (y = ±1). The question is one
point's functional margin y·f(x), its hinge loss max(0, 1 − y·f(x)), the mean hinge loss over the points
(as ``sklearn.metrics.hinge_loss`` reports it), how many points have a non-zero hinge loss, the width of
the margin band 2/‖w‖, or where one point sits (outside the margin, on it, inside it, or misclassified).
Numbers live on a half-integer grid so that "exactly on the margin" is exact. Instances are drawn so that
the usual slips (dropping the max, forgetting y, sum vs mean, counting only misclassified points, 1/‖w‖
for the width) give other answers. The tests check with numpy and ``sklearn.metrics.hinge_loss``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators._arrays import distinct
from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Ask = Literal["margin", "hinge-point", "hinge-mean", "violations", "width", "status"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]

STATUSES = {
    "outside": "correct side, outside the margin band (loss 0)",
    "on-margin": "exactly on the edge of the margin band (loss 0)",
    "inside": "correct side, but inside the margin band (loss > 0)",
    "misclassified": "wrong side of the decision boundary (loss > 1)",
}


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    features: tuple[str, str]
    positive: str  # y = +1
    negative: str  # y = −1


SCENARIOS = (
    Scenario(
        "A linear SVM flags spam from two standardised features", ("links", "caps ratio"), "spam", "ham"
    ),
    Scenario(
        "A linear SVM screens loan applications on two standardised scores",
        ("debt score", "income score"),
        "decline",
        "approve",
    ),
    Scenario(
        "A linear SVM detects faulty parts from two standardised sensor readings",
        ("vibration", "temperature"),
        "faulty",
        "ok",
    ),
    Scenario(
        "A linear SVM separates two iris species on standardised petal measurements",
        ("petal length", "petal width"),
        "virginica",
        "versicolor",
    ),
    Scenario(
        "A linear SVM predicts churn from two standardised usage features",
        ("support calls", "usage drop"),
        "churn",
        "stay",
    ),
)


class SvmHingeParams(Params):
    ask: Ask | None = None


def status_of(margin: float) -> str:
    if margin > 1:
        return "outside"
    if margin == 1:
        return "on-margin"
    if margin > 0:
        return "inside"
    return "misclassified"


@dataclass(frozen=True, slots=True)
class Data:
    w: np.ndarray
    b: float
    x: np.ndarray  # points × 2
    y: np.ndarray  # ±1

    @property
    def f(self) -> np.ndarray:
        return self.x @ self.w + self.b

    @property
    def margins(self) -> np.ndarray:
        return self.y * self.f

    @property
    def hinge(self) -> np.ndarray:
        return np.maximum(0.0, 1.0 - self.margins)

    @property
    def statuses(self) -> list[str]:
        return [status_of(float(m)) for m in self.margins]


def _draw(rng: np.random.Generator) -> Data:
    """w, b and points on a half-integer grid, so f(x) is a multiple of 0.25 and margins of exactly 1 occur."""
    while True:
        w = rng.choice(np.arange(-2.0, 2.5, 0.5), size=2)
        if np.all(w != 0):
            break
    b = float(rng.choice(np.arange(-1.0, 1.5, 0.5)))
    n = int(rng.integers(5, 7))
    x = rng.choice(np.arange(-2.0, 2.5, 0.5), size=(n, 2))
    # Labels mostly agree with the classifier; some points are flipped (errors) so all kinds of points occur.
    f = x @ w + b
    y = np.where(f >= 0, 1.0, -1.0) * np.where(rng.random(n) < 0.25, -1.0, 1.0)
    return Data(w, b, x, y)


def _ok(data: Data, ask: str, index: int, target_status: str) -> bool:
    m, h = data.margins, data.hinge
    if np.any(data.f == 0) or len(set(data.y.tolist())) < 2:  # f = 0 has no class; show both labels
        return False
    if len(distinct(data.x, axis=0)) < len(data.x):  # no repeated points
        return False
    if ask == "margin":
        return abs(m[index] - data.f[index]) >= 0.01 and abs(m[index]) >= 0.25  # forgetting y shows
    if ask == "hinge-point":
        return (
            h[index] > 0
            and abs(h[index] - (1 - data.f[index])) >= 0.01
            and abs(h[index] - (1 - m[index])) < 1e-12
        )
    if ask == "hinge-mean":
        slips = (h.sum(), (1 - m).mean(), np.maximum(0, 1 - data.f).mean())
        return h.mean() >= 0.05 and all(abs(h.mean() - s) >= 0.01 for s in slips)
    if ask == "violations":
        return int((h > 0).sum()) != int((m < 0).sum()) and (h > 0).sum() < len(h)
    if ask == "status":
        return data.statuses[index] == target_status
    return True  # width: any w


class SvmHinge(Generator):
    name = "svm-hinge"
    title = "Linear SVM: margins and hinge loss"
    description = (
        "For a given w, b and a few labelled points: functional margins, hinge loss per point and on average, "
        "points with non-zero loss, the margin width 2/‖w‖, and where a point sits relative to the margin."
    )
    Params = SvmHingeParams
    topics = ("svm", "loss-functions", "classification")

    def make(self, rng: np.random.Generator, seed: int, params: SvmHingeParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        target_status = str(rng.choice(list(STATUSES)))
        for _ in range(5000):
            data = _draw(rng)
            index = int(rng.integers(len(data.y)))
            if _ok(data, ask, index, target_status):
                return self._problem(rng, seed, params, ask, scenario, data, index)
        raise RuntimeError("no instance met the conditions")  # pragma: no cover - a few draws suffice

    def _problem(
        self,
        rng: np.random.Generator,
        seed: int,
        params: SvmHingeParams,
        ask: str,
        scenario: Scenario,
        data: Data,
        index: int,
    ) -> Problem:
        w, b = data.w, data.b
        f1, f2 = scenario.features
        intro = (
            f"{scenario.context}: f(x) = w·x + b with w = ({fmt(float(w[0]))}, {fmt(float(w[1]))}) for "
            f"({f1}, {f2}) and b = {fmt(b)}; it predicts **{scenario.positive}** (y = +1) when f(x) > 0 and "
            f"**{scenario.negative}** (y = −1) otherwise. The margin is the band |f(x)| < 1; the hinge loss of a "
            "point is max(0, 1 − y·f(x))."
        )
        point = f"point **P{index + 1}**"
        m, h = data.margins, data.hinge
        norm = float(np.linalg.norm(w))
        questions: dict[str, tuple[str, Part]] = {
            "margin": (
                f"What is the functional margin y·f(x) of {point}? Answer to 2 decimals.",
                Part("functional margin?", NumberAnswer(float(m[index]), decimals=2)),
            ),
            "hinge-point": (
                f"What is the hinge loss of {point}? Answer to 2 decimals.",
                Part("hinge loss?", NumberAnswer(float(h[index]), decimals=2)),
            ),
            "hinge-mean": (
                "What is the **mean** hinge loss over all the points (what `sklearn.metrics.hinge_loss` "
                "returns)? Answer to 3 decimals.",
                Part("mean hinge loss?", NumberAnswer(float(h.mean()), decimals=3)),
            ),
            "violations": (
                "How many of the points have a **non-zero** hinge loss? Answer as a whole number.",
                Part("points with loss > 0?", NumberAnswer(float((h > 0).sum()), tolerance=0)),
            ),
            "width": (
                "How wide is the margin band (the distance between the hyperplanes f(x) = +1 and f(x) = −1)? "
                "Answer to 3 decimals.",
                Part("margin width?", NumberAnswer(2 / norm, decimals=3)),
            ),
        }
        if ask == "status":
            status = data.statuses[index]
            names = [str(s) for s in rng.permutation(list(STATUSES))]
            options = tuple(Option(s, STATUSES[s]) for s in names)
            feedback = {s: _status_feedback(s, float(m[index])) for s in names if s != status}
            question = f"Where does {point} sit?"
            part = Part("where?", ChoiceAnswer(options=options, correct=status, feedback=feedback))
        else:
            question, part = questions[ask]
        prompt = f"{intro}\n\n{question}"
        lines = _solution(ask, scenario, data, index)
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(part,),
            solution="\n\n".join(lines),
            data={
                "ask": ask,
                "w": w.tolist(),
                "b": b,
                "x": data.x.tolist(),
                "y": data.y.tolist(),
                "index": index,
                "margins": m.tolist(),
                "hinge": h.tolist(),
                "statuses": data.statuses,
                "width": 2 / norm,
            },
            table=Table(
                headers=("point", f1, f2, "label", "y"),
                rows=tuple(
                    (
                        f"P{i + 1}",
                        fmt(float(a)),
                        fmt(float(c)),
                        scenario.positive if yy > 0 else scenario.negative,
                        "+1" if yy > 0 else "−1",
                    )
                    for i, (a, c, yy) in enumerate(zip(data.x[:, 0], data.x[:, 1], data.y, strict=True))
                ),
                title="labelled points",
            ),
        )


def _status_feedback(status: str, margin: float) -> str:
    why = {
        "outside": "that needs y·f(x) > 1",
        "on-margin": "that needs y·f(x) = 1 exactly",
        "inside": "that needs 0 < y·f(x) < 1",
        "misclassified": "that needs y·f(x) < 0",
    }[status]
    return f"Here y·f(x) = {fmt(margin)}; {why}."


def _solution(ask: str, scenario: Scenario, data: Data, index: int) -> list[str]:
    w, b = data.w, data.b
    f, m, h = data.f, data.margins, data.hinge

    def line(i: int) -> str:
        x = data.x[i]
        sign = "+1" if data.y[i] > 0 else "−1"
        return (
            f"P{i + 1}: f = {_p(float(w[0]))}×{_p(float(x[0]))} + {_p(float(w[1]))}×{_p(float(x[1]))} "
            f"+ {_p(b)} = {fmt(float(f[i]))}; y·f = {sign}×{_p(float(f[i]))} = {fmt(float(m[i]))}; "
            f"loss = max(0, 1 − {_p(float(m[i]))}) = {fmt(float(h[i]))}"
        )

    norm = float(np.linalg.norm(w))
    if ask == "width":
        return [
            f"‖w‖ = √({_p(float(w[0]))}² + {_p(float(w[1]))}²) = {fmt(norm, 4)}.",
            f"Each of f(x) = ±1 lies 1/‖w‖ from the boundary, so the band is 2/‖w‖ = 2/{fmt(norm, 4)} = "
            f"**{fmt(2 / norm)}** wide.",
            f"1/‖w‖ = {fmt(1 / norm, 3)} is the distance from the boundary to one side only. A smaller ‖w‖ means a "
            "wider margin: that is what the SVM's ½‖w‖² term rewards.",
        ]
    if ask in ("margin", "hinge-point", "status"):
        lines = [line(index)]
        if ask == "margin":
            lines.append(
                f"Functional margin of P{index + 1} = **{fmt(float(m[index]))}**. Without the label "
                f"it would be f(x) = {fmt(float(f[index]))}: the margin is positive only when the point "
                "is on its own side."
            )
        elif ask == "hinge-point":
            lines.append(
                f"Hinge loss of P{index + 1} = **{fmt(float(h[index]))}**. Using f(x) instead of y·f(x) "
                f"would give max(0, 1 − {_p(float(f[index]))}) = {fmt(max(0.0, 1 - float(f[index])))}."
            )
        else:
            status = data.statuses[index]
            lines.append(f"y·f(x) = {fmt(float(m[index]))} → **{STATUSES[status]}**.")
            lines.append(
                "For the fitted SVM, only points with y·f(x) ≤ 1 can be support vectors: the ones on the "
                "edge of the band and every margin violation (inside it or misclassified). Points "
                "outside the band could move (staying outside it) without changing w and b."
            )
        return lines
    lines = [line(i) for i in range(len(data.y))]
    if ask == "hinge-mean":
        lines.append(
            f"Mean = ({' + '.join(fmt(float(v)) for v in h)}) / {len(h)} = **{fmt(float(h.mean()))}**"
        )
        lines.append(
            f"Slips: the sum instead of the mean gives {fmt(float(h.sum()))}; dropping the max(0, ·) gives "
            f"{fmt(float((1 - m).mean()))} (points far on the correct side would earn negative loss); using f(x) "
            f"without y gives {fmt(float(np.maximum(0, 1 - f).mean()))}."
        )
    else:
        positive = int((h > 0).sum())
        wrong = int((m < 0).sum())
        lines.append(
            f"Points with loss > 0 (y·f(x) < 1): **{positive}**, of which {wrong} "
            f"{'is' if wrong == 1 else 'are'} misclassified (y·f(x) < 0) and {positive - wrong} "
            f"{'sits' if positive - wrong == 1 else 'sit'} inside the margin on the correct side."
        )
        lines.append(
            "Correctly classified points still pay hinge loss when they are inside the margin: the loss "
            "asks for confidence, y·f(x) ≥ 1, not just the right sign."
        )
    return lines


def _p(value: float) -> str:
    text = fmt(value)
    return f"({text})" if value < 0 else text
