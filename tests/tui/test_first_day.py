"""Day one samples every kind (a generated problem early), and "study more" goes on once today is done."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from tui_support import CHOICE_DECK, CONFIG, OPEN_DECK, SEED, AppFactory, Clock

from quizzer import paths
from quizzer.decks.loader import load_sources
from quizzer.store import Store
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.summary import SummaryScreen
from quizzer.tui.widgets.card_panel import CardPanel


def upcoming_kinds(screen: DrillScreen, count: int) -> list[str]:
    session = screen.session
    items = [session.current, *session.queue] if session.current is not None else list(session.queue)
    return [item.kind for item in items[:count]]


async def test_first_session_over_the_builtin_decks_shows_a_generated_problem_early(store: Store) -> None:
    collection = load_sources([(paths.builtin_decks_dir(), True)])
    assert len(collection.decks) > 10 and not collection.issues
    app = QuizzerApp(store, collection, clock=Clock(), seed=SEED, config=CONFIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        first_five = upcoming_kinds(app.screen, 5)
        assert "generated" in first_five, first_five
        assert {"open", "choice", "numeric"} <= set(upcoming_kinds(app.screen, 8))


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_study_more_from_home_and_from_the_summary(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(OPEN_DECK, CHOICE_DECK, new_per_day=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # today's one new card
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert app.screen.session.total_first_asks == 1
        await pilot.press("space", "5")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "m to study more" in str(app.screen.query_one(".instructions").render())
        await pilot.press("m")  # more, beyond the daily limit, in place of the summary
        await settle(pilot)
        drill = app.screen
        assert isinstance(drill, DrillScreen)
        assert drill.session.total_first_asks == 3  # the other new cards of the two decks
        panel = drill.query_one(CardPanel)
        assert "Studying more: 3 new cards beyond today's limit" in str(panel.query_one("#hint").render())
        await pilot.press("q")
        await settle(pilot)
        if isinstance(app.screen, SummaryScreen):
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("a")  # nothing left for today: the notice says how to go on
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("Press m to study more" in str(n.message) for n in app._notifications)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
