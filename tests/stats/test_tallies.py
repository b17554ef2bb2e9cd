"""The running totals behind the statistics (migrations m003 and m004) agree with the review log they
summarise."""

from __future__ import annotations

import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.decks import parse_deck
from quizzer.sm2 import SM2State
from quizzer.stats import compute
from quizzer.store import ReviewRecord, Store
from quizzer.store.migrations import (
    MATURE_DAYS,
    MAX_ANSWER_MS,
    MIGRATIONS,
    SCHEMA_VERSION,
    rebuild_review_classes,
    rebuild_tallies,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_support import caught_up, per_deck_rows  # noqa: E402

START = date(2026, 3, 2)
CARDS = [("d1", "a"), ("d1", "b"), ("d2", "c"), ("d2", "d")]

event = st.tuples(
    st.integers(0, len(CARDS) - 1),  # card
    st.integers(0, 5),  # day
    st.integers(0, 5),  # quality
    st.booleans(),  # re-ask
    st.sampled_from([None, True, False]),  # correct
    st.one_of(st.none(), st.integers(0, 2 * MAX_ANSWER_MS)),  # response time
    st.one_of(st.none(), st.integers(0, 60)),  # interval before; None: never reviewed before
    st.integers(-2, 2),  # due day before, relative to the review's study day
    st.integers(0, 3),  # repetitions before
)


def write(store: Store, events: list[tuple[Any, ...]]) -> None:
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1][1], pair[0]))  # the log runs forward in time
    for minute, (_, (card, day, quality, reask, correct, ms, interval, *rest)) in enumerate(ordered):
        due_offset, repetitions = rest or (0, 2)
        deck_id, card_id = CARDS[card]
        study_day = START + timedelta(days=day)
        before = SM2State() if interval is None else SM2State(
            interval=interval, repetitions=repetitions, due=study_day + timedelta(days=due_offset))
        after = SM2State(interval=1, repetitions=1, due=study_day + timedelta(days=1))
        moment = datetime.combine(study_day, datetime.min.time(), UTC) + timedelta(hours=6, minutes=minute)
        store.record(ReviewRecord(deck_id, card_id, moment, study_day, quality, before, after, correct=correct,
                                  response_ms=ms, reask=reask))


def expected_tallies(rows: list[dict[str, Any]]) -> tuple[dict[tuple[int, str], list[int]], dict[tuple[str, str], list[int]]]:
    """The definitions, computed directly from the log."""
    days: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 12)
    cards: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 4)
    first_of_day: set[tuple[str, str, str]] = set()
    for row in sorted(rows, key=lambda r: r["id"]):
        day = date.fromisoformat(row["study_day"]).toordinal()
        passed = row["correct"] if row["correct"] is not None else row["quality"] >= 3
        ms = None if row["response_ms"] is None else min(row["response_ms"], MAX_ANSWER_MS)
        first = not row["reask"]
        key = (row["deck_id"], row["card_id"], row["study_day"])
        counted = first and row["due_before"] is not None and key not in first_of_day
        if first:
            first_of_day.add(key)
        mature = (row["interval_before"] or 0) >= MATURE_DAYS
        good = row["quality"] >= 3
        values = [1, int(row["reask"]), int(first and passed), int(row["correct"] is not None),
                  int(row["correct"] is True), int(good), int(ms is not None), ms or 0,
                  int(counted and not mature), int(counted and not mature and good),
                  int(counted and mature), int(counted and mature and good)]
        totals = days[(day, row["deck_id"])]
        for index, value in enumerate(values):
            totals[index] += value
        card = cards[(row["deck_id"], row["card_id"])]
        for index, value in enumerate([int(first), int(first and passed), int(ms is not None), ms or 0]):
            card[index] += value
    return dict(days), dict(cards)


