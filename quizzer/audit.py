"""A cue audit for deck authors: can a card be answered without the knowledge it tests?

A learner who plays patterns picks the longest option, the option that repeats a word of the question, and
recognises a card they have already seen in another deck. For the decks given, this module measures:

- the share of single-answer choice cards whose key is the strictly longest option, and the score of
  "always pick the longest" and of "always pick the shortest" (ties share the point);
- options whose length differs from the key's by more than ``LENGTH_RATIO``× (a key much longer or much
  shorter than the distractors stands out);
- keys that share a distinctive word with the front that no distractor shares;
- the score of "always pick the option most alike the others": distractors made by changing one part of the
  key each share more words with the key than with each other, so the key sits in the middle of them (test
  coaches call it the convergence strategy). Alikeness is the summed Jaccard overlap of distinctive words;
- near-duplicate cards across the decks: cosine of character n-gram TF-IDF over front + answer side. Pairs
  at or above ``DUPLICATE_THRESHOLD`` fail the audit; pairs above ``REVIEW_THRESHOLD`` are listed to check by
  hand. Calibrated on ten duplicate pairs found by reading the decks (same fact, different words): they
  scored 0.13–0.50, while cards on one topic from different angles (an open card and a choice card on
  ACF/PACF, say) reach 0.45, so words alone cannot separate the two; the audit fails only the blatant
  cases and lists the rest for a person to judge (see ``tests/unit/test_audit.py``).

Plain Python plus scikit-learn for the TF-IDF; nothing here touches the UI or the store.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from quizzer.decks.model import AnyCard, ChoiceCard, Deck, GeneratedCard, NumericCard, OpenCard

OVERALL_LONGEST_LIMIT = 0.30  # "always pick the longest" over all single-answer choice cards
DECK_LONGEST_LIMIT = 0.40  # ... and in every deck
LENGTH_RATIO = 2.0
DUPLICATE_THRESHOLD = 0.5
REVIEW_THRESHOLD = 0.4
MIN_CARDS_FOR_DECK_LIMIT = 5  # a deck with fewer single-answer choice cards is judged overall only

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
# Common words that carry no cue (a short English stop list plus words every ML card uses).
_PLAIN = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "more",
        "most",
        "not",
        "of",
        "on",
        "one",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "those",
        "to",
        "under",
        "up",
        "use",
        "used",
        "uses",
        "using",
        "was",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "model",
        "models",
        "data",
        "use",
        "than",
        "each",
        "only",
        "also",
        "very",
        "same",
        "other",
        "both",
        "should",
        "could",
        "may",
        "might",
    ]
)


@dataclass(frozen=True, slots=True)
class CueFinding:
    deck_id: str
    card_id: str
    kind: str  # "longest-key", "length-outlier", "shared-word", "most-alike-key"
    detail: str


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    first: tuple[str, str]
    second: tuple[str, str]
    similarity: float

    @property
    def blocking(self) -> bool:
        return self.similarity >= DUPLICATE_THRESHOLD


@dataclass(slots=True)
class DeckAudit:
    deck_id: str
    single_choice: int = 0
    key_longest: int = 0
    longest_score: float = 0.0  # expected score of "always pick the longest" (ties share)
    shortest_score: float = 0.0  # ... and of "always pick the shortest", the cue left when keys are cut short
    alike_score: float = 0.0  # ... and of "always pick the option most alike the others"

    @property
    def longest_share(self) -> float:
        return self.key_longest / self.single_choice if self.single_choice else 0.0

    @property
    def longest_rate(self) -> float:
        return self.longest_score / self.single_choice if self.single_choice else 0.0

    @property
    def shortest_rate(self) -> float:
        return self.shortest_score / self.single_choice if self.single_choice else 0.0

    @property
    def alike_rate(self) -> float:
        return self.alike_score / self.single_choice if self.single_choice else 0.0

    def rates(self) -> dict[str, float]:
        """Each pattern strategy's score, by the name the report gives it."""
        return {"longest": self.longest_rate, "shortest": self.shortest_rate, "most-alike": self.alike_rate}


