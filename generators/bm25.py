"""`bm25`: BM25 idf, term and document scores, and the top-ranked document, on a tiny collection by hand.

N = 4–8 documents are given as rows of term counts over five index terms, with each document's length dl
(which counts its other words too) and the average length avgdl (a whole number). Scores follow BM25
(Robertson & Zaragoza 2009) in the textbook form with (k1 + 1) in the numerator (Manning, Raghavan & Schütze,
IIR §11.4.3) and the idf Lucene and Elasticsearch use: the same conventions as deck 35's BM25 cards.

    idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))
    score(t, d) = idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))
    score(q, d) = Σ over the query terms of score(t, d)   (a term d lacks adds 0)

with k1 ∈ {0.9, 1.2, 1.5, 2.0} and b ∈ {0.5, 0.75, 1.0} drawn per instance.

| ask          | answer                                  | mistakes the numbers are drawn to expose          |
|--------------|-----------------------------------------|---------------------------------------------------|
| `idf`        | idf(t), to 3 decimals                   | the classic Robertson–Spärck Jones idf ln((N − df + 0.5)/(df + 0.5)) (negative once df > N/2); plain ln(N/df); log base 10 |
| `term-score` | score(t, d), to 2 decimals              | no length normalisation (b = 0); raw tf·idf; leaving out (k1 + 1) |
| `doc-score`  | score(q, d) for a 2–3-term query, to 2 decimals | one term's score only; the average over the query terms instead of the sum |
| `top-doc`    | which document ranks first (choice)     | the raw tf·idf pick Σ tf·idf(t): a long document repeating a query term, which BM25's saturation and length normalisation hold back |

Every numeric slip lands at least ``IDF_GAP`` (idf) or ``SCORE_GAP`` (scores) from the answer, so it grades
wrong; in every `top-doc` instance the raw tf·idf pick is another document, and both winners lead clearly.
Lucene ≥ 8 drops the constant (k1 + 1) from its scores (LUCENE-8563: it changes no ranking); the prompt's
formula keeps it, and the term-score solution says so. The tests rescore token lists with a BM25 written
separately from the formulas above.
"""

from __future__ import annotations

import math
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
    article,
    far_from,
    fmt,
)

Ask = Literal["idf", "term-score", "doc-score", "top-doc"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

K1_VALUES = (0.9, 1.2, 1.5, 2.0)
B_VALUES = (0.5, 0.75, 1.0)
TERMS_SHOWN = 5
IDF_GAP = 0.01  # idf is asked to 3 decimals (graded within 0.001)
SCORE_GAP = 0.05  # scores are asked to 2 decimals (graded within 0.01)
RANK_GAP = 0.1  # the BM25 winner and the tf·idf winner each lead their runner-up by at least this


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    kind: str  # what a document is: "recipe", "ticket"
    vocabulary: tuple[str, ...]


SCENARIOS = (
    Scenario(
        "A recipe site ranks recipes for a search box",
        "recipe",
        ("garlic", "basil", "tomato", "lentil", "ginger", "lemon", "paprika"),
    ),
    Scenario(
        "A help desk searches its past support tickets",
        "ticket",
        ("password", "refund", "invoice", "timeout", "login", "export", "crash"),
    ),
    Scenario(
        "A law firm searches its contract archive",
        "contract",
        ("indemnity", "liability", "warranty", "termination", "arbitration", "royalty", "escrow"),
    ),
    Scenario(
        "An online shop ranks product pages for a query",
        "product page",
        ("waterproof", "jacket", "hiking", "wool", "zip", "hood", "lightweight"),
    ),
    Scenario(
        "A developer portal searches its documentation pages",
        "page",
        ("cache", "token", "webhook", "retry", "schema", "latency", "pagination"),
    ),
    Scenario(
        "A newsroom searches its article archive",
        "article",
        ("drought", "harvest", "tariff", "strike", "inflation", "flood", "subsidy"),
    ),
)


class BM25Params(Params):
    ask: Ask | None = None
    # Number of documents (None: 4 to 8 by seed).
    documents: int | None = Field(None, ge=4, le=8)


def lucene_idf(n: int, df: int) -> float:
    """ln(1 + (N − df + 0.5)/(df + 0.5)): the Robertson–Spärck Jones idf with 1 added inside the log, which
    keeps it positive for every df ≤ N (the original goes negative once a term is in more than half)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def tf_part(tf: int, dl: int, avgdl: float, k1: float, b: float) -> float:
    """tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)): saturates at k1 + 1; a long document needs more
    occurrences to get as close to it."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


