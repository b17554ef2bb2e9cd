"""The mock interview: a timed round of about ten questions, mixed like a real interview screen, and its report.

Plain Python on plain data, like :mod:`quizzer.session`: the seed, the study day and the recall estimates are
passed in, so a round is reproducible in tests and nothing here imports Textual or scikit-learn.

- **Picking** (:func:`select_questions`): the cards that can be answered without a self-grade are split into
  three *lanes*: explain-it questions (open cards with key points, answered by typing and graded by
  :mod:`quizzer.keypoints`), problems (generated families and numeric cards) and judgement calls (choice
  cards). Each lane gets its share of the round (:func:`lane_quotas`; a lane with too few cards gives its
  places to the others). Within a lane cards are drawn one by one with weights: low predicted recall (from
  :mod:`quizzer.readiness` when its model is ready, else a rough estimate from the SM-2 state, see
  :func:`sm2_recall`), cards tagged ``interview`` (frequently asked) twice as likely, and each card already
  drawn from a deck halves that deck's weight, so the round spreads across topics.
- **Timing**: a target time per question (the round's minutes over its questions). Going over is allowed:
  each answer records its time and whether it was over the target.
- **Scoring** (:func:`score_answer`, :func:`report`): an explain-it answer scores the share of key points
  made (right or not is the grader's verdict: a missed must-have point makes it "partly" however many
  others it makes); a question passed on scores 0; other questions score 1 or 0. The round's score is the
  mean; each deck (topic) gets the mean of its questions; the three topics to study next are the weakest
  decks of this round.

A round is stored answer by answer (:meth:`quizzer.store.Store.add_interview_answer`), each right after its
review is committed to the log, and marked finished at the end. A round left early -- ``q``/Esc (the
report of what was answered), Ctrl+Q, a crash, a killed terminal, Ctrl+C in ``quizzer`` outside the app
-- keeps every answer given so far, in the review log and in the round, and stays *abandoned* (no finish
time): the statistics list it as such and leave it out of the trend of finished rounds. (Inside the app
Ctrl+C only says that Ctrl+Q quits, as everywhere in Quizzer.) A round in which nothing was answered is
not stored at all.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from quizzer.decks.model import AnyCard, ChoiceCard, Deck, GeneratedCard, NumericCard, OpenCard

if TYPE_CHECKING:
    from generators import Problem
    from quizzer.grading import Grade
    from quizzer.keypoints import PointsGrade
    from quizzer.session import QueueItem, SessionConfig
    from quizzer.store import Store

Lane = Literal["explain", "problem", "judgement"]
LANES: tuple[Lane, ...] = ("explain", "problem", "judgement")
LANE_NAMES: dict[Lane, str] = {"explain": "explain it", "problem": "problem", "judgement": "judgement call"}
# Shares of the round: half explain-it questions, the rest problems and a few judgement calls.
LANE_SHARES: dict[Lane, float] = {"explain": 0.5, "problem": 0.3, "judgement": 0.2}

DEFAULT_MINUTES = 30
MIN_QUESTIONS = 10
MAX_QUESTIONS = 12
INTERVIEW_TAG = "interview"
FREQUENT_BOOST = 2.0  # a card tagged `interview` is this many times as likely to be asked
DECK_SPREAD = 0.5  # each card already drawn from a deck multiplies the deck's weights by this
UNSTUDIED_RECALL = 0.5  # a card never answered: as likely to be known as not
WEAKNESS_FLOOR = 0.15  # a card recalled for sure still has a chance to be asked
STUDY_NEXT = 3
SCORE_DIGITS = 4  # a round's score is rounded so the report and the statistics print the same percentage

Key = tuple[str, str]


def default_questions(minutes: int) -> int:
    """About three minutes a question, kept to the 10-12 questions of a real screen."""
    return min(MAX_QUESTIONS, max(MIN_QUESTIONS, minutes // 3))


def target_seconds(minutes: int, questions: int) -> float:
    """The time a question may take for the round to end on time."""
    return minutes * 60 / max(1, questions)


@dataclass(frozen=True, slots=True)
class InterviewRequest:
    """A round asked for: its decks, length and question count, and the recall model's predictions if
    the caller already has them (Home, once its readiness column is filled)."""

    decks: list[Deck]
    minutes: int = DEFAULT_MINUTES
    questions: int = MIN_QUESTIONS
    predictions: Mapping[Key, float] | None = None


def lane_of(card: AnyCard) -> Lane | None:
    """The lane a card is asked in, or None for a card the round cannot grade (an open card without key
    points would need a self-grade, which a mock interview does not ask for)."""
    if isinstance(card, OpenCard):
        return "explain" if card.points else None
    if isinstance(card, GeneratedCard | NumericCard):
        return "problem"
    if isinstance(card, ChoiceCard):
        return "judgement"
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A card that may be asked, with what weighs on its chance."""

    deck: Deck
    card: AnyCard
    lane: Lane
    recall: float  # predicted (or estimated) chance of recalling it today
    frequent: bool  # tagged `interview`

    @property
    def key(self) -> Key:
        return (self.deck.id, self.card.id)

    @property
    def weight(self) -> float:
        return (WEAKNESS_FLOOR + 1.0 - min(1.0, max(0.0, self.recall))) * (
            FREQUENT_BOOST if self.frequent else 1.0
        )


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """What the SM-2 fallback needs of a studied card (a light copy of :class:`quizzer.store.CardState`)."""

    interval: int
    due: date | None
    lapses: int


