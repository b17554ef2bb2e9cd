from __future__ import annotations

import itertools
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

NoteSpec = tuple[str, list[str], list[str], str]  # model ("basic" or "cloze"), fields, tags, guid


def write_collection(path: Path, notes: list[NoteSpec]) -> None:
    """An Anki collection (schema 11, as genanki writes it) holding ``notes``."""
    import genanki

    models = {"basic": genanki.BASIC_MODEL, "cloze": genanki.CLOZE_MODEL}
    deck = genanki.Deck(2059400110, "Imported::Sub")
    for model, fields, tags, guid in notes:
        deck.add_note(genanki.Note(model=models[model], fields=fields, tags=tags, guid=guid))
    conn = sqlite3.connect(path)
    try:
        genanki.Package([deck]).write_to_db(conn.cursor(), 1_700_000_000.0, itertools.count(1_700_000_000_000))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def make_apkg(tmp_path: Path) -> Callable[..., Path]:
    def make(notes: list[NoteSpec], *, name: str = "deck.apkg", member: str = "collection.anki2",
             extra: dict[str, bytes] | None = None) -> Path:
        collection = tmp_path / f"{name}.collection"
        write_collection(collection, notes)
        package = tmp_path / name
        with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(collection, member)
            archive.writestr("media", "{}")
            for entry, data in (extra or {}).items():
                archive.writestr(entry, data)
        collection.unlink()
        return package

    return make
