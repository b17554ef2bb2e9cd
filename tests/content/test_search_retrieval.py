"""The search-retrieval deck: every numeric answer recomputed from the numbers in its front (BM25 pieces, RSJ idf,
Dirichlet smoothing, ColBERT storage, RRF, AP and recall@k), and the claims its choice keys rest on checked: the
fused order of the RRF card, the sign of the RSJ idf above df = N/2, and the ranking change of cosine against a
dot-product index."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["search"]

RRF_K = 60


def lucene_idf(n_docs: int, df: int) -> float:
    """Lucene's BM25 idf: the RSJ ratio with 1 added inside the log, so it never goes negative."""
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def rsj_idf(n_docs: int, df: int) -> float:
    """The original Robertson–Spärck Jones idf without relevance information."""
    return math.log((n_docs - df + 0.5) / (df + 0.5))


def bm25_tf_part(tf: float, doc_len: float, avgdl: float, k1: float = 1.2, b: float = 0.75) -> float:
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl))


def rrf(ranks: list[int | None]) -> float:
    """Reciprocal rank fusion of one document's 1-based ranks; None where a list does not return it."""
    return sum(1 / (RRF_K + rank) for rank in ranks if rank is not None)


def bm25_term_score() -> float:
    idf = lucene_idf(1000, 10)
    # The slip the explanation quotes: no length normalisation (b = 0) gives 7.16.
    assert round(idf * bm25_tf_part(3, 150, 100, b=0.0), 2) == 7.16
    return idf * bm25_tf_part(3, 150, 100)


def saturation_ratio() -> float:
    ratio = bm25_tf_part(10, 1, 1, b=0.0) / bm25_tf_part(1, 1, 1, b=0.0)
    assert round(1 + math.log(10), 2) == 3.30  # the sublinear-tf figure of the explanation
    assert bm25_tf_part(1e9, 1, 1, b=0.0) == pytest.approx(2.2)  # the k1 + 1 ceiling
    return ratio


def rsj_value() -> float:
    assert round(lucene_idf(1000, 600), 3) == 0.511  # the Lucene value the explanation contrasts
    return rsj_idf(1000, 600)


def dirichlet_probability() -> float:
    count, doc_len, mu, p_collection = 2, 100, 2000, 0.001
    assert count / doc_len == pytest.approx(0.02)  # maximum likelihood, ten times larger
    return (count + mu * p_collection) / (doc_len + mu)


def colbert_gb() -> float:
    passages, tokens, dims, bytes_per_value = 10_000_000, 100, 128, 2
    single_vector = passages * 768 * 4 / 1e9
    assert single_vector == pytest.approx(30.72)
    return passages * tokens * dims * bytes_per_value / 1e9


def rrf_score() -> float:
    assert rrf([1, None]) == pytest.approx(1 / 61)
    return rrf([3, 4])


def average_precision() -> float:
    """AP over all 4 relevant documents, the never-retrieved one adding precision 0 to the sum."""
    ranked = np.array([1 if rank in {1, 3, 6} else 0 for rank in range(1, 11)])
    precision_at_hits = np.cumsum(ranked)[ranked == 1] / (np.flatnonzero(ranked) + 1)
    # scikit-learn sees only the retrieved list, so it divides by the 3 retrieved relevant: the slip quoted, 0.722.
    scores = np.arange(10, 0, -1)
    assert average_precision_score(ranked, scores) == pytest.approx(precision_at_hits.sum() / 3)
    assert round(float(precision_at_hits.sum() / 3), 3) == 0.722
    return float(precision_at_hits.sum() / 4)


def recall_at_20() -> float:
    found, relevant = np.array([6, 4]), np.array([8, 4])
    assert found.sum() / relevant.sum() == pytest.approx(0.833, abs=0.001)  # the micro-average quoted
    assert found.sum() / 40 == pytest.approx(0.25)  # precision@20 over both queries
    return float(np.mean(found / relevant))


RECOMPUTE = {
    "bm25-term-score": bm25_term_score,
    "bm25-saturation-ratio": saturation_ratio,
    "rsj-idf-value": rsj_value,
    "dirichlet-term-probability": dirichlet_probability,
    "colbert-index-size": colbert_gb,
    "rrf-fused-score": rrf_score,
    "average-precision-numeric": average_precision,
    "recall-at-k-numeric": recall_at_20,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_rrf_order_card() -> None:
    """The fused scores of P, Q, R and S from the card's ranks: Q first, S second, R last, as the explanation says."""
    fused = {"P": rrf([1, 30]), "Q": rrf([5, 5]), "R": rrf([None, 2]), "S": rrf([8, 3])}
    assert sorted(fused, key=fused.get, reverse=True) == ["Q", "S", "P", "R"]
    card = DECK.card("rrf-order")
    assert isinstance(card, ChoiceCard) and card.answer == "Q (5th and 5th)"
    assert card.explanation is not None
    for value in fused.values():
        assert f"{value:.5f}" in card.explanation


def test_rsj_idf_turns_negative_above_half() -> None:
    """The pitfall card: the original idf is negative exactly when df > N/2 (within the 0.5 smoothing), and Lucene's
    variant stays positive for every df up to N."""
    n_docs = 1000
    assert rsj_idf(n_docs, 700) < 0 < rsj_idf(n_docs, 499)
    assert rsj_idf(n_docs, 500) == pytest.approx(0.0)
    assert all(lucene_idf(n_docs, df) > 0 for df in range(1, n_docs + 1))
    card = DECK.card("rsj-idf-negative")
    assert isinstance(card, ChoiceCard) and isinstance(card.answer, str)
    assert "lose score" in card.answer


def test_cosine_can_reorder_a_dot_product_ranking() -> None:
    """The dot-vs-cosine card: with unnormalised document vectors the two orders differ, and they agree once the
    documents are normalised (the query's norm never changes the order)."""
    query = np.array([1.0, 0.2])
    docs = np.array([[3.0, 0.0], [0.9, 0.3]])  # a long vector at a wider angle, a short one closely aligned
    dot = docs @ query
    cosine = dot / np.linalg.norm(docs, axis=1) / np.linalg.norm(query)
    assert np.argmax(dot) != np.argmax(cosine)
    unit = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    assert np.array_equal(np.argsort(unit @ query), np.argsort(unit @ (5 * query)))
    assert np.array_equal(np.argsort(unit @ query), np.argsort(cosine))


def test_dirichlet_leans_on_the_collection_for_short_documents() -> None:
    """The length-effect card: the collection's share μ/(|d| + μ) falls as documents grow."""
    mu = 2000
    shares = [mu / (length + mu) for length in (50, 500, 5000)]
    assert shares == sorted(shares, reverse=True)
    card = DECK.card("dirichlet-length-effect")
    assert isinstance(card, ChoiceCard) and isinstance(card.answer, str)
    assert card.answer.startswith("More for short documents")


def test_every_numeric_card_states_its_tolerance() -> None:
    """Each numeric key is given at the precision its front states: the tolerance is 10^-N for N decimals."""
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            assert card.tolerance is not None
            if "whole number" in card.front:
                assert card.tolerance == 0
            else:
                decimals = int(card.front.split(" decimals")[0].split("(")[-1])
                assert card.tolerance == pytest.approx(10.0**-decimals)
