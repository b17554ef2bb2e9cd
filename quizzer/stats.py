"""Progress over time, computed from the review log. No UI here.

:func:`compute` gathers every figure in one call (a :class:`Stats`; ``.to_dict()`` for JSON), for the
CLI and the Stats screen. It reads small aggregates, not the whole log: per study day (``review_days``),
per study day the reviews sorted by the card's state before them (``review_classes``: due young, due
mature, relearning, early) and per card (``card_tallies``) (``m003``, ``m004`` and ``m008`` in
``store/migrations.py``), brought up to date with the answers logged since they were last read before each
use (``m009``), plus the last 30 days of the log for per-card recent accuracy. One deck's days and classes
are summed from its own reviews in the log (``m012``). The SQL is confined to the ``_read_*``
functions; everything after them is plain functions on plain data (``streaks``, ``heatmap``,
``retention_by``, ``card_state``, ``forecast``, ``accuracy_by``, ``below_average`` ...), each testable
on its own.

The definitions are :data:`DEFINITIONS` (shown by ``quizzer stats`` and in ``--json``); the tests pin
each one. In short: accuracy is "the answer was right" over first asks; anything called retention is
the grade (quality >= 3) over reviews of cards that were due; card states and young / mature follow
Anki.
"""

from __future__ import annotations

import math
import sqlite3
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from quizzer.answers import plural
from quizzer.collector import collector_paused
from quizzer.decks.model import AnyCard, Deck, GeneratedCard
from quizzer.session import DEFAULT_DAY_START_HOUR, current_day
from quizzer.store import Store
from quizzer.store.migrations import (
    MATURE_DAYS,
    MAX_ANSWER_MS,
    catch_up_tallies,
    class_sums,
    day_sums,
    rebuild_review_classes,
    rebuild_tallies,
)
from quizzer.store.store import FIRST_ID_FROM

RECENT_WINDOWS = (7, 30)
FORECAST_DAYS = 30
HEATMAP_WEEKS = 53
MIN_ANSWERS = 3  # a topic needs this many answers before it can be called weak or slow

# What each figure counts, in words a learner can check against the exported log. ``to_dict()`` carries
# them as "definitions", ``summary_text`` prints the short ``LABELS`` next to the figures.
DEFINITIONS: dict[str, str] = {
    "review": "One logged answer. A re-ask (a missed card asked again in the same session) is a review too: "
              "re-asks count in reviews per day, time spent and pass rate, and nowhere else.",
    "first_ask": "A review that is not a re-ask.",
    "study_day": "The local date of the answer, the day starting at the configured hour (4 am by default): "
                 "an answer at 1 am counts for the day before.",
    "accuracy": "First asks whose answer was right: for auto-graded cards (choice, numeric, generated) the "
                "grader's verdict, for self-graded cards a grade (quality) of 3 or more. Overriding the "
                "grade of an auto-graded answer does not change it.",
    "auto_graded": "First asks of auto-graded cards that the grader marked correct. The same over every "
                   "answer, re-asks included, is given apart ('auto_graded_all_answers').",
    "pass_rate": "Every answer, re-asks included, graded 3 or more.",
    "retention": "True retention, as in Anki: the share graded 3 or more among first asks of cards that were "
                 "due (due on or before the study day of the review) and passed since their first ask or "
                 "last lapse. Young: the card's interval before the review was under 21 days; mature: 21 "
                 "days or more. Left out: re-asks, first answers of new cards, early reviews and "
                 "relearning reviews.",
    "relearning": "First asks of due cards in learning (not passed since their first ask or last lapse), "
                  "graded 3 or more; not part of retention (Anki leaves them out too).",
    "early": "First asks of cards before their due day (weak-spot drills, study more, mock interviews), "
             "graded 3 or more; not part of retention, since a card not yet due is easier to recall.",
    "card_states": "new: never reviewed; learning: reviewed but not passed since its first ask or last lapse "
                   "(repetitions 0, Anki's learning / relearning); young: passed, interval under 21 days; "
                   "mature: interval of 21 days or more.",
    "weakest": f"Decks, topics and generator families with at least {MIN_ANSWERS} first asks in the last 30 "
               "days whose 30-day accuracy is below your own 30-day accuracy over the same decks; weakest "
               "first, each with its number of first asks.",
    "time": "Answer times, each capped at 5 minutes (a walk-away is not study time).",
    "streak": "Consecutive study days with at least one review; the current streak still counts until "
              "today's study day is over.",
}
LABELS: dict[str, str] = {
    "accuracy": "first asks, answer right",
    "auto_graded": "first asks",
    "pass_rate": "all answers, grade ≥ 3",
    "retention": "due reviews, grade ≥ 3",
    "relearning": "due learning cards, grade ≥ 3",
    "early": "before their due day, grade ≥ 3",
    "learning": "learning/relearning",
    "weakest": f"below your 30-day accuracy, ≥ {MIN_ANSWERS} first asks",
}


# -- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """``passed`` out of ``reviews``."""

    reviews: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.reviews + other.reviews, self.passed + other.passed)

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {"reviews": self.reviews, "passed": self.passed, "rate": None if rate is None else round(rate, 4)}


