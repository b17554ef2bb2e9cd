"""Devices that review overlapping cards offline end with the same log and the same card states, whatever
order they sync in; a repeated sync changes nothing; the local path gives what a replay gives."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from pathlib import Path

import pytest
from sync_support import (
    START,
    answer,
    expected_states,
    origins,
    pending,
    rebuilt_tallies,
    snapshot,
    sync_in_order,
    tallies,
)

from quizzer.store import Store
from quizzer.sync import sync

CARDS = [f"c{index}" for index in range(6)]


def offline_reviews(stores: list[Store], seed: int, days: int = 4) -> None:
    """Each device answers a random half of the shared cards a few times a day, interleaved in time."""
    rng = random.Random(seed)
    for day in range(days):
        for minute in range(12):
            index = rng.randrange(len(stores))
            card = rng.choice(CARDS[: 3 + index])  # overlapping but not identical sets of cards
            quality = rng.choice([1, 3, 4, 5, 5])
            moment = START + timedelta(days=day, minutes=7 * minute + index)
            answer(stores[index], card, quality, moment)
            if quality < 4:
                answer(stores[index], card, 4, moment + timedelta(seconds=30), reask=True)


def open_stores(tmp_path: Path, count: int) -> list[Store]:
    return [Store(tmp_path / f"device{index}.db") for index in range(count)]


def check_converged(stores: list[Store]) -> None:
    first = snapshot(stores[0])
    assert all(snapshot(store) == first for store in stores[1:])
    assert {key: value[0] for key, value in first.items()} == expected_states(stores)
    assert all(origins(store) == origins(stores[0]) for store in stores[1:])
    assert len({store.total_reviews() for store in stores}) == 1
    for store in stores:
        assert tallies(store) == rebuilt_tallies(store)  # the statistics count every synced row once
        store.rebuild_states()
        assert snapshot(store) == first  # the incremental replay equals a full one


@pytest.mark.parametrize("order", [[0, 1, 0], [1, 0, 1]])
def test_two_devices_converge_in_either_order(tmp_path: Path, order: list[int]) -> None:
    stores = open_stores(tmp_path, 2)
    offline_reviews(stores, seed=1)
    total = sum(store.total_reviews() for store in stores)
    sync_in_order(stores, tmp_path / "sync", order)
    check_converged(stores)
    assert stores[0].total_reviews() == total


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_devices_converge_in_every_order(tmp_path: Path, order: tuple[int, ...]) -> None:
    stores = open_stores(tmp_path, 3)
    offline_reviews(stores, seed=2)
    total = sum(store.total_reviews() for store in stores)
    # One pass sends everything to the folder; a second brings it to the devices that synced early.
    sync_in_order(stores, tmp_path / "sync", [*order, *order[:2]])
    check_converged(stores)
    assert stores[0].total_reviews() == total


def test_rounds_of_reviews_and_partial_syncs_converge(tmp_path: Path) -> None:
    stores = open_stores(tmp_path, 3)
    folder = tmp_path / "sync"
    rng = random.Random(3)
    for round_ in range(4):
        offline_reviews(stores, seed=round_, days=1)
        for store in stores:
            answer(store, "c0", rng.choice([2, 5]), START + timedelta(days=round_, hours=12))
        sync_in_order(stores, folder, rng.sample(range(3), 2))  # one device stays offline this round
    sync_in_order(stores, folder, [0, 1, 2, 0, 1])
    check_converged(stores)


def test_repeated_sync_is_a_no_op(tmp_path: Path) -> None:
    stores = open_stores(tmp_path, 2)
    offline_reviews(stores, seed=4)
    folder = tmp_path / "sync"
    sync_in_order(stores, folder, [0, 1, 0])
    files = {path: path.stat().st_mtime_ns for path in folder.rglob("*")}
    before = [snapshot(store) for store in stores]
    for store in stores:
        report = sync(store, folder)
        assert (report.sent, report.received, report.rescheduled, report.skipped) == (0, 0, 0, [])
        assert report.summary() == "Sent 0 reviews; received 0 from 0 devices; 0 cards rescheduled."
    assert {path: path.stat().st_mtime_ns for path in folder.rglob("*")} == files
    assert [snapshot(store) for store in stores] == before


def test_report_counts_what_moved(tmp_path: Path) -> None:
    one, two, three = open_stores(tmp_path, 3)
    folder = tmp_path / "sync"
    for minute, card in enumerate(["a", "b", "c"]):
        answer(one, card, 5, START + timedelta(minutes=minute))
    answer(two, "a", 5, START + timedelta(hours=1))
    first = sync(one, folder)
    assert (first.sent, first.received, first.created) == (3, 0, True)
    assert first.segment == folder / one.device_id / "000000000001-000000000003.jsonl"
    sync(two, folder)
    report = sync(three, folder)
    assert (report.sent, report.received, report.from_devices) == (0, 4, {one.device_id, two.device_id})
    assert report.rescheduled == 3  # a, b, c are new to this device
    assert report.summary() == "Sent 0 reviews; received 4 from 2 devices; 3 cards rescheduled."
    assert report.as_json()["received"] == 4


def test_new_answers_after_a_sync_go_in_a_new_segment(tmp_path: Path) -> None:
    one, two = open_stores(tmp_path, 2)
    folder = tmp_path / "sync"
    answer(one, "a", 5, START)
    sync(one, folder)
    answer(one, "a", 5, START + timedelta(days=1))
    answer(one, "b", 3, START + timedelta(days=1, minutes=1))
    report = sync(one, folder)
    assert report.sent == 2
    names = sorted(path.name for path in (folder / one.device_id).iterdir())
    assert names == ["000000000001-000000000001.jsonl", "000000000002-000000000003.jsonl"]
    assert sync(two, folder).received == 3
    assert snapshot(two) == snapshot(one)


def test_cards_of_a_deck_this_device_lacks_keep_their_reviews(tmp_path: Path) -> None:
    one, two = open_stores(tmp_path, 2)
    answer(one, "q1", 5, START, deck="only-on-one")
    sync(one, tmp_path / "sync")
    sync(two, tmp_path / "sync")
    assert ("only-on-one", "q1") in two.card_states()
    assert two.schedule_index(["only-on-one"]) == one.schedule_index(["only-on-one"])


def test_a_restored_database_gets_its_own_sent_reviews_back(tmp_path: Path) -> None:
    path = tmp_path / "device.db"
    folder = tmp_path / "sync"
    with Store(path) as store:
        answer(store, "a", 5, START)
        backup = store.backup(tmp_path / "backup.db")
        answer(store, "a", 5, START + timedelta(days=1))
        sync(store, folder)
        kept = snapshot(store)
    backup.replace(path)  # the user restores yesterday's backup
    with Store(path) as store:
        report = sync(store, folder)
        assert report.received == 1 and report.from_devices == set()
        assert snapshot(store) == kept
        answer(store, "a", 5, START + timedelta(days=7))
        assert sync(store, folder).sent == 1  # numbered after the restored ones: no id is reused
        assert [row[0] for row in store.conn.execute("SELECT seq FROM reviews ORDER BY seq")] == [1, 2, 3]


def test_a_merge_tallies_what_it_adds_and_keeps_the_triggers(tmp_path: Path) -> None:
    stores = open_stores(tmp_path, 3)
    offline_reviews(stores, seed=5)
    triggers = sorted(stores[0].conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    sync_in_order(stores, tmp_path / "sync", [0, 1, 2, 0, 1])
    check_converged(stores)
    for store in stores:
        assert pending(store) == 0  # a merge leaves every review it holds tallied
        assert tallies(store) == rebuilt_tallies(store)
        assert (
            sorted(store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
            == triggers
        )
    # The answers given after a bulk merge are counted when the tallies are next read.
    answer(stores[0], "c0", 5, START + timedelta(days=30))
    assert pending(stores[0]) == 1
    assert tallies(stores[0]) == rebuilt_tallies(stores[0])


def test_answers_at_the_same_moment_replay_in_device_id_order_everywhere(tmp_path: Path) -> None:
    # Each database numbers its own device 1, so only the hex ids order these two answers alike on both.
    stores = open_stores(tmp_path, 2)
    answer(stores[0], "a", 5, START)
    answer(stores[1], "a", 1, START)
    sync_in_order(stores, tmp_path / "sync", [0, 1, 0])
    check_converged(stores)
