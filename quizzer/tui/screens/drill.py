"""Drill: ask the session's cards one by one, commit each answer before the next card appears.

Generated problems are made in a thread worker; the next card's problem is prepared while the user
reads the current one, so scikit-learn-backed families never freeze the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from quizzer.decks.model import Deck
from quizzer.errors import QuizzerError
from quizzer.sanitize import visible
from quizzer.session import QueueItem, Session
from quizzer.tui.first_frame import after_first_frame
from quizzer.tui.widgets.card_panel import CardBody, CardPanel, Phase, asks_typed_answer

STATUS_PADDING = 4  # the status line's padding and the gap between its two halves
MIN_TITLE_WIDTH = 12


async def drained(widget: Widget, timeout: float = 0.5) -> None:
    """Wait until ``widget`` has handled what is already in its message queue (at most ``timeout`` s:
    a widget being removed never answers)."""
    done = asyncio.get_running_loop().create_future()
    widget.call_next(lambda: done.done() or done.set_result(None))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done, timeout)


def fit_title(title: str, room: int) -> str:
    """``title`` cut with an ellipsis to the ``room`` a status line leaves it (never below
    :data:`MIN_TITLE_WIDTH`)."""
    return title if len(title) <= room else title[: max(MIN_TITLE_WIDTH, room) - 1] + "…"


def describe_error(error: BaseException) -> str:
    """A one-line account of an unexpected error, for a notice (never a traceback)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def breakpoint_classes(extent: int, breakpoints: list[tuple[int, str]]) -> set[str]:
    """The class of the largest breakpoint at or below ``extent`` (a height or a width), as a screen's resize
    sets it."""
    for breakpoint, class_name in sorted(breakpoints, reverse=True):
        if extent >= breakpoint:
            return {class_name}
    return set()


FIRST_CARD_MARKER = "QUIZZER_BENCH_FIRST_CARD_FILE"


