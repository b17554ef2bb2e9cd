"""A CSV of front / back / tags -> a Quizzer deck (YAML) of open cards.

With a header row the columns are found by name (``front``/``question``, ``back``/``answer``,
``tags``, and optional ``id`` and ``source``); without one they are front, back, tags in that order.
Comma, semicolon and tab separators are recognised, as are the ``#separator:`` / ``#html:`` lines that
Anki writes at the top of its text exports. Tags are split on spaces, commas or semicolons.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from quizzer.decks.model import MAX_TEXT, is_slug
from quizzer.errors import DeckError, UsageError
from quizzer.exchange.anki_import import MAX_CARDS, Imported
from quizzer.exchange.deck_yaml import slugify, stable_id, tag_slugs, title_from_id, unique, validated_yaml
from quizzer.exchange.markup import html_to_markdown
from quizzer.files import FileTooLarge, read_regular
from quizzer.sanitize import strip_controls

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_ROW_CHARS = 256 * 1024  # one row's cells together, before HTML is read: far above a card's MAX_TEXT
_NAMES = {
    "front": ("front", "question", "q", "prompt"),
    "back": ("back", "answer", "a", "response"),
    "tags": ("tags", "tag", "topics"),
    "id": ("id",),
    "source": ("source",),
}
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


class CsvError(DeckError):
    title = "Cannot import"


def _read_text(path: Path) -> str:
    try:
        data = read_regular(path, MAX_CSV_BYTES)
    except FileTooLarge:
        raise CsvError(f"{path} is larger than {MAX_CSV_BYTES // 1024 // 1024} MB.") from None
    except OSError as error:
        raise CsvError(f"{path}: {error.strerror or error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Excel's "Unicode text")
        try:
            return strip_controls(data.decode("utf-16"))
        except UnicodeDecodeError as error:
            raise CsvError(f"{path} is damaged UTF-16 text (byte {error.start}); save it as UTF-8 CSV.") from None
    head = data[:8192]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4 and min(even, odd) < len(head) // 64 + 1:  # every other byte NUL
            raise CsvError(f"{path} looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV.")
        raise CsvError(f"{path} is a binary file, not CSV.")
    try:
        return strip_controls(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise CsvError(f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV.") from None


def _settings(text: str) -> tuple[str, str | None, bool]:
    """Drop Anki's ``#key:value`` header lines; return the rest, the separator they name, and #html."""
    separator: str | None = None
    as_html = False
    lines = text.splitlines(keepends=True)
    start = 0
    for start, line in enumerate(lines):  # noqa: B007 - start is used after the loop
        match = re.match(r"#([a-z ]+):(.*)$", line.strip())
        if not match:
            break
        key, value = match.group(1).strip(), match.group(2).strip().lower()
        if key == "separator":
            separator = _SEPARATORS.get(value, value[:1] or None)
        elif key == "html":
            as_html = value == "true"
    else:
        start = len(lines)
    return "".join(lines[start:]), separator, as_html


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in header]
    found: dict[str, int] = {}
    for column, aliases in _NAMES.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
                break
    return found if "front" in found and "back" in found else None


def import_csv(path: Path, deck_id: str, *, title: str | None = None) -> Imported:
    if not is_slug(deck_id):
        raise UsageError(f"--deck {deck_id!r}: a deck id is a slug (lowercase letters, digits, single dashes).")
    text, separator, as_html = _settings(_read_text(path))
    if separator is None:
        try:
            separator = csv.Sniffer().sniff(text[:65536], delimiters=",;\t").delimiter
        except csv.Error:
            separator = ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    except csv.Error as error:
        raise CsvError(f"{path}: {error}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise CsvError(f"{path} has no rows.")
    columns = _columns(rows[0])
    first_line = 2 if columns else 1
    if columns is None:
        columns = {"front": 0, "back": 1, "tags": 2}
    else:
        rows = rows[1:]

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        value = row[index].strip() if index is not None and index < len(row) else ""
        return html_to_markdown(value) if as_html and name in ("front", "back") else value

    cards: list[dict[str, Any]] = []
    skipped: list[str] = []
    used: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        if sum(map(len, row)) > MAX_ROW_CHARS:
            skipped.append(f"row {line}: larger than {MAX_ROW_CHARS // 1024} KB")
            continue
        try:
            front, back = cell(row, "front"), cell(row, "back")
        except Exception as error:  # noqa: BLE001 - one strange row must not lose the good ones
            skipped.append(f"row {line}: could not be read ({type(error).__name__})")
            continue
        if not front or not back:
            skipped.append(f"row {line}: {'no front' if not front else 'no back'}")
            continue
        if len(front) > MAX_TEXT or len(back) > MAX_TEXT:
            skipped.append(f"row {line}: text longer than {MAX_TEXT} characters")
            continue
        given = slugify(cell(row, "id"), 80)
        card: dict[str, Any] = {"id": unique(given or stable_id("card", front), used), "front": front, "back": back}
        tags = tag_slugs(re.split(r"[\s,;]+", cell(row, "tags")))
        if tags:
            card["tags"] = tags
        source = cell(row, "source")
        if source:
            card["source"] = source[:500]
        cards.append(card)
    if not cards:
        raise CsvError(f"{path}: no row has both a front and a back" + (f" ({skipped[0]})" if skipped else "."))
    if len(cards) > MAX_CARDS:
        raise CsvError(f"{path} has {len(cards)} cards; a deck holds at most {MAX_CARDS}. Split the file.")
    name = strip_controls(title or title_from_id(deck_id))
    data = {"id": deck_id, "title": name, "description": strip_controls(f"Imported from {path.name}."),
            "cards": cards}
    yaml_text, deck = validated_yaml(data, f"{deck_id}.yaml")
    return Imported(yaml_text, len(deck.cards), skipped, name)