def stored_tallies(conn: sqlite3.Connection) -> tuple[dict[tuple[int, str], list[int]], dict[tuple[str, str], list[int]]]:
    caught_up(conn)
    days = {(day, deck): list(values) for deck, day, *values in per_deck_rows(conn, "deck_review_days")}
    all_days = {day: list(values) for day, *values in conn.execute("SELECT * FROM review_days")}
    summed: dict[int, list[int]] = {}
    for (day, _), values in days.items():
        summed[day] = [a + b for a, b in zip(summed.get(day, [0] * 12), values, strict=True)]
    assert all_days == summed
    cards = {(deck, card): list(values) for deck, card, *values in conn.execute(
        "SELECT c.deck_id, c.card_id, t.first_asks, t.passed, t.timed, t.answer_ms "
        "FROM card_tallies t JOIN cards c ON c.key = t.card_key")}
    return days, cards


def expected_classes(rows: list[dict[str, Any]]) -> dict[tuple[int, str], list[int]]:
    """m004's definitions, from the log: each review by the card's state before it, row by row."""
    days: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 11)
    for row in rows:
        day = date.fromisoformat(row["study_day"])
        due = None if row["due_before"] is None else date.fromisoformat(row["due_before"])
        if row["reask"] or due is None:
            kind = None
        elif due > day:
            kind = "early"
        elif row["repetitions_before"] == 0:
            kind = "relearning"
        else:
            kind = "young" if row["interval_before"] < MATURE_DAYS else "mature"
        good = row["quality"] >= 3
        values = [1]
        for name in ("young", "mature", "relearning", "early"):
            values += [int(kind == name), int(kind == name and good)]
        first = not row["reask"]
        values += [int(first and row["correct"] is not None), int(first and row["correct"] is True)]
        totals = days[(day.toordinal(), row["deck_id"])]
        for index, value in enumerate(values):
            totals[index] += value
    return dict(days)


