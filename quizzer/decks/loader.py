"""YAML deck files -> validated :class:`Deck` objects, with errors located at file:line:column.

The YAML is composed (never constructed) with the safe C loader when available, then turned into
plain Python by hand: only the standard scalar tags are accepted, so ``!!python/...`` and any other
tag is an error and nothing is ever instantiated. Duplicate keys are errors. Aliases are expanded
with a budget, so an alias bomb fails fast with bounded memory.

That parsing lives in :mod:`quizzer.decks.parsing`, imported on the first cache miss: a start that finds
every deck in the parsed-deck cache never imports PyYAML or builds a validator.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.collector import collector_paused
from quizzer.decks.model import Deck
from quizzer.files import FileTooLarge, read_regular

MAX_DECK_BYTES = 5 * 1024 * 1024
MAX_NODES = 500_000
MAX_DEPTH = 32  # a deck nests about 5 deep; building stays far from Python's recursion limit
DECK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class DeckIssue:
    """One problem in a deck file, located as precisely as the YAML allows."""

    path: str
    line: int
    column: int
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {where}{self.message}"


class DeckFileError(Exception):
    def __init__(self, issues: list[DeckIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass(slots=True)
class LoadedDeck:
    deck: Deck
    path: Path
    builtin: bool = False


@dataclass(slots=True)
class DeckCollection:
    """The outcome of loading several sources: good decks, and the issues of the broken ones."""

    decks: list[LoadedDeck] = field(default_factory=list)
    issues: list[DeckIssue] = field(default_factory=list)

    def by_id(self, deck_id: str) -> LoadedDeck | None:
        return next((loaded for loaded in self.decks if loaded.deck.id == deck_id), None)

    def load_content(self) -> None:
        """Parse the cards' content of every deck served from the parsed-deck cache (which leaves it until a
        card is first looked at, see :mod:`quizzer.decks.cache`)."""
        from quizzer.decks.cache import load_content

        load_content(loaded.deck for loaded in self.decks)


def parse_deck(text: str | bytes, display: str = "<deck>") -> Deck:
    """Parse and validate one deck's YAML text; raise :class:`DeckFileError` with located issues."""
    from quizzer.decks.parsing import parse_deck as parse

    return parse(text, display)


def load_deck(path: Path, display: str | None = None) -> Deck:
    display = display or str(path)
    try:
        data = read_regular(path, MAX_DECK_BYTES)
    except FileTooLarge:
        raise DeckFileError(
            [DeckIssue(display, 1, 1, f"file is larger than {MAX_DECK_BYTES // 1024 // 1024} MB")]
        ) from None
    except OSError as error:
        raise DeckFileError([DeckIssue(display, 1, 1, f"cannot read: {error.strerror or error}")]) from None
    return parse_deck(data, display)


def deck_files(path: Path) -> Iterator[Path]:
    """The deck files at ``path``: the file itself, or every .yaml/.yml below a folder (sorted)."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.suffix in DECK_SUFFIXES and child.is_file() and not child.name.startswith("."):
                yield child
    else:
        yield path


def _display(path: Path) -> str:
    """Paths are shown as the user gave them (relative stays relative), so editors can jump to them."""
    return str(path)


def load_sources(sources: Iterable[tuple[Path, bool]], cache_dir: Path | None = None) -> DeckCollection:
    """Load every deck under the given (path, builtin) sources. A broken deck is reported and skipped.

    Two decks with the same id: the first one wins and the other is reported. With ``cache_dir``,
    unchanged files are served from the parsed-deck cache.
    """
    with collector_paused():
        return _load_sources(sources, cache_dir)


def _load_sources(sources: Iterable[tuple[Path, bool]], cache_dir: Path | None) -> DeckCollection:
    if cache_dir is not None:
        from quizzer.decks.cache import load_deck_cached
    collection = DeckCollection()
    seen: dict[str, Path] = {}
    files_seen: set[tuple[int, int] | str] = set()
    for source, builtin in sources:
        if not source.exists():
            collection.issues.append(DeckIssue(_display(source), 1, 1, "no such file or folder"))
            continue
        for file in deck_files(source):
            # The same file reached twice (a path given that is also the user's deck folder) loads once. Told
            # by its device and inode: one stat, where resolving the path took one per folder of it.
            try:
                info = os.stat(file)
                real: tuple[int, int] | str = (info.st_dev, info.st_ino)
            except OSError:
                real = os.path.realpath(file)  # unreadable: reported by the load below
            if real in files_seen:
                continue
            files_seen.add(real)
            display = _display(file)
            try:
                deck = (
                    load_deck_cached(file, display, cache_dir, load_deck)
                    if cache_dir
                    else load_deck(file, display)
                )
            except DeckFileError as error:
                collection.issues.extend(error.issues)
                continue
            if deck.id in seen:
                collection.issues.append(
                    DeckIssue(
                        display,
                        1,
                        1,
                        f"deck id {deck.id!r} is already used by {_display(seen[deck.id])}",
                        "id",
                    )
                )
                continue
            seen[deck.id] = file
            collection.decks.append(LoadedDeck(deck, file, builtin))
    return collection
