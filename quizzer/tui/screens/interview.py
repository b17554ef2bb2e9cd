"""The mock interview on screen: a timed round (:class:`InterviewScreen`) and its report
(:class:`InterviewReportScreen`).

The round is a drill with a clock: it asks through the same card panel, with the same key handling, as
:class:`~quizzer.tui.screens.drill.DrillScreen`, but commits through :class:`quizzer.interview.Round`
(review log, then the round's rows) and never asks a question twice. The status line shows the round's
clock against its length and the question's against its target; going over turns them to the warning
colour and is recorded, never enforced.

Leaving early (``q``/Esc) shows the report of what was answered; the round stays stored as abandoned
(see :mod:`quizzer.interview`). Ctrl+Q quits at once: every answer so far is already committed.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from quizzer.errors import QuizzerError
from quizzer.interview import LANE_NAMES, InterviewAnswer, Report, Round, clock_text
from quizzer.sanitize import visible
from quizzer.session import QueueItem
from quizzer.tui.charts import meter
from quizzer.tui.host import Host
from quizzer.tui.screens.drill import STATUS_PADDING, DrillScreen, fit_title
from quizzer.tui.styles import screen_css
from quizzer.tui.widgets.card_panel import CardPanel
from quizzer.tui.widgets.hanging import Hanging
from quizzer.tui.widgets.inline import inline_markdown

ANSWER_WIDTH = 300  # an answer longer than this is cut in the report (the review log keeps it whole)


class ChoosingScreen(Screen[None]):
    """Shown for the moment the round's questions are being chosen (at most the readiness wait)."""

    DEFAULT_CSS = screen_css("interview.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    def compose(self) -> ComposeResult:
        yield Static("Choosing your interview questions…", id="choosing")


class InterviewScreen(DrillScreen):
    """A mock-interview round: one question at a time, a visible clock, the report at the end."""

    BINDINGS = [Binding("q,escape", "leave", "End round", id="interview.leave")]

    def __init__(self, round_: Round, *, back_to_home: bool = True) -> None:
        super().__init__(round_.session, back_to_home=back_to_home)
        self.round = round_

    async def on_mount(self) -> None:
        await super().on_mount()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        item = self.session.current
        if item is not None:
            self._update_status(item, self.panel)

    def _update_status(self, item: QueueItem, panel: CardPanel | None = None) -> None:
        round_ = self.round
        now: datetime = self.app.clock()  # type: ignore[attr-defined]
        lane = LANE_NAMES[round_.lane(item)]
        where = f"Q{round_.position + 1}/{round_.planned} · {lane} · {item.deck.title}"
        elapsed = round_.elapsed(now)
        this = (now - panel.started).total_seconds() if panel is not None else 0.0
        round_over = elapsed > round_.minutes * 60
        this_over = this > round_.target
        clock = Content.assemble(
            ("⏱ ", ""),
            (
                f"{clock_text(elapsed)}/{clock_text(round_.minutes * 60)}",
                "bold $warning" if round_over else "bold",
            ),
            " · this ",
            (f"{clock_text(this)}/{clock_text(round_.target)}", "bold $warning" if this_over else ""),
            (" over" if this_over else "", "bold $warning"),
        )
        where = fit_title(where, self.size.width - STATUS_PADDING - clock.cell_length)
        # Deck titles are text from a file: never markup, control characters made visible.
        self.query_one("#where", Static).update(Content(visible(where, one_line=True)))
        self.query_one("#progress", Static).update(clock)

    def record(self, event: CardPanel.Answered) -> str | None:
        """Record the answer in the log and in the round (never asked again, so no re-ask notice)."""
        panel = event.panel
        self.round.record(
            event.item,
            event.quality,
            now=self.app.clock(),  # type: ignore[attr-defined]
            seconds=event.response_ms / 1000,
            answer=event.answer,
            correct=event.correct,
            grade=panel.grade,
            points=panel.points_grade,
        )
        return None

    def finish(self) -> None:
        self.app.post_message(self.Ended())
        self.app.clear_notifications()
        try:
            report = self.round.finish(self.app.clock())  # type: ignore[attr-defined]
        except QuizzerError as error:  # the answers are stored; only the finish mark was not
            self.notify(visible(error.message), title=error.title, severity="error", markup=False)
            report = self.round.report(self.app.clock())  # type: ignore[attr-defined]
        self.app.switch_screen(InterviewReportScreen(report, back_to_home=self.back_to_home))


TOPIC_WIDTH = 30


def _topic_line(title: str, score: float, questions: int, width: int) -> Content:
    name = title if len(title) <= width else title[: width - 1] + "…"
    colour = "$error" if score < 0.6 else "$warning" if score < 0.8 else "$success"
    noun = "question" if questions == 1 else "questions"
    return Content.assemble(
        f"  {visible(name, one_line=True):<{width}} ",
        (f"{score:>4.0%}", "bold"),
        " ",
        (meter(score), colour),
        f" {questions} {noun}",
    )


VERDICT_MARKS = {
    "right": ("✓ right", "$success"),
    "partly": ("◐ partly", "$warning"),
    "wrong": ("✗ wrong", "$error"),
    "passed": ("– passed on", "$error"),
}


def _text(value: str, limit: int = ANSWER_WIDTH) -> str:
    """Deck or user text for one block of the report: whitespace folded, cut at ``limit``, controls visible."""
    text = " ".join(value.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return visible(text, one_line=True)


def _answer_lines(answer: InterviewAnswer, titles: dict[str, str]) -> list[Content | Hanging]:
    mark, colour = VERDICT_MARKS[answer.verdict]
    score = f" · {answer.score:.0%} of the key points" if answer.lane == "explain" and answer.answer else ""
    over = " · over target" if answer.over_target else ""
    topic = titles.get(answer.deck_id, answer.deck_id)
    head = Content.assemble(
        (f"{answer.position + 1:>2}. ", "bold"),
        (mark + score, f"bold {colour}"),
        f" · {clock_text(answer.seconds)} of {clock_text(answer.target_seconds)}",
        (over, "bold $warning"),
        f" · {LANE_NAMES[answer.lane]}",
    )
    indent = Content("    ")
    lines: list[Content | Hanging] = [
        head,
        Hanging(indent, Content.styled(_text(topic), "dim")),
        Hanging(indent, inline_markdown(_text(answer.question)).stylize("bold")),
    ]
    if answer.answer is None:
        lines.append(Hanging(Content.styled("    You  ", "dim"), Content.styled("no answer given", "dim")))
    else:
        lines.append(Hanging(Content.styled("    You  ", "dim"), Content(_text(answer.answer))))
    if answer.lane == "explain":
        for missed in answer.missed:
            lines.append(Hanging(Content.styled("    ✗    ", "$error"), inline_markdown(_text(missed))))
    elif answer.missed:
        lines.append(
            Hanging(Content.styled("    Expected  ", "dim"), inline_markdown(_text("; ".join(answer.missed))))
        )
    return lines


def report_lines(report: Report, titles: dict[str, str] | None = None) -> list[Content | Hanging]:
    """The whole report, line by line: headline, score per topic, what to study next, every question
    (what was asked, the answer given, the verdict, the key points missed, the time taken).

    Everything from decks and answers is shown as text (control characters visible, never markup); long
    lines wrap under their own indent (:class:`~quizzer.tui.widgets.hanging.Hanging`).
    """
    titles = titles or {t.deck_id: t.title for t in report.topics}
    score = "—" if report.score is None else f"{report.score:.0%}"
    length = report.minutes * 60
    over = report.seconds - length
    timing = f"{clock_text(report.seconds)} of {clock_text(length)}"
    timing += f" ({clock_text(over)} over)" if over > 0 else ""
    answered = len(report.answers)
    state = (
        f"{answered} questions"
        if report.finished
        else f"ended early: {answered} of {report.planned} questions"
    )
    lines: list[Content | Hanging] = [
        Hanging(
            Content.assemble(("Mock interview ", "bold"), (score, "bold $accent"), " · "),
            Content(f"{state} · {timing}"),
        ),
    ]
    if not report.answers:
        return [*lines, Content("Nothing was answered, so nothing was stored.")]
    target = clock_text(report.answers[0].target_seconds)
    lines.append(Content(f"{report.over_target} of {answered} answers took longer than the {target} target"))
    lines.append(Content(""))
    width = min(TOPIC_WIDTH, max(len(t.title) for t in report.topics))
    lines.append(Content.styled("Score per topic, weakest first", "bold"))
    lines += [_topic_line(t.title, t.score, t.questions, width) for t in report.topics]
    lines.append(Content(""))
    lines.append(Content.styled("Study next", "bold"))
    if not report.study_next:
        lines.append(Content("  Nothing missed this round: try a longer round, or more decks."))
    for number, topic in enumerate(report.study_next, 1):
        lines.append(
            Hanging(
                Content(f"  {number}. "),
                Content.assemble((_text(topic.title), "bold"), f" ({topic.score:.0%})"),
            )
        )
        for question in topic.missed:
            lines.append(Hanging(Content("     · "), inline_markdown(_text(question, 160))))
    lines.append(Content(""))
    lines.append(Content.styled("Questions", "bold"))
    for answer in report.answers:
        lines += _answer_lines(answer, titles)
    return lines


class InterviewReportScreen(Screen[None]):
    """The report of a round, scrollable; Enter goes back to the decks (or quits)."""

    DEFAULT_CSS = screen_css("interview.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    BINDINGS = [
        Binding("enter,q,escape", "close", "Done", id="report.close"),
        Binding("s", "stats", "Stats", id="report.stats"),
    ]

    app: Host  # type: ignore[assignment]

    def __init__(self, report: Report, *, back_to_home: bool = True) -> None:
        super().__init__()
        self.report = report
        self.back_to_home = back_to_home

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="interview-report"):
            for line in report_lines(self.report):
                yield Static(line, classes="report-line")
            closing = "go back to your decks" if self.back_to_home else "quit"
            yield Static(
                Content.from_markup(
                    "[b]↑ ↓ PgUp PgDn[/b] scroll · [b]Enter[/b] to $what · [b]s[/b] statistics", what=closing
                ),
                classes="instructions",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#interview-report", VerticalScroll).focus()

    def action_stats(self) -> None:
        self.app.show_stats()  # type: ignore[attr-defined]

    def action_close(self) -> None:
        if self.back_to_home:
            self.dismiss()
        else:
            self.app.exit()


__all__ = ["ChoosingScreen", "InterviewReportScreen", "InterviewScreen", "report_lines"]
