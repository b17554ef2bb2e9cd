"""Static cards -> an Anki package (.apkg), to study them on a phone.

One note per card with a Front and a Back field (HTML made from the card's Markdown), the card's tags,
and a guid derived from deck and card id, so exporting again updates the notes already in Anki instead
of duplicating them. Model and deck ids are derived from the Quizzer deck id for the same reason.
Generated cards are left out: they need Quizzer to make a fresh problem.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from quizzer.decks.model import AnyCard, ChoiceCard, Deck, GeneratedCard, NumericCard
from quizzer.errors import UsageError
from quizzer.exchange.markup import markdown_inline_html, markdown_to_html

if TYPE_CHECKING:
    import genanki

PARENT_DECK = "Quizzer"
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.nightMode .card, .night_mode .card { color: #eee; background: #222; }
.answer-value { font-weight: bold; }
.source { font-size: 14px; color: #888; }
table { border-collapse: collapse; } td, th { border: 1px solid #aaa; padding: 2px 6px; }
"""


def anki_id(kind: str, deck_id: str) -> int:
    """A stable id in genanki's recommended range [2**30, 2**31) for this deck's Anki model or deck."""
    digest = hashlib.sha256(f"quizzer:{kind}:{deck_id}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.10g}"


def card_fields(card: AnyCard) -> tuple[str, str]:
    """(front, back) HTML of a static card."""
    front = markdown_to_html(card.front or "")
    back: list[str] = []
    if isinstance(card, ChoiceCard):
        options = "".join(f"<li>{markdown_inline_html(option)}</li>" for option in card.options)
        front += f'\n<ol type="A">{options}</ol>'
        label = "Answer" if len(card.answers) == 1 else "Answers"
        answers = ", ".join(markdown_inline_html(answer) for answer in card.answers)
        back.append(f'<p>{label}: <span class="answer-value">{answers}</span></p>')
    elif isinstance(card, NumericCard):
        absolute, relative = card.tolerance, card.rel_tolerance
        within = f" (± {_number(absolute)})" if absolute else f" (± {relative:.0%})" if relative else ""
        unit = f" {html.escape(card.unit)}" if card.unit else ""
        back.append(f'<p>Answer: <span class="answer-value">{_number(card.answer)}{unit}</span>{within}</p>')
    explanation = getattr(card, "explanation", None)
    for text in (explanation, card.back):
        if text:
            back.append(markdown_to_html(text))
    if card.source:
        back.append(f'<p class="source">Source: {html.escape(card.source)}</p>')
    return front, "\n".join(back)


@dataclass(frozen=True, slots=True)
class AnkiExport:
    path: Path
    decks: int
    notes: int
    skipped_generated: int


def _model(deck: Deck) -> genanki.Model:
    import genanki

    return genanki.Model(
        anki_id("model", deck.id),
        f"Quizzer: {deck.id}",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}\n<hr id="answer">\n{{Back}}'}],
        css=CSS,
    )


def build_package(decks: list[Deck]) -> tuple[genanki.Package, int, int]:
    """The genanki package of ``decks``, with the numbers of notes written and generated cards skipped."""
    import genanki

    anki_decks = []
    notes = skipped = 0
    for deck in decks:
        model = _model(deck)
        anki_deck = genanki.Deck(anki_id("deck", deck.id), f"{PARENT_DECK}::{deck.title}",
                                 description=html.escape(deck.description))
        for card in deck.cards:
            if isinstance(card, GeneratedCard):
                skipped += 1
                continue
            front, back = card_fields(card)
            anki_deck.add_note(genanki.Note(model=model, fields=[front, back], tags=deck.card_tags(card),
                                            guid=genanki.guid_for("quizzer", deck.id, card.id)))
            notes += 1
        anki_decks.append(anki_deck)
    return genanki.Package(anki_decks), notes, skipped


def export_anki(decks: list[Deck], out: Path, *, now: datetime) -> AnkiExport:
    """Write ``decks`` to ``out`` as an .apkg (atomically). ``now`` stamps the notes (Anki wants a time)."""
    if not decks:
        raise UsageError("No decks to export.")
    package, notes, skipped = build_package(decks)
    if notes == 0:
        raise UsageError("These decks have only generated cards; Anki cannot show those.")
    timestamp = now.timestamp()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with tempfile.TemporaryDirectory(prefix="quizzer-apkg-") as folder:
        collection = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(collection)
        try:
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.write(collection, "collection.anki2")
                archive.writestr("media", "{}")
            os.replace(partial, out)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise UsageError(f"Cannot write {out}: {error.strerror or error}") from None
    return AnkiExport(out, len(decks), notes, skipped)
