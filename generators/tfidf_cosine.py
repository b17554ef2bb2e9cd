"""`tfidf-cosine`: tf-idf weights and cosine similarity on a handful of short documents.

Three or four short documents from one small vocabulary (already lower-cased, stop words removed) are
weighted the way scikit-learn's ``TfidfVectorizer`` does by default: raw counts as tf, the smoothed
idf(t) = ln((1 + n)/(1 + df(t))) + 1, and every document vector divided by its L2 norm. The question is the
weight of one term in one document (normalised, or before the normalisation), the cosine similarity of two
documents, or which document is most similar to a short query. The prompt states the formula; instances are
drawn so that the unsmoothed idf, an idf without the +1, log base 10, or raw counts give other answers. The
module computes everything by hand; the tests compare it with ``TfidfVectorizer``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
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
    far_from,
    fmt,
)

Ask = Literal["weight", "raw-weight", "cosine", "most-similar"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    kind: str  # what a document is: "recipe", "ticket"
    vocabulary: tuple[str, ...]


SCENARIOS = (
    Scenario(
        "A recipe search engine indexes recipe titles",
        "recipe",
        ("pasta", "garlic", "basil", "tomato", "sauce", "cheese", "oven", "onion", "olive", "lemon"),
    ),
    Scenario(
        "A help desk clusters support tickets by their keywords",
        "ticket",
        ("password", "reset", "login", "error", "account", "email", "locked", "screen", "update", "crash"),
    ),
    Scenario(
        "A news aggregator compares headlines",
        "headline",
        ("election", "vote", "senate", "budget", "tax", "court", "ruling", "minister", "poll", "campaign"),
    ),
    Scenario(
        "A shop groups product reviews by what they talk about",
        "review",
        ("battery", "screen", "camera", "charger", "fast", "slow", "bright", "cheap", "sturdy", "heavy"),
    ),
    Scenario(
        "A job board matches job ads to searches",
        "job ad",
        ("python", "sql", "remote", "senior", "data", "cloud", "team", "analyst", "startup", "salary"),
    ),
    Scenario(
        "A sports site links match reports",
        "report",
        ("goal", "penalty", "striker", "keeper", "match", "league", "injury", "transfer", "coach", "derby"),
    ),
)

FORMULA = (
    "Weights follow scikit-learn's `TfidfVectorizer` defaults: tf = the raw count of the term in the document, "
    "idf(t) = ln((1 + n) / (1 + df(t))) + 1 with n the number of documents and df(t) the number containing t, "
    "weight = tf × idf, and each document's vector is then divided by its L2 norm."
)


class TfidfCosineParams(Params):
    ask: Ask | None = None
    # Number of documents (None: 3 or 4 by seed).
    documents: Literal[3, 4] | None = None


@dataclass(frozen=True, slots=True)
class Corpus:
    docs: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]  # sorted, as scikit-learn orders its vocabulary
    counts: np.ndarray  # documents × terms
    df: np.ndarray
    idf: np.ndarray

    @property
    def n(self) -> int:
        return len(self.docs)

    def raw(self, idf: np.ndarray | None = None) -> np.ndarray:
        return self.counts * (self.idf if idf is None else idf)

    def normalised(self, idf: np.ndarray | None = None) -> np.ndarray:
        raw = self.raw(idf)
        return raw / np.linalg.norm(raw, axis=1, keepdims=True)

    def vector(self, words: tuple[str, ...], idf: np.ndarray | None = None) -> np.ndarray:
        """A new text weighted with the corpus's idf; words outside the vocabulary are dropped."""
        counts = Counter(words)
        raw = np.array([counts[t] for t in self.terms], dtype=float) * (self.idf if idf is None else idf)
        return raw / np.linalg.norm(raw)

    def idf_variant(self, variant: str) -> np.ndarray:
        """The idf a common slip uses instead of the smoothed one."""
        n, df = self.n, self.df
        return {
            "unsmoothed": np.log(n / df) + 1,  # smooth_idf=False
            "no_plus_one": np.log((1 + n) / (1 + df)),
            "log10": np.log10((1 + n) / (1 + df)) + 1,
            "none": np.ones_like(df, dtype=float),  # raw counts
        }[variant]


def build_corpus(docs: tuple[tuple[str, ...], ...]) -> Corpus:
    terms = tuple(sorted({w for doc in docs for w in doc}))
    counts = np.array([[Counter(doc)[t] for t in terms] for doc in docs], dtype=float)
    df = (counts > 0).sum(axis=0).astype(float)
    idf = np.array([math.log((1 + len(docs)) / (1 + d)) + 1 for d in df])
    return Corpus(docs, terms, counts, df, idf)


