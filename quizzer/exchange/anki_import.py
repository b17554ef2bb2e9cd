"""An Anki package (.apkg) -> a Quizzer deck (YAML) of open cards.

The package is untrusted input. Only its collection file is read: the member is found by its exact
name (never extracted by the name stored in the archive), must be stored or deflated (what Anki writes;
``zipfile`` inflates bzip2/LZMA a whole read at a time), is copied in 64 KB steps to a private temporary
folder with a byte budget that holds whatever the archive's headers claim (zip bombs), and is opened
read-only as an immutable SQLite file with schema code disabled, length limits and a step budget. Every
value is bounded inside SQLite before it reaches Python (guid, tags, fields, note types; a huge column
DEFAULT is refused), the text of all notes together has a budget, and a note that cannot be read is left
out by name while the others are kept. Control characters never reach the deck. Media is ignored.

Basic notes become open cards (first field -> front, the other non-empty fields -> back). Cloze notes
become one open card per cloze number: the gap shown as ``[…]`` (or its hint) on the front and the
answer in bold on the back. Card ids come from the note guid, so importing the same package again gives
the same ids (and keeps the review history).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizzer.decks.model import MAX_TEXT, is_slug
from quizzer.errors import DeckError, UsageError
from quizzer.exchange.deck_yaml import stable_id, tag_slugs, title_from_id, unique, validated_yaml
from quizzer.exchange.markup import html_to_markdown
from quizzer.files import open_regular
from quizzer.sanitize import strip_controls

MAX_PACKAGE_BYTES = 1024 * 1024 * 1024  # the .apkg itself (media included)
MAX_COLLECTION_BYTES = 256 * 1024 * 1024  # the SQLite collection, uncompressed
MAX_DIRECTORY_BYTES = 32 * 1024 * 1024  # the zip's table of contents: bounds memory before it is parsed
MAX_NOTE_CHARS = 256 * 1024  # all fields of one note (HTML): far above MAX_TEXT, far below trouble
MAX_GUID_CHARS = 200
MAX_TAGS_CHARS = 4096
MAX_TEXT_READ = 48 * 1024 * 1024  # field, tag and guid text of all notes together
MAX_MODELS_CHARS = 16 * 1024 * 1024  # the note types' JSON
MAX_JSON_DEPTH = 64
MAX_CLOZE_NUMBERS = 500  # distinct {{cN::}} numbers in one note
MAX_CLOZE_WORK = 2_000_000  # gaps x characters: each gap makes a card from the whole field
MAX_NOTES = 50_000
MAX_CARDS = 20_000  # a deck's limit
SQL_STEP_BUDGET = 200_000_000  # virtual-machine steps for all the queries together
STALE_TEMP_SECONDS = 3600
TEMP_PREFIX = "quizzer-import-"
_COLLECTIONS = ("collection.anki21", "collection.anki2")  # newest legacy format first
_NEW_FORMAT = "collection.anki21b"
_SQLITE_HEADER = b"SQLite format 3\x00"
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # all Anki writes; both read in bounded steps
_COPY_CHUNK = 64 * 1024
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
        with open_regular(package) as handle:  # a FIFO or a device is refused here, before any read blocks
            size = os.fstat(handle.fileno()).st_size
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
        if info.compress_type not in _METHODS:
            # bzip2 and LZMA members are inflated a whole compressed read at a time inside ``zipfile``,
            # before any size check can run (a 631-byte member became 1.2 GB): refuse them.
            raise PackageError(f"{package}: the collection is compressed with method {info.compress_type} "
                               "(bzip2/LZMA); Anki packages use deflate. Not imported.")
        if info.file_size > MAX_COLLECTION_BYTES:
            raise PackageError(f"{package}: the collection is larger than {MAX_COLLECTION_BYTES // 1024 // 1024} MB.")
        copied = 0
        try:
            with archive.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(_COPY_CHUNK):  # deflate output is bounded by the request
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
    conn.text_factory = _text  # a field that is not UTF-8 is read with U+FFFD, not an error quoting it
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


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep the arrays and objects of a JSON text nest, stopping at ``limit + 1``: one linear scan,
    so a note-types JSON nested 200,000 deep is refused before ``json.loads`` recurses into it."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _models(conn: sqlite3.Connection, tables: set[str]) -> dict[int, tuple[str, bool]]:
    """Note type id -> (name, is cloze)."""
    models: dict[int, tuple[str, bool]] = {}
    if "col" in tables:
        row = conn.execute(
            "SELECT CASE WHEN length(models) <= ? THEN models END FROM col LIMIT 1", (MAX_MODELS_CHARS,)
        ).fetchone()
        if row and isinstance(row[0], str) and row[0].strip():
            try:
                data = json.loads(row[0]) if json_depth(row[0]) <= MAX_JSON_DEPTH else {}
            except (ValueError, RecursionError):
                data = {}
            if isinstance(data, dict):
                for key, model in data.items():
                    if isinstance(model, dict) and len(key) <= 20 and key.lstrip("-").isdigit():
                        models[int(key)] = (str(model.get("name", ""))[:200], model.get("type") == 1)
    if not models and "notetypes" in tables:
        query = "SELECT id, substr(name, 1, 200) FROM notetypes WHERE typeof(id) = 'integer' LIMIT 10000"
        for model_id, name in conn.execute(query):
            models[int(model_id)] = (str(name), False)  # the kind is in a protobuf: cloze is found by content
    return models


def remove_stale_temporaries(now: float | None = None) -> None:
    """Delete the private folders of imports that were killed (SIGKILL skips the clean-up): ours only,
    older than an hour, never following a symlink."""
    folder = tempfile.gettempdir()
    cutoff = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mtime < cutoff:
            shutil.rmtree(entry.path, ignore_errors=True)


MAX_DEFAULT_CHARS = 1024  # Anki's own schema has defaults of a few characters


def _check_defaults(conn: sqlite3.Connection, package: Path) -> None:
    """Refuse a notes table whose schema gives a column a huge DEFAULT: added with ALTER TABLE, it costs
    nothing in the file yet is produced afresh for every row read (36 KB of package -> 500 MB of tags)."""
    for column in conn.execute("SELECT name, length(dflt_value) FROM pragma_table_info('notes')"):
        name, size = column
        if isinstance(size, int) and size > MAX_DEFAULT_CHARS:
            raise PackageError(f"{package}: the notes table gives {str(name)[:40]!r} a default of {size} characters, "
                               "which Anki never writes; not imported.")


_NOTES_QUERY = """
SELECT substr(guid, 1, :guid), length(substr(guid, 1, :guid + 1)) > :guid,
       CASE WHEN typeof(mid) = 'integer' THEN mid END,
       substr(tags, 1, :tags), length(substr(tags, 1, :tags + 1)) > :tags,
       CASE WHEN length(flds) <= :note THEN flds END, length(flds)
