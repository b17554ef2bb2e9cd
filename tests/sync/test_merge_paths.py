"""The merge's bulk paths give what the plain paths give: random logs merged in random orders end with the
states of a full replay and the tallies of a full recount; booleans are stored as the numbers the drill
stores; a card row with no review left is new again after a replay; the garbage collector is left as found."""

from __future__ import annotations

import gc
import random
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sync_support import START, answer, expected_states, rebuilt_tallies, snapshot, tallies

import quizzer.store.store as store_module
import quizzer.sync as sync_module
from quizzer.store import Store
from quizzer.sync import sync

KINDS = ["open", "choice", "numeric", "generated"]


def drill(store: Store, rng: random.Random, moments: list[timedelta]) -> None:
    """Answers as the drill records them, with graded kinds (``correct`` set), re-asks and several answers to
    one card on one study day, so the first-of-day ranks and both booleans are exercised."""
    for offset in moments:
        card = f"c{rng.randrange(10)}"
        kind = rng.choice(KINDS)
        quality = rng.choice([0, 2, 3, 4, 5])
        reask = rng.random() < 0.2
        answer(
            store,
            card,
            quality,
            START + offset,
            deck=f"deck{rng.randrange(2)}",
            reask=reask,
            kind=kind,
            correct=None if kind == "open" else quality >= 3,
            response_ms=rng.choice([None, 2500, 90_000]),
        )


def stored_rows(store: Store) -> set[tuple[object, ...]]:
    """Every review by its origin, with the types SQLite holds for its booleans."""
    return set(
        store.conn.execute(
            "SELECT d.id, r.seq, r.correct, typeof(r.correct), r.reask, typeof(r.reask), r.quality, r.order_at "
            "FROM reviews r JOIN devices d ON d.key = r.device"
        )
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("scan_share", [0, 1_000_000], ids=["card-by-card", "whole-log"])
def test_random_logs_merged_in_random_orders_match_a_full_replay_and_recount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, scan_share: int
) -> None:
    # Both ways the replay reads the touched cards' logs: through the card index, or one pass over the table.
    monkeypatch.setattr(store_module, "_SCAN_SHARE", scan_share)
    rng = random.Random(seed)
    stores = [Store(tmp_path / f"device{index}.db") for index in range(3)]
    folder = tmp_path / "sync"
    for round_ in range(3):
        for store in stores:
            # Within hours of each other on every device: old and new answers interleave in log time.
            moments = sorted(
                timedelta(days=2 * round_, minutes=rng.randrange(3000)) for _ in range(rng.randrange(4, 25))
            )
            drill(store, rng, moments)
        for index in rng.sample(range(3), rng.randrange(1, 4)):
            sync(stores[index], folder)
    for index in [0, 1, 2, 0, 1]:
        sync(stores[index], folder)
    first = snapshot(stores[0])
    assert {key: value[0] for key, value in first.items()} == expected_states(stores)
    for store in stores:
        assert snapshot(store) == first
        assert stored_rows(store) == stored_rows(stores[0])
        assert tallies(store) == rebuilt_tallies(store)
        store.rebuild_states()
        assert snapshot(store) == first


def test_merged_booleans_are_stored_as_numbers(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    drill(one, random.Random(7), [timedelta(minutes=minute) for minute in range(40)])
    sync(one, tmp_path / "sync")
    sync(two, tmp_path / "sync")
    rows = stored_rows(two)
    assert rows == stored_rows(one)
    assert {(kind, value) for _d, _s, value, kind, _r, _rk, _q, _o in rows} >= {
        ("integer", 0),
        ("integer", 1),
    }
    assert {(kind, value) for _d, _s, _c, _ck, value, kind, _q, _o in rows} == {
        ("integer", 0),
        ("integer", 1),
    }


def test_a_replay_makes_a_card_row_without_reviews_new_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    drill(store, random.Random(3), [timedelta(hours=hour) for hour in range(12)])
    # A card row holding a schedule but no review (written by a tool that bypassed the log).
    store.conn.execute(
        "INSERT INTO cards (deck_id, card_id, ef, interval, reps, due, first_day, last_reviewed_at, review_count, "
        "lapses) VALUES ('deck0', 'orphan', 250, 6, 2, 739800, 739700, 0, 2, 1)"
    )
    key = store.conn.execute("SELECT key FROM cards WHERE card_id = 'orphan'").fetchone()[0]
    kept = {card: state for card, state in snapshot(store).items() if card[1] != "orphan"}
    store.write(lambda: store.replay_cards_in_transaction({key}))
    assert ("deck0", "orphan") not in store.card_states()
    assert store.conn.execute(
        "SELECT ef, due, first_day, review_count, lapses FROM cards WHERE key = ?", (key,)
    ).fetchone() == (None, None, None, 0, 0)
    store.conn.execute("UPDATE cards SET ef = 250, due = 739800, review_count = 2 WHERE key = ?", (key,))
    store.rebuild_states()
    assert snapshot(store) == kept


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    drill(one, random.Random(1), [timedelta(minutes=minute) for minute in range(5)])
    sync(one, tmp_path / "sync")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        seen: list[bool] = []
        real = sync_module._insert

        def watched(*args: object) -> set[int]:
            seen.append(gc.isenabled())
            return real(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(sync_module, "_insert", watched)
        assert sync(two, tmp_path / "sync").received == 5
        assert seen == [False] and gc.isenabled() is enabled

        def failing(*args: object) -> set[int]:
            raise RuntimeError("boom")

        monkeypatch.setattr(sync_module, "_insert", failing)
        drill(one, random.Random(2), [timedelta(days=1)])
        sync(one, tmp_path / "sync")
        with pytest.raises(RuntimeError):
            sync(two, tmp_path / "sync")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_adapters_the_merge_registers_bind_what_sqlite3_binds_anyway() -> None:
    """quizzer.sync registers adapters for None and bool (binding is faster with them): every connection in
    the process still stores NULL for None and 1 / 0 for a bool."""
    conn = sqlite3.connect(":memory:")
    try:
        row = conn.execute(
            "SELECT ?, typeof(?), ?, typeof(?), ?, typeof(?)", (None, None, True, True, False, False)
        ).fetchone()
        assert row == (None, "null", 1, "integer", 0, "integer")
        conn.execute("CREATE TABLE t (a, b)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(None, True), (False, None)])
        assert conn.execute("SELECT a, typeof(a), b, typeof(b) FROM t ORDER BY rowid").fetchall() == [
            (None, "null", 1, "integer"),
            (0, "integer", None, "null"),
        ]
    finally:
        conn.close()