@dataclass(frozen=True, slots=True)
class Collection:
    terms: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # documents × terms
    lengths: tuple[int, ...]
    k1: float
    b: float

    @property
    def n(self) -> int:
        return len(self.counts)

    @property
    def avgdl(self) -> float:
        return sum(self.lengths) / self.n

    def df(self, t: int) -> int:
        return sum(1 for row in self.counts if row[t] > 0)

    def idf(self, t: int) -> float:
        return lucene_idf(self.n, self.df(t))

    def norm(self, d: int) -> float:
        """The length factor 1 − b + b·dl/avgdl."""
        return 1 - self.b + self.b * self.lengths[d] / self.avgdl

    def score(self, d: int, t: int, b: float | None = None, k1_plus_one: bool = True) -> float:
        """One term's BM25 score in one document (0 when absent); ``b`` and ``k1_plus_one`` make the slips."""
        tf = self.counts[d][t]
        part = tf_part(tf, self.lengths[d], self.avgdl, self.k1, self.b if b is None else b)
        return self.idf(t) * part / (1 if k1_plus_one else self.k1 + 1)

    def doc_score(self, d: int, query: tuple[int, ...]) -> float:
        return sum(self.score(d, t) for t in query)

    def tfidf(self, d: int, query: tuple[int, ...]) -> float:
        """Raw tf·idf with the same idf: no saturation, no length normalisation."""
        return sum(self.counts[d][t] * self.idf(t) for t in query)


def _draw_collection(
    rng: np.random.Generator, n: int, terms: tuple[str, ...], stuffed: int | None
) -> Collection:
    """Random sparse counts and lengths; ``stuffed`` (a term index) plants one long document repeating that
    term, the trap raw tf·idf falls into. Lengths are adjusted so avgdl is a whole number; rows shuffled."""
    rows: list[list[int]] = []
    lengths: list[int] = []
    for _ in range(n):
        row = [int(rng.integers(1, 5)) if rng.random() < 0.45 else 0 for _ in terms]
        rows.append(row)
        lengths.append(max(int(rng.integers(6, 31)) * 5, sum(row) + 20))
    if stuffed is not None:
        rows[0][stuffed] = int(rng.integers(6, 15))
        lengths[0] = int(rng.integers(50, 91)) * 5
    for t in range(len(terms)):  # every shown term is in at least one document
        if all(row[t] == 0 for row in rows):
            rows[int(rng.integers(n))][t] = int(rng.integers(1, 4))
    lengths = [max(length, sum(row) + 20) for row, length in zip(rows, lengths, strict=True)]
    lengths[-1] += (-sum(lengths)) % n
    order = rng.permutation(n)
    return Collection(
        terms,
        tuple(tuple(rows[int(i)]) for i in order),
        tuple(lengths[int(i)] for i in order),
        float(rng.choice(K1_VALUES)),
        float(rng.choice(B_VALUES)),
    )


def idf_slips(c: Collection, t: int) -> dict[str, float]:
    n, df = c.n, c.df(t)
    return {
        "rsj": math.log((n - df + 0.5) / (df + 0.5)),
        "ln_n_over_df": math.log(n / df),
        "log10": math.log10(1 + (n - df + 0.5) / (df + 0.5)),
    }


def term_slips(c: Collection, d: int, t: int) -> dict[str, float]:
    return {
        "no_length_norm": c.score(d, t, b=0.0),
        "raw_tfidf": c.counts[d][t] * c.idf(t),
        "no_k1_plus_one": c.score(d, t, k1_plus_one=False),
    }


def doc_slips(c: Collection, d: int, query: tuple[int, ...]) -> dict[str, float]:
    slips = {f"only_{c.terms[t]}": c.score(d, t) for t in query}
    slips["average"] = c.doc_score(d, query) / len(query)
    return slips


def _ranked(scores: list[float]) -> tuple[int, float]:
    """The winner's index and its lead over the runner-up."""
    order = sorted(range(len(scores)), key=lambda k: -scores[k])
    return order[0], scores[order[0]] - scores[order[1]]