def sm2_recall(state: ScheduleState | None, today: date) -> float:
    """A rough recall estimate from the SM-2 state, for when the recall model is not ready yet.

    SM-2 aims at about 90% recall on the due day; past it the estimate halves every interval overdue, and
    each lapse takes off 15%. Never studied: :data:`UNSTUDIED_RECALL`. It only orders cards for picking.
    """
    if state is None:
        return UNSTUDIED_RECALL
    overdue = 0 if state.due is None else max(0, (today - state.due).days)
    recall = 0.9 * 0.5 ** (overdue / max(1, state.interval))
    return recall * 0.85 ** max(0, state.lapses)


def candidates(
    decks: Sequence[Deck],
    today: date,
    *,
    predictions: Mapping[Key, float] | None = None,
    states: Mapping[Key, ScheduleState] | None = None,
) -> list[Candidate]:
    """Every card of ``decks`` the round can ask, with its recall: the model's prediction when there is
    one for the card, else the SM-2 estimate (:func:`sm2_recall`)."""
    predictions = predictions or {}
    states = states or {}
    found: list[Candidate] = []
    for deck in decks:
        for card in deck.cards:
            lane = lane_of(card)
            if lane is None:
                continue
            key = (deck.id, card.id)
            recall = predictions.get(key)
            if recall is None:
                recall = sm2_recall(states.get(key), today)
            found.append(Candidate(deck, card, lane, recall, INTERVIEW_TAG in deck.card_tags(card)))
    return found


def lane_quotas(count: int, available: Mapping[Lane, int]) -> dict[Lane, int]:
    """How many questions each lane gets: its share of ``count`` (largest remainders), at most what it has;
    places a lane cannot fill go to the lanes with cards left, in lane order."""
    raw = {lane: count * LANE_SHARES[lane] for lane in LANES}
    quotas = {lane: math.floor(raw[lane]) for lane in LANES}
    by_remainder = sorted(LANES, key=lambda lane: (-(raw[lane] - quotas[lane]), LANES.index(lane)))
    for lane in by_remainder[: count - sum(quotas.values())]:
        quotas[lane] += 1
    quotas = {lane: min(quotas[lane], available.get(lane, 0)) for lane in LANES}
    short = count - sum(quotas.values())
    while short > 0:
        open_lanes = [lane for lane in LANES if quotas[lane] < available.get(lane, 0)]
        if not open_lanes:
            break
        for lane in open_lanes:
            if short == 0:
                break
            quotas[lane] += 1
            short -= 1
    return quotas


