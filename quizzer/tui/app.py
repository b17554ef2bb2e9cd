"""The Textual apps: :class:`QuizzerApp` (Home -> Drill -> Summary, Stats) and :class:`PreviewApp` for authors.

Both take the clock and the seed from outside, so tests drive them with fixed ones.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from quizzer import __version__, paths
from quizzer.decks.loader import DeckCollection
from quizzer.decks.model import Deck
from quizzer.errors import QuizzerError
from quizzer.sanitize import visible
from quizzer.session import Session, SessionConfig, study_day, study_more_queue
from quizzer.store import Store
from quizzer.tui.screens.drill import DrillScreen, describe_error

if TYPE_CHECKING:
    from quizzer.interview import InterviewRequest  # the mock interview loads when one starts
    from quizzer.tui.screens.home import HomeScreen
    from quizzer.tui.weak_spots import CardList

# Screens that are not on the way to the first card (home, help, stats, summary, preview, weak spots) are
# imported where they are first used, so start-up does not pay for them (quizzer.stats among them). Home's
# messages are handled by name (on_home_screen_...), so this module needs the class only where it is used.

Clock = Callable[[], datetime]
DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
MAX_ISSUE_NOTICES = 4
RECALL_WAIT = 1.5  # seconds a mock interview waits for the recall model before choosing from SM-2 states


def utc_now() -> datetime:
    return datetime.now(UTC)


def write_crash_log(error: BaseException | None) -> str:
    """Save the traceback for a bug report; return the one line to show instead of it."""
    log = paths.cache_dir() / "crash.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {utc_now().isoformat()} quizzer {__version__} (app)\n")
            handle.write("".join(traceback.format_exception(error)) if error else "unknown error\n")
        where = f" Details were saved to {log}."
    except OSError:
        where = ""
    return f"Quizzer hit an unexpected error: {error}.{where}"


class QuizzerBaseApp(App[None]):
    """What both apps share: styles, keys, theme switching, help, and no tracebacks on screen."""

    CSS_PATH = "quizzer.tcss"
    TITLE = "Quizzer"
    # Below 24 rows the answered options shrink to make room for the grades (see quizzer.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    BINDINGS = [
        # F1 works everywhere, also while typing an answer (where ? is typed into the box).
        Binding("f1", "help", "Help", key_display="F1", id="app.help"),
        Binding("question_mark", "help", "Help", key_display="?", show=False, id="app.help-question"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False, id="app.theme"),
    ]

    def __init__(self, *, clock: Clock | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.clock: Clock = clock or utc_now
        self.random = random.Random(seed)
        self.crash_report: str | None = None
        self.theme = DARK_THEME

    def action_help(self) -> None:
        from quizzer.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: the app's own commands, named for what the user wants to do.

        Textual's generic entries (Keys, Maximize, Screenshot, its theme picker) are left out: help
        explains the keys, and the palette lists them sorted by name among the app's own.
        """
        yield SystemCommand(
            "Help: keys and grades", "Every key, and what the grades 0-5 mean", self.action_help
        )
        yield SystemCommand(
            "Light or dark theme", "Switch between the light and the dark theme", self.action_toggle_theme
        )
        yield SystemCommand("Quit Quizzer", "Every answer so far is already saved", self.exit)

    def _fatal_error(self) -> None:
        # Textual's last resort prints a traceback after exit; log it instead and show one line.
        self.crash_report = write_crash_log(self._exception)
        self._close_messages_no_wait()


