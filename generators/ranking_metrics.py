"""`ranking-metrics`: NDCG@k with graded relevance, MRR, average precision and MAP of ranked results.

NDCG uses scikit-learn's convention (gain = the relevance grade, discount 1 / log2(rank + 1), the ideal
ordering sorts the same results), stated in the prompt, and is ``sklearn.metrics.ndcg_score``'s number. AP
and MAP are ``sklearn.metrics.average_precision_score``'s per query (every relevant result is in the list, so
its denominator is the right one). Both are computed here with numpy in scikit-learn's own steps, so they are
its floats bit for bit (the tests compare them) without importing scikit-learn (~90 MB of a drill
session's memory). MRR, which scikit-learn lacks, is numpy too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Field, Generator, NumberAnswer, Params, Part, Problem, Table, fmt, model_validator

Metric = Literal["ndcg", "mrr", "ap", "map"]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # "An online shop's search engine"
    query: str  # what one query looks like
    item: str  # "product"
    prefix: str  # result ids look like f"{prefix}{number}"


SCENARIOS = (
    Scenario("An online shop's product search", "a shopper's query", "product", "P"),
    Scenario("A web search engine", "a user's query", "page", "W"),
    Scenario("A music app's 'up next' recommender", "a listening session", "track", "T"),
    Scenario("A job board's matching engine", "a candidate profile", "job ad", "J"),
    Scenario("A legal-research tool", "a lawyer's question", "case", "C"),
    Scenario("A help centre's article search", "a customer's question", "article", "A"),
)

GRADES = "0 = irrelevant, 1 = marginal, 2 = relevant, 3 = perfect"


class RankingMetricsParams(Params):
    metric: Metric | None = None  # None: random per seed
    k: int | None = Field(None, ge=2, le=8)  # cut-off for NDCG@k; None: 3 to 5 at random

    @model_validator(mode="after")
    def _k_only_for_ndcg(self) -> RankingMetricsParams:
        # Fail at deck load rather than silently ignore a cut-off the chosen metric does not use.
        if self.k is not None and self.metric not in (None, "ndcg"):
            raise ValueError(f"k applies only to metric='ndcg', not metric={self.metric!r}")
        return self


def ndcg_at_k(relevance: np.ndarray, k: int) -> float:
    """NDCG@k of results shown in rank order, as ``sklearn.metrics.ndcg_score`` computes it.

    scikit-learn's steps for scores strictly decreasing down the list: the shown order's DCG with its
    tie-averaged discounts (the cumulative discounts differenced back, one result per tie group), the
    ideal DCG as a dot product with the grades sorted, their ratio (0 when nothing is relevant).
    """
    y_true = np.asarray(relevance, dtype=float)[None, :]
    n = y_true.shape[1]
    discount = 1 / (np.log(np.arange(n) + 2) / np.log(2))
    discount[k:] = 0
    cumulative = np.cumsum(discount)
    per_rank = np.empty(n)
    per_rank[0] = cumulative[0]
    per_rank[1:] = np.diff(cumulative)
    shown = (y_true[0] * per_rank).sum()
    ranking = np.argsort(y_true)[:, ::-1]
    ideal = discount.dot(y_true[np.arange(1)[:, np.newaxis], ranking].T)[0]
    return float(shown / ideal) if ideal != 0 else 0.0


def average_precision(relevant: np.ndarray) -> float:
    """AP of one ranked list of 0/1 labels, every relevant result of the collection being in the list, as
    ``sklearn.metrics.average_precision_score`` computes it for scores strictly decreasing down the list:
    −Σ Δrecall · precision over the reversed precision-recall curve."""
    y = np.asarray(relevant, dtype=np.int32).astype(np.float64)
    tps = np.cumsum(y * 1.0, dtype=np.float64)
    fps = 1 + np.arange(len(y)).astype(np.float64) - tps
    ps = tps + fps
    precision = np.where(ps != 0, np.divide(tps, ps), 0.0)
    recall = tps / tps[-1] if tps[-1] != 0 else np.full(tps.shape, 1.0)  # none relevant: sklearn's recall
    precision = np.concatenate((np.flip(precision), np.asarray([1.0])))
    recall = np.concatenate((np.flip(recall), np.asarray([0.0])))
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def sklearn_ndcg_at_k(relevance: np.ndarray, k: int) -> float:
    """:func:`ndcg_at_k` by ``sklearn.metrics.ndcg_score`` (what the tests check it against)."""
    from sklearn.metrics import ndcg_score

    scores = np.arange(len(relevance), 0, -1, dtype=float)
    return float(ndcg_score(relevance[None, :].astype(float), scores[None, :], k=k))


def sklearn_average_precision(relevant: np.ndarray) -> float:
    """:func:`average_precision` by ``sklearn.metrics.average_precision_score``."""
    from sklearn.metrics import average_precision_score

    scores = np.arange(len(relevant), 0, -1, dtype=float)
    return float(average_precision_score(relevant, scores))


def reciprocal_ranks(relevant: np.ndarray) -> np.ndarray:
    """Per query (row): 1 / rank of the first relevant result, 0 when none is shown."""
    hit = relevant.astype(bool)
    first = hit.argmax(axis=1) + 1
    return np.where(hit.any(axis=1), 1.0 / first, 0.0)


def _ids(rng: np.random.Generator, scenario: Scenario, n: int) -> list[str]:
    return [f"{scenario.prefix}{v}" for v in rng.choice(np.arange(10, 100), size=n, replace=False)]


def _graded(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Relevance grades in shown order: a decent but imperfect ranking with something relevant in the top k."""
    while True:
        grades = rng.choice(4, size=n, p=[0.35, 0.25, 0.25, 0.15])
        # Noisy sort: higher grades tend to come first, as from a real ranker.
        noisy = grades + rng.normal(0, 1.2, size=n)
        grades = grades[np.argsort(-noisy, kind="stable")]
        if grades[:k].sum() > 0 and not np.array_equal(grades[:k], np.sort(grades)[::-1][:k]):
            return grades


