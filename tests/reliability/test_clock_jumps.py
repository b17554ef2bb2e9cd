"""A wrong clock (years ahead, at the end of time, or moved back by travel) never freezes the schedule,
never crashes, and every screen agrees on what "today" is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig, current_day, study_day
from quizzer.stats import compute
from quizzer.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CONFIG = SessionConfig(tz=UTC, new_per_day=10)
DECK = parse_deck(
    "id: t\ntitle: T\ncards:\n" + "".join(f"  - {{id: c{i}, front: q, back: a}}\n" for i in range(40))
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "q.db") as opened:
        yield opened


def drill(store: Store, now: datetime, count: int | None = None, config: SessionConfig = CONFIG) -> Session:
    session = Session(store, [DECK], now=now, seed=1, config=config)
    answered = 0
    while (item := session.next()) is not None and (count is None or answered < count):
        session.record(item, 5, now=now)
        answered += 1
    return session


def test_answers_given_with_the_clock_in_2030_do_not_freeze_later_days(store: Store) -> None:
    drill(store, NOW)  # 10 new cards, due tomorrow
    drill(store, datetime(2030, 1, 1, 12, tzinfo=UTC), count=3)  # the clock was wrong for a while
    for days in (7, 30, 365):
        now = NOW + timedelta(days=days)
        session = Session(store, [DECK], now=now, seed=1, config=CONFIG)
        assert session.today == study_day(now, 4, UTC)
        assert session.clock.clock_behind and session.clock.latest_logged == date(2030, 1, 1)
        assert session.clock.notice is not None and "2030-01-01" in session.clock.notice
        # The 7 cards not answered under the wrong clock are due, and today's new cards are offered.
        assert session.remaining >= 7
    answered = drill(store, NOW + timedelta(days=7))
    assert answered.stats.answered >= 7
    row = max(store.reviews(), key=lambda review: review["id"])  # the latest answer given
    assert row["study_day"] == (NOW + timedelta(days=7)).date().isoformat()


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_clock_at_the_end_of_time_records_and_recovers(store: Store, zone: str) -> None:
    tz = ZoneInfo(zone)
    config = SessionConfig(tz=tz, new_per_day=10)
    end = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    session = drill(store, end, count=4, config=config)  # was: OverflowError from sm2.review
    assert session.stats.answered == 4
    assert all(state.state.due <= date.max for state in store.card_states().values())
    back = drill(store, NOW, config=config)  # the clock is put right: the drill goes on from the clock
    assert back.today == study_day(NOW, 4, tz)
    assert back.clock.clock_behind
    assert back.stats.answered > 0


def test_stats_home_and_drill_share_one_today_after_a_flight_west(store: Store) -> None:
    tokyo, honolulu = ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Honolulu")
    drill(store, NOW, config=SessionConfig(tz=tokyo, new_per_day=10))  # 21:00 on 1 June in Tokyo
    landed = NOW + timedelta(hours=3)  # 05:00 on 1 June in Honolulu: a study day already used in Tokyo
    today = current_day(store, landed, 4, honolulu)
    session = Session(store, [DECK], now=landed, seed=1, config=SessionConfig(tz=honolulu, new_per_day=10))
    stats = compute(store, [DECK], now=landed, day_start_hour=4, tz=honolulu)
    assert session.today == stats.today == today.day == study_day(landed, 4, honolulu) == date(2026, 6, 1)
    # The day before in Honolulu (the clock behind the log): all three still agree, and the UI is told.
    earlier = landed - timedelta(hours=2)
    behind = current_day(store, earlier, 4, honolulu)
    assert behind.clock_behind and behind.day == date(2026, 5, 31)
    assert Session(store, [DECK], now=earlier, seed=1, config=SessionConfig(tz=honolulu)).today == behind.day
    assert compute(store, [DECK], now=earlier, day_start_hour=4, tz=honolulu).today == behind.day
