"""Statistics (``s`` on Home): headline figures, reviews per day, the due forecast, the last-year
calendar, the weakest and the slowest topics, and how well the recall model's predictions held up
(calibration, from :mod:`quizzer.readiness`, in its own worker: it needs scikit-learn).

The figures come from :func:`quizzer.stats.compute`, run in a thread worker (it reads the whole log's
tallies), so the screen shows a loading indicator and never blocks. ``p`` cycles the period (30 days,
all time, 7 days); ``d`` switches between all decks and the deck highlighted on Home.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from quizzer.answers import plural
from quizzer.decks.model import Deck
from quizzer.sanitize import visible
from quizzer.stats import GroupAccuracy, Rate, Stats, compute
from quizzer.tui.charts import meter
from quizzer.tui.host import Host
from quizzer.tui.screens.drill import describe_error
from quizzer.tui.styles import screen_css
from quizzer.tui.text import duration
from quizzer.tui.widgets.charts import BarChart, CalendarHeatmap

if TYPE_CHECKING:
    from quizzer.recall_model import CalibrationBin

ALL_TIME = 0  # the period "all time": a window longer than any history
ALL_TIME_DAYS = 100 * 366
PERIODS = (30, ALL_TIME, 7)  # the order ``p`` cycles through; the first is the default
TABLE_ROWS = 6
NAME_WIDTH = 28


class Scope(NamedTuple):
    """What the figures are about: a period in days (``ALL_TIME`` for all) and one deck or all."""

    days: int
    deck_id: str | None


def percent(rate: Rate) -> str:
    return "—" if rate.rate is None else f"{rate.rate:.0%} of {rate.reviews}"


def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def period_name(days: int) -> str:
    return "all time" if days == ALL_TIME else f"last {days} days"


def headline(stats: Stats, scope: Scope) -> Content:
    """The figures at the top: reviews, time, streak, accuracy, retention, card states."""
    window = stats.window.reviews
    if scope.days == ALL_TIME:
        studied = stats.streaks.days_studied
        recent = f"{window / studied:.1f} a study day" if studied else "none yet"
    else:
        recent = f"{window} in the {period_name(scope.days)}, {window / scope.days:.1f} a day"
    average, average_window = stats.average_answer_seconds, stats.average_answer_seconds_window
    per_answer = "—" if average is None else f"{average:.1f} s an answer"
    if scope.days != ALL_TIME and average_window is not None:
        per_answer += f" ({average_window:.1f} s in the {period_name(scope.days)})"
    streak, cards = stats.streaks, stats.cards
    rows = [
        ("Reviews", f"[b]{stats.reviews}[/b] in all · {recent}"),
        ("Time", f"{duration(stats.seconds)} · {per_answer}"),
        (
            "Streak",
            f"[b]{plural(streak.current, 'day')}[/b] · longest {streak.longest} · "
            f"studied on {plural(streak.days_studied, 'day')}",
        ),
        ("Accuracy", f"[b]{percent(stats.total)}[/b] first asks · auto-graded {percent(stats.auto_graded)}"),
        (
            "Retention",
            f"young [b]{percent(stats.retention_young)}[/b] · mature [b]{percent(stats.retention_mature)}"
            f"[/b]"
            + (
                ""
                if scope.days == ALL_TIME
                else f" · {period_name(scope.days)} {percent(stats.retention_window)}"
            ),
        ),
        (
            "Cards",
            f"{cards.total}: {cards.new} new · {cards.learning} learning · {cards.young} young · "
            f"{cards.mature} mature · [b]{cards.due_today} due today[/b]",
        ),
    ]
    # The figures are ours (numbers and fixed words), so they are safe to read as markup.
    return Content("\n").join(Content.from_markup(f"[b]{label:<10}[/b] {text}") for label, text in rows)


def accuracy_table(title: str, groups: Sequence[GroupAccuracy], rows: int = TABLE_ROWS) -> Content:
    """The weakest groups: accuracy over 7 days, 30 days (with a bar) and all time, in the order the
    CLI's `quizzer stats` lists them."""
    shown = [group for group in groups if group.all.reviews][:rows]
    head = f"{title:<{NAME_WIDTH}} {'7 days':<11} {'30 days':<21} all"
    lines = [Content.styled(head, "bold")]
    if not shown:
        lines.append(Content.styled("  nothing answered yet", "dim"))
    for group in shown:
        name = group.name if len(group.name) <= NAME_WIDTH - 2 else group.name[: NAME_WIDTH - 3] + "…"
        recent = group.last_30
        lines.append(
            Content.assemble(
                f"  {name:<{NAME_WIDTH - 2}} {percent(group.last_7):<11} ",
                (
                    meter(recent.rate),
                    "$error"
                    if (recent.rate or 0) < 0.6
                    else "$warning"
                    if (recent.rate or 0) < 0.8
                    else "$success",
                ),
                f" {percent(recent):<10} {percent(group.all)}",
            )
        )
    return Content("\n").join(lines)


