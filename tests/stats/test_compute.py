"""compute() on review logs with known figures, written through Store.record with fixed times."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pytest

from quizzer.decks import parse_deck
from quizzer.stats import Rate, compute, summary_text
from quizzer.store import Store

if TYPE_CHECKING:
    from tests.stats.conftest import LogBuilder

TODAY = date(2026, 5, 4)  # a Monday
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

ALPHA = parse_deck("""
id: alpha
title: Alpha
tags: [stage-1]
cards:
  - {id: a1, front: q, back: a, tags: [recall]}
  - {id: a2, front: q, back: a, tags: [precision]}
  - {id: a3, kind: generated, generator: confusion-matrix, tags: [recall]}
  - {id: a4, front: q, back: a}
""")
BETA = parse_deck("""
id: beta
title: Beta
cards:
  - {id: b1, front: q, back: a, tags: [precision]}
  - {id: b2, kind: numeric, front: q, answer: 2}
""")
DECKS = [ALPHA, BETA]


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def stats_of(store: Store, **options: object):  # noqa: ANN201
    return compute(store, DECKS, now=NOW, tz=UTC, **options)  # type: ignore[arg-type]


def test_empty_log(store: Store) -> None:
    figures = stats_of(store)
    assert figures.reviews == 0 and figures.total == Rate()
    assert (figures.streaks.current, figures.streaks.longest) == (0, 0)
    assert figures.cards.new == 6 and figures.cards.total == 6 and figures.cards.due_today == 0
    assert [due for _, due in figures.forecast] == [0] * 30
    assert figures.retention_by_week == [] and figures.accuracy == {"deck": [], "tag": [], "generator": []}
    assert figures.average_answer_seconds is None
    json.dumps(figures.to_dict())
    assert "Quizzer stats" in summary_text(figures)


def test_reviews_and_time_per_day_streaks_and_heatmap(store: Store, log: LogBuilder) -> None:
    # Days studied: 10, 9, 8 days ago (a run of 3), 5 days ago, yesterday and today (the current run of 2).
    log.review("alpha", "a1", ago(10), 5, ms=4_000)
    log.review("alpha", "a2", ago(10), 4, ms=6_000)
    log.review("alpha", "a1", ago(9), 4, ms=400_000)  # a walk-away: counts as 5 minutes
    log.review("alpha", "a2", ago(8), 2, ms=None)  # no time recorded
    log.review("alpha", "a2", ago(8), 4, ms=2_000, reask=True)
    log.review("beta", "b1", ago(5), 5, ms=10_000)
    log.review("beta", "b1", ago(1), 3, ms=20_000)
    log.review("beta", "b2", ago(1), 5, correct=True, ms=30_000)
    log.review("beta", "b2", TODAY, 1, correct=False, ms=40_000, at=time(9, 0))
    figures = stats_of(store, days=7)

    assert figures.reviews == 9 and figures.reasks == 1
    assert [(day.day, day.reviews, day.seconds) for day in figures.per_day] == [
        (ago(6), 0, 0.0), (ago(5), 1, 10.0), (ago(4), 0, 0.0), (ago(3), 0, 0.0), (ago(2), 0, 0.0),
        (ago(1), 2, 50.0), (TODAY, 1, 40.0),
    ]
    assert figures.window == Rate(4, 3)  # reviews in the window, and those with quality >= 3
    assert figures.seconds == pytest.approx(4 + 6 + 300 + 2 + 10 + 20 + 30 + 40)
    assert figures.timed == 8
    assert figures.average_answer_seconds == pytest.approx(412 / 8)
    assert figures.window_seconds == pytest.approx(100.0)
    assert (figures.streaks.current, figures.streaks.longest, figures.streaks.days_studied) == (2, 3, 6)
    counts = dict(zip((figures.heatmap.start + timedelta(days=i) for i in range(365)), figures.heatmap.counts,
                      strict=True))
    assert {day: count for day, count in counts.items() if count} == {
        ago(10): 2, ago(9): 1, ago(8): 2, ago(5): 1, ago(1): 2, TODAY: 1}
    assert figures.heatmap.levels[-1] == 2 and figures.heatmap.levels[-2] == 4

    data = figures.to_dict()
    assert data["total_reviews"] == 9 and data["first_reviews"] == 8 and data["reasks"] == 1
    assert data["reviews_per_day"][ago(1).isoformat()] == 2 and len(data["reviews_per_day"]) == 7
    assert data["time_per_day_s"][TODAY.isoformat()] == 40.0
    assert data["auto_graded"] == 2 and data["auto_graded_correct"] == 1 and data["accuracy"] == 0.5
    assert data["pass_rate"] == round(7 / 9, 4)  # quality >= 3, re-asks included
    assert data["streak"] == {"current": 2, "longest": 3, "days_studied": 6}


def test_study_day_starts_at_the_configured_hour(store: Store, log: LogBuilder) -> None:
    log.review("alpha", "a1", ago(1), 5)
    early = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)  # 2:30 am still belongs to yesterday's study day
    figures = compute(store, DECKS, now=early, tz=UTC, day_start_hour=4)
    assert figures.today == ago(1)
    assert figures.per_day[-1].reviews == 1


# Each case: reviews of one card as (days ago, quality, options) -> (young, mature, relearning, early).
# Without ``interval_before`` the state before comes from the real SM-2 step, so the due day does too.
NONE = Rate(0, 0)
RETENTION_CASES = {
    "first review of a new card is not a test of memory": ([(1, 5, {})], NONE, NONE, NONE, NONE),
    "next-day review of a card passed once is due and young": ([(2, 5, {}), (1, 4, {})],
                                                               Rate(1, 1), NONE, NONE, NONE),
    "quality 3 passes, 2 fails": ([(2, 3, {"interval_before": 4}), (1, 2, {"interval_before": 4})],
                                  Rate(2, 1), NONE, NONE, NONE),
    "a review before the due day is early": ([(3, 5, {}), (2, 5, {}), (1, 5, {})],  # due in 6 days after the 2nd
                                             Rate(1, 1), NONE, NONE, Rate(1, 1)),
    "an early miss is early too": ([(3, 5, {}), (2, 5, {}), (1, 1, {})], Rate(1, 1), NONE, NONE, Rate(1, 0)),
    "an overdue card is due": ([(10, 5, {}), (1, 2, {})], Rate(1, 0), NONE, NONE, NONE),
    "re-asks are left out": ([(2, 5, {}), (1, 2, {}), (1, 5, {"reask": True, "at": time(12, 5)})],
                             Rate(1, 0), NONE, NONE, NONE),
    "a second first ask the same day is not due any more": (
        [(2, 5, {}), (1, 2, {"at": time(9, 0)}), (1, 5, {"at": time(18, 0)})], Rate(1, 0), NONE, NONE, Rate(1, 1)),
    "interval 21 is mature": ([(1, 4, {"interval_before": 21})], NONE, Rate(1, 1), NONE, NONE),
    "interval 20 is young": ([(1, 4, {"interval_before": 20})], Rate(1, 1), NONE, NONE, NONE),
    "after a lapse the next due review is relearning": (
        [(3, 1, {"interval_before": 40}), (2, 4, {}), (1, 4, {})], Rate(1, 1), Rate(1, 0), Rate(1, 1), NONE),
    "a new card missed, then due: relearning": ([(2, 1, {}), (1, 3, {})], NONE, NONE, Rate(1, 1), NONE),
}


@pytest.mark.parametrize(("reviews", "young", "mature", "relearning", "early"), RETENTION_CASES.values(),
                         ids=RETENTION_CASES.keys())
def test_true_retention(store: Store, log: LogBuilder, reviews: list[tuple[int, int, dict]], young: Rate,
                        mature: Rate, relearning: Rate, early: Rate) -> None:
    for days, quality, options in reviews:
        log.review("alpha", "a1", ago(days), quality, **options)
    figures = stats_of(store)
    assert (figures.retention_young, figures.retention_mature) == (young, mature)
    assert (figures.relearning, figures.early, figures.early_window) == (relearning, early, early)
    assert figures.retention == young + mature
    assert figures.retention_window == young + mature
    retention = figures.to_dict()["retention"]
    assert retention["early"] == early.to_dict() and retention["relearning"] == relearning.to_dict()


def test_retention_by_week_and_month(store: Store, log: LogBuilder) -> None:
    # Thursday 2026-04-30 (W18, April), Friday 2026-05-01 (W18, May), Monday 2026-05-04 (W19, May).
    log.review("alpha", "a1", date(2026, 4, 30), 4, interval_before=3)
    log.review("alpha", "a2", date(2026, 4, 30), 1, interval_before=30)
    log.review("beta", "b1", date(2026, 5, 1), 5, interval_before=25)
    log.review("beta", "b2", date(2026, 5, 1), 2, interval_before=2)
    log.review("alpha", "a1", TODAY, 3, interval_before=6)
    figures = stats_of(store)
    assert [(p.period, p.young, p.mature) for p in figures.retention_by_week] == [
        ("2026-W18", Rate(2, 1), Rate(2, 1)), ("2026-W19", Rate(1, 1), Rate(0, 0))]
    assert [(p.period, p.young, p.mature) for p in figures.retention_by_month] == [
        ("2026-04", Rate(1, 1), Rate(1, 0)), ("2026-05", Rate(2, 1), Rate(1, 1))]
    weeks = figures.to_dict()["retention"]["by_week"]
    assert weeks[0] == {"period": "2026-W18", "start": "2026-04-27",
                        "young": {"reviews": 2, "passed": 1, "rate": 0.5},
                        "mature": {"reviews": 2, "passed": 1, "rate": 0.5},
                        "all": {"reviews": 4, "passed": 2, "rate": 0.5}}


def test_card_states_per_deck_and_forecast(store: Store, log: LogBuilder) -> None:
    log.review("alpha", "a1", ago(1), 5)  # passed once (repetitions 1, interval 1), due today: young
    log.days("alpha", "a2", ago(10), [5, 5])  # repetitions 2, interval 6, due 3 days ago: young, overdue
    log.days("alpha", "a3", ago(3), [5, 1])  # lapsed: repetitions 0, due yesterday: learning (relearning)
    log.review("beta", "b1", ago(2), 5, interval_before=30)  # interval 78: mature, due after the forecast
    log.review("beta", "b2", ago(1), 4, interval_before=10)  # interval 25, due in 24 days: mature
    log.review("gone", "x", ago(1), 5)  # a card of a deck no longer loaded: not counted
    figures = stats_of(store)

    assert figures.cards_by_deck["alpha"].to_dict() == {
        "total": 4, "seen": 3, "new": 1, "learning": 1, "young": 2, "mature": 0, "due_today": 3}
    assert figures.cards_by_deck["beta"].to_dict() == {
        "total": 2, "seen": 2, "new": 0, "learning": 0, "young": 0, "mature": 2, "due_today": 0}
    assert figures.cards.to_dict() == {
        "total": 6, "seen": 5, "new": 1, "learning": 1, "young": 2, "mature": 2, "due_today": 3}
    due = [count for _, count in figures.forecast]
    assert due[0] == 3 and due[24] == 1 and sum(due) == 4
    assert figures.forecast[24][0] == TODAY + timedelta(days=24)


def build_accuracy_log(log: LogBuilder) -> None:
    log.review("alpha", "a1", ago(40), 2, ms=10_000)
    log.review("alpha", "a1", ago(20), 4, ms=20_000)
    log.review("alpha", "a1", ago(3), 5, ms=30_000)
    log.review("alpha", "a3", ago(15), 4, correct=True, ms=40_000)
    log.review("alpha", "a3", ago(1), 1, correct=False, ms=50_000)
    log.review("alpha", "a3", ago(1), 4, correct=True, ms=60_000, reask=True, at=time(12, 5))
    log.review("alpha", "a2", ago(50), 5, ms=5_000)
    log.review("beta", "b1", ago(2), 2, ms=7_000)
    log.review("beta", "b1", ago(2), 4, ms=9_000, reask=True, at=time(12, 5))


def test_accuracy_by_deck_tag_and_family_weakest_first(store: Store, log: LogBuilder) -> None:
    build_accuracy_log(log)
    figures = stats_of(store)

    def table(kind: str) -> list[tuple[str, Rate, Rate, Rate]]:
        return [(g.name, g.last_7, g.last_30, g.all) for g in figures.accuracy[kind]]

    assert table("deck") == [
        ("beta", Rate(1, 0), Rate(1, 0), Rate(1, 0)),
        ("alpha", Rate(2, 1), Rate(4, 3), Rate(6, 4)),
    ]
    assert table("tag") == [
        ("precision", Rate(1, 0), Rate(1, 0), Rate(2, 1)),
        ("recall", Rate(2, 1), Rate(4, 3), Rate(5, 3)),  # 75% lately like stage-1, but weaker overall
        ("stage-1", Rate(2, 1), Rate(4, 3), Rate(6, 4)),
    ]
    assert table("generator") == [("confusion-matrix", Rate(1, 0), Rate(2, 1), Rate(2, 1))]
    assert figures.total == Rate(7, 4)
    # Auto-graded: a3's two first asks; its re-ask counts only in the figure with re-asks.
    assert (figures.auto_graded, figures.auto_graded_all) == (Rate(2, 1), Rate(3, 2))

    # Weak means at least 3 first asks in 30 days and below the learner's own 30-day accuracy (3 of 5):
    # precision (1 answer) and the family (2) are too thin, recall and stage-1 (3 of 4) are above it.
    assert figures.accuracy_30 == Rate(5, 3)
    assert figures.weakest == {"deck": [], "tag": [], "generator": []}

    # Answer times over the last 30 days, re-asks included; a topic needs 3 answers to be called slow.
    recall = next(g for g in figures.accuracy["tag"] if g.name == "recall")
    assert recall.answers_30 == 5 and recall.average_seconds_30 == pytest.approx(40.0)
    assert [g.name for g in figures.slowest_topics] == ["recall", "stage-1"]
    data = figures.to_dict()
    assert data["slowest_topics"][0] == {"name": "recall", "average_answer_s": 40.0, "answers": 5}
    assert data["accuracy_by"]["tag"][0]["name"] == "precision"
    assert data["first_ask_accuracy"] == {"reviews": 7, "passed": 4, "rate": round(4 / 7, 4)}


def test_one_deck(store: Store, log: LogBuilder) -> None:
    build_accuracy_log(log)
    figures = stats_of(store, deck_id="beta")
    assert figures.reviews == 2 and figures.reasks == 1 and figures.deck == "beta"
    assert list(figures.cards_by_deck) == ["beta"] and figures.cards.total == 2
    assert [g.name for g in figures.accuracy["deck"]] == ["beta"]
    assert [g.name for g in figures.accuracy["tag"]] == ["precision"]
    assert figures.accuracy["generator"] == []


def test_json_figures_keep_the_first_keys(store: Store, log: LogBuilder) -> None:
    build_accuracy_log(log)
    data = compute(store, DECKS, now=NOW, tz=UTC).to_dict()  # what `quizzer stats --json` prints
    first_keys = {"total_reviews", "first_reviews", "reasks", "auto_graded", "auto_graded_correct", "accuracy",
                  "pass_rate", "time_spent_s", "window_days", "reviews_in_window", "pass_rate_in_window",
                  "reviews_per_day", "cards", "deck", "today"}
    assert first_keys <= set(data)
    assert data["cards"]["seen"] == 4 and data["cards"]["due_today"] >= 1
    assert json.loads(json.dumps(data)) == data
    text = summary_text(compute(store, DECKS, now=NOW, tz=UTC))
    for expected in ("Reviews    9 in all", "Weakest topics: none below your 30-day accuracy",
                     "True retention by week", "Slowest topics", "Last year", "How the numbers are counted"):
        assert expected in text


def test_a_callers_transaction_is_left_alone(store: Store, log: LogBuilder) -> None:
    log.review("alpha", "a1", ago(1), 5)
    store.conn.execute("BEGIN")
    figures = stats_of(store)
    assert store.conn.in_transaction
    store.conn.execute("COMMIT")
    assert figures.reviews == 1
