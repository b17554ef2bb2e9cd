"""The drill's write path: each answer is numbered and placed in the replay order in its own insert, exactly
as m005's trigger numbers a row written without them, and leaves the statistics tallies to be brought up to
date when they are read (m009)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizzer.sm2 import SM2State, review
from quizzer.store import ReviewRecord, Store
from quizzer.store.migrations import insert_reviews

DAY = date(2026, 5, 4)
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ORIGIN = "SELECT d.local, r.seq, r.order_at FROM reviews r JOIN devices d ON d.key = r.device ORDER BY r.id"


def answers(seed: int, count: int) -> list[ReviewRecord]:
    """Answers to a few cards, with the clock put back now and then (so ``order_at`` moves past it)."""
    rng = random.Random(seed)
    at = START
    rows = []
    for _ in range(count):
        at += timedelta(minutes=rng.choice([-90, -1, 0, 1, 5, 60]))
        card = f"c{rng.randrange(4)}"
        rows.append(ReviewRecord("deck", card, at, DAY, rng.choice([1, 4, 5]), SM2State(), review(SM2State(), 4, DAY),
                                 kind="open"))
    return rows


def test_the_store_numbers_answers_as_the_trigger_numbers_rows_without_an_origin(tmp_path: Path) -> None:
    rows = answers(3, 60)
    with Store(tmp_path / "store.db") as store, Store(tmp_path / "raw.db") as raw:
        for row in rows:
            store.record(row)
        for row in rows:  # as a tool writing raw SQL would: no device, number or order
            key = raw._card_key(row.deck_id, row.card_id)
            raw.conn.execute(
                insert_reviews(["card_key", "reviewed_at", "quality", "kind", "study_day"]),
                (key, int(row.reviewed_at.timestamp() * 1000), row.quality, "open", DAY.toordinal()),
            )
        numbered = store.conn.execute(ORIGIN).fetchall()
        assert numbered == raw.conn.execute(ORIGIN).fetchall()
        assert [seq for _, seq, _ in numbered] == list(range(1, 61))
        assert {local for local, _, _ in numbered} == {1}
        # The clock went back at least once, and the order still follows the commit order card by card.
        assert any(at > int(row.reviewed_at.timestamp() * 1000) for (_, _, at), row in zip(numbered, rows, strict=True))
        for card in {row.card_id for row in rows}:
            order = [at for (_, _, at), row in zip(numbered, rows, strict=True) if row.card_id == card]
            assert order == sorted(order) and len(set(order)) == len(order)


def test_answers_leave_the_tallies_to_be_counted_when_read(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        for row in answers(4, 10):
            store.record(row)
        assert store.conn.execute("SELECT through FROM tally_mark").fetchone()[0] == 0
        assert store.conn.execute("SELECT COUNT(*) FROM review_days").fetchone()[0] == 0


def test_a_write_inside_a_write_joins_its_transaction(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:

        def outer() -> int:
            store.record(answers(5, 1)[0])  # a write of its own, inside this one
            raise RuntimeError("roll it all back")

        with pytest.raises(RuntimeError):
            store.write(outer)
        assert store.total_reviews() == 0 and store.writer is None
        store.write(lambda: store.record(answers(5, 1)[0]))
        assert store.total_reviews() == 1
