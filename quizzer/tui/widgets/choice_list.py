"""Numbered options: a number key picks (or toggles, when several are right), arrows + Enter work too."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList

from quizzer.tui.widgets.hanging import Hanging
from quizzer.tui.widgets.inline import inline_markdown


class ChoiceList(OptionList, inherit_bindings=False):
    """The options of a choice question, numbered 1..n.

    With one right answer a number key submits at once. With several (``multiple``), number keys and
    Space toggle options and Enter submits the set.
    """

    # PageUp/PageDown are left to the card, to scroll the question.
    BINDINGS = [
        Binding("1", "pick(1)", "Pick", key_display="1-9", id="choice.pick"),
        *(Binding(str(number), f"pick({number})", f"Option {number}", show=False) for number in range(2, 10)),
        Binding("space", "toggle", "Toggle", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    @dataclass
    class Submitted(Message):
        choice_list: ChoiceList
        picks: list[int]  # 0-based indexes, sorted

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    @dataclass
    class Empty(Message):
        """Enter with nothing ticked on a several-answers question."""

        choice_list: ChoiceList

    def __init__(self, labels: list[str], *, multiple: bool = False, **kwargs: object) -> None:
        self.labels = labels
        self.multiple = multiple
        self.ticked: set[int] = set()
        self.marks: dict[int, str] = {}
        super().__init__(*(self._prompt(index) for index in range(len(labels))), **kwargs)  # type: ignore[arg-type]

    def _prompt(self, index: int) -> Hanging:
        box = ""
        if self.multiple:
            box = "[x] " if index in self.ticked else "[ ] "
        mark = self.marks.get(index, " ")
        prefix = Content.assemble((f"{mark} ", "bold"), box, (f"{index + 1}.", "bold"), " ")
        return Hanging(prefix, inline_markdown(self.labels[index]))

    def _refresh_prompt(self, index: int) -> None:
        self.replace_option_prompt_at_index(index, self._prompt(index))

    def action_pick(self, number: int) -> None:
        index = number - 1
        if not 0 <= index < self.option_count:
            return
        self.highlighted = index
        if self.multiple:
            self._toggle(index)
        else:
            self.post_message(self.Submitted(self, [index]))

    def action_toggle(self) -> None:
        if self.multiple and self.highlighted is not None:
            self._toggle(self.highlighted)

    def _toggle(self, index: int) -> None:
        self.ticked ^= {index}
        self._refresh_prompt(index)

    def action_select(self) -> None:
        if self.multiple:
            if self.ticked:
                self.post_message(self.Submitted(self, sorted(self.ticked)))
            else:
                self.post_message(self.Empty(self))
        elif self.highlighted is not None:
            self.post_message(self.Submitted(self, [self.highlighted]))

    async def _on_click(self, event: events.Click) -> None:
        clicked = event.style.meta.get("option")
        if clicked is None:
            return
        self.highlighted = clicked
        if self.multiple:
            self._toggle(clicked)
        else:
            self.action_select()

    def show_result(self, right: set[int], chosen: set[int]) -> None:
        """After grading: ✓ on the right options, ✗ on wrong picks."""
        for index in range(self.option_count):
            self.marks[index] = "✓" if index in right else ("✗" if index in chosen else " ")
            self._refresh_prompt(index)
