"""A card as the user sees it before answering: the prompt (Markdown), and a problem's table and plot."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from generators.base import Problem
from quizzer.grading import QUALITY_MEANINGS
from quizzer.session import QueueItem
from quizzer.tui.text import figure_table, prompt_markdown
from quizzer.tui.widgets.problem import ProblemTable


class CardView(Vertical):
    """The question part of a card. For generated cards ``item.problem`` must be prepared."""

    def __init__(self, item: QueueItem, **kwargs: object) -> None:
        super().__init__(classes="card-view", **kwargs)  # type: ignore[arg-type]
        self.item = item

    def compose(self) -> ComposeResult:
        yield Markdown(prompt_markdown(self.item), classes="prompt")
        problem: Problem | None = self.item.problem
        if problem is None:
            return
        if problem.table is not None:
            yield ProblemTable(problem.table)
        if problem.figure is not None:
            from quizzer.tui.widgets.plot import ProblemPlot

            yield ProblemPlot(problem.figure)
            if problem.table is None:
                yield ProblemTable(figure_table(problem.figure))


class QualityKeys(Static):
    """The six grades and what each means, in two columns."""

    def __init__(self, proposed: int | None = None, **kwargs: object) -> None:
        super().__init__(self._text(proposed), classes="quality-keys", **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def _text(proposed: int | None) -> str:
        lines = []
        for low in range(3):
            cells = []
            for quality in (low, low + 3):
                marker = "▸" if quality == proposed else " "
                cells.append(f"{marker}[b]{quality}[/b] {QUALITY_MEANINGS[quality]:<34}")
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)
