"""Home: the decks with due / new / total counts and today's progress; pick some (or all) and start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from quizzer.decks.loader import LoadedDeck
from quizzer.sanitize import visible
from quizzer.session import all_deck_counts, study_day

if TYPE_CHECKING:
    from quizzer.tui.app import QuizzerApp

TITLE_WIDTH = 50


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "start", "Start", id="home.start", priority=True),
        Binding("space", "toggle", "Select", id="home.toggle"),
        Binding("a", "start_all", "All", id="home.all"),
        Binding("w", "weak", "Weak", id="home.weak"),
        Binding("s", "stats", "Stats", id="home.stats"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    app: QuizzerApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.ticked: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static(
                Content.from_markup("[b]Quizzer[/b] · choose decks to drill"), classes="screen-title"
            )
            yield Static("", id="today")
            table: DataTable[Text] = DataTable(id="decks", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="deck-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column(" ", key="tick", width=1)
        table.add_column("Deck", key="title")
        for key in ("due", "new", "total"):
            table.add_column(Text(key.title() if key != "total" else "Cards", justify="right"), key=key)
        self.refresh_counts()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    @property
    def loaded(self) -> list[LoadedDeck]:
        return self.app.collection.decks

    def refresh_counts(self) -> None:
        """Re-read the counts from the database (after a session they have changed)."""
        app = self.app
        now = app.clock()
        today = study_day(now, app.config.day_start_hour, app.config.tz)
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
            title = deck.title if len(deck.title) <= TITLE_WIDTH else deck.title[: TITLE_WIDTH - 1] + "…"
            table.add_row(
                "✓" if deck.id in self.ticked else "",
                Text(visible(title, one_line=True)),  # a str cell would be read as markup: "[/]" crashes
                *(Text(str(counts[key]), justify="right") for key in ("due", "new", "total")),
                key=deck.id,
            )
        if self.loaded:
            table.move_cursor(row=min(cursor, len(self.loaded) - 1))
        allowance = max(0, app.config.new_per_day - app.store.new_cards_introduced(today))
        self.query_one("#today", Static).update(
            Content.from_markup(
                "Today: [b]$answered[/b] answered · [b]$due[/b] due · [b]$new[/b] new cards left of $limit a day",
                answered=app.store.reviews_on(today),
                due=due_total,
                new=min(allowance, new_total),
                limit=app.config.new_per_day,
            )
        )
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
        table.update_cell(loaded.deck.id, "tick", "✓" if loaded.deck.id in self.ticked else "")
        if table.cursor_row < len(self.loaded) - 1:
            table.action_cursor_down()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        """Start the ticked decks, or the highlighted one when none is ticked."""
        chosen = [loaded for loaded in self.loaded if loaded.deck.id in self.ticked]
        if not chosen and (highlighted := self._highlighted()) is not None:
            chosen = [highlighted]
        if chosen:
            self.app.start_drill([loaded.deck for loaded in chosen])

    def action_start_all(self) -> None:
        if self.loaded:
            self.app.start_drill([loaded.deck for loaded in self.loaded])

    def action_weak(self) -> None:
        """Drill the weakest topics of the ticked decks (all decks when none is ticked)."""
        chosen = [loaded.deck for loaded in self.loaded if loaded.deck.id in self.ticked]
        self.app.start_weak_drill(chosen or [loaded.deck for loaded in self.loaded])

    def action_stats(self) -> None:
        highlighted = self._highlighted()
        self.app.show_stats(highlighted.deck if highlighted is not None else None)
