"""Styles of the screens that are not on the way to the first card, kept in ``quizzer/tui/css/``.

``quizzer.tcss`` (the app's CSS) is parsed before the first screen appears; a drill straight from the command
line never shows Home, Help, Stats, the summary or a mock interview, and parsing their rules there was a fifth
of that file's cost. Each of those screens takes its file as its ``DEFAULT_CSS``, which Textual parses when the
screen is first mounted (a screen's ``CSS_PATH`` would reparse every stylesheet of the app at that moment). The
rules are unscoped (``SCOPED_CSS = False`` on the screen) so they read as they did in ``quizzer.tcss``; as
default CSS they rank below the app's rules and above Textual's own widget defaults of equal or lower
specificity, and every one of them names an id or a class of these screens.
"""

from __future__ import annotations

from pathlib import Path

CSS_DIR = Path(__file__).parent / "css"


def screen_css(name: str) -> str:
    """The text of ``css/NAME``, for a screen's ``DEFAULT_CSS``."""
    return (CSS_DIR / name).read_text(encoding="utf-8")
