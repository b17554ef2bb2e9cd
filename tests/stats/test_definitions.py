"""The figures of ``compute`` against the stated definitions (``quizzer.stats.DEFINITIONS``), recomputed
independently from the exported log of a simulated history.

The history has what learners' logs have and what bent the old figures: early reviews (weak-spot drills
of cards not yet due), sessions running past 4 am (each answer on its own study day), auto-graded
answers whose grade the learner overrode, a clock moved back for a while, re-asks, lapses, and thin
topics and families (one answer at 0 %, a perfect family) that must not be called weak.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from quizzer.decks import parse_deck
from quizzer.decks.model import Deck
from quizzer.sm2 import SM2State, review
from quizzer.stats import MIN_ANSWERS, Rate, Stats, compute, summary_text, week_of
from quizzer.store import ReviewRecord, Store

START = date(2026, 1, 5)
DAYS = 180
DAY_START = 4
TODAY = START + timedelta(days=DAYS - 1)
NOW = datetime.combine(TODAY, time(23, 0), UTC)
WINDOW = 30

CORE = parse_deck("id: core\ntitle: Core\ncards:\n" + "".join(
    f"  - {{id: o{i}, front: q, back: a, tags: [{tag}]}}\n"
    for i, tag in enumerate(["recall", "recall", "recall", "bias", "bias", "bias", "trees", "trees"])
) + "".join(f"  - {{id: n{i}, kind: numeric, front: q, answer: {i}, tags: [{tag}]}}\n"
            for i, tag in enumerate(["probability", "probability", "probability", "bias"]))
  + "  - {id: late, front: q, back: a, tags: [production]}\n")
GEN = parse_deck("id: gen\ntitle: Gen\ncards:\n"
                 "  - {id: g1, kind: generated, generator: confusion-matrix, tags: [metrics]}\n"
                 "  - {id: g2, kind: generated, generator: confusion-matrix, tags: [metrics]}\n"
                 "  - {id: g3, kind: generated, generator: cv-scheme, tags: [validation]}\n")
DECKS = [CORE, GEN]
# How likely a first ask of each card is right; "probability" is the learner's weak topic, cv-scheme is
# always right (a perfect family is not weak), "late" is asked once, on the last day, and missed.
SKILL = {"o0": 0.9, "o1": 0.85, "o2": 0.9, "o3": 0.8, "o4": 0.85, "o5": 0.9, "o6": 0.9, "o7": 0.85,
         "n0": 0.45, "n1": 0.5, "n2": 0.4, "n3": 0.85, "g1": 0.92, "g2": 0.9, "g3": 1.0}


@dataclass
class Simulation:
    """Writes the history through ``Store.record`` and keeps its own copy of every card's schedule."""

    store: Store
    rng: random.Random
    states: dict[tuple[str, str], SM2State]
    overridden: int = 0
    after_midnight: int = 0
    clock_back: int = 0

    def answer(self, deck: Deck, card_id: str, moment: datetime, *, early: bool = False,
               reask: bool = False, miss: bool = False) -> bool:
        """One answer at ``moment`` on its own study day; returns whether SM-2 would re-ask it."""
        card = next(card for card in deck.cards if card.id == card_id)
        day = (moment - timedelta(hours=DAY_START)).date()  # the 4 am rule, on this answer's own time
        self.after_midnight += moment.hour < DAY_START
        right = not miss and self.rng.random() < SKILL.get(card_id, 0.8)
        kind = card.kind
        correct: bool | None = None
        if kind == "open":
            quality = self.rng.choice([3, 4, 5]) if right else self.rng.choice([0, 1, 2])
        else:
            correct = right
            quality = 4 if right else 1
            if self.rng.random() < 0.15:  # the learner overrides the grader
                quality = 2 if right else 3
                self.overridden += 1
        before = self.states.get((deck.id, card_id), SM2State())
        # A re-ask, or a passing early review, leaves the schedule alone.
        after = before if reask or (early and quality >= 3) else review(before, quality, day)
        self.store.record(ReviewRecord(deck.id, card_id, moment, day, quality, before, after, kind=kind,
                                       correct=correct, response_ms=self.rng.randint(2_000, 60_000), reask=reask))
        self.states[(deck.id, card_id)] = after
        return quality < 4

    def session(self, cards: list[tuple[Deck, str]], start: datetime, *, early: bool = False) -> None:
        """Answers two minutes apart; a miss comes back once at the end as a re-ask."""
        moment, again = start, []
        for deck, card_id in cards:
            if self.answer(deck, card_id, moment, early=early):
                again.append((deck, card_id))
            moment += timedelta(minutes=2)
        for deck, card_id in again:
            self.answer(deck, card_id, moment, reask=True)
            moment += timedelta(minutes=2)


