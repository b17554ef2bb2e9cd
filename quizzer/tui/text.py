"""Plain-text pieces the screens show: durations, card prompts, explanations. No textual here."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from quizzer.decks.model import AnyCard, ChoiceCard, GeneratedCard, NumericCard, OpenCard

if TYPE_CHECKING:  # the first card's screen needs neither the generators nor the graders: imported when used
    from generators.base import Figure, Problem, Table
    from quizzer.session import QueueItem

def duration(seconds: float) -> str:
    """``75`` -> ``1 min 15 s``; short and human."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def when(day: date | None, today: date) -> str:
    """A due date said the way people say it: today, tomorrow, in 3 days (Mon 12 May)."""
    if day is None:
        return "nothing scheduled"
    gap = (day - today).days
    if gap <= 0:
        return "today"
    if gap == 1:
        return "tomorrow"
    return f"in {gap} days ({day:%a %d %b})"


def prompt_markdown(item: QueueItem) -> str:
    """The Markdown shown above the answer: the card's front, or a generated problem's lead-in and prompt."""
    card = item.card
    if isinstance(card, GeneratedCard):
        problem = item.problem
        parts = [card.front or "", problem.prompt if problem is not None else ""]
        return "\n\n".join(part.strip() for part in parts if part and part.strip())
    return card.front


def explanation_markdown(card: AnyCard, problem: Problem | None) -> str:
    """What to read after answering: the worked solution of this instance, or the card's explanation/back."""
    pieces: list[str] = []
    if isinstance(card, GeneratedCard):
        if problem is not None and problem.solution.strip():
            pieces.append(problem.solution.strip())
    elif isinstance(card, ChoiceCard | NumericCard) and card.explanation:
        pieces.append(card.explanation.strip())
    if card.back and not isinstance(card, OpenCard):
        pieces.append(card.back.strip())
    return "\n\n".join(pieces)


def generator_title(name: str) -> str:
    """A family's human title ("Choose the cross-validation scheme"), or its name if it is unknown."""
    from generators import registry  # only the summary needs it: not on the way to the first card

    try:
        return registry.get(name).title
    except Exception:  # noqa: BLE001 - an unknown or broken family still gets named
        return f"{name} problem"


def card_title(card: AnyCard, width: int = 60) -> str:
    """One line naming a card (for the list of missed cards)."""
    if isinstance(card, GeneratedCard):
        # What was asked: the card's own words, else the family's title and the params that set it apart.
        text = card.front or generator_title(card.generator)
        if card.params and not card.front:
            text += " (" + ", ".join(f"{key}: {value}" for key, value in card.params.items()) + ")"
    else:
        text = card.front
    line = plain_inline(" ".join(text.split()))
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


# The inline spans read without the Markdown parser, each in a form CommonMark reads one way only: a code span
# whose text has no backtick, no line break, no run of spaces and no space at either end; and a bold run whose
# text starts and ends with a letter or digit (so both ``**`` are flanking whatever surrounds them) and holds no
# asterisk, underscore, backtick or line break (no nesting, no emphasis inside). The prompt's parser-free path
# (:mod:`quizzer.tui.widgets.prose`) styles them; a one-line listing takes their marks off.
INLINE_SPAN = re.compile(r"`(?P<code>[^`\s](?:[^`\n]*[^`\s])?)`|\*\*(?P<strong>[^\W_](?:[^*_`\n]*[^\W_])?)\*\*")


def plain_inline(line: str) -> str:
    """``line`` with the marks of its bold and code spans taken off (the words kept), for a listing that is
    plain text: "What does **converged** mean?" -> "What does converged mean?". A lone ``*`` (a product)
    stays."""
    return INLINE_SPAN.sub(lambda match: match["code"] if match["code"] is not None else match["strong"], line)


def figure_table(figure: Figure, digits: int = 3) -> Table:
    """The numbers behind a plot, one row per x, one column per series."""
    from generators.base import Table

    xs: list[float] = sorted({x for series in figure.series for x in series.x})
    headers = (figure.x_label or "x", *(series.name for series in figure.series))
    rows = []
    for x in xs:
        row = [_short(x, digits)]
        for series in figure.series:
            lookup = dict(zip(series.x, series.y, strict=False))
            row.append(_short(lookup[x], digits) if x in lookup else "")
        rows.append(tuple(row))
    return Table(headers=headers, rows=tuple(rows), title=figure.title)


def _short(value: float, digits: int) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def tomorrow(today: date) -> date:
    return today + timedelta(days=1)