@dataclass(slots=True)
class AuditReport:
    decks: list[DeckAudit]
    findings: list[CueFinding] = field(default_factory=list)
    duplicates: list[DuplicatePair] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # deck files that could not be loaded, and why

    @property
    def single_choice(self) -> int:
        return sum(deck.single_choice for deck in self.decks)

    @property
    def longest_rate(self) -> float:
        total = self.single_choice
        return sum(deck.longest_score for deck in self.decks) / total if total else 0.0

    @property
    def shortest_rate(self) -> float:
        total = self.single_choice
        return sum(deck.shortest_score for deck in self.decks) / total if total else 0.0

    @property
    def alike_rate(self) -> float:
        total = self.single_choice
        return sum(deck.alike_score for deck in self.decks) / total if total else 0.0

    @property
    def longest_share(self) -> float:
        total = self.single_choice
        return sum(deck.key_longest for deck in self.decks) / total if total else 0.0

    def failures(self) -> list[str]:
        """What breaks the thresholds; empty when the decks pass. A deck that could not be read was not audited,
        so it fails the audit too."""
        found = [f"{len(self.unreadable)} deck file(s) could not be read"] if self.unreadable else []
        if self.longest_rate > OVERALL_LONGEST_LIMIT:
            found.append(
                f"always-pick-longest scores {self.longest_rate:.0%} over {self.single_choice} "
                f"single-answer choice cards (limit {OVERALL_LONGEST_LIMIT:.0%})"
            )
        for rule, rate in (("shortest", self.shortest_rate), ("most-alike", self.alike_rate)):
            if rate > OVERALL_LONGEST_LIMIT:
                found.append(f"always-pick-{rule} scores {rate:.0%} (limit {OVERALL_LONGEST_LIMIT:.0%})")
        for deck in self.decks:
            if deck.single_choice < MIN_CARDS_FOR_DECK_LIMIT:
                continue
            for rule, rate in deck.rates().items():
                if rate > DECK_LONGEST_LIMIT:
                    found.append(
                        f"{deck.deck_id}: always-pick-{rule} scores {rate:.0%} (limit {DECK_LONGEST_LIMIT:.0%})"
                    )
        if blocking := [pair for pair in self.duplicates if pair.blocking]:
            found.append(f"{len(blocking)} near-duplicate card pair(s) (similarity ≥ {DUPLICATE_THRESHOLD})")
        return found

    def to_dict(self) -> dict[str, object]:
        return {
            "single_choice_cards": self.single_choice,
            "key_longest_share": round(self.longest_share, 4),
            "always_pick_longest": round(self.longest_rate, 4),
            "always_pick_shortest": round(self.shortest_rate, 4),
            "always_pick_most_alike": round(self.alike_rate, 4),
            "decks": [
                {
                    **asdict(deck),
                    "key_longest_share": round(deck.longest_share, 4),
                    "always_pick_longest": round(deck.longest_rate, 4),
                    "always_pick_shortest": round(deck.shortest_rate, 4),
                    "always_pick_most_alike": round(deck.alike_rate, 4),
                }
                for deck in self.decks
            ],
            "findings": [asdict(finding) for finding in self.findings],
            "duplicates": [{**asdict(pair), "blocking": pair.blocking} for pair in self.duplicates],
            "unreadable": self.unreadable,
            "passed": not self.failures(),
            "failures": self.failures(),
        }


def words(text: str) -> set[str]:
    """Distinctive lowercase words of ``text`` (stop words and one-letter tokens dropped, light plural fold)."""
    found = set()
    for word in _WORD.findall(text.casefold()):
        if word in _PLAIN or len(word) < 3:
            continue
        found.add(word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word)
    return found


def alikeness(options: Sequence[str]) -> dict[str, float]:
    """How alike each option is to the others: the sum of its Jaccard overlaps of distinctive words with each."""
    found = {option: words(option) for option in options}
    return {
        option: sum(
            len(mine & theirs) / len(mine | theirs)
            for other, theirs in found.items()
            if other != option and (mine | theirs)
        )
        for option, mine in found.items()
    }