def _draw_docs(rng: np.random.Generator, scenario: Scenario, n: int) -> tuple[tuple[str, ...], ...]:
    """Each document samples 4-8 words (with repeats) from its own 3-5-word slice of the vocabulary."""
    docs = []
    for _ in range(n):
        core = rng.choice(scenario.vocabulary, size=int(rng.integers(3, 6)), replace=False)
        docs.append(tuple(str(w) for w in rng.choice(core, size=int(rng.integers(4, 9)))))
    return tuple(docs)


def _quote(words: tuple[str, ...]) -> str:
    return " ".join(words)


class TfidfCosine(Generator):
    name = "tfidf-cosine"
    title = "TF-IDF weights and cosine similarity"
    description = (
        "Short documents weighted with scikit-learn's default tf-idf (smoothed idf, L2-normalised rows): one "
        "term's weight, the cosine similarity of two documents, or the document closest to a query."
    )
    Params = TfidfCosineParams
    topics = ("nlp", "information-retrieval", "text-features")

    def make(self, rng: np.random.Generator, seed: int, params: TfidfCosineParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        n = params.documents or int(rng.integers(3, 5))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        want_trap = bool(rng.random() < 0.5)
        for _ in range(3000):
            corpus = build_corpus(_draw_docs(rng, scenario, n))
            if ask in ("weight", "raw-weight"):
                doc = int(rng.integers(n))
                term = corpus.terms.index(str(rng.choice(corpus.docs[doc])))
                if _weight_ok(corpus, doc, term, ask == "weight"):
                    return self._weight(seed, params, scenario, corpus, doc, term, ask == "weight")
            elif ask == "cosine":
                i, j = (int(x) for x in np.sort(rng.choice(n, size=2, replace=False)))
                if _cosine_ok(corpus, i, j):
                    return self._cosine(seed, params, scenario, corpus, i, j)
            else:
                query = _pick_query(rng, corpus, want_trap)
                if query is not None:
                    return self._most_similar(seed, params, scenario, corpus, query)
        raise RuntimeError("no corpus met the conditions")  # pragma: no cover - a few draws always suffice

    def _intro(self, scenario: Scenario, corpus: Corpus) -> str:
        return (
            f"{scenario.context}. The {corpus.n} {scenario.kind}s below are already lower-cased with stop words "
            f"removed (n = {corpus.n}).\n\n{FORMULA}"
        )

    def _weight(
        self,
        seed: int,
        params: TfidfCosineParams,
        scenario: Scenario,
        corpus: Corpus,
        doc: int,
        term: int,
        normalised: bool,
    ) -> Problem:
        word = corpus.terms[term]
        raw = corpus.raw()
        value = float(corpus.normalised()[doc, term] if normalised else raw[doc, term])
        which = (
            "after the L2 normalisation" if normalised else "**before** the L2 normalisation (tf × idf only)"
        )
        prompt = (
            f"{self._intro(scenario, corpus)}\n\n"
            f"What is the tf-idf weight of **“{word}”** in {scenario.kind} **D{doc + 1}**, {which}? "
            "Answer to 3 decimals."
        )
        tf, df = int(corpus.counts[doc, term]), int(corpus.df[term])
        lines = [
            f"“{word}” appears {tf} time{'s' if tf != 1 else ''} in D{doc + 1} (tf = {tf}) and in {df} of the "
            f"{corpus.n} {scenario.kind}s (df = {df}).",
            f"idf = ln((1 + {corpus.n}) / (1 + {df})) + 1 = ln({fmt((1 + corpus.n) / (1 + df), 4)}) + 1 = "
            f"{fmt(float(corpus.idf[term]), 4)}.",
        ]
        if normalised:
            present = [t for t in range(len(corpus.terms)) if corpus.counts[doc, t] > 0]
            parts = ", ".join(f"{corpus.terms[t]} {fmt(float(raw[doc, t]), 4)}" for t in present)
            norm = float(np.linalg.norm(raw[doc]))
            lines.append(
                f"tf × idf = {tf} × {fmt(float(corpus.idf[term]), 4)} = {fmt(float(raw[doc, term]), 4)}."
            )
            lines.append(
                f"All of D{doc + 1}'s tf × idf values: {parts}; L2 norm = √(Σ squares) = {fmt(norm, 4)}."
            )
            lines.append(f"Weight = {fmt(float(raw[doc, term]), 4)} / {fmt(norm, 4)} = **{fmt(value)}**")
        else:
            lines.append(f"Weight = tf × idf = {tf} × {fmt(float(corpus.idf[term]), 4)} = **{fmt(value)}**")
        slips = _weight_slips(corpus, doc, term, normalised)
        lines.append(
            f"Slips: the unsmoothed idf ln(n/df) + 1 gives {fmt(slips['unsmoothed'], 3)}; dropping the final + 1 (idf "
            f"= ln((1 + n)/(1 + df))) gives {fmt(slips['no_plus_one'], 3)}; log base 10 gives "
            f"{fmt(slips['log10'], 3)}. The final + 1 keeps a term "
            "that is in every document from being zeroed out."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt=f"weight of “{word}” in D{doc + 1}?", answer=NumberAnswer(value, decimals=3)),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "weight" if normalised else "raw-weight", corpus, doc=doc, term=word, value=value, slips=slips
            ),
            table=_table(scenario, corpus),
        )

    def _cosine(
        self, seed: int, params: TfidfCosineParams, scenario: Scenario, corpus: Corpus, i: int, j: int
    ) -> Problem:
        x = corpus.normalised()
        value = float(x[i] @ x[j])
        prompt = (
            f"{self._intro(scenario, corpus)}\n\n"
            f"What is the cosine similarity between the tf-idf vectors of **D{i + 1}** and **D{j + 1}**? "
            "Answer to 3 decimals."
        )
        raw = corpus.raw()
        shared = [t for t in range(len(corpus.terms)) if corpus.counts[i, t] > 0 and corpus.counts[j, t] > 0]
        products = " + ".join(
            f"{fmt(float(raw[i, t]), 4)}×{fmt(float(raw[j, t]), 4)} ({corpus.terms[t]})" for t in shared
        )
        dot = float(raw[i] @ raw[j])
        ni, nj = float(np.linalg.norm(raw[i])), float(np.linalg.norm(raw[j]))
        idfs = ", ".join(f"{t} {fmt(float(v), 4)}" for t, v in zip(corpus.terms, corpus.idf, strict=True))
        counts_cos = _cosine_of(corpus.counts, i, j)
        lines = [
            f"idf per term: {idfs}.",
            f"Only the shared terms add to the dot product of the tf × idf vectors: {products} = {fmt(dot, 4)}.",
            f"Norms: ‖D{i + 1}‖ = {fmt(ni, 4)}, ‖D{j + 1}‖ = {fmt(nj, 4)}.",
            f"cos = {fmt(dot, 4)} / ({fmt(ni, 4)} × {fmt(nj, 4)}) = **{fmt(value)}** (the same as the dot product of "
            "the L2-normalised rows, which is all `linear_kernel` does on TfidfVectorizer output).",
            f"On raw counts the cosine would be {fmt(counts_cos, 3)}: idf changes it by down-weighting the terms "
            "that many documents share.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"cos(D{i + 1}, D{j + 1})?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data=_data("cosine", corpus, pair=[i, j], value=value, counts_cosine=counts_cos),
            table=_table(scenario, corpus),
        )

    def _most_similar(
        self, seed: int, params: TfidfCosineParams, scenario: Scenario, corpus: Corpus, query: tuple[str, ...]
    ) -> Problem:
        sims = corpus.normalised() @ corpus.vector(query)
        count_sims = _count_sims(corpus, query)
        best = int(np.argmax(sims))
        count_best = int(np.argmax(count_sims))
        options = tuple(Option(f"D{k + 1}", f"D{k + 1}") for k in range(corpus.n))
        feedback = {}
        for k in range(corpus.n):
            if k == best:
                continue
            text = f"D{k + 1}'s cosine with the query is {fmt(float(sims[k]), 3)}, below D{best + 1}'s {fmt(float(sims[best]), 3)}"
            if k == count_best:
                text += (
                    " (it would come first on raw counts, where shared common words are not down-weighted)"
                )
            feedback[f"D{k + 1}"] = text + "."
        prompt = (
            f"{self._intro(scenario, corpus)}\n\n"
            f"A user searches for **“{_quote(query)}”**. The query is weighted the same way (its own counts, the "
            f"{scenario.kind}s' idf, L2-normalised). Which {scenario.kind} has the highest cosine similarity with the "
            "query?"
        )
        idfs = ", ".join(f"{t} {fmt(float(corpus.idf[corpus.terms.index(t)]), 4)}" for t in query)
        lines = [
            f"idf of the query words: {idfs}; the query vector is their idf values, L2-normalised.",
            "Cosine with each document (dot product of the normalised vectors): "
            + ", ".join(f"D{k + 1} {fmt(float(s), 4)}" for k, s in enumerate(sims))
            + ".",
            f"Highest: **D{best + 1}**.",
        ]
        if count_best != best:
            lines.append(
                f"On raw counts D{count_best + 1} would come first ({fmt(float(count_sims[count_best]), 3)}): it "
                "matches words that many documents share, which idf discounts, or it repeats them."
            )
        else:
            lines.append(
                "Here raw counts pick the same document, but with a different margin: idf rewards "
                "matching a rare word over matching a common one."
            )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="most similar?",
                    answer=ChoiceAnswer(options=options, correct=f"D{best + 1}", feedback=feedback),
                ),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "most-similar",
                corpus,
                query=list(query),
                similarities=sims.tolist(),
                count_similarities=count_sims.tolist(),
                best=best,
                count_best=count_best,
            ),
            table=_table(scenario, corpus),
        )


