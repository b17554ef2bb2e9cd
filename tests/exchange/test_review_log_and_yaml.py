from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizzer.decks import parse_deck
from quizzer.decks.sources import load_all
from quizzer.errors import UsageError
from quizzer.exchange.deck_yaml import deck_yaml, slugify, tag_slugs
from quizzer.exchange.review_log import COLUMNS, export_reviews
from quizzer.sm2 import review
from quizzer.store import ReviewRecord, Store

DAY = date(2026, 5, 4)


def fill(store: Store) -> None:
    for offset, (deck, card, quality, correct, ms) in enumerate(
            [("d", "a", 5, None, 1200), ("d", "b", 2, False, None), ("e", "c", 4, True, 3000)]):
        before = store.state(deck, card)
        moment = datetime(2026, 5, 4, 9, tzinfo=UTC) + timedelta(minutes=offset)
        store.record(ReviewRecord(deck, card, moment, DAY, quality, before, review(before, quality, DAY),
                                  kind="open" if correct is None else "numeric", answer=None if correct is None else "0.5",
                                  correct=correct, response_ms=ms))


def test_reviews_as_json(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        fill(store)
        assert export_reviews(store.reviews(), tmp_path / "log.json") == 3
        rows = json.loads((tmp_path / "log.json").read_text())
        assert rows == list(store.reviews())
    assert [row["card_id"] for row in rows] == ["a", "b", "c"]
    assert rows[1]["correct"] is False and rows[1]["response_ms"] is None
    assert rows[0]["reviewed_at"] == "2026-05-04T09:00:00+00:00" and rows[0]["study_day"] == "2026-05-04"


def test_reviews_as_csv_for_one_deck(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        fill(store)
        assert export_reviews(store.reviews("d"), tmp_path / "log.csv") == 2
    with (tmp_path / "log.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert [(row["card_id"], row["quality"], row["correct"], row["response_ms"], row["reask"]) for row in rows] == [
        ("a", "5", "", "1200", "0"), ("b", "2", "0", "", "0")]
    assert rows[0]["easiness_after"] == "2.6" and rows[0]["due_before"] == ""


def test_empty_log_and_bad_suffix(tmp_path: Path) -> None:
    assert export_reviews([], tmp_path / "none.json") == 0
    assert json.loads((tmp_path / "none.json").read_text()) == []
    with pytest.raises(UsageError, match=".csv or .json"):
        export_reviews([], tmp_path / "log.txt")


def test_every_builtin_deck_round_trips_through_yaml() -> None:
    collection = load_all(user=False)
    assert collection.decks
    for loaded in collection.decks:
        assert parse_deck(deck_yaml(loaded.deck)) == loaded.deck, loaded.deck.id


def test_yaml_is_readable() -> None:
    deck = parse_deck("""
id: d
title: D
cards:
  - {id: a, front: "Line one\\nline two", back: b, tags: [x, y]}
  - {id: c, kind: choice, front: f, options: [p, q], answer: q, shuffle: false}
""")
    assert deck_yaml(deck) == (
        "id: d\ntitle: D\ncards:\n"
        "- id: a\n  front: |-\n    Line one\n    line two\n  back: b\n  tags: [x, y]\n"
        "- id: c\n  kind: choice\n  front: f\n  options: [p, q]\n  answer: q\n  shuffle: false\n"
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Hello, World!", "hello-world"), ("Ünïcödé  Tag", "unicode-tag"), ("Stats::Bayes", "stats-bayes"),
     ("---", ""), ("R²", "r2")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_tag_slugs_drop_empty_and_duplicates() -> None:
    assert tag_slugs(["A", "a", "", "b c", "!!"]) == ["a", "b-c"]
