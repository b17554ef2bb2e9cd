"""The Stats screen computes in a worker thread on the app's connection, and computing now writes (it adds
the answers logged since the tallies were last read, m009): answers recorded at the same time on the same
connection must neither fail nor be lost or counted twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizzer.decks import parse_deck
from quizzer.sm2 import SM2State, review
from quizzer.stats import compute
from quizzer.store import ReviewRecord, Store

DAY = date(2026, 5, 4)
DECK = parse_deck("id: d\ntitle: D\ncards:\n" + "".join(f"  - {{id: c{i}, front: q, back: a}}\n" for i in range(5)))


def test_statistics_in_a_worker_while_answers_are_recorded(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with Store(tmp_path / "q.db") as store:

        def answer_many() -> None:
            try:
                for index in range(300):
                    at = datetime(2026, 5, 4, 9, tzinfo=UTC) + timedelta(seconds=index)
                    store.record(ReviewRecord("d", f"c{index % 5}", at, DAY, 4, SM2State(),
                                              review(SM2State(), 4, DAY)))
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        writer = threading.Thread(target=answer_many)
        writer.start()
        reads = 0
        try:
            while writer.is_alive() or reads < 3:
                compute(store, [DECK], now=datetime(2026, 5, 4, 20, tzinfo=UTC), tz=UTC)
                reads += 1
        finally:
            writer.join()  # before the store closes, whatever happened here
        assert errors == []
        figures = compute(store, [DECK], now=datetime(2026, 5, 4, 20, tzinfo=UTC), tz=UTC).to_dict()
        assert store.total_reviews() == 300
        assert figures["reviews_per_day"]["2026-05-04"] == 300  # from the tallies


def test_statistics_bring_their_tallies_up_to_date_while_another_read_is_running(tmp_path: Path) -> None:
    """The Stats screen's calibration worker reads the whole log on the same connection while the figures' worker
    adds the new answers to the tallies: SQLite refuses to drop a table while a statement is running, so the
    catch-up's scratch tables must be emptied, not dropped (it showed "busy in another program" on screen)."""
    with Store(tmp_path / "q.db") as store:
        for index in range(20):
            at = datetime(2026, 5, 4, 9, tzinfo=UTC) + timedelta(minutes=index)
            store.record(ReviewRecord("d", f"c{index % 5}", at, DAY, 4, SM2State(), review(SM2State(), 4, DAY)))
        reading = store.conn.execute("SELECT id FROM reviews")
        assert reading.fetchone() is not None  # a statement still running, as another thread's read would be
        figures = compute(store, [DECK], now=datetime(2026, 5, 4, 20, tzinfo=UTC), tz=UTC).to_dict()
        assert figures["reviews_per_day"]["2026-05-04"] == 20
        assert len(reading.fetchall()) == 19
