"""The end of a session: answered, accuracy, time spent, what was missed, when cards are next due."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from quizzer.session import Session
from quizzer.store import Store
from quizzer.tui.host import Host
from quizzer.tui.styles import screen_css
from quizzer.tui.text import card_title, duration, tomorrow, when


def schedule_outlook(store: Store, deck_ids: list[str], today: date) -> tuple[date | None, int]:
    """(the next day after today with a card due, how many are due by tomorrow) over ``deck_ids``.

    Read from the database over every deck the user studies, so it agrees with Stats (a weak-spots
    session covers only some decks, but tomorrow's work is all of them).
    """
    states = store.card_states(deck_ids)
    dues = [entry.state.due for entry in states.values() if entry.state.due is not None]
    later = [day for day in dues if day > today]
    return (min(later) if later else None), sum(1 for day in dues if day <= tomorrow(today))


def summary_markup(
    session: Session, *, wall_seconds: float | None = None, deck_ids: list[str] | None = None
) -> Content:
    """The summary text. ``wall_seconds``: how long the session lasted on the clock (reading, thinking,
    pauses); the answer time is the sum of the time to each answer. ``deck_ids``: the decks whose
    schedule to report (default: the session's)."""
    stats = session.stats
    lines: list[Content] = []
    if stats.answered == 0:
        lines.append(Content("Nothing was due in these decks, and no new cards are left for today."))
    else:
        first_asks = stats.answered - stats.reasks
        accuracy = (
            f"{stats.correct / stats.graded:.0%} ({stats.correct} of {stats.graded})" if stats.graded else "—"
        )
        lines += [
            Content.from_markup(
                "Answered   [b]$n[/b] ($first first asks, $re re-asks)",
                n=stats.answered,
                first=first_asks,
                re=stats.reasks,
            ),
            Content.from_markup("Accuracy   [b]$a[/b]", a=accuracy),
        ]
        if wall_seconds is not None:
            lines.append(
                Content.from_markup(
                    "Time       [b]$t[/b] in all ($a answering)",
                    t=duration(wall_seconds),
                    a=duration(stats.seconds),
                )
            )
        else:
            lines.append(Content.from_markup("Answering  [b]$a[/b]", a=duration(stats.seconds)))
    left = session.remaining + (1 if session.current is not None else 0)
    if left:
        lines.append(Content.from_markup("Left       $n in the queue (ended early)", n=left))
    lines.append(Content(""))
    if stats.missed:
        lines.append(Content.from_markup("[b]Missed[/b]"))
        decks = {deck.id: deck for deck in session.decks}
        titles = []
        for deck_id, card_id in stats.missed:
            deck = decks.get(deck_id)
            card = deck.card(card_id) if deck is not None else None
            titles.append(card_title(card, 70) if card is not None else card_id)
        for (deck_id, _), title in zip(stats.missed, titles, strict=True):
            # Two cards that read the same (one family in two decks) are told apart by their deck.
            shown = f"{title} · {deck_id}" if titles.count(title) > 1 else title
            lines.append(Content.from_markup("  ✗ $title", title=shown))
        lines.append(Content(""))
    elif stats.answered:
        lines += [Content("Nothing missed."), Content("")]
    ids = deck_ids if deck_ids is not None else [deck.id for deck in session.decks]
    next_day, due_tomorrow = schedule_outlook(session.store, ids, session.today)
    scope = "in all your decks" if deck_ids is not None else "in these decks"
    lines.append(Content.from_markup("Next due   [b]$when[/b]", when=when(next_day, session.today)))
    noun = "card" if due_tomorrow == 1 else "cards"
    lines.append(Content.from_markup("Tomorrow   [b]$n[/b] $noun due $scope", n=due_tomorrow, noun=noun, scope=scope))
    return Content("\n").join(lines)


class SummaryScreen(Screen[None]):
    DEFAULT_CSS = screen_css("summary.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    BINDINGS = [
        Binding("enter,q,escape", "close", "Done", id="summary.close"),
        Binding("m", "app.study_more_after", "Study more", id="summary.more"),
    ]

    app: Host  # type: ignore[assignment]

    def __init__(
        self, session: Session, *, back_to_home: bool = True, wall_seconds: float | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.back_to_home = back_to_home
        self.wall_seconds = wall_seconds

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary"):
            yield Static(Content.from_markup("[b]Session summary[/b]"), classes="screen-title")
            every = [loaded.deck.id for loaded in self.app.collection.decks]
            yield Static(
                summary_markup(self.session, wall_seconds=self.wall_seconds, deck_ids=every),
                id="summary-text",
            )
            closing = "go back to your decks" if self.back_to_home else "quit"
            yield Static(
                Content.from_markup("Press [b]Enter[/b] to $what · [b]m[/b] to study more.", what=closing),
                classes="instructions",
            )
        yield Footer(compact=True)

    def action_close(self) -> None:
        if self.back_to_home:
            self.dismiss()
        else:
            self.app.exit()