def _draw(
    pool: list[Candidate], count: int, rng: random.Random, drawn_per_deck: dict[str, int]
) -> list[Candidate]:
    """``count`` cards from ``pool`` one at a time, each with probability proportional to its weight times
    :data:`DECK_SPREAD` to the power of the cards already drawn from its deck (in this round)."""
    pool = list(pool)
    chosen: list[Candidate] = []
    for _ in range(min(count, len(pool))):
        weights = [c.weight * DECK_SPREAD ** drawn_per_deck[c.deck.id] for c in pool]
        pick = rng.random() * sum(weights)
        index = len(pool) - 1
        for position, weight in enumerate(weights):
            pick -= weight
            if pick < 0:
                index = position
                break
        card = pool.pop(index)
        drawn_per_deck[card.deck.id] += 1
        chosen.append(card)
    return chosen


def _interleave(by_lane: Mapping[Lane, list[Candidate]]) -> list[Candidate]:
    """The lanes' questions spread through the round: the i-th of a lane of n sits near (i + ½) / n."""
    slots = [
        ((index + 0.5) / len(picked), LANES.index(lane), candidate)
        for lane, picked in by_lane.items()
        for index, candidate in enumerate(picked)
    ]
    return [candidate for *_, candidate in sorted(slots, key=lambda slot: slot[:2])]


def select_questions(pool: Sequence[Candidate], count: int, seed: int) -> list[Candidate]:
    """The round's questions, in the order asked: at most ``count``, mixed by lane (:func:`lane_quotas`),
    drawn by weight (:attr:`Candidate.weight`) with the decks spread. The same pool, count and seed give
    the same round."""
    rng = random.Random(seed)
    lanes: dict[Lane, list[Candidate]] = {lane: [] for lane in LANES}
    for candidate in sorted(pool, key=lambda c: c.key):  # the order given does not change the round
        lanes[candidate.lane].append(candidate)
    quotas = lane_quotas(count, {lane: len(cards) for lane, cards in lanes.items()})
    drawn_per_deck: dict[str, int] = defaultdict(int)
    # The scarcer lanes draw first, so the spread across decks is decided where choice is widest.
    order = sorted(LANES, key=lambda lane: (len(lanes[lane]), LANES.index(lane)))
    picked = {lane: _draw(lanes[lane], quotas[lane], rng, drawn_per_deck) for lane in order}
    return _interleave(picked)


def choose_questions(
    store: Store,
    decks: Sequence[Deck],
    *,
    now: datetime,
    count: int,
    seed: int,
    config: SessionConfig | None = None,
    predictions: Mapping[Key, float] | None = None,
) -> list[Candidate]:
    """:func:`select_questions` over ``decks`` as the store sees them today: ``predictions`` (the recall
    model's, when it is ready) or else the SM-2 states. Raises :class:`quizzer.errors.UsageError` when
    the decks hold nothing a round can ask."""
    from quizzer.errors import UsageError
    from quizzer.session import SessionConfig, current_day

    config = config or SessionConfig()
    if not decks:
        raise UsageError("no decks to take a mock interview from.")
    today = current_day(store, now, config.day_start_hour, config.tz).day
    states = {
        key: ScheduleState(entry.state.interval, entry.state.due, entry.lapses)
        for key, entry in store.card_states([deck.id for deck in decks]).items()
    }
    pool = candidates(decks, today, predictions=predictions, states=states)
    if not pool:
        names = ", ".join(deck.id for deck in decks)
        raise UsageError(
            f"{names}: no card a mock interview can ask. It asks open cards with key points (points:), "
            "choice, numeric and generated cards; open cards without key points need a self-grade."
        )
    return select_questions(pool, count, seed)


# -- answers and the report ---------------------------------------------------------------------------


Verdict = Literal["right", "partly", "wrong", "passed"]


