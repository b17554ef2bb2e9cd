"""The NLP deck: every numeric answer recomputed from its front, the BPE card re-trained, and the deck's mix."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from quizzer.decks.model import ChoiceCard, Deck, NumericCard
from tests.builtin_decks import builtin_decks

DECK_ID = "nlp-text"


def load_deck() -> Deck:
    decks = builtin_decks()
    return decks[DECK_ID]


DECK = load_deck()


def ngram_occurrences() -> float:
    """Ten distinct tokens through the real CountVectorizer with ngram_range=(1, 3)."""
    document = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    counts = CountVectorizer(ngram_range=(1, 3)).fit_transform([document])
    return float(counts.sum())


def rare_negative_share() -> float:
    weights = [0.9**0.75, 0.1**0.75]
    return weights[1] / sum(weights)


def chunk_count(length: int = 2000, window: int = 512, overlap: int = 128) -> float:
    """Slide the window until it reaches the end, exactly as the card describes."""
    starts = [0]
    while starts[-1] + window < length:
        starts.append(starts[-1] + window - overlap)
    return float(len(starts))


RECOMPUTE: dict[str, Callable[[], float]] = {
    "ngram-occurrences": ngram_occurrences,
    "negative-sampling-share": rare_negative_share,
    "word2vec-parameters": lambda: 2 * 100_000 * 300,
    "add-one-bigram": lambda: (8 + 1) / (20 + 1000),
    "per-word-perplexity": lambda: math.exp(1.3 * math.log(20)),
    "chunk-count": chunk_count,
}


def numeric_cards() -> dict[str, NumericCard]:
    return {card.id: card for card in DECK.cards if isinstance(card, NumericCard)}


def choice_card(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_every_numeric_card_is_recomputed() -> None:
    assert set(numeric_cards()) == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(card_id: str) -> None:
    card = numeric_cards()[card_id]
    absolute, relative = card.effective_tolerance
    expected = RECOMPUTE[card_id]()
    assert abs(card.answer - expected) <= max(absolute, relative * abs(expected)) + 1e-12, (card_id, expected)


def test_perplexity_slip_is_graded_wrong() -> None:
    """20 × 1.3 = 26 (the product instead of the power) must not be accepted."""
    card = numeric_cards()["per-word-perplexity"]
    assert abs(card.answer - 20 * 1.3) > card.effective_tolerance[0]


def test_bpe_first_merge_is_the_most_frequent_pair() -> None:
    words = {"cats": 4, "hat": 3, "that": 2, "dog": 8, "fun": 1, "run": 1, "sun": 1, "bun": 1, "unit": 1}
    pair_counts: Counter[str] = Counter()
    pair_types: Counter[str] = Counter()
    for word, count in words.items():
        pairs = [f"{a} + {b}" for a, b in zip(word, word[1:], strict=False)]
        for pair in pairs:
            pair_counts[pair] += count
        pair_types.update(set(pairs))
    (winner, top), (_, runner_up) = pair_counts.most_common(2)
    assert top > runner_up  # no tie, so exactly one option is right
    card = choice_card("bpe-first-merge")
    assert card.answer == winner
    assert pair_types.most_common(1)[0][0] == "u + n"  # the by-word-type distractor really is that
    assert set(card.options) - {winner} <= set(pair_counts)


def test_sklearn_idf_option_matches_the_library() -> None:
    docs = ["apple banana", "apple cherry", "apple banana cherry", "durian"]
    counts = CountVectorizer().fit_transform(docs)
    idf = TfidfTransformer(smooth_idf=True).fit(counts).idf_
    n, df_banana = 4, 2
    assert idf[1] == pytest.approx(math.log((1 + n) / (1 + df_banana)) + 1)
    assert choice_card("sklearn-idf-formula").answer == "ln((1 + n) / (1 + df)) + 1"


def test_stop_words_remove_negation_before_bigrams() -> None:
    vocabulary = (
        CountVectorizer(stop_words="english", ngram_range=(1, 2)).fit(["not good at all"]).vocabulary_
    )
    assert set(vocabulary) == {"good"}


def sentence_bleu(candidate: list[str], reference: list[str]) -> float:
    """BLEU-4 against one reference: clipped n-gram precisions, geometric mean, brevity penalty."""
    log_precisions = []
    for n in range(1, 5):
        cand = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        clipped = sum(min(count, ref[gram]) for gram, count in cand.items())
        log_precisions.append(math.log(clipped / sum(cand.values())))
    brevity = min(1.0, math.exp(1 - len(reference) / len(candidate)))
    return brevity * math.exp(sum(log_precisions) / 4)


def test_bleu_barely_notices_a_dropped_negation() -> None:
    """The blind-spot card says a 20-word sentence missing its 'not' still scores about 0.86."""
    reference = [f"w{i}" for i in range(20)]
    reference[10] = "not"
    candidate = [word for word in reference if word != "not"]
    assert sentence_bleu(reference, reference) == pytest.approx(1.0)
    assert sentence_bleu(candidate, reference) == pytest.approx(0.86, abs=0.005)
    assert "about 0.86" in (choice_card("overlap-metric-blind-spots").explanation or "")
