"""How each screen looks (pytest-textual-snapshot): Home, each kind of Drill screen, feedback, summary.

Deterministic: fixed decks and paths, a fixed clock and seed, a fresh database, fixed terminal sizes.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after LOOKING at the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_support import (
    CHOICE_DECK,
    GENERATED_DECK,
    LEARNING_CURVE_DECK,
    NUMERIC_DECK,
    OPEN_DECK,
    AppFactory,
)

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


def _has_learning_curve() -> bool:
    return Path(__file__).resolve().parents[2].joinpath("generators", "learning_curve.py").exists()


@pytest.mark.skipif(not _has_learning_curve(), reason="learning-curve generator not written yet")
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
