"""The pure functions of quizzer.stats, table-driven."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizzer.stats import (
    CardActivity,
    CardCounts,
    Rate,
    accuracy_by,
    below_average,
    card_state,
    count_states,
    forecast,
    heatmap,
    month_of,
    retention_by,
    slowest,
    streaks,
    weakest_groups,
    week_of,
)

TODAY = date(2026, 5, 4)  # a Monday


def days_ago(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=offset) for offset in offsets]


@pytest.mark.parametrize(
    ("days", "current", "longest", "studied"),
    [
        ([], 0, 0, 0),
        (days_ago(0), 1, 1, 1),
        (days_ago(1), 1, 1, 1),  # today is not over yet: yesterday's streak still counts
        (days_ago(2), 0, 1, 1),  # a whole day missed breaks it
        (days_ago(0, 1, 2), 3, 3, 3),
        (days_ago(1, 2, 3, 10, 11), 3, 3, 5),
        (days_ago(0, 5, 6, 7, 8), 1, 4, 5),  # the longest run lies in the past
        (days_ago(0, 0, 1), 2, 2, 2),  # duplicates count once
        ([TODAY + timedelta(days=1), *days_ago(0)], 1, 1, 1),  # future days are ignored
        (days_ago(30, 31, 32, 34), 0, 3, 4),
    ],
)
def test_streaks(days: list[date], current: int, longest: int, studied: int) -> None:
    result = streaks(days, TODAY)
    assert (result.current, result.longest, result.days_studied) == (current, longest, studied)


def test_heatmap_covers_53_monday_aligned_weeks() -> None:
    counts = {TODAY: 8, TODAY - timedelta(days=1): 2, TODAY - timedelta(days=364): 1, date(2020, 1, 1): 99}
    result = heatmap(counts, TODAY)
    assert result.start == date(2025, 5, 5) and result.start.weekday() == 0
    assert result.end == TODAY
    assert len(result.counts) == 365
    assert result.counts[-1] == 8 and result.counts[-2] == 2 and result.counts[0] == 1
    assert sum(result.counts) == 11  # days before the start are left out
    # level = ceil(4 * count / busiest day in the window)
    assert (result.levels[-1], result.levels[-2], result.levels[0]) == (4, 1, 1)
    weeks = result.weeks()
    assert len(weeks) == 53 and all(len(week) == 7 for week in weeks)
    assert weeks[-1] == [4, None, None, None, None, None, None]  # after today: no cell


@pytest.mark.parametrize(
    ("counts", "levels"),
    [({}, [0]), ({0: 1}, [4]), ({0: 4, 1: 3, 2: 2, 3: 1}, [4, 3, 2, 1]), ({0: 100, 1: 1, 2: 26}, [4, 1, 2])],
)
def test_heatmap_levels(counts: dict[int, int], levels: list[int]) -> None:
    result = heatmap({TODAY - timedelta(days=offset): count for offset, count in counts.items()}, TODAY)
    assert [result.levels[-1 - offset] for offset in range(len(levels))] == levels


@pytest.mark.parametrize(
    ("day", "week", "start"),
    [
        (date(2026, 5, 4), "2026-W19", date(2026, 5, 4)),
        (date(2026, 5, 10), "2026-W19", date(2026, 5, 4)),  # Sunday closes the week
        (date(2025, 12, 29), "2026-W01", date(2025, 12, 29)),  # ISO year differs from the calendar year
        (date(2027, 1, 1), "2026-W53", date(2026, 12, 28)),
    ],
)
def test_week_of(day: date, week: str, start: date) -> None:
    assert week_of(day) == (week, start)


def test_retention_by_week_and_month() -> None:
    rows = [
        (date(2026, 4, 29), Rate(2, 1), Rate(0, 0)),  # Wednesday, W18, April
        (date(2026, 5, 1), Rate(1, 1), Rate(3, 3)),  # Friday, W18, May
        (date(2026, 5, 4), Rate(0, 0), Rate(1, 0)),  # Monday, W19, May
        (date(2026, 5, 5), Rate(0, 0), Rate(0, 0)),  # nothing counted that day
    ]
    weeks = retention_by(rows, week_of)
    assert [(p.period, p.start, p.young, p.mature) for p in weeks] == [
        ("2026-W18", date(2026, 4, 27), Rate(3, 2), Rate(3, 3)),
        ("2026-W19", date(2026, 5, 4), Rate(0, 0), Rate(1, 0)),
    ]
    months = retention_by(rows, month_of)
    assert [(p.period, p.young, p.mature, p.total) for p in months] == [
        ("2026-04", Rate(2, 1), Rate(0, 0), Rate(2, 1)),
        ("2026-05", Rate(1, 1), Rate(4, 3), Rate(5, 4)),
    ]
    assert months[1].total.rate == pytest.approx(0.8)
    assert retention_by([], week_of) == []


@pytest.mark.parametrize(
    ("repetitions", "interval", "state"),
    [(None, None, "new"), (0, 1, "learning"), (0, 30, "learning"), (1, 1, "young"), (2, 6, "young"),
     (5, 20, "young"), (5, 21, "mature"), (9, 400, "mature")],
)
def test_card_state(repetitions: int | None, interval: int | None, state: str) -> None:
    assert card_state(repetitions, interval) == state


def test_count_states_and_due_today() -> None:
    states = [(None, None, None), (None, None, None), (0, 1, TODAY - timedelta(days=3)), (1, 1, TODAY),
              (2, 6, TODAY + timedelta(days=1)), (4, 30, TODAY - timedelta(days=1)), (4, 50, TODAY + timedelta(days=9))]
    assert count_states(states, TODAY) == CardCounts(new=2, learning=1, young=2, mature=2, due_today=3)
    assert CardCounts(new=2, learning=2, young=1, mature=2).total == 7


def test_forecast_puts_overdue_cards_on_today() -> None:
    dues = [TODAY - timedelta(days=40), TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=1),
            TODAY + timedelta(days=29), TODAY + timedelta(days=30)]
    result = forecast(dues, TODAY)
    assert len(result) == 30 and result[0][0] == TODAY and result[-1][0] == TODAY + timedelta(days=29)
    assert [count for _, count in result] == [2, 2] + [0] * 27 + [1]


def activity(n7: int, p7: int, n30: int, p30: int, n_all: int, p_all: int, answers: int = 0,
             ms: int = 0) -> CardActivity:
    return CardActivity(n7, p7, n30, p30, n_all, p_all, answers, ms)


def test_accuracy_by_sums_groups_weakest_first() -> None:
    cards = [
        (activity(1, 1, 2, 2, 4, 3, 2, 20_000), ["a", "shared"]),
        (activity(0, 0, 2, 1, 2, 1, 2, 60_000), ["b", "shared"]),
        (activity(0, 0, 0, 0, 5, 1), ["old"]),  # nothing recent: after every group with recent answers
        (activity(1, 0, 4, 3, 4, 3), ["c"]),  # 75% recent, 75% overall
        (activity(0, 0, 4, 3, 8, 4), ["d"]),  # 75% recent, 50% overall: weaker than c
    ]
    groups = accuracy_by("tag", cards)
    assert [group.name for group in groups] == ["b", "d", "shared", "c", "a", "old"]
    shared = next(group for group in groups if group.name == "shared")
    assert (shared.last_7, shared.last_30, shared.all) == (Rate(1, 1), Rate(4, 3), Rate(6, 4))
    assert shared.answers_30 == 4 and shared.average_seconds_30 == pytest.approx(20.0)
    assert shared.to_dict()["last_30"] == {"reviews": 4, "passed": 3, "rate": 0.75}


def test_slowest_needs_enough_answers() -> None:
    groups = accuracy_by("tag", [
        (activity(0, 0, 0, 0, 0, 0, 3, 30_000), ["quick"]),
        (activity(0, 0, 0, 0, 0, 0, 3, 90_000), ["slow"]),
        (activity(0, 0, 0, 0, 0, 0, 2, 900_000), ["rare"]),
    ])
    assert [group.name for group in slowest(groups)] == ["slow", "quick"]


def test_weakest_groups_need_answers_and_a_miss() -> None:
    groups = accuracy_by("tag", [
        (activity(0, 0, 3, 3, 3, 3), ["perfect"]),
        (activity(0, 0, 2, 0, 2, 0), ["too-few"]),
        (activity(0, 0, 4, 2, 4, 2), ["half"]),
        (activity(0, 0, 8, 4, 8, 4), ["half-more-misses"]),
        (activity(0, 0, 5, 4, 5, 4), ["good"]),
    ])
    assert [group.name for group in weakest_groups(groups, count=5)] == ["half-more-misses", "half", "good"]
    assert [group.name for group in weakest_groups(groups, count=1)] == ["half-more-misses"]
    assert [group.name for group in weakest_groups(groups, count=5, min_answers=2)][0] == "too-few"


def test_below_average_needs_answers_and_a_lower_accuracy() -> None:
    groups = accuracy_by("tag", [
        (activity(0, 0, 1, 0, 1, 0), ["production"]),  # 0 % of 1: not evidence
        (activity(0, 0, 5, 5, 5, 5), ["perfect"]),
        (activity(0, 0, 10, 7, 10, 7), ["average"]),  # equal to the bar: not below it
        (activity(0, 0, 4, 2, 9, 8), ["slipping"]),
        (activity(0, 0, 3, 1, 3, 1), ["weak"]),
        (activity(0, 0, 0, 0, 6, 0), ["old"]),  # nothing in the last 30 days
    ])
    assert [group.name for group in below_average(groups, Rate(10, 7))] == ["weak", "slipping"]
    assert [group.name for group in below_average(groups, Rate(10, 7), min_answers=1)] == [
        "production", "weak", "slipping"]
    assert below_average(groups, Rate()) == []  # no answers lately: nothing to compare with
