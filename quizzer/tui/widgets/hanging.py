"""Text with a hanging indent, for option lists and the help's key table."""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """A prefix (an option's marker and number, a key's name), then text wrapped beside it: a hanging
    indent, so a long option or key description reads as one block instead of running under its prefix."""

    def __init__(self, prefix: Content, body: Content) -> None:
        self.prefix = prefix
        self.body = body

    def _lines(self, width: int) -> list[Content]:
        indent = self.prefix.cell_length
        lines = self.body.wrap(max(1, width - indent)) or [Content("")]
        return [(self.prefix if n == 0 else Content(" " * indent)) + line for n, line in enumerate(lines)]

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return Content("\n").join(self._lines(width)).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.prefix.cell_length + self.body.get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._lines(width))

    def __str__(self) -> str:
        return self.prefix.plain + self.body.plain


__all__ = ["Hanging"]
