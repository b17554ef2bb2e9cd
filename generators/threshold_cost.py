"""`threshold-cost`: pick the decision threshold with the lowest total cost, or read precision / recall off one.

A model's scores and the true labels of a small validation sample are listed by score; a false positive
and a false negative each have a price. The question is which candidate threshold ("flag when score ≥ t")
costs least in total, and what that cost is; or the precision / recall at one threshold. Counts, precision and
recall are numpy on the instance's arrays (every candidate threshold is evaluated, and ``sklearn.metrics``
input validation costs ~1-5 ms a call); the tests check them against ``sklearn.metrics.confusion_matrix``,
``precision_score`` and ``recall_score`` and the textbook formulas.
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

Ask = Literal["best-threshold", "precision", "recall"]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    positive: str
    negative: str
    fp_cost: tuple[int, int]  # dollars, inclusive range
    fn_cost: tuple[int, int]
    fp_means: str  # what a false positive costs in this business
    fn_means: str


SCENARIOS = (
    Scenario(
        "A card-fraud model scores transactions; flagged ones go to a manual review",
        "transactions",
        "Fraud",
        "Legit",
        (10, 40),
        (150, 600),
        "an analyst's review of a legit payment",
        "a missed fraud's chargeback",
    ),
    Scenario(
        "A churn model scores subscribers; flagged ones get a retention discount",
        "subscribers",
        "Churn",
        "Stay",
        (15, 40),
        (60, 200),
        "a discount given to someone who would have stayed",
        "a lost subscriber's margin",
    ),
    Scenario(
        "A spam filter scores incoming emails; flagged ones go to the junk folder",
        "emails",
        "Spam",
        "Ham",
        (8, 30),
        (1, 3),
        "a real email lost in junk",  # here FP costs more than FN
        "a spam email reaching the inbox",
    ),
    Scenario(
        "A predictive-maintenance model scores pumps; flagged ones get an inspection",
        "pumps",
        "Failure",
        "OK",
        (200, 600),
        (2000, 9000),
        "an unnecessary inspection",
        "an unplanned breakdown",
    ),
    Scenario(
        "A credit model scores loan applications; flagged ones are declined",
        "applications",
        "Default",
        "Repaid",
        (300, 900),
        (1500, 5000),
        "the profit lost on a good loan declined",
        "the loss on a loan that defaults",
    ),
)


RANK_NAMES = {
    4: ("lowest", "second lowest", "second highest", "highest"),
    5: ("lowest", "second lowest", "middle", "second highest", "highest"),
}


class ThresholdCostParams(Params):
    ask: Ask | None = None  # None: random per seed


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int
    fp: int
    fn: int
    tn: int


def counts_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> Counts:
    """Confusion counts when flagging score >= threshold (the convention of sklearn's roc_curve).

    numpy rather than ``sklearn.metrics.confusion_matrix``: the generator evaluates every candidate
    threshold, and sklearn's input validation would cost ~1 ms a call. Tests check both agree.
    """
    flagged = scores >= threshold
    positive = y == 1
    tp = int(np.count_nonzero(flagged & positive))
    fp = int(np.count_nonzero(flagged & ~positive))
    fn = int(np.count_nonzero(~flagged & positive))
    return Counts(tp, fp, fn, len(y) - tp - fp - fn)


def precision_recall_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """Precision and recall of flagging score >= threshold (tests check them against ``sklearn.metrics``)."""
    c = counts_at(y, scores, threshold)
    return c.tp / (c.tp + c.fp), c.tp / (c.tp + c.fn)


# Scores are whole cents off the 0.05 grid, so no score ever equals a candidate threshold.
_CENTS = np.array([c for c in range(1, 100) if c % 5])
_ODDS_BACK = (100 - _CENTS) / _CENTS  # (1 − x) / x for each score x


def _sample(rng: np.random.Generator, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and distinct 2-decimal scores, sorted by score: positives tend high (Beta(4, 2) shape),
    negatives low (Beta(2, 4)).

    ``shift`` moves both shapes along the logit of the score: the model's scores are not calibrated, so where
    positives start to outnumber negatives is a property of this model, not of the business.
    """
    n = int(rng.integers(12, 17))
    positives = int(rng.integers(max(3, n // 4), n // 2 + 1))
    base = 1 / (1 + np.exp(shift) * _ODDS_BACK)
    # Weighted draws without replacement by the Gumbel top-k trick (one vectorised draw, no rejection).
    high = 3 * np.log(base) + np.log1p(-base) + rng.gumbel(size=len(_CENTS))
    pos_index = np.argpartition(-high, positives)[:positives]
    low = np.log(base) + 3 * np.log1p(-base) + rng.gumbel(size=len(_CENTS))
    low[pos_index] = -np.inf
    neg_index = np.argpartition(-low, n - positives)[: n - positives]
    cents = np.concatenate([_CENTS[pos_index], _CENTS[neg_index]])
    y = np.array([1] * positives + [0] * (n - positives))
    order = np.argsort(-cents, kind="stable")
    return y[order], cents[order] / 100


def _operating_points(scores: np.ndarray) -> np.ndarray:
    """One threshold on the 0.05 grid per distinct operating point strictly between "flag all" and "flag none".

    Two thresholds with no score between them would be the same operating point: a tie by construction.
    """
    grid = np.arange(0.10, 0.95, 0.05).round(2)
    flagged = (scores[None, :] >= grid[:, None]).sum(axis=1)
    _, first = np.unique(flagged, return_index=True)
    distinct = grid[np.sort(first)]
    return distinct[(distinct > scores.min()) & (distinct < scores.max())]


def _thresholds(rng: np.random.Generator, scores: np.ndarray) -> np.ndarray:
    """4-5 candidate thresholds on the 0.05 grid, each flagging a different number of rows."""
    distinct = _operating_points(scores)
    count = min(len(distinct), int(rng.integers(4, 6)))
    return np.sort(rng.choice(distinct, size=count, replace=False))


def _calibrated_cut(scenario: Scenario) -> float:
    """Where calibrated Beta(4, 2) / Beta(2, 4) scores would be cheapest to cut at the scenario's typical
    prices: likelihood ratio (x / (1 − x))² = c_FP / c_FN."""
    ratio = sum(scenario.fp_cost) / sum(scenario.fn_cost)
    return float(1 / (1 + np.exp(-0.5 * np.log(ratio))))


def _spread_thresholds(rng: np.random.Generator, count: int, centre: float) -> np.ndarray:
    """``count`` sorted candidate thresholds on the 0.05 grid within 0.3 of ``centre`` (and in [0.10, 0.90]),
    at least 0.10 apart: candidates a sensible analyst would compare for these prices."""
    grid = np.arange(0.10, 0.95, 0.05).round(2)
    grid = grid[np.abs(grid - min(max(centre, 0.4), 0.6)) <= 0.3 + 1e-9]  # room for 5 candidates 0.1 apart
    while True:
        chosen = np.sort(rng.choice(grid, size=count, replace=False))
        if np.all(np.diff(chosen) >= 0.099):
            return chosen


def _cost(c: Counts, c_fp: int, c_fn: int) -> int:
    return c.fp * c_fp + c.fn * c_fn


def _costs(rng: np.random.Generator, scenario: Scenario) -> tuple[int, int]:
    fp = int(rng.integers(scenario.fp_cost[0], scenario.fp_cost[1] + 1))
    fn = int(rng.integers(scenario.fn_cost[0], scenario.fn_cost[1] + 1))
    return fp, fn


def _score_table(y: np.ndarray, scores: np.ndarray, scenario: Scenario) -> Table:
    return scored_rows_table(
        y,
        scores,
        scenario.items.rstrip("s").capitalize(),
        scenario.positive,
        scenario.negative,
        f"validation sample sorted by score · positive class: {scenario.positive}",
    )


class ThresholdCost(Generator):
    name = "threshold-cost"
    title = "Choosing a threshold by cost; precision and recall at a threshold"
    description = (
        "Scores and labels of a validation sample plus the price of a false positive and of a false "
        "negative: which threshold costs least and what it costs, or the precision / recall at a threshold."
    )
    Params = ThresholdCostParams
    topics = ("metrics", "thresholds", "cost-sensitive")

    def make(self, rng: np.random.Generator, seed: int, params: ThresholdCostParams) -> Problem:
        ask = params.ask or str(rng.choice(["best-threshold", "best-threshold", "precision", "recall"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "best-threshold":
            return self._best(rng, seed, params, scenario)
        return self._rate(rng, seed, params, scenario, ask)

    def _best(
        self, rng: np.random.Generator, seed: int, params: ThresholdCostParams, scenario: Scenario
    ) -> Problem:
        # Where the cheapest candidate sits among the candidates is drawn first, uniformly, and so is the score
        # around which the cheapest threshold falls: a scenario's cost ratio (a missed fraud is dear, a lost
        # email is dear) must not say "the lowest" or "the highest" or "about 0.2" on its own; the scores of
        # this sample and the prices decide it.
        count = int(rng.integers(4, 6))
        rank = int(rng.integers(count))
        found, tries = False, 0
        while not found:
            if tries % 60 == 0:  # rarely, a set of candidates is hard to hit at this rank: draw another
                thresholds = _spread_thresholds(
                    rng, count, _calibrated_cut(scenario) + rng.uniform(-0.1, 0.1)
                )
                # The ideal cut goes at the candidate; past it for the lowest or highest, whose range is open.
                target = float(thresholds[rank]) + (
                    -0.05 if rank == 0 else 0.05 if rank == count - 1 else 0.0
                )
            tries += 1
            # Calibrated Beta(4, 2) / Beta(2, 4) scores would be cheapest near the Bayes cut; move it to target.
            c_fp, c_fn = _costs(rng, scenario)
            bayes_logit = 0.5 * np.log(c_fp / c_fn)
            y, scores = _sample(rng, shift=float(np.log(target / (1 - target)) - bayes_logit))
            counts = [counts_at(y, scores, float(t)) for t in thresholds]
            flagged = [c.tp + c.fp for c in counts]
            if len(set(flagged)) < count or min(flagged) == 0 or max(flagged) == len(y):
                continue  # two candidates at one operating point, or one flags all / none
            for _ in range(10):  # other prices from the scenario's ranges, same sample
                costs = np.array([_cost(c, c_fp, c_fn) for c in counts])
                ranked = np.sort(costs)
                # A unique cheapest threshold at the drawn rank, and not free (a perfect split asks nothing).
                if int(np.argmin(costs)) == rank and 0 < ranked[0] < ranked[1]:
                    found = True
                    break
                c_fp, c_fn = _costs(rng, scenario)
        counts = [counts_at(y, scores, float(t)) for t in thresholds]
        costs = np.array([_cost(c, c_fp, c_fn) for c in counts])
        best = int(np.argmin(costs))
        # Options are named by rank ("lowest" ... "highest"): the threshold values differ from instance to
        # instance, the rank is what a learner picks. A typed threshold ("0.4") picks by value.
        names = list(RANK_NAMES[count])
        shown = [f"{t:.2f}" for t in thresholds]
        options = tuple(
            Option(
                name,
                f"flag if score ≥ {text}",
                value=float(t),
                aliases=(text, f"≥ {text}", f">= {text}", f"≥{text}", f">={text}"),
            )
            for name, text, t in zip(names, shown, thresholds, strict=True)
        )
        feedback = {
            names[i]: f"At ≥ {shown[i]}: {c.fp} FP × ${c_fp} + {c.fn} FN × ${c_fn} = ${costs[i]:,}, "
            f"vs ${costs[best]:,} at ≥ {shown[best]}."
            for i, c in enumerate(counts)
            if i != best
        }
        fp_text, fn_text = scenario.fp_means, scenario.fn_means
        n = len(y)
        prompt = (
            f"{scenario.context}. On a validation sample of {n} {scenario.items}, a false positive "
            f"({fp_text}) costs **${c_fp:,}** and a false negative ({fn_text}) costs **${c_fn:,}**; "
            "correct decisions cost nothing.\n\n"
            f"1. Which threshold gives the lowest total cost on this sample? "
            f"(candidates: {', '.join(shown)}; flag when score ≥ threshold)\n"
            "2. What is that lowest total cost, in whole dollars?\n\nSeparate the answers with ';' (e.g. `0.50; 1200`)."
        )
        parts = (
            Part(
                prompt="Cheapest threshold?",
                answer=ChoiceAnswer(options, names[best], feedback),
                label="threshold",
            ),
            Part(
                prompt="Its total cost ($, a whole number)?",
                answer=NumberAnswer(float(costs[best]), tolerance=0, unit="dollars"),
                label="cost",
            ),
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=parts,
            solution=_best_solution(thresholds, counts, costs, c_fp, c_fn, best),
            data={
                "ask": "best-threshold",
                "scores": scores.tolist(),
                "labels": y.tolist(),
                "thresholds": thresholds.tolist(),
                "cost_fp": c_fp,
                "cost_fn": c_fn,
                "costs": costs.tolist(),
                "best_threshold": float(thresholds[best]),
            },
            table=_score_table(y, scores, scenario),
        )

    def _rate(
        self, rng: np.random.Generator, seed: int, params: ThresholdCostParams, scenario: Scenario, ask: str
    ) -> Problem:
        while True:
            y, scores = _sample(rng)
            threshold = float(rng.choice(_thresholds(rng, scores)))
            c = counts_at(y, scores, threshold)
            # Both kinds of error present, so neither precision nor recall is a trivial 1.
            if c.tp and c.fp and c.fn:
                break
        precision, recall = precision_recall_at(y, scores, threshold)
        value = precision if ask == "precision" else recall
        n = len(y)
        prompt = (
            f"{scenario.context}. Here are its scores on a validation sample of {n} {scenario.items} "
            f"(**{scenario.positive}** is the positive class). It flags every {scenario.items.rstrip('s')} with "
            f"score ≥ **{threshold:.2f}**.\n\n"
            f"What is the **{ask}** at this threshold? Answer as a number to 3 decimals (a fraction is fine too)."
        )
        formula = (
            f"Precision = TP / (TP + FP) = {c.tp} / ({c.tp} + {c.fp}) = **{fmt(value)}**"
            if ask == "precision"
            else f"Recall = TP / (TP + FN) = {c.tp} / ({c.tp} + {c.fn}) = **{fmt(value)}**"
        )
        solution = "\n\n".join(
            [
                f"Flagged (score ≥ {threshold:.2f}): the top {c.tp + c.fp} rows, TP = {c.tp} ({scenario.positive}) "
                f"and FP = {c.fp} ({scenario.negative}). Not flagged: FN = {c.fn} ({scenario.positive}, missed) and "
                f"TN = {c.tn} ({scenario.negative}).",
                formula,
                "Raising the threshold trades recall for precision; which point to run at is a business decision "
                "(the cost of each error), not a property of the model.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt=f"{ask.capitalize()} at ≥ {threshold:.2f}?", answer=NumberAnswer(value, decimals=3)
                ),
            ),
            solution=solution,
            data={
                "ask": ask,
                "scores": scores.tolist(),
                "labels": y.tolist(),
                "threshold": threshold,
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "tn": c.tn,
            },
            table=_score_table(y, scores, scenario),
        )


def _best_solution(
    thresholds: np.ndarray, counts: list[Counts], costs: np.ndarray, c_fp: int, c_fn: int, best: int
) -> str:
    rows = [
        "| flag if score ≥ | TP | FP | FN | TN | cost = FP × c_FP + FN × c_FN |",
        "|---|---|---|---|---|---|",
    ]
    for t, c, cost in zip(thresholds, counts, costs, strict=True):
        mark = " ←" if cost == costs[best] else ""
        rows.append(
            f"| {t:.2f} | {c.tp} | {c.fp} | {c.fn} | {c.tn} | {c.fp} × {c_fp} + {c.fn} × {c_fn} = "
            f"{cost:,}{mark} |"
        )
    bayes = c_fp / (c_fp + c_fn)
    return "\n\n".join(
        [
            "Count the errors at each candidate threshold, then price them:",
            "\n".join(rows),
            f"The cheapest is **≥ {thresholds[best]:.2f}** at **${costs[best]:,}**.",
            f"If the scores were calibrated probabilities, the cost-minimising rule would be to flag when "
            f"p ≥ c_FP / (c_FP + c_FN) = {c_fp} / {c_fp + c_fn} = {fmt(bayes, 3)}: lopsided costs move the best "
            f"threshold far from 0.5. A model's scores are rarely calibrated, though, so that formula is only a "
            f"first guess (here {fmt(bayes, 3)} against a best candidate of {thresholds[best]:.2f}): count and price "
            "the errors on validation data, never on the test set.",
        ]
    )