FROM notes ORDER BY id
"""


def read_notes(package: Path, skipped: list[str] | None = None) -> list[Note]:
    """The notes of an Anki package, read as described in the module docstring.

    Every value is bounded inside SQLite (``substr``/``length``), so an oversized guid, tag list or field
    -- or a column DEFAULT that gives every row 100 KB of tags -- never reaches Python; such notes are
    left out and named in ``skipped``. The text read from all notes together is bounded too.
    """
    skipped = skipped if skipped is not None else []
    remove_stale_temporaries()
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
        collection = Path(folder) / "collection.sqlite"
        _copy_collection(package, collection)
        try:
            conn = _open_readonly(collection)
        except sqlite3.Error as error:
            raise PackageError(f"{package}: cannot open the collection: {error}") from None
        try:
            return list(_notes(conn, package, skipped))
        except sqlite3.Error as error:
            raise PackageError(f"{package}: the collection cannot be read ({error}).") from None
        finally:
            conn.close()


def _notes(conn: sqlite3.Connection, package: Path, skipped: list[str]) -> Iterator[Note]:
    tables = _tables(conn)
    if "notes" not in tables:
        raise PackageError(f"{package}: the collection has no notes table.")
    _check_defaults(conn, package)
    models = _models(conn, tables)
    limits = {"guid": MAX_GUID_CHARS, "tags": MAX_TAGS_CHARS, "note": MAX_NOTE_CHARS}
    total = 0
    rows = conn.execute(_NOTES_QUERY, limits)
    for count, (guid, long_guid, mid, tags, long_tags, fields, size) in enumerate(rows, start=1):
        if count > MAX_NOTES:
            raise PackageError(f"{package} has more than {MAX_NOTES} notes; split it in Anki first.")
        guid = strip_controls(str(guid or ""))
        name = f"note {count}" + (f" ({guid[:40]!r})" if guid and not long_guid else "")
        if long_guid:
            skipped.append(f"{name}: a guid longer than {MAX_GUID_CHARS} characters")
            continue
        if long_tags:
            skipped.append(f"{name}: tags longer than {MAX_TAGS_CHARS} characters")
            continue
        if not isinstance(fields, str):
            reason = (f"fields larger than {MAX_NOTE_CHARS // 1024} KB" if isinstance(size, int) and size
                      else "no text in its fields")
            skipped.append(f"{name}: {reason}")
            continue
        total += len(fields) + len(guid) + len(tags or "")
        if total > MAX_TEXT_READ:
            raise PackageError(f"{package} holds more than {MAX_TEXT_READ // 1024 // 1024} MB of note text; "
                               "split it in Anki first.")
        parts = fields.split("\x1f")
        model, cloze = models.get(mid, ("", False)) if isinstance(mid, int) else ("", False)
        cloze = cloze or has_cloze(parts[0])
        yield Note(guid, model, cloze, parts, str(tags or "").split())


# -- notes to cards -------------------------------------------------------------------------------


def cloze_markers(text: str) -> Iterator[tuple[int, int, int, str, str | None]]:
    """Each ``{{cN::answer::hint}}`` in ``text``: (start, end, N, answer, hint), left to right.

    Read by hand in one pass (the regular expression it replaces backtracked in cubic time on
    ``"{{c1::" * 3000``). Same meaning: the marker ends at the first ``}}`` after ``{{cN::``, the
    answer runs to the first ``::`` inside it, and what follows is the hint.
    """
    position = 0
    while (start := text.find("{{c", position)) >= 0:
        digits_end = start + 3
        while digits_end < len(text) and text[digits_end].isascii() and text[digits_end].isdigit():
            digits_end += 1
        if digits_end == start + 3 or not text.startswith("::", digits_end):
            position = start + 1
            continue
        close = text.find("}}", digits_end + 2)
        if close < 0:
            return  # no later marker can close either
        answer, separator, hint = text[digits_end + 2:close].partition("::")
        yield start, close + 2, int(text[start + 3:digits_end][:9]), answer, hint if separator else None
        position = close + 2


def has_cloze(text: str) -> bool:
    return next(cloze_markers(text), None) is not None


def cloze_cards(text: str) -> list[tuple[int, str, str]]:
    """(number, front HTML, back HTML) for each cloze number in an Anki cloze field. Each card is one
    more pass over the text, so only as many as :data:`MAX_CLOZE_WORK` allows are made (the first ones);
    :func:`note_cards` leaves such a note out instead."""
    markers = list(cloze_markers(text))
    budget = max(1, min(MAX_CLOZE_NUMBERS, MAX_CLOZE_WORK // max(1, len(text))))
    numbers = sorted({number for _, _, number, _, _ in markers})[:budget]
    cards = []
    for number in numbers:
        front: list[str] = []
        back: list[str] = []
        position = 0
        for start, end, marker, answer, hint in markers:
            front.append(text[position:start])
            back.append(text[position:start])
            if marker == number:
                front.append(f"[{hint}…]" if hint else "[…]")
                back.append(f"<b>{answer}</b>")
            else:
                front.append(answer)
                back.append(answer)
            position = end
        front.append(text[position:])
        back.append(text[position:])
        cards.append((number, "".join(front), "".join(back)))
    return cards


def _fits(text: str) -> bool:
    return 0 < len(text) <= MAX_TEXT


def note_cards(note: Note, used: dict[str, int]) -> tuple[list[dict[str, Any]], str | None]:
    """The deck cards of one note, or a reason it was left out."""
    if note.cloze:
        gaps = len({number for _, _, number, _, _ in cloze_markers(note.fields[0])})
        if gaps * len(note.fields[0]) > MAX_CLOZE_WORK or gaps > MAX_CLOZE_NUMBERS:
            return [], f"{gaps} cloze gaps in {len(note.fields[0])} characters: too many to make cards of"
    tags = tag_slugs(strip_controls(tag) for tag in note.tags)
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


def _note_name(note: Note) -> str:
    """How a left-out note is named: the start of its first field, else its guid."""
    start = note.fields[0][:2000] if note.fields else ""
    try:
        preview = html_to_markdown(start)[:50].replace("\n", " ")
    except Exception:  # noqa: BLE001 - the name is only a courtesy
        preview = ""
    return repr(preview) if preview else f"note {note.guid[:40]!r}"


def import_anki(package: Path, deck_id: str, *, title: str | None = None) -> Imported:
    """Read ``package`` and make the deck ``deck_id`` (validated YAML)."""
    if not is_slug(deck_id):
        raise UsageError(f"--deck {deck_id!r}: a deck id is a slug (lowercase letters, digits, single dashes).")
    cards: list[dict[str, Any]] = []
    skipped: list[str] = []
    used: dict[str, int] = {}
    notices = 0
    for note in read_notes(package, skipped):
        if any(_UPDATE_NOTICE in part[:2000].lower() for part in note.fields[:1]):
            notices += 1
            continue
        try:
            made, reason = note_cards(note, used)
        except Exception as error:  # noqa: BLE001 - one strange note must not lose the good ones
            made, reason = [], f"could not be read ({type(error).__name__})"
        if reason:
            skipped.append(f"{_note_name(note)}: {reason}")
        cards.extend(made)
    if not cards:
        if notices:
            raise PackageError(_new_format_message(package))
        raise PackageError(f"{package}: no note could be turned into a card"
                           + (f" ({len(skipped)} left out: {skipped[0]})" if skipped else "."))
    if len(cards) > MAX_CARDS:
        raise PackageError(f"{package} makes {len(cards)} cards; a deck holds at most {MAX_CARDS}. "
                           "Split it in Anki first.")
    name = strip_controls(title or title_from_id(deck_id))
    data = {"id": deck_id, "title": name,
            "description": strip_controls(f"Imported from the Anki package {package.name}."),
            "cards": cards}
    text, deck = validated_yaml(data, f"{deck_id}.yaml")
    return Imported(text, len(deck.cards), skipped, name)
