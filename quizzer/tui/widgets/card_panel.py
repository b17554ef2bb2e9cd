"""One card, asked and answered: the prompt, the answer control for its kind, then the feedback and 0-5.

The panel grades (through the function it is given) but never records: when the user settles on a
quality it posts :class:`CardPanel.Answered`, and the screen commits it. If committing fails the screen
calls :meth:`CardPanel.show_unsaved` and the user can retry; the answer stays on screen meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, auto
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from quizzer.decks.model import ChoiceCard, GeneratedCard, NumericCard, OpenCard
from quizzer.tui.text import explanation_markdown
from quizzer.tui.widgets.card_view import CardView, QualityKeys
from quizzer.tui.widgets.inline import inline_markdown

# The first card's screen imports neither the graders nor the generators (pydantic models, the answer
# parsers and their patterns): they are imported where an answer is read or a problem's parts are asked, by then
# loaded in the background (DrillScreen.warm_up) or by the generator that made the problem.
if TYPE_CHECKING:
    from generators.base import Part
    from quizzer.answers import Unreadable
    from quizzer.grading import Grade
    from quizzer.keypoints import PointsGrade  # loads scikit-learn: imported when an answer is typed
    from quizzer.session import QueueItem
    from quizzer.tui.widgets.choice_list import ChoiceList  # imported where a card first shows options

Grader = Callable[["QueueItem", str], "Grade | Unreadable"]
# The style of each key-point mark (quizzer.keypoints.PointResult.mark): made, close, missed.
_MARK_STYLES = {"✓": "bold green", "?": "bold yellow", "✗": "bold red"}


def asks_typed_answer(card: object, open_answers: str) -> bool:
    """An open card with key points, under ``open_answers = "type"``, takes a typed answer graded against its
    points (:func:`quizzer.keypoints.grades_typed_answers`, which this module must not import before the first
    card is on screen)."""
    return open_answers == "type" and isinstance(card, OpenCard) and bool(card.points)


def _is_choice(answer: object) -> bool:
    """Is a problem part answered by picking an option? (A part exists only once its generator ran.)"""
    from generators.base import ChoiceAnswer

    return isinstance(answer, ChoiceAnswer)


class Phase(Enum):
    ASKING = auto()  # waiting for an answer (or, for an open card, for the reveal)
    REVEALED = auto()  # open card: the answer is shown, waiting for 0-5
    FEEDBACK = auto()  # auto-graded: right/wrong shown, Enter accepts the proposed quality, 0-5 overrides
    SAVING = auto()  # a quality was chosen and handed to the screen
    UNSAVED = auto()  # committing failed: Enter/r retries, 0-5 changes the grade and retries


class CardBody(Vertical, can_focus=True):
    """Where a screen shows its card panel; keeps what a fast typist types while the next card appears.

    Between one card's grade and the next card's answer line there is a moment when no answer line has
    focus (the old panel is saved and removed, the new one mounts its controls). Keys typed then land here
    (focus falls back to this container) or on the old panel; they are kept and typed into the next
    card's answer line, instead of vanishing or leaving a partial answer.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.typed: list[str] = []

    def keep(self, event: Key) -> bool:
        """Type ``event`` into the live answer line, or keep it for the next one. False: not typing."""
        if not (event.is_printable or event.key == "enter"):
            return False
        key = event.key if event.key == "enter" else event.character or ""
        live = [
            field
            for panel in self.query(CardPanel)
            if panel.phase is Phase.ASKING
            for field in panel.query(Input)
            if not field.disabled
        ]
        if not live:
            self.typed.append(key)
            return True
        field = live[-1]
        field.focus()
        if key == "enter":
            field.post_message(Input.Submitted(field, field.value))
        else:
            field.insert_text_at_cursor(key)
        return True

    def take_typed(self) -> list[str]:
        typed, self.typed = self.typed, []
        return typed

    def clear_typed(self) -> None:
        """Forget kept keys: the next card answers by options or by revealing, not by typing."""
        self.typed.clear()

    def on_key(self, event: Key) -> None:
        # Keys reach here typed at this container, or bubbling from a card. A printable key bubbling from a
        # card's focused answer line is impossible (the line types it), so one seen while a line has focus
        # was typed here a moment before the line took focus. Others (0-5, n, q...) go on to the bindings.
        focused = self.screen.focused
        if event.key != "enter" and any(
            not binding.priority  # priority keys already had their say (they skipped this one)
            for node in (self.screen, self.app)
            for binding in node._bindings.key_to_bindings.get(event.key, ())
        ):
            return  # a screen or app key (n, p, q, ?...): typed between cards it means what it says
        typed_here = focused is self or (
            event.is_printable and isinstance(focused, Input) and self in focused.ancestors
        )
        if typed_here and self.keep(event):
            event.stop()
            event.prevent_default()


