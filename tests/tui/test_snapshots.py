"""How each screen looks (pytest-textual-snapshot): Home, each kind of Drill screen, feedback, summary,
statistics.

Deterministic: fixed decks and paths, a fixed clock and seed, a fresh database, fixed terminal sizes.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after LOOKING at the change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from tui_support import (
    CHOICE_DECK,
    CONFIG,
    GENERATED_DECK,
    LEARNING_CURVE_DECK,
    NOW,
    NUMERIC_DECK,
    OPEN_DECK,
    SEED,
    TOPICS_DECK,
    AppFactory,
    deck,
)

from quizzer.session import Session
from quizzer.store import Store

SMALL = (80, 24)
LARGE = (100, 32)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(OPEN_DECK, NUMERIC_DECK, CHOICE_DECK, GENERATED_DECK)
    assert snap_compare(app, terminal_size=SMALL, press=["down", "space"], run_before=settle)


def test_drill_open(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(OPEN_DECK, drill=True)

    async def second_card(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("space", "5")  # the code-fence card
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=second_card)


def test_drill_open_revealed(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(OPEN_DECK, drill=True)
    assert snap_compare(app, terminal_size=SMALL, press=["space"], run_before=settle)


def test_drill_numeric(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(NUMERIC_DECK, drill=True)
    assert snap_compare(app, terminal_size=SMALL, press=[*"two thirds", "enter"], run_before=settle)


def test_drill_choice(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(CHOICE_DECK, drill=True)

    async def multi(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("3", "enter", "1")  # answer the first card, tick one option of the second
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=multi)


def test_drill_generated_confusion_matrix(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(GENERATED_DECK, drill=True)
    assert snap_compare(app, terminal_size=LARGE, run_before=settle)


def test_drill_generated_learning_curve(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(LEARNING_CURVE_DECK, drill=True)
    assert snap_compare(app, terminal_size=LARGE, run_before=settle)


def test_feedback_wrong_numeric(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(NUMERIC_DECK, drill=True)
    assert snap_compare(app, terminal_size=SMALL, press=[*"0.5", "enter"], run_before=settle)


def test_feedback_right_choice(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(CHOICE_DECK, drill=True)
    assert snap_compare(app, terminal_size=SMALL, press=["3"], run_before=settle)


def test_summary(snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(NUMERIC_DECK, CHOICE_DECK, drill=True)

    async def session(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*"0.667", "enter", "enter")  # numeric: right
        await settle(pilot)
        await pilot.press("2", "enter")  # prime: wrong ("6")
        await settle(pilot)
        await pilot.press("escape")  # leave: the summary
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=session)


def record_varied_history(store: Store) -> None:
    """Four weeks with gaps and a different number of cards each day, so every chart has a shape."""
    topics, generated = deck(TOPICS_DECK), deck(GENERATED_DECK)
    cards = [(generated, generated.cards[0]), *((topics, card) for card in topics.cards)]
    for back in range(27, -1, -1):
        if back % 6 == 4:
            continue  # a day off
        now = NOW - timedelta(days=back, hours=2)
        chosen = cards[: 1 + (back * 3) % len(cards)]
        session = Session(store, [topics, generated], now=now, seed=SEED, config=CONFIG, cards=chosen)
        for index in range(session.total_first_asks):
            item = session.next()
            assert item is not None
            right = "calibration" not in item.tags and (back + index) % 3 != 0
            now += timedelta(seconds=20)
            session.record(item, 5 if right else 2, now=now, correct=right, response_ms=4_000 + 1_000 * index)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "100x32"])
def test_stats(snap_compare, make_app: AppFactory, store: Store, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    record_varied_history(store)
    app = make_app(TOPICS_DECK, GENERATED_DECK)

    async def open_stats(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_stats)
