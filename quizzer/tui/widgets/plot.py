"""A problem's figure drawn in the terminal (plotext). Its own module: plotext is imported only when a
problem has a figure, not at start-up."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from generators.base import Figure


class ProblemPlot(PlotextPlot):
    """A problem's figure as a terminal line plot (the numbers are shown beside it as a table)."""

    def __init__(self, figure: Figure, **kwargs: object) -> None:
        super().__init__(classes="problem-plot", **kwargs)  # type: ignore[arg-type]
        self.figure = figure

    def on_mount(self) -> None:
        plt = self.plt
        figure = self.figure
        for series in figure.series:
            plt.plot(list(series.x), list(series.y), label=series.name, marker="braille")
        if figure.y_range:
            plt.ylim(*figure.y_range)
        plt.title(figure.title)
        plt.xlabel(figure.x_label)
        plt.ylabel(figure.y_label)