def _binary_lists(rng: np.random.Generator, queries: int, n: int, allow_miss: bool) -> np.ndarray:
    """0/1 relevance per query (rows) in shown order; at most one query with no relevant result."""
    while True:
        rows = (rng.random((queries, n)) < rng.uniform(0.12, 0.4, size=(queries, 1))).astype(int)
        empty = int((rows.sum(axis=1) == 0).sum())
        if empty <= int(allow_miss) and rows.sum() >= queries:
            return rows


class RankingMetrics(Generator):
    name = "ranking-metrics"
    title = "Ranking metrics: NDCG@k, MRR, AP and MAP"
    description = (
        "NDCG@k of a ranked list with graded relevance (scikit-learn's convention), mean reciprocal rank "
        "over several queries, and average precision / mean average precision of ranked results."
    )
    Params = RankingMetricsParams
    topics = ("metrics", "ranking", "recommender-systems")

    def make(self, rng: np.random.Generator, seed: int, params: RankingMetricsParams) -> Problem:
        metric = params.metric or ("ndcg" if params.k is not None else str(rng.choice(METRICS)))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        match metric:
            case "ndcg":
                return self._ndcg(rng, seed, params, scenario)
            case "mrr":
                return self._mrr(rng, seed, params, scenario)
        return self._ap(rng, seed, params, scenario, metric)

    def _ndcg(self, rng: np.random.Generator, seed: int, params: RankingMetricsParams, scenario: Scenario) -> Problem:
        k = params.k or int(rng.integers(3, 6))
        n = max(k + 2, int(rng.integers(6, 9)))
        grades = _graded(rng, n, k)
        ids = _ids(rng, scenario, n)
        value = ndcg_at_k(grades, k)
        table = Table(
            headers=("Rank", scenario.item.capitalize(), "Relevance"),
            rows=tuple((str(i + 1), ids[i], str(int(g))) for i, g in enumerate(grades)),
            title=f"results in the order shown · relevance: {GRADES}",
        )
        prompt = (
            f"{scenario.context} returns {n} {scenario.item}s for {scenario.query}, in the order below; "
            f"raters graded each one ({GRADES}).\n\n"
            f"What is **NDCG@{k}**? Use gain = relevance grade, discount = 1 / log2(rank + 1), and the ideal "
            f"ordering of these same {n} results. Answer as a number to 3 decimals."
        )
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"NDCG@{k}?", answer=NumberAnswer(value, decimals=3)),),
            solution=_ndcg_solution(grades, k, value),
            data={"metric": "ndcg", "k": k, "relevance": grades.tolist(), "results": ids},
            table=table,
        )

    def _mrr(self, rng: np.random.Generator, seed: int, params: RankingMetricsParams, scenario: Scenario) -> Problem:
        queries, n = int(rng.integers(4, 6)), 5
        relevant = _binary_lists(rng, queries, n, allow_miss=bool(rng.random() < 0.3))
        rr = reciprocal_ranks(relevant)
        value = float(rr.mean())
        table = _binary_table(relevant, "Query")
        prompt = (
            f"{scenario.context} is evaluated on {queries} queries ({scenario.query} each). The table marks "
            f"which of the top {n} {scenario.item}s were relevant (✓).\n\n"
            f"What is the **mean reciprocal rank (MRR)**? A query with no relevant {scenario.item} in the top "
            f"{n} scores 0. Answer as a number to 3 decimals (a fraction is fine too)."
        )
        lines = []
        for q in range(queries):
            hits = np.flatnonzero(relevant[q])
            lines.append(f"Query {q + 1}: first ✓ at rank {hits[0] + 1} → RR = 1/{hits[0] + 1} = {fmt(rr[q], 3)}"
                         if len(hits) else f"Query {q + 1}: no ✓ in the top {n} → RR = 0")
        lines.append(f"MRR = ({' + '.join(fmt(v, 3) for v in rr)}) / {queries} = **{fmt(value)}**")
        lines.append("MRR only looks at the first relevant result: right for 'I need one good answer' "
                     "(navigation, Q&A), blind to everything ranked after it.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="MRR?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data={"metric": "mrr", "relevant": relevant.tolist(), "cutoff": n},
            table=table,
        )

    def _ap(self, rng: np.random.Generator, seed: int, params: RankingMetricsParams, scenario: Scenario,
            metric: str) -> Problem:
        queries = 1 if metric == "ap" else int(rng.integers(2, 4))
        n = int(rng.integers(7, 11)) if metric == "ap" else int(rng.integers(6, 9))
        relevant = _binary_lists(rng, queries, n, allow_miss=False)
        aps = np.array([average_precision(row) for row in relevant])
        value = float(aps.mean())
        if metric == "ap":
            asked, what = "average precision (AP)", f"{n} {scenario.item}s for {scenario.query}"
        else:
            asked, what = "mean average precision (MAP)", f"the top {n} {scenario.item}s for {queries} queries"
        prompt = (
            f"{scenario.context} returns {what}. The table marks the relevant ones (✓); every relevant "
            f"{scenario.item} in the collection appears in the list.\n\n"
            f"What is the **{asked}**? Answer as a number to 3 decimals."
        )
        lines = []
        for q, row in enumerate(relevant):
            hits = np.flatnonzero(row) + 1
            precisions = [f"{i + 1}/{r}" for i, r in enumerate(hits)]
            head = f"Query {q + 1}: " if queries > 1 else ""
            ranks = f"rank{'s' if len(hits) > 1 else ''} {', '.join(map(str, hits))}"
            lines.append(f"{head}relevant at {ranks}; precision at each: "
                         f"{', '.join(precisions)} → AP = ({' + '.join(precisions)}) / {len(hits)} = "
                         + (f"{fmt(aps[q])}" if queries > 1 else f"**{fmt(aps[q])}**"))
        if queries > 1:
            lines.append(f"MAP = ({' + '.join(fmt(v) for v in aps)}) / {queries} = **{fmt(value)}**")
        lines.append("AP averages precision at each relevant hit, so it rewards ranking all relevant results "
                     "early, not just the first one (unlike MRR).")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked}?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data={"metric": metric, "relevant": relevant.tolist(), "ap_per_query": aps.tolist()},
            table=_binary_table(relevant, "Query" if queries > 1 else ""),
        )