def slowest_table(groups: Sequence[GroupAccuracy]) -> Content:
    lines = [Content.styled(f"{'Slowest topics':<{NAME_WIDTH}} 30 days", "bold")]
    if not groups:
        lines.append(Content.styled("  not enough timed answers yet", "dim"))
    for group in groups:
        name = group.name if len(group.name) <= NAME_WIDTH - 2 else group.name[: NAME_WIDTH - 3] + "…"
        lines.append(
            Content(
                f"  {name:<{NAME_WIDTH - 2}} {group.average_seconds_30 or 0:.1f} s an answer "
                f"({plural(group.answers_30, 'answer')})"
            )
        )
    return Content("\n").join(lines)


def calibration_table(bins: Sequence[CalibrationBin], error: float | None) -> Content:
    """Predicted recall against the share recalled, bin by bin, with the expected calibration error."""
    used = [b for b in bins if b.count]
    ece = "" if error is None else f" · expected calibration error {error:.3f}"
    lines = [Content.styled(f"Calibration of predicted recall{ece}", "bold")]
    if not used:
        lines.append(Content.styled("  no first asks of cards seen before yet", "dim"))
    for b in used:
        predicted = "—" if b.predicted is None else f"{b.predicted:.0%}"
        actual = "—" if b.actual is None else f"{b.actual:.0%}"
        lines.append(
            Content.assemble(
                f"  {b.low:.1f}–{b.high:.1f}  predicted {predicted:>4}  recalled {actual:>4} ",
                (meter(b.actual), "$accent"),
                f" {plural(b.count, 'answer')}",
            )
        )
    return Content("\n").join(lines)


