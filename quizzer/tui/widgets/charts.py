"""Terminal charts for the Stats screen: a column chart that fits its width, and the calendar heatmap.

The drawing is plain text (``quizzer.tui.charts``, ``quizzer.stats.heatmap_text``); these widgets only
colour it, so the charts read the same without colour (NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from quizzer.stats import Heatmap, heatmap_text
from quizzer.tui.charts import EIGHTHS, bar_chart

BAR_STYLE = "$accent"
AXIS_STYLE = "dim"
SHADE_STYLE = "$success"


def _colour(line: str, inked: str, ink: str, rest: str) -> Content:
    """One line of a chart: characters in ``inked`` get ``ink``, the others ``rest``."""
    parts: list[tuple[str, str]] = []
    for char in line:
        style = ink if char in inked else rest
        if parts and parts[-1][1] == style:
            parts[-1] = (parts[-1][0] + char, style)
        else:
            parts.append((char, style))
    return Content.assemble(*parts)


class BarChart(Widget):
    """Columns for a run of days; more days than cells are summed into weeks (or longer)."""

    DEFAULT_CSS = """
    BarChart {
        height: 7;
        width: 1fr;
    }
    """

    ROWS = 5

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.values: list[int] = []
        self.first = ""
        self.last = ""

    def plot(self, values: Sequence[int], *, first: str, last: str) -> None:
        self.values = list(values)
        self.first, self.last = first, last
        self.refresh()

    def render(self) -> Content:
        lines = bar_chart(
            self.values, width=self.content_size.width, rows=self.ROWS, first=self.first, last=self.last
        )
        return Content("\n").join(_colour(line, EIGHTHS, BAR_STYLE, AXIS_STYLE) for line in lines)


def month_row(heatmap: Heatmap) -> str:
    """Month names over the week columns where each month begins, every month named.

    A month is named over the week holding its 1st (so today's month is named even in the last
    column); only a sliver of a month at the left edge gives way when its neighbour needs the room.
    """
    weeks = len(heatmap.weeks())
    starts: list[tuple[int, str]] = []
    for column in range(weeks):
        first = heatmap.start + timedelta(weeks=column)
        last = min(first + timedelta(days=6), heatmap.end)  # days after today are not drawn
        if first.day == 1 or last.month != first.month:
            starts.append((column, (first if first.day == 1 else last).strftime("%b")))
        elif column == 0:
            starts.append((0, first.strftime("%b")))
    if len(starts) > 1 and starts[1][0] < 4:
        starts.pop(0)  # the left edge's sliver: no room for both names
    row: list[str] = []
    for column, label in starts:
        row += [" "] * (column - len(row))
        row += list(label + " ")
    return "     " + "".join(row).rstrip()


class CalendarHeatmap(Widget):
    """Reviews per day over the last year: a column per week, Monday on top, denser shade = busier."""

    DEFAULT_CSS = """
    CalendarHeatmap {
        height: 9;
        width: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.heatmap: Heatmap | None = None

    def plot(self, heatmap: Heatmap) -> None:
        self.heatmap = heatmap
        self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((len(line) for line in self._lines()), default=0)

    def _lines(self) -> list[str]:
        if self.heatmap is None:
            return []
        busiest = max(self.heatmap.counts, default=0)
        legend = f"     less · ░ ▒ ▓ █ more    busiest day: {busiest} reviews"
        return [month_row(self.heatmap), *heatmap_text(self.heatmap)[1:], legend]

    def render(self) -> Content:
        lines = []
        for number, line in enumerate(self._lines()):
            if number == 0:
                lines.append(Content.styled(line, AXIS_STYLE))
            else:
                label, cells = line[:5], line[5:]
                lines.append(
                    Content.assemble((label, AXIS_STYLE), _colour(cells, "░▒▓█", SHADE_STYLE, AXIS_STYLE))
                )
        return Content("\n").join(lines)
