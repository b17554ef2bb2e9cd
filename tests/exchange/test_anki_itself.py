"""An exported package imports into Anki itself: Anki's own library (the `anki` package, the same Rust
backend the desktop and mobile apps use) reads it into a fresh collection."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions

from quizzer.decks.model import GeneratedCard
from quizzer.exchange.anki_export import export_anki
from tests.builtin_decks import builtin_decks
from tests.exchange.test_anki_export import NOW


def test_builtin_decks_import_into_anki(tmp_path: Path) -> None:
    decks = list(builtin_decks().values())
    result = export_anki(decks, tmp_path / "quizzer.apkg", now=NOW)
    static = sum(1 for deck in decks for card in deck.cards if not isinstance(card, GeneratedCard))

    collection = Collection(str(tmp_path / "collection.anki2"))
    try:
        imported = collection.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(result.path), options=ImportAnkiPackageOptions(with_scheduling=False)
            )
        )
        assert len(imported.log.new) == static == result.notes
        assert collection.note_count() == static
        names = {deck.name for deck in collection.decks.all_names_and_ids()}
        assert {f"Quizzer::{deck.title}" for deck in decks} <= names
        note = collection.get_note(collection.find_notes('"deck:Quizzer::Evaluation metrics*" tag:stage-05')[0])
        assert len(note.fields) == 2 and all(field.strip() for field in note.fields)
        assert "stage-05" in note.tags
    finally:
        collection.close()