class StatsScreen(Screen[None]):
    """Progress over time, for all decks or one."""

    DEFAULT_CSS = screen_css("stats.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    BINDINGS = [
        Binding("p", "period", "Period", id="stats.period"),
        Binding("d", "deck", "Deck / all", id="stats.deck"),
        Binding("q,escape", "back", "Back", id="stats.back"),
    ]
    WIDE_AT = 100  # columns from which the two charts stand side by side

    app: Host  # type: ignore[assignment]

    @dataclass
    class Computed(Message):
        """The figures of ``scope`` are ready (``stats``), or computing them failed (``error``)."""

        scope: Scope
        stats: Stats | None
        error: str | None = None

    @dataclass
    class Calibrated(Message):
        """The recall model's calibration bins and error, or why there are none."""

        bins: list[CalibrationBin]
        error: float | None
        failure: str = ""

    def __init__(self, deck: Deck | None = None) -> None:
        super().__init__()
        self.deck = deck  # the deck ``d`` switches to (the one highlighted on Home)
        self.scope = Scope(PERIODS[0], None)
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats"):
            yield Static("", id="stats-title", classes="screen-title")
            yield Static("", id="stats-headline")
            with Vertical(id="stats-body"):
                with Horizontal(id="stats-charts"):
                    with Vertical(classes="chart"):
                        yield Static("", id="reviews-title", classes="chart-title")
                        yield BarChart(id="reviews-chart")
                    with Vertical(classes="chart"):
                        yield Static("", id="forecast-title", classes="chart-title")
                        yield BarChart(id="forecast-chart")
                yield Static("Last year · reviews per day", classes="chart-title")
                yield CalendarHeatmap(id="heatmap")
                yield Static("", id="weak-topics", classes="stats-table")
                yield Static("", id="weak-families", classes="stats-table")
                yield Static("", id="slowest", classes="stats-table")
                yield Static("", id="interviews", classes="stats-table")
                yield Static("", id="calibration", classes="stats-table")
        yield Footer(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        # The terminal's width: a screen's own size may not be laid out yet when it is pushed.
        self._lay_out_charts(self.app.size.width)

    def _lay_out_charts(self, width: int) -> None:
        """The two charts side by side from WIDE_AT columns, else one above the other. Set on the row's own
        styles: a breakpoint class on the screen restyled the row only some of the time (the charts then
        stood side by side at 80 columns, squeezed, in about two runs of three)."""
        wide = width >= self.WIDE_AT
        row = self.query_one("#stats-charts", Horizontal)
        row.styles.layout = "horizontal" if wide else "vertical"
        row.query(".chart").first().styles.margin = (0, 3, 1, 0) if wide else (0, 0, 1, 0)

    def on_mount(self) -> None:
        self._lay_out_charts(self.app.size.width)
        self.query_one("#stats-body").display = False
        self.query_one("#calibration").display = False
        self.refresh_stats()
        self._calibrate(self.app.clock())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deck":
            return self.deck is not None
        return True

    # -- computing -------------------------------------------------------------------------------

    def refresh_stats(self) -> None:
        """Recompute for the current scope in a worker; the old figures stay under the indicator."""
        self._show_title()
        self.query_one("#stats", VerticalScroll).loading = True
        app = self.app
        decks = [loaded.deck for loaded in app.collection.decks]
        self._compute(self.scope, decks, app.clock())

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _compute(self, scope: Scope, decks: list[Deck], now: datetime) -> None:
        config = self.app.config
        days = ALL_TIME_DAYS if scope.days == ALL_TIME else scope.days
        try:
            stats = compute(
                self.app.store,
                decks,
                now=now,
                deck_id=scope.deck_id,
                days=days,
                day_start_hour=config.day_start_hour,
                tz=config.tz,
            )
        except Exception as error:  # noqa: BLE001 - a bad figure must not take the app down
            self.post_message(self.Computed(scope, None, describe_error(error)))
        else:
            self.post_message(self.Computed(scope, stats))

    @work(thread=True, exclusive=True, group="calibration", exit_on_error=False)
    def _calibrate(self, now: datetime) -> None:
        from quizzer import paths
        from quizzer.readiness import load

        app = self.app
        try:
            result = load(
                app.store,
                [loaded.deck for loaded in app.collection.decks],
                now,
                day_start_hour=app.config.day_start_hour,
                tz=app.config.tz,
                cache_dir=paths.cache_dir(),
            )
        except Exception as error:  # noqa: BLE001 - the other figures stand without it
            self.post_message(self.Calibrated([], None, describe_error(error)))
        else:
            self.post_message(self.Calibrated(list(result.calibration), result.calibration_error))

    @on(Calibrated)
    def show_calibration(self, event: Calibrated) -> None:
        table = self.query_one("#calibration", Static)
        if event.failure:
            table.update(
                Content(f"Calibration could not be computed: {visible(event.failure, one_line=True)}")
            )
        else:
            table.update(calibration_table(event.bins, event.error))
        table.display = True

    @on(Computed)
    def show_stats(self, event: Computed) -> None:
        if event.scope != self.scope:
            return  # the user switched period or deck while this was computing
        self.query_one("#stats", VerticalScroll).loading = False
        if event.stats is None:
            self.notify(
                visible(event.error or "unknown error"),  # an exception's text: never markup
                title="Could not compute the statistics",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        self.stats = stats = event.stats
        self._show_title()
        self.query_one("#stats-body").display = stats.reviews > 0
        if not stats.reviews:
            self.query_one("#stats-headline", Static).update(
                Content("No reviews yet: drill some cards, then come back to see your progress.")
            )
            return
        self.query_one("#stats-headline", Static).update(headline(stats, event.scope))
        self._show_charts(stats, event.scope)
        self.query_one("#heatmap", CalendarHeatmap).plot(stats.heatmap)
        self.query_one("#weak-topics", Static).update(accuracy_table("Weakest topics", stats.accuracy["tag"]))
        families = [group for group in stats.accuracy["generator"] if group.all.reviews]
        tables = self.query_one("#weak-families", Static)
        tables.display = bool(families)
        tables.update(accuracy_table("Weakest generator families", families))
        self.query_one("#slowest", Static).update(slowest_table(stats.slowest_topics))
        self._show_interviews()

    def _show_interviews(self) -> None:
        """Mock-interview scores over time (all decks: a round spans them); hidden before the first round."""
        from quizzer.interview import history_lines, past_rounds

        rounds = past_rounds(self.app.store.interviews(limit=24))
        table = self.query_one("#interviews", Static)
        table.display = bool(rounds)
        if rounds:
            lines = [Content.styled("Mock interviews (newest last)", "bold")]
            lines += [Content(f"  {line}") for line in history_lines(rounds, tz=self.app.config.tz)]
            table.update(Content("\n").join(lines))

    def _show_title(self) -> None:
        where = (
            "all decks"
            if self.scope.deck_id is None
            else self.deck.title
            if self.deck
            else self.scope.deck_id
        )
        today = f" · study day {self.stats.today:%a} {short_day(self.stats.today)}" if self.stats else ""
        # Never cut: a long deck title wraps the line (the screen scrolls) rather than losing its end.
        self.query_one("#stats-title", Static).update(
            Content.from_markup(
                "[b]Statistics[/b] · $where · $period$today",
                where=where,
                period=period_name(self.scope.days),
                today=today,
            )
        )

    def _show_charts(self, stats: Stats, scope: Scope) -> None:
        days = stats.per_day
        if scope.days == ALL_TIME:  # from the first study day on
            first = next((index for index, day in enumerate(days) if day.reviews), len(days) - 1)
            days = days[first:]
        total = sum(day.reviews for day in days)
        self.query_one("#reviews-title", Static).update(
            Content.from_markup(
                "[b]Reviews[/b] · $period · $n", period=period_name(scope.days), n=plural(total, "review")
            )
        )
        self.query_one("#reviews-chart", BarChart).plot(
            [day.reviews for day in days], first=short_day(days[0].day), last="today"
        )
        forecast = stats.forecast
        due = sum(count for _, count in forecast)
        self.query_one("#forecast-title", Static).update(
            Content.from_markup(
                "[b]Due[/b] · next $days days · $n", days=len(forecast), n=plural(due, "card")
            )
        )
        self.query_one("#forecast-chart", BarChart).plot(
            [count for _, count in forecast], first="today", last=short_day(forecast[-1][0])
        )

    # -- keys ------------------------------------------------------------------------------------

    def action_period(self) -> None:
        following = PERIODS[(PERIODS.index(self.scope.days) + 1) % len(PERIODS)]
        self.scope = self.scope._replace(days=following)
        self.refresh_stats()

    def action_deck(self) -> None:
        if self.deck is None:
            return
        self.scope = self.scope._replace(deck_id=None if self.scope.deck_id else self.deck.id)
        self.refresh_stats()

    def action_back(self) -> None:
        self.dismiss()