def simulate(store: Store, seed: int = 21) -> Simulation:
    rng = random.Random(seed)
    sim = Simulation(store, rng, {})
    pool = [(deck, card.id) for deck in DECKS for card in deck.cards if card.id not in ("late", "g3")]
    rng.shuffle(pool)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        new = pool[:2] if offset % 3 == 0 else []
        pool = pool[len(new):]
        if offset == DAYS - 26:
            new.append((GEN, "g3"))  # the perfect family comes late, so its answers are recent
        due = [(deck, card_id) for (deck_id, card_id), state in sim.states.items()
               for deck in DECKS if deck.id == deck_id and state.due is not None and state.due <= day]
        if offset % 7 == 3:
            start = datetime.combine(day + timedelta(days=1), time(3, 48), UTC)  # runs past 4 am
        elif 60 <= offset < 65:
            start = datetime.combine(day - timedelta(days=2), time(15, 0), UTC)  # the clock was set back
            sim.clock_back += len(due) + len(new)
        else:
            start = datetime.combine(day, time(19, 0), UTC)
        sim.session(sorted(due, key=lambda item: item[1]) + new, start)
        if offset % 5 == 4:  # a weak-spot drill: cards seen but not due yet
            ahead = sorted(((deck, card_id) for (deck_id, card_id), state in sim.states.items()
                            for deck in DECKS if deck.id == deck_id and state.due is not None and state.due > day),
                           key=lambda item: (item[0].id, item[1]))
            sim.session(rng.sample(ahead, min(4, len(ahead))), datetime.combine(day, time(21, 0), UTC), early=True)
    sim.answer(CORE, "late", NOW - timedelta(hours=1), miss=True)
    return sim


# -- the definitions, on the exported log -------------------------------------------------------------------


def rows_of(store: Store, deck_id: str | None = None) -> list[dict[str, Any]]:
    return list(store.reviews(deck_id))


def day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def review_class(row: dict[str, Any]) -> str | None:
    """retention: young / mature; apart: relearning / early; None for re-asks and new cards."""
    due = day(row["due_before"])
    if row["reask"] or due is None:
        return None
    if due > day(row["study_day"]):  # type: ignore[operator]
        return "early"
    if row["repetitions_before"] == 0:
        return "relearning"
    return "young" if row["interval_before"] < 21 else "mature"


def rate(rows: Iterator[dict[str, Any]] | list[dict[str, Any]], passed: Any) -> Rate:
    chosen = list(rows)
    return Rate(len(chosen), sum(bool(passed(row)) for row in chosen))


def right(row: dict[str, Any]) -> bool:
    return row["correct"] if row["correct"] is not None else row["quality"] >= 3


def graded(row: dict[str, Any]) -> bool:
    return row["quality"] >= 3


def expected_retention(rows: list[dict[str, Any]], kind: str, since: date | None = None) -> Rate:
    return rate((row for row in rows if review_class(row) == kind
                 and (since is None or day(row["study_day"]) >= since)), graded)


def state_name(state: SM2State | None) -> str:
    if state is None:
        return "new"
    if state.repetitions == 0:
        return "learning"
    return "young" if state.interval < 21 else "mature"


@pytest.fixture(scope="module")
def history() -> Iterator[tuple[Simulation, Stats, list[dict[str, Any]]]]:
    with Store(":memory:") as store:
        sim = simulate(store)
        figures = compute(store, DECKS, now=NOW, days=WINDOW, day_start_hour=DAY_START, tz=UTC)
        yield sim, figures, rows_of(store)


