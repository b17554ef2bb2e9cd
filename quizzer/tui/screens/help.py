"""Help (F1, or ``?``): every key of the app, and what the grades 0-5 mean. Hand-written: keep it in step
with the screens' BINDINGS."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from quizzer.grading import QUALITY_MEANINGS
from quizzer.tui.styles import screen_css
from quizzer.tui.widgets.hanging import Hanging

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("F1", "this help (? too, when not typing an answer)"),
            ("Ctrl+P", "command palette: drill, weak spots, study more, statistics, theme, quit"),
            ("Ctrl+T", "switch between the light and the dark theme"),
            ("Ctrl+Q", "quit (every answer so far is already saved)"),
            ("q", "go back or quit, when not typing an answer"),
        ],
    ),
    (
        "Decks",
        [
            ("↑ ↓", "move between decks"),
            ("Space", "tick or untick a deck (the cursor stays on it)"),
            ("Enter", "drill the ticked decks (or the highlighted one)"),
            ("a", "drill all decks"),
            ("w", "weak spots: drill your weakest topics (ticked decks, or all)"),
            (
                "m",
                "study more once today's cards are done: new cards beyond the daily limit, or review ahead",
            ),
            ("i", "mock interview: a timed round of 10 questions (ticked decks, or all)"),
            ("s", "statistics (d there: the highlighted deck only)"),
            ("q", "quit"),
        ],
    ),
    (
        "Drill: answering",
        [
            (
                "type + Enter",
                "a number: 0.75, .75, 75%, 3/4, 7.5e-1 or 7.5×10^-1",
            ),
            ("1-9", "pick an option (tick it, when several are right)"),
            ("↑ ↓ Enter", "move between options; pick, or submit the ticks"),
            ("Space", "tick an option; show a recall card's answer"),
            ("Enter", "show a recall card's answer"),
            ("Esc / q", "end the session: the summary (q when not typing)"),
        ],
    ),
    (
        "Drill: grading",
        [
            ("Enter", "accept the proposed grade and go on"),
            ("0-5", "grade it yourself; below 4 it comes back this session"),
            ("Enter / r", "save again, if saving the answer failed"),
        ],
    ),
    ("Summary", [("Enter / q", "back to the decks (or quit)"), ("m", "study more of the same decks")]),
    (
        "Mock interview",
        [
            ("type + Enter", "answer as you would aloud; graded against the key points"),
            ("Enter / 0-5", "accept the proposed grade, or grade it yourself"),
            ("Esc / q", "end the round early: the report of what was answered"),
            ("Enter / q", "on the report: back to the decks (s: statistics)"),
        ],
    ),
    (
        "Statistics",
        [
            ("p", "period: last 30 days, all time, last 7 days"),
            ("d", "the deck highlighted on Home, or all decks"),
            ("↑ ↓ PgUp PgDn", "scroll"),
            ("Esc / q", "go back"),
        ],
    ),
    (
        "Preview (authors)",
        [
            ("n / PgDn", "next card (Esc first, if typing, for n)"),
            ("p / PgUp", "previous card"),
            ("r / Ctrl+R", "a fresh instance / reshuffled options"),
            ("q", "quit (the file reloads whenever it is saved)"),
        ],
    ),
]


KEY_WIDTH = 14


def help_lines() -> list[Content | Hanging]:
    """Every key, section by section, then the grades: compact enough to read at 80x24. A description
    that wraps stays beside its key (a hanging indent)."""

    def row(key: str, what: str) -> Hanging:
        prefix = Content.assemble("  ", (key, "bold"), " " * max(1, KEY_WIDTH - len(key)))
        return Hanging(prefix, Content(what))

    lines: list[Content | Hanging] = [Content.from_markup("[b]Keys[/b]  (Esc closes)")]
    for section, rows in KEYS:
        lines += [Content(""), Content.from_markup("[b]$section[/b]", section=section)]
        lines += [row(key, what) for key, what in rows]
    lines += [Content(""), Content.from_markup("[b]Grades[/b] (SM-2 quality)")]
    lines += [row(str(quality), meaning) for quality, meaning in QUALITY_MEANINGS.items()]
    return lines


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = screen_css("help.tcss")  # parsed when the screen first mounts (see quizzer.tui.styles)
    SCOPED_CSS = False

    BINDINGS = [Binding("escape,q,question_mark,f1,enter", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"), Vertical(id="help-text"):
            for line in help_lines():
                yield Static(line)
