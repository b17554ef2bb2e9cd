"""The end of a session: answered, accuracy, time spent, what was missed, when cards are next due."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from quizzer.session import Session
from quizzer.tui.text import card_title, duration, tomorrow, when


def summary_markup(session: Session) -> Content:
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
            Content.from_markup("Time spent [b]$t[/b]", t=duration(stats.seconds)),
        ]
    left = session.remaining + (1 if session.current is not None else 0)
    if left:
        lines.append(Content.from_markup("Left       $n in the queue (ended early)", n=left))
    lines.append(Content(""))
    if stats.missed:
        lines.append(Content.from_markup("[b]Missed[/b]"))
        decks = {deck.id: deck for deck in session.decks}
        for deck_id, card_id in stats.missed:
            deck = decks.get(deck_id)
            card = deck.card(card_id) if deck is not None else None
            title = card_title(card, 70) if card is not None else card_id
            lines.append(Content.from_markup("  ✗ $title", title=title))
        lines.append(Content(""))
    elif stats.answered:
        lines += [Content("Nothing missed."), Content("")]
    next_day = session.next_due()
    lines.append(Content.from_markup("Next due   [b]$when[/b]", when=when(next_day, session.today)))
    due_tomorrow = session.due_on(tomorrow(session.today))
    lines.append(Content.from_markup("Tomorrow   $n cards due", n=due_tomorrow))
    return Content("\n").join(lines)


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter,q,escape", "close", "Done", id="summary.close"),
    ]

    def __init__(self, session: Session, *, back_to_home: bool = True) -> None:
        super().__init__()
        self.session = session
        self.back_to_home = back_to_home

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary"):
            yield Static(Content.from_markup("[b]Session summary[/b]"), classes="screen-title")
            yield Static(summary_markup(self.session), id="summary-text")
            closing = "go back to your decks" if self.back_to_home else "quit"
            yield Static(
                Content.from_markup("Press [b]Enter[/b] to $what.", what=closing), classes="instructions"
            )
        yield Footer()

    def action_close(self) -> None:
        if self.back_to_home:
            self.dismiss()
        else:
            self.app.exit()
