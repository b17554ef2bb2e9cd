"""Home: the decks with due / new / total counts and today's progress; pick some (or all) and start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from quizzer.decks.loader import LoadedDeck
from quizzer.decks.model import Deck
from quizzer.sanitize import visible
from quizzer.session import all_deck_counts, current_day
from quizzer.tui.first_frame import after_first_frame
from quizzer.tui.host import Host
from quizzer.tui.styles import screen_css

if TYPE_CHECKING:
    from quizzer.readiness import Readiness

DrillKind = Literal["due", "weak", "more", "interview"]

# Columns beside the title: the tick, Due, New, Cards, Ready and each cell's padding, plus the screen's margins.
OTHER_COLUMNS = 32
MIN_TITLE_WIDTH = 20


class DeckTable(DataTable[Text]):
    """The deck list. The description under it grows and shrinks with the highlighted deck, and so the table's
    height: after each resize the highlighted row is scrolled back into view (it was left below the new bottom)."""

    def on_resize(self) -> None:
        # No row given: the cursor stays wherever keys typed meanwhile have moved it.
        self.call_after_refresh(self.move_cursor, scroll=True)


class HomeScreen(Screen[None]):
    DEFAULT_CSS = screen_css("home.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    BINDINGS = [
        Binding("enter", "start", "Start", id="home.start", priority=True),
        Binding("space", "toggle", "Tick", id="home.toggle"),
        Binding("a", "start_all", "All", id="home.all"),
        Binding("w", "weak", "Weak", id="home.weak"),
        Binding("m", "more", "More", id="home.more"),
        Binding("i", "interview", "Mock", id="home.interview"),
        Binding("s", "stats", "Stats", id="home.stats"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    app: Host  # type: ignore[assignment]

    @dataclass
    class DrillRequested(Message):
        """Drill ``decks``: what is due and new today, their weak spots, more beyond today's cards, or a
        mock interview."""

        decks: list[Deck]
        kind: DrillKind = "due"

    @dataclass
    class ReadinessLoaded(Message):
        """The readiness worker is done: its result, or why there is none."""

        result: Readiness | None
        error: str = ""

    @dataclass
    class StatsRequested(Message):
        """Open the statistics; ``deck`` is the one highlighted (``d`` there switches to it)."""

        deck: Deck | None

    def __init__(self) -> None:
        super().__init__()
        self.ticked: set[str] = set()
        # Deck id -> its readiness cell ("86%", or "—" when nothing is studied); empty until the worker returns.
        self.ready: dict[str, str] = {}
        self.readiness: Readiness | None = (
            None  # the latest result, for choosing a mock interview's questions
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static("", id="today", classes="screen-title")
            table = DeckTable(id="decks", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="study-pick")
            yield Static("", id="home-notice")
            yield Static("", id="deck-detail")

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column(" ", key="tick", width=1)
        table.add_column(f"Deck ({len(self.loaded)})", key="title")
        for key in ("due", "new", "total"):
            table.add_column(Text(key.title() if key != "total" else "Cards", justify="right"), key=key)
        table.add_column(Text("Ready", justify="right"), key="ready", width=5)
        self.query_one("#study-pick", Static).display = False
        self.refresh_counts()
        table.focus()
        self.load_readiness()
        after_first_frame(self)

    def on_screen_resume(self) -> None:
        self.refresh_counts()
        self.load_readiness()  # a session has changed what is held

    def load_readiness(self) -> None:
        """Predicted recall per deck, in a worker: it fits a model (scikit-learn), which start-up never waits for."""
        app = self.app
        self._readiness(app.clock())

    @work(thread=True, exclusive=True, group="readiness", exit_on_error=False)
    def _readiness(self, now: datetime) -> None:
        from quizzer import paths
        from quizzer.readiness import load

        app = self.app
        try:
            result = load(
                app.store,
                [loaded.deck for loaded in self.loaded],
                now,
                day_start_hour=app.config.day_start_hour,
                tz=app.config.tz,
                cache_dir=paths.cache_dir(),
            )
        except Exception as error:  # noqa: BLE001 - readiness is extra: the table works without it
            from quizzer.tui.screens.drill import describe_error

            self.post_message(self.ReadinessLoaded(None, describe_error(error)))
            return
        self.post_message(self.ReadinessLoaded(result))

    @on(ReadinessLoaded)
    def readiness_loaded(self, event: ReadinessLoaded) -> None:
        pick_line = self.query_one("#study-pick", Static)
        result = event.result
        self.readiness = result
        if result is None:
            self.ready = {}
            pick_line.update(
                Content(f"Readiness could not be computed: {visible(event.error, one_line=True)}")
            )
            pick_line.display = True
            self.refresh_counts()
            return
        self.ready = {
            topic.name: "—" if topic.readiness is None else f"{topic.readiness:.0%}" for topic in result.decks
        }
        self.refresh_counts()
        if result.study:
            pick = result.study[0]
            found = self._loaded(pick.deck)
            title = found.deck.title if found is not None else pick.deck
            pick_line.update(
                Content.from_markup(
                    "[b]Study this week:[/b] $title [dim]($reason)[/dim]",
                    title=visible(title, one_line=True),
                    reason=visible(pick.reason, one_line=True),
                )
            )
            pick_line.display = True
        else:
            pick_line.display = False

    def on_resize(self) -> None:
        self.refresh_counts()  # titles use the width there is

    @property
    def title_width(self) -> int:
        return max(MIN_TITLE_WIDTH, self.size.width - OTHER_COLUMNS)

    @property
    def loaded(self) -> list[LoadedDeck]:
        return self.app.collection.decks

    def refresh_counts(self) -> None:
        """Re-read the counts from the database (after a session they have changed)."""
        app = self.app
        now = app.clock()
        clock_day = current_day(app.store, now, app.config.day_start_hour, app.config.tz)
        today = clock_day.day
        table = self.query_one("#decks", DataTable)
        cursor = table.cursor_row
        table.clear()
        due_total = new_total = 0
        every = all_deck_counts(app.store, [loaded.deck for loaded in self.loaded], today)
        for loaded in self.loaded:
            deck = loaded.deck
            counts = every[deck.id]
            due_total += counts["due"]
            new_total += counts["new"]
            width = self.title_width
            title = deck.title if len(deck.title) <= width else deck.title[: width - 1] + "…"
            table.add_row(
                "✓" if deck.id in self.ticked else "",
                Text(visible(title, one_line=True)),  # a str cell would be read as markup: "[/]" crashes
                *(Text(str(counts[key]), justify="right") for key in ("due", "new", "total")),
                Text(self.ready.get(deck.id, ""), justify="right"),
                key=deck.id,
            )
        if self.loaded:
            table.move_cursor(row=min(cursor, len(self.loaded) - 1))
        allowance = max(0, app.config.new_per_day - app.store.new_cards_introduced(today))
        left = min(allowance, new_total)
        done = due_total == 0 and left == 0 and bool(self.loaded)
        line = Content.from_markup(
            "[b]Quizzer[/b] · today [b]$answered[/b] answered · [b]$due[/b] due · "
            "[b]$new[/b] new left of $limit a day",
            answered=app.store.reviews_on(today),
            due=due_total,
            new=left,
            limit=app.config.new_per_day,
        )
        if done:
            line += Content.from_markup(" · [b]m[/b] studies more")
        self.query_one("#today", Static).update(line)
        notices = [text for text in (clock_day.notice, app.sync_notice) if text]
        notice_line = self.query_one("#home-notice", Static)
        notice_line.update(Content(" ".join(notices)))
        notice_line.display = bool(notices)
        if not self.loaded:
            self.query_one("#deck-detail", Static).update("No decks could be loaded. See the notices.")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        loaded = self._loaded(event.row_key.value)
        if loaded is None:
            return
        deck = loaded.deck
        origin = "built-in" if loaded.builtin else str(loaded.path)
        self.query_one("#deck-detail", Static).update(
            Content.from_markup(
                "[b]$title[/b]  [dim]$id · $origin[/dim]\n$description",
                title=visible(deck.title, one_line=True),
                id=deck.id,
                origin=visible(origin, one_line=True),
                description=visible(" ".join(deck.description.split())),
            )
        )

    def _loaded(self, deck_id: str | None) -> LoadedDeck | None:
        return next((loaded for loaded in self.loaded if loaded.deck.id == deck_id), None)

    def _highlighted(self) -> LoadedDeck | None:
        table = self.query_one("#decks", DataTable)
        if not self.loaded:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._loaded(key)

    def action_toggle(self) -> None:
        loaded = self._highlighted()
        if loaded is None:
            return
        self.ticked ^= {loaded.deck.id}
        table = self.query_one("#decks", DataTable)
        # The cursor stays put: Space only ticks (moving too surprised users who tick then press Enter).
        table.update_cell(loaded.deck.id, "tick", "✓" if loaded.deck.id in self.ticked else "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        """Start the ticked decks, or the highlighted one when none is ticked."""
        chosen = [loaded for loaded in self.loaded if loaded.deck.id in self.ticked]
        if not chosen and (highlighted := self._highlighted()) is not None:
            chosen = [highlighted]
        if chosen:
            self.post_message(self.DrillRequested([loaded.deck for loaded in chosen]))

    def action_start_all(self) -> None:
        if self.loaded:
            self.post_message(self.DrillRequested([loaded.deck for loaded in self.loaded]))

    def _ticked_or_all(self) -> list[Deck]:
        chosen = [loaded.deck for loaded in self.loaded if loaded.deck.id in self.ticked]
        return chosen or [loaded.deck for loaded in self.loaded]

    def action_weak(self) -> None:
        """Drill the weakest topics of the ticked decks (all decks when none is ticked)."""
        self.post_message(self.DrillRequested(self._ticked_or_all(), "weak"))

    def action_more(self) -> None:
        """Study more of the ticked decks (all when none is ticked) once today's cards are done."""
        if self.loaded:
            self.post_message(self.DrillRequested(self._ticked_or_all(), "more"))

    def action_interview(self) -> None:
        """A mock interview across the ticked decks (all when none is ticked)."""
        if self.loaded:
            self.post_message(self.DrillRequested(self._ticked_or_all(), "interview"))

    def action_stats(self) -> None:
        highlighted = self._highlighted()
        self.post_message(self.StatsRequested(highlighted.deck if highlighted is not None else None))
