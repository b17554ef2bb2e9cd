"""m011: the log's study days found from ``review_day_starts`` (each day's lowest review id) instead of an
index on every review's day; the same answers, at a fraction of the bytes, whatever order rows arrive in."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizzer.sm2 import SM2State, review
from quizzer.store import ReviewRecord, Store
from quizzer.store.migrations import MIGRATIONS, insert_reviews
from quizzer.store.store import FIRST_ID_FROM

DAY = date(2026, 5, 4)
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def answer(store: Store, card: str, day: date) -> None:
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    store.record(ReviewRecord("deck", card, at, day, 4, SM2State(), review(SM2State(), 4, day), kind="open"))


def raw(store: Store, day: date | None, *, row_id: int | None = None, device: int | None = None) -> None:
    """A row as a tool writing SQL would add it: any id, any day, any device (foreign when given)."""
    key = store._card_key("deck", "raw")
    store.conn.execute(
        insert_reviews(["id", "card_key", "reviewed_at", "quality", "study_day", "device", "seq"]),
        (row_id, key, 0, 4, None if day is None else day.toordinal(), device, None if device is None else row_id),
    )


def truth(store: Store) -> tuple[dict[int, int], dict[int, int]]:
    """The day starts and the day counts read the slow way, from every row."""
    conn = store.conn
    starts = dict(conn.execute("SELECT study_day, MIN(id) FROM reviews WHERE study_day IS NOT NULL GROUP BY 1"))
    counts = dict(conn.execute("SELECT study_day, COUNT(*) FROM reviews WHERE study_day IS NOT NULL GROUP BY 1"))
    return starts, counts


def test_day_counts_and_the_latest_day_match_a_read_of_every_row(tmp_path: Path) -> None:
    rng = random.Random(5)
    with Store(tmp_path / "q.db") as store:
        store.conn.execute("INSERT INTO devices (id) VALUES ('00ffeeddccbbaa99')")
        foreign = store.conn.execute("SELECT key FROM devices WHERE local = 0").fetchone()[0]
        for step in range(120):
            day = DAY + timedelta(days=rng.randrange(12))
            match rng.randrange(4):
                case 0:  # a merged row of another device, from a day ahead of this one's clock
                    raw(store, day + timedelta(days=30), row_id=10_000 + step, device=foreign)
                case 1:  # an older day arriving late, at the end of the log
                    raw(store, DAY - timedelta(days=rng.randrange(1, 5)))
                case 2:  # a row with no study day (written before the column existed)
                    raw(store, None)
                case _:
                    answer(store, f"c{rng.randrange(5)}", day)
        raw(store, DAY + timedelta(days=2), row_id=5)  # a low id given by hand: the day's start moves down
        starts, counts = truth(store)
        assert dict(store.conn.execute("SELECT * FROM review_day_starts")) == starts
        for ordinal, count in counts.items():
            assert store.reviews_on(date.fromordinal(ordinal)) == count
        assert store.reviews_on(DAY + timedelta(days=400)) == 0
        local = store.conn.execute(
            "SELECT MAX(study_day) FROM reviews WHERE device = (SELECT key FROM devices WHERE local = 1)"
        ).fetchone()[0]
        assert store.latest_study_day() == date.fromordinal(local)
        assert local < max(counts)  # the foreign rows run ahead, and are left out


def test_the_reads_take_a_range_of_the_log_not_every_row(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        plan = " ".join(
            row[-1]
            for row in store.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM reviews WHERE id >= ({FIRST_ID_FROM}) AND study_day = ?1",
                (DAY.toordinal(),),
            )
        )
        assert "INTEGER PRIMARY KEY (rowid>?)" in plan and "SCAN reviews" not in plan
        names = {name for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "reviews_day" not in names


def test_the_migration_finds_every_days_start_in_an_existing_log(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, migrate in enumerate(MIGRATIONS[:10], start=1):  # the schema before m011
        conn.execute("BEGIN")
        migrate(conn)
        conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO cards (deck_id, card_id) VALUES ('deck', 'c')")
    rng = random.Random(2)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO reviews (card_key, reviewed_at, quality, study_day) VALUES (1, 0, 4, ?)",
        [(DAY.toordinal() + rng.randrange(-3, 9),) for _ in range(300)],
    )
    conn.execute("COMMIT")
    conn.close()
    with Store(path) as store:
        starts, counts = truth(store)
        assert dict(store.conn.execute("SELECT * FROM review_day_starts")) == starts
        assert all(store.reviews_on(date.fromordinal(day)) == count for day, count in counts.items())