@dataclass(frozen=True, slots=True)
class InterviewAnswer:
    """One question of a round, answered: what was said, how it was judged and how long it took."""

    position: int  # 0-based, in the order asked
    deck_id: str
    card_id: str
    lane: Lane
    question: str  # one line naming the question
    answer: str | None  # as typed or picked; None when the question was passed on (answer revealed)
    verdict: Verdict
    score: float  # 0..1
    missed: tuple[str, ...]  # explain-it questions: the key points not made; others: the expected answer
    seconds: float
    target_seconds: float
    quality: int  # the SM-2 grade written to the review log

    @property
    def over_target(self) -> bool:
        return self.seconds > self.target_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "deck_id": self.deck_id,
            "card_id": self.card_id,
            "lane": self.lane,
            "question": self.question,
            "answer": self.answer,
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "missed": list(self.missed),
            "seconds": round(self.seconds, 1),
            "target_seconds": round(self.target_seconds, 1),
            "over_target": self.over_target,
            "quality": self.quality,
        }


def score_answer(
    *,
    correct: bool | None,
    points_made: int | None = None,
    points_total: int | None = None,
    answered: bool = True,
) -> tuple[Verdict, float]:
    """The verdict and score of one answer.

    Explain-it answers (``points_total`` given) score the share of key points made; the verdict is the
    grader's (right), else "partly" when some point was made (a must-have point missing makes an answer
    not right however many others it makes), else wrong. A question passed on (``answered`` false: the
    answer was revealed without one) scores 0. Other answers: right 1, wrong 0.
    """
    if not answered:
        return "passed", 0.0
    if points_total:
        share = (points_made or 0) / points_total
        if correct:
            return "right", share
        return ("partly", share) if share > 0 else ("wrong", 0.0)
    return ("right", 1.0) if correct else ("wrong", 0.0)