class QuizzerApp(QuizzerBaseApp):
    """The drill app: Home (or straight to Drill when ``drill`` decks are given), Drill, Summary, Stats.

    ``drill_cards`` (with ``drill``) starts with exactly those cards, e.g. ``quizzer drill --weak``.
    """

    @dataclass
    class WeakCardsFound(Message):
        """The weak-spots drill Home asked for (``request``): its cards, or none and ``reason``."""

        request: int
        cards: CardList
        reason: str

    def __init__(
        self,
        store: Store,
        collection: DeckCollection,
        *,
        drill: list[Deck] | None = None,
        drill_cards: CardList | None = None,
        clock: Clock | None = None,
        seed: int | None = None,
        config: SessionConfig | None = None,
        settings: Path | None = None,
        interview: InterviewRequest | None = None,
        recall_wait: float = RECALL_WAIT,
    ) -> None:
        super().__init__(clock=clock, seed=seed)
        self.store = store
        self.interview = interview  # start with this mock interview (``quizzer interview``)
        self.recall_wait = recall_wait  # how long a round waits for the recall model before using SM-2 states
        self._interview_token = 0  # the round being chosen; a later request or its start makes it stale
        self.collection = collection
        self.drill = drill
        self.drill_cards = drill_cards
        self.config = config or SessionConfig()
        self._weak_request = 0  # only the latest press of `w` starts a drill
        self.settings = settings  # the settings file naming ``sync_dir`` (None: the usual place)
        self.sync_notice: str | None = None  # the last sync's report or error, for Home's notice line
        self._syncing = False
        self._sync_again = False
        self._waiting_drill: HomeScreen.DrillRequested | None = None  # asked for while a sync ran

    def on_mount(self) -> None:
        self.show_deck_issues()
        # Decks served from the cache hold their cards' ids and kinds; the rest of each card is parsed when a
        # card is first looked at. Once the first screen is painted, a thread parses all of it, so no later
        # first look (Home's details, a drill, a round) waits.
        self.call_after_refresh(self._load_deck_content)
        if self.interview is not None:
            self.start_interview(self.interview)
        elif self.drill is None:
            from quizzer.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
            self.start_sync()
        else:
            self.start_drill(self.drill, cards=self.drill_cards)

    @work(thread=True, group="deck-content", exit_on_error=False)
    def _load_deck_content(self) -> None:
        try:
            self.collection.load_content()
        except QuizzerError as error:  # a deck file changed under us: said now, and again if its cards are asked
            self.call_from_thread(
                self.notify, visible(error.message), title=error.title, severity="error", timeout=15, markup=False
            )

    def show_deck_issues(self) -> None:
        issues = self.collection.issues
        for issue in issues[:MAX_ISSUE_NOTICES]:
            self.notify(
                visible(str(issue)),  # the file name may hold an escape sequence
                title="Deck problem (the other decks still work)",
                severity="error",
                timeout=15,
                markup=False,
            )
        if len(issues) > MAX_ISSUE_NOTICES:
            self.notify(
                f"…and {len(issues) - MAX_ISSUE_NOTICES} more: run `quizzer decks lint` to see them all.",
                title="Deck problems",
                severity="error",
                timeout=15,
                markup=False,
            )

    def new_session(self, decks: list[Deck], cards: CardList | None = None) -> Session:
        return Session(
            self.store,
            decks,
            now=self.clock(),
            seed=self.random.randrange(2**31),
            config=self.config,
            cards=cards,
        )

    def start_drill(
        self,
        decks: list[Deck],
        cards: CardList | None = None,
        *,
        replace: bool = False,
        notice: str = "",
    ) -> None:
        """Drill ``decks`` (what is due, then new cards), or exactly ``cards`` when given.

        ``replace``: the drill takes the place of the current screen (a summary), not on top of it.
        """
        session = self.new_session(decks, cards)
        from_home = self.drill is None
        if session.total_first_asks == 0:
            if from_home and not replace:
                self.notify(
                    "Nothing is due in these decks and no new cards are left for today. "
                    "Press m to study more.",
                    title="All done",
                    timeout=6,
                )
            else:
                from quizzer.tui.screens.summary import SummaryScreen

                self.push_screen(SummaryScreen(session, back_to_home=from_home))
            return
        drill = DrillScreen(session, back_to_home=from_home, notice=notice)
        if replace:
            self.switch_screen(drill)
        else:
            self.push_screen(drill)

    def study_more(self, decks: list[Deck], *, replace: bool = False) -> None:
        """Anki's custom study: due cards if any, else new cards beyond today's limit, else review ahead."""
        today = study_day(self.clock(), self.config.day_start_hour, self.config.tz)
        cards, what = study_more_queue(self.store, decks, today)
        if not cards:
            self.notify("These decks have no cards at all.", title="Study more", timeout=5)
            return
        self.start_drill(decks, cards=cards, replace=replace, notice=f"Studying more: {len(cards)} {what}.")

    # -- sync at the start and end of a session --------------------------------------------------

    def start_sync(self) -> None:
        """Sync with the ``sync_dir`` folder, if one is set, in a worker: a slow share never stalls the UI.

        One sync at a time (a thread cannot be cancelled): asked again meanwhile, it runs once more after.
        """
        if self._syncing:
            self._sync_again = True
            return
        self._syncing = True
        self._sync()

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync(self) -> None:
        from quizzer.sync import SyncError, sync_configured

        try:
            report = sync_configured(self.store, self.settings)
        except SyncError as error:
            text: str | None = f"Sync failed: {error}"
        except Exception as error:  # noqa: BLE001 - a bad settings file or share is a notice, not a crash
            text = f"Sync failed: {describe_error(error)}"
        else:
            text = None if report is None else f"Synced: {report.summary()}"
        self.post_message(self.Synced(text))

    @dataclass
    class Synced(Message):
        """A sync ended: its one-line report or error (None when no ``sync_dir`` is set)."""

        text: str | None

    @on(Synced)
    def synced(self, event: Synced) -> None:
        self._syncing = False
        if event.text is not None:
            self.sync_notice = visible(" ".join(event.text.split()), one_line=True)
        self._refresh_home()  # received reviews change what is due
        if self._sync_again:
            self._sync_again = False
            self.start_sync()
        elif self._waiting_drill is not None:
            waiting, self._waiting_drill = self._waiting_drill, None
            if self._on_home():
                self.drill_requested(waiting)

    def _on_home(self) -> bool:
        """Whether Home is the screen on top."""
        from quizzer.tui.screens.home import HomeScreen

        return isinstance(self.screen, HomeScreen)

    def _refresh_home(self) -> None:
        from quizzer.tui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_counts()

    @on(DrillScreen.Ended)
    def drill_ended(self) -> None:
        if self.drill is None:
            self.start_sync()

    def on_home_screen_drill_requested(self, event: HomeScreen.DrillRequested) -> None:
        self.drill_requested(event)

    def drill_requested(self, event: HomeScreen.DrillRequested) -> None:
        if self._syncing:
            # Answers and the sync's merge would share the database connection: the drill waits for it.
            self._waiting_drill = event
            self.sync_notice = "Syncing with your other devices… the drill starts when it is done."
            self._refresh_home()
            return
        match event.kind:
            case "weak":
                self.start_weak_drill(event.decks)
            case "more":
                self.study_more(event.decks)
            case "interview":
                from quizzer.interview import DEFAULT_MINUTES, InterviewRequest, default_questions

                home = self.screen if self._on_home() else None
                predictions = home.readiness.predictions if home and home.readiness else None
                self.start_interview(
                    InterviewRequest(
                        event.decks, DEFAULT_MINUTES, default_questions(DEFAULT_MINUTES), predictions
                    )
                )
            case _:
                self.start_drill(event.decks)

    def on_home_screen_stats_requested(self, event: HomeScreen.StatsRequested) -> None:
        self.show_stats(event.deck)

    def action_study_more_after(self) -> None:
        """From a summary: study more of the same decks, in place of the summary."""
        from quizzer.tui.screens.summary import SummaryScreen

        if isinstance(self.screen, SummaryScreen):
            self.study_more(self.screen.session.decks, replace=True)

    # -- mock interview --------------------------------------------------------------------------

    @dataclass
    class InterviewRecall(Message):
        """The recall model's predictions for choosing round ``token``'s questions (None: not available)."""

        token: int
        request: InterviewRequest
        predictions: dict[tuple[str, str], float] | None

    def start_interview(self, request: InterviewRequest) -> None:
        """Choose a round's questions and start it. Weak topics are found with the recall model's
        predictions when given or ready within ``recall_wait`` seconds, else with the SM-2 states: the
        round never waits for a model fit."""
        from quizzer.tui.screens.interview import ChoosingScreen

        self._interview_token += 1
        token = self._interview_token
        self.push_screen(ChoosingScreen())
        if request.predictions is not None or self.recall_wait <= 0:
            self._begin_interview(token, request, request.predictions)
            return
        self._interview_recall(token, request, self.clock())
        self.set_timer(self.recall_wait, lambda: self._begin_interview(token, request, None))

    @work(thread=True, exclusive=True, group="interview-recall", exit_on_error=False)
    def _interview_recall(self, token: int, request: InterviewRequest, now: datetime) -> None:
        from quizzer.readiness import load

        try:
            result = load(
                self.store,
                request.decks,
                now,
                day_start_hour=self.config.day_start_hour,
                tz=self.config.tz,
                cache_dir=paths.cache_dir(),
            )
        except Exception:  # noqa: BLE001 - the round is chosen from the SM-2 states instead
            self.post_message(self.InterviewRecall(token, request, None))
        else:
            self.post_message(self.InterviewRecall(token, request, dict(result.predictions)))

    @on(InterviewRecall)
    def interview_recall(self, event: InterviewRecall) -> None:
        self._begin_interview(event.token, event.request, event.predictions)

    def _begin_interview(
        self, token: int, request: InterviewRequest, predictions: dict[tuple[str, str], float] | None
    ) -> None:
        from quizzer.interview import Round, choose_questions
        from quizzer.tui.screens.interview import ChoosingScreen, InterviewScreen

        if token != self._interview_token or not isinstance(self.screen, ChoosingScreen):
            return  # already begun (the model and the timer both call), or the user has moved on
        self._interview_token += 1  # the other caller now finds it stale
        from_home = self.interview is None
        try:
            questions = choose_questions(
                self.store,
                request.decks,
                now=self.clock(),
                count=request.questions,
                seed=self.random.randrange(2**31),
                config=self.config,
                predictions=predictions,
            )
            round_ = Round(
                self.store,
                questions,
                minutes=request.minutes,
                now=self.clock(),
                seed=self.random.randrange(2**31),
                config=self.config,
            )
        except QuizzerError as error:
            if from_home:
                self.pop_screen()
                self.notify(
                    visible(error.message), title="Mock interview", severity="error", timeout=8, markup=False
                )
            else:
                self.crash_report = f"{error.title}: {error.message}"
                self.exit()
            return
        self.switch_screen(InterviewScreen(round_, back_to_home=from_home))

    # -- weak spots and statistics ---------------------------------------------------------------

    def start_weak_drill(self, decks: list[Deck]) -> None:
        """Drill the weakest topics of ``decks``; the cards are picked in a worker (it reads the log)."""
        self._weak_request += 1
        self._find_weak_cards(self._weak_request, decks, self.clock())

    @work(thread=True, exclusive=True, group="weak", exit_on_error=False)
    def _find_weak_cards(self, request: int, decks: list[Deck], now: datetime) -> None:
        from quizzer.tui.weak_spots import find_weak_cards

        try:
            cards, reason = find_weak_cards(self.store, decks, now, self.config)
        except Exception as error:  # noqa: BLE001 - reported as a notice, the app goes on
            cards, reason = [], f"Could not pick the weak cards: {describe_error(error)}"
        self.post_message(self.WeakCardsFound(request, cards, reason))

    @on(WeakCardsFound)
    def weak_cards_found(self, event: WeakCardsFound) -> None:
        if event.request != self._weak_request or not self._on_home():
            return  # pressed again meanwhile, or the user has moved on
        if not event.cards:
            self.notify(visible(event.reason), title="Weak spots", timeout=6, markup=False)
            return
        from quizzer.tui.weak_spots import decks_of

        self.start_drill(decks_of(event.cards), cards=event.cards)

    def show_stats(self, deck: Deck | None = None) -> None:
        """The Stats screen; ``d`` there switches to ``deck`` (the one highlighted on Home)."""
        from quizzer.tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(deck))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from quizzer.tui.screens.home import HomeScreen
        from quizzer.tui.screens.summary import SummaryScreen

        stats = "Reviews per day, streak, retention, what is due, weakest topics"
        if isinstance(screen, HomeScreen):
            yield SystemCommand(
                "Drill all decks", "What is due and today's new cards, every deck", screen.action_start_all
            )
            yield SystemCommand(
                "Drill the ticked decks", "Or the highlighted deck if none is ticked", screen.action_start
            )
            yield SystemCommand(
                "Drill my weak spots", "The cards of your weakest topics (last 30 days)", screen.action_weak
            )
            yield SystemCommand(
                "Study more", "Beyond today's cards: more new cards, or review ahead", screen.action_more
            )
            yield SystemCommand("See my statistics", stats, screen.action_stats)
            yield SystemCommand(
                "Take a mock interview",
                "A timed round of 10 questions across the ticked decks (or all), weighted to weak topics",
                screen.action_interview,
            )
        if isinstance(screen, SummaryScreen):
            yield SystemCommand("See my statistics", stats, self.show_stats)
            yield SystemCommand(
                "Study more",
                "More of these decks: new cards beyond today's limit, or review ahead",
                self.action_study_more_after,
            )
        if isinstance(screen, DrillScreen):
            yield SystemCommand(
                "End the session", "See the summary (every answer is already saved)", screen.action_leave
            )
        yield from super().get_system_commands(screen)


class PreviewApp(QuizzerBaseApp):
    """``quizzer preview PATH``: the deck's cards as users see them, reloaded on save, never recorded."""

    def __init__(self, path: Path, *, clock: Clock | None = None, seed: int | None = None) -> None:
        super().__init__(clock=clock, seed=seed)
        self.path = path

    def on_mount(self) -> None:
        from quizzer.tui.screens.preview import PreviewScreen

        self.push_screen(PreviewScreen(self.path))
