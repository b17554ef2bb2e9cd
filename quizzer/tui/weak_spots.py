"""The weak-spots drill (``w`` on Home, ``quizzer drill --weak``): which cards, or why there are none.

No textual here: the CLI answers "nothing weak yet" without starting the app.
"""

from __future__ import annotations

from datetime import datetime

from quizzer.decks.model import AnyCard, Deck
from quizzer.session import SessionConfig
from quizzer.stats import weak_cards
from quizzer.store import Store

NOTHING_WEAK_YET = "Nothing weak yet: answer some cards first"
NOTHING_WEAK = "Nothing weak in the last 30 days: no topic answered 3+ times has a miss."

CardList = list[tuple[Deck, AnyCard]]


def find_weak_cards(
    store: Store, decks: list[Deck], now: datetime, config: SessionConfig
) -> tuple[CardList, str]:
    """The cards of the weakest topics and generator families (see :func:`quizzer.stats.weak_cards`),
    or no cards and the reason to tell the user."""
    cards = weak_cards(store, decks, now, day_start_hour=config.day_start_hour, tz=config.tz)
    if cards:
        return cards, ""
    return [], NOTHING_WEAK if store.total_reviews() else NOTHING_WEAK_YET


def decks_of(cards: CardList) -> list[Deck]:
    """The decks of some cards, in the order they first appear."""
    return list({deck.id: deck for deck, _ in cards}.values())
