"""``quizzer sync FOLDER --new-device``: a database file copied to a second machine gets a device id of its own,
keeps every review, and the two copies then sync with each other like any two devices."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sync_support import START, answer, origins, rebuilt_tallies, snapshot, tallies

from quizzer.cli import cli
from quizzer.store import Store
from quizzer.sync import SyncError, sync


def copied(tmp_path: Path) -> tuple[Store, Store, Path]:
    """An original that has answered and synced two cards, and a copy of its database file."""
    folder = tmp_path / "sync"
    with Store(tmp_path / "original.db") as original:
        answer(original, "a", 5, START)
        answer(original, "b", 4, START + timedelta(minutes=1))
        sync(original, folder)
    shutil.copy(tmp_path / "original.db", tmp_path / "copy.db")
    return Store(tmp_path / "original.db"), Store(tmp_path / "copy.db"), folder


def converged(one: Store, two: Store, folder: Path) -> None:
    for store in (one, two, one):
        sync(store, folder)
    assert snapshot(one) == snapshot(two)
    assert origins(one) == origins(two)
    assert one.total_reviews() == two.total_reviews() == len(origins(one))  # nothing lost or duplicated
    for store in (one, two):
        assert tallies(store) == rebuilt_tallies(store)


def test_right_after_copying_the_copy_gets_its_own_id_and_keeps_the_shared_history(tmp_path: Path) -> None:
    original, copy, folder = copied(tmp_path)
    shared = origins(copy)
    report = sync(copy, folder, new_device=True)
    assert report.previous_device == original.device_id and report.moved == 0
    assert copy.device_id == report.device != original.device_id
    assert re.fullmatch(r"[0-9a-f]{16}", copy.device_id)
    assert origins(copy) == shared  # existing reviews keep their ids
    answer(original, "c", 5, START + timedelta(days=1))
    answer(copy, "c", 2, START + timedelta(days=1, minutes=5))
    answer(copy, "d", 4, START + timedelta(days=1, minutes=6))
    converged(original, copy, folder)
    assert original.total_reviews() == 5
    new_ids = {seq for device, seq in origins(original) if device == copy.device_id}
    assert new_ids == {1, 2}  # the copy numbers its own reviews from 1


@pytest.mark.parametrize("first", ["original", "copy"])
def test_after_both_drilled_the_refused_copy_moves_its_own_reviews_to_the_new_id(
    tmp_path: Path, first: str
) -> None:
    original, copy, folder = copied(tmp_path)
    stores = {"original": original, "copy": copy}
    answer(original, "c", 5, START + timedelta(days=1))
    answer(copy, "c", 2, START + timedelta(days=1, minutes=5))
    answer(copy, "d", 3, START + timedelta(days=1, minutes=6))
    second = "copy" if first == "original" else "original"
    sync(stores[first], folder)
    with pytest.raises(SyncError, match="--new-device"):
        sync(stores[second], folder)
    report = sync(stores[second], folder, new_device=True)
    # Its reviews since the copy were numbered like the other copy's: they move; the shared two stay.
    assert report.moved == (2 if second == "copy" else 1)
    assert report.received == (1 if second == "copy" else 2)
    converged(original, copy, folder)
    assert original.total_reviews() == 2 + 1 + 2


def test_the_cli_flag_says_what_changed(tmp_path: Path) -> None:
    original, copy, folder = copied(tmp_path)
    old = copy.device_id
    original.close()
    copy.close()
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "copy.db"), "sync", str(folder), "--new-device"], catch_exceptions=False
    )
    assert result.exit_code == 0
    with Store(tmp_path / "copy.db") as store:
        assert store.device_id != old
        assert (
            f"This database now syncs as device {store.device_id} (was {old})." in result.stdout.splitlines()
        )