def _weight_slips(corpus: Corpus, doc: int, term: int, normalised: bool) -> dict[str, float]:
    slips = {}
    for variant in ("unsmoothed", "no_plus_one", "log10"):
        idf = corpus.idf_variant(variant)
        weights = corpus.normalised(idf) if normalised else corpus.raw(idf)
        slips[variant] = float(weights[doc, term])
    slips["other_stage"] = float(corpus.raw()[doc, term] if normalised else corpus.normalised()[doc, term])
    return slips


def _weight_ok(corpus: Corpus, doc: int, term: int, normalised: bool) -> bool:
    value = float(corpus.normalised()[doc, term] if normalised else corpus.raw()[doc, term])
    if np.any(np.linalg.norm(corpus.raw(corpus.idf_variant("no_plus_one")), axis=1) == 0):
        return False  # a slip would divide by zero: skip such corpora rather than show nan
    return far_from(value, _weight_slips(corpus, doc, term, normalised).values(), 0.005)


def _cosine_of(matrix: np.ndarray, i: int, j: int) -> float:
    return float(matrix[i] @ matrix[j] / (np.linalg.norm(matrix[i]) * np.linalg.norm(matrix[j])))


def _cosine_ok(corpus: Corpus, i: int, j: int) -> bool:
    x = corpus.normalised()
    value = float(x[i] @ x[j])
    return 0.05 <= value <= 0.95 and abs(value - _cosine_of(corpus.counts, i, j)) >= 0.01