@dataclass(frozen=True, slots=True)
class TopicScore:
    deck_id: str
    title: str
    questions: int
    score: float
    missed: tuple[str, ...]  # the questions of this topic not answered right

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck_id": self.deck_id,
            "title": self.title,
            "questions": self.questions,
            "score": round(self.score, 4),
            "missed": list(self.missed),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The end of a round: every answer, the score overall and per topic, and what to study next."""

    answers: tuple[InterviewAnswer, ...]
    planned: int  # questions the round was to ask
    minutes: int
    seconds: float  # the round's length on the clock
    topics: tuple[TopicScore, ...]  # weakest first
    study_next: tuple[TopicScore, ...]
    finished: bool = True

    @property
    def score(self) -> float | None:
        """The mean score, rounded as stored rounds are (:func:`past_rounds`), so both print alike."""
        return (
            round(sum(a.score for a in self.answers) / len(self.answers), SCORE_DIGITS)
            if self.answers
            else None
        )

    @property
    def over_target(self) -> int:
        return sum(a.over_target for a in self.answers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 4),
            "planned": self.planned,
            "answered": len(self.answers),
            "minutes": self.minutes,
            "seconds": round(self.seconds, 1),
            "finished": self.finished,
            "over_target": self.over_target,
            "answers": [a.to_dict() for a in self.answers],
            "topics": [t.to_dict() for t in self.topics],
            "study_next": [t.to_dict() for t in self.study_next],
        }


def report(
    answers: Sequence[InterviewAnswer],
    *,
    planned: int,
    minutes: int,
    seconds: float,
    titles: Mapping[str, str] | None = None,
    finished: bool = True,
) -> Report:
    """Score a round: per topic (deck) the mean score of its questions, weakest first (ties: more
    questions first, then by title); to study next, up to three topics that lost points this round."""
    titles = titles or {}
    grouped: dict[str, list[InterviewAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.deck_id].append(answer)
    topics = [
        TopicScore(
            deck_id,
            titles.get(deck_id, deck_id),
            len(group),
            sum(a.score for a in group) / len(group),
            tuple(a.question for a in group if a.verdict != "right" or a.score < 1),
        )
        for deck_id, group in grouped.items()
    ]
    topics.sort(key=lambda t: (t.score, -t.questions, t.title))
    study = tuple(t for t in topics if t.score < 1)[:STUDY_NEXT]
    return Report(tuple(answers), planned, minutes, seconds, tuple(topics), study, finished)


# -- a round in progress ------------------------------------------------------------------------------


class Round:
    """A round being taken: the chosen questions asked through a :class:`quizzer.session.Session`, so each
    answer goes into the review log like any other (scheduled by :func:`quizzer.sm2.step`, early reviews
    included), and then into the round's own rows. A missed question is not asked again: a round asks each
    question once.

    The round is stored at its first answer (a round left before any answer leaves nothing behind) and
    marked finished by :meth:`finish`; until then it reads as abandoned.
    """

    def __init__(
        self,
        store: Store,
        questions: Sequence[Candidate],
        *,
        minutes: int,
        now: datetime,
        seed: int,
        config: SessionConfig | None = None,
    ) -> None:
        from quizzer.session import Session

        self.store = store
        self.questions = list(questions)
        self.minutes = minutes
        self.seed = seed
        self.started = now
        self.target = target_seconds(minutes, len(self.questions))
        decks = list({c.deck.id: c.deck for c in self.questions}.values())
        self.titles = {deck.id: deck.title for deck in decks}
        self.session = Session(
            store, decks, now=now, seed=seed, config=config, cards=[(c.deck, c.card) for c in self.questions]
        )
        self._lanes = {c.key: c.lane for c in self.questions}
        self.answers: list[InterviewAnswer] = []
        self.interview_id: int | None = None
        self.finished_at: datetime | None = None

    @property
    def planned(self) -> int:
        return len(self.questions)

    @property
    def position(self) -> int:
        """The 0-based number of the question being asked (or of the next one)."""
        return len(self.answers)

    def next(self) -> QueueItem | None:
        return self.session.next()

    def lane(self, item: QueueItem) -> Lane:
        """The lane ``item`` is asked in (the card's own, for a card the round did not choose)."""
        return self._lanes.get(item.key) or lane_of(item.card) or "explain"

    def elapsed(self, now: datetime) -> float:
        return max(0.0, (now - self.started).total_seconds())

    def record(
        self,
        item: QueueItem,
        quality: int,
        *,
        now: datetime,
        seconds: float,
        answer: str | None,
        correct: bool | None,
        grade: Grade | None = None,
        points: PointsGrade | None = None,
    ) -> InterviewAnswer:
        """Commit one answer to the review log, then to the round; returns it as the report shows it.

        ``grade`` is the auto-grader's verdict (choice, numeric, generated), ``points`` the key-point
        grader's (typed explain-it answers); neither when an explain-it question was passed on (the answer
        revealed and self-graded). Raises :class:`quizzer.errors.StoreError` if the review could not be
        saved (nothing is kept then, and the same answer may be recorded again).
        """
        outcome = self.session.record(
            item, quality, now=now, answer=answer, correct=correct, response_ms=int(seconds * 1000)
        )
        for queued in list(self.session.queue):
            if queued.reask:
                self.session.skip(queued)
        card = item.card
        if points is not None:
            # An unsure key-point verdict was left to the learner: their grade decides right or not.
            decided = correct if points.unsure and correct is not None else points.correct
            verdict, score = score_answer(correct=decided, points_made=points.made, points_total=len(points.points))
            missed = tuple(point.text for point in points.points if not point.made)
        elif grade is not None:
            verdict, score = score_answer(correct=grade.correct)
            missed = () if grade.correct else (grade.expected,)
        else:
            verdict, score = score_answer(correct=None, answered=False)
            missed = tuple(point.text for point in card.points or ()) if isinstance(card, OpenCard) else ()
        result = InterviewAnswer(
            position=self.position,
            deck_id=item.deck.id,
            card_id=item.card.id,
            lane=self.lane(item),
            question=question_line(item.card, item.problem),
            answer=answer,
            verdict=verdict,
            score=score,
            missed=missed,
            seconds=seconds,
            target_seconds=self.target,
            quality=quality,
        )
        self.answers.append(result)
        if self.interview_id is None:
            self.interview_id = self.store.start_interview(
                self.started,
                minutes=self.minutes,
                planned=self.planned,
                seed=self.seed,
                deck_ids=list(self.titles),
            )
        self.store.add_interview_answer(self.interview_id, result.to_dict(), outcome.record.reviewed_at)
        return result

    @property
    def done(self) -> bool:
        return self.session.current is None and not self.session.queue

    def finish(self, now: datetime) -> Report:
        """End the round: mark it finished when every question was answered, and report it."""
        finished = self.done and bool(self.answers)
        if finished and self.interview_id is not None and self.finished_at is None:
            self.store.finish_interview(self.interview_id, now)
            self.finished_at = now
        return self.report(now)

    def report(self, now: datetime) -> Report:
        return report(
            self.answers,
            planned=self.planned,
            minutes=self.minutes,
            seconds=self.elapsed(self.finished_at or now),
            titles=self.titles,
            finished=self.finished_at is not None,
        )


def question_line(card: AnyCard, problem: Problem | None = None, width: int = 300) -> str:
    """One line naming a question as it was asked: the card's front, and for a generated card the lead-in
    and the instance's own prompt (else the family's name). Markdown is left as written."""
    pieces = [card.front or ""]
    if isinstance(card, GeneratedCard):
        pieces.append(
            problem.prompt if problem is not None else "" if card.front else f"{card.generator} problem"
        )
    line = " ".join(" ".join(pieces).split()) or card.id
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def clock_text(seconds: float) -> str:
    """``75`` -> ``1:15``; ``3725`` -> ``62:05`` (a round's clock counts minutes, not hours)."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class PastRound:
    """A stored round, as the statistics list it."""

    started_at: datetime
    minutes: int
    planned: int
    answered: int
    score: float | None
    finished: bool
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "minutes": self.minutes,
            "planned": self.planned,
            "answered": self.answered,
            "score": None if self.score is None else round(self.score, 4),
            "finished": self.finished,
            "seconds": None if self.seconds is None else round(self.seconds, 1),
        }


def past_rounds(rows: Sequence[Mapping[str, Any]]) -> list[PastRound]:
    """Rounds as :meth:`quizzer.store.Store.interviews` gives them, oldest first."""
    return [
        PastRound(
            started_at=row["started_at"],
            minutes=row["minutes"],
            planned=row["planned"],
            answered=row["answered"],
            score=None if row["score"] is None else round(row["score"], SCORE_DIGITS),
            finished=row["finished_at"] is not None,
            seconds=None
            if row["finished_at"] is None
            else (row["finished_at"] - row["started_at"]).total_seconds(),
        )
        for row in rows
    ]


def history_lines(rounds: Sequence[PastRound], *, tz: Any = None, limit: int = 8) -> list[str]:
    """Mock-interview scores over time, newest last: one line a round (date, score, questions, minutes)
    and a sparkline of the finished rounds' scores. Plain text (no markup)."""
    if not rounds:
        return ["No mock interviews yet: `quizzer interview` (or i on Home) takes one."]
    shown = list(rounds)[-limit:]
    lines = []
    for past in shown:
        when = past.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        score = "  —" if past.score is None else f"{past.score:>4.0%}"
        took = "" if past.seconds is None else f" in {clock_text(past.seconds)}"
        if past.finished:
            count = f"{past.answered} question{'' if past.answered == 1 else 's'}"
        else:
            count = f"{past.answered} of {past.planned} questions"
        state = "" if past.finished else " · abandoned"
        lines.append(f"{when}  {score}  {count} · {past.minutes} min round{took}{state}")
    finished = [p.score for p in rounds if p.finished and p.score is not None]
    if len(finished) > 1:
        bars = "▁▂▃▄▅▆▇█"
        spark = "".join(bars[min(len(bars) - 1, int(score * len(bars)))] for score in finished[-24:])
        lines.append(f"Finished rounds, oldest to newest: {spark}")
    return lines


__all__ = [
    "DEFAULT_MINUTES",
    "LANES",
    "Candidate",
    "InterviewAnswer",
    "InterviewRequest",
    "PastRound",
    "Report",
    "Round",
    "ScheduleState",
    "TopicScore",
    "candidates",
    "choose_questions",
    "clock_text",
    "default_questions",
    "history_lines",
    "lane_of",
    "lane_quotas",
    "past_rounds",
    "question_line",
    "report",
    "score_answer",
    "select_questions",
    "sm2_recall",
    "target_seconds",
]
