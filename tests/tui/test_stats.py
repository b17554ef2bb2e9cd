"""The Stats screen and the weak-spots drill, over a database with a known history (``record_history``:
3 study days, 4 cards a day, the two "calibration" cards always missed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Static
from tui_support import NUMERIC_DECK, TOPICS_DECK, AppFactory, record_history

from quizzer.cli import cli
from quizzer.store import Store
from quizzer.tui import launch
from quizzer.tui.app import QuizzerApp
from quizzer.tui.charts import bar_chart, bucket, meter
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.stats import StatsScreen
from quizzer.tui.weak_spots import NOTHING_WEAK_YET

SIZE = (100, 32)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).content)


def notices(app: QuizzerApp) -> list[str]:
    return [notification.message for notification in app._notifications]


# -- the Stats screen ----------------------------------------------------------------------------


async def test_stats_opens_from_home_with_the_figures(make_app: AppFactory, store: Store) -> None:
    record_history(store)
    app = make_app(TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert "last 30 days" in text_of(pilot, "#stats-title")
        headline = text_of(pilot, "#stats-headline")
        assert "12 in all · 12 in the last 30 days" in headline
        assert "3 days · longest 3" in headline  # the streak
        assert "50% of 12 first asks" in headline
        assert "0 new · 2 learning · 2 young" in headline
        weakest = text_of(pilot, "#weak-topics").splitlines()
        assert weakest[1].split()[0] == "calibration" and "0% of 6" in weakest[1]
        assert "metrics" in weakest[2]
        assert text_of(pilot, "#slowest").splitlines()[1].split()[:2] == ["calibration", "10.0"]
        assert not app.screen.query_one("#weak-families").display  # no generated cards answered

        await pilot.press("p")  # all time
        await settle(pilot)
        assert "all time" in text_of(pilot, "#stats-title")
        assert "12 in all · 4.0 a study day" in text_of(pilot, "#stats-headline")
        await pilot.press("p", "p")  # 7 days, then back to 30
        await settle(pilot)
        assert "last 30 days" in text_of(pilot, "#stats-title")

        await pilot.press("q")
        assert isinstance(app.screen, HomeScreen)


async def test_stats_d_switches_to_the_deck_highlighted_on_home(make_app: AppFactory, store: Store) -> None:
    record_history(store)
    app = make_app(NUMERIC_DECK, TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "s")  # highlight "Two topics"
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert "Two topics" in text_of(pilot, "#stats-title")
        assert "4: 0 new" in text_of(pilot, "#stats-headline")  # that deck's cards only
        await pilot.press("d")
        await settle(pilot)
        assert "all decks" in text_of(pilot, "#stats-title")
        assert "5: 1 new" in text_of(pilot, "#stats-headline")


async def test_stats_without_history_says_so(make_app: AppFactory) -> None:
    app = make_app(TOPICS_DECK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "No reviews yet" in text_of(pilot, "#stats-headline")
        assert not app.screen.query_one("#stats-body").display


def test_palette_offers_statistics_and_weak_spots(make_app: AppFactory) -> None:
    app = make_app(TOPICS_DECK)
    home = HomeScreen()
    titles = [command.title for command in app.get_system_commands(home)]
    assert "See my statistics" in titles and "Drill my weak spots" in titles and "Study more" in titles
    # Only the app's own commands, named for the user's task: none of Textual's generic entries.
    assert not {"Keys", "Maximize", "Screenshot", "Theme", "Quit"} & set(titles)


# -- the weak-spots drill ------------------------------------------------------------------------


async def test_weak_drill_starts_with_the_weakest_topic(make_app: AppFactory, store: Store) -> None:
    record_history(store)
    app = make_app(NUMERIC_DECK, TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        session = app.screen.session
        assert session.current is not None and "calibration" in session.current.tags
        assert session.total_first_asks == 2  # the two calibration cards, nothing else


async def test_weak_drill_without_history_is_a_notice(make_app: AppFactory) -> None:
    app = make_app(TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert NOTHING_WEAK_YET in notices(app)


def test_cli_drill_weak_without_history_prints_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QuizzerApp, "run", lambda self, *a, **k: pytest.fail("the app must not open"))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "q.db"), "drill", "--weak"])
    assert result.exit_code == 0, result.output
    assert NOTHING_WEAK_YET in result.output


def test_run_app_weak_with_history_drills_the_weak_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "topics.yaml").write_text(TOPICS_DECK, encoding="utf-8")
    db_path = tmp_path / "q.db"
    launch.run_app(db_path, [tmp_path], weak=True, headless=True)  # empty: a message, no app
    assert NOTHING_WEAK_YET in capsys.readouterr().out
    with Store(db_path) as store:
        record_history(store, end=datetime.now(UTC))  # run_app reads the real clock
    started: list[QuizzerApp] = []
    monkeypatch.setattr(QuizzerApp, "run", lambda self, *a, **k: started.append(self))
    launch.run_app(db_path, [tmp_path], drill=["topics"], weak=True, headless=True)
    (app,) = started
    assert [deck.id for deck in app.drill or []] == ["topics"]
    assert [card.id for _, card in app.drill_cards or []] == ["ece", "brier"]


# -- the charts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "columns", "sums", "per"),
    [
        (5, 30, [1, 1, 1, 1, 1], 1),
        (30, 30, [1] * 30, 1),
        (31, 30, [3, 7, 7, 7, 7], 7),  # whole weeks, today's week complete on the right
        (100, 5, [16, 21, 21, 21, 21], 21),
    ],
)
def test_bucket_sums_whole_weeks_aligned_on_today(
    count: int, columns: int, sums: list[int], per: int
) -> None:
    assert bucket([1] * count, columns) == (sums, per)


def test_bar_chart_fits_its_width_and_marks_small_days() -> None:
    values = [0, 1, 40, 20]
    lines = bar_chart(values, width=20, rows=5, first="1 Mar", last="today")
    assert len(lines) == 7 and all(len(line) <= 20 for line in lines)
    assert lines[0].startswith("40 ┤") and lines[5].startswith(" 0 └")
    assert lines[4][4:].split() == ["▁▁▁", "███", "███"]  # 3-cell bars; the 1-review day still shows
    assert lines[-1].split() == ["1", "Mar", "today"]
    assert "a bar = 1 week" in bar_chart([1] * 70, width=30)[-1]


def test_meter() -> None:
    assert meter(0.63) == "██████░░░░"
    assert meter(None) == "··········"