def _count_sims(corpus: Corpus, query: tuple[str, ...]) -> np.ndarray:
    ones = corpus.idf_variant("none")
    return corpus.normalised(ones) @ corpus.vector(query, ones)


def _pick_query(rng: np.random.Generator, corpus: Corpus, want_trap: bool) -> tuple[str, ...] | None:
    """A 2- or 3-word query with clear winners on tf-idf and on raw counts, which disagree iff ``want_trap``.

    Every candidate query over the corpus's terms is scored at once, so one corpus draw usually suffices.
    """
    candidates = [c for size in (2, 3) for c in combinations(range(len(corpus.terms)), size)]
    present = np.zeros((len(candidates), len(corpus.terms)))
    for row, terms in enumerate(candidates):
        present[row, list(terms)] = 1.0
    tfidf_queries = present * corpus.idf
    tfidf = (tfidf_queries / np.linalg.norm(tfidf_queries, axis=1, keepdims=True)) @ corpus.normalised().T
    ones = corpus.idf_variant("none")
    raw = (present / np.linalg.norm(present, axis=1, keepdims=True)) @ corpus.normalised(ones).T
    top_tfidf, top_raw = np.sort(tfidf, axis=1), np.sort(raw, axis=1)
    clear = (top_tfidf[:, -1] - top_tfidf[:, -2] >= 0.03) & (top_raw[:, -1] - top_raw[:, -2] >= 0.03)
    trap = np.argmax(tfidf, axis=1) != np.argmax(raw, axis=1)
    valid = np.flatnonzero(clear & (trap == want_trap))
    if len(valid) == 0:
        return None
    chosen = candidates[int(rng.choice(valid))]
    return tuple(corpus.terms[int(i)] for i in rng.permutation(chosen))


def _table(scenario: Scenario, corpus: Corpus) -> Table:
    return Table(
        headers=(scenario.kind, "words"),
        rows=tuple((f"D{k + 1}", _quote(doc)) for k, doc in enumerate(corpus.docs)),
        title=f"{corpus.n} {scenario.kind}s",
    )


def _data(ask: str, corpus: Corpus, **asked: object) -> dict[str, object]:
    return {
        "ask": ask,
        "documents": [" ".join(doc) for doc in corpus.docs],
        "terms": list(corpus.terms),
        "idf": corpus.idf.tolist(),
        **asked,
    }
