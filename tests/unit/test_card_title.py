"""One line naming a card, for the summary's list of missed cards: plain text, so a front's inline Markdown
marks are taken off and the words kept."""

from __future__ import annotations

import pytest

from quizzer.decks import parse_deck
from quizzer.tui.text import card_title, plain_inline


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        ("What does it mean for a model to have **converged** during training?",
         "What does it mean for a model to have converged during training?"),
        ("Why is `TP/(TP+FP)` precision?", "Why is TP/(TP+FP) precision?"),
        ("**Both** `a` and **b**", "Both a and b"),
        ("a * b * c, and 2**3", "a * b * c, and 2**3"),  # a product, not emphasis
        ("Why call `__init__` there?", "Why call __init__ there?"),
        ("__init__ stays", "__init__ stays"),
    ],
)
def test_inline_marks_are_taken_off(line: str, plain: str) -> None:
    assert plain_inline(line) == plain


def test_a_missed_cards_title_reads_as_plain_text() -> None:
    deck = parse_deck(
        "id: d\ntitle: D\ncards:\n  - id: c\n    front: |\n      What does it mean for a model to have\n"
        "      **converged** during training?\n    back: b\n"
    )
    assert card_title(deck.cards[0], 80) == "What does it mean for a model to have converged during training?"
