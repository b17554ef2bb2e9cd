"""Where decks come from: the built-in decks, the user's deck folder, and paths given by the user."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizzer import paths
from quizzer.decks.loader import DeckCollection, load_sources


def deck_sources(extra: Iterable[Path] = (), *, builtin: bool = True, user: bool = True) -> list[tuple[Path, bool]]:
    sources: list[tuple[Path, bool]] = []
    if builtin:
        sources.append((paths.builtin_decks_dir(), True))
    user_dir = paths.user_decks_dir()
    if user and user_dir.is_dir():
        sources.append((user_dir, False))
    sources.extend((Path(path), False) for path in extra)
    return sources


def load_all(
    extra: Iterable[Path] = (), *, builtin: bool = True, user: bool = True, cache: bool = True
) -> DeckCollection:
    """Every deck the user can drill. Unchanged files come from the parsed-deck cache."""
    cache_dir = paths.cache_dir() if cache else None
    return load_sources(deck_sources(extra, builtin=builtin, user=user), cache_dir)
