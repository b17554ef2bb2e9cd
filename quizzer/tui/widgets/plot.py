"""A problem's figure drawn in the terminal (plotext). Its own module: plotext is imported only when a
problem has a figure, not at start-up."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual_plotext import PlotextPlot

from generators.base import Figure

# One colour per series, the same in the plot and in the legend line under it.
SERIES_COLOURS = (("cyan", "cyan"), ("orange", "dark_orange"), ("green", "green"), ("magenta", "magenta"))
TICKS = 6


def whole_ticks(values: list[float], count: int = TICKS) -> list[int] | None:
    """About ``count`` whole-number ticks spanning ``values`` when they are all whole numbers (training
    rows, steps): an axis of counts must not read "98.5". None when the values are not all whole."""
    if not values or any(value != int(value) for value in values):
        return None
    low, high = int(min(values)), int(max(values))
    if high == low:
        return [low]
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [int(tick) for tick in range(int(first), high + 1, int(step))]


class ProblemPlot(PlotextPlot):
    """The curves themselves. The legend is not drawn inside (plotext puts it over the curves)."""

    def __init__(self, figure: Figure, **kwargs: object) -> None:
        super().__init__(classes="problem-plot", **kwargs)  # type: ignore[arg-type]
        self.figure = figure

    def on_mount(self) -> None:
        plt = self.plt
        figure = self.figure
        for index, series in enumerate(figure.series):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)][0]
            plt.plot(list(series.x), list(series.y), marker="braille", color=colour)
        if figure.y_range:
            plt.ylim(*figure.y_range)
        xs = [x for series in figure.series for x in series.x]
        if (ticks := whole_ticks(xs)) is not None:
            plt.xticks(ticks, [str(tick) for tick in ticks])
        plt.title(figure.title)
        plt.xlabel(figure.x_label)
        plt.ylabel(figure.y_label)


class FigureView(Vertical):
    """The plot, then one line naming each curve in its colour."""

    def __init__(self, figure: Figure) -> None:
        super().__init__(classes="problem-figure")
        self.figure = figure

    def compose(self) -> ComposeResult:
        yield ProblemPlot(self.figure)
        legend = Content("   ").join(
            Content.assemble(("━━ ", SERIES_COLOURS[index % len(SERIES_COLOURS)][1]), series.name)
            for index, series in enumerate(self.figure.series)
        )
        yield Static(legend, classes="plot-legend")