def stored_classes(conn: sqlite3.Connection) -> dict[tuple[int, str], list[int]]:
    """One deck's classes per day as the statistics read them (m012: from the log), after checking that
    m008's ``review_classes`` holds their sums by day."""
    caught_up(conn)
    days = {(day, deck): list(values) for deck, day, *values in per_deck_rows(conn, "deck_review_classes")}
    summed: dict[int, list[int]] = {}
    for (day, _), values in days.items():
        summed[day] = [a + b for a, b in zip(summed.get(day, [0] * 11), values, strict=True)]
    assert {day: list(values) for day, *values in conn.execute("SELECT * FROM review_classes")} == summed
    return days


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, max_size=40))
def test_catch_up_and_rebuild_match_the_definitions(events: list[tuple[Any, ...]]) -> None:
    with Store(":memory:") as store:
        # Read part-way too, so some answers are counted by an earlier catch-up and the rest by a later one.
        write(store, events[: len(events) // 2])
        caught_up(store.conn)
        write(store, events[len(events) // 2 :])
        expected = expected_tallies(list(store.reviews()))
        classes = expected_classes(list(store.reviews()))
        assert stored_tallies(store.conn) == expected
        assert stored_classes(store.conn) == classes
        store.conn.execute("BEGIN")
        rebuild_tallies(store.conn)
        rebuild_review_classes(store.conn)
        store.conn.execute("COMMIT")
        assert stored_tallies(store.conn) == expected
        assert stored_classes(store.conn) == classes


def _copy_rows(source: Store, target: sqlite3.Connection, cards_first: bool) -> None:
    cards = source.conn.execute("SELECT key, deck_id, card_id FROM cards").fetchall()
    # The target's columns only: it may be an older schema than the source's.
    columns = ", ".join(row[1] for row in target.execute("PRAGMA table_info(reviews)"))
    reviews = source.conn.execute(f"SELECT {columns} FROM reviews").fetchall()
    marks = ", ".join("?" * len(reviews[0]))
    if cards_first:
        target.executemany("INSERT INTO cards (key, deck_id, card_id) VALUES (?, ?, ?)", cards)
    target.executemany(f"INSERT INTO reviews ({columns}) VALUES ({marks})", reviews)
    if not cards_first:
        target.executemany("INSERT INTO cards (key, deck_id, card_id) VALUES (?, ?, ?)", cards)


SAMPLE = [(0, 0, 5, False, None, 3000, None), (0, 1, 4, False, True, 5000, 1), (0, 1, 2, False, None, None, 1, 2, 1),
          (1, 1, 1, False, False, 900_000, 30), (1, 1, 4, True, True, 2000, 30), (2, 2, 3, False, None, 1, 25),
          (3, 3, 5, False, None, 4000, None), (3, 4, 2, False, None, 4000, 6, -1, 0)]


def test_reviews_loaded_before_their_cards_are_counted_when_the_card_arrives(tmp_path: Path) -> None:
    with Store(":memory:") as source:
        write(source, SAMPLE)
        expected = expected_tallies(list(source.reviews()))
        classes = expected_classes(list(source.reviews()))
        with Store(tmp_path / "bulk.db") as target:
            target.conn.execute("PRAGMA foreign_keys = OFF")  # as a bulk loader might
            target.conn.execute("BEGIN")
            _copy_rows(source, target.conn, cards_first=False)
            target.conn.execute("COMMIT")
            assert stored_tallies(target.conn) == expected
            # Read before the card rows arrive: nothing to count yet, and the catch-up passes them by; the
            # trigger on ``cards`` counts them when the card row comes.
            target.conn.execute("BEGIN")
            target.conn.execute("DELETE FROM cards")
            rebuild_tallies(target.conn)
            rebuild_review_classes(target.conn)
            target.conn.execute("COMMIT")
            assert stored_tallies(target.conn) == ({}, {})
            assert target.conn.execute("SELECT through FROM tally_mark").fetchone()[0] == len(SAMPLE)
            target.conn.execute("BEGIN")
            target.conn.executemany("INSERT INTO cards (key, deck_id, card_id) VALUES (?, ?, ?)",
                                    source.conn.execute("SELECT key, deck_id, card_id FROM cards").fetchall())
            target.conn.execute("COMMIT")
            assert target.conn.execute("SELECT SUM(reviews) FROM review_days").fetchone()[0] == len(SAMPLE)
            assert stored_tallies(target.conn) == expected
            assert stored_classes(target.conn) == classes


@pytest.mark.parametrize("version", [2, 3])
def test_migration_from_an_older_schema_fills_the_tallies(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    with Store(":memory:") as source:
        write(source, SAMPLE)
        expected = expected_tallies(list(source.reviews()))
        classes = expected_classes(list(source.reviews()))
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        for migration in MIGRATIONS[:version]:
            migration(conn)
        _copy_rows(source, conn, cards_first=True)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
        conn.close()
    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert stored_tallies(store.conn) == expected
        assert stored_classes(store.conn) == classes
        # SAMPLE holds one early review (due two days later) and one relearning review (repetitions 0).
        assert [sum(values[index] for values in classes.values()) for index in (5, 7)] == [1, 1]
    assert len(list((tmp_path / "backups").iterdir())) == 1  # the old schema was backed up first


def test_stale_tallies_are_rebuilt_before_use(tmp_path: Path) -> None:
    deck = parse_deck("id: d1\ntitle: D\ncards:\n  - {id: a, front: q, back: a}\n  - {id: b, front: q, back: a}\n")
    with Store(tmp_path / "q.db") as store:
        write(store, SAMPLE)
        now = datetime.combine(START + timedelta(days=5), datetime.min.time(), UTC) + timedelta(hours=12)
        before = compute(store, [deck], now=now, tz=UTC).to_dict()
        for table in ("review_days", "card_tallies", "review_classes"):
            store.conn.execute(f"DELETE FROM {table}")  # e.g. rows written by a tool with triggers off
        assert compute(store, [deck], now=now, tz=UTC).to_dict() == before
        assert before["total_reviews"] == len(SAMPLE)
