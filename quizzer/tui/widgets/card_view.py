"""A card as the user sees it before answering: the prompt (Markdown), and a problem's table and plot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from quizzer.tui.text import figure_table, prompt_markdown
from quizzer.tui.widgets.prose import PlainMarkdown, plain_paragraphs

if TYPE_CHECKING:  # a problem (and its table widget) exists only once a generator has run
    from generators.base import Problem
    from quizzer.session import QueueItem


class CardView(Vertical):
    """The question part of a card. For generated cards ``item.problem`` must be prepared."""

    def __init__(self, item: QueueItem, **kwargs: object) -> None:
        super().__init__(classes="card-view", **kwargs)  # type: ignore[arg-type]
        self.item = item

    def compose(self) -> ComposeResult:
        prompt = prompt_markdown(self.item)
        # Most fronts: no Markdown parser (markdown-it, pygments) and no Markdown blocks before the first card.
        paragraphs = plain_paragraphs(prompt)
        if paragraphs is not None:
            yield PlainMarkdown(prompt, paragraphs, classes="prompt")
        else:
            from textual.widgets import Markdown

            yield Markdown(prompt, classes="prompt")
        problem: Problem | None = self.item.problem
        if problem is None:
            return
        from quizzer.tui.widgets.problem import ProblemTable

        if problem.table is not None:
            yield ProblemTable(problem.table)
        if problem.figure is not None:
            from quizzer.tui.widgets.plot import FigureView

            yield FigureView(problem.figure)
            if problem.table is None:
                yield ProblemTable(figure_table(problem.figure))


class QualityKeys(Static):
    """The six grades and what each means: two columns where they fit, else a list that wraps only
    between grades (never mid-phrase)."""

    COLUMN = 36  # "▸0 " and the longest meaning, padded

    def __init__(self, proposed: int | None = None, **kwargs: object) -> None:
        super().__init__("", classes="quality-keys", **kwargs)  # type: ignore[arg-type]
        self.proposed = proposed
        self.update(self.keys(2 * self.COLUMN))

    def _cell(self, quality: int) -> Content:
        from quizzer.grading import QUALITY_MEANINGS  # grades follow an answer: not on the first card's path

        marker = "▸" if quality == self.proposed else " "
        return Content.assemble(marker, (str(quality), "bold"), " ", QUALITY_MEANINGS[quality])

    def on_resize(self) -> None:
        self.update(self.keys(self.content_region.width))

    def keys(self, width: int) -> Content:
        """The legend laid out for ``width`` columns."""
        if width >= 2 * self.COLUMN:
            rows = [
                Content.assemble(
                    self._cell(low).pad_right(self.COLUMN - self._cell(low).cell_length), self._cell(low + 3)
                )
                for low in range(3)
            ]
            return Content("\n").join(rows)
        lines: list[Content] = []
        line = Content("")
        for quality in range(6):
            cell = self._cell(quality)
            if line and line.cell_length + 2 + cell.cell_length > width:
                lines.append(line)
                line = Content("")
            line = line + Content("  ") + cell if line else cell
        lines.append(line)
        return Content("\n").join(lines)
