"""Migration m008's ``review_classes`` (m004's review classes summed over all decks) stays equal to a rebuild
from the log: after drill writes, after a sync merge of another device's log, and after migrating a database
that predates it; and the statistics read from it are the figures summed from each deck's reviews."""

from __future__ import annotations

import random
import sqlite3
import sys
from datetime import UTC, timedelta
from pathlib import Path

from quizzer.decks import parse_deck
from quizzer.stats import compute
from quizzer.store import Store
from quizzer.store.migrations import (
    MIGRATIONS,
    REVIEW_VALUES,
    SCHEMA_VERSION,
    m008_all_deck_classes,
    rebuild_review_classes,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_support import START, answer, caught_up, per_deck_rows  # noqa: E402

from quizzer.sync import sync  # noqa: E402


def deck_class_sums(conn: sqlite3.Connection) -> list[tuple[int, ...]]:
    """Each deck's classes per day (as one deck's statistics read them: from the log since m012) summed by day."""
    summed: dict[int, list[int]] = {}
    for _deck, day, *values in per_deck_rows(conn, "deck_review_classes"):
        summed[day] = [a + b for a, b in zip(summed.get(day, [0] * len(values)), values, strict=True)]
    return [(day, *values) for day, values in sorted(summed.items())]


def all_deck_classes(conn: sqlite3.Connection) -> list[tuple[int, ...]]:
    """``review_classes`` as the statistics read it: brought up to date with the answers since (m009)."""
    caught_up(conn)
    return conn.execute("SELECT * FROM review_classes ORDER BY study_day").fetchall()


def rebuilt(conn: sqlite3.Connection) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """``review_classes`` recomputed from the log (rolled back), and each deck's classes summed by day."""
    conn.execute("BEGIN")
    try:
        rebuild_review_classes(conn)
        return all_deck_classes(conn), deck_class_sums(conn)
    finally:
        conn.execute("ROLLBACK")


def assert_matches_the_log(store: Store) -> None:
    kept = all_deck_classes(store.conn)
    assert kept == deck_class_sums(store.conn)  # the sum of each deck's rows
    assert (kept, kept) == rebuilt(store.conn)
    assert sum(row[1] for row in kept) == store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


def drill(store: Store, rng: random.Random, days: int, *, offset: timedelta = timedelta(0)) -> None:
    """Answers over ``days`` days in three decks, with lapses and re-asks, as the drill records them."""
    for day in range(days):
        now = START + timedelta(days=day)
        for index in range(12):
            card, deck = f"c{rng.randrange(8)}", f"deck{rng.randrange(3)}"
            quality = rng.choice([1, 3, 4, 5, 5])
            at = now + timedelta(minutes=5 * index)
            answer(store, card, quality, at, deck=deck, offset=offset)
            if quality < 3:
                answer(store, card, 4, at + timedelta(minutes=1), deck=deck, reask=True, offset=offset)


def test_drill_writes_and_a_sync_merge_keep_the_all_deck_table(tmp_path: Path) -> None:
    rng = random.Random(8)
    folder = tmp_path / "sync"
    with Store(tmp_path / "a.db") as laptop, Store(tmp_path / "b.db") as phone:
        drill(laptop, rng, 20)
        drill(phone, rng, 25, offset=timedelta(hours=3))
        assert_matches_the_log(laptop)
        sync(laptop, folder)
        sync(phone, folder)  # merges the laptop's log into the phone's, through the set-wise tally path
        sync(laptop, folder)
        for store in (laptop, phone):
            assert_matches_the_log(store)
        assert all_deck_classes(laptop.conn) == all_deck_classes(phone.conn)
        # Young, relearning and early reviews are all there to be counted.
        assert all(sum(row[index] for row in all_deck_classes(phone.conn)) for index in (2, 6, 8))


def test_migrating_an_existing_database_fills_it(tmp_path: Path) -> None:
    previous = MIGRATIONS.index(m008_all_deck_classes)
    path = tmp_path / "old.db"
    with Store(tmp_path / "source.db") as source:
        drill(source, random.Random(3), 30)
        expected = all_deck_classes(source.conn)
        columns = ", ".join(("id", *REVIEW_VALUES))  # as m006's row stores them all
        cards = source.conn.execute("SELECT key, deck_id, card_id FROM cards").fetchall()
        reviews = source.conn.execute(f"SELECT {columns} FROM reviews ORDER BY id").fetchall()
        device = source.conn.execute("SELECT id FROM devices WHERE local = 1").fetchone()[0]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:previous]:
        migration(conn)
    conn.execute("UPDATE devices SET id = ?", (device,))
    conn.executemany("INSERT INTO cards (key, deck_id, card_id) VALUES (?, ?, ?)", cards)
    conn.executemany(f"INSERT INTO reviews ({columns}) VALUES ({', '.join('?' * len(reviews[0]))})", reviews)
    conn.execute(f"PRAGMA user_version = {previous}")
    conn.execute("COMMIT")
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'review_classes'").fetchone() is None
    conn.close()
    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert all_deck_classes(store.conn) == expected
        assert_matches_the_log(store)
        drill(store, random.Random(4), 3)  # counted when next read, after the migration too
        assert_matches_the_log(store)


