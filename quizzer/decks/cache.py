"""A cache of parsed decks in the user cache dir, keyed on each file's path, size and mtime.

Entries are JSON (never pickle) holding the validated deck; on a hit the models are rebuilt without
re-validating, which is what makes a large collection open instantly. Any doubt -> parse the file again.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from quizzer import __version__
from quizzer.decks.model import CARD_CLASSES, Deck, KeyPoint, trusted

FORMAT = 3  # 2: decks with control characters are refused, so entries from before are re-read; 3: key points


def _entry_path(cache_dir: Path, path: Path) -> Path:
    digest = hashlib.sha1(os.path.abspath(path).encode("utf-8")).hexdigest()
    return cache_dir / "decks" / f"{digest}.json"


def _stamp(path: Path) -> dict[str, Any]:
    info = path.stat()
    return {"format": FORMAT, "version": __version__, "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _construct(data: dict[str, Any]) -> Deck:
    """The deck from its cached dump, rebuilt without validating it again (a test checks cached decks equal
    freshly parsed ones): the cost of a cached start at 20,000 cards."""
    cards = data["cards"]
    for card in cards:
        # JSON gives every card its own copy of the kind, the source and the tags; one shared string each
        # (a deck's cards mostly repeat them) is a fifth of a cached deck's memory.
        card["id"] = _intern(card["id"])  # the same strings as the database's card ids (Store.deck_tallies)
        card["kind"] = _intern(card["kind"])
        if card["source"] is not None:
            card["source"] = _intern(card["source"])
        if card["tags"]:
            card["tags"] = [_intern(tag) for tag in card["tags"]]
        if card.get("points"):
            card["points"] = [trusted(KeyPoint, point) for point in card["points"]]
    data["cards"] = [trusted(_KINDS[card["kind"]], card) for card in cards]
    return trusted(Deck, data)


_KINDS = CARD_CLASSES
_intern = sys.intern


def load_deck_cached(
    path: Path, display: str, cache_dir: Path, load_deck: Callable[[Path, str], Deck]
) -> Deck:
    """``load_deck(path, display)``, but served from the cache when the file is unchanged.

    The loader passes its ``load_deck`` in, so this module never imports the loader (which imports it).
    """
    entry = _entry_path(cache_dir, path)
    stamp = _stamp(path)
    try:
        cached = orjson.loads(entry.read_bytes())
        if cached.get("stamp") == stamp:
            return _construct(cached["deck"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    deck = load_deck(path, display)
    _write(entry, {"stamp": stamp, "deck": deck.model_dump(mode="json")})
    return deck


def _write(entry: Path, payload: dict[str, Any]) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = entry.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(orjson.dumps(payload))
        os.replace(temporary, entry)
    except OSError:
        pass  # a cache that cannot be written is only slower
