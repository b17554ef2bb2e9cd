"""How each screen looks (pytest-textual-snapshot): Home, every kind of card in the drill before and after
answering, the summary, statistics, help and the author's preview, each at 80x24 and 120x40.

Deterministic: fixed decks and paths, a fixed clock and seed, a fresh database, fixed terminal sizes.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after LOOKING at the change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
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
    Clock,
    deck,
)

from quizzer.session import Session
from quizzer.store import Store
from quizzer.tui.app import PreviewApp

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor is caught on or off at random: keep it on
    await pilot.pause()


# name -> (decks, drill?, key groups pressed in turn, the app settling after each group)
DRILLS: dict[str, tuple[tuple[str, ...], bool, list[list[str]]]] = {
    "home": ((OPEN_DECK, NUMERIC_DECK, CHOICE_DECK, GENERATED_DECK), False, [["down", "space"]]),
    "help": ((OPEN_DECK, NUMERIC_DECK), False, [["f1"]]),
    "open": ((OPEN_DECK,), True, []),
    "open-revealed": ((OPEN_DECK,), True, [["space"]]),
    "numeric": ((NUMERIC_DECK,), True, []),
    "numeric-wrong": ((NUMERIC_DECK,), True, [[*"0.5", "enter"]]),
    "choice": ((CHOICE_DECK,), True, []),
    "choice-multi-answered": ((CHOICE_DECK,), True, [["3", "enter"], ["1", "3", "enter"]]),
    "generated-confusion-matrix": ((GENERATED_DECK,), True, []),
    "generated-confusion-matrix-wrong": ((GENERATED_DECK,), True, [[*"0.5", "enter"]]),
    "generated-learning-curve": ((LEARNING_CURVE_DECK,), True, []),
    "generated-learning-curve-answered": ((LEARNING_CURVE_DECK,), True, [["1"], ["1"]]),
    "summary": (
        (NUMERIC_DECK, CHOICE_DECK),
        True,
        # prime right; the numeric card right; variance-fixes half-ticked (it comes back); then leave.
        [["3"], ["enter"], [*"0.667", "enter"], ["enter"], ["1", "enter"], ["enter"], ["escape"]],
    ),
}


def pressing(groups: list[list[str]]) -> Callable[[Pilot], object]:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for keys in groups:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("name", list(DRILLS))
def test_screen(snap_compare, make_app: AppFactory, name: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    decks, drill, groups = DRILLS[name]
    clock = Clock(step=timedelta(seconds=7))  # every reading of the clock is 7 s later: times are not 0 s
    app = make_app(*decks, drill=drill, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=pressing(groups))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_preview(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(CHOICE_DECK + NUMERIC_DECK.split("cards:\n", 1)[1], encoding="utf-8")
    app: App[None] = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    assert snap_compare(app, terminal_size=size, run_before=pressing([["pagedown"], ["pagedown"]]))


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


async def open_stats(pilot: Pilot) -> None:
    """Press ``s`` and wait until both of the screen's workers have shown what they computed: the figures (the
    body shown, the loading indicator gone) and the calibration table. Under load the screen can be pushed, and
    its workers started, after a settle has already found no worker running."""
    await pressing([["s"]])(pilot)
    for _ in range(200):
        screen = pilot.app.screen
        body, calibration = screen.query("#stats-body"), screen.query("#calibration")
        if (
            body
            and body.first().display
            and calibration.first().display
            and not screen.query_one("#stats").loading
        ):
            break
        await pilot.pause(0.05)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_stats(snap_compare, make_app: AppFactory, store: Store, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    record_varied_history(store)
    app = make_app(TOPICS_DECK, GENERATED_DECK)
    assert snap_compare(app, terminal_size=size, run_before=open_stats)
