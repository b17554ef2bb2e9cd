"""Nothing answered is lost: a SIGKILL mid-session, two terminals on one database, a full disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizzer.decks import parse_deck
from quizzer.errors import StoreError
from quizzer.session import Session, SessionConfig
from quizzer.store import Store

# Subprocesses import this checkout's quizzer, not whichever one the interpreter has installed.
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}

DECK = "id: big\ntitle: Big\ncards:\n" + "".join(f"  - {{id: c{i}, front: q{i}, back: a{i}}}\n" for i in range(400))

DRILLER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from quizzer.decks import load_deck
    from quizzer.session import Session, SessionConfig
    from quizzer.store import Store

    deck = load_deck(Path(sys.argv[2]))
    store = Store(Path(sys.argv[1]))
    session = Session(store, [deck], now=datetime.now(UTC), seed=int(sys.argv[3]),
                      config=SessionConfig(new_per_day=10_000))
    count = 0
    while (item := session.next()) is not None and count < int(sys.argv[4]):
        session.record(item, 5, now=datetime.now(UTC), answer="ok", response_ms=10)
        count += 1
        print(f"committed {count} {item.card.id}", flush=True)
    """
)


def start_driller(tmp_path: Path, db: Path, seed: int, count: int) -> subprocess.Popen[str]:
    script = tmp_path / "driller.py"
    script.write_text(DRILLER)
    deck = tmp_path / "big.yaml"
    if not deck.exists():
        deck.write_text(DECK)
    return subprocess.Popen([sys.executable, str(script), str(db), str(deck), str(seed), str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def test_sigkill_mid_session_loses_no_committed_answer(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    process = start_driller(tmp_path, db, seed=1, count=10_000)
    acknowledged: list[str] = []
    assert process.stdout is not None
    while len(acknowledged) < 60:
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        acknowledged.append(line.split()[2])
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    with Store(db) as store:
        logged = {row["card_id"] for row in store.reviews()}
        assert set(acknowledged) <= logged
        assert store.total_reviews() >= len(acknowledged)
        # The derived state agrees with the log after the crash.
        kept = store.card_states()
        store.rebuild_states()
        assert store.card_states() == kept


def test_two_terminals_one_database(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    Store(db).close()
    first = start_driller(tmp_path, db, seed=1, count=150)
    second = start_driller(tmp_path, db, seed=2, count=150)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
        assert "locked" not in err
        assert out.count("committed") == 150
    with Store(db) as store:
        assert store.total_reviews() == 300


def test_full_disk_is_a_message_and_the_answer_can_be_retried(tmp_path: Path) -> None:
    deck = parse_deck(DECK)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with Store(tmp_path / "q.db") as store:
        session = Session(store, [deck], now=now, seed=1, config=SessionConfig(new_per_day=1000, tz=UTC))
        session.record(session.next(), 5, now=now)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now "full"
        item = session.next()
        with pytest.raises(StoreError, match="full"):
            for _ in range(50):  # fill the last free bytes of the current pages
                session.record(item, 5, now=now, answer="x" * 2000)
                item = session.next()
        failed_item = session.next()
        assert failed_item is item  # still current: nothing was dropped from the queue
        store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        session.record(item, 5, now=now)
        assert store.total_reviews() == session.stats.answered
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killed_during_migration_keeps_the_old_schema(tmp_path: Path) -> None:
    # A migration runs in one transaction: until COMMIT the file still has the old schema and data.
    from tests.store.test_store import make_v1

    db = tmp_path / "old.db"
    make_v1(db)
    code = textwrap.dedent(
        f"""
        import os, signal
        from quizzer.store import migrations
        real = migrations.MIGRATIONS[1]
        def dying(conn):
            real(conn)
            os.kill(os.getpid(), signal.SIGKILL)
        migrations.MIGRATIONS[1] = dying
        from quizzer.store import store
        store.MIGRATIONS[1] = dying
        store.Store({str(db)!r})
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == -signal.SIGKILL
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 3
    conn.close()
    with Store(db) as store:  # and the next start migrates cleanly
        assert store.total_reviews() == 3
        assert store.state("deck", "a").repetitions == 3


def test_answers_are_committed_before_record_returns(tmp_path: Path) -> None:
    deck = parse_deck(DECK)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    db = tmp_path / "q.db"
    with Store(db) as store:
        session = Session(store, [deck], now=now, seed=1, config=SessionConfig(tz=UTC))
        session.record(session.next(), 4, now=now)
        # A second connection (another process would see the same) already sees it.
        with Store(db) as other:
            assert other.total_reviews() == 1
    time.sleep(0)
