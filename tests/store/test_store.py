from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizzer.errors import StoreError
from quizzer.sm2 import SM2State, review
from quizzer.store import ReviewRecord, Store
from quizzer.store.migrations import MIGRATIONS, SCHEMA_VERSION

DAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def record(store: Store, card: str, quality: int, day: date = DAY, reask: bool = False) -> ReviewRecord:
    before = store.state("deck", card)
    after = before if reask else review(before, quality, day)
    moment = datetime.combine(day, NOW.timetz())
    rec = ReviewRecord("deck", card, moment, day, quality, before, after, kind="numeric", answer="0.5",
                       correct=quality >= 3, response_ms=1500, reask=reask)
    store.record(rec)
    return rec


def test_record_updates_state_and_log(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        record(store, "a", 5)
        record(store, "a", 4, DAY + timedelta(days=1))
        assert store.total_reviews() == 2
        state = store.state("deck", "a")
        assert (state.repetitions, state.interval, state.due) == (2, 6, DAY + timedelta(days=7))
        rows = list(store.reviews())
        assert [r["quality"] for r in rows] == [5, 4]
        assert rows[1]["interval_before"] == 1 and rows[1]["interval_after"] == 6
        assert rows[0]["reviewed_at"].endswith("+00:00")


def test_reask_is_logged_without_changing_schedule(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        record(store, "a", 2)
        before = store.state("deck", "a")
        record(store, "a", 3, reask=True)
        assert store.state("deck", "a") == before
        assert store.total_reviews() == 2


def test_state_survives_reopen_and_rebuild_matches(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with Store(path) as store:
        for offset, quality in enumerate([5, 3, 1, 4, 5]):
            record(store, "a", quality, DAY + timedelta(days=offset))
        record(store, "b", 4)
        record(store, "b", 2, reask=True)
        kept = store.card_states()
    with Store(path) as store:
        assert store.card_states() == kept
        store.rebuild_states()
        assert store.card_states() == kept
        assert kept[("deck", "a")].lapses == 1


def test_card_text_edit_keeps_history(tmp_path: Path) -> None:
    # History follows the card id, not its text: nothing in the store depends on the text.
    with Store(tmp_path / "q.db") as store:
        record(store, "precision-definition", 5)
        assert store.state("deck", "precision-definition").repetitions == 1


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "q.db"
    with Store(path) as store:
        record(store, "a", 4)
        (tmp_path / "backups").mkdir()
        backup = store.backup(tmp_path / "backups" / "copy.db")
    for file in (path, backup):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    with Store(backup) as copy:
        assert copy.total_reviews() == 1


def make_v1(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO cards (deck_id, card_id) VALUES ('deck', 'a')")
    base = int(NOW.timestamp() * 1000)
    for index, quality in enumerate([5, 5, 4]):
        conn.execute("INSERT INTO reviews (card_key, reviewed_at, quality) VALUES (1, ?, ?)",
                     (base + index * 86_400_000, quality))
    conn.execute("COMMIT")
    conn.close()


def test_migration_from_v1_keeps_reviews_and_derives_state(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_v1(path)
    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.total_reviews() == 3
        expected = SM2State()
        for offset, quality in enumerate([5, 5, 4]):
            expected = review(expected, quality, DAY + timedelta(days=offset))
        assert store.state("deck", "a") == expected
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()


def test_not_a_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not sqlite" * 100)
    original = path.read_bytes()
    with pytest.raises(StoreError, match="not a Quizzer database"):
        Store(path)
    assert path.read_bytes() == original


def test_truncated_database(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with Store(path) as store:
        record(store, "a", 4)
    data = path.read_bytes()
    path.write_bytes(data[:100])
    with pytest.raises(StoreError):
        Store(path)
    assert path.read_bytes() == data[:100]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer Quizzer"):
        Store(path)
    assert path.read_bytes() == before


def test_read_only_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "q.db"
    Store(path).close()
    before = path.read_bytes()
    import os

    real_access = os.access
    # Tests run as root in CI, where chmod does not bind; simulate what a normal user would see.
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    with pytest.raises(StoreError, match="read-only"):
        Store(path)
    assert path.read_bytes() == before


def test_migration_from_v1_replays_each_card_of_an_interleaved_log(tmp_path: Path) -> None:
    """Two cards answered in turn: each card's answers are replayed together, in commit order."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO cards (deck_id, card_id) VALUES ('deck', 'a'), ('deck', 'b')")
    base = int(NOW.timestamp() * 1000)
    answers = [(1, 5), (2, 3), (1, 5), (2, 2), (1, 4), (2, 5)]
    for index, (key, quality) in enumerate(answers):
        conn.execute("INSERT INTO reviews (card_key, reviewed_at, quality) VALUES (?, ?, ?)",
                     (key, base + index * 86_400_000, quality))
    conn.execute("COMMIT")
    conn.close()
    with Store(path) as store:
        for key, card in ((1, "a"), (2, "b")):
            expected = SM2State()
            for index, (owner, quality) in enumerate(answers):
                if owner == key:
                    expected = review(expected, quality, DAY + timedelta(days=index))
            assert store.state("deck", card) == expected
            assert store.card_states()[("deck", card)].review_count == 3


def test_switching_to_wal_waits_out_a_lock_sqlite_reports_at_once(tmp_path: Path) -> None:
    """Several processes opening one old database: the journal-mode switch retries while it is locked."""
    import sqlite3
    import threading

    from quizzer.store.store import _patiently

    path = tmp_path / "old.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    released.start()
    opener = sqlite3.connect(path, isolation_level=None, timeout=0)  # no busy handler: "locked" at once
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            opener.execute("PRAGMA journal_mode = WAL")
        _patiently(opener, "PRAGMA journal_mode = WAL")
        assert opener.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.OperationalError, match="syntax"):
            _patiently(opener, "PRAGMA journal_mode = = WAL")  # other errors are not retried
    finally:
        released.join()
        opener.close()
        holder.close()
