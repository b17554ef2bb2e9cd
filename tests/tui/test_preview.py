"""Preview: an author sees the cards as users will, reloads on save, shows errors, never touches the DB."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from tui_support import CHOICE_DECK, GENERATED_DECK, NOW, NUMERIC_DECK, SEED, Clock

from quizzer import paths
from quizzer.tui.app import PreviewApp
from quizzer.tui.screens.preview import PreviewScreen
from quizzer.tui.widgets.card_panel import CardPanel, Phase
from quizzer.tui.widgets.problem import ProblemTable

SIZE = (100, 32)


def where(app: PreviewApp) -> str:
    return str(app.screen.query_one("#where", Static).content)


async def test_preview_shows_cards_one_by_one_without_a_database(tmp_path: Path) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(CHOICE_DECK + NUMERIC_DECK.split("cards:\n", 1)[1], encoding="utf-8")
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        assert "card 1/3 · prime · choice" in where(app)
        await pilot.press("3")  # answering works as in a drill ...
        assert app.screen.query_one(CardPanel).phase is Phase.FEEDBACK
        await pilot.press("enter")  # ... and moves on, recording nothing
        await pilot.pause()
        assert "card 2/3" in where(app)
        await pilot.press("escape")  # out of the choice list, then n / p move
        await pilot.press("n")
        await pilot.pause()
        assert "card 3/3 · recall-frac · numeric" in where(app)
        await pilot.press("p")  # typed into the answer line ...
        assert "card 3/3" in where(app)
        await pilot.press("pageup")  # ... while PgUp works even there
        await pilot.pause()
        assert "card 2/3" in where(app)
    assert not paths.default_db_path().exists()


async def test_preview_reloads_on_change_and_shows_located_errors(tmp_path: Path) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(NUMERIC_DECK, encoding="utf-8")
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PreviewScreen)
        assert "card 1/1 · recall-frac" in where(app)
        deck_file.write_text(CHOICE_DECK + NUMERIC_DECK.split("cards:\n", 1)[1], encoding="utf-8")
        await screen.check_file()
        await pilot.pause()
        assert "card 3/3 · recall-frac" in where(app)  # still on the same card
        # Break the file: the errors are shown with file:line, and the preview keeps watching.
        deck_file.write_text(NUMERIC_DECK.replace("answer: 0.667", "answer: lots"), encoding="utf-8")
        await screen.check_file()
        await pilot.pause()
        issues = screen.query_one("#issues", Static)
        assert issues.display and "deck.yaml:7:" in str(issues.content) and "answer" in str(issues.content)
        assert "no cards to show" in where(app)
        # Fix it: back to normal, on the same card (now moved to the top).
        deck_file.write_text(NUMERIC_DECK + CHOICE_DECK.split("cards:\n", 1)[1], encoding="utf-8")
        await screen.check_file()
        await pilot.pause()
        assert not issues.display
        assert "card 1/3 · recall-frac" in where(app)


async def test_preview_generated_card_fresh_instance_each_time(tmp_path: Path) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(GENERATED_DECK, encoding="utf-8")
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = app.screen.query_one(CardPanel).item
        assert first.problem is not None and app.screen.query(ProblemTable)
        await pilot.press("escape", "r")  # leave the answer line, ask for a fresh instance
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = app.screen.query_one(CardPanel).item
        assert second.problem is not None and second.seed != first.seed
    assert not paths.default_db_path().exists()
