"""m013: six values of the review row stored as small differences and read back, under their old names, by
VIRTUAL generated columns: every value comes back exactly, whatever it was, and the row is smaller."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from quizzer.store import Store
from quizzer.store.migrations import MIGRATIONS, REVIEW_VALUES, insert_reviews, m013_derived_columns

PREVIOUS = MIGRATIONS.index(m013_derived_columns)  # the schema version just before m013
DAY_MS = 86_400_000


def odd_rows(count: int, seed: int) -> list[tuple[object, ...]]:
    """Rows as every writer may have left them: the usual ones, and each value far from what the rest of its
    row suggests (a day ahead or behind the UTC day, reviews before 1970, easiness outside 1.3–2.5, an early
    or late review, the clock put back, values missing)."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        at = rng.choice([1_777_885_200_000, 1_777_885_200_000 + rng.randrange(400 * DAY_MS), -rng.randrange(DAY_MS * 3),
                         0, DAY_MS - 1, -1])
        utc_day = int(at / DAY_MS) + 719_163  # SQLite's integer division truncates toward zero
        day = rng.choice([utc_day, utc_day - 1, utc_day + 1, utc_day + 400, None])
        interval = rng.choice([0, 1, 6, 21, 400, None])
        rows.append((
            index + 1, 1 + index % 3, at, rng.randrange(6), rng.choice([None, "0.5", "x" * 40]),
            rng.choice([None, 0, 1]), rng.choice([None, 3000]), rng.randrange(4), rng.choice([None, 7]),
            rng.randrange(2), day,
            rng.choice([130, 250, 251, 300, None]), rng.choice([0, 3, None]), rng.choice([0, 2, None]),
            rng.choice([None, (day or utc_day), (day or utc_day) - 5, (day or utc_day) + 9, 3]),
            rng.choice([130, 250, 370, None]), interval, rng.choice([1, 4, None]),
            rng.choice([None, (day or utc_day) + (interval or 0), (day or utc_day) + 2, 12]),
            1, index + 1, rng.choice([at, at + 1, at + 5 * DAY_MS, None]),
        ))
    return rows


def test_every_value_comes_back_exactly_and_the_row_shrinks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, migrate in enumerate(MIGRATIONS[:PREVIOUS], start=1):
        conn.execute("BEGIN")
        migrate(conn)
        conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    names = ("id", *REVIEW_VALUES)
    rows = odd_rows(600, seed=4)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO cards (key, deck_id, card_id) VALUES (?, 'deck', ?)", [(k, f"c{k}") for k in (1, 2, 3)])
    conn.executemany(f"INSERT INTO reviews ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows)
    conn.execute("COMMIT")
    before = conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = 'reviews'").fetchone()[0]
    conn.close()
    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.conn.execute(f"SELECT {', '.join(names)} FROM reviews ORDER BY id").fetchall() == rows
        store.conn.execute("VACUUM")
        after = store.conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = 'reviews'").fetchone()[0]
        assert after < before
        # A bulk load through insert_reviews stores the same values as the migration.
        store.conn.execute("BEGIN")
        store.conn.execute("DELETE FROM reviews")
        store.conn.executemany(insert_reviews(names), rows)
        assert store.conn.execute(f"SELECT {', '.join(names)} FROM reviews ORDER BY id").fetchall() == rows
        store.conn.execute("ROLLBACK")


def test_the_usual_answer_stores_no_byte_for_the_derived_values(tmp_path: Path) -> None:
    """An answer on its due day, by a clock that never went back, at easiness 2.5: each difference is 0, which a
    SQLite record holds in its header alone."""
    with Store(tmp_path / "q.db") as store:
        at = 1_777_885_200_000
        day = at // DAY_MS + 719_163
        key = store._card_key("deck", "c")
        store.conn.execute(
            insert_reviews(["card_key", "reviewed_at", "quality", "study_day", "ef_before", "interval_before",
                            "reps_before", "due_before", "ef_after", "interval_after", "reps_after", "due_after",
                            "device", "seq", "order_at"]),
            (key, at, 4, day, 250, 6, 2, day, 250, 15, 3, day + 15, 1, 1, at),
        )
        shifts = store.conn.execute(
            "SELECT day_shift, ef_before_shift, due_before_shift, ef_after_shift, due_after_shift, order_shift "
            "FROM reviews"
        ).fetchone()
        assert shifts == (0, 0, 0, 0, 0, 0)
        assert store.conn.execute(
            "SELECT study_day, ef_before, due_before, ef_after, due_after, order_at FROM reviews"
        ).fetchone() == (day, 250, day, 250, day + 15, at)
