"""The database file replaced while a session is open: answers must not be acknowledged into an orphan.

SQLite keeps writing to the file it opened even after the path is deleted or points elsewhere; every
"saved" answer would then vanish when Quizzer exits. The store checks the path's device and inode
before each commit.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizzer.decks import parse_deck
from quizzer.errors import StoreError
from quizzer.session import Session, SessionConfig
from quizzer.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DECK = parse_deck(
    "id: d\ntitle: D\ncards:\n" + "".join(f"  - {{id: c{i}, front: q, back: a}}\n" for i in range(10))
)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def folder_in_its_place(path: Path) -> None:
    remove_database(path)
    path.mkdir()


def other_database_in_its_place(path: Path) -> None:
    other = path.with_name("other.db")
    Store(other).close()
    os.replace(other, path)


def moved_away(path: Path) -> None:
    shutil.move(path, path.with_name("moved.db"))


@pytest.mark.parametrize(
    "replace", [folder_in_its_place, remove_database, other_database_in_its_place, moved_away]
)
def test_answers_after_the_file_was_replaced_are_refused(
    tmp_path: Path, replace: Callable[[Path], None]
) -> None:
    db = tmp_path / "q.db"
    with Store(db) as store:
        session = Session(store, [DECK], now=NOW, seed=1, config=SessionConfig(tz=UTC))
        session.record(session.next(), 5, now=NOW)
        replace(db)
        item = session.next()
        for _ in range(5):  # every further answer is refused, none acknowledged
            with pytest.raises(StoreError, match="deleted or replaced"):
                session.record(item, 5, now=NOW)
        assert session.next() is item  # still current: the UI shows the message and nothing is dropped
        assert session.stats.answered == 1


def test_the_same_file_reopened_elsewhere_keeps_working(tmp_path: Path) -> None:
    # A hard link to the same inode is the same file: nothing to refuse.
    db = tmp_path / "q.db"
    with Store(db) as store:
        session = Session(store, [DECK], now=NOW, seed=1, config=SessionConfig(tz=UTC))
        os.link(db, tmp_path / "link.db")
        session.record(session.next(), 5, now=NOW)
        assert store.total_reviews() == 1


def test_in_memory_store_has_no_file_to_check() -> None:
    with Store(":memory:") as store:
        session = Session(store, [DECK], now=NOW, seed=1, config=SessionConfig(tz=UTC))
        session.record(session.next(), 5, now=NOW)
        assert store.total_reviews() == 1
