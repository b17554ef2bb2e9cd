from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizzer.sm2 import MAX_INTERVAL, SM2State, is_early, review, step

DAY = date(2026, 3, 1)


def run(qualities: list[int], start: SM2State | None = None) -> list[SM2State]:
    state = start or SM2State()
    states = []
    for quality in qualities:
        state = review(state, quality, DAY)
        states.append(state)
    return states


def test_new_card_defaults() -> None:
    state = SM2State()
    assert (state.easiness, state.interval, state.repetitions, state.due) == (2.5, 0, 0, None)


@pytest.mark.parametrize(
    ("qualities", "expected"),
    [
        # (easiness, interval, repetitions) after each review, computed by hand from the SM-2 rules.
        ([5, 5, 5, 5], [(2.6, 1, 1), (2.7, 6, 2), (2.8, 17, 3), (2.9, 50, 4)]),
        ([4, 4, 4, 4], [(2.5, 1, 1), (2.5, 6, 2), (2.5, 15, 3), (2.5, 38, 4)]),
        ([3, 3, 3], [(2.36, 1, 1), (2.22, 6, 2), (2.08, 13, 3)]),
        ([4, 4, 2, 4], [(2.5, 1, 1), (2.5, 6, 2), (2.5, 1, 0), (2.5, 1, 1)]),
        ([5, 5, 5, 4, 3, 5], [(2.6, 1, 1), (2.7, 6, 2), (2.8, 17, 3), (2.8, 48, 4), (2.66, 128, 5), (2.76, 354, 6)]),
        ([0, 1, 2], [(2.5, 1, 0), (2.5, 1, 0), (2.5, 1, 0)]),
    ],
)
def test_hand_computed_sequences(qualities: list[int], expected: list[tuple[float, int, int]]) -> None:
    states = run(qualities)
    assert [(s.easiness, s.interval, s.repetitions) for s in states] == expected
    assert all(s.due == DAY + timedelta(days=s.interval) for s in states)


def test_easiness_floor_is_1_3() -> None:
    states = run([3] * 12)
    assert states[-1].easiness == 1.3
    assert min(s.easiness for s in states) == 1.3


def test_failure_keeps_easiness() -> None:
    before = run([5, 5])[-1]
    after = review(before, 0, DAY)
    assert after.easiness == before.easiness
    assert (after.interval, after.repetitions) == (1, 0)


def test_exact_hundredths_never_gain_a_day() -> None:
    # 10 × 2.3 is 23.000000000000004 in floats; SM-2 must give 23, not 24.
    state = SM2State(easiness=2.3, interval=10, repetitions=2, due=DAY)
    assert review(state, 4, DAY).interval == 23


def test_interval_cap() -> None:
    state = SM2State(easiness=2.5, interval=30_000, repetitions=9, due=DAY)
    after = review(state, 5, DAY)
    assert after.interval == MAX_INTERVAL
    assert after.due == DAY + timedelta(days=MAX_INTERVAL)


def test_review_returns_new_state() -> None:
    state = SM2State()
    after = review(state, 5, DAY)
    assert state == SM2State() and after is not state


@pytest.mark.parametrize("quality", [-1, 6, 100])
def test_out_of_range_quality(quality: int) -> None:
    with pytest.raises(ValueError):
        review(SM2State(), quality, DAY)


@pytest.mark.parametrize("quality", [3.0, "4", None, True])
def test_non_int_quality(quality: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        review(SM2State(), quality, DAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days_after_due", "quality", "expected"),
    [
        # (interval, repetitions) after answering a card of interval 6, reps 2, due on DAY.
        (-5, 5, (6, 2)),  # early and passing: unchanged
        (-1, 3, (6, 2)),
        (-1, 2, (1, 0)),  # early and failing: reset as usual
        (0, 4, (15, 3)),  # on the due day: SM-2
        (3, 4, (15, 3)),  # overdue: SM-2
    ],
)
def test_step_leaves_a_passing_early_review_alone(days_after_due: int, quality: int, expected: tuple) -> None:
    state = SM2State(easiness=2.5, interval=6, repetitions=2, due=DAY)
    today = DAY + timedelta(days=days_after_due)
    after = step(state, quality, today)
    assert (after.interval, after.repetitions) == expected
    assert is_early(state, today) == (days_after_due < 0)
    if days_after_due < 0 and quality >= 3:
        assert after is state
    else:
        assert after == review(state, quality, today)


def test_step_on_a_new_card_is_plain_sm2() -> None:
    assert step(SM2State(), 5, DAY) == review(SM2State(), 5, DAY)


@pytest.mark.parametrize("today", [date.max, date(9999, 12, 1), date.max - timedelta(days=1)])
def test_a_clock_at_the_end_of_time_does_not_overflow(today: date) -> None:
    state = SM2State(easiness=2.5, interval=MAX_INTERVAL, repetitions=9, due=today)
    after = review(state, 5, today)
    assert after.due == date.max
    assert after.interval == MAX_INTERVAL


def _numbers(state: SM2State) -> tuple[int, int, int, int | None]:
    due = None if state.due is None else state.due.toordinal()
    return round(state.easiness * 100), state.interval, state.repetitions, due


@pytest.mark.parametrize("early", [True, False])
def test_step_numbers_gives_what_step_and_review_give(early: bool) -> None:
    """The replay's number-only step against the dataclass one, on random walks that reach the easiness floor,
    early answers, failures and the longest intervals."""
    import random

    from quizzer.sm2 import NEW_NUMBERS, step_numbers

    rng = random.Random(20)
    reference = step if early else review
    assert _numbers(SM2State()) == NEW_NUMBERS
    for _walk in range(300):
        state, numbers = SM2State(), NEW_NUMBERS
        today = DAY.toordinal() + rng.randrange(-400, 400)
        for _answer in range(rng.randrange(1, 40)):
            today += rng.choice([0, 0, 1, 2, 5, 30, 400, 4000])
            quality = rng.randrange(6)
            state = reference(state, quality, date.fromordinal(today))
            numbers = step_numbers(*numbers, quality, today, early)
            assert numbers == _numbers(state)


def test_step_numbers_caps_the_due_day_and_checks_quality() -> None:
    from quizzer.sm2 import step_numbers

    last = date.max.toordinal()
    start = SM2State(easiness=2.5, interval=30, repetitions=5, due=date.max)
    eve = date.max - timedelta(1)
    assert step_numbers(250, 30, 5, last, 5, last - 1, False) == _numbers(review(start, 5, eve))
    assert step_numbers(250, 30, 5, last, 1, last) == _numbers(step(start, 1, date.max))
    for bad in (6, -1, True, 3.0):
        with pytest.raises((TypeError, ValueError)):
            step_numbers(250, 0, 0, None, bad, DAY.toordinal())  # type: ignore[arg-type]
