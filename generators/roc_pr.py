"""`roc-pr`: TPR / FPR at a threshold, ROC-AUC of a small scored set, and why PR-AUC differs on a rare class.

Small sets are listed in a table (distinct 2-decimal scores, so ROC-AUC has no ties to explain). The
rare-class variant simulates a validation set of thousands of rows with a ~1% positive class: a model
with a flattering ROC-AUC has a far lower average precision, and the question is the precision at a
ROC operating point and why the two areas disagree. Values come from ``sklearn.metrics.roc_curve``,
``roc_auc_score``, ``average_precision_score`` and ``precision_score`` on the instance's arrays.
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
    scored_rows_table,
)

Ask = Literal["tpr-fpr", "auc", "rare-class"]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    positive: str
    negative: str
    prevalence: tuple[float, float]  # for the rare-class variant


SCENARIOS = (
    Scenario("A card-fraud model scores transactions", "transactions", "Fraud", "Legit", (0.004, 0.02)),
    Scenario(
        "A screening model scores patients for a rare disease", "patients", "Sick", "Healthy", (0.005, 0.02)
    ),
    Scenario("A vision model scores parts for defects", "parts", "Defect", "OK", (0.003, 0.015)),
    Scenario("A model scores logins for account takeover", "logins", "Attack", "Normal", (0.002, 0.01)),
    Scenario("A model scores ad impressions for clicks", "impressions", "Click", "No click", (0.008, 0.025)),
)

# Positive counts that make TPR = TP / P exact to 3 decimals; negatives are multiples of 100.
POSITIVE_COUNTS = (20, 25, 40, 50, 100, 125, 200)
FPR_POINTS = (0.01, 0.02, 0.03, 0.05, 0.08, 0.10)


class RocPrParams(Params):
    ask: Ask | None = None  # None: random per seed


def rates_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """(TPR, FPR) of flagging score >= threshold, read off ``sklearn.metrics.roc_curve``."""
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(y, scores, drop_intermediate=False)
    # thresholds decrease; the operating point for t is the last one still >= t.
    index = int(np.flatnonzero(thresholds >= threshold)[-1])
    return float(tpr[index]), float(fpr[index])


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


def _small_set(rng: np.random.Generator, avoid_grid: bool) -> tuple[np.ndarray, np.ndarray]:
    """8-14 labelled rows with distinct 2-decimal scores sorted high to low; positives tend to score high.

    With ``avoid_grid`` no score is a multiple of 0.05, so none equals a threshold on that grid.
    """
    n = int(rng.integers(8, 15))
    positives = int(rng.integers(3, n // 2 + 1))
    cents = np.array([c for c in range(1, 100) if not (avoid_grid and c % 5 == 0)])
    x = cents / 100
    high, low = x**3 * (1 - x), x * (1 - x) ** 3  # Beta(4, 2) and Beta(2, 4) shapes
    pos = rng.choice(cents, size=positives, replace=False, p=high / high.sum())
    rest = ~np.isin(cents, pos)
    neg = rng.choice(cents[rest], size=n - positives, replace=False, p=low[rest] / low[rest].sum())
    values = np.concatenate([pos, neg])
    y = np.array([1] * positives + [0] * (n - positives))
    order = np.argsort(-values, kind="stable")
    return y[order], values[order] / 100


def _score_table(y: np.ndarray, scores: np.ndarray, scenario: Scenario) -> Table:
    return scored_rows_table(
        y,
        scores,
        scenario.items.rstrip("s").capitalize(),
        scenario.positive,
        scenario.negative,
        f"sorted by score · positive class: {scenario.positive}",
    )


class RocPr(Generator):
    name = "roc-pr"
    title = "ROC and PR: TPR/FPR, ROC-AUC, and PR-AUC on a rare class"
    description = (
        "TPR and FPR at a threshold, ROC-AUC of a small scored set, and on a rare class the precision "
        "behind a ROC operating point and why average precision (PR-AUC) tells a different story."
    )
    Params = RocPrParams
    topics = ("metrics", "roc", "precision-recall", "imbalance")

    def make(self, rng: np.random.Generator, seed: int, params: RocPrParams) -> Problem:
        ask = params.ask or str(rng.choice(["tpr-fpr", "auc", "rare-class"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "tpr-fpr":
            return self._rates(rng, seed, params, scenario)
        if ask == "auc":
            return self._auc(rng, seed, params, scenario)
        return self._rare(rng, seed, params, scenario)

    def _rates(self, rng: np.random.Generator, seed: int, params: RocPrParams, scenario: Scenario) -> Problem:
        while True:
            y, scores = _small_set(rng, avoid_grid=True)
            grid = np.arange(0.15, 0.90, 0.05).round(2)
            threshold = float(rng.choice(grid))
            flagged = scores >= threshold
            # Rates strictly between 0 and 1, so neither is a giveaway.
            if 0 < flagged[y == 1].mean() < 1 and 0 < flagged[y == 0].mean() < 1:
                break
        tpr, fpr, _ = rare_rates(y, scores, threshold)  # numpy; the tests cross-check with roc_curve
        p, n = int(y.sum()), int((y == 0).sum())
        tp, fp = round(tpr * p), round(fpr * n)
        prompt = (
            f"{scenario.context}; here are {len(y)} labelled {scenario.items} (**{scenario.positive}** is the "
            f"positive class). The model flags every {scenario.items.rstrip('s')} with score ≥ **{threshold:.2f}**."
            "\n\n1. What is the **true positive rate (TPR)**?\n2. What is the **false positive rate (FPR)**?\n\n"
            "Answer each to 3 decimals (fractions are fine), separated by ';'."
        )
        solution = "\n\n".join(
            [
                f"Flagged rows are those with score ≥ {threshold:.2f}: {tp} of the {p} {scenario.positive} and "
                f"{fp} of the {n} {scenario.negative}.",
                f"TPR = TP / (TP + FN) = {tp} / {p} = **{fmt(tpr)}**",
                f"FPR = FP / (FP + TN) = {fp} / {n} = **{fmt(fpr)}**",
                "Each threshold is one point (FPR, TPR) of the ROC curve; sweeping it from high to low traces the "
                "curve from (0, 0) to (1, 1). Both rates condition on the true class, so neither depends on prevalence.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt="TPR?", answer=NumberAnswer(tpr, decimals=3), label="TPR"),
                Part(prompt="FPR?", answer=NumberAnswer(fpr, decimals=3), label="FPR"),
            ),
            solution=solution,
            data={
                "ask": "tpr-fpr",
                "scores": scores.tolist(),
                "labels": y.tolist(),
                "threshold": threshold,
                "tp": tp,
                "fp": fp,
                "positives": p,
                "negatives": n,
            },
            table=_score_table(y, scores, scenario),
        )

    def _auc(self, rng: np.random.Generator, seed: int, params: RocPrParams, scenario: Scenario) -> Problem:
        while True:
            y, scores = _small_set(rng, avoid_grid=False)
            value = rare_areas(y, scores)[0]  # distinct scores: Mann-Whitney; tests cross-check sklearn
            if value < 1:  # a perfect ranking makes a dull question
                break
        p, n = int(y.sum()), int((y == 0).sum())
        prompt = (
            f"{scenario.context}; here are {len(y)} labelled {scenario.items} (**{scenario.positive}** is the "
            "positive class).\n\nWhat is the **ROC-AUC** of these scores? Answer as a number to 3 decimals "
            "(a fraction is fine too)."
        )
        # Pair counting: for each positive, how many negatives score lower.
        below = [int((scores[y == 0] < s).sum()) for s in scores[y == 1]]
        pos_scores = [f"{s:.2f}" for s in scores[y == 1]]
        lines = "\n".join(f"| {s} | {b} |" for s, b in zip(pos_scores, below, strict=True))
        solution = "\n\n".join(
            [
                f"ROC-AUC = the probability that a random {scenario.positive} scores above a random "
                f"{scenario.negative} = (pairs ranked correctly) / (P × N), with P = {p}, N = {n}, so {p * n} pairs.",
                f"| {scenario.positive} score | {scenario.negative} scoring lower |\n|---|---|\n{lines}",
                f"Correct pairs = {' + '.join(map(str, below))} = {sum(below)}; ROC-AUC = {sum(below)} / {p * n} "
                f"= **{fmt(value)}**",
                "ROC-AUC only measures ranking: any monotone rescaling of the scores leaves it unchanged, and it says "
                "nothing about calibration or about precision at the threshold you will actually use.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="ROC-AUC?", answer=NumberAnswer(value, decimals=3)),),
            solution=solution,
            data={"ask": "auc", "scores": scores.tolist(), "labels": y.tolist(), "roc_auc": value},
            table=_score_table(y, scores, scenario),
        )

    def _rare(self, rng: np.random.Generator, seed: int, params: RocPrParams, scenario: Scenario) -> Problem:
        # Which of the four candidate operating points is the answer to part 2 is drawn first (uniformly); the
        # simulation is redrawn until exactly that many points keep precision >= 50%.
        rank = int(rng.integers(4))
        sim = _simulate_rare(rng, scenario, rank)
        y, scores, threshold = sim.y, sim.scores, sim.threshold
        # numpy, not sklearn.metrics: on ~15,000 rows its input validation costs tens of ms per call; the tests
        # check these against roc_curve, roc_auc_score, average_precision_score and precision_score.
        tpr, fpr, precision = rare_rates(y, scores, threshold)
        auc, ap = rare_areas(y, scores)
        no_skill = float(y.mean())  # average precision of a constant scorer = prevalence
        p, n = int(y.sum()), int((y == 0).sum())
        tp, fp = round(tpr * p), round(fpr * n)
        points = sim.points
        names = [f"point {i + 1}" for i in range(len(points))]
        good = [i for i, point in enumerate(points) if point.precision >= 0.5]
        key = max(good, key=lambda i: points[i].tpr)
        options = tuple(
            Option(names[i], f"Point {i + 1}: TPR {pt.tpr:.3f} at FPR {pt.fpr:.3f}", aliases=(f"P{i + 1}",))
            for i, pt in enumerate(points)
        )
        feedback = {}
        for i, pt in enumerate(points):
            if i == key:
                continue
            if pt.precision < 0.5:
                feedback[names[i]] = (
                    f"Its FPR of {100 * pt.fpr:.1f}% looks small, but it flags {pt.fp:,} of the "
                    f"{n:,} {scenario.negative} against {pt.tp} real {scenario.positive}: "
                    f"precision {pt.precision:.3f} < 0.5."
                )
            else:
                feedback[names[i]] = (
                    f"It keeps precision {pt.precision:.3f} ≥ 0.5, but Point {key + 1} does too "
                    f"and catches more (TPR {points[key].tpr:.3f} vs {pt.tpr:.3f})."
                )
        parts = (
            Part(
                prompt="Precision at that operating point?",
                answer=NumberAnswer(precision, decimals=3),
                label="precision",
            ),
            Part(
                prompt="Most sensitive point with precision ≥ 50%?",
                answer=ChoiceAnswer(options, names[key], feedback),
                label="operating point",
            ),
        )
        table = Table(
            headers=("Quantity", "Value"),
            rows=(
                (f"{scenario.positive} (positives)", f"{p:,}"),
                (f"{scenario.negative} (negatives)", f"{n:,}"),
                ("ROC-AUC", f"{auc:.3f}"),
                ("Average precision (PR-AUC)", f"{ap:.3f}"),
                ("Operating point: TPR", f"{tpr:.3f}"),
                ("Operating point: FPR", f"{fpr:.3f}"),
            ),
            title=f"validation set of {p + n:,} {scenario.items}",
        )
        prompt = (
            f"{scenario.context}. On a validation set of {p + n:,} {scenario.items}, only {p} are "
            f"**{scenario.positive}**. The team celebrates a ROC-AUC of {auc:.3f}; its average precision "
            f"(PR-AUC) is {ap:.3f}.\n\n"
            f"1. At the operating point in the table (TPR {tpr:.3f}, FPR {fpr:.3f}), what share of the flagged "
            f"{scenario.items} are really {scenario.positive}, i.e. the **precision**? Answer to 3 decimals.\n"
            f"2. The reviewers want at least half of the alerts to be real {scenario.positive}. Of the candidate "
            "operating points below, which one catches the most (highest TPR) while keeping **precision ≥ 50%**?"
            "\n\nSeparate the answers with ';'."
        )
        point_lines = "\n".join(
            f"- Point {i + 1}: TP = {pt.tpr:.3f} × {p} = {pt.tp}, FP = {pt.fpr:.3f} × {n:,} = {pt.fp:,}, "
            f"precision = {pt.tp} / {pt.tp + pt.fp:,} = {pt.precision:.3f}"
            + (" ✓" if pt.precision >= 0.5 else "")
            for i, pt in enumerate(points)
        )
        solution = "\n\n".join(
            [
                f"TP = TPR × P = {tpr:.3f} × {p} = {tp}; FP = FPR × N = {fpr:.3f} × {n:,} = {fp:,}.",
                f"Precision = TP / (TP + FP) = {tp} / ({tp} + {fp:,}) = **{precision:.3f}**: "
                f"{'most' if precision < 0.5 else 'a large share'} of the alerts are false even though the FPR is only "
                f"{fmt(100 * fpr, 1)}%.",
                f"Part 2: turn each point's rates into counts the same way.\n\n{point_lines}",
                f"The most sensitive point with precision ≥ 0.5 is **Point {key + 1}**. FPR divides by the {n:,} "
                f"negatives, so it stays small while the false positives pile up next to only {p} positives: that is "
                f"why ROC-AUC ({auc:.3f}) flatters a rare-class model and average precision ({ap:.3f}) does not. A "
                f"no-skill model scores ROC-AUC 0.5 but average precision {fmt(no_skill, 4)} (the prevalence), so judge "
                "AP against the prevalence.",
                "On rare-class problems where someone must act on each alert, report the PR curve or precision at "
                "the operating recall, not ROC-AUC alone.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=parts,
            solution=solution,
            data={
                "ask": "rare-class",
                "positives": p,
                "negatives": n,
                "separation": sim.separation,
                "threshold": threshold,
                "tpr": tpr,
                "fpr": fpr,
                "tp": tp,
                "fp": fp,
                "precision": precision,
                "roc_auc": auc,
                "average_precision": ap,
                "prevalence": no_skill,
                "points": [
                    {"tpr": pt.tpr, "fpr": pt.fpr, "tp": pt.tp, "fp": pt.fp, "precision": pt.precision}
                    for pt in points
                ],
                "best_point": names[key],
            },
            table=table,
        )


def rare_rates(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """(TPR, FPR, precision) of flagging score >= threshold, counted with numpy."""
    flagged = scores >= threshold
    tp = int(np.count_nonzero(flagged & (y == 1)))
    fp = int(np.count_nonzero(flagged & (y == 0)))
    return tp / int(y.sum()), fp / int((y == 0).sum()), tp / (tp + fp)


def rare_areas(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(ROC-AUC, average precision) for untied continuous scores: Mann-Whitney ranks, and the mean of the
    precision at each positive's rank."""
    order = np.argsort(-scores, kind="stable")
    hits = y[order] == 1
    p, n = int(hits.sum()), len(y) - int(hits.sum())
    ranks_from_top = np.flatnonzero(hits)  # 0-based positions of the positives, best score first
    negatives_above = ranks_from_top - np.arange(p)
    auc = 1 - float(negatives_above.sum()) / (p * n)
    ap = float(np.mean((np.arange(p) + 1) / (ranks_from_top + 1)))
    return auc, ap


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    tpr: float
    fpr: float
    tp: int
    fp: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp)


