"""The SM-2 scheduling step (SuperMemo 2, read literally), as a pure function.

Easiness is kept in exact hundredths so that intervals never gain a day from float error:
EF moves in steps of 0.02 and ``ceil(interval * EF)`` is computed in integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

INITIAL_EASINESS = 2.5
MIN_EASINESS = 1.3
MAX_INTERVAL = 36_500
PASSING_QUALITY = 3
# SM-2 step 7: within a session a card is asked again until it scores at least this.
SESSION_PASS_QUALITY = 4

_HUNDRED = 100
# Due dates never pass the last day ``date`` can hold: a clock set to 9999-12-31 must not crash a review.
_LAST_ORDINAL = date.max.toordinal()


def _to_hundredths(easiness: float) -> int:
    return round(easiness * _HUNDRED)


@dataclass(frozen=True, slots=True)
class SM2State:
    """A card's schedule. ``SM2State()`` is a new card: never reviewed, not due yet."""

    easiness: float = INITIAL_EASINESS
    interval: int = 0
    repetitions: int = 0
    due: date | None = None
    _ef_hundredths: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ef_hundredths", _to_hundredths(self.easiness))
        object.__setattr__(self, "easiness", self._ef_hundredths / _HUNDRED)

    @property
    def is_new(self) -> bool:
        return self.repetitions == 0 and self.due is None


def check_quality(quality: object) -> int:
    """Return ``quality`` if it is an int from 0 to 5; raise otherwise."""
    if isinstance(quality, bool) or not isinstance(quality, int):
        raise TypeError(f"quality must be an int from 0 to 5, got {quality!r}")
    if not 0 <= quality <= 5:
        raise ValueError(f"quality must be from 0 to 5, got {quality}")
    return quality


def easiness_delta_hundredths(quality: int) -> int:
    """EF' - EF in hundredths: 0.1 - (5-q)(0.08 + (5-q)0.02), exactly."""
    miss = 5 - quality
    return 10 - miss * (8 + miss * 2)


def review(state: SM2State, quality: int, today: date) -> SM2State:
    """One SM-2 repetition of ``state`` graded ``quality`` (0-5) on ``today``; returns a new state."""
    check_quality(quality)
    if not isinstance(today, date):
        raise TypeError(f"today must be a datetime.date, got {today!r}")
    due = None if state.due is None else state.due.toordinal()
    ef, interval, repetitions, next_due = step_numbers(
        state._ef_hundredths, state.interval, state.repetitions, due, quality, today.toordinal(), early=False
    )
    return replace(
        state,
        easiness=ef / _HUNDRED,
        interval=interval,
        repetitions=repetitions,
        due=date.fromordinal(next_due),  # type: ignore[arg-type] - a review always sets a due day
    )


def is_early(state: SM2State, today: date) -> bool:
    """Whether answering ``state`` on ``today`` comes before its due day (weak spots, practice, a clock
    that went backwards)."""
    return state.due is not None and today < state.due


def step(state: SM2State, quality: int, today: date) -> SM2State:
    """The schedule change Quizzer applies for one answer: SM-2's :func:`review`, except that a passing
    answer before the due day leaves the schedule as it was.

    Without that exception a card introduced this morning and practised again tonight would jump from
    a 1-day to a 6-day interval: the second answer proves the card is in short-term memory, not that it
    has been retained over the interval. A failing early answer still resets the card, since it shows
    the card was not known. The rebuild from the log applies this same function, so replaying the log
    gives the stored states.
    """
    check_quality(quality)
    if quality >= PASSING_QUALITY and is_early(state, today):
        return state
    return review(state, quality, today)


# The easiness change for each quality 0-5, in hundredths (:func:`easiness_delta_hundredths`).
_DELTAS = tuple(easiness_delta_hundredths(quality) for quality in range(6))
_MIN_EF = _to_hundredths(MIN_EASINESS)
_INITIAL_EF = _to_hundredths(INITIAL_EASINESS)
# A new card as the numbers :func:`step_numbers` takes: (easiness in hundredths, interval, repetitions, due).
NEW_NUMBERS: tuple[int, int, int, int | None] = (_INITIAL_EF, 0, 0, None)


def step_numbers(
    ef: int, interval: int, repetitions: int, due: int | None, quality: int, today: int, early: bool = True
) -> tuple[int, int, int, int | None]:
    """:func:`step` (or, with ``early`` False, :func:`review`) on a state given as plain numbers: easiness in
    hundredths, interval, repetitions, due day and ``today`` as ordinals. The one implementation of the SM-2
    rule (:func:`review` calls it): a sync replays the logs of tens of thousands of cards, a few hundred
    thousand steps, without building dates and dataclasses for each."""
    if type(quality) is not int or not 0 <= quality <= 5:
        check_quality(quality)  # raises, with step's message
    if quality < PASSING_QUALITY:
        return ef, 1, 0, min(today + 1, _LAST_ORDINAL)
    if early and due is not None and today < due:
        return ef, interval, repetitions, due
    ef = max(_MIN_EF, ef + _DELTAS[quality])
    repetitions += 1
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        interval = min(-(-max(interval, 1) * ef // _HUNDRED), MAX_INTERVAL)
    return ef, interval, repetitions, min(today + interval, _LAST_ORDINAL)
