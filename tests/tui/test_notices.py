"""Notices live on a line of the card's own layout: no toast covers the prompt, options or answer box."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from tui_support import NOW, NUMERIC_DECK, OPEN_DECK, SEED, AppFactory, Clock

from quizzer.tui.app import PreviewApp
from quizzer.tui.widgets.card_panel import CardPanel


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_missed_card_is_announced_on_the_next_cards_notice_line(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK, drill=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "1")  # missed: it comes back later
        await settle(pilot)
        assert not app._notifications
        panel = app.screen.query_one(CardPanel)
        hint = panel.query_one("#hint")
        assert hint.display and "comes back later" in str(hint.render())
        # The notice sits in the dock under the card, never over the prompt.
        assert hint.region.y > panel.query_one(".card-scroll").region.y


async def test_preview_says_graded_and_reloaded_on_its_status_line(tmp_path: Path) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(NUMERIC_DECK + OPEN_DECK.split("cards:\n", 1)[1], encoding="utf-8")
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"0.667", "enter", "enter")
        await settle(pilot)
        assert not app._notifications
        assert "recall-frac graded" in str(app.screen.query_one("#progress").render())