class BM25(Generator):
    name = "bm25"
    title = "BM25 scores and rankings by hand"
    description = (
        "A tiny collection as term counts with document lengths: a term's idf (Lucene's), one term's BM25 "
        "score in one document, a document's score for a query, and which document BM25 ranks first where "
        "raw tf·idf would pick a long document that repeats a query term."
    )
    Params = BM25Params
    topics = ("information-retrieval", "search", "bm25")

    def make(self, rng: np.random.Generator, seed: int, params: BM25Params) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        for _ in range(MAX_DRAWS):
            n = params.documents or int(rng.integers(4, 9))
            chosen = rng.choice(len(scenario.vocabulary), size=TERMS_SHOWN, replace=False)
            terms = tuple(scenario.vocabulary[int(i)] for i in sorted(chosen))
            if ask == "top-doc":
                size = int(rng.integers(1, 4))
                query = tuple(int(t) for t in rng.choice(TERMS_SHOWN, size=size, replace=False))
                c = _draw_collection(rng, n, terms, stuffed=query[0])
                best, lead = _ranked([c.doc_score(d, query) for d in range(n)])
                naive, naive_lead = _ranked([c.tfidf(d, query) for d in range(n)])
                long_naive = c.lengths[naive] > c.avgdl
                if best != naive and long_naive and min(lead, naive_lead) >= RANK_GAP:
                    return self._top_doc(seed, params, scenario, c, query, best, naive)
                continue
            c = _draw_collection(rng, n, terms, stuffed=None)
            if ask == "idf":
                t = int(rng.integers(TERMS_SHOWN))
                if far_from(c.idf(t), idf_slips(c, t).values(), IDF_GAP):
                    return self._idf(seed, params, scenario, c, t)
            elif ask == "term-score":
                d = int(rng.integers(n))
                present = [t for t in range(TERMS_SHOWN) if c.counts[d][t] > 0]
                if present:
                    t = int(rng.choice(present))
                    if far_from(c.score(d, t), term_slips(c, d, t).values(), SCORE_GAP):
                        return self._term_score(seed, params, scenario, c, d, t)
            else:
                d = int(rng.integers(n))
                size = int(rng.integers(2, 4))
                query = tuple(int(t) for t in rng.choice(TERMS_SHOWN, size=size, replace=False))
                matched = sum(1 for t in query if c.counts[d][t] > 0)
                value = c.doc_score(d, query)
                if matched >= 2 and far_from(value, doc_slips(c, d, query).values(), SCORE_GAP):
                    return self._doc_score(seed, params, scenario, c, d, query)
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover

    def _intro(self, s: Scenario, c: Collection) -> str:
        return (
            f"{s.context}. The table gives, for each of the **N = {c.n}** {s.kind}s, how often five index "
            f"terms occur in it and its length dl in words (its other words included); the average length is "
            f"**avgdl = {fmt(c.avgdl)}** words.\n\n"
            "Score with BM25 (Robertson & Zaragoza 2009) in its textbook form, with the idf Lucene and "
            "Elasticsearch use: "
            f"idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)), where df is the number of {s.kind}s containing t; "
            f"term t's score in {s.kind} d = idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)), where tf is "
            f"the count of t in d; {article(s.kind)} {s.kind}'s score for a query is the sum of its query terms' scores (a term "
            f"it lacks adds 0). Here **k1 = {fmt(c.k1)}** and **b = {fmt(c.b)}**."
        )

    def _idf(self, seed: int, params: BM25Params, s: Scenario, c: Collection, t: int) -> Problem:
        word, df, value = c.terms[t], c.df(t), c.idf(t)
        slips = idf_slips(c, t)
        prompt = f"{self._intro(s, c)}\n\nWhat is the idf of the term **“{word}”**? Answer to 3 decimals."
        ratio = (c.n - df + 0.5) / (df + 0.5)
        holders = ", ".join(f"D{k + 1}" for k in range(c.n) if c.counts[k][t] > 0)
        sign = "negative" if slips["rsj"] < 0 else "positive"
        lines = [
            f"“{word}” occurs in {holders}: df = {df} of N = {c.n}.",
            f"(N − df + 0.5)/(df + 0.5) = {fmt(c.n - df + 0.5)}/{fmt(df + 0.5)} = {fmt(ratio)}.",
            f"idf = ln(1 + {fmt(ratio)}) = ln({fmt(1 + ratio)}) = **{fmt(value)}**",
            f"The classic Robertson–Spärck Jones idf ln({fmt(ratio)}) = {fmt(slips['rsj'], 3)} is {sign} here; it "
            "goes negative once a term is in more than half the documents, so matching it would lower a score. "
            "Lucene's + 1 inside the log keeps the idf positive for every df.",
            f"Plain ln(N/df) = ln({c.n}/{df}) = {fmt(slips['ln_n_over_df'], 3)}, and log base 10 of 1 + "
            f"{fmt(ratio)} gives {fmt(slips['log10'], 3)}: BM25's idf is a natural log.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"idf(“{word}”)?", NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data=_data("idf", c, term=word, value=value, mistakes=slips),
            table=_table(s, c),
        )

    def _term_score(
        self, seed: int, params: BM25Params, s: Scenario, c: Collection, d: int, t: int
    ) -> Problem:
        word, value = c.terms[t], c.score(d, t)
        slips = term_slips(c, d, t)
        tf, dl = c.counts[d][t], c.lengths[d]
        prompt = (
            f"{self._intro(s, c)}\n\nWhat is the BM25 score of the query term **“{word}”** in {s.kind} "
            f"**D{d + 1}**? Answer to 2 decimals."
        )
        norm = c.norm(d)
        denominator = tf + c.k1 * norm
        part = tf * (c.k1 + 1) / denominator
        lines = [
            f"idf: df(“{word}”) = {c.df(t)} of N = {c.n}, so idf = ln(1 + {fmt(c.n - c.df(t) + 0.5)}/"
            f"{fmt(c.df(t) + 0.5)}) = {fmt(c.idf(t))}.",
            f"Length factor of D{d + 1}: 1 − b + b·dl/avgdl = 1 − {fmt(c.b)} + {fmt(c.b)}·{dl}/{fmt(c.avgdl)} = "
            f"{fmt(norm)}.",
            f"tf part: tf·(k1 + 1)/(tf + k1·{fmt(norm)}) = {tf}·{fmt(c.k1 + 1)}/({tf} + {fmt(c.k1)}·{fmt(norm)}) = "
            f"{fmt(tf * (c.k1 + 1))}/{fmt(denominator)} = {fmt(part)}.",
            f"Score = {fmt(c.idf(t))} · {fmt(part)} = **{fmt(value)}**",
            f"Skipping the length normalisation (b = 0) gives {fmt(slips['no_length_norm'], 2)}: D{d + 1} is "
            + ("longer" if dl > c.avgdl else "shorter")
            + f" than average, so BM25 {'lowers' if dl > c.avgdl else 'raises'} its tf part. Raw tf·idf "
            f"{tf}·{fmt(c.idf(t))} = {fmt(slips['raw_tfidf'], 2)} has no saturation at all. Leaving out (k1 + 1) "
            f"gives {fmt(slips['no_k1_plus_one'], 2)}; Lucene ≥ 8 does drop that constant, which changes no "
            "ranking, but the formula asked for here keeps it.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"score of “{word}” in D{d + 1}?", NumberAnswer(value, decimals=2)),),
            solution="\n\n".join(lines),
            data=_data("term-score", c, doc=d, term=word, value=value, mistakes=slips),
            table=_table(s, c),
        )

    def _doc_score(
        self, seed: int, params: BM25Params, s: Scenario, c: Collection, d: int, query: tuple[int, ...]
    ) -> Problem:
        value = c.doc_score(d, query)
        slips = doc_slips(c, d, query)
        words = " ".join(c.terms[t] for t in query)
        prompt = (
            f"{self._intro(s, c)}\n\nWhat is the BM25 score of {s.kind} **D{d + 1}** for the query "
            f"**“{words}”**? Answer to 2 decimals."
        )
        norm = c.norm(d)
        lines = [
            f"Length factor of D{d + 1}: 1 − {fmt(c.b)} + {fmt(c.b)}·{c.lengths[d]}/{fmt(c.avgdl)} = {fmt(norm)}."
        ]
        for t in query:
            tf = c.counts[d][t]
            if tf == 0:
                lines.append(f"“{c.terms[t]}”: not in D{d + 1} (tf = 0), adds 0.")
                continue
            part = tf * (c.k1 + 1) / (tf + c.k1 * norm)
            lines.append(
                f"“{c.terms[t]}”: df = {c.df(t)}, idf = {fmt(c.idf(t))}; tf = {tf}, tf part = {tf}·{fmt(c.k1 + 1)}/"
                f"({tf} + {fmt(c.k1)}·{fmt(norm)}) = {fmt(part)}; score {fmt(c.score(d, t))}."
            )
        total = " + ".join(fmt(c.score(d, t)) for t in query)
        lines.append(f"Sum: {total} = **{fmt(value)}**")
        lines.append(
            f"The document's score is the sum of its query terms' scores. Their average, "
            f"{fmt(slips['average'], 2)}, divides it by the {len(query)} query terms: it would rank the documents "
            "the same for this query, but it is not the score. One term's score alone leaves out what the other "
            "query terms add."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"score of D{d + 1}?", NumberAnswer(value, decimals=2)),),
            solution="\n\n".join(lines),
            data=_data(
                "doc-score",
                c,
                doc=d,
                query=[c.terms[t] for t in query],
                value=value,
                mistakes=slips,
            ),
            table=_table(s, c),
        )

    def _top_doc(
        self,
        seed: int,
        params: BM25Params,
        s: Scenario,
        c: Collection,
        query: tuple[int, ...],
        best: int,
        naive: int,
    ) -> Problem:
        scores = [c.doc_score(d, query) for d in range(c.n)]
        tfidf = [c.tfidf(d, query) for d in range(c.n)]
        words = " ".join(c.terms[t] for t in query)
        prompt = (
            f"{self._intro(s, c)}\n\nA user searches for **“{words}”**. Which {s.kind} does BM25 rank first?"
        )
        options = tuple(Option(f"D{k + 1}") for k in range(c.n))
        feedback = {}
        for k in range(c.n):
            if k == best:
                continue
            text = f"D{k + 1} scores {fmt(scores[k], 3)}, below D{best + 1}'s {fmt(scores[best], 3)}"
            if k == naive:
                text += (
                    f" (raw tf·idf puts it first, {fmt(tfidf[k], 3)}: every repetition counts in full and its "
                    f"length of {c.lengths[k]} words is not held against it)"
                )
            feedback[f"D{k + 1}"] = text + "."
        idfs = ", ".join(f"“{c.terms[t]}” (df = {c.df(t)}) {fmt(c.idf(t))}" for t in query)
        lines = [
            f"idf of the query terms: {idfs}.",
            "BM25 score of each "
            + s.kind
            + ": "
            + ", ".join(f"D{k + 1} {fmt(v)}" for k, v in enumerate(scores))
            + ".",
            f"First: **D{best + 1}**",
            _breakdown(c, best, query),
            _breakdown(c, naive, query),
            f"Raw tf·idf (Σ tf·idf, no saturation, no length normalisation) would put D{naive + 1} first with "
            f"{fmt(tfidf[naive], 3)} against D{best + 1}'s {fmt(tfidf[best], 3)}: D{naive + 1} has "
            f"{_occurrences(c, naive, query)} in {c.lengths[naive]} words, longer than the average "
            f"{fmt(c.avgdl)}. In BM25 a term's tf part never exceeds k1 + 1 = {fmt(c.k1 + 1)}, and b = "
            f"{fmt(c.b)} makes a long document need more occurrences to get near it.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    f"first for “{words}”?",
                    ChoiceAnswer(options=options, correct=f"D{best + 1}", feedback=feedback),
                ),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "top-doc",
                c,
                query=[c.terms[t] for t in query],
                scores=scores,
                tfidf=tfidf,
                best=best,
                tfidf_best=naive,
            ),
            table=_table(s, c),
        )