def noticeable(length: int) -> int:
    """How many characters longer or shorter an option must be before a reader notices: 10%, at least 3."""
    return max(3, length // 10)


def choice_findings(deck: Deck, card: ChoiceCard, audit: DeckAudit) -> list[CueFinding]:
    """Length and wording cues of one choice card; counts its longest-option statistics into ``audit``."""
    findings: list[CueFinding] = []
    keys = card.answers
    if len(keys) != 1:
        return findings
    key = keys[0]
    distractors = [option for option in card.options if option != key]
    lengths = {option: len(option) for option in card.options}
    longest, least = max(lengths.values()), min(lengths.values())
    # Nobody sees a 72- vs 74-character difference: options within a noticeable margin tie.
    tied = [option for option in card.options if lengths[option] >= longest - noticeable(longest)]
    audit.single_choice += 1
    shortest = [option for option in card.options if lengths[option] <= least + noticeable(least)]
    if key in shortest:
        audit.shortest_score += 1 / len(shortest)
    if key in tied:
        audit.longest_score += 1 / len(tied)
        if len(tied) == 1:
            audit.key_longest += 1
            findings.append(
                CueFinding(
                    deck.id,
                    card.id,
                    "longest-key",
                    f"the key is the longest option ({lengths[key]} vs next "
                    f"{max(lengths[d] for d in distractors)} characters)",
                )
            )
    median = statistics.median(lengths[d] for d in distractors)
    if median and (lengths[key] > LENGTH_RATIO * median or lengths[key] * LENGTH_RATIO < median):
        findings.append(
            CueFinding(
                deck.id,
                card.id,
                "length-outlier",
                f"the key has {lengths[key]} characters, the distractors' median {median:g}",
            )
        )
    alike = alikeness(card.options)
    most = max(alike.values())
    central = [option for option in card.options if alike[option] >= most - 1e-9]
    if key in central:
        audit.alike_score += 1 / len(central)
        if len(central) == 1 and most > 0:
            findings.append(
                CueFinding(
                    deck.id,
                    card.id,
                    "most-alike-key",
                    "the key shares the most words with the other options: each distractor looks like the key "
                    "with one part changed",
                )
            )
    shared = words(card.front) & words(key)
    for distractor in distractors:
        shared -= words(distractor)
    if shared:
        findings.append(
            CueFinding(
                deck.id,
                card.id,
                "shared-word",
                f"only the key repeats the front's {', '.join(sorted(shared))!r}",
            )
        )
    return findings


def card_text(card: AnyCard) -> str:
    """What a card teaches: its front and its answer side."""
    pieces = [card.front or ""]
    if isinstance(card, OpenCard):
        pieces.append(card.back)
    elif isinstance(card, ChoiceCard):
        pieces += [*card.answers, card.explanation or "", card.back or ""]
    elif isinstance(card, NumericCard):
        pieces += [card.explanation or "", card.back or ""]
    return "\n".join(piece for piece in pieces if piece)


def near_duplicates(decks: Sequence[Deck], threshold: float = REVIEW_THRESHOLD) -> list[DuplicatePair]:
    """Pairs of cards (in the same or different decks) whose text is too alike: one idea taught twice."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    keys: list[tuple[str, str]] = []
    texts: list[str] = []
    for deck in decks:
        for card in deck.cards:
            if isinstance(card, GeneratedCard):
                continue  # a generated card's text is a fresh problem each time
            keys.append((deck.id, card.id))
            texts.append(card_text(card))
    if len(texts) < 2:
        return []
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    rows, cols = np.nonzero(np.triu(similarity) >= threshold)
    pairs = [
        DuplicatePair(keys[i], keys[j], round(float(similarity[i, j]), 3))
        for i, j in zip(rows, cols, strict=True)
    ]
    return sorted(pairs, key=lambda pair: -pair.similarity)


def audit(decks: Sequence[Deck], *, duplicates: bool = True, unreadable: Sequence[str] = ()) -> AuditReport:
    report = AuditReport(decks=[], unreadable=list(unreadable))
    for deck in decks:
        deck_audit = DeckAudit(deck.id)
        for card in deck.cards:
            if isinstance(card, ChoiceCard):
                report.findings += choice_findings(deck, card, deck_audit)
        report.decks.append(deck_audit)
    if duplicates:
        report.duplicates = near_duplicates(decks)
    return report


def report_text(report: AuditReport) -> str:
    lines = []
    for deck in report.decks:
        if deck.single_choice:
            lines.append(
                f"{deck.deck_id}: {deck.single_choice} single-answer choice cards, key longest in "
                f"{deck.key_longest} ({deck.longest_share:.0%}); always-pick-longest {deck.longest_rate:.0%}, "
                f"always-pick-shortest {deck.shortest_rate:.0%}, always-pick-most-alike {deck.alike_rate:.0%}"
            )
    lines.append(
        f"overall: always-pick-longest {report.longest_rate:.0%}, always-pick-shortest {report.shortest_rate:.0%}, "
        f"always-pick-most-alike {report.alike_rate:.0%} "
        f"over {report.single_choice} cards "
        f"(limit {OVERALL_LONGEST_LIMIT:.0%}; per deck {DECK_LONGEST_LIMIT:.0%})"
    )
    for finding in report.findings:
        lines.append(f"{finding.deck_id}/{finding.card_id}: {finding.kind}: {finding.detail}")
    for pair in report.duplicates:
        what = "near-duplicate" if pair.blocking else "similar (check they teach different things)"
        lines.append(f"{what} ({pair.similarity:.2f}): {'/'.join(pair.first)} ~ {'/'.join(pair.second)}")
    failures = report.failures()
    lines.append("FAIL: " + "; ".join(failures) if failures else "PASS")
    return "\n".join(lines)
