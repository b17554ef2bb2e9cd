"""Migration m005 from the previous schema: every review kept, given its id (this device, 1..n in commit order)
and a log time that replays it in commit order, so no card's state changes."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from sync_support import START, answer, rebuilt_tallies, snapshot, tallies

from quizzer.store import Store
from quizzer.store.migrations import MIGRATIONS, m005_review_origins
from quizzer.sync import sync

PREVIOUS = MIGRATIONS.index(m005_review_origins)  # the schema version just before m005


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")]  # generated columns too (m013)


def make_previous(path: Path) -> tuple[list[tuple[object, ...]], dict[tuple[str, str], tuple[object, ...]]]:
    """A database at the schema before m005 holding a drill's reviews (one given with the clock put back);
    returns its review rows and card states."""
    with Store(":memory:") as source:
        for day in range(3):
            for minute, card in enumerate(["a", "b", "c"]):
                answer(
                    source, card, [5, 4, 2][(day + minute) % 3], START + timedelta(days=day, minutes=minute)
                )
        answer(source, "a", 5, START - timedelta(days=2))  # a clock put back: out of time order
        states = snapshot(source)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        for migration in MIGRATIONS[:PREVIOUS]:
            migration(conn)
        for table in ("cards", "reviews"):
            names = columns(conn, table)
            rows = source.conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid").fetchall()
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows
            )
        conn.execute(f"PRAGMA user_version = {PREVIOUS}")
        conn.execute("COMMIT")
        old_rows = conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
        conn.close()
    return old_rows, states


def test_migration_keeps_every_review_and_gives_it_an_id(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_rows, states = make_previous(path)
    with Store(path, backup_dir=tmp_path / "backups") as store:
        # The columns the previous schema had, the kind read back by name (m006 stores its number).
        kept = [
            "(SELECT name FROM kinds WHERE code = kind)" if name == "kind" else name
            for name in columns(store.conn, "reviews")[: len(old_rows[0])]
        ]
        assert store.conn.execute(f"SELECT {', '.join(kept)} FROM reviews ORDER BY id").fetchall() == old_rows
        device = store.device_id
        assert re.fullmatch(r"[0-9a-f]{16}", device)
        origins = store.conn.execute(
            "SELECT d.id, r.seq FROM reviews r JOIN devices d ON d.key = r.device ORDER BY r.id"
        ).fetchall()
        assert origins == [(device, number) for number in range(1, len(old_rows) + 1)]
        # The log time never runs backwards within a card, so the replay order is the commit order...
        for (card,) in store.conn.execute("SELECT DISTINCT card_key FROM reviews"):
            times = [
                row[0]
                for row in store.conn.execute(
                    "SELECT order_at FROM reviews WHERE card_key = ? ORDER BY id", (card,)
                )
            ]
            assert times == sorted(times)
        # ...and no card's state changed.
        assert snapshot(store) == states
        store.rebuild_states()
        assert snapshot(store) == states
        assert tallies(store) == rebuilt_tallies(store)
        answer(store, "d", 5, START + timedelta(days=5))
        assert (
            store.conn.execute(
                "SELECT MAX(seq) FROM reviews WHERE device = (SELECT key FROM devices WHERE id = ?)",
                (device,),
            ).fetchone()[0]
            == len(old_rows) + 1
        )
        assert sync(store, tmp_path / "sync").sent == len(old_rows) + 1
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_each_database_gets_its_own_device_id(tmp_path: Path) -> None:
    ids = set()
    for name in ("one", "two", "three"):
        with Store(tmp_path / f"{name}.db") as store:
            ids.add(store.device_id)
            assert store.conn.execute("SELECT COUNT(*) FROM devices WHERE local = 1").fetchone()[0] == 1
        with Store(tmp_path / f"{name}.db") as store:  # created once: reopening keeps it
            assert store.device_id in ids
    assert len(ids) == 3
