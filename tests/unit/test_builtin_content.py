"""The built-in curriculum stays complete: size, coverage of the course's pitfalls, every family wired in."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from generators import names
from quizzer.decks.model import ChoiceCard, GeneratedCard, NumericCard, OpenCard
from quizzer.grading import Grade, grade_numeric_card
from tests.builtin_decks import builtin_decks

DECKS = builtin_decks()

# Pitfalls per stage of the 12-stage course (counted in the source's "Pitfall ..." entries).
COURSE_PITFALLS = {1: 6, 2: 6, 3: 5, 4: 4, 5: 5, 6: 3, 7: 4, 8: 2, 9: 2, 10: 2, 11: 3, 12: 3}


def stage_deck(stage: int) -> object:
    tag = f"stage-{stage:02d}"
    matches = [deck for deck in DECKS.values() if tag in deck.tags]
    assert len(matches) == 1, tag
    return matches[0]


def test_size() -> None:
    assert len(DECKS) >= 12
    assert sum(len(deck.cards) for deck in DECKS.values()) >= 400


@pytest.mark.parametrize("stage", sorted(COURSE_PITFALLS))
def test_every_stage_is_covered(stage: int) -> None:
    deck = stage_deck(stage)
    cards = deck.cards
    assert len(cards) >= 25
    kinds = Counter(type(card) for card in cards)
    assert kinds[OpenCard] and kinds[ChoiceCard] and kinds[NumericCard] and kinds[GeneratedCard]
    pitfalls = [card for card in cards if "pitfall" in card.tags]
    assert len(pitfalls) >= COURSE_PITFALLS[stage]


def test_every_card_has_tags_and_a_source() -> None:
    for deck in DECKS.values():
        for card in deck.cards:
            assert deck.card_tags(card), (deck.id, card.id)
            assert card.source, (deck.id, card.id)


def test_choice_cards_explain_and_numeric_cards_show_working() -> None:
    for deck in DECKS.values():
        for card in deck.cards:
            if isinstance(card, ChoiceCard | NumericCard):
                assert card.explanation or card.back, (deck.id, card.id)


_DECIMALS = re.compile(r"\b(\d) decimals?\b")
_FIGURES = re.compile(r"\b(\d) significant figures?\b")
_PRECISION = re.compile(
    r"\b\d decimals?\b|\bwhole number\b|\bnearest\b|\b\d significant figures?\b|\bwithin \d+%"
)


def _graded_right(card: NumericCard, text: str) -> bool:
    grade = grade_numeric_card(card, text)
    assert isinstance(grade, Grade), (card.id, text, grade)
    return grade.correct


def test_every_numeric_card_says_how_precise_its_answer_must_be() -> None:
    """Without "(3 decimals)" on the front a learner cannot know whether 0.78 is enough for 0.7778: only an exact
    whole-number answer (tolerance 0) needs no statement."""
    silent = []
    for deck in DECKS.values():
        for card in deck.cards:
            if isinstance(card, NumericCard) and not _PRECISION.search(card.front):
                absolute, relative = card.effective_tolerance
                if card.answer != int(card.answer) or absolute or relative > 1e-9:
                    silent.append((deck.id, card.id))
    assert not silent


def test_the_precision_a_front_asks_for_is_graded_right_and_two_steps_off_is_not() -> None:
    """The key typed to the decimals (or significant figures) its front asks for is accepted, so the tolerance is
    not tighter than the question; two units off in that last digit is refused, so it is not looser either."""
    wrong = []
    for deck in DECKS.values():
        for card in deck.cards:
            if not isinstance(card, NumericCard):
                continue
            key = card.answer
            if found := _DECIMALS.search(card.front):
                digits = int(found.group(1))
                typed, step = f"{key:.{digits}f}", 10.0**-digits
            elif found := _FIGURES.search(card.front):
                digits = int(found.group(1))
                typed, step = f"{key:.{digits}g}", 10.0 ** (math.floor(math.log10(abs(key))) - digits + 1)
            else:
                continue
            if not _graded_right(card, typed):
                wrong.append((deck.id, card.id, "refuses", typed))
            for off in (key - 2 * step, key + 2 * step):
                if _graded_right(card, repr(off)):
                    wrong.append((deck.id, card.id, "accepts", off))
    assert not wrong


def test_a_numeric_cards_tolerance_is_no_looser_than_the_precision_its_front_asks_for() -> None:
    """A front's "(3 decimals)" grades within 0.001: a looser tolerance accepts answers the front said were not precise
    enough (and some a slip would give)."""
    loose = []
    for deck in DECKS.values():
        for card in deck.cards:
            if isinstance(card, NumericCard) and (found := _DECIMALS.search(card.front)):
                absolute, relative = card.effective_tolerance
                limit = 10 ** -int(found.group(1)) * (1 + 1e-9)
                if absolute > limit or relative * abs(card.answer) > absolute:
                    loose.append((deck.id, card.id, absolute, relative))
    assert not loose


def test_every_generator_family_is_used() -> None:
    used = {card.generator for deck in DECKS.values() for card in deck.cards if isinstance(card, GeneratedCard)}
    assert set(names()) <= used


TOPIC_DECKS = sorted(deck_id for deck_id, deck in DECKS.items() if "beyond-course" in deck.tags)


TOPIC_DECK_COUNT = 43  # the decks tagged beyond-course, each on a topic the seed course does not teach


def test_the_topic_decks_go_beyond_the_course() -> None:
    assert len(TOPIC_DECKS) == TOPIC_DECK_COUNT


@pytest.mark.parametrize("deck_id", TOPIC_DECKS)
def test_topic_deck_shape(deck_id: str) -> None:
    """Each topic deck beyond the course: at least 32 cards; a real mix (at least 30% choice, numeric or
    generated, and a good share of explain-it cards); its traps tagged `pitfall`; its classic questions
    tagged `interview`; every open card with key points for typed answers; every numeric card saying how
    precise its answer must be."""
    from quizzer.audit import DECK_LONGEST_LIMIT, audit

    cards = DECKS[deck_id].cards
    kinds = Counter(type(card) for card in cards)
    assert len(cards) >= 32
    assert (kinds[ChoiceCard] + kinds[NumericCard] + kinds[GeneratedCard]) / len(cards) >= 0.30
    assert kinds[OpenCard] / len(cards) >= 0.40 and kinds[NumericCard] >= 5 and kinds[ChoiceCard] >= 9
    assert 4 <= sum("pitfall" in card.tags for card in cards) <= 8
    assert sum("interview" in card.tags for card in cards) >= 5
    assert all(card.points for card in cards if isinstance(card, OpenCard))
    assert all(_PRECISION.search(card.front) for card in cards if isinstance(card, NumericCard))
    (figures,) = audit([DECKS[deck_id]], duplicates=False).decks
    assert figures.longest_rate <= DECK_LONGEST_LIMIT and figures.shortest_rate <= DECK_LONGEST_LIMIT


def test_every_open_card_has_key_points() -> None:
    missing = [(deck.id, card.id) for deck in DECKS.values() for card in deck.cards
               if isinstance(card, OpenCard) and not card.points]
    assert not missing


def test_no_deck_lets_raw_option_length_pick_the_key() -> None:
    """The audit counts options within a noticeable margin as tied; this counts characters. A key that is the
    strictly longest (or shortest) option, by however little, in a third of a deck's cards would still reward
    a learner who measures instead of knowing."""
    longest = shortest = total = 0
    for deck in DECKS.values():
        lengths = [
            (len(card.answer), [len(option) for option in card.options])
            for card in deck.cards
            if isinstance(card, ChoiceCard) and isinstance(card.answer, str)
        ]
        deck_longest = sum(key == max(sizes) and sizes.count(key) == 1 for key, sizes in lengths)
        deck_shortest = sum(key == min(sizes) and sizes.count(key) == 1 for key, sizes in lengths)
        assert max(deck_longest, deck_shortest) <= len(lengths) / 3, (deck.id, deck_longest, deck_shortest)
        longest, shortest, total = longest + deck_longest, shortest + deck_shortest, total + len(lengths)
    assert longest / total <= 0.15 and shortest / total <= 0.2, (longest, shortest, total)
