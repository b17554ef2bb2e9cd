"""The check a topic deck's content test makes of its numeric cards: every one is recomputed from the numbers in
its front, and its key is that value within the card's own tolerance (the precision its front states)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from quizzer.decks.model import Deck, NumericCard


def numeric_card_tests(
    deck: Deck, recompute: Mapping[str, Callable[[], float]]
) -> tuple[Callable[[], None], Callable[[str], None]]:
    """The two tests, for a content test module to bind to its own names:
    ``test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)``."""

    def every_numeric_card_is_recomputed() -> None:
        assert {card.id for card in deck.cards if isinstance(card, NumericCard)} == set(recompute)

    @pytest.mark.parametrize("card_id", sorted(recompute))
    def numeric_answer(card_id: str) -> None:
        card = deck.card(card_id)
        assert isinstance(card, NumericCard)
        assert card.tolerance is not None
        expected = recompute[card_id]()
        assert abs(card.answer - expected) <= card.tolerance + 1e-9, (card_id, expected)

    return every_numeric_card_is_recomputed, numeric_answer
