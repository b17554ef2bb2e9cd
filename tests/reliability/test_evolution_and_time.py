"""Decks change and clocks misbehave; schedules and history stay sound."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig, study_day
from quizzer.store import Store

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


def deck(cards: str) -> object:
    return parse_deck("id: evo\ntitle: Evo\ncards:\n" + cards)


V1 = deck("  - {id: a, front: What is recall?, back: TP/(TP+FN)}\n  - {id: b, front: q, back: a}\n")
EDITED = deck("  - {id: a, front: Define recall., back: Share of positives found}\n  - {id: b, front: q, back: a}\n")
REMOVED = deck("  - {id: b, front: q, back: a}\n")
KIND_CHANGED = deck(
    "  - {id: a, kind: choice, front: Recall is?, options: [TP/(TP+FN), TP/(TP+FP)], answer: TP/(TP+FN)}\n"
    "  - {id: b, front: q, back: a}\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "q.db") as opened:
        yield opened


def answer_all(store: Store, decks: list, now: datetime, quality: int = 5) -> Session:
    session = Session(store, decks, now=now, seed=1, config=SessionConfig(tz=UTC))
    while (item := session.next()) is not None:
        session.record(item, quality, now=now)
    return session


def test_edit_remove_readd_and_kind_change_keep_history(store: Store) -> None:
    answer_all(store, [V1], NOW)
    state = store.state("evo", "a")
    assert state.repetitions == 1
    # Edited text: same id, same schedule, not new.
    assert Session(store, [EDITED], now=NOW + timedelta(days=1), seed=1).remaining == 2  # both due tomorrow
    # Removed: its rows stay in the log.
    answer_all(store, [REMOVED], NOW + timedelta(days=1))
    assert any(row["card_id"] == "a" for row in store.reviews())
    # Re-added (here also changed to a choice card): the schedule picks up where it was.
    session = Session(store, [KIND_CHANGED], now=NOW + timedelta(days=1), seed=1, config=SessionConfig(tz=UTC))
    ids = [item.card.id for item in session.queue]
    assert ids == ["a"]  # b was answered yesterday+1 already; a is due and not new
    item = session.next()
    assert item.kind == "choice"
    session.record(item, 4, now=NOW + timedelta(days=1))
    assert store.state("evo", "a").repetitions == 2


def test_reviews_across_midnight_count_for_the_study_day() -> None:
    tz = ZoneInfo("America/New_York")
    before = datetime(2026, 3, 10, 23, 50, tzinfo=tz)
    after = datetime(2026, 3, 11, 0, 10, tzinfo=tz)
    assert study_day(before, 4, tz) == study_day(after, 4, tz) == date(2026, 3, 10)
    assert study_day(datetime(2026, 3, 11, 4, 0, tzinfo=tz), 4, tz) == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("zone", "start"),
    [("America/New_York", datetime(2026, 3, 8, 0, 0)), ("Europe/Berlin", datetime(2026, 10, 25, 0, 0))],
)
def test_dst_changes_give_one_study_day_per_calendar_day(zone: str, start: datetime) -> None:
    tz = ZoneInfo(zone)
    days = set()
    moment = start.replace(tzinfo=tz).astimezone(UTC)
    for _ in range(72 * 4):  # every 15 minutes for 3 days across the change
        days.add(study_day(moment, 4, tz))
        moment += timedelta(minutes=15)
    assert len(days) in (3, 4)
    assert sorted(days) == [min(days) + timedelta(days=i) for i in range(len(days))]


def test_clock_moving_backwards_never_moves_schedules_earlier(store: Store) -> None:
    answer_all(store, [V1], NOW, quality=5)
    later = NOW + timedelta(days=1)
    answer_all(store, [V1], later, quality=5)  # both due after 6 days now
    due_before = {card: store.state("evo", card).due for card in ("a", "b")}
    # The clock jumps back 3 days: today is the clock's day (one definition everywhere), the session
    # says the clock looks wrong, and nothing is due earlier than the log scheduled it.
    back = NOW - timedelta(days=3)
    session = Session(store, [V1], now=back, seed=1, config=SessionConfig(tz=UTC))
    assert session.today == study_day(back, 4, UTC)
    assert session.clock.clock_behind and session.clock.latest_logged == study_day(later, 4, UTC)
    assert "2026-03-11" in (session.clock.notice or "")
    assert session.remaining == 0
    assert {card: store.state("evo", card).due for card in ("a", "b")} == due_before
    # Practising the cards anyway (a passing early answer) leaves their schedules where they were.
    practice = Session(store, [V1], now=back, seed=1, config=SessionConfig(tz=UTC), cards=[(V1, c) for c in V1.cards])
    while (item := practice.next()) is not None:
        practice.record(item, 5, now=back)
    assert {card: store.state("evo", card).due for card in ("a", "b")} == due_before