@dataclass(frozen=True, slots=True)
class RareSimulation:
    y: np.ndarray
    scores: np.ndarray
    threshold: float
    separation: float
    points: tuple[OperatingPoint, ...] = ()


# Candidate FPRs for part 2 (multiples of 0.1%, so FPR × N is a whole count when N is a multiple of 1000).
CANDIDATE_FPRS = (0.001, 0.002, 0.003, 0.005, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08, 0.1)


def _simulate_rare(rng: np.random.Generator, scenario: Scenario, rank: int = 0) -> RareSimulation:
    """A binormal score model (negatives N(0, 1), positives N(d, 1)) at a rare prevalence.

    The threshold sits halfway between two negative scores so exactly FPR × N negatives are flagged, and
    P divides 1000 and N is a multiple of 1000, so the TPR and FPR shown are exact and the user can recover
    the counts. Four candidate operating points (sorted by FPR) are picked so that the ``rank``-th is the
    most sensitive one with precision >= 0.5: points kept clear of 0.5 (>= 0.55 or <= 0.45) so it is unambiguous.
    """
    low, high = scenario.prevalence
    while True:
        p = int(rng.choice(POSITIVE_COUNTS))
        n = int(round(p * (1 / rng.uniform(low, high) - 1), -3))
        if not 1000 <= n <= 20_000:  # big enough for a stable FPR, small enough to score in a few ms
            continue
        separation = float(rng.uniform(2.0, 3.4))
        neg = rng.normal(0.0, 1.0, size=n)
        pos = rng.normal(separation, 1.0, size=p)
        # Only the top 10% of negatives matter for the cut-offs: partition, then sort that slice.
        head = round(max(CANDIDATE_FPRS + FPR_POINTS) * n) + 1
        top = np.sort(np.partition(neg, n - head)[n - head :])[::-1]
        pos_sorted = np.sort(pos)
        candidates = []
        for rate in CANDIDATE_FPRS:
            flagged = round(rate * n)
            cut = (top[flagged - 1] + top[flagged]) / 2
            tp = int(p - np.searchsorted(pos_sorted, cut))
            if tp:
                candidates.append(OperatingPoint(tp / p, flagged / n, tp, flagged))
        good = [c for c in candidates if c.precision >= 0.55]
        bad = [c for c in candidates if c.precision <= 0.45]
        if len(good) < rank + 1 or len(bad) < 3 - rank:
            continue
        chosen_good = [good[i] for i in np.sort(rng.choice(len(good), size=rank + 1, replace=False))]
        # The bad points come after the best good one (more sensitive but too imprecise), the trap to avoid.
        later = [c for c in bad if c.tpr > chosen_good[-1].tpr]
        if len(later) < 3 - rank:
            continue
        chosen_bad = [later[i] for i in np.sort(rng.choice(len(later), size=3 - rank, replace=False))]
        points = tuple(sorted(chosen_good + chosen_bad, key=lambda c: c.fpr))
        if len({c.tpr for c in points}) < 4:
            continue
        break
    y = np.concatenate([np.ones(p, dtype=int), np.zeros(n, dtype=int)])
    scores = np.concatenate([pos, neg])
    flagged = round(float(rng.choice(FPR_POINTS)) * n)
    threshold = float((top[flagged - 1] + top[flagged]) / 2)
    return RareSimulation(y, scores, threshold, round(separation, 3), points)
