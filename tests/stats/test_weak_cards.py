"""weak_cards: a drill from the topics and generator families with the lowest recent accuracy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig
from quizzer.stats import weak_cards
from quizzer.store import Store

if TYPE_CHECKING:
    from tests.stats.conftest import LogBuilder

TODAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
DECK = parse_deck("""
id: w
title: W
cards:
  - {id: s1, front: q, back: a, tags: [stats]}
  - {id: s2, front: q, back: a, tags: [stats]}
  - {id: s3, front: q, back: a, tags: [stats]}
  - {id: m1, front: q, back: a, tags: [ml]}
  - {id: m2, front: q, back: a, tags: [ml]}
  - {id: g1, kind: generated, generator: confusion-matrix, tags: [metrics]}
  - {id: g2, kind: generated, generator: confusion-matrix, tags: [metrics]}
  - {id: e1, front: q, back: a, tags: [easy]}
""")


def build(log: LogBuilder) -> None:
    def answers(card: str, qualities: list[int], first_day: int = 20) -> None:
        for offset, quality in enumerate(qualities):
            log.review("w", card, TODAY - timedelta(days=first_day - offset), quality)

    answers("s1", [1, 2, 5])  # stats: 3 of 5 recent first asks passed
    answers("s2", [5, 4])
    answers("m1", [2, 5])  # ml: 1 of 3
    answers("m2", [0])
    answers("g1", [1, 1, 4])  # metrics and confusion-matrix: 1 of 3
    answers("e1", [0, 0, 0, 0, 0], first_day=60)  # long ago: outside the window
    answers("e1", [5, 5, 5])  # easy: no miss lately, never weak


def ids(picked: list) -> list[str]:
    return [card.id for _, card in picked]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # Weakest first (ties: more misses, then kind, then name), taken in turn from each group; each
        # group's cards worst first. Unseen static cards stay out; generated cards of a weak family come in.
        ({}, ["g1", "m2", "g2", "m1"]),
        ({"groups": 4}, ["g1", "m2", "s1", "g2", "m1", "s2"]),
        ({"limit": 2}, ["g1", "m2"]),
        ({"min_answers": 4}, ["s1", "s2"]),
        ({"days": 5}, []),  # nothing answered in the last 5 days
    ],
)
def test_weak_cards(store: Store, log: LogBuilder, options: dict, expected: list[str]) -> None:
    build(log)
    assert ids(weak_cards(store, [DECK], NOW, tz=UTC, **options)) == expected


def test_no_history_no_drill(store: Store) -> None:
    assert weak_cards(store, [DECK], NOW, tz=UTC) == []


def test_the_drill_runs_as_a_session(store: Store, log: LogBuilder) -> None:
    build(log)
    picked = weak_cards(store, [DECK], NOW, tz=UTC)
    session = Session(store, [DECK], now=NOW, seed=1, config=SessionConfig(tz=UTC), cards=picked)
    assert session.remaining == 4 and session.next().card.id == "g1"
