"""A simulated learner, to test the recall model against a memory whose truth is known.

Each card has a fixed difficulty D (1-10) drawn around its topic's mean (plus a shift for its kind: choice
cards are easier, generated problems harder) and a memory stability S in days. The chance of recalling it
``t`` days after the last review is the FSRS forgetting curve R = (1 + t / (9 S))^-1 (R = 0.9 when t = S).
A successful review raises S, more when the card was nearly forgotten and less for hard or already stable
cards; a lapse drops S (FSRS-4.5's update rules with its default weights, the "Good" grade throughout).

The learner is scheduled by :mod:`quizzer.sm2` exactly as a drill would be (``step``, re-asks that leave
the schedule alone), for ``days`` study days with a daily new-card limit, skips some days (so reviews come
late) and now and then drills cards before they are due (so some come early). The log comes out in the
shape of :meth:`quizzer.store.Store.reviews`, each row with the true recall probability of the ask
(``p_recall``) for the oracle.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from quizzer.sm2 import SM2State, step
from quizzer.store import ReviewRecord, Store

# FSRS-4.5 default weights (open-spaced-repetition/fsrs4anki, "w"): initial stabilities for Again / Good,
# the recall-success growth (w8-w10) and the post-lapse stability (w11-w14).
_S_AGAIN, _S_GOOD = 0.4872, 3.7145
_W8, _W9, _W10 = 1.6474, 0.1367, 1.0461
_W11, _W12, _W13, _W14 = 2.1072, 0.0793, 0.3246, 1.587

KINDS = ("open", "choice", "numeric", "generated")
KIND_SHIFT = {"open": 0.5, "choice": -1.0, "numeric": 1.0, "generated": 1.5}
START = date(2026, 1, 5)


def recall_probability(elapsed_days: float, stability: float) -> float:
    """The FSRS forgetting curve."""
    return (1.0 + elapsed_days / (9.0 * stability)) ** -1.0


def stability_after_success(stability: float, difficulty: float, recall: float, growth: float = 1.0) -> float:
    gain = (
        math.exp(_W8)
        * growth
        * (11.0 - difficulty)
        * stability**-_W9
        * (math.exp(_W10 * (1.0 - recall)) - 1.0)
    )
    return stability * (1.0 + gain)


def stability_after_lapse(stability: float, difficulty: float, recall: float) -> float:
    new = _W11 * difficulty**-_W12 * ((stability + 1.0) ** _W13 - 1.0) * math.exp(_W14 * (1.0 - recall))
    return max(0.1, min(stability, new))


@dataclass(frozen=True, slots=True)
class LearnerProfile:
    """What makes one simulated learner differ from another."""

    seed: int
    days: int = 90
    new_per_day: int = 10
    decks: int = 8
    cards_per_deck: int = 120
    skip_probability: float = 0.15  # a day with no study at all: the next reviews come late
    early_drill_probability: float = 0.1  # a day with a weak-spot drill of cards not yet due
    early_drill_size: int = 10
    growth: float = 1.0  # how fast this learner's memories stabilise


@dataclass(slots=True)
class _Card:
    deck_id: str
    card_id: str
    kind: str
    difficulty: float
    prior_recall: float  # chance of knowing the card before ever studying it
    stability: float = 0.0
    last_day: int | None = None
    state: SM2State = field(default_factory=SM2State)


@dataclass(frozen=True, slots=True)
class SimulatedLog:
    profile: LearnerProfile
    rows: list[dict[str, Any]]  # oldest first, in the shape of Store.reviews(), plus "p_recall"
    cards: dict[tuple[str, str], dict[str, Any]]  # (deck id, card id) -> kind, difficulty
    start: date
    memory: dict[
        tuple[str, str], tuple[int, float]
    ]  # studied cards at the end: (last day ordinal, stability)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.profile.days - 1)

    def true_recall(self, day: date) -> dict[tuple[str, str], float]:
        """The true chance of recalling each studied card if asked on ``day``."""
        return {
            key: recall_probability(day.toordinal() - last, stability)
            for key, (last, stability) in self.memory.items()
        }


def _make_cards(profile: LearnerProfile, rng: random.Random) -> list[_Card]:
    cards = []
    for deck_index in range(profile.decks):
        topic_mean = rng.uniform(3.0, 8.0)
        for card_index in range(profile.cards_per_deck):
            kind = rng.choices(KINDS, weights=(4, 3, 2, 1))[0]
            difficulty = min(10.0, max(1.0, rng.gauss(topic_mean + KIND_SHIFT[kind], 1.5)))
            cards.append(
                _Card(
                    f"topic-{deck_index}",
                    f"card-{card_index:03d}",
                    kind,
                    difficulty,
                    prior_recall=max(0.05, 0.75 - 0.07 * difficulty),
                )
            )
    rng.shuffle(cards)  # new cards come from every topic
    return cards


def _quality(recalled: bool, recall: float, rng: random.Random) -> int:
    if not recalled:
        return rng.choice((0, 1, 2))
    base = 5 if recall > 0.9 else 4 if recall > 0.75 else 3
    if rng.random() < 0.2:
        base = min(5, max(3, base + rng.choice((-1, 1))))
    return base


def simulate(profile: LearnerProfile) -> SimulatedLog:
    """Run the learner for ``profile.days`` days and return the review log."""
    rng = random.Random(profile.seed)
    cards = _make_cards(profile, rng)
    fresh = list(cards)
    started: list[_Card] = []
    rows: list[dict[str, Any]] = []

    def ask(card: _Card, day: date, reask: bool = False) -> bool:
        ordinal = day.toordinal()
        if card.last_day is None:
            recall = card.prior_recall
        else:
            recall = recall_probability(ordinal - card.last_day, card.stability)
        recalled = rng.random() < recall
        quality = 4 if reask else _quality(recalled, recall, rng)
        before = card.state
        after = before if reask else step(before, quality, day)
        if not reask:
            if card.last_day is None:
                card.stability = _S_GOOD if recalled else _S_AGAIN
            elif recalled:
                card.stability = stability_after_success(
                    card.stability, card.difficulty, recall, profile.growth
                )
            else:
                card.stability = stability_after_lapse(card.stability, card.difficulty, recall)
        card.last_day = ordinal
        card.state = after
        rows.append(
            {
                "id": len(rows) + 1,
                "deck_id": card.deck_id,
                "card_id": card.card_id,
                "study_day": day.isoformat(),
                "quality": quality,
                "kind": card.kind,
                "reask": reask,
                "correct": quality >= 3,
                "easiness_before": before.easiness,
                "interval_before": before.interval,
                "repetitions_before": before.repetitions,
                "due_before": None if before.due is None else before.due.isoformat(),
                "easiness_after": after.easiness,
                "interval_after": after.interval,
                "repetitions_after": after.repetitions,
                "due_after": None if after.due is None else after.due.isoformat(),
                "p_recall": recall,
            }
        )
        return quality >= 3

    for offset in range(profile.days):
        day = START + timedelta(days=offset)
        if offset and rng.random() < profile.skip_probability:
            continue
        due = [card for card in started if card.state.due is not None and card.state.due <= day]
        rng.shuffle(due)
        if rng.random() < profile.early_drill_probability:
            not_due = [card for card in started if card.state.due is not None and card.state.due > day]
            due += rng.sample(not_due, min(profile.early_drill_size, len(not_due)))
        new = fresh[: profile.new_per_day]
        del fresh[: profile.new_per_day]
        started += new
        missed = [card for card in [*due, *new] if not ask(card, day)]
        for card in missed:  # SM-2 step 7: a missed card is asked again in the session
            ask(card, day, reask=True)

    info = {
        (card.deck_id, card.card_id): {"kind": card.kind, "difficulty": card.difficulty} for card in cards
    }
    memory = {
        (card.deck_id, card.card_id): (card.last_day, card.stability) for card in started if card.last_day
    }
    return SimulatedLog(profile, rows, info, START, memory)


def deck_yaml(log: SimulatedLog, deck_id: str, *, interview_every: int = 0) -> str:
    """A deck file for one simulated topic (open cards; every ``interview_every``-th card tagged
    ``interview``, none if 0), so the CLI can load the decks the log talks about."""
    ids = sorted(card_id for deck, card_id in log.cards if deck == deck_id)
    lines = [f"id: {deck_id}", f"title: Topic {deck_id}", f"tags: [{deck_id}]", "cards:"]
    for index, card_id in enumerate(ids):
        tags = ["interview"] if interview_every and index % interview_every == 0 else []
        tags.append("even" if index % 2 == 0 else "odd")
        lines.append(
            f"  - {{id: {card_id}, front: question {index}, back: answer {index}, tags: [{', '.join(tags)}]}}"
        )
    return "\n".join(lines) + "\n"


def write_store(log: SimulatedLog, store: Store, last_day: date) -> None:
    """Record the log in ``store`` through ``Store.record``, shifted so its last day is ``last_day``."""
    shift = timedelta(days=(last_day - log.end).days)

    def state(row: dict[str, Any], when: str) -> SM2State:
        due = row[f"due_{when}"]
        return SM2State(
            row[f"easiness_{when}"],
            row[f"interval_{when}"],
            row[f"repetitions_{when}"],
            None if due is None else date.fromisoformat(due) + shift,
        )

    for index, row in enumerate(log.rows):
        day = date.fromisoformat(row["study_day"]) + shift
        moment = datetime.combine(day, time(12), UTC) + timedelta(milliseconds=index)
        store.record(
            ReviewRecord(
                row["deck_id"],
                row["card_id"],
                moment,
                day,
                row["quality"],
                state(row, "before"),
                state(row, "after"),
                kind=row["kind"],
                reask=row["reask"],
            )
        )


def split_by_day(
    rows: list[dict[str, Any]], first_test_day: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The log before ``first_test_day`` (to fit on) and the whole log (the future part is evaluated)."""
    cutoff = first_test_day.isoformat()
    return [row for row in rows if row["study_day"] < cutoff], rows
