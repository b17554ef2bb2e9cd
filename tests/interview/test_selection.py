"""Choosing a round's questions: the mix of lanes, the weighting, determinism, the decks, few cards."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from interview_support import METRICS, NOW, REGRESSION, SELF_GRADED_ONLY, TREES, deck

from quizzer.errors import UsageError
from quizzer.interview import (
    Candidate,
    ScheduleState,
    candidates,
    choose_questions,
    default_questions,
    lane_of,
    lane_quotas,
    select_questions,
    sm2_recall,
    target_seconds,
)
from quizzer.store import Store

TODAY = date(2025, 3, 10)
DECKS = [deck(REGRESSION), deck(METRICS), deck(TREES)]


def pool(**kwargs: object) -> list[Candidate]:
    return candidates(DECKS, TODAY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "available", "expected"),
    [
        (10, {"explain": 20, "problem": 20, "judgement": 20}, {"explain": 5, "problem": 3, "judgement": 2}),
        (12, {"explain": 20, "problem": 20, "judgement": 20}, {"explain": 6, "problem": 4, "judgement": 2}),
        (11, {"explain": 20, "problem": 20, "judgement": 20}, {"explain": 6, "problem": 3, "judgement": 2}),
        # a lane short of cards gives its places to the others
        (10, {"explain": 2, "problem": 20, "judgement": 20}, {"explain": 2, "problem": 5, "judgement": 3}),
        (10, {"explain": 0, "problem": 4, "judgement": 1}, {"explain": 0, "problem": 4, "judgement": 1}),
        (3, {"explain": 5, "problem": 5, "judgement": 5}, {"explain": 1, "problem": 1, "judgement": 1}),
    ],
)
def test_lane_quotas(count: int, available: dict, expected: dict) -> None:
    assert lane_quotas(count, available) == expected


def test_lanes_of_cards() -> None:
    regression = DECKS[0]
    lanes = {card.id: lane_of(card) for card in regression.cards}
    assert lanes == {
        "lasso-vs-ridge": "explain",
        "r2": "explain",
        "mse": "problem",
        "loss-choice": "judgement",
        "no-points": None,  # an open card without key points would need a self-grade
    }


def test_round_mixes_lanes_and_topics() -> None:
    chosen = select_questions(pool(), 10, seed=3)
    assert len(chosen) == 10
    assert len({c.key for c in chosen}) == 10  # no question twice
    lanes = Counter(c.lane for c in chosen)
    assert lanes == {"explain": 5, "problem": 3, "judgement": 2}
    assert {c.deck.id for c in chosen} == {"regression", "metrics", "trees"}
    # the lanes are spread through the round, not asked in blocks
    assert [c.lane for c in chosen[:3]] != [chosen[0].lane] * 3


def test_same_seed_same_round_whatever_the_pool_order() -> None:
    first = [c.key for c in select_questions(pool(), 8, seed=11)]
    again = [c.key for c in select_questions(list(reversed(pool())), 8, seed=11)]
    other = [c.key for c in select_questions(pool(), 8, seed=12)]
    assert first == again
    assert any(first != [c.key for c in select_questions(pool(), 8, seed=s)] for s in range(13, 20))
    assert len(other) == 8


def test_weak_cards_are_asked_more_often() -> None:
    """Over many seeds, a card predicted forgotten is drawn far more often than one predicted known."""
    weak, strong = ("metrics", "recall-def"), ("metrics", "precision-def")
    predictions = {key: 0.95 for key in ((d.id, c.id) for d in DECKS for c in d.cards)}
    predictions[weak] = 0.05
    predictions[strong] = 0.95
    candidates_ = pool(predictions=predictions)
    counts: Counter[tuple[str, str]] = Counter()
    for seed in range(300):
        counts.update(c.key for c in select_questions(candidates_, 4, seed))
    assert counts[weak] > 1.8 * counts[strong]


def test_interview_tag_is_asked_more_often() -> None:
    """Same recall everywhere: the card tagged `interview` is drawn more than its untagged neighbour."""
    same = {(d.id, c.id): 0.5 for d in DECKS for c in d.cards}
    tagged, plain = ("regression", "lasso-vs-ridge"), ("regression", "r2")
    counts: Counter[tuple[str, str]] = Counter()
    for seed in range(300):
        counts.update(c.key for c in select_questions(pool(predictions=same), 4, seed))
    assert counts[tagged] > 1.4 * counts[plain]


def test_sm2_fallback_orders_overdue_and_lapsed_cards_first() -> None:
    fresh = ScheduleState(interval=10, due=TODAY + timedelta(days=3), lapses=0)
    overdue = ScheduleState(interval=4, due=TODAY - timedelta(days=8), lapses=0)
    lapsed = ScheduleState(interval=10, due=TODAY + timedelta(days=3), lapses=3)
    assert sm2_recall(fresh, TODAY) == pytest.approx(0.9)
    assert sm2_recall(overdue, TODAY) == pytest.approx(0.9 * 0.25)
    assert sm2_recall(lapsed, TODAY) < sm2_recall(fresh, TODAY)
    assert sm2_recall(None, TODAY) == 0.5
    # the model's prediction wins over the SM-2 estimate when there is one
    key = ("trees", "gini")
    found = {c.key: c for c in pool(predictions={key: 0.2}, states={key: fresh})}
    assert found[key].recall == 0.2
    found = {c.key: c for c in pool(states={key: fresh})}
    assert found[key].recall == pytest.approx(0.9)


def test_few_cards_gives_a_short_round() -> None:
    trees = candidates([deck(TREES)], TODAY)
    chosen = select_questions(trees, 10, seed=1)
    assert sorted(c.card.id for c in chosen) == ["depth-choice", "gini", "leaves"]
    assert select_questions([], 10, seed=1) == []


def test_choose_questions_respects_the_decks_and_the_store(store: Store) -> None:
    chosen = choose_questions(store, [DECKS[1]], now=NOW, count=4, seed=5)
    assert len(chosen) == 4
    assert {c.deck.id for c in chosen} == {"metrics"}


def test_choose_questions_refuses_decks_with_nothing_to_ask(store: Store) -> None:
    with pytest.raises(UsageError, match="no card a mock interview can ask"):
        choose_questions(store, [deck(SELF_GRADED_ONLY)], now=NOW, count=10, seed=1)
    with pytest.raises(UsageError, match="no decks"):
        choose_questions(store, [], now=NOW, count=10, seed=1)


@pytest.mark.parametrize(("minutes", "questions"), [(30, 10), (10, 10), (36, 12), (90, 12)])
def test_default_questions(minutes: int, questions: int) -> None:
    assert default_questions(minutes) == questions


def test_target_time() -> None:
    assert target_seconds(30, 10) == 180
    assert target_seconds(10, 12) == 50
