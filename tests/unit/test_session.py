from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from quizzer.answers import Unreadable
from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig, build_queue, study_day
from quizzer.store import Store

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CONFIG = SessionConfig(tz=UTC)


def deck(deck_id: str, n: int) -> object:
    cards = "\n".join(f"  - {{id: c{i}, front: q{i}, back: a{i}}}" for i in range(n))
    return parse_deck(f"id: {deck_id}\ntitle: {deck_id}\ncards:\n{cards}\n")


MIXED = parse_deck("""
id: mixed
title: Mixed
cards:
  - {id: open, front: What is recall?, back: TP / (TP + FN)}
  - id: choice
    kind: choice
    front: Screening metric?
    options: [Accuracy, Recall, Specificity]
    answer: Recall
  - {id: num, kind: numeric, front: 2/3 as a ratio?, answer: 0.6667, tolerance: 0.005}
  - {id: gen, kind: generated, generator: confusion-matrix, params: {task: binary, metric: precision}}
""")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "q.db") as opened:
        yield opened


def test_study_day_starts_at_4am() -> None:
    tz = ZoneInfo("Europe/Berlin")
    late = datetime(2026, 5, 4, 23, 30, tzinfo=UTC)  # 01:30 in Berlin on the 5th
    assert study_day(late, 4, tz) == date(2026, 5, 4)
    assert study_day(late + timedelta(hours=3), 4, tz) == date(2026, 5, 5)


def test_new_cards_interleave_and_respect_daily_limit(store: Store) -> None:
    a, b = deck("a", 5), deck("b", 5)
    queue = build_queue(store, [a, b], date(2026, 5, 4), new_per_day=4)
    assert [(d.id, c.id) for d, c in queue] == [("a", "c0"), ("b", "c0"), ("a", "c1"), ("b", "c1")]


def test_new_cards_read_only_the_decks_the_allowance_reaches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 20,000 cards in 200 decks, reading every deck's answered ids cost more than the rest of the
    session: the new cards of a deck are read only when the day's allowance gets to that deck."""
    decks = [deck(f"d{index}", 3) for index in range(30)]
    store.conn.execute(  # d1's first card is answered; d2 has a row without a schedule (still new)
        "INSERT INTO cards (deck_id, card_id, ef, interval, reps, due, first_day) VALUES "
        "('d1', 'c0', 250, 1, 1, ?, ?), ('d2', 'c0', NULL, NULL, NULL, NULL, NULL)",
        (date(2026, 5, 9).toordinal(), date(2026, 4, 1).toordinal()),
    )
    read: list[str] = []
    scheduled = store.scheduled_card_ids
    monkeypatch.setattr(
        store, "scheduled_card_ids", lambda deck_id: read.append(deck_id) or scheduled(deck_id)
    )
    queue = build_queue(store, decks, date(2026, 5, 4), new_per_day=4)
    assert [(d.id, c.id) for d, c in queue] == [("d0", "c0"), ("d1", "c1"), ("d2", "c0"), ("d3", "c0")]
    assert read == ["d0", "d1", "d2", "d3"]
    assert scheduled("d1") == {"c0"} and scheduled("d2") == set() and scheduled("d9") == set()


def test_answered_ids_are_read_again_once_the_database_changes(store: Store) -> None:
    """A queue built again after an answer here, or one committed by another terminal, no longer offers that
    card as new (whatever the queue keeps of the ids it read must not outlive a write)."""
    decks = [deck("d0", 3)]
    today = date(2026, 5, 4)

    def new_cards() -> list[str]:
        return [card.id for _, card in build_queue(store, decks, today, new_per_day=3)]

    def answer_first(on: Store) -> None:
        session = Session(on, decks, now=NOW, seed=1, config=CONFIG)
        item = session.next()
        assert item is not None
        session.record(item, 4, now=NOW)

    assert new_cards() == new_cards() == ["c0", "c1", "c2"]
    answer_first(store)
    assert new_cards() == ["c1", "c2"]
    other = Store(store.path)
    try:
        answer_first(other)
    finally:
        other.close()
    assert new_cards() == ["c2"]


