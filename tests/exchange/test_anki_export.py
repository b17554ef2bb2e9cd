"""The .apkg is a zip holding an Anki collection: open it and check notes, fields, tags and ids."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest

from quizzer.decks import parse_deck
from quizzer.errors import UsageError
from quizzer.exchange.anki_export import anki_id, card_fields, export_anki
from quizzer.exchange.anki_import import import_anki

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
DECK = parse_deck("""
id: metrics
title: Metrics
description: Classification <metrics>
tags: [stage-05]
cards:
  - id: precision
    front: What does **precision** measure? <script>alert(1)</script>
    back: |
      Of everything flagged positive, the share that is positive:

      - TP / (TP + FP)
    tags: [precision]
    source: "course 'stage 05'"
  - id: screening
    kind: choice
    front: Which metric for screening?
    options: [Accuracy, Recall, "`F1`"]
    answer: Recall
    explanation: Missed patients cost most.
  - id: oob
    kind: numeric
    front: Share of rows left out of a bootstrap sample?
    answer: 0.368
    tolerance: 0.005
    unit: "of rows"
    explanation: (1 - 1/n)^n tends to 1/e.
  - {id: cm, kind: generated, generator: confusion-matrix}
""")
OTHER = parse_deck("id: other\ntitle: Other\ncards:\n  - {id: a, front: q, back: a}\n")
VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "embed", "source", "track", "wbr"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def assert_valid_html(fragment: str) -> None:
    parser = _Balance()
    parser.feed(fragment)
    parser.close()
    assert not parser.errors and not parser.stack, fragment
    assert not genanki.Note._find_invalid_html_tags_in_field(fragment)


def open_collection(package: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {}
        target = tmp_path / "opened.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(target)


def test_package_is_an_anki_collection_with_one_note_per_static_card(tmp_path: Path) -> None:
    result = export_anki([DECK, OTHER], tmp_path / "out.apkg", now=NOW)
    assert (result.decks, result.notes, result.skipped_generated) == (2, 4, 1)
    conn = open_collection(result.path, tmp_path)
    try:
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        model = models[str(anki_id("model", "metrics"))]
        assert [field["name"] for field in model["flds"]] == ["Front", "Back"]
        assert decks[str(anki_id("deck", "metrics"))]["name"] == "Quizzer::Metrics"
        assert decks[str(anki_id("deck", "other"))]["name"] == "Quizzer::Other"
        assert (1 << 30) <= anki_id("deck", "metrics") < (1 << 31)

        notes = {guid: (mid, tags, flds.split("\x1f")) for guid, mid, tags, flds in
                 conn.execute("SELECT guid, mid, tags, flds FROM notes")}
        assert len(notes) == 4
        by_card = {card: notes[genanki.guid_for("quizzer", deck, card)]
                   for deck, card in [("metrics", "precision"), ("metrics", "screening"), ("metrics", "oob"),
                                      ("other", "a")]}
        mid, tags, (front, back) = by_card["precision"]
        assert mid == anki_id("model", "metrics")
        assert tags.split() == ["stage-05", "precision"]
        assert front == "<p>What does <strong>precision</strong> measure? &lt;script&gt;alert(1)&lt;/script&gt;</p>"
        assert "<li>TP / (TP + FP)</li>" in back and "course &#x27;stage 05&#x27;" in back

        _, tags, (front, back) = by_card["screening"]
        assert tags.split() == ["stage-05"]
        assert '<ol type="A"><li>Accuracy</li><li>Recall</li><li><code>F1</code></li></ol>' in front
        assert back.startswith('<p>Answer: <span class="answer-value">Recall</span></p>')
        assert "Missed patients cost most." in back

        _, _, (front, back) = by_card["oob"]
        assert '<span class="answer-value">0.368 of rows</span> (± 0.005)' in back
        assert "1/e" in back

        for _, _, fields in notes.values():
            for field in fields:
                assert_valid_html(field)
        # Every note has its card, in its deck.
        cards = conn.execute("SELECT n.guid, c.did FROM cards c JOIN notes n ON n.id = c.nid").fetchall()
        assert len(cards) == 4
        assert {did for _, did in cards} == {anki_id("deck", "metrics"), anki_id("deck", "other")}
    finally:
        conn.close()


def test_ids_are_stable_between_exports(tmp_path: Path) -> None:
    first = export_anki([DECK], tmp_path / "1.apkg", now=NOW)
    second = export_anki([DECK], tmp_path / "2.apkg", now=datetime(2027, 1, 1, tzinfo=UTC))

    def ids(path: Path) -> tuple[set, set, set]:
        conn = open_collection(path, tmp_path)
        try:
            return (set(conn.execute("SELECT guid FROM notes")), set(conn.execute("SELECT mid FROM notes")),
                    set(conn.execute("SELECT did FROM cards")))
        finally:
            conn.close()

    assert ids(first.path) == ids(second.path)


def test_only_generated_cards_is_an_error(tmp_path: Path) -> None:
    generated = parse_deck("id: g\ntitle: G\ncards:\n  - {id: x, kind: generated, generator: confusion-matrix}\n")
    with pytest.raises(UsageError, match="only generated cards"):
        export_anki([generated], tmp_path / "g.apkg", now=NOW)
    assert not (tmp_path / "g.apkg").exists()


@pytest.mark.parametrize(
    ("card", "front", "back"),
    [
        ("{id: a, front: 'a < b & c', back: '*x*'}", "<p>a &lt; b &amp; c</p>", "<p><em>x</em></p>"),
        ("{id: a, kind: numeric, front: n, answer: 3}", "<p>n</p>",
         '<p>Answer: <span class="answer-value">3</span></p>'),
        ("{id: a, kind: numeric, front: n, answer: 0.5, rel_tolerance: 0.02}", "<p>n</p>",
         '<p>Answer: <span class="answer-value">0.5</span> (± 2%)</p>'),
        ("{id: a, kind: choice, front: c, options: [x, y, z], answer: [x, z]}",
         '<p>c</p>\n<ol type="A"><li>x</li><li>y</li><li>z</li></ol>',
         '<p>Answers: <span class="answer-value">x, z</span></p>'),
    ],
)
def test_card_fields(card: str, front: str, back: str) -> None:
    deck = parse_deck(f"id: d\ntitle: D\ncards:\n  - {card}\n")
    assert card_fields(deck.cards[0]) == (front, back)


def test_exported_package_imports_back(tmp_path: Path) -> None:
    export_anki([DECK], tmp_path / "round.apkg", now=NOW)
    imported = import_anki(tmp_path / "round.apkg", "metrics-again")
    assert imported.cards == 3
    assert "What does **precision** measure?" in imported.text