class DrillScreen(Screen[None]):
    """The drill loop on screen. Ends with the session summary."""

    BINDINGS = [
        Binding("q,escape", "leave", "End session", id="drill.leave"),
        # Enter and 0-5 are handled here, in the order keys arrive, before any later key is dispatched:
        # a fast typist's Enter (submit), Enter (accept) and next answer must not overtake each other
        # (bindings found by bubbling run after keys already on their way to the old card). Each is
        # active only in its phase (check_action), so the footer names what Enter and 0-5 do now.
        Binding("enter", "submit_now", "Submit", show=False, priority=True),
        Binding("enter", "accept_now", "Accept grade", priority=True),
        Binding("enter", "retry_now", "Save again", priority=True),
        Binding("0", "grade_now(0)", "Grade", key_display="0-5", priority=True),
        *(Binding(str(q), f"grade_now({q})", f"Grade {q}", show=False, priority=True) for q in range(1, 6)),
    ]

    @dataclass
    class ProblemReady(Message):
        """A generated card's problem was made (or failed: ``error`` says why)."""

        item: QueueItem
        error: str | None = None

    def __init__(self, session: Session, *, back_to_home: bool = True, notice: str = "") -> None:
        super().__init__()
        self.session = session
        self.back_to_home = back_to_home
        self._preparing: set[int] = set()  # id() of items whose problem a worker is making
        self._waiting: QueueItem | None = None  # the current item, while its problem is being made
        self._leave_armed = False
        self._leaving = False  # leave once the answer on screen is committed
        self._notice = notice  # said on the next card's notice line (see say)
        self._warmed = False  # the graders were imported in the background (see _warm_up)
        self._fitted: set[int] = set()  # id() of decks whose key-point grader a worker fitted (see prefetch)
        self.body = CardBody(id="body")  # holds the card on screen: its panel, or the loading line
        self._resumed = False  # the screen has had its first ScreenResume (see post_message)

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenResume) and not self._resumed:
            # The first resume is posted as the screen is pushed, and handled once it has composed and shown its
            # first card, every widget styled as it mounted: restyling them all again (what a resume does, for a
            # screen coming back after a theme change) cost as much as styling them in the first place.
            self._resumed = True
            message.refresh_styles = False
        return super().post_message(message)

    def compose(self) -> ComposeResult:
        # The height class (-short / -tall) the screen's first resize would add, added before its widgets mount:
        # added after, it restyles every widget of the screen once more on the way to the first card.
        self.add_class(*breakpoint_classes(self.app.size.height, self.app.VERTICAL_BREAKPOINTS or []))
        with Horizontal(id="status"):
            yield Static("", id="where")
            yield Static("", id="progress")
        yield self.body

    async def on_mount(self) -> None:
        self.started = self.app.clock()  # type: ignore[attr-defined]
        await self.show_next()
        after_first_frame(self)

    # -- the loop ------------------------------------------------------------------------------

    @property
    def panel(self) -> CardPanel | None:
        """The card panel on screen, if any. Asked for by every binding check (each footer refresh): read
        from the body's children, not by searching the screen."""
        return next((child for child in self.body.children if isinstance(child, CardPanel)), None)

    async def show_next(self) -> None:
        item = self.session.next()
        if item is None:
            self.finish()
            return
        self._update_status(item)
        body = self.body
        self.set_focus(body)  # now, not after a refresh: keys typed until the next answer line has focus are kept (CardBody)
        await body.remove_children()
        if item.kind == "generated" and item.problem is None:
            self._waiting = item
            await body.mount(Vertical(Static("Making a fresh problem…"), LoadingIndicator(), id="loading"))
            self.prepare(item)
            return
        self._waiting = None
        panel = CardPanel(
            item,
            self.session.grade,
            self.app.clock,
            self.session.config.open_answers,  # type: ignore[attr-defined]
        )
        await body.mount(panel)
        if self._notice:
            panel.say(self._notice)
            self._notice = ""
        self._update_status(item, panel)
        if marker := os.environ.get(FIRST_CARD_MARKER):
            # Benchmarks only (tests/benchmarks/run.py): note when the first card is on screen, then leave.
            os.environ.pop(FIRST_CARD_MARKER)
            self.call_after_refresh(self._first_card_shown, Path(marker))
        # Once this card is painted: the next problem's generator (numpy, maybe scikit-learn) and, the first
        # time, the graders load in threads, while the user reads; never before the card is on screen.
        self.call_after_refresh(self.prefetch)
        if not self._warmed:
            self._warmed = True
            self.call_after_refresh(self._warm_up)

    def _first_card_shown(self, marker: Path) -> None:
        marker.write_text(repr(time.time()))
        self.app.exit()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import what grading an answer and showing its explanation need, so neither stalls the first one."""
        import textual.widgets._markdown  # noqa: F401 - the imports are the point

        import quizzer.grading  # noqa: F401

    def prefetch(self) -> None:
        """Make the next card's problem while the user reads this one, and fit the key-point grader of a deck
        whose open card is on screen or next, while the user types the answer."""
        upcoming = self.session.peek()
        if upcoming is not None and upcoming.kind == "generated" and upcoming.problem is None:
            self.prepare(upcoming)
        open_answers = self.session.config.open_answers  # type: ignore[attr-defined]
        for item in (self.session.current, upcoming):
            if item is not None and asks_typed_answer(item.card, open_answers) and id(item.deck) not in self._fitted:
                self._fitted.add(id(item.deck))
                self._fit_points(item.deck)

    @work(thread=True, group="points", exit_on_error=False)
    def _fit_points(self, deck: Deck) -> None:
        """The first typed answer of a deck would otherwise wait on this: scikit-learn's import and the deck's
        TF-IDF fit take one to several seconds."""
        from quizzer.keypoints import deck_model

        deck_model(deck)

    def prepare(self, item: QueueItem) -> None:
        if id(item) not in self._preparing:
            self._preparing.add(id(item))
            self._make_problem(item)

    @work(thread=True, group="prepare", exit_on_error=False)
    def _make_problem(self, item: QueueItem) -> None:
        try:
            Session.prepare(item)
        except Exception as error:  # noqa: BLE001 - a generator bug must not take the app down
            self.post_message(self.ProblemReady(item, describe_error(error)))
        else:
            self.post_message(self.ProblemReady(item))

    @on(ProblemReady)
    async def problem_ready(self, event: ProblemReady) -> None:
        self._preparing.discard(id(event.item))
        if event.item is not self._waiting:
            return  # a prefetch: it waits on the item until the item comes up
        if event.error is not None:
            card = event.item.card
            self.say(visible(f"Skipped card {card.id!r} of deck {event.item.deck.id!r}: {event.error}"))
            self.session.skip(event.item)
        await self.show_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        panel = self.panel
        current = panel is not None and panel.item is self.session.current
        match action:
            case "submit_now":
                return current and panel.phase is Phase.ASKING and panel.expects_typing()
            case "accept_now":
                return current and panel.proposes_grade
            case "retry_now":
                return current and panel.phase is Phase.UNSAVED
            case "grade_now":
                return current and panel.phase in (Phase.REVEALED, Phase.FEEDBACK, Phase.UNSAVED)
        return True

    async def action_submit_now(self) -> None:
        panel = self.panel
        if panel is None:
            raise SkipAction()
        # Keys typed before this Enter may still wait in the queue of the widget they were sent to:
        # let them land first, then submit the line (or keep the Enter until the line exists).
        body = self.body
        for widget in {body, self.focused or body}:
            await drained(widget)
        if not await panel.submit_typed():
            body.typed.append("enter")

    async def action_accept_now(self) -> None:
        panel = self.panel
        if panel is None or panel.grade is None:
            raise SkipAction()
        await self._settle_now(panel, panel.grade.proposed_quality)

    async def action_retry_now(self) -> None:
        panel = self.panel
        if panel is None or panel.quality is None:
            raise SkipAction()
        await self._settle_now(panel, panel.quality)

    async def action_grade_now(self, quality: int) -> None:
        panel = self.panel
        if panel is None:
            raise SkipAction()
        await self._settle_now(panel, quality)

    async def _settle_now(self, panel: CardPanel, quality: int) -> None:
        answered = panel.settle(quality)
        if answered is not None:
            await self.commit(answered)

    @on(CardPanel.Answered)
    async def commit(self, event: CardPanel.Answered) -> None:
        """Record the answer; only once it is committed does the next card appear."""
        try:
            notice = self.record(event)
        except QuizzerError as error:
            self._leaving = False
            await event.panel.show_unsaved(visible(f"{error.title}: {error.message}"))
            return
        self._leave_armed = False
        if self._leaving:
            self.finish()
            return
        if notice:
            self.say(notice)
        await self.show_next()

    def record(self, event: CardPanel.Answered) -> str | None:
        """Commit one answer (raises :class:`QuizzerError` when it cannot be saved); a notice for the user,
        if any."""
        outcome = self.session.record(
            event.item,
            event.quality,
            now=self.app.clock(),  # type: ignore[attr-defined]
            answer=event.answer,
            correct=event.correct,
            response_ms=event.response_ms,
        )
        return "↻ The last card comes back later in this session." if outcome.requeued else None

    def say(self, text: str) -> None:
        """A notice for the user, on the card's own notice line (a toast would cover the card).

        Shown on the card on screen now, or on the next one when none is (between cards).
        """
        panel = self.panel
        if panel is not None and panel.phase is Phase.ASKING and panel.item is self.session.current:
            panel.say(text)
        else:
            self._notice = text

    def _update_status(self, item: QueueItem, panel: CardPanel | None = None) -> None:
        kind = panel.answer_kind() if panel is not None else item.kind
        again = " · again" if item.reask else ""
        session = self.session
        left = session.remaining + (1 if session.current is not None else 0)
        progress = f"{session.done} done · {left} left"
        # The deck title gives way (never the kind, "again" or the counts): it gets what the line leaves.
        title = fit_title(item.deck.title, self.size.width - STATUS_PADDING - len(progress) - len(f" · {kind}{again}"))
        # Deck text: shown as text (never markup), control characters made visible.
        self.query_one("#where", Static).update(Content(visible(f"{title} · {kind}{again}", one_line=True)))
        self.query_one("#progress", Static).update(progress)

    def on_resize(self) -> None:
        item = self.session.current
        if item is not None:
            self._update_status(item, self.panel)

    # -- leaving -------------------------------------------------------------------------------

    def action_leave(self) -> None:
        panel = self.panel
        if panel is not None and panel.phase is Phase.FEEDBACK:
            # An answer already graded on screen is kept: commit it with the proposed grade, then leave.
            self._leaving = True
            panel.action_accept()
            return
        if panel is not None and panel.unsaved and not self._leave_armed:
            self._leave_armed = True
            panel.say("The last answer is not saved. Press q again to leave without it, or Enter to retry.")
            return
        if self.session.done:
            self.finish()
        else:
            self.leave()

    class Ended(Message):
        """The session is over (summary shown or left): the app syncs then."""

    def finish(self) -> None:
        from quizzer.tui.screens.summary import SummaryScreen

        self.app.post_message(self.Ended())
        self.app.clear_notifications()  # notices about the last card would only cover the summary
        wall = (self.app.clock() - self.started).total_seconds()  # type: ignore[attr-defined]
        self.app.switch_screen(
            SummaryScreen(self.session, back_to_home=self.back_to_home, wall_seconds=max(0.0, wall))
        )

    def leave(self) -> None:
        if self.back_to_home:
            self.app.post_message(self.Ended())
            self.dismiss()
        else:
            self.app.exit()