def test_the_history_has_what_bent_the_old_figures(history: tuple[Simulation, Stats, list[dict]]) -> None:
    sim, _, rows = history
    classes = defaultdict(int)
    for row in rows:
        classes[review_class(row)] += 1
    assert classes["early"] >= 20 and classes["young"] >= 50 and classes["mature"] >= 10
    assert classes["relearning"] >= 5 and sum(row["reask"] for row in rows) >= 20
    assert sim.overridden >= 10 and sim.after_midnight >= 20 and sim.clock_back >= 10
    times = [datetime.fromisoformat(row["reviewed_at"]) for row in sorted(rows, key=lambda row: row["id"])]
    assert any(later < earlier for earlier, later in zip(times, times[1:], strict=False))  # the clock went back
    # An answer at 3:50 and one at 4:02 of the same session land on different study days.
    crossing = [row for row in rows if datetime.fromisoformat(row["reviewed_at"]).hour == 3]
    assert crossing and all(day(row["study_day"]) == datetime.fromisoformat(row["reviewed_at"]).date()
                            - timedelta(days=1) for row in crossing)
    # Early reviews pass more often than due ones: the reason they are kept out of retention.
    early = expected_retention(rows, "early")
    due = expected_retention(rows, "young") + expected_retention(rows, "mature")
    assert early.rate > due.rate  # type: ignore[operator]


def test_retention_counts_due_reviews_by_the_grade(history: tuple[Simulation, Stats, list[dict]]) -> None:
    _, figures, rows = history
    since = TODAY - timedelta(days=WINDOW - 1)
    young, mature = expected_retention(rows, "young"), expected_retention(rows, "mature")
    assert (figures.retention_young, figures.retention_mature) == (young, mature)
    assert figures.retention == young + mature
    assert figures.retention_window == expected_retention(rows, "young", since) + expected_retention(
        rows, "mature", since)
    assert figures.relearning == expected_retention(rows, "relearning")
    assert figures.early == expected_retention(rows, "early")
    assert figures.early_window == expected_retention(rows, "early", since)
    by_week: dict[str, list[Rate]] = defaultdict(lambda: [Rate(), Rate()])
    for row in rows:
        kind = review_class(row)
        if kind in ("young", "mature"):
            entry = by_week[week_of(day(row["study_day"]))[0]]  # type: ignore[arg-type]
            entry[kind == "mature"] += Rate(1, int(graded(row)))
    assert {p.period: [p.young, p.mature] for p in figures.retention_by_week} == dict(by_week)
    data = figures.to_dict()["retention"]
    assert data["early"] == figures.early.to_dict() and data["all"] == (young + mature).to_dict()


def test_accuracy_and_auto_graded_count_first_asks(history: tuple[Simulation, Stats, list[dict]]) -> None:
    _, figures, rows = history
    first = [row for row in rows if not row["reask"]]
    assert (figures.reviews, figures.reasks) == (len(rows), len(rows) - len(first))
    assert figures.total == rate(first, right)
    assert figures.auto_graded == rate((row for row in first if row["correct"] is not None), right)
    assert figures.auto_graded_all == rate((row for row in rows if row["correct"] is not None), right)
    assert figures.auto_graded_all.reviews > figures.auto_graded.reviews
    # The two pass rules disagree exactly where the learner overrode the grade.
    disagree = [row for row in rows if row["correct"] is not None and row["correct"] != graded(row)]
    assert len(disagree) >= 10
    data = figures.to_dict()
    assert (data["auto_graded"], data["auto_graded_correct"]) == (figures.auto_graded.reviews,
                                                                  figures.auto_graded.passed)
    assert data["pass_rate"] == round(sum(graded(row) for row in rows) / len(rows), 4)


