"""Files Quizzer writes are safe to open and private, leftovers are cleaned, and a failure says what failed.

Review exports open in spreadsheets (formula injection); exports and ``crash.log`` hold what the user
typed (0600, like the database); a killed import leaves a temporary folder behind; a full disk must be
blamed on the right file and never leave an empty "backup".
"""

from __future__ import annotations

import csv
import os
import sqlite3
import stat
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from quizzer import paths
from quizzer.cli import main
from quizzer.decks.loader import parse_deck
from quizzer.errors import StoreError
from quizzer.exchange.anki_import import TEMP_PREFIX, remove_stale_temporaries
from quizzer.exchange.review_log import export_reviews
from quizzer.session import Session, SessionConfig
from quizzer.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DECK = "id: d\ntitle: D\ncards:\n  - {id: a, kind: choice, front: q, options: ['=1+1', b, c, d], answer: b}\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)
    yield
    os.umask(old)


def row(**values: Any) -> dict[str, Any]:
    return {"id": 1, "deck_id": "d", "card_id": "a", "quality": 1, "correct": False, **values}


# -- 8. CSV exports cannot run formulas -----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_review_csv_neutralises_formula_cells(tmp_path: Path, answer: str) -> None:
    out = tmp_path / "reviews.csv"
    export_reviews([row(answer=answer)], out)
    with out.open(encoding="utf-8", newline="") as handle:
        cell = next(csv.DictReader(handle))["answer"]
    assert cell == "'" + answer


def test_review_csv_keeps_numbers_and_plain_text(tmp_path: Path) -> None:
    out = tmp_path / "reviews.csv"
    export_reviews([row(answer="0.75", response_ms=-5, easiness_after=2.5)], out)
    with out.open(encoding="utf-8", newline="") as handle:
        record = next(csv.DictReader(handle))
    assert (record["answer"], record["response_ms"], record["easiness_after"]) == ("0.75", "-5", "2.5")


def test_review_export_through_the_cli_neutralises_an_option_text(tmp_path: Path) -> None:
    deck = parse_deck(DECK)
    db = tmp_path / "q.db"
    with Store(db) as store:
        session = Session(store, [deck], now=NOW, seed=1, config=SessionConfig(tz=UTC))
        session.record(session.next(), 1, now=NOW, answer="=1+1", correct=False)
    out = tmp_path / "log.csv"
    main(["--db", str(db), "export", "reviews", str(out)])
    assert "'=1+1" in out.read_text(encoding="utf-8")


# -- 9. private files -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_review_exports_are_private(tmp_path: Path, umask_022: None, suffix: str) -> None:
    out = tmp_path / f"reviews{suffix}"
    export_reviews([row(answer="secret")], out)
    assert mode(out) == 0o600


def test_crash_log_is_private(
    monkeypatch: pytest.MonkeyPatch, umask_022: None, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("the text that crashed")

    monkeypatch.setattr("quizzer.tui.launch.load_for", explode)
    with pytest.raises(SystemExit):
        main(["decks", "list"])
    log = paths.cache_dir() / "crash.log"
    assert "the text that crashed" in log.read_text(encoding="utf-8")
    assert mode(log) == 0o600
    capsys.readouterr()


def test_stale_import_folders_are_removed_and_fresh_ones_kept(tmp_path: Path) -> None:
    stale = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    (stale / "collection.sqlite").write_bytes(b"x" * 100)
    fresh = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    other = Path(tempfile.mkdtemp(prefix="someone-else-"))
    old = time.time() - 2 * 3600
    for folder in (stale, other):
        os.utime(folder, (old, old))
    try:
        remove_stale_temporaries()
        assert not stale.exists()
        assert fresh.exists() and other.exists()
    finally:
        for folder in (stale, fresh, other):
            if folder.exists():
                for child in folder.iterdir():
                    child.unlink()
                folder.rmdir()


def test_a_killed_import_leaves_nothing_after_the_next_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    from hostile_files import BASIC_MODEL, make_package

    package = make_package(tmp_path, "p", [("g", BASIC_MODEL, "", "q\x1fa")])
    before = {entry for entry in os.listdir(tempfile.gettempdir()) if entry.startswith(TEMP_PREFIX)}
    # Stop the import right after its temporary folder exists, then kill it.
    script = (
        "import os, sys, signal\n"
        "from pathlib import Path\n"
        "import quizzer.exchange.anki_import as imp\n"
        "def stop(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "imp._copy_collection = stop\n"
        "imp.import_anki(Path(sys.argv[1]), 'x')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(package)], check=False, timeout=60)
    left = {entry for entry in os.listdir(tempfile.gettempdir()) if entry.startswith(TEMP_PREFIX)} - before
    assert left, "the killed import should have left its folder behind"
    old = time.time() - 2 * 3600
    for name in left:
        os.utime(Path(tempfile.gettempdir()) / name, (old, old))
    remove_stale_temporaries()
    assert not left & {entry for entry in os.listdir(tempfile.gettempdir())}


# -- 9. a full disk is blamed on the right file ---------------------------------------------------------


class _FullDiskConnection:
    """The real connection, except that writing a backup fails as on a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def backup(self, *_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_backup_to_a_full_disk_names_the_target_and_leaves_no_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"
    with Store(tmp_path / "q.db") as store:
        real = store.conn
        store.conn = _FullDiskConnection(real)  # type: ignore[assignment]
        try:
            with pytest.raises(StoreError) as error:
                store.backup(target)
        finally:
            store.conn = real
    message = error.value.message
    assert str(target) in message and "full" in message
    assert "last answer" not in message
    assert not target.exists()


@pytest.mark.parametrize("command", [["stats"], ["export", "reviews", "out.csv"], ["db", "backup"]])
def test_opening_on_a_full_disk_does_not_blame_an_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "q.db"
    Store(db).close()
    # A database from before the current schema needs a migration: the disk is full when it runs.
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 1")
    conn.close()

    def full(self: Store) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_migrate", full)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["--db", str(db), *command])
    err = capsys.readouterr().err
    assert "full" in err and "could not be opened" in err
    assert "last answer" not in err
