"""The built-in decks, parsed once per test process.

Every xdist worker collects every test module, and parsing all the built-in decks takes most of a second: the
content tests each parsing them at import cost a worker about 18 s of collection. The decks are frozen
records; a test that needs to change one builds its own."""

from __future__ import annotations

from functools import cache

from quizzer.decks.loader import load_sources
from quizzer.decks.model import Deck
from quizzer.paths import builtin_decks_dir


@cache
def builtin_decks() -> dict[str, Deck]:
    """Deck id -> deck, for every built-in deck, in file order (validated from the YAML, no cache)."""
    collection = load_sources([(builtin_decks_dir(), True)])
    assert not collection.issues, collection.issues
    return {loaded.deck.id: loaded.deck for loaded in collection.decks}
