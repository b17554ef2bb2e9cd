"""What screens may read from the app they run in, as a Protocol, so no screen imports the app module.

The app (``quizzer.tui.app``) imports the screens; screens ask it to do things by posting messages or
running its actions by name, and read its data through this description of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from quizzer.decks.loader import DeckCollection
from quizzer.session import SessionConfig
from quizzer.store import Store


class Host(Protocol):
    """The drill app as its screens see it: the database, the decks, the settings and the clock."""

    store: Store
    collection: DeckCollection
    config: SessionConfig
    clock: Callable[[], datetime]
    sync_notice: str | None  # the last sync's one-line report or error


__all__ = ["Host"]
