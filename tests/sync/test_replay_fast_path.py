"""A merge steps a card on from its stored state when every new review comes after its old ones in the
replay order, and replays it whole otherwise: both give what a full replay of the log gives."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from sync_support import START, answer, expected_states, rebuilt_tallies, snapshot, tallies

import quizzer.store.store as store_module
from quizzer.store import Store
from quizzer.sync import sync


def count_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the SM-2 steps the replay makes (one list item per step)."""
    calls: list[int] = []
    real = store_module.step_numbers

    def counted(*args: object) -> tuple[int, int, int, int | None]:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "step_numbers", counted)
    return calls


def check_same_as_full_replay(store: Store) -> None:
    merged = snapshot(store)
    assert tallies(store) == rebuilt_tallies(store)
    store.rebuild_states()
    assert snapshot(store) == merged


def test_reviews_after_the_old_ones_step_on_from_the_stored_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, desktop = Store(tmp_path / "laptop.db"), Store(tmp_path / "desktop.db")
    folder = tmp_path / "sync"
    for day in range(5):  # the laptop drills the first week, lapses and re-asks included
        for index, quality in enumerate([5, 4, 2, 3]):
            answer(laptop, f"c{index}", quality, START + timedelta(days=day, minutes=index))
        answer(laptop, "c2", 4, START + timedelta(days=day, minutes=9), reask=True)
    sync(laptop, folder)
    sync(desktop, folder)
    for day in range(5, 8):  # the desktop takes over the next days, on the same cards and a new one
        for index, quality in enumerate([3, 1, 5, 4, 5]):
            answer(desktop, f"c{index}", quality, START + timedelta(days=day, minutes=index))
    sync(desktop, folder)
    steps = count_steps(monkeypatch)
    report = sync(laptop, folder)
    assert report.received == 15
    assert len(steps) == 15  # only the new reviews were stepped: no old one was replayed
    assert snapshot(laptop) == snapshot(desktop)
    assert {key: value[0] for key, value in snapshot(laptop).items()} == expected_states([laptop, desktop])
    check_same_as_full_replay(laptop)


@pytest.mark.parametrize("seed", range(8))
def test_interleaved_tied_and_later_reviews_mixed_in_one_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Some cards get reviews only after the old ones, some between them, some at the very same moment
    (a tie the device ids break): each is stepped on or replayed whole, and all end as a full replay ends."""
    rng = random.Random(seed)
    stores = [Store(tmp_path / f"device{index}.db") for index in range(2)]
    folder = tmp_path / "sync"
    moments = [START + timedelta(hours=7 * step) for step in range(40)]
    for moment in moments[:20]:
        card = f"c{rng.randrange(8)}"
        answer(stores[0], card, rng.choice([1, 3, 4, 5]), moment)
        if rng.random() < 0.3:  # the same moment on the other device: a tie in log time
            answer(stores[1], card, rng.choice([2, 4, 5]), moment)
        elif rng.random() < 0.3:
            answer(stores[1], f"c{rng.randrange(8)}", rng.choice([2, 4, 5]), moment + timedelta(hours=3))
    for moment in moments[20:]:  # later reviews on the second device only
        answer(stores[1], f"c{rng.randrange(4, 12)}", rng.choice([1, 3, 4, 5]), moment)
    sync(stores[0], folder)
    steps = count_steps(monkeypatch)
    sync(stores[1], folder)
    sync(stores[0], folder)
    total = stores[0].total_reviews()
    assert len(steps) < 2 * total  # some cards were stepped on, not replayed
    assert snapshot(stores[0]) == snapshot(stores[1])
    assert {key: value[0] for key, value in snapshot(stores[0]).items()} == expected_states(stores)
    for store in stores:
        check_same_as_full_replay(store)


def test_the_triggers_set_aside_for_a_merge_are_back_after_it(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    folder = tmp_path / "sync"
    answer(one, "a", 4, START)
    sync(one, folder)
    names = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews' ORDER BY name"
    before = two.conn.execute(names).fetchall()
    assert sync(two, folder).received == 1
    assert two.conn.execute(names).fetchall() == before
    answer(two, "a", 5, START + timedelta(days=3))  # numbered by the trigger, after the merged review
    assert two.conn.execute(
        "SELECT d.local, r.seq FROM reviews r JOIN devices d ON d.key = r.device ORDER BY r.order_at"
    ).fetchall() == [(0, 1), (1, 1)]
    assert tallies(two) == rebuilt_tallies(two)
