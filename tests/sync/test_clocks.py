"""Devices whose clocks disagree by hours: the replay order is still the same on every device, a new answer
is always scheduled on top of everything the device holds, and "today" stays each device's own."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from sync_support import START, answer, expected_states, snapshot

from quizzer.session import current_day, study_day
from quizzer.store import Store
from quizzer.sync import sync


def test_clocks_hours_apart_converge_to_one_deterministic_order(tmp_path: Path) -> None:
    ahead, behind = Store(tmp_path / "ahead.db"), Store(tmp_path / "behind.db")
    folder = tmp_path / "sync"
    skew = timedelta(hours=9)
    # Offline, both answer "y": "ahead" first in real time, but its clock says later.
    answer(ahead, "y", 2, START, offset=skew)
    answer(behind, "y", 5, START + timedelta(hours=3))
    for store in (ahead, behind, ahead):
        sync(store, folder)
    assert snapshot(ahead) == snapshot(behind)
    assert {key: value[0] for key, value in snapshot(ahead).items()} == expected_states([ahead, behind])
    # The replay took behind's answer (12:00) before ahead's (18:00 by its clock): the failing answer is last.
    assert ahead.state("deck", "y").repetitions == 0


def test_an_answer_after_a_sync_is_scheduled_after_what_was_received(tmp_path: Path) -> None:
    ahead, behind = Store(tmp_path / "ahead.db"), Store(tmp_path / "behind.db")
    folder = tmp_path / "sync"
    answer(ahead, "x", 5, START, offset=timedelta(hours=9))  # 18:00 by its clock
    sync(ahead, folder)
    sync(behind, folder)
    answer(behind, "x", 1, START + timedelta(hours=1))  # 10:00 by this clock, but answered after it
    recorded = snapshot(behind)
    assert behind.state("deck", "x").repetitions == 0  # the failing answer counts, on top of the received one
    behind.rebuild_states()
    assert snapshot(behind) == recorded  # recording gave exactly what a replay gives
    sync(behind, folder)
    sync(ahead, folder)
    assert snapshot(ahead) == recorded
    logged = dict(
        behind.conn.execute(
            "SELECT d.id, r.order_at - r.reviewed_at FROM reviews r JOIN devices d ON d.key = r.device"
        )
    )
    assert logged[behind.device_id] > 0  # its log time was moved past the received answer's


def test_today_stays_each_devices_own(tmp_path: Path) -> None:
    ahead, behind = Store(tmp_path / "ahead.db"), Store(tmp_path / "behind.db")
    folder = tmp_path / "sync"
    skew = timedelta(hours=20)  # the next study day already
    answer(ahead, "x", 5, START, offset=skew)
    answer(behind, "w", 5, START)
    sync(ahead, folder)
    sync(behind, folder)
    own_day = study_day(START, 4, UTC)
    assert study_day(START + skew, 4, UTC) > own_day
    today = current_day(behind, START, 4, UTC)
    assert today.day == own_day and today.latest_logged == own_day
    assert not today.clock_behind and today.notice is None
    # The review keeps the study day of the clock it was given on.
    assert behind.state("deck", "x").due == study_day(START + skew, 4, UTC) + timedelta(days=1)


def test_a_clock_put_back_on_one_device_replays_in_commit_order(tmp_path: Path) -> None:
    with Store(tmp_path / "one.db") as store:
        answer(store, "a", 5, START)
        answer(store, "a", 5, START + timedelta(days=1))
        due = store.state("deck", "a").due
        answer(store, "a", 5, START - timedelta(days=3))  # the clock jumped back: an early pass, no change
        assert store.state("deck", "a").due == due
        kept = snapshot(store)
        store.rebuild_states()
        assert snapshot(store) == kept