def _occurrences(c: Collection, d: int, query: tuple[int, ...]) -> str:
    """How often each query term occurs in document d, in words ("9 × lentil and 1 × basil")."""
    found = [f"{c.counts[d][t]} × {c.terms[t]}" for t in query if c.counts[d][t] > 0]
    return " and ".join(found) if found else "none of the query terms"


def _breakdown(c: Collection, d: int, query: tuple[int, ...]) -> str:
    """One document's BM25 score term by term, with its length factor."""
    terms = " + ".join(
        f"{fmt(c.idf(t))}·{c.counts[d][t]}·{fmt(c.k1 + 1)}/({c.counts[d][t]} + {fmt(c.k1)}·{fmt(c.norm(d))})"
        for t in query
        if c.counts[d][t] > 0
    )
    return (
        f"D{d + 1} (dl = {c.lengths[d]}, length factor {fmt(c.norm(d))}): {terms or '0'} = "
        f"{fmt(c.doc_score(d, query))}."
    )


def _table(s: Scenario, c: Collection) -> Table:
    return Table(
        headers=(s.kind, *c.terms, "dl"),
        rows=tuple(
            (f"D{k + 1}", *(str(v) for v in row), str(length))
            for k, (row, length) in enumerate(zip(c.counts, c.lengths, strict=True))
        ),
        title=f"term counts and lengths of {c.n} {s.kind}s (avgdl = {fmt(c.avgdl)})",
    )


def _data(ask: str, c: Collection, **asked: object) -> dict[str, object]:
    return {
        "ask": ask,
        "terms": list(c.terms),
        "counts": [list(row) for row in c.counts],
        "lengths": list(c.lengths),
        "avgdl": c.avgdl,
        "k1": c.k1,
        "b": c.b,
        **asked,
    }