def test_due_cards_come_first_most_overdue_first(store: Store) -> None:
    a = deck("a", 4)
    for offset, card in ((0, "c2"), (3, "c0")):
        session = Session(store, [a], now=NOW - timedelta(days=10 - offset), seed=1, config=CONFIG,
                          cards=[(a, a.card(card))])
        session.record(session.next(), 5, now=NOW - timedelta(days=10 - offset))
    # c2 was due 9 days ago, c0 6 days ago; then the new ones.
    session = Session(store, [a], now=NOW, seed=1, config=CONFIG)
    order = [item.card.id for item in session.queue]
    assert order[:2] == ["c2", "c0"]
    assert set(order[2:]) == {"c1", "c3"}


def test_daily_new_limit_counts_cards_already_started_today(store: Store) -> None:
    a = deck("a", 30)
    first = Session(store, [a], now=NOW, seed=1, config=SessionConfig(tz=UTC, new_per_day=5))
    for _ in range(3):
        first.record(first.next(), 5, now=NOW)
    second = Session(store, [a], now=NOW + timedelta(hours=1), seed=1, config=SessionConfig(tz=UTC, new_per_day=5))
    assert second.remaining == 2 + 0  # 2 new left today; the 3 answered are due tomorrow


def test_missed_card_comes_back_without_rescheduling(store: Store) -> None:
    a = deck("a", 2)
    session = Session(store, [a], now=NOW, seed=1, config=CONFIG)
    item = session.next()
    outcome = session.record(item, 2, now=NOW)
    assert outcome.requeued
    after_first = store.state("a", item.card.id)
    assert (after_first.repetitions, after_first.interval) == (0, 1)
    asked = []
    while (current := session.next()) is not None:
        asked.append((current.card.id, current.reask))
        quality = 3 if current.reask and len(asked) < 3 else 5
        session.record(current, quality, now=NOW)
    assert asked[0] == ("c1", False)
    assert ("c0", True) in asked
    # Re-asks are logged but leave the schedule alone; a re-ask scored 3 comes back again.
    assert sum(1 for card, reask in asked if card == "c0" and reask) == 2
    assert store.state("a", "c0") == after_first
    assert store.total_reviews() == 1 + len(asked)


def test_grading_every_kind(store: Store) -> None:
    session = Session(store, [MIXED], now=NOW, seed=3, config=CONFIG)
    items = {item.card.id: item for item in session.queue}
    choice = items["choice"]
    right = str(choice.options.index("Recall") + 1)
    assert session.grade(choice, right).correct
    assert not session.grade(choice, "Accuracy").correct
    assert session.grade(choice, "recall").correct
    assert session.grade(items["num"], "2/3").correct
    assert session.grade(items["num"], "67%").correct
    assert not session.grade(items["num"], "0.6").correct
    assert isinstance(session.grade(items["num"], "two thirds"), Unreadable)
    generated = items["gen"]
    problem = session.prepare(generated)
    assert problem is not None and generated.seed is not None
    assert session.grade(generated, str(problem.expected)).correct
    assert isinstance(session.grade(items["open"], "whatever"), Unreadable)


def test_generated_seed_is_logged_and_reproduces_the_problem(store: Store) -> None:
    from generators import get

    session = Session(store, [MIXED], now=NOW, seed=9, config=CONFIG,
                      cards=[(MIXED, MIXED.card("gen"))])
    item = session.next()
    problem = session.prepare(item)
    session.record(item, 4, now=NOW, answer="0.5", correct=False)
    row = next(store.reviews())
    again = get("confusion-matrix").generate(row["seed"], MIXED.card("gen").params)
    assert again.to_json() == problem.to_json()


