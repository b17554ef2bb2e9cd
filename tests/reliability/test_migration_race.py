"""Two processes opening an old database at once, and a crash during the pre-migration backup.

The version is read again under the write lock, so the second process finds the schema already migrated;
each backup gets its own name and is renamed into place only when complete.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from quizzer.store import Store
from quizzer.store.migrations import SCHEMA_VERSION
from quizzer.store.store import PARTIAL_SUFFIX
from tests.store.test_store import make_v1

ROOT = Path(__file__).resolve().parents[2]

# argv: database, backup folder, seconds to hold the migration open, start time.
OPENER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from quizzer.store import migrations, store

    db, backups, hold, start = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    if hold:
        real = migrations.MIGRATIONS[1]
        def slow(conn):
            real(conn)
            print("holding", flush=True)  # inside the migration transaction, columns already added
            time.sleep(hold)
        migrations.MIGRATIONS[1] = store.MIGRATIONS[1] = slow
    while time.time() < start:
        time.sleep(0.001)
    with store.Store(db, backup_dir=backups) as opened:
        print("opened", opened.schema_version, opened.total_reviews(), flush=True)
    """
)


def start(tmp_path: Path, db: Path, hold: float, at: float) -> subprocess.Popen[str]:
    script = tmp_path / "opener.py"
    script.write_text(OPENER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, str(script), str(db), str(tmp_path / "backups"), str(hold), str(at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.strip() == f"opened {SCHEMA_VERSION} 3"


def assert_one_complete_backup(tmp_path: Path) -> None:
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1, backups
    assert backups[0].suffix == ".db"
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 3
    copy.close()


def test_second_process_started_mid_migration_waits_for_it(tmp_path: Path) -> None:
    # Was: "duplicate column name: kind" (the second read version 1 before the first committed).
    db = tmp_path / "old.db"
    make_v1(db)
    first = start(tmp_path, db, hold=4.0, at=0.0)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "holding", first.stderr.read() if first.stderr else ""
    time.sleep(1.1)  # a backup name stamped to the second no longer collides: the old failure was then
    # "duplicate column name: kind", the second process having read the version before the lock
    second = start(tmp_path, db, hold=0.0, at=0.0)  # starts while the first is mid-migration
    finish([second])
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert out.strip() == f"opened {SCHEMA_VERSION} 3"
    assert_one_complete_backup(tmp_path)
    with Store(db) as store:
        assert store.state("deck", "a").repetitions == 3


def test_two_processes_in_the_same_second_both_open(tmp_path: Path) -> None:
    # Was: "backup ... already exists" (both backed up to the same second-stamped name).
    db = tmp_path / "old.db"
    make_v1(db)
    at = time.time() + 1.5
    finish([start(tmp_path, db, hold=0.0, at=at) for _ in range(3)])
    assert_one_complete_backup(tmp_path)


def test_sigkill_during_the_backup_leaves_no_backup_lookalike_and_restart_works(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    make_v1(db)
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from quizzer.store import store
        def stuck(source, target):
            target.write_bytes(b"SQLite format 3\\0")  # a first page, then the process dies
            print("copying", flush=True)
            time.sleep(60)
        store._copy = stuck
        store.Store(Path({str(db)!r}), backup_dir=Path({str(tmp_path / "backups")!r}))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "copying", process.stderr.read() if process.stderr else ""
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    left = list((tmp_path / "backups").iterdir())
    assert [path.name.endswith(PARTIAL_SUFFIX) for path in left] == [True]  # never named like a backup
    with Store(db, backup_dir=tmp_path / "backups") as store:  # the first restart works
        assert store.schema_version == SCHEMA_VERSION
        assert store.total_reviews() == 3
    assert_one_complete_backup(tmp_path)  # and the half-written one was cleaned up