def _binary_table(relevant: np.ndarray, row_label: str) -> Table:
    n = relevant.shape[1]
    return Table(
        headers=(row_label or "", *(f"#{r}" for r in range(1, n + 1))),
        rows=tuple(
            (f"{row_label} {q + 1}".strip() if row_label else "relevant?", *("✓" if v else "·" for v in row))
            for q, row in enumerate(relevant)
        ),
        title="relevance by rank (✓ relevant, · not)",
    )


def _ndcg_solution(grades: np.ndarray, k: int, value: float) -> str:
    discounts = 1 / np.log2(np.arange(2, k + 2))
    ideal = np.sort(grades)[::-1][:k]
    dcg_terms = grades[:k] * discounts
    idcg_terms = ideal * discounts
    rows = ["| rank | relevance | discount 1/log2(rank+1) | gain × discount | ideal relevance | ideal term |",
            "|---|---|---|---|---|---|"]
    for i in range(k):
        rows.append(f"| {i + 1} | {grades[i]} | {fmt(discounts[i])} | {fmt(dcg_terms[i])} | {ideal[i]} "
                    f"| {fmt(idcg_terms[i])} |")
    dcg, idcg = float(dcg_terms.sum()), float(idcg_terms.sum())
    return "\n\n".join([
        f"Only the top {k} ranks count. The ideal ordering sorts all grades high to low: "
        f"{', '.join(str(int(g)) for g in np.sort(grades)[::-1])}.",
        "\n".join(rows),
        f"DCG@{k} = {' + '.join(fmt(t) for t in dcg_terms)} = {fmt(dcg)}",
        f"IDCG@{k} = {' + '.join(fmt(t) for t in idcg_terms)} = {fmt(idcg)}",
        f"NDCG@{k} = DCG / IDCG = {fmt(dcg)} / {fmt(idcg)} = **{fmt(value)}**",
        "The log discount makes rank 1 vs 2 matter far more than rank 9 vs 10. Check the gain convention in "
        "an interview: many papers use 2^rel − 1, which rewards top grades more than scikit-learn's linear gain.",
    ])