def test_session_stats(store: Store) -> None:
    session = Session(store, [MIXED], now=NOW, seed=3, config=CONFIG)
    for _ in range(4):
        item = session.next()
        correct = None if item.kind == "open" else item.card.id != "num"
        session.record(item, 5 if correct in (True, None) else 1, now=NOW, correct=correct, response_ms=2000)
    assert session.stats.answered == 4
    assert session.stats.correct == 3
    assert session.stats.missed == [("mixed", "num")]
    assert session.stats.seconds == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("text", "labels", "picks"),
    [("2", ["Accuracy", "Recall"], [1]), ("b", ["Accuracy", "Recall"], [1]), ("recall", ["Accuracy", "Recall"], [1]),
     ("0.5", ["0.30", "0.50", "0.70"], [1]), ("50%", ["0.30", "0.50"], [1]), ("2", ["2", "3", "4"], [0]),
     ("#2", ["2", "3", "4"], [1]), ("1, 3", ["a", "b", "c"], [0, 2]), ("#1 #3", ["x", "y", "z"], [0, 2])],
)
def test_read_choice_forms(text: str, labels: list[str], picks: list[int]) -> None:
    from quizzer.grading import read_choice

    assert read_choice(text, labels) == picks


def test_two_sessions_planned_together_stop_at_the_daily_new_limit(tmp_path: Path) -> None:
    # Both queues hold a full allowance of new cards; the database decides when the day's limit is reached.
    config = SessionConfig(tz=UTC, new_per_day=5)
    with Store(tmp_path / "q.db") as one, Store(tmp_path / "q.db") as two:
        left = Session(one, [deck("left", 10)], now=NOW, seed=1, config=config)
        right = Session(two, [deck("right", 10)], now=NOW, seed=1, config=config)
        assert left.remaining == right.remaining == 5
        while True:  # both show a card, then both answer: the worst interleaving
            shown = [(session, session.next()) for session in (left, right)]
            if all(item is None for _, item in shown):
                break
            for session, item in shown:
                if item is not None:
                    session.record(item, 5, now=NOW)
        introduced = one.new_cards_introduced(study_day(NOW, 4, UTC))
        # One over (not 10): the card the other terminal was already showing when the limit was reached;
        # its answer is kept, and neither session offers another new card.
        assert introduced == 6
        assert one.total_reviews() == 6


def test_each_answer_belongs_to_the_study_day_of_its_own_time(store: Store) -> None:
    # A session started at 03:50 and still running at 04:10 (the day starts at 4 am).
    a = deck("a", 4)
    start = datetime(2026, 5, 4, 3, 50, tzinfo=UTC)
    session = Session(store, [a], now=start, seed=1, config=CONFIG)
    assert session.today == date(2026, 5, 3)
    for minutes in (0, 5, 20, 73):
        session.record(session.next(), 5, now=start + timedelta(minutes=minutes))
    days = [row["study_day"] for row in store.reviews()]
    assert days == ["2026-05-03", "2026-05-03", "2026-05-04", "2026-05-04"]
    # Cards introduced after 4 am are due the next real day, not again the same day.
    dues = {card: store.state("a", card).due for card in ("c0", "c1", "c2", "c3")}
    assert dues == {"c0": date(2026, 5, 4), "c1": date(2026, 5, 4), "c2": date(2026, 5, 5), "c3": date(2026, 5, 5)}
    assert session.today == date(2026, 5, 4)
    later = Session(store, [a], now=datetime(2026, 5, 4, 20, 19, tzinfo=UTC), seed=1, config=CONFIG)
    assert sorted(item.card.id for item in later.queue) == ["c0", "c1"]


