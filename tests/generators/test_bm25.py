"""bm25: every answer rescored from the table a learner sees, by an Okapi BM25 written from Robertson &
Zaragoza (2009) over token lists (``collections.Counter``), not by the family's code; slips graded wrong;
the top-doc trap (raw tf·idf picks another document) in every instance; no shortcut; params; light import.

``rank_bm25`` is not installed in the venv, so the reference is written here, shaped like that library's
``BM25Okapi`` (document frequencies from token sets, scores per query token over every document)."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from generators import ChoiceAnswer, Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("bm25")
ASKS = ("idf", "term-score", "doc-score", "top-doc")
SEEDS = range(150)
FILLER = "·"  # stands for a document's words outside the five index terms

pytestmark = pytest.mark.xdist_group("bm25")  # the answer contract's instances are reused from this worker


class OkapiReference:
    """BM25 over tokenised documents: idf = ln((N − n(q) + 0.5)/(n(q) + 0.5) + 1) (Lucene's), and for each
    document tf·(k1 + 1) / (tf + k1·(1 − b + b·|D|/avgdl)) (Robertson & Zaragoza 2009's saturation and length
    normalisation, with the (k1 + 1) numerator of Manning, Raghavan & Schütze, IIR §11.4.3). Written
    independently of ``generators.bm25``."""

    def __init__(self, corpus: list[list[str]], k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self.n = len(corpus)
        self.doc_len = [len(doc) for doc in corpus]
        self.avgdl = sum(self.doc_len) / self.n
        self.freqs = [Counter(doc) for doc in corpus]
        holders: Counter[str] = Counter()
        for doc in corpus:
            holders.update(set(doc))
        self.nq = holders

    def idf(self, word: str) -> float:
        # ln(1 + (N − n + 0.5)/(n + 0.5)) rewritten as one fraction: ln((N + 1)/(n + 0.5)).
        return math.log((self.n + 1) / (self.nq[word] + 0.5))

    def term_scores(self, word: str, b: float | None = None) -> list[float]:
        b = self.b if b is None else b
        out = []
        for freqs, length in zip(self.freqs, self.doc_len, strict=True):
            f = freqs[word]
            out.append(self.idf(word) * f * (self.k1 + 1) / (f + self.k1 * (1 - b + b * length / self.avgdl)))
        return out

    def get_scores(self, query: list[str]) -> list[float]:
        totals = [0.0] * self.n
        for word in query:
            totals = [a + s for a, s in zip(totals, self.term_scores(word), strict=True)]
        return totals

    def tfidf_scores(self, query: list[str]) -> list[float]:
        return [sum(freqs[word] * self.idf(word) for word in query) for freqs in self.freqs]


def printed(problem: Problem) -> OkapiReference:
    """The reference built from what the learner reads: the table's counts and lengths, and the k1, b and
    avgdl the prompt states."""
    table = problem.table
    assert table is not None
    terms = table.headers[1:-1]
    corpus = []
    for row in table.rows:
        counts, length = [int(v) for v in row[1:-1]], int(row[-1])
        tokens = [term for term, count in zip(terms, counts, strict=True) for _ in range(count)]
        assert len(tokens) < length
        corpus.append(tokens + [FILLER] * (length - len(tokens)))
    k1 = float(re.search(r"k1 = ([\d.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
    b = float(re.search(r"\*\*b = ([\d.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
    avgdl = float(re.search(r"avgdl = ([\d.]+)\*\*", problem.prompt).group(1))  # type: ignore[union-attr]
    reference = OkapiReference(corpus, k1, b)
    assert reference.avgdl == avgdl == problem.data["avgdl"]
    assert (k1, b) == (problem.data["k1"], problem.data["b"])
    assert k1 in (0.9, 1.2, 1.5, 2.0) and b in (0.5, 0.75, 1.0)
    assert 4 <= reference.n <= 8
    return reference


def doc_index(problem: Problem) -> int:
    d = problem.data["doc"]
    assert f"**D{d + 1}**" in problem.prompt
    return d


def test_idf_matches_reference_and_slips_are_far() -> None:
    negative = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "idf"})
        ref = printed(problem)
        word = problem.data["term"]
        assert f"**“{word}”**" in problem.prompt
        assert problem.expected == pytest.approx(ref.idf(word), abs=1e-12)
        n, df = ref.n, ref.nq[word]
        slips = [math.log((n - df + 0.5) / (df + 0.5)), math.log(n / df), math.log10((n + 1) / (df + 0.5))]
        assert min(abs(problem.expected - s) for s in slips) >= 0.01, seed
        negative += slips[0] < 0
        right = [repr(problem.expected), f"{problem.expected:.3f}"]
        assert_grades(problem, right, [f"{s:.3f}" for s in slips], seed)
    # The classic idf goes negative in a good share of instances: the trap is shown, not hypothetical.
    assert negative >= 20


def test_term_score_matches_reference_and_slips_are_far() -> None:
    longer = shorter = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "term-score"})
        ref = printed(problem)
        word, d = problem.data["term"], doc_index(problem)
        value = ref.term_scores(word)[d]
        assert ref.freqs[d][word] > 0
        assert problem.expected == pytest.approx(value, abs=1e-12)
        slips = [
            ref.term_scores(word, b=0.0)[d],  # no length normalisation
            ref.freqs[d][word] * ref.idf(word),  # raw tf·idf
            value / (ref.k1 + 1),  # (k1 + 1) left out
        ]
        assert min(abs(value - s) for s in slips) >= 0.05, seed
        assert_grades(problem, [repr(value), f"{value:.2f}"], [f"{s:.2f}" for s in slips], seed)
        longer += ref.doc_len[d] > ref.avgdl
        shorter += ref.doc_len[d] < ref.avgdl
    assert longer >= 30 and shorter >= 30


def test_doc_score_matches_reference_and_slips_are_far() -> None:
    with_absent = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "doc-score"})
        ref = printed(problem)
        query, d = problem.data["query"], doc_index(problem)
        assert f"**“{' '.join(query)}”**" in problem.prompt
        assert 2 <= len(query) <= 3 and len(set(query)) == len(query)
        value = ref.get_scores(query)[d]
        assert problem.expected == pytest.approx(value, abs=1e-12)
        singles = [ref.term_scores(word)[d] for word in query]
        slips = [*singles, value / len(query)]
        assert sum(s > 0 for s in singles) >= 2  # one term alone is a real slip, not the answer
        assert min(abs(value - s) for s in slips) >= 0.05, seed
        assert_grades(problem, [repr(value), f"{value:.2f}"], [f"{s:.2f}" for s in slips], seed)
        with_absent += min(singles) == 0
    assert with_absent >= 20  # queries with a term the document lacks (it adds 0) are common


def test_top_doc_matches_reference_and_raw_tfidf_picks_another() -> None:
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "top-doc"})
        ref = printed(problem)
        query = problem.data["query"]
        assert f"**“{' '.join(query)}”**" in problem.prompt
        scores, tfidf = ref.get_scores(query), ref.tfidf_scores(query)
        best = max(range(ref.n), key=scores.__getitem__)
        naive = max(range(ref.n), key=tfidf.__getitem__)
        assert problem.expected == f"D{best + 1}"
        assert naive != best, seed  # the answer needs saturation and length normalisation
        assert ref.doc_len[naive] > ref.avgdl  # the trap is a long document
        assert sorted(scores)[-1] - sorted(scores)[-2] >= 0.1  # a clear winner, both ways
        assert sorted(tfidf)[-1] - sorted(tfidf)[-2] >= 0.1
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        assert [o.name for o in answer.options] == [f"D{k + 1}" for k in range(ref.n)]
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
        assert "raw tf·idf puts it first" in answer.feedback[f"D{naive + 1}"]
        wrong = [f"D{k + 1}" for k in range(ref.n) if k != best]
        assert_grades(problem, [answer.correct, str(best + 1)], wrong, seed)


def test_top_doc_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "top-doc"}, range(300))


def test_formulas_stated_and_solution_shows_the_answer() -> None:
    for seed in range(80):
        problem = generated(GEN, seed)
        assert "idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))" in problem.prompt
        assert "idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))" in problem.prompt
        value = problem.expected
        shown = f"**{value}**" if isinstance(value, str) else f"**{value:.4f}".rstrip("0").rstrip(".")
        assert shown in problem.solution, seed


def test_documents_param_and_whole_avgdl() -> None:
    for n in (4, 8):
        for seed in range(15):
            problem = GEN.generate(seed, {"documents": n})
            assert len(problem.data["lengths"]) == n
            assert problem.data["avgdl"] == int(problem.data["avgdl"])


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "tfidf"}, {"documents": 3}, {"documents": 9}, {"k1": 1.2}])
    assert GEN.Params.model_validate({"ask": "top_doc"}).ask == "top-doc"


def test_import_is_light() -> None:
    assert_import_is_light("generators.bm25")
