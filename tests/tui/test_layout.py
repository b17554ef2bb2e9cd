"""What a screen needs is reachable at 80x24 and 60x20, and nothing is truncated where there is room."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from tui_support import CHOICE_DECK, NUMERIC_DECK, OPEN_DECK, AppFactory

from quizzer.grading import QUALITY_MEANINGS
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.help import HelpScreen
from quizzer.tui.widgets.card_view import QualityKeys

LONG_TITLE = "Interview notes — generalisation, validation and evaluation"


def many_decks(count: int) -> list[str]:
    return [
        f"id: deck-{n:02d}\ntitle: {LONG_TITLE if n == 0 else f'Deck number {n}'}\n"
        f"cards:\n  - {{id: c, front: Question {n}?, back: Answer.}}\n"
        for n in range(count)
    ]


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_reaches_every_deck_and_shows_whole_titles_at_100_columns(make_app: AppFactory) -> None:
    app = make_app(*many_decks(23))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        assert table.row_count == 23
        assert str(table.get_row("deck-00")[1]) == LONG_TITLE  # room for it: not cut
    app = make_app(*many_decks(23))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        for _ in range(22):
            await pilot.press("down")
        await pilot.pause()
        last = table.get_row_index("deck-22")
        assert table.cursor_row == last
        # The last deck is on screen (the table scrolled to it), and its description below the table.
        assert table.scroll_y > 0
        assert "deck-22" in str(app.screen.query_one("#deck-detail").render())


async def test_the_highlighted_deck_stays_on_screen_when_its_description_is_long(make_app: AppFactory) -> None:
    """At 80×24 the description under the table grows with the highlighted deck; the table shrinks, and the row
    the description belongs to must still be on screen (it was left hidden below the table's new bottom)."""
    long = " ".join(["A description long enough to wrap over many lines at eighty columns."] * 6)
    decks = [
        f"id: deck-{n:02d}\ntitle: Deck number {n}\ndescription: {long if n % 4 == 3 else 'Short.'}\n"
        f"cards:\n  - {{id: c, front: Question {n}?, back: Answer.}}\n"
        for n in range(14)
    ]
    app = make_app(*decks)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        for _ in range(13):
            await pilot.press("down")
            for _ in range(3):  # the description's new height, then the table's, then the scroll
                await pilot.pause()
            rows_shown = table.size.height - table.header_height
            assert table.scroll_y <= table.cursor_row < table.scroll_y + rows_shown, (
                table.cursor_row, table.scroll_y, rows_shown
            )
        # Keys typed faster than the screen redraws are all taken: the scroll-back keeps the cursor's new row.
        await pilot.press(*["up"] * 13)
        for _ in range(3):
            await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_space_ticks_without_moving(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK, NUMERIC_DECK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        await pilot.press("space")
        assert table.cursor_row == 0 and str(table.get_row("recall")[0]) == "✓"


async def test_drill_status_keeps_kind_and_counts_apart_at_60_columns(make_app: AppFactory) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        where = app.screen.query_one("#where", Static)
        progress = app.screen.query_one("#progress", Static)
        assert str(where.render()).endswith("· numeric")
        assert where.region.right < progress.region.x  # a gap: never "numeric0 done"
        assert len(str(where.render())) <= where.region.width


async def test_grade_legend_wraps_between_grades_at_60_columns(make_app: AppFactory) -> None:
    app = make_app(CHOICE_DECK, drill=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("3")  # answer: the legend appears
        await settle(pilot)
        legend = app.screen.query_one(QualityKeys)
        lines = str(legend.render()).splitlines()
        assert all(len(line) <= legend.content_region.width for line in lines)
        text = " ".join(lines)
        assert all(meaning in text for meaning in QUALITY_MEANINGS.values())  # none cut mid-phrase
        assert legend.region.bottom <= app.screen.region.bottom - 1  # above the footer, on screen


async def test_f1_opens_help_while_typing_and_question_mark_is_typed(make_app: AppFactory) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert app.screen.query_one(Input).value == "?"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DrillScreen)
        footer_keys = {
            binding.key for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show
        }
        assert "f1" in footer_keys


def test_heatmap_names_every_month_including_the_current_one() -> None:
    from datetime import date

    from quizzer.stats import heatmap
    from quizzer.tui.widgets.charts import month_row

    for today in (date(2026, 12, 3), date(2026, 6, 15), date(2027, 1, 2), date(2026, 3, 1)):
        row = month_row(heatmap({}, today)).split()
        names = [date(2000, month, 1).strftime("%b") for month in range(1, 13)]
        # No month skipped: each name is the month after the previous one ...
        assert all(names[(names.index(a) + 1) % 12] == b for a, b in zip(row, row[1:], strict=False)), (
            today,
            row,
        )
        assert len(row) >= 12
        assert row[-1] == today.strftime("%b")  # ... up to the current month, even in the last column


def test_count_axes_get_whole_ticks_and_the_legend_sits_under_the_plot() -> None:
    from quizzer.tui.widgets.plot import whole_ticks

    assert whole_ticks([54.0, 109.0, 163.0, 218.0, 273.0]) == [100, 150, 200, 250]
    assert whole_ticks([0.0, 375.0, 750.0]) == [0, 200, 400, 600]
    assert whole_ticks([0.1, 0.5]) is None  # not counts: plotext's own ticks


async def test_plot_legend_is_a_line_of_its_own(make_app: AppFactory) -> None:
    from textual.widgets import Static
    from tui_support import LEARNING_CURVE_DECK

    app = make_app(LEARNING_CURVE_DECK, drill=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        legend = app.screen.query_one(".plot-legend", Static)
        plot = app.screen.query_one(".problem-plot")
        assert "training" in str(legend.render()) and "validation" in str(legend.render())
        assert legend.region.y >= plot.region.bottom  # under the curves, never over them


async def test_stats_title_shows_a_long_deck_title_whole(make_app: AppFactory) -> None:
    app = make_app(many_decks(1)[0])
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("d")  # the deck highlighted on Home
        await settle(pilot)
        title = " ".join(str(app.screen.query_one("#stats-title").render()).split())
        assert LONG_TITLE in title, title
    app = make_app(many_decks(1)[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        title = " ".join(str(app.screen.query_one("#stats-title").render()).split())
        assert LONG_TITLE in title, title  # wrapped, not cut


LONG_OPEN = "id: long\ntitle: Long\ncards:\n" + "".join(
    f"  - id: c{n}\n    front: Question {n}, whose first sentence must be seen.\n"
    f"    back: |\n" + "".join(f"      Line {k} of a long answer.\n\n" for k in range(30))
    for n in range(2)
)


async def test_a_new_card_opens_at_its_first_sentence(make_app: AppFactory) -> None:
    app = make_app(LONG_OPEN, drill=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "pagedown", "pagedown")  # read far down the long answer
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.pause(0.1)
        scroll = app.screen.query_one(".card-scroll")
        assert scroll.scroll_y == 0
        assert "Question 1" in str(app.screen.query_one(".prompt").source)


async def test_deck_text_is_never_read_as_markup(make_app: AppFactory) -> None:
    tricky = 'id: tricky\ntitle: "[b]Not bold[/b] and [red]x"\ncards:\n  - {id: c, front: q?, back: a}\n'
    app = make_app(tricky, drill=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#where", Static).render()).startswith("[b]Not bold[/b] and [red]x")
    app = make_app(tricky)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert (
            str(app.screen.query_one("#decks", DataTable).get_row("tricky")[1])
            == "[b]Not bold[/b] and [red]x"
        )
