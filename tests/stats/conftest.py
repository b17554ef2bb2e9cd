from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from quizzer.sm2 import SM2State, review
from quizzer.store import ReviewRecord, Store


class LogBuilder:
    """Writes reviews with fixed times through ``Store.record``, scheduling with the real SM-2 step
    unless the state before the review is given (``interval_before``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def review(self, deck: str, card: str, day: date, quality: int, *, correct: bool | None = None,
               ms: int | None = 10_000, reask: bool = False, interval_before: int | None = None,
               at: time = time(12, 0)) -> ReviewRecord:
        if interval_before is not None:
            before = SM2State(interval=interval_before, repetitions=3, due=day)
        else:
            before = self.store.state(deck, card)
        after = before if reask else review(before, quality, day)
        record = ReviewRecord(deck, card, datetime.combine(day, at, UTC), day, quality, before, after,
                              kind="open" if correct is None else "numeric", correct=correct, response_ms=ms,
                              reask=reask)
        self.store.record(record)
        return record

    def days(self, deck: str, card: str, start: date, qualities: list[int], **options: object) -> None:
        """One review a day from ``start``."""
        for offset, quality in enumerate(qualities):
            self.review(deck, card, start + timedelta(days=offset), quality, **options)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "q.db") as opened:
        yield opened


@pytest.fixture
def log(store: Store) -> LogBuilder:
    return LogBuilder(store)