@dataclass(frozen=True, slots=True)
class DayActivity:
    day: date
    reviews: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Streaks:
    current: int
    longest: int
    days_studied: int


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Reviews per day from ``start`` (a Monday) to ``end`` (today), with levels 0-4 for shading."""

    start: date
    end: date
    counts: tuple[int, ...]
    levels: tuple[int, ...]

    def weeks(self) -> list[list[int | None]]:
        """Levels as columns of seven days (Monday first); days after ``end`` are None."""
        cells: list[int | None] = [*self.levels]
        cells += [None] * (-len(cells) % 7)
        return [cells[index:index + 7] for index in range(0, len(cells), 7)]


@dataclass(frozen=True, slots=True)
class RetentionPeriod:
    period: str  # "2026-W18" or "2026-05"
    start: date
    young: Rate
    mature: Rate

    @property
    def total(self) -> Rate:
        return self.young + self.mature

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "start": self.start.isoformat(), "young": self.young.to_dict(),
                "mature": self.mature.to_dict(), "all": self.total.to_dict()}


@dataclass(frozen=True, slots=True)
class CardCounts:
    new: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    due_today: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.young + self.mature

    def to_dict(self) -> dict[str, int]:
        return {"total": self.total, "seen": self.total - self.new, "new": self.new, "learning": self.learning,
                "young": self.young, "mature": self.mature, "due_today": self.due_today}


@dataclass(frozen=True, slots=True)
class GroupAccuracy:
    """Accuracy of one deck, tag or generator family over the last 7 and 30 days and all time."""

    kind: str  # "deck", "tag" or "generator"
    name: str
    last_7: Rate
    last_30: Rate
    all: Rate
    answers_30: int = 0  # timed answers in the last 30 days
    seconds_30: float = 0.0

    @property
    def average_seconds_30(self) -> float | None:
        return self.seconds_30 / self.answers_30 if self.answers_30 else None

    def to_dict(self) -> dict[str, Any]:
        average = self.average_seconds_30
        return {"name": self.name, "last_7": self.last_7.to_dict(), "last_30": self.last_30.to_dict(),
                "all": self.all.to_dict(), "average_answer_s_30": None if average is None else round(average, 1)}


@dataclass(frozen=True, slots=True)
class Stats:
    """Every figure of the statistics page, for one deck or all."""

    today: date
    deck: str | None
    window_days: int
    total: Rate  # first asks: accuracy (the answer was right)
    reviews: int
    reasks: int
    auto_graded: Rate  # auto-graded first asks, and those the grader marked correct
    auto_graded_all: Rate  # the same over every auto-graded answer, re-asks included
    quality_passed: int  # answers (re-asks included) with quality >= 3
    timed: int
    seconds: float
    per_day: list[DayActivity]  # the window, oldest first, zero days included
    window: Rate  # reviews in the window / passed with quality >= 3
    window_timed: int
    window_seconds: float
    streaks: Streaks
    heatmap: Heatmap
    retention: Rate  # true retention: due reviews of young and mature cards, quality >= 3
    retention_young: Rate
    retention_mature: Rate
    retention_window: Rate
    relearning: Rate  # due reviews of cards in learning, quality >= 3 (not retention)
    early: Rate  # reviews before the due day, quality >= 3 (not retention)
    early_window: Rate
    retention_by_week: list[RetentionPeriod]
    retention_by_month: list[RetentionPeriod]
    cards: CardCounts
    cards_by_deck: dict[str, CardCounts]
    accuracy: dict[str, list[GroupAccuracy]]  # "deck" / "tag" / "generator": every group, weakest first
    accuracy_30: Rate  # first asks in the last 30 days: the bar a group must fall below to be weak
    weakest: dict[str, list[GroupAccuracy]]  # the groups of ``accuracy`` that are weak (see ``below_average``)
    forecast: list[tuple[date, int]]  # today (overdue included) and the next 29 days
    slowest_topics: list[GroupAccuracy] = field(default_factory=list)

    @property
    def average_answer_seconds(self) -> float | None:
        return self.seconds / self.timed if self.timed else None

    @property
    def average_answer_seconds_window(self) -> float | None:
        return self.window_seconds / self.window_timed if self.window_timed else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready figures. The first keys are those of the first ``quizzer stats --json``;
        ``auto_graded``, ``auto_graded_correct`` and ``accuracy`` now count first asks only (see
        ``definitions``)."""
        average, recent_average = self.average_answer_seconds, self.average_answer_seconds_window
        return {
            "total_reviews": self.reviews,
            "first_reviews": self.reviews - self.reasks,
            "reasks": self.reasks,
            "auto_graded": self.auto_graded.reviews,
            "auto_graded_correct": self.auto_graded.passed,
            "accuracy": _round(self.auto_graded.rate),
            "pass_rate": _round(self.quality_passed / self.reviews if self.reviews else None),
            "auto_graded_all_answers": self.auto_graded_all.to_dict(),
            "time_spent_s": round(self.seconds, 1),
            "window_days": self.window_days,
            "reviews_in_window": self.window.reviews,
            "pass_rate_in_window": _round(self.window.rate),
            "reviews_per_day": {day.day.isoformat(): day.reviews for day in self.per_day},
            "cards": self.cards.to_dict(),
            "deck": self.deck,
            "today": self.today.isoformat(),
            "first_ask_accuracy": self.total.to_dict(),
            "time_per_day_s": {day.day.isoformat(): round(day.seconds, 1) for day in self.per_day},
            "time_in_window_s": round(self.window_seconds, 1),
            "average_answer_s": None if average is None else round(average, 1),
            "average_answer_s_in_window": None if recent_average is None else round(recent_average, 1),
            "streak": {"current": self.streaks.current, "longest": self.streaks.longest,
                       "days_studied": self.streaks.days_studied},
            "heatmap": {"start": self.heatmap.start.isoformat(), "end": self.heatmap.end.isoformat(),
                        "counts": list(self.heatmap.counts), "levels": list(self.heatmap.levels)},
            "retention": {
                "young": self.retention_young.to_dict(), "mature": self.retention_mature.to_dict(),
                "all": self.retention.to_dict(), "in_window": self.retention_window.to_dict(),
                "relearning": self.relearning.to_dict(), "early": self.early.to_dict(),
                "early_in_window": self.early_window.to_dict(),
                "by_week": [period.to_dict() for period in self.retention_by_week],
                "by_month": [period.to_dict() for period in self.retention_by_month],
            },
            "cards_by_deck": {deck_id: counts.to_dict() for deck_id, counts in self.cards_by_deck.items()},
            "accuracy_by": {kind: [group.to_dict() for group in groups] for kind, groups in self.accuracy.items()},
            "accuracy_last_30": self.accuracy_30.to_dict(),
            "weakest": {kind: [{"name": group.name, "last_30": group.last_30.to_dict()} for group in groups]
                        for kind, groups in self.weakest.items()},
            "forecast": [{"day": day.isoformat(), "due": due} for day, due in self.forecast],
            "slowest_topics": [
                {"name": group.name, "average_answer_s": round(group.average_seconds_30 or 0.0, 1),
                 "answers": group.answers_30} for group in self.slowest_topics
            ],
            "labels": dict(LABELS),
            "definitions": dict(DEFINITIONS),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- pure functions ---------------------------------------------------------------------------------


def streaks(days: Iterable[date], today: date) -> Streaks:
    """Current and longest run of consecutive study days. Today without reviews yet does not break it."""
    ordinals = sorted({day.toordinal() for day in days if day <= today})
    longest = run = 0
    previous: int | None = None
    for ordinal in ordinals:
        run = run + 1 if previous is not None and ordinal == previous + 1 else 1
        longest = max(longest, run)
        previous = ordinal
    current = run if previous is not None and previous >= today.toordinal() - 1 else 0
    return Streaks(current=current, longest=longest, days_studied=len(ordinals))


def heatmap(counts: Mapping[date, int], today: date, weeks: int = HEATMAP_WEEKS) -> Heatmap:
    """The last ``weeks`` weeks up to today, Monday-aligned; level = ceil(4 * count / busiest day)."""
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    values = tuple(counts.get(start + timedelta(days=offset), 0) for offset in range((today - start).days + 1))
    busiest = max(values, default=0)
    levels = tuple(math.ceil(4 * value / busiest) if value else 0 for value in values)
    return Heatmap(start=start, end=today, counts=values, levels=levels)


def week_of(day: date) -> tuple[str, date]:
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def month_of(day: date) -> tuple[str, date]:
    return f"{day.year}-{day.month:02d}", day.replace(day=1)


def retention_by(days: Iterable[tuple[date, Rate, Rate]], period: Callable[[date], tuple[str, date]]
                 ) -> list[RetentionPeriod]:
    """Sum (day, young, mature) retention counts into periods (``week_of`` / ``month_of``), oldest first.
    Periods without a counted review are left out."""
    # Plain integers summed, Rates made once per period: a Rate per day and period costs several times more.
    sums: dict[tuple[str, date], list[int]] = {}
    for day, young, mature in days:
        key = period(day)
        entry = sums.get(key)
        if entry is None:
            entry = sums[key] = [0, 0, 0, 0]
        entry[0] += young.reviews
        entry[1] += young.passed
        entry[2] += mature.reviews
        entry[3] += mature.passed
    return [RetentionPeriod(name, start, Rate(young, young_passed), Rate(mature, mature_passed))
            for (name, start), (young, young_passed, mature, mature_passed)
            in sorted(sums.items(), key=lambda item: item[0][1])
            if young or mature]


def card_state(repetitions: int | None, interval: int | None) -> str:
    """new / learning / young / mature, from a card's SM-2 state (None: never reviewed).

    Learning is Anki's learning / relearning: reviewed, but not passed since its first ask or its last
    lapse (SM-2 sets repetitions to 0 on a miss). One pass makes a card young, as graduating does in
    Anki; it is mature once its interval reaches 21 days."""
    if repetitions is None:
        return "new"
    if repetitions == 0:
        return "learning"
    return "mature" if (interval or 0) >= MATURE_DAYS else "young"


def count_states(states: Iterable[tuple[int | None, int | None, date | None]], today: date) -> CardCounts:
    """Card counts from (repetitions, interval, due) per card; None repetitions for a new card."""
    tally = {"new": 0, "learning": 0, "young": 0, "mature": 0}
    due_today = 0
    for repetitions, interval, due in states:
        tally[card_state(repetitions, interval)] += 1
        due_today += due is not None and due <= today
    return CardCounts(**tally, due_today=due_today)


def forecast(dues: Iterable[date], today: date, days: int = FORECAST_DAYS) -> list[tuple[date, int]]:
    """Cards due on each of the next ``days`` days; today's count includes every overdue card."""
    counts = [0] * days
    first = today.toordinal()
    for due in dues:
        offset = due.toordinal() - first
        if offset < days:
            counts[offset if offset > 0 else 0] += 1
    return [(today + timedelta(days=offset), count) for offset, count in enumerate(counts)]


class CardActivity(NamedTuple):
    """One card's first asks and passes over the last 7 and 30 days and all time, and its timed answers
    (re-asks included) over the last 30 days. A tuple, so groups sum column-wise."""

    reviews_7: int = 0
    passed_7: int = 0
    reviews_30: int = 0
    passed_30: int = 0
    reviews_all: int = 0
    passed_all: int = 0
    answers_30: int = 0
    ms_30: int = 0


def accuracy_by(kind: str, cards: Iterable[tuple[tuple[int, ...], Iterable[str]]]) -> list[GroupAccuracy]:
    """Sum cards (:class:`CardActivity` or the same 8-tuple) into named groups (a card may be in several),
    weakest first: lowest accuracy over the last 30 days, then all time; groups without recent answers
    after those with."""
    # Cards sharing the same names are summed together first: one dict operation per card.
    by_names: dict[tuple[str, ...], list[tuple[int, ...]]] = {}
    for card, names in cards:
        key = names if isinstance(names, tuple) else tuple(names)
        by_names.setdefault(key, []).append(card)
    sums: dict[str, list[int]] = {}
    for names, rows in by_names.items():
        columns = [sum(column) for column in zip(*rows, strict=True)]
        for name in names:
            entry = sums.get(name)
            if entry is None:
                sums[name] = columns
            else:
                sums[name] = [a + b for a, b in zip(entry, columns, strict=True)]
    groups = [GroupAccuracy(kind, name, Rate(n7, p7), Rate(n30, p30), Rate(n_all, p_all), answers, ms / 1000)
              for name, (n7, p7, n30, p30, n_all, p_all, answers, ms) in sums.items()]
    return sorted(groups, key=_weakest_first)


def _weakest_first(group: GroupAccuracy) -> tuple[Any, ...]:
    recent, overall = group.last_30.rate, group.all.rate
    return (recent is None, recent or 0.0, overall is None, overall or 0.0, -group.last_30.reviews, group.name)


def slowest(groups: Iterable[GroupAccuracy], min_answers: int = MIN_ANSWERS, limit: int = 5) -> list[GroupAccuracy]:
    """Groups by average answer time over the last 30 days, slowest first."""
    timed = [group for group in groups if group.answers_30 >= min_answers]
    return sorted(timed, key=lambda group: (-(group.average_seconds_30 or 0.0), group.name))[:limit]


def weakest_groups(groups: Iterable[GroupAccuracy], *, count: int, min_answers: int = MIN_ANSWERS,
                   window: str = "last_30") -> list[GroupAccuracy]:
    """The ``count`` groups with the lowest accuracy in ``window`` among those with enough answers and
    at least one miss; ties go to more misses, then the name."""
    def rate(group: GroupAccuracy) -> Rate:
        return getattr(group, window)

    weak = [group for group in groups if rate(group).reviews >= min_answers and rate(group).passed < rate(group).reviews]
    weak.sort(key=lambda group: (rate(group).rate, rate(group).passed - rate(group).reviews, group.kind, group.name))
    return weak[:count]


def below_average(groups: Iterable[GroupAccuracy], overall: Rate, *, min_answers: int = MIN_ANSWERS
                  ) -> list[GroupAccuracy]:
    """The groups that are actually weak: at least ``min_answers`` first asks in the last 30 days and a
    30-day accuracy strictly below ``overall`` (the learner's own 30-day accuracy over the same cards),
    in the order given (``accuracy_by`` sorts weakest first). A perfect or average group is not weak,
    and one answer is not evidence."""
    bar = overall.rate
    if bar is None:
        return []
    return [group for group in groups
            if group.last_30.reviews >= min_answers and (group.last_30.rate or 0.0) < bar]


# -- reading the database -------------------------------------------------------------------------


# A first ask passes when auto-graded correct, or, self-graded, with quality >= 3.
_PASSED = "COALESCE(correct, quality >= 3)"


def _ensure_tallies(store: Store) -> None:
    """Bring the tallies up to date with the log: add the answers logged since they were last read
    (:func:`catch_up_tallies`), and rebuild them if they still disagree with it (written by a tool that went
    around the store)."""
    conn = store.conn

    def bring_up_to_date() -> None:
        catch_up_tallies(conn)
        for rebuild in _stale_tallies(conn):
            rebuild(conn)

    if conn.in_transaction and store.writer is None:  # a transaction the caller began itself: work inside it
        bring_up_to_date()
    elif _pending_answers(conn) or _stale_tallies(conn):
        # Through the store's lock: another thread's transaction (the drill recording an answer while the Stats
        # worker computes) is waited for, never joined.
        store.write(bring_up_to_date)


def _pending_answers(conn: sqlite3.Connection) -> bool:
    """Whether the log holds answers the tallies have not counted yet (m009's mark)."""
    row = conn.execute("SELECT (SELECT COALESCE(MAX(id), 0) FROM reviews) > through FROM tally_mark").fetchone()
    return bool(row and row[0])


def _stale_tallies(conn: sqlite3.Connection) -> list[Callable[[Any], None]]:
    """The rebuilds needed for the tallies to count every review of the log that has a card row."""
    logged = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    tables: list[tuple[str, Callable[[Any], None]]] = [("review_days", rebuild_tallies),
                                                        ("review_classes", rebuild_review_classes)]
    counts = [(conn.execute(f"SELECT COALESCE(SUM(reviews), 0) FROM {table}").fetchone()[0], rebuild)
              for table, rebuild in tables]
    if all(count == logged for count, _ in counts):
        return []
    # Reviews of cards that have no card row are never tallied; they are not a reason to rebuild.
    known = conn.execute("SELECT COUNT(*) FROM reviews WHERE card_key IN (SELECT key FROM cards)").fetchone()[0]
    return list(dict.fromkeys(rebuild for count, rebuild in counts if count != known))


# One study day (of all decks, or one): ordinal, reviews, reasks, passed, graded, correct, quality_passed,
# timed, answer_ms, young, young_passed, mature, mature_passed (see m003 in the migrations).
_DayRow = tuple[int, int, int, int, int, int, int, int, int, int, int, int, int]
# One card row: key, deck id, card id, repetitions (None if never reviewed), interval, due ordinal,
# first asks and passes of all time.
_CardRow = tuple[int, str, str, int | None, int | None, int | None, int, int]


def _read_days(store: Store, deck_id: str | None) -> list[_DayRow]:
    if deck_id is not None:  # summed from the deck's reviews in the log (m012)
        return store.conn.execute(day_sums("c.deck_id = ?"), (deck_id,)).fetchall()
    return store.conn.execute(
        """SELECT study_day, reviews, reasks, passed, graded, correct, quality_passed, timed, answer_ms,
                  young, young_passed, mature, mature_passed
           FROM review_days ORDER BY study_day""").fetchall()


# One study day (of all decks, or one) of review classes (m004): first asks and passes (quality >= 3)
# of due young cards, due mature cards, due learning cards and cards not yet due, then auto-graded first
# asks and those marked correct.
_ClassRow = tuple[int, int, int, int, int, int, int, int, int, int, int]
_YOUNG, _MATURE, _RELEARNING, _EARLY, _FIRST_GRADED = 1, 3, 5, 7, 9  # column of each count in a _ClassRow


def _read_classes(store: Store, deck_id: str | None) -> list[_ClassRow]:
    """Per study day, the reviews sorted by the card's state before them (see ``m004_review_classes``; all
    decks' days are summed in ``review_classes``, m008)."""
    if deck_id is not None:  # summed from the deck's reviews in the log (m012), without the all-reviews column
        return [row[:1] + row[2:] for row in store.conn.execute(class_sums("c.deck_id = ?"), (deck_id,))]
    return store.conn.execute(
        """SELECT study_day, young, young_passed, mature, mature_passed, relearning, relearning_passed,
                  early, early_passed, first_graded, first_correct
           FROM review_classes ORDER BY study_day""").fetchall()


def _read_cards(store: Store, deck_id: str | None) -> list[_CardRow]:
    where, args = ("WHERE c.deck_id = ?", [deck_id]) if deck_id else ("", [])
    return store.conn.execute(
        f"""SELECT c.key, c.deck_id, c.card_id, CASE WHEN c.ef IS NULL THEN NULL ELSE COALESCE(c.reps, 0) END,
                   c.interval, c.due, COALESCE(t.first_asks, 0), COALESCE(t.passed, 0)
            FROM cards c LEFT JOIN card_tallies t ON t.card_key = c.key {where}""", args).fetchall()


def _read_recent(store: Store, today: date, days: int, deck_id: str | None
                 ) -> dict[int, tuple[int, int, int, int, int, int, int]]:
    """Per card key over the last ``days`` days: (key, first asks and passes in the last 7 and ``days``
    days, timed answers and their capped milliseconds)."""
    since, week = (today - timedelta(days=days - 1)).toordinal(), (today - timedelta(days=6)).toordinal()
    where, args = ("AND +card_key IN (SELECT key FROM cards WHERE deck_id = ?3)", [deck_id]) if deck_id else ("", [])
    passed = _PASSED
    # "+card_key": group with a sort over the date range, not by walking the whole card index. The range: the
    # log from the first id of the window's days on (m011).
    rows = store.conn.execute(
        f"""SELECT card_key, SUM(reask = 0 AND study_day >= ?2), SUM(reask = 0 AND study_day >= ?2 AND {passed}),
                   SUM(reask = 0), SUM(reask = 0 AND {passed}), COUNT(response_ms),
                   COALESCE(SUM(MIN(response_ms, {MAX_ANSWER_MS})), 0)
            FROM reviews WHERE id >= ({FIRST_ID_FROM}) AND study_day >= ?1 {where}
            GROUP BY +card_key""", [since, week, *args])
    return {row[0]: row for row in rows}


# -- the figures ----------------------------------------------------------------------------------


def _activity(cards: list[_CardRow], recent: Mapping[int, tuple[int, ...]]
              ) -> list[tuple[str, str, tuple[int, ...]]]:
    """(deck id, card id, :class:`CardActivity` as a plain tuple) of every card with answers."""
    result = []
    for key, deck_id, card_id, _reps, _interval, _due, first_asks, passed in cards:
        values = recent.get(key)
        if values is not None:
            _, n7, p7, n30, p30, answers, ms = values
            result.append((deck_id, card_id, (n7, p7, n30, p30, first_asks, passed, answers, ms)))
        elif first_asks:
            result.append((deck_id, card_id, (0, 0, 0, 0, first_asks, passed, 0, 0)))
    return result


def _rate_sum(rows: Iterable[tuple[int, ...]], total: int, passed: int) -> Rate:
    reviews = hits = 0
    for row in rows:
        reviews += row[total]
        hits += row[passed]
    return Rate(reviews, hits)


def compute(store: Store, decks: list[Deck], *, now: datetime, deck_id: str | None = None, days: int = 30,
            day_start_hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> Stats:
    """Every statistic for ``decks`` (or the one ``deck_id``) as of ``now``; ``days`` is the window of
    the recent figures (reviews per day, time, retention in window).

    The cyclic garbage collector is paused meanwhile: the figures build tens of thousands of short-lived
    tuples (a few per card), which set off collections that each walk every object alive, the loaded
    decks' cards included (about a tenth of the time at 20,000 cards); none of them makes a cycle."""
    with collector_paused():
        return _compute(store, decks, now=now, deck_id=deck_id, days=days, day_start_hour=day_start_hour, tz=tz)


def _compute(store: Store, decks: list[Deck], *, now: datetime, deck_id: str | None, days: int,
             day_start_hour: int, tz: tzinfo | None) -> Stats:
    today = current_day(store, now, day_start_hour, tz).day
    _ensure_tallies(store)
    # Single statements, no transaction of our own: the app may call this from a worker thread while
    # the same connection records answers. An answer landing in between shifts a figure by one.
    day_rows = _read_days(store, deck_id)
    cards = _read_cards(store, deck_id)
    recent = _read_recent(store, today, RECENT_WINDOWS[1], deck_id)
    class_days = _read_classes(store, deck_id)

    # Activity over time, from the per-day tallies.
    since = today - timedelta(days=days - 1)
    by_day = {row[0]: row for row in day_rows}
    empty = (0,) * 13
    per_day = [DayActivity(since + timedelta(days=offset), row[1], row[8] / 1000)
               for offset in range(days)
               for row in [by_day.get(since.toordinal() + offset, empty)]]
    window_rows = [row for row in day_rows if since.toordinal() <= row[0] <= today.toordinal()]
    totals = [sum(column) for column in zip(*day_rows, strict=True)] if day_rows else [0] * 13

    # Retention, relearning and early reviews, from the log's own before-states.
    class_window = [row for row in class_days if since.toordinal() <= row[0] <= today.toordinal()]
    young, mature = _rate_sum(class_days, _YOUNG, _YOUNG + 1), _rate_sum(class_days, _MATURE, _MATURE + 1)
    retention_days = [(date.fromordinal(row[0]), Rate(row[_YOUNG], row[_YOUNG + 1]),
                       Rate(row[_MATURE], row[_MATURE + 1])) for row in class_days if row[_YOUNG] or row[_MATURE]]

    # Card states and the forecast: the chosen decks' current cards.
    chosen = [deck for deck in decks if deck_id is None or deck.id == deck_id]
    state_of = {(row[1], row[2]): row for row in cards if row[3] is not None}
    by_deck: dict[str, CardCounts] = {}
    dues: list[date] = []
    days_of: dict[int, date] = {}  # one date object per due day, not one per card
    unseen = (None, None, None)
    for deck in chosen:
        states = []
        name = deck.id
        for card in deck.cards:
            row = state_of.get((name, card.id))
            if row is None:
                states.append(unseen)
            elif row[5] is None:
                states.append((row[3], row[4], None))
            else:
                due = days_of.get(row[5])
                if due is None:
                    due = days_of[row[5]] = date.fromordinal(row[5])
                states.append((row[3], row[4], due))
                dues.append(due)
        by_deck[name] = count_states(states, today)
    overall = CardCounts(*(sum(getattr(counts, name) for counts in by_deck.values())
                           for name in ("new", "learning", "young", "mature", "due_today")))

    # Accuracy: every logged card counts for its deck; tags and families need the card in a loaded deck.
    known = {deck.id: deck for deck in chosen}
    card_maps: dict[str, dict[str, AnyCard]] = {}
    merged_tags: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
    deck_groups: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    tag_groups: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    family_groups: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    for card_deck, card_id, entry in _activity(cards, recent):
        deck_groups.append((entry, (card_deck,)))
        deck = known.get(card_deck)
        if deck is None:
            continue
        if card_deck not in card_maps:
            card_maps[card_deck] = {card.id: card for card in deck.cards}
        card = card_maps[card_deck].get(card_id)
        if card is None:
            continue
        key = (card_deck, tuple(card.tags))
        tags = merged_tags.get(key)
        if tags is None:
            tags = merged_tags[key] = tuple(dict.fromkeys([*deck.tags, *card.tags]))
        tag_groups.append((entry, tags))
        if isinstance(card, GeneratedCard):
            family_groups.append((entry, (card.generator,)))
    by_tag = accuracy_by("tag", tag_groups)
    accuracy = {"deck": accuracy_by("deck", deck_groups), "tag": by_tag,
                "generator": accuracy_by("generator", family_groups)}
    accuracy_30 = Rate(sum(entry[0][2] for entry in deck_groups), sum(entry[0][3] for entry in deck_groups))

    return Stats(
        today=today,
        deck=deck_id,
        window_days=days,
        total=Rate(totals[1] - totals[2], totals[3]),
        reviews=totals[1],
        reasks=totals[2],
        auto_graded=_rate_sum(class_days, _FIRST_GRADED, _FIRST_GRADED + 1),
        auto_graded_all=Rate(totals[4], totals[5]),
        quality_passed=totals[6],
        timed=totals[7],
        seconds=totals[8] / 1000,
        per_day=per_day,
        window=_rate_sum(window_rows, 1, 6),
        window_timed=sum(row[7] for row in window_rows),
        window_seconds=sum(row[8] for row in window_rows) / 1000,
        streaks=streaks((date.fromordinal(row[0]) for row in day_rows if row[1]), today),
        heatmap=heatmap({date.fromordinal(row[0]): row[1] for row in day_rows
                         if row[0] > today.toordinal() - 7 * (HEATMAP_WEEKS + 1)}, today),
        retention=young + mature,
        retention_young=young,
        retention_mature=mature,
        retention_window=_rate_sum(class_window, _YOUNG, _YOUNG + 1) + _rate_sum(class_window, _MATURE, _MATURE + 1),
        relearning=_rate_sum(class_days, _RELEARNING, _RELEARNING + 1),
        early=_rate_sum(class_days, _EARLY, _EARLY + 1),
        early_window=_rate_sum(class_window, _EARLY, _EARLY + 1),
        retention_by_week=retention_by(retention_days, week_of),
        retention_by_month=retention_by(retention_days, month_of),
        cards=overall,
        cards_by_deck=by_deck,
        accuracy=accuracy,
        accuracy_30=accuracy_30,
        weakest={kind: below_average(groups, accuracy_30) for kind, groups in accuracy.items()},
        forecast=forecast(dues, today),
        slowest_topics=slowest(by_tag),
    )


# -- weak spots -----------------------------------------------------------------------------------


def weak_cards(store: Store, decks: list[Deck], now: datetime, *, days: int = 30, limit: int = 20,
               groups: int = 3, min_answers: int = MIN_ANSWERS, day_start_hour: int = DEFAULT_DAY_START_HOUR,
               tz: tzinfo | None = None) -> list[tuple[Deck, AnyCard]]:
    """A drill of the topics (tags) and generator families with the lowest accuracy over the last
    ``days`` days: the ``groups`` weakest with at least ``min_answers`` answers and a miss. Their
    cards are taken in turn from each group (weakest group first), each group's cards worst first;
    only cards already seen, plus every generated card of a weak family (a fresh problem each time).
    Empty when nothing is weak yet."""
    today = current_day(store, now, day_start_hour, tz).day
    cards = _read_cards(store, None)
    window = _read_recent(store, today, days, None)
    recent: dict[tuple[str, str], Rate] = {}
    seen: set[tuple[str, str]] = set()
    for key, deck_id, card_id, repetitions, *_ in cards:
        if repetitions is not None:
            seen.add((deck_id, card_id))
        values = window.get(key)
        if values is not None and values[3]:
            recent[(deck_id, card_id)] = Rate(values[3], values[4])
    return pick_weak_cards(decks, recent, seen, limit=limit, groups=groups, min_answers=min_answers)


def pick_weak_cards(decks: list[Deck], recent: Mapping[tuple[str, str], Rate], seen: set[tuple[str, str]], *,
                    limit: int = 20, groups: int = 3, min_answers: int = MIN_ANSWERS) -> list[tuple[Deck, AnyCard]]:
    """The pure part of :func:`weak_cards`: ``recent`` first-ask results per (deck id, card id)."""
    members: dict[tuple[str, str], list[tuple[Rate, int, int, Deck, AnyCard]]] = defaultdict(list)
    entries: list[tuple[CardActivity, Iterable[str]]] = []
    families: list[tuple[CardActivity, Iterable[str]]] = []
    for deck_index, deck in enumerate(decks):
        for card_index, card in enumerate(deck.cards):
            key = (deck.id, card.id)
            answered = recent.get(key)
            generated = isinstance(card, GeneratedCard)
            if answered is None and not generated and key not in seen:
                continue  # neither counted nor drilled
            result = answered or Rate()
            tags = deck.card_tags(card)
            if answered is not None:
                activity = CardActivity(reviews_30=result.reviews, passed_30=result.passed)
                entries.append((activity, tags))
                if generated:
                    families.append((activity, (card.generator,)))
            if key in seen or generated:
                for tag in tags:
                    members[("tag", tag)].append((result, deck_index, card_index, deck, card))
                if generated:
                    members[("generator", card.generator)].append((result, deck_index, card_index, deck, card))
    weak = weakest_groups([*accuracy_by("tag", entries), *accuracy_by("generator", families)],
                          count=groups, min_answers=min_answers)
    queues = []
    for group in weak:
        ranked = sorted(members[(group.kind, group.name)],
                        key=lambda m: (1.0 if m[0].rate is None else m[0].rate, m[0].passed - m[0].reviews, m[1], m[2]))
        queues.append([(deck, card) for *_, deck, card in ranked])
    picked: list[tuple[Deck, AnyCard]] = []
    chosen: set[tuple[str, str]] = set()
    position = 0
    while len(picked) < limit and any(position < len(queue) for queue in queues):
        for queue in queues:
            if position < len(queue) and len(picked) < limit:
                deck, card = queue[position]
                if (deck.id, card.id) not in chosen:
                    chosen.add((deck.id, card.id))
                    picked.append((deck, card))
        position += 1
    return picked


# -- text -----------------------------------------------------------------------------------------

_SHADES = "·░▒▓█"
_SPARKS = "·▁▂▃▄▅▆▇█"


def _percent(rate: Rate) -> str:
    return "—" if rate.rate is None else f"{rate.rate:.0%} of {rate.reviews}"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def heatmap_text(map_: Heatmap) -> list[str]:
    weeks = map_.weeks()
    months = [" "] * len(weeks)
    for column in range(len(weeks)):
        first = map_.start + timedelta(weeks=column)
        if column == 0 or first.month != (first - timedelta(weeks=1)).month:
            label = first.strftime("%b")
            if column + len(label) <= len(weeks) and all(m == " " for m in months[max(0, column - 1):column + 3]):
                months[column:column + len(label)] = list(label)
    lines = ["     " + "".join(months).rstrip()]
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        cells = "".join(" " if week[weekday] is None else _SHADES[week[weekday] or 0] for week in weeks)
        lines.append(f"{name:<4} {cells.rstrip()}")
    return lines


def _sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    return "".join(_SPARKS[math.ceil(8 * value / top)] if top and value else "·" for value in values)


def _table(heading: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = [f"{heading:<30} " + "".join(f"{column:<15}" for column in columns).rstrip()]
    for name, *cells in rows:
        lines.append(f"  {name[:28]:<28} " + "".join(f"{cell:<15}" for cell in cells).rstrip())
    return lines


def summary_text(stats: Stats, *, rows: int = 5) -> str:
    """A readable page of the figures for the terminal; each figure says what it counts (``LABELS``),
    and the page ends with the full definitions."""
    where = f"deck {stats.deck}" if stats.deck else "all decks"
    cards, streak = stats.cards, stats.streaks
    average = stats.average_answer_seconds
    recent = [day.reviews for day in stats.per_day[-14:]]
    lines = [
        f"Quizzer stats — {where}, study day {stats.today.isoformat()}",
        "",
        f"Reviews    {stats.reviews} in all ({plural(stats.reasks, 're-ask')}), {stats.window.reviews} in the "
        f"last {stats.window_days} days ({stats.window.reviews / stats.window_days:.1f} a day, "
        f"{_duration(stats.window_seconds / stats.window_days)} a day); {_duration(stats.seconds)} in all",
        f"Last {len(recent)} days {_sparkline(recent)}  (reviews per day, today last)",
        f"Accuracy   {_percent(stats.total)} ({LABELS['accuracy']}); auto-graded {_percent(stats.auto_graded)} "
        f"({LABELS['auto_graded']}; {_percent(stats.auto_graded_all)} with re-asks)"
        + ("" if average is None else f"; {average:.1f} s per answer"),
        f"Streak     {plural(streak.current, 'day')} (longest {streak.longest}); "
        f"studied on {plural(streak.days_studied, 'day')}",
        f"Cards      {cards.total}: {cards.new} new, {cards.learning} {LABELS['learning']}, {cards.young} young, "
        f"{cards.mature} mature; {cards.due_today} due today",
        f"Retention  young {_percent(stats.retention_young)}, mature {_percent(stats.retention_mature)}, "
        f"last {stats.window_days} days {_percent(stats.retention_window)} ({LABELS['retention']})",
        f"Not in it  early reviews {_percent(stats.early)}, last {stats.window_days} days "
        f"{_percent(stats.early_window)} ({LABELS['early']}); relearning {_percent(stats.relearning)}",
    ]
    dues = [due for _, due in stats.forecast]
    lines += ["", f"Due in the next {len(dues)} days: today {dues[0]}, within a week {sum(dues[:7])}, "
                  f"within {len(dues)} days {sum(dues)}",
              f"  {_sparkline(dues)}"]
    if stats.reviews:
        lines += ["", "Last year (reviews per day)", *heatmap_text(stats.heatmap)]
    for label, periods in (("week", stats.retention_by_week), ("month", stats.retention_by_month)):
        if periods:
            lines += ["", *_table(f"True retention by {label}", ("young", "mature", "all"),
                                  [(period.period, _percent(period.young), _percent(period.mature),
                                    _percent(period.total)) for period in periods[-rows:]])]
    if stats.accuracy_30.reviews:
        lines += ["", f"Weak spots: {LABELS['weakest']} (yours: {_percent(stats.accuracy_30)} first asks)"]
    for kind, heading in (("deck", "decks"), ("tag", "topics"), ("generator", "generator families")):
        answered = [group for group in stats.accuracy.get(kind, []) if group.all.reviews]
        weak = stats.weakest.get(kind, [])
        if weak:
            lines += ["", *_table(f"Weakest {heading}", ("30 days", "7 days", "all"),
                                  [(group.name, _percent(group.last_30), _percent(group.last_7), _percent(group.all))
                                   for group in weak[:rows]])]
        elif answered and kind != "deck":
            lines += ["", f"Weakest {heading}: none below your 30-day accuracy with {MIN_ANSWERS} or more first asks"]
    if stats.slowest_topics:
        lines += ["", *_table("Slowest topics", ("30 days",),
                              [(group.name, f"{group.average_seconds_30 or 0:.1f} s per answer ({group.answers_30})")
                               for group in stats.slowest_topics])]
    if stats.reviews:
        lines += ["", "How the numbers are counted"]
        for name, text in DEFINITIONS.items():
            lines += textwrap.wrap(f"{name.replace('_', ' ')}: {text}", width=100, initial_indent="  ",
                                   subsequent_indent="    ")
    return "\n".join(lines)
