"""The text-mining deck: every numeric answer recomputed from the numbers in its front (edit distance by dynamic
programming, shingle sets, span extraction from BIO tags, naive Bayes and n-gram smoothing), and the slips each
explanation quotes checked to give a different value than the key."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECK = builtin_decks()["text-mining"]


def levenshtein(a: str, b: str) -> int:
    """Wagner–Fischer dynamic programme over prefixes: the distance the card asks for."""
    d = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    d[:, 0] = np.arange(len(a) + 1)
    d[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return int(d[-1, -1])


def levenshtein_flaw_lawn() -> float:
    # The Hamming-style slip the explanation quotes: position-by-position mismatches.
    assert sum(x != y for x, y in zip("flaw", "lawn", strict=True)) == 4
    return float(levenshtein("flaw", "lawn"))


def shingles(text: str, k: int = 3) -> list[str]:
    return [text[i : i + k] for i in range(len(text) - k + 1)]


def jaccard_banana_bandana() -> float:
    a, b = shingles("banana"), shingles("bandana")
    # The list-counting slip: 2 shared over 4 + 5 − 2.
    assert 2 / (len(a) + len(b) - 2) == pytest.approx(2 / 7)
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start, end exclusive, type) from IOB2 tags, as conlleval reads them."""
    found: set[tuple[int, int, str]] = set()
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        continues = tag.startswith("I-") and kind == tag[2:]
        if start is not None and not continues:
            found.add((start, i, kind or ""))
            start, kind = None, None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, kind = i, tag[2:]
    return found


GOLD = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC"]
PRED = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"]


def f1(tp: int, n_pred: int, n_gold: int) -> float:
    p, r = tp / n_pred, tp / n_gold
    return 2 * p * r / (p + r)


def span_f1() -> float:
    gold, pred = spans(GOLD), spans(PRED)
    # The token-level score the explanation quotes: over entity tokens, 4 of 4 predicted right, 4 of 5 found.
    token_tp = sum(g == p != "O" for g, p in zip(GOLD, PRED, strict=True))
    token_f1 = f1(token_tp, sum(p != "O" for p in PRED), sum(g != "O" for g in GOLD))
    assert round(token_f1, 2) == 0.89
    return f1(len(gold & pred), len(pred), len(gold))


def nb_posterior() -> float:
    vocab, prior_spam = 6, 0.4
    totals = {"spam": 10, "ham": 14}
    counts = {"spam": {"free": 3, "offer": 1}, "ham": {"free": 0, "offer": 2}}
    priors = {"spam": prior_spam, "ham": 1 - prior_spam}

    def score(label: str, alpha: float) -> float:
        likelihood = np.prod(
            [(counts[label][w] + alpha) / (totals[label] + alpha * vocab) for w in ("free", "offer")]
        )
        return float(priors[label] * likelihood)

    # Unsmoothed, ham's zero count makes the posterior exactly 1.
    assert score("ham", 0.0) == 0.0
    return score("spam", 1.0) / (score("spam", 1.0) + score("ham", 1.0))


def good_turing_unseen() -> float:
    # 6 types seen once, 3 seen twice, the rest of the 20 tokens in more frequent types.
    counts_of_counts = Counter({1: 6, 2: 3})
    n_tokens = 20
    assert sum(c * n for c, n in counts_of_counts.items()) <= n_tokens
    # The singletons' adjusted count the explanation quotes: (1 + 1) N₂ / N₁ = 1.0.
    assert 2 * counts_of_counts[2] / counts_of_counts[1] == pytest.approx(1.0)
    return counts_of_counts[1] / n_tokens


def interpolated_bigram() -> float:
    lam = 0.8
    bigram, unigram = 3 / 10, 50 / 1000
    # The swapped-weights slip the explanation quotes.
    assert (1 - lam) * bigram + lam * unigram == pytest.approx(0.10)
    return lam * bigram + (1 - lam) * unigram


RECOMPUTE = {
    "levenshtein-numeric": levenshtein_flaw_lawn,
    "jaccard-shingles-numeric": jaccard_banana_bandana,
    "ner-span-f1-numeric": span_f1,
    "nb-laplace-posterior-numeric": nb_posterior,
    "good-turing-unseen-numeric": good_turing_unseen,
    "interpolated-bigram-numeric": interpolated_bigram,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_common_slips_miss_the_keys() -> None:
    """Each numeric card is chosen so its named slip lands outside the tolerance of the key."""
    slips = {
        "levenshtein-numeric": 4.0,
        "jaccard-shingles-numeric": 2 / 7,
        "ner-span-f1-numeric": 8 / 9,
        "nb-laplace-posterior-numeric": 1.0,
        "good-turing-unseen-numeric": 0.0,
        "interpolated-bigram-numeric": 0.10,
    }
    for card_id, slip in slips.items():
        card = DECK.card(card_id)
        assert isinstance(card, NumericCard) and card.tolerance is not None
        assert abs(card.answer - slip) > card.tolerance, card_id


def test_span_reader_splits_adjacent_same_type_entities() -> None:
    """The span reader used above must treat B- as a new entity, or the span F1 it checks would be meaningless."""
    assert spans(["B-PER", "B-PER", "I-PER"]) == {(0, 1, "PER"), (1, 3, "PER")}