@pytest.mark.parametrize(("quality", "interval", "repetitions"), [(5, 1, 1), (4, 1, 1), (3, 1, 1), (2, 1, 0)])
def test_weak_spots_review_before_due_keeps_the_schedule(
    store: Store, quality: int, interval: int, repetitions: int
) -> None:
    a = deck("a", 1)
    morning = Session(store, [a], now=NOW, seed=1, config=CONFIG)
    morning.record(morning.next(), 5, now=NOW)
    introduced = store.state("a", "c0")
    assert (introduced.interval, introduced.due) == (1, date(2026, 5, 5))
    evening = NOW + timedelta(hours=10)
    weak = Session(store, [a], now=evening, seed=1, config=CONFIG, cards=[(a, a.card("c0"))])
    outcome = weak.record(weak.next(), quality, now=evening)
    after = store.state("a", "c0")
    assert (after.interval, after.repetitions) == (interval, repetitions)
    if quality >= 3:
        assert after == introduced  # a passing early review leaves the schedule as it was
    assert outcome.record.before == introduced and outcome.record.after == after
    assert store.total_reviews() == 2  # kept in the log and counted
    # The next day it is due as planned, and a review then moves it on as SM-2 says.
    tomorrow = NOW + timedelta(days=1)
    due = Session(store, [a], now=tomorrow, seed=1, config=CONFIG)
    assert [item.card.id for item in due.queue] == ["c0"]
    kept = store.card_states()
    store.rebuild_states()  # replaying the log applies the same rule
    assert store.card_states() == kept


def choice_deck(n: int) -> object:
    cards = "\n".join(
        f"  - {{id: q{i}, kind: choice, front: pick {i}, options: [a{i}, b{i}, c{i}, d{i}], answer: a{i}}}"
        for i in range(n)
    )
    return parse_deck(f"id: picks\ntitle: Picks\ncards:\n{cards}\n")


def test_a_reask_leaves_the_first_asks_as_they_were_and_unmade(store: Store) -> None:
    """A missed card's re-ask draws its option order from a generator of its own: the first asks still to
    come keep the orders a session without misses gives them, and the miss does not make all of them (it
    did, to keep that order: 10 ms on one answer with 3,800 cards due)."""
    picks = choice_deck(40)

    def first_asks(miss: bool) -> list[tuple[str, list[str]]]:
        with Store(store.path.with_name(f"run-{miss}.db")) as own:
            session = Session(own, [picks], now=NOW, seed=11, config=SessionConfig(tz=UTC, new_per_day=100))
            asked = []
            for index in range(40):
                item = session.next()
                asked.append((item.card.id, list(item.options)))
                session.record(item, 1 if miss and index == 0 else 5, now=NOW)
                if miss and index == 0:
                    assert len(session.queue._pending) > 30  # the rest of the queue is still unmade
            return [entry for entry in asked if entry[0] != asked[0][0] or entry is asked[0]]

    plain, missed = first_asks(False), first_asks(True)
    assert [card for card, _ in missed[: len(plain)]] == [card for card, _ in plain][: len(missed)]
    assert dict(missed) == {card: options for card, options in plain if card in dict(missed)}
    assert len({tuple(options) for _, options in plain}) > 1  # the orders are shuffled: the check means something


def test_the_days_new_cards_are_counted_from_an_index(store: Store) -> None:
    """The new-card limit's count runs on every new card offered and answered: a search of
    ``cards_first_day``, not a read of every card row; an answer writes the day only on a card's first."""
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM cards WHERE first_day = ?", (1,)
    ).fetchall()
    assert any("cards_first_day" in row[-1] for row in plan), plan
    a = deck("a", 3)
    session = Session(store, [a], now=NOW, seed=1, config=SessionConfig(tz=UTC, new_per_day=5))
    item = session.next()
    session.record(item, 5, now=NOW)
    later = Session(store, [a], now=NOW + timedelta(days=9), seed=1, config=SessionConfig(tz=UTC, new_per_day=0))
    again = later.next()
    assert again.card.id == item.card.id
    later.record(again, 5, now=NOW + timedelta(days=9))
    assert store.new_cards_introduced(study_day(NOW, 4, UTC)) == 1
    assert store.new_cards_introduced(study_day(NOW + timedelta(days=9), 4, UTC)) == 0
