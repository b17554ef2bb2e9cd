"""Preview for deck authors: a deck's cards one by one, exactly as users see them, never recorded.

Each card is asked through a one-card :class:`Session` over an in-memory store, so shuffling, seeds and
grading are the real ones and the user's database is never opened. The file is polled and reloaded when
it changes; a broken file shows its located errors while the preview keeps watching.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, LoadingIndicator, Static

from quizzer.decks.loader import DeckCollection, deck_files, load_sources
from quizzer.decks.model import AnyCard, Deck
from quizzer.sanitize import visible
from quizzer.session import QueueItem, Session
from quizzer.store import Store
from quizzer.tui.screens.drill import describe_error
from quizzer.tui.widgets.card_panel import CardBody, CardPanel

POLL_SECONDS = 0.5


def file_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when an author saves: each deck file's name, mtime and size."""
    signature = []
    for file in deck_files(path):
        try:
            stat = file.stat()
        except OSError:
            continue
        signature.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


class PreviewScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "move(1)", "Next", id="preview.next"),
        Binding("p", "move(-1)", "Previous", id="preview.previous"),
        Binding("r", "fresh", "Fresh", id="preview.fresh"),
        # The same, while typing an answer (these keys are not typed).
        Binding("pagedown", "move(1)", "Next card", show=False, priority=True),
        Binding("pageup", "move(-1)", "Previous", show=False, priority=True),
        Binding("ctrl+r", "fresh", "Fresh instance", show=False, priority=True),
        Binding("escape", "blur", "Stop typing", show=False),
        Binding("q", "app.quit", "Quit", id="preview.quit"),
    ]

    @dataclass
    class ProblemReady(Message):
        item: QueueItem
        error: str | None = None

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.store = Store(":memory:")  # the preview never opens the user's database
        self.collection = DeckCollection()
        self.cards: list[tuple[Deck, AnyCard]] = []
        self.index = 0
        self.signature: tuple[tuple[str, int, int], ...] = ()
        self.item: QueueItem | None = None
        self.shown_id: str | None = None
        # Navigation (app task) and a worker's result (this screen's task) both swap the body; the lock
        # makes each swap whole, so a problem finishing mid-navigation can never add a second card.
        self._swap = asyncio.Lock()

    def compose(self) -> ComposeResult:
        with Horizontal(id="status"):
            yield Label("", id="where")
            yield Label("preview: not recorded", id="progress")
        yield Static("", id="issues", markup=False)
        yield CardBody(id="body")
        yield Footer(compact=True)

    @property
    def panel(self) -> CardPanel | None:
        """The panel of the card the status line names (never a stale one)."""
        return next((panel for panel in self.query(CardPanel) if panel.item is self.item), None)

    async def on_mount(self) -> None:
        await self.reload()
        self.set_interval(POLL_SECONDS, self.check_file)

    def on_unmount(self) -> None:
        self.store.close()

    # -- loading and watching ------------------------------------------------------------------

    async def check_file(self) -> None:
        if file_signature(self.path) != self.signature:
            await self.reload(keep=True)

    async def reload(self, *, keep: bool = False) -> None:
        """Load the deck file(s) again, staying on the same card when it still exists."""
        current = self.shown_id if keep else None  # remembered even while the file was broken
        self.signature = file_signature(self.path)
        self.collection = load_sources([(self.path, False)])
        self.cards = [(loaded.deck, card) for loaded in self.collection.decks for card in loaded.deck.cards]
        ids = [card.id for _, card in self.cards]
        self.index = ids.index(current) if current in ids else min(self.index, max(0, len(self.cards) - 1))
        issues = self.query_one("#issues", Static)
        if self.collection.issues:
            issues.update(visible("\n".join(str(issue) for issue in self.collection.issues)))
        issues.display = bool(self.collection.issues)
        if keep:
            # Said on the status line: a toast would cover the card being previewed.
            self._status("reloaded, with errors" if self.collection.issues else "reloaded")
        await self.show()

    # -- showing a card ------------------------------------------------------------------------

    async def show(self) -> None:
        async with self._swap:
            await self._show()

    async def _show(self) -> None:
        body = self.query_one("#body", CardBody)
        where = self.query_one("#where", Label)
        if not self.cards:
            self.item = None
            await body.remove_children()
            where.update(Content(visible(f"{self.path} · no cards to show", one_line=True)))
            await body.mount(
                Static(
                    "Fix the errors above and save: the preview reloads by itself.", classes="instructions"
                )
            )
            return
        deck, card = self.cards[self.index]
        self.shown_id = card.id
        several = len(self.collection.decks) > 1
        where.update(
            Content(f"{deck.id + ' · ' if several else ''}card {self.index + 1}/{len(self.cards)} · {card.id} · {card.kind}")
        )
        session = Session(
            self.store,
            [deck],
            now=self.app.clock(),
            seed=self.app.random.randrange(2**31),  # type: ignore[attr-defined]
            cards=[(deck, card)],
        )
        item = session.next()
        assert item is not None
        self.item = item
        self.set_focus(body)  # now, not after a refresh: keys typed until the next answer line has focus are kept (CardBody)
        await body.remove_children()
        if item.kind == "generated":
            await body.mount(Vertical(Label("Making a fresh problem…"), LoadingIndicator(), id="loading"))
            self._make_problem(item)
            return
        await body.mount(CardPanel(item, session.grade, self.app.clock))  # type: ignore[attr-defined]

    @work(thread=True, group="prepare", exit_on_error=False)
    def _make_problem(self, item: QueueItem) -> None:
        try:
            Session.prepare(item)
        except Exception as error:  # noqa: BLE001 - an author's broken params must not take the preview down
            self.post_message(self.ProblemReady(item, describe_error(error)))
        else:
            self.post_message(self.ProblemReady(item))

    @on(ProblemReady)
    async def problem_ready(self, event: ProblemReady) -> None:
        async with self._swap:
            await self._show_problem(event)

    async def _show_problem(self, event: ProblemReady) -> None:
        if event.item is not self.item:
            return  # the user moved on while it was being made
        body = self.query_one("#body", CardBody)
        self.set_focus(body)  # now, not after a refresh: keys typed until the next answer line has focus are kept (CardBody)
        await body.remove_children()
        if event.error is not None:
            await body.mount(
                Static(
                    Content.from_markup("[b]Could not make a problem:[/b] $e", e=event.error),
                    classes="unsaved",
                )
            )
            return
        # A throwaway session grades it: the same code path as a real drill.
        grader = Session(self.store, [event.item.deck], now=self.app.clock(), seed=0, cards=[])  # type: ignore[attr-defined]
        await body.mount(CardPanel(event.item, grader.grade, self.app.clock))  # type: ignore[attr-defined]

    @on(CardPanel.Answered)
    async def answered(self, event: CardPanel.Answered) -> None:
        await self.action_move(1)
        self._status(f"card {event.item.card.id} graded {event.quality}")

    def _status(self, news: str) -> None:
        """News for the author on the right of the status line, where it covers nothing."""
        self.query_one("#progress", Label).update(Content(f"{news} · preview: not recorded"))

    async def action_move(self, step: int) -> None:
        if self.cards:
            self.index = (self.index + step) % len(self.cards)
            await self.show()

    def action_blur(self) -> None:
        self.set_focus(None)

    async def action_fresh(self) -> None:
        await self.show()
