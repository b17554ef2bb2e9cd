"""Charts drawn with Unicode blocks, as plain lines of text (the widgets colour them). No textual here.

Everything reads without colour (NO_COLOR): bar heights use eighth blocks ``▁▂▃▄▅▆▇█`` and the calendar
uses shades of density ``·░▒▓█``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EIGHTHS = " ▁▂▃▄▅▆▇█"
MAX_BAR_WIDTH = 3
WEEK = 7  # wider bars only look blocky


def bucket(values: Sequence[int], columns: int) -> tuple[list[int], int]:
    """Sum runs of consecutive values so that at most ``columns`` remain; returns (sums, values per
    sum), a whole number of weeks when more than one. Runs are aligned on the right, so the last column is always complete (today's)."""
    per = max(1, math.ceil(len(values) / max(1, columns)))
    if per > 1:
        per = WEEK * math.ceil(per / WEEK)  # whole weeks read better than "a bar = 9 days"
    head = len(values) % per
    sums = [sum(values[:head])] if head else []
    sums += [sum(values[start : start + per]) for start in range(head, len(values), per)]
    return sums, per


def bar_heights(values: Sequence[int], rows: int) -> list[int]:
    """Each value's bar height in eighths of a row, the largest filling ``rows``; any non-zero value
    gets at least one eighth, so a day with one review is not drawn as a day without."""
    top = max(values, default=0)
    if top <= 0:
        return [0] * len(values)
    return [max(1, round(value * rows * 8 / top)) if value > 0 else 0 for value in values]


def bar_chart(
    values: Sequence[int], *, width: int, rows: int = 5, first: str = "", last: str = ""
) -> list[str]:
    """A column chart of ``values`` in at most ``width`` cells, with a y axis (0 and the peak) and
    ``first`` / ``last`` under the first and last bars. ``rows + 2`` lines. When there are more values
    than cells, each bar sums several (and the bottom line says how many)."""
    margin = len(str(max(values, default=0))) + 2  # "40 ┤"
    while True:  # summed bars may need a wider axis label, which leaves fewer cells
        room = max(1, width - margin)
        columns, per = bucket(values, room)
        top = max(columns, default=0)
        if len(str(top)) + 2 <= margin:
            break
        margin = len(str(top)) + 2
    step = max(1, min(MAX_BAR_WIDTH + 1, room // max(1, len(columns))))
    bar, gap = (step - 1, 1) if step > 1 else (1, 0)
    heights = bar_heights(columns, rows)
    lines = []
    for row in range(rows):
        floor = (rows - 1 - row) * 8
        cells = (" " * gap).join(EIGHTHS[min(8, max(0, height - floor))] * bar for height in heights)
        axis = f"{top:>{margin - 2}} ┤" if row == 0 else " " * (margin - 2) + " │"
        lines.append(axis + cells.rstrip())
    span = len(columns) * (bar + gap) - gap
    lines.append(f"{0:>{margin - 2}} └" + "─" * span)
    weeks = per // WEEK
    note = "" if per == 1 else "a bar = 1 week" if weeks == 1 else f"a bar = {weeks} weeks"
    labels = first
    if note and span - len(first) - len(last) >= len(note) + 2:
        left = (span - len(note)) // 2 - len(first)
        labels += " " * left + note
    if last:
        labels += " " * max(1, span - len(labels) - len(last)) + last
    lines.append(" " * margin + labels)
    return lines


def meter(rate: float | None, width: int = 10) -> str:
    """A share as a bar of full and empty cells: ``0.63`` -> ``██████░░░░``; ``None`` -> all dots."""
    if rate is None:
        return "·" * width
    full = round(max(0.0, min(1.0, rate)) * width)
    return "█" * full + "░" * (width - full)