def test_statistics_read_the_same_figures_as_from_the_per_deck_table(tmp_path: Path) -> None:
    decks = [
        parse_deck(
            f"id: deck{n}\ntitle: D\ncards:\n"
            + "".join(f"  - {{id: c{i}, front: q, back: a}}\n" for i in range(8))
        )
        for n in range(3)
    ]
    with Store(tmp_path / "q.db") as store:
        drill(store, random.Random(5), 40)
        now = START + timedelta(days=40)
        figures = compute(store, decks, now=now, tz=UTC).to_dict()
        per_deck = [compute(store, decks, now=now, deck_id=deck.id, tz=UTC).to_dict() for deck in decks]
        # Emptied behind the triggers' back: the statistics notice and rebuild it from the log.
        store.conn.execute("DELETE FROM review_classes")
        assert compute(store, decks, now=now, tz=UTC).to_dict() == figures
        # The all-decks retention (per-day tallies) is the sum of each deck's (summed from its reviews).
        for key in ("young", "mature", "relearning", "early"):
            assert figures["retention"][key]["reviews"] == sum(
                f["retention"][key]["reviews"] for f in per_deck
            )
            assert figures["retention"][key]["passed"] == sum(f["retention"][key]["passed"] for f in per_deck)
        assert figures["retention"]["all"]["reviews"] > 0


def test_one_decks_figures_are_those_of_a_log_holding_only_its_reviews(tmp_path: Path) -> None:
    """m012: one deck's days and classes are summed from its reviews in the log (no per-deck tables), and
    come out as the all-decks figures of a copy of the log from which every other deck's reviews are gone."""
    decks = [
        parse_deck(f"id: deck{n}\ntitle: D\ncards:\n  - {{id: c0, front: q, back: a}}\n") for n in range(3)
    ]
    now = START + timedelta(days=10)
    with Store(tmp_path / "q.db") as store:
        drill(store, random.Random(6), 10)
        figures = compute(store, decks, now=now, deck_id="deck1", tz=UTC).to_dict()
        tables = {name for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"deck_review_days", "deck_review_classes"}
        store.backup(tmp_path / "only.db")
    assert figures["total_reviews"] > 0
    with Store(tmp_path / "only.db") as only:
        only.conn.execute("DELETE FROM reviews WHERE card_key IN (SELECT key FROM cards WHERE deck_id <> 'deck1')")
        only.conn.execute("DELETE FROM cards WHERE deck_id <> 'deck1'")
        alone = compute(only, decks[1:2], now=now, tz=UTC).to_dict()
    assert {**alone, "deck": "deck1"} == figures
