"""How a generated problem's data looks: its table, and its figure drawn in the terminal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from generators.base import Table


class ProblemTable(Vertical):
    """A problem's table: a title line and a read-only DataTable (numbers right-aligned)."""

    def __init__(self, table: Table, **kwargs: object) -> None:
        super().__init__(classes="problem-table", **kwargs)  # type: ignore[arg-type]
        self.table = table

    def compose(self) -> ComposeResult:
        if self.table.title:
            yield Label(self.table.title, classes="table-title")
        grid: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True, cursor_type="none")
        grid.can_focus = False
        yield grid

    def on_mount(self) -> None:
        # Labels left, numbers right: padded here, since every column is as wide as its widest cell.
        table = self.table
        rows = [tuple(str(cell) for cell in row) for row in table.rows]
        widths = [
            max(len(str(header)), *(len(row[i]) for row in rows if i < len(row)))
            for i, header in enumerate(table.headers)
        ]

        def align(index: int, text: str) -> str:
            return text.ljust(widths[index]) if index == 0 else text.rjust(widths[index])

        grid = self.query_one(DataTable)
        for index, header in enumerate(table.headers):
            grid.add_column(align(index, str(header)), key=str(index))
        for row in rows:
            grid.add_row(*(align(index, cell) for index, cell in enumerate(row)))