class CardPanel(Vertical, can_focus=True):
    """Asks one prepared :class:`QueueItem` and posts :class:`Answered` with the chosen quality."""

    BINDINGS = [
        Binding("space,enter", "reveal", "Show answer", id="card.reveal"),
        Binding("pageup", "scroll_card(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_card(1)", "Scroll down", show=False),
        Binding("up", "scroll_card(-0.2)", "Scroll up", show=False),
        Binding("down", "scroll_card(0.2)", "Scroll down", show=False),
        Binding("enter", "accept", "Accept grade", id="card.accept"),
        Binding("enter,r", "retry", "Save again", id="card.retry"),
        Binding("0", "quality(0)", "Grade", key_display="0-5", id="card.grade"),
        *(Binding(str(q), f"quality({q})", f"Grade {q}", show=False) for q in range(1, 6)),
    ]

    @dataclass
    class Answered(Message):
        """The user settled on a quality for the card (possibly again, after a failed save)."""

        panel: CardPanel
        item: QueueItem
        quality: int
        answer: str | None
        correct: bool | None
        response_ms: int

        @property
        def control(self) -> CardPanel:
            return self.panel

    def __init__(
        self,
        item: QueueItem,
        grade: Grader,
        clock: Callable[[], datetime],
        open_answers: str = "type",
        **kwargs: object,
    ) -> None:
        super().__init__(classes="card-panel", **kwargs)  # type: ignore[arg-type]
        self.item = item
        self.open_answers = open_answers  # "type": open cards with key points take a typed answer
        self.points_grade: PointsGrade | None = None
        self.grader = grade
        self.clock = clock
        self.phase = Phase.ASKING
        self.part = 0
        self.texts: list[str] = []  # what was graded, per part
        self.shown: list[str] = []  # what the user picked or typed, readable, per part
        self.picks: dict[int, set[int]] = {}  # part -> option indexes picked (choice answers)
        self.grade: Grade | None = None
        self.quality: int | None = None
        self.started = clock()
        self.response_ms = 0

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The question scrolls; the answer controls and the grading stay docked below it, always visible.
        # The parts a card shows only later (the hint line, the answer's details, the grading) are mounted when
        # first needed (see _hint, _show_result): empty or hidden on the first frame, each was one more widget
        # to style and lay out on the way to the card.
        with VerticalScroll(classes="card-scroll", can_focus=False):
            yield CardView(self.item)
        with Vertical(id="dock"):
            yield Vertical(id="answer")

    async def on_mount(self) -> None:
        await self._ask()
        # A new card starts at its first sentence, whatever focusing the answer control scrolled.
        scroll = self.query_one(".card-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_home, animate=False)

    @property
    def parts(self) -> tuple[Part, ...]:
        problem = self.item.problem
        return problem.parts if problem is not None else ()

    async def _ask(self) -> None:
        """Mount the answer control for the current card (or the current part of a generated problem)."""
        card = self.item.card
        area = self.query_one("#answer", Vertical)
        body = self.parent
        if isinstance(body, CardBody) and not self.expects_typing():
            body.clear_typed()
        if isinstance(card, OpenCard) and self.types_answer:
            await area.mount(
                Static(
                    "Answer as you would in an interview; [b]Enter[/b] grades it against the key points. "
                    "[b]Enter[/b] on an empty box (or [b]Space[/b]) just shows the answer.",
                    classes="instructions",
                )
            )
            await self._mount_input(area, "your answer, in a sentence or three")
        elif isinstance(card, OpenCard):
            await area.mount(
                Static(
                    "Recall the answer, then press [b]Space[/b] or [b]Enter[/b] to see it.",
                    classes="instructions",
                )
            )
            self.focus()
        elif isinstance(card, NumericCard):
            from quizzer.grading import answer_hint

            await self._mount_input(area, answer_hint(unit=card.unit, whole=card.whole))
        elif isinstance(card, ChoiceCard):
            await self._mount_choices(area, list(self.item.options), multiple=len(card.answers) > 1)
        elif isinstance(card, GeneratedCard):
            part = self.parts[self.part]
            label = part.prompt
            if len(self.parts) > 1:
                label = f"Part {self.part + 1} of {len(self.parts)}: {part.prompt}"
            await area.mount(Static(inline_markdown(label).stylize("bold"), classes="part-prompt"))
            if _is_choice(part.answer):
                await self._mount_choices(
                    area, [option.text for option in part.answer.options], multiple=False
                )
            else:
                from quizzer.grading import answer_hint

                await self._mount_input(area, answer_hint(part.answer))

    async def _mount_input(self, area: Vertical, placeholder: str) -> None:
        field = Input(placeholder=placeholder, classes="answer-input", select_on_focus=False, compact=True)
        await area.mount(Horizontal(Static("Answer › ", classes="answer-label"), field, classes="answer-line"))
        field.focus()
        body = self.parent
        if isinstance(body, CardBody):
            for key in body.take_typed():
                if key == "enter":
                    field.post_message(Input.Submitted(field, field.value))
                    break
                field.insert_text_at_cursor(key)

    def on_key(self, event: Key) -> None:
        # Keys typed after the grade was settled belong to the next card: keep them until its line exists.
        body = self.parent
        if self.phase is Phase.SAVING and isinstance(body, CardBody) and body.keep(event):
            event.stop()
            event.prevent_default()

    @property
    def types_answer(self) -> bool:
        """Is this an open card with key points, asked for a typed answer (the ``open_answers`` setting)?"""
        return asks_typed_answer(self.item.card, self.open_answers)

    async def on_input_changed(self, event: Input.Changed) -> None:
        self._hint("")  # the hint was about the previous entry
        if self.types_answer and self.phase is Phase.ASKING and event.value == " ":
            await self.action_reveal()  # Space on an empty box: reveal and self-grade, as without points

    async def _mount_choices(self, area: Vertical, labels: list[str], *, multiple: bool) -> None:
        if multiple:
            await area.mount(
                Static(
                    "Several options are right: number keys (or Space) tick them, Enter submits.",
                    classes="instructions",
                )
            )
        from quizzer.tui.widgets.choice_list import ChoiceList

        choices = ChoiceList(labels, multiple=multiple, classes="choices")
        await area.mount(choices)
        choices.highlighted = 0
        choices.focus()

    def expects_typing(self) -> bool:
        """Whether the current answer control is a typed line (not options, not a reveal)."""
        card = self.item.card
        if isinstance(card, NumericCard):
            return True
        if isinstance(card, OpenCard):
            return self.types_answer  # an interview answer typed against the key points
        if isinstance(card, GeneratedCard) and self.parts:
            return not _is_choice(self.parts[self.part].answer)
        return False

    def say(self, message: str) -> None:
        """A notice about the session (a missed card comes back, a card was skipped), on the hint line.

        It stays until the user types or answers, and never covers the prompt, options or answer box.
        """
        self._hint(message)

    def _hint(self, message: str) -> None:
        """Show ``message`` on the hint line under the answer controls (hide the line when empty)."""
        hints = self.query("#hint")
        if hints:
            hint = hints.first(Static)
            hint.update(message)
            hint.display = bool(message)
        elif message:  # the line's first message: it is mounted now, between the controls and the grading
            hint = Static(message, id="hint", classes="hint", markup=False)
            self.query_one("#dock", Vertical).mount(hint, after=self.query_one("#answer", Vertical))

    # -- answering ---------------------------------------------------------------------------

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.phase is not Phase.ASKING:
            return
        text = event.value.strip()
        if self.types_answer:
            await (self._grade_typed(text) if text else self.action_reveal())
        elif isinstance(self.item.card, GeneratedCard):
            await self._answer_part(text, text)
        else:
            await self._submit(text, text)

    async def on_choice_list_submitted(self, event: ChoiceList.Submitted) -> None:
        event.stop()
        if self.phase is not Phase.ASKING:
            return
        labels = event.choice_list.labels
        self.picks[self.part] = set(event.picks)
        text = ", ".join(f"#{index + 1}" for index in event.picks)  # positions, even among numeric options
        shown = "; ".join(labels[index] for index in event.picks)
        if isinstance(self.item.card, GeneratedCard):
            await self._answer_part(text, shown)
        else:
            await self._submit(text, shown)

    def on_choice_list_empty(self, event: ChoiceList.Empty) -> None:
        event.stop()
        self._hint("Tick at least one option (its number or Space), then press Enter.")

    async def _answer_part(self, text: str, shown: str) -> None:
        """One part of a generated problem: check it can be read, then ask the next part or grade them all."""
        from quizzer.answers import Unreadable
        from quizzer.grading import grade_answer

        check = grade_answer(self.parts[self.part].answer, text)
        if isinstance(check, Unreadable):
            self._hint(check.message)
            return
        self.texts.append(text)
        self.shown.append(shown)
        if len(self.texts) < len(self.parts):
            self._hint("")
            area = self.query_one("#answer", Vertical)
            await area.remove_children()
            done = Content("\n").join(
                Content.assemble(
                    inline_markdown(f"Part {index + 1}: {self.parts[index].prompt}").stylize("dim"),
                    " ",
                    inline_markdown(answer).stylize("bold"),
                )
                for index, answer in enumerate(self.shown)
            )
            await area.mount(Static(done, classes="parts-done"))
            self.part += 1
            await self._ask()
            return
        await self._submit("; ".join(self.texts), "; ".join(self.shown))

    async def _submit(self, text: str, shown: str) -> None:
        from quizzer.answers import Unreadable

        grade = self.grader(self.item, text)
        if isinstance(grade, Unreadable):
            self._hint(grade.message)  # not a wrong answer: the user corrects it
            return
        self._hint("")
        self.response_ms = self._elapsed_ms()
        self.grade = grade
        self.shown = [shown]
        await self._show_feedback(grade)

    def _elapsed_ms(self) -> int:
        return max(0, int((self.clock() - self.started).total_seconds() * 1000))

    async def _show_feedback(self, grade: Grade) -> None:
        self._lock_controls()
        self._mark_choices()
        outcome = "✓ Right" if grade.correct else "✗ Incomplete" if grade.incomplete else "✗ Wrong"
        all_picked = self._options_show_answer() or (
            bool(self.parts) and all(_is_choice(part.answer) for part in self.parts)
        )
        if grade.correct and all_picked:
            verdict = Content.styled(outcome, "bold")  # the expected options are the ones picked
        elif self._options_show_answer():
            # The options on screen are marked ✓/✗: repeating the right ones would cost lines the
            # grades need on a small screen.
            verdict = Content.assemble(
                (outcome, "bold"),
                " · ✓ marks the right option"
                + ("s" if isinstance(self.item.card, ChoiceCard) and len(self.item.card.answers) > 1 else ""),
            )
        else:
            verdict = Content.assemble((outcome, "bold"), " · expected ", inline_markdown(grade.expected))
        grading: list[Static] = [
            Static(verdict, classes="verdict " + ("right" if grade.correct else "wrong"))
        ]
        # What went wrong, part by part, can run to several lines: it goes above the explanation, in the
        # scrolling part, so the dock (controls, verdict, grades) always fits the screen.
        details: list[Widget] = []
        if not grade.correct and grade.feedback:
            details.append(Static(inline_markdown(grade.feedback), classes="grade-feedback"))
        proposed = grade.proposed_quality
        grading.append(
            Static(
                Content.from_markup(
                    "[b]Enter[/b] accepts grade [b]$q[/b] · [b]0-5[/b] grades it yourself:",
                    q=proposed,
                ),
                classes="proposal",
            )
        )
        grading.append(QualityKeys(proposed))
        explanation = explanation_markdown(self.item.card, self.item.problem)
        if explanation:
            from textual.widgets import Markdown

            details.append(Markdown(explanation, classes="explanation"))
        await self._show_result(details, grading, Phase.FEEDBACK)

    async def _grade_typed(self, text: str) -> None:
        """Grade a typed answer to an open card against its key points; show the back with each point marked."""
        from quizzer.keypoints import grade_answer as grade_points

        card = self.item.card
        assert isinstance(card, OpenCard)
        self.response_ms = self._elapsed_ms()
        self._lock_controls()
        self._hint("Grading…")
        # The first answer of a deck fits its vectorisers (and loads scikit-learn): keep the app responsive.
        verdict = await asyncio.to_thread(grade_points, self.item.deck, card, text)
        self._hint("")
        self.points_grade = verdict
        self.shown = [text]
        marks = []
        for point in verdict.points:
            line = [(f"{point.mark} ", _MARK_STYLES[point.mark]), point.text]
            if point.must:
                line.append((" (must)", "dim"))
            if point.matched:
                line += ["  · ", (", ".join(point.matched), "bold italic")]
            marks.append(Content.assemble(*line))
        made = f"{verdict.made} of {len(verdict.points)} key points"
        if verdict.unsure:
            # The grader would be wrong about as often as right here: it proposes nothing, the learner decides.
            word, style = "? Not sure", "unsure"
            proposal = Content.from_markup(
                "A point marked [b]?[/b] may be made in your own words: compare with the answer, then grade it "
                "yourself with [b]0-5[/b]:"
            )
        else:
            word, style = ("✓ Right", "right") if verdict.correct else ("✗ Not yet", "wrong")
            proposal = Content.from_markup(
                "[b]Enter[/b] accepts the proposed grade [b]$q[/b] · [b]0-5[/b] grades it yourself:", q=verdict.quality
            )
        grading: list[Static] = [
            Static(Content.assemble((word, "bold"), f" · {made}"), classes=f"verdict {style}"),
            Static(Content("\n").join(marks), classes="key-points"),
            Static(proposal, classes="proposal"),
            QualityKeys(None if verdict.unsure else verdict.quality),
        ]
        from textual.widgets import Markdown

        await self._show_result([Markdown(card.back, classes="back")], grading, Phase.FEEDBACK)

    async def action_reveal(self) -> None:
        if self.phase is not Phase.ASKING or not isinstance(self.item.card, OpenCard):
            return
        from textual.widgets import Markdown

        self.response_ms = self._elapsed_ms()
        await self.query_one("#answer", Vertical).remove_children()
        await self._show_result(
            [Markdown(self.item.card.back, classes="back")],
            [Static("How well did you recall it? Press [b]0-5[/b]:", classes="proposal"), QualityKeys()],
            Phase.REVEALED,
        )

    async def _show_result(self, details: list[Widget], grading: list[Static], phase: Phase) -> None:
        await self.query_one("#dock", Vertical).mount(Vertical(*grading, id="grading"))
        if details:
            scroll = self.query_one(".card-scroll", VerticalScroll)
            await scroll.mount(Vertical(*details, id="result"))
            # Bring the explanation into view; the question above it can be scrolled back to.
            self.call_after_refresh(details[0].scroll_visible, top=True, animate=False)
        self.phase = phase
        self.focus()
        self.refresh_bindings()

    def action_scroll_card(self, pages: float) -> None:
        scroll = self.query_one(".card-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + pages * max(1, scroll.size.height - 1), animate=False)

    def _options_show_answer(self) -> bool:
        """Whether every answer the card expects is visible as a marked option (a choice card, or a
        one-part generated problem answered by options)."""
        if isinstance(self.item.card, ChoiceCard):
            return True
        parts = self.parts
        return len(parts) == 1 and _is_choice(parts[0].answer)

    def _lock_controls(self) -> None:
        for control in self.query("Input, ChoiceList"):
            control.disabled = True
            control.add_class("-answered")
        for instructions in self.query_one("#answer", Vertical).query(".instructions"):
            instructions.display = False  # how to answer no longer matters: a line back for the grades

    def _mark_choices(self) -> None:
        if not self.query("ChoiceList"):
            return  # no options on this card: asked by name, the class may never have been imported
        from quizzer.tui.widgets.choice_list import ChoiceList

        card = self.item.card
        choices = list(self.query(ChoiceList))
        if isinstance(card, ChoiceCard) and choices:
            right = {index for index, option in enumerate(self.item.options) if option in card.answers}
            choices[-1].show_result(right, self.picks.get(0, set()))
        elif isinstance(card, GeneratedCard) and choices:
            # Earlier parts were folded into a summary line; only the last part's options are on screen.
            last = self.parts[self.part].answer
            if _is_choice(last):
                names = [option.name for option in last.options]
                choices[-1].show_result({names.index(last.correct)}, self.picks.get(self.part, set()))

    # -- settling on a quality ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        match action:
            case "reveal":
                return self.phase is Phase.ASKING and isinstance(self.item.card, OpenCard)
            case "accept":
                return self.proposes_grade
            case "retry":
                return self.phase is Phase.UNSAVED
            case "quality":
                return self.phase in (Phase.REVEALED, Phase.FEEDBACK, Phase.UNSAVED)
        return True

    @property
    def proposes_grade(self) -> bool:
        """Is there a proposed grade for Enter to accept? Not before the feedback, nor when the key-point grader is
        unsure: then the learner grades the answer."""
        return self.phase is Phase.FEEDBACK and not (self.points_grade is not None and self.points_grade.unsure)

    def action_quality(self, quality: int) -> None:
        self._settle(quality)

    def action_accept(self) -> None:
        if self.points_grade is not None:
            if not self.points_grade.unsure:
                self._settle(self.points_grade.quality)
        elif self.grade is not None:
            self._settle(self.grade.proposed_quality)

    def action_retry(self) -> None:
        if self.quality is not None:
            self._settle(self.quality)

    def _settle(self, quality: int) -> None:
        answered = self.settle(quality)
        if answered is not None:
            self.post_message(answered)

    def settle(self, quality: int) -> CardPanel.Answered | None:
        """Settle on ``quality``: the panel waits for saving, and the answer to commit is returned (None
        when there is nothing to settle). A screen that commits at once calls this instead of posting."""
        if self.phase not in (Phase.REVEALED, Phase.FEEDBACK, Phase.UNSAVED):
            return None
        self.quality = quality
        self.phase = Phase.SAVING
        self.refresh_bindings()
        answer = "; ".join(self.shown) if self.shown else None
        correct = self.grade.correct if self.grade is not None else None
        if self.points_grade is not None:
            # The key-point grade of an interview answer is a proposal: a grade the user picks over it is their
            # verdict, passed at 3 as the grader's own (a number or a choice is right or wrong whatever is picked).
            proposal = self.points_grade
            correct = proposal.correct if quality == proposal.quality and not proposal.unsure else quality >= 3
        return self.Answered(self, self.item, quality, answer, correct, self.response_ms)

    async def submit_typed(self) -> bool:
        """Submit the answer line now (Enter), as the screen handles keys in order. False: no line to submit."""
        fields = self.query(Input)
        field = fields.last() if fields else None
        if self.phase is not Phase.ASKING or field is None or field.disabled:
            return False
        await self.on_input_submitted(Input.Submitted(field, field.value))
        return True

    async def show_unsaved(self, message: str) -> None:
        """Committing the answer failed: say so and let the user retry (the answer is kept)."""
        grading = self.query_one("#grading", Vertical)
        for old in grading.query(".unsaved"):
            await old.remove()
        notice = Static(
            Content.from_markup(
                "[b]Not saved:[/b] $message\n[b]Enter[/b] or [b]r[/b] tries again · [b]0-5[/b] changes the grade "
                "and tries again · [b]q[/b] twice leaves without saving it.",
                message=message,
            ),
            classes="unsaved",
        )
        await grading.mount(notice, before=0)
        self.phase = Phase.UNSAVED
        self.focus()
        self.refresh_bindings()

    @property
    def unsaved(self) -> bool:
        return self.phase in (Phase.UNSAVED, Phase.SAVING)

    def answer_kind(self) -> str:
        """What the card asks for, for the status line."""
        card = self.item.card
        if isinstance(card, GeneratedCard):
            return f"{card.generator} problem"
        return card.kind


__all__ = ["CardBody", "CardPanel", "Grader", "Phase"]