def test_card_states_follow_anki(history: tuple[Simulation, Stats, list[dict]]) -> None:
    sim, figures, _ = history
    counts: dict[str, int] = defaultdict(int)
    due_today = 0
    for deck in DECKS:
        for card in deck.cards:
            state = sim.states.get((deck.id, card.id))
            counts[state_name(state)] += 1
            due_today += state is not None and state.due is not None and state.due <= TODAY
    assert figures.cards.to_dict() == {"total": 16, "seen": 16 - counts["new"], "new": counts["new"],
                                       "learning": counts["learning"], "young": counts["young"],
                                       "mature": counts["mature"], "due_today": due_today}
    assert counts["learning"] and counts["young"] and counts["mature"]


def expected_weakest(rows: list[dict[str, Any]], kind: str) -> tuple[Rate, dict[str, Rate]]:
    """The learner's 30-day first-ask accuracy, and each topic or family with at least MIN_ANSWERS first
    asks in those 30 days and a lower accuracy."""
    since = TODAY - timedelta(days=WINDOW - 1)
    recent = [row for row in rows if not row["reask"] and day(row["study_day"]) >= since]
    overall = rate(recent, right)
    names: dict[tuple[str, str], list[str]] = {}
    for deck in DECKS:
        for card in deck.cards:
            generator = getattr(card, "generator", None)
            names[(deck.id, card.id)] = deck.card_tags(card) if kind == "tag" else [generator] if generator else []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in recent:
        for name in names[(row["deck_id"], row["card_id"])]:
            groups[name].append(row)
    weak = {name: rate(members, right) for name, members in groups.items()
            if len(members) >= MIN_ANSWERS and rate(members, right).rate < overall.rate}  # type: ignore[operator]
    return overall, weak


def test_weakest_need_answers_and_must_be_below_your_accuracy(history: tuple[Simulation, Stats, list[dict]]
                                                              ) -> None:
    _, figures, rows = history
    for kind in ("tag", "generator"):
        overall, weak = expected_weakest(rows, kind)
        assert figures.accuracy_30 == overall
        listed = figures.weakest[kind]
        assert {group.name: group.last_30 for group in listed} == weak
        assert [group.last_30.rate for group in listed] == sorted(group.last_30.rate for group in listed)
    assert [group.name for group in figures.weakest["tag"]] == ["probability"]
    assert figures.weakest["generator"] == []  # confusion-matrix is near average, cv-scheme perfect
    production = next(group for group in figures.accuracy["tag"] if group.name == "production")
    assert production.last_30 == Rate(1, 0)  # 0 % of 1: in the full table, never called weak
    perfect = next(group for group in figures.accuracy["generator"] if group.name == "cv-scheme")
    assert perfect.last_30.reviews >= MIN_ANSWERS and perfect.last_30.rate == 1.0


def test_one_deck_uses_only_its_reviews() -> None:
    with Store(":memory:") as store:
        simulate(store)
        figures = compute(store, DECKS, now=NOW, deck_id="gen", day_start_hour=DAY_START, tz=UTC)
        rows = rows_of(store, "gen")
    assert figures.retention_young == expected_retention(rows, "young")
    assert figures.retention_mature == expected_retention(rows, "mature")
    assert figures.early == expected_retention(rows, "early")
    assert figures.auto_graded == rate((row for row in rows if not row["reask"] and row["correct"] is not None),
                                       right)
    overall, weak = expected_weakest(rows, "tag")
    assert figures.accuracy_30 == overall
    assert {group.name: group.last_30 for group in figures.weakest["tag"]} == weak
    assert figures.cards.total == 3


def test_the_page_says_what_each_figure_counts(history: tuple[Simulation, Stats, list[dict]]) -> None:
    _, figures, _ = history
    text = summary_text(figures)
    assert f"young {figures.retention_young.rate:.0%} of {figures.retention_young.reviews}" in text
    assert "(due reviews, grade ≥ 3)" in text and "early reviews" in text and "(first asks, answer right)" in text
    assert "learning/relearning" in text and "How the numbers are counted" in text
    weakest = text.split("Weakest topics", 1)[1].split("\n\n", 1)[0]
    assert "probability" in weakest and "production" not in weakest and "recall" not in weakest
    assert "Weakest generator families: none below" in text
