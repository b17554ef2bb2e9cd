"""An Anki package (.apkg) -> a Quizzer deck (YAML) of open cards.

The package is untrusted input. Only its collection file is read: the member is found by its exact
name (never extracted by the name stored in the archive), copied to a private temporary folder with a
byte budget that holds whatever the archive's headers claim (zip bombs), and opened read-only as an
immutable SQLite file with schema code disabled, length limits and a step budget. Media is ignored.

Basic notes become open cards (first field -> front, the other non-empty fields -> back). Cloze notes
become one open card per cloze number: the gap shown as ``[…]`` (or its hint) on the front and the
answer in bold on the back. Card ids come from the note guid, so importing the same package again gives
the same ids (and keeps the review history).
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizzer.decks.model import MAX_TEXT, is_slug
from quizzer.errors import DeckError, UsageError
from quizzer.exchange.deck_yaml import stable_id, tag_slugs, title_from_id, unique, validated_yaml
from quizzer.exchange.markup import html_to_markdown

MAX_PACKAGE_BYTES = 1024 * 1024 * 1024  # the .apkg itself (media included)
MAX_COLLECTION_BYTES = 256 * 1024 * 1024  # the SQLite collection, uncompressed
MAX_DIRECTORY_BYTES = 32 * 1024 * 1024  # the zip's table of contents: bounds memory before it is parsed
MAX_FIELD_BYTES = 1024 * 1024
MAX_NOTES = 50_000
MAX_CARDS = 20_000  # a deck's limit
SQL_STEP_BUDGET = 200_000_000  # virtual-machine steps for all the queries together
_COLLECTIONS = ("collection.anki21", "collection.anki2")  # newest legacy format first
_NEW_FORMAT = "collection.anki21b"
_SQLITE_HEADER = b"SQLite format 3\x00"
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_UPDATE_NOTICE = "please update to the latest anki version"


class PackageError(DeckError):
    title = "Cannot import"


@dataclass(frozen=True, slots=True)
class Note:
    guid: str
    model: str  # the note type's name ("" when unknown)
    cloze: bool
    fields: list[str]  # HTML
    tags: list[str]


@dataclass(slots=True)
class Imported:
    """A deck made from outside cards: its YAML text, and what was left out and why."""

    text: str
    cards: int
    skipped: list[str] = field(default_factory=list)
    title: str = ""


# -- reading the package ----------------------------------------------------------------------------


def _directory_size(package: Path) -> int | None:
    """The size of the zip's central directory from its end records (Zip64 too), before ``zipfile``
    builds an object per entry; None when there is no end record (``zipfile`` then reports the damage)."""
    with package.open("rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - 65_557))  # the end record plus the longest comment
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) - end < 22:
            return None
        size = struct.unpack_from("<I", tail, end + 12)[0]
        if size != 0xFFFFFFFF or end < 20 or tail[end - 20:end - 16] != b"PK\x06\x07":
            return size
        handle.seek(struct.unpack_from("<Q", tail, end - 20 + 8)[0])
        record = handle.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            return None
        return struct.unpack_from("<Q", record, 40)[0]


def _copy_collection(package: Path, target: Path) -> None:
    try:
        size = package.stat().st_size
        directory = _directory_size(package) if size <= MAX_PACKAGE_BYTES else None
    except OSError as error:
        raise PackageError(f"{package}: {error.strerror or error}") from None
    if size > MAX_PACKAGE_BYTES:
        raise PackageError(f"{package} is larger than {MAX_PACKAGE_BYTES // 1024 // 1024} MB.")
    if directory is not None and directory > MAX_DIRECTORY_BYTES:
        raise PackageError(f"{package} lists too many files to be an Anki package; not imported.")
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageError(f"{package} is not an Anki package (.apkg is a zip file): {error}") from None
    with archive:
        names = set(archive.namelist())
        member = next((name for name in _COLLECTIONS if name in names), None)
        if member is None:
            if _NEW_FORMAT in names:
                raise PackageError(_new_format_message(package))
            raise PackageError(f"{package} holds no Anki collection (no collection.anki2 inside).")
        info = archive.getinfo(member)
        if info.file_size > MAX_COLLECTION_BYTES:
            raise PackageError(f"{package}: the collection is larger than {MAX_COLLECTION_BYTES // 1024 // 1024} MB.")
        copied = 0
        try:
            with archive.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(1024 * 1024):
                    copied += len(chunk)
                    if copied > MAX_COLLECTION_BYTES:  # the header lied: a zip bomb
                        raise PackageError(f"{package}: the collection unpacks to more than "
                                           f"{MAX_COLLECTION_BYTES // 1024 // 1024} MB; not imported.")
                    sink.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as error:
            raise PackageError(f"{package} is damaged: {error}") from None
        except RuntimeError as error:  # an encrypted member
            raise PackageError(f"{package}: {error}") from None
    with target.open("rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise PackageError(f"{package}: the collection is not an SQLite database.")


def _new_format_message(package: Path) -> str:
    return (f"{package} uses Anki's newest package format, which Quizzer cannot read yet. In Anki, "
            "export again with “Support older Anki versions” ticked.")


def _open_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    conn.execute("PRAGMA trusted_schema = OFF")  # no functions called from views or triggers in the file
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA cell_size_check = ON")  # fail cleanly on corrupt pages
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 64 * 1024 * 1024)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
    steps = [0]

    def budget() -> int:
        steps[0] += 1
        return steps[0] * 10_000 > SQL_STEP_BUDGET  # non-zero aborts the query

    conn.set_progress_handler(budget, 10_000)
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _models(conn: sqlite3.Connection, tables: set[str]) -> dict[int, tuple[str, bool]]:
    """Note type id -> (name, is cloze)."""
    models: dict[int, tuple[str, bool]] = {}
    if "col" in tables:
        row = conn.execute("SELECT models FROM col LIMIT 1").fetchone()
        if row and isinstance(row[0], str) and row[0].strip():
            try:
                data = json.loads(row[0])
            except ValueError:
                data = {}
            if isinstance(data, dict):
                for key, model in data.items():
                    if isinstance(model, dict) and str(key).lstrip("-").isdigit():
                        models[int(key)] = (str(model.get("name", "")), model.get("type") == 1)
    if not models and "notetypes" in tables:
        for model_id, name in conn.execute("SELECT id, name FROM notetypes"):
            models[int(model_id)] = (str(name), False)  # the kind is in a protobuf: cloze is found by content
    return models


def read_notes(package: Path) -> list[Note]:
    """The notes of an Anki package, read as described in the module docstring."""
    notes: list[Note] = []
    with tempfile.TemporaryDirectory(prefix="quizzer-import-") as folder:
        collection = Path(folder) / "collection.sqlite"
        _copy_collection(package, collection)
        try:
            conn = _open_readonly(collection)
        except sqlite3.Error as error:
            raise PackageError(f"{package}: cannot open the collection: {error}") from None
        try:
            tables = _tables(conn)
            if "notes" not in tables:
                raise PackageError(f"{package}: the collection has no notes table.")
            models = _models(conn, tables)
            rows = conn.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id")
            for count, (guid, mid, tags, fields) in enumerate(rows, start=1):
                if count > MAX_NOTES:
                    raise PackageError(f"{package} has more than {MAX_NOTES} notes; split it in Anki first.")
                if not isinstance(fields, str) or len(fields) > MAX_FIELD_BYTES:
                    continue
                parts = fields.split("\x1f")
                name, cloze = models.get(mid, ("", False)) if isinstance(mid, int) else ("", False)
                cloze = cloze or bool(_CLOZE.search(parts[0]))
                notes.append(Note(str(guid), name, cloze, parts, str(tags or "").split()))
        except sqlite3.Error as error:
            raise PackageError(f"{package}: the collection cannot be read ({error}).") from None
        finally:
            conn.close()
    return notes


# -- notes to cards -------------------------------------------------------------------------------


def cloze_cards(text: str) -> list[tuple[int, str, str]]:
    """(number, front HTML, back HTML) for each cloze number in an Anki cloze field."""
    numbers = sorted({int(match.group(1)) for match in _CLOZE.finditer(text)})
    cards = []
    for number in numbers:
        def front(match: re.Match[str], number: int = number) -> str:
            if int(match.group(1)) != number:
                return match.group(2)
            hint = match.group(3)
            return f"[{hint}…]" if hint else "[…]"

        def back(match: re.Match[str], number: int = number) -> str:
            return f"<b>{match.group(2)}</b>" if int(match.group(1)) == number else match.group(2)

        cards.append((number, _CLOZE.sub(front, text), _CLOZE.sub(back, text)))
    return cards


def _fits(text: str) -> bool:
    return 0 < len(text) <= MAX_TEXT


def note_cards(note: Note, used: set[str]) -> tuple[list[dict[str, Any]], str | None]:
    """The deck cards of one note, or a reason it was left out."""
    tags = tag_slugs(note.tags)
    base = stable_id("note", note.guid)
    extras = [html_to_markdown(part) for part in note.fields[1:]]
    extra = "\n\n".join(part for part in extras if part)
    made: list[tuple[str, str, str]] = []
    if note.cloze:
        for number, front_html, back_html in cloze_cards(note.fields[0]):
            front, back = html_to_markdown(front_html), html_to_markdown(back_html)
            made.append((f"{base}-c{number}", front, f"{back}\n\n{extra}" if extra else back))
        if not made:
            return [], "a cloze note without any {{c1::…}} gap"
    else:
        made.append((base, html_to_markdown(note.fields[0]), extra))
    cards = []
    for card_id, front, back in made:
        if not front:
            return [], "an empty front"
        if not back:
            return [], "nothing on the back"
        if not (_fits(front) and _fits(back)):
            return [], f"text longer than {MAX_TEXT} characters"
        card: dict[str, Any] = {"id": unique(card_id, used), "front": front, "back": back}
        if tags:
            card["tags"] = tags
        cards.append(card)
    return cards, None


def import_anki(package: Path, deck_id: str, *, title: str | None = None) -> Imported:
    """Read ``package`` and make the deck ``deck_id`` (validated YAML)."""
    if not is_slug(deck_id):
        raise UsageError(f"--deck {deck_id!r}: a deck id is a slug (lowercase letters, digits, single dashes).")
    cards: list[dict[str, Any]] = []
    skipped: list[str] = []
    used: set[str] = set()
    notices = 0
    for note in read_notes(package):
        if any(_UPDATE_NOTICE in part.lower() for part in note.fields[:1]):
            notices += 1
            continue
        made, reason = note_cards(note, used)
        if reason:
            preview = html_to_markdown(note.fields[0])[:50].replace("\n", " ") or note.guid
            skipped.append(f"{preview!r}: {reason}")
        cards.extend(made)
    if not cards:
        if notices:
            raise PackageError(_new_format_message(package))
        raise PackageError(f"{package}: no note could be turned into a card"
                           + (f" ({len(skipped)} left out: {skipped[0]})" if skipped else "."))
    if len(cards) > MAX_CARDS:
        raise PackageError(f"{package} makes {len(cards)} cards; a deck holds at most {MAX_CARDS}. "
                           "Split it in Anki first.")
    name = title or title_from_id(deck_id)
    data = {"id": deck_id, "title": name, "description": f"Imported from the Anki package {package.name}.",
            "cards": cards}
    text, deck = validated_yaml(data, f"{deck_id}.yaml")
    return Imported(text, len(deck.cards), skipped, name)
