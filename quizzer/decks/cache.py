"""A cache of parsed decks in the user cache dir, keyed on each file's path, size and mtime.

Entries are JSON (never pickle) holding the validated deck; on a hit the models are rebuilt without
re-validating, which is what makes a large collection open instantly. Any doubt -> parse the file again.

An entry is two JSON documents on two lines: the deck's *head* (its stamp, id, title, description, tags,
and each card's id and kind) and its *content* (every card's fields). A start reads every entry but parses
only the heads: a deck's cards first hold only their id and kind, which is all that building a queue or
counting due cards needs, and the rest of their fields are parsed from the bytes read at the start the
first time any card of the deck is looked at (:class:`_Content`, through ``Record.__getattr__``), or by
:func:`load_content` (the app calls it in a thread once its first card is on screen). At 20,000 cards the
contents are nine-tenths of the parsing, so the first card no longer waits for every deck's.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

try:  # CPython's own SHA-1: hashlib loads OpenSSL's libcrypto (about 4 MB of a session) for this one digest
    from _sha1 import sha1 as _sha1
except ImportError:  # another Python
    from hashlib import sha1 as _sha1

from quizzer import __version__
from quizzer.decks.model import CARD_CLASSES, PENDING, AnyCard, Deck, KeyPoint, Record, trusted
from quizzer.errors import DeckError

# 2: decks with control characters are refused, so entries from before are re-read; 3: key points;
# 4: a head line and a content line; 5: the content leaves out fields at their default and the cards' kinds.
FORMAT = 5


def _entry_path(cache_dir: Path, path: Path) -> Path:
    digest = _sha1(os.path.abspath(path).encode("utf-8")).hexdigest()
    return cache_dir / "decks" / f"{digest}.json"


def _stamp(path: Path) -> dict[str, Any]:
    info = path.stat()
    return {"format": FORMAT, "version": __version__, "size": info.st_size, "mtime_ns": info.st_mtime_ns}


class DeckChangedError(DeckError):
    """A deck's cached content is unreadable and its file no longer holds the cards the app started with."""

    def __init__(self, display: str) -> None:
        super().__init__(
            f"{display} changed while Quizzer was reading it, and its cards are no longer the ones on screen. "
            "Restart Quizzer to drill the new version."
        )


class _Content:
    """The unparsed content of one cached deck: its cards' fields, filled into the cards on first need.

    Parsed at most once, under a lock (a worker making a problem may ask for a card's fields while the app's
    loading thread parses them). Until then every card of the deck holds only ``id``, ``kind`` and this
    object (under :data:`PENDING`). Should the bytes not parse (they come from the same read as the head,
    so only a damaged entry does that), the deck file is parsed again; if its cards changed meanwhile,
    :class:`DeckChangedError`.
    """

    __slots__ = ("_data", "_cards", "_reparse", "_display", "_lock")

    def __init__(self, data: memoryview, display: str, reparse: Callable[[], Deck]) -> None:
        self._data: memoryview | None = data
        self._cards: list[AnyCard] = []
        self._reparse = reparse
        self._display = display
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._data is None:
                return  # parsed meanwhile, by another thread
            cards = self._cards
            try:
                found = orjson.loads(self._data)["cards"]
                if [fields["id"] for fields in found] != [card.__dict__["id"] for card in cards]:
                    raise ValueError("the content does not match the head")
            except (ValueError, KeyError, TypeError):
                try:
                    deck = self._reparse()
                except Exception as error:  # gone, unreadable or broken: not the deck the app started with
                    raise DeckChangedError(self._display) from error
                if [card.id for card in deck.cards] != [card.__dict__["id"] for card in cards]:
                    raise DeckChangedError(self._display) from None
                found = [_content_fields(card) for card in deck.cards]
            for card, fields in zip(cards, found, strict=True):
                _share_strings(fields)
                fields["id"] = card.__dict__["id"]  # the head's: already the shared string
                _set_state(card, fields)  # a dict of just its fields (a grown one would stay bigger)
            self._data = None
            self._cards = []


def _content_fields(card: AnyCard) -> dict[str, Any]:
    """A card's fields as its deck's content holds them: those at their default left out (a card keeps only
    its own, see ``model._compact``; it also makes the entry a third smaller), and no kind (the head has it).
    """
    fields = card.model_dump(mode="json", exclude_defaults=True)
    fields.pop("kind", None)
    return fields


def _share_strings(card: dict[str, Any]) -> None:
    """JSON gives every card its own copy of the source and the tags; one shared string each (a deck's cards
    mostly repeat them) is a fifth of a cached deck's memory. Key points become :class:`KeyPoint`."""
    if card.get("source") is not None:
        card["source"] = _intern(card["source"])
    if card.get("tags"):
        card["tags"] = [_intern(tag) for tag in card["tags"]]
    if card.get("points"):
        card["points"] = [trusted(KeyPoint, point) for point in card["points"]]


def _from_head(head: dict[str, Any], content: _Content) -> Deck:
    """The deck of a cached head, its cards holding their id and kind until ``content`` is parsed.

    The cost of a cached start is this loop (20,000 cards at scale): no call per card beyond the intern."""
    cards: list[AnyCard] = []
    append = cards.append
    kinds = CARD_CLASSES
    new, set_state, intern = _new, _set_state, _intern
    for card_id, kind in head["cards"]:
        cls = kinds[kind]
        card = new(cls)
        # The id: the same string as the database's card ids (Store.deck_tallies), not kept twice. The kind
        # is the class's.
        set_state(card, {"id": intern(card_id), PENDING: content})
        append(card)
    head["cards"] = cards
    head[PENDING] = content  # no field: dumps and equality ignore it (see load_content)
    content._cards = cards
    return trusted(Deck, head)


_new = object.__new__
_set_state = Record.__dict__["__dict__"].__set__
_intern = sys.intern


def load_content(decks: Iterable[Deck]) -> None:
    """Parse the content of every deck still waiting for it (a no-op for decks parsed or already loaded)."""
    for deck in decks:
        content = deck.__dict__.get(PENDING)
        if content is not None:
            content.load()


def load_deck_cached(
    path: Path, display: str, cache_dir: Path, load_deck: Callable[[Path, str], Deck]
) -> Deck:
    """``load_deck(path, display)``, but served from the cache when the file is unchanged.

    The loader passes its ``load_deck`` in, so this module never imports the loader (which imports it).
    """
    entry = _entry_path(cache_dir, path)
    stamp = _stamp(path)
    try:
        data = entry.read_bytes()
        end = data.index(b"\n")
        head = orjson.loads(data[:end])
        if head.get("stamp") == stamp:
            content = _Content(memoryview(data)[end + 1 :], display, lambda: load_deck(path, display))
            return _from_head(head["deck"], content)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    deck = load_deck(path, display)
    _write(entry, stamp, deck)
    return deck


def _write(entry: Path, stamp: dict[str, Any], deck: Deck) -> None:
    dump = deck.model_dump(mode="json")
    dump["cards"] = [[card["id"], card["kind"]] for card in dump["cards"]]
    cards = [_content_fields(card) for card in deck.cards]
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = entry.with_suffix(f".{os.getpid()}.tmp")
        # orjson writes no line break inside a document (strings escape theirs): one line each.
        temporary.write_bytes(
            orjson.dumps({"stamp": stamp, "deck": dump}) + b"\n" + orjson.dumps({"cards": cards})
        )
        os.replace(temporary, entry)
    except OSError:
        pass  # a cache that cannot be written is only slower
