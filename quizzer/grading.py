"""Expected vs given -> :class:`Grade`: right or wrong, feedback, and a proposed SM-2 quality.

Auto-graded answers propose quality 4 when right and 1 when wrong; the user may override (0-5).
An answer that cannot be read is :class:`Unreadable`: a message to show, never counted as wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generators.base import Answer, ChoiceAnswer, NumberAnswer, Part
from quizzer.answers import Number, Unreadable, format_number, matches, read_number
from quizzer.decks.model import ChoiceCard, NumericCard

RIGHT_QUALITY = 4
WRONG_QUALITY = 1

QUALITY_MEANINGS = {
    0: "blackout: no idea",
    1: "wrong; the answer rang a bell",
    2: "wrong, but it felt easy once seen",
    3: "right, with serious effort",
    4: "right, after a little thought",
    5: "right, instantly",
}


@dataclass(frozen=True, slots=True)
class Grade:
    correct: bool
    expected: str
    feedback: str = ""

    @property
    def proposed_quality(self) -> int:
        return RIGHT_QUALITY if self.correct else WRONG_QUALITY


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SPLIT = re.compile(r"[,;\s]+")


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.casefold())


def read_choice(text: object, labels: Sequence[str], names: Sequence[str] = ()) -> list[int] | Unreadable:
    """Which options did the user pick? Accepts numbers (1-based), letters, names or labels.

    Several picks may be separated by commas or spaces ("1, 3" or "a c"); "#2" always means the second
    option (the app sends that). When every option is a number, a typed number means that value.
    Returns 0-based indexes.
    """
    if not isinstance(text, str):
        return Unreadable(repr(text), "Pick an option by its number.")
    raw = text.strip()
    if not raw:
        return Unreadable(text, "Pick an option by its number.")
    if len(raw) > 500:
        return Unreadable(raw[:500], "That is too long to be an option.")
    whole = _normal(raw)
    if raw.startswith("#"):
        whole = ""  # a position, never a name
    for index, candidate in enumerate([*labels, *names]):
        if whole and whole == _normal(candidate):
            return [index % len(labels)]
    # Options that are numbers ("0.50") match the same number typed another way ("0.5", "50%"). When every
    # option is a number, a typed number means that value, not an option's position.
    typed = read_number(raw)
    values = [read_number(label) for label in labels]
    all_numbers = all(isinstance(value, Number) for value in values)
    if isinstance(typed, Number) and not raw.startswith("#") and (all_numbers or not (raw.isdecimal() and raw.isascii())):
        for index, value in enumerate(values):
            if isinstance(value, Number) and abs(value.value - typed.value) <= 1e-12 * max(1.0, abs(typed.value)):
                return [index]
    picks: list[int] = []
    for token in (t for t in _SPLIT.split(raw) if t):
        token = token.removeprefix("#")  # "#2" is always the second option, even among numeric options
        if token.isdecimal() and token.isascii() and 1 <= int(token) <= len(labels):
            picks.append(int(token) - 1)
        elif len(token) == 1 and token.casefold() in _LETTERS[: len(labels)]:
            picks.append(_LETTERS.index(token.casefold()))
        else:
            return Unreadable(raw, f"Pick an option by its number (1-{len(labels)}), its letter or its name.")
    return sorted(set(picks))


def grade_number(text: str, expected: float, tolerance: float, rel_tolerance: float, unit: str = "") -> Grade | Unreadable:
    number = read_number(text)
    if isinstance(number, Unreadable):
        return number
    shown = format_number(expected) + (f" {unit}" if unit else "")
    correct = matches(number, expected, tolerance, rel_tolerance)
    if correct:
        return Grade(True, shown, "Right.")
    gap = number.value - expected
    direction = "high" if gap > 0 else "low"
    return Grade(False, shown, f"{format_number(number.value)} is too {direction}; the answer is {shown}.")


def grade_numeric_card(card: NumericCard, text: str) -> Grade | Unreadable:
    tolerance, rel_tolerance = card.effective_tolerance
    return grade_number(text, card.answer, tolerance, rel_tolerance, card.unit)


def grade_choice_card(card: ChoiceCard, text: str, shown_options: Sequence[str] | None = None) -> Grade | Unreadable:
    """Grade against the options in the order they were shown (they may be shuffled)."""
    options = list(shown_options or card.options)
    picks = read_choice(text, options)
    if isinstance(picks, Unreadable):
        return picks
    chosen = {options[index] for index in picks}
    right = set(card.answers)
    expected = ", ".join(option for option in options if option in right)
    if chosen == right:
        return Grade(True, expected, "Right.")
    if len(right) > 1 and chosen < right:
        return Grade(False, expected, f"Partly: {len(right)} options are right, you picked {len(chosen)}.")
    return Grade(False, expected, f"Not {', '.join(sorted(chosen))}.")


def grade_answer(answer: Answer, text: str) -> Grade | Unreadable:
    """Grade the user's text against one part of a generated problem."""
    if isinstance(answer, NumberAnswer):
        return grade_number(text, answer.value, answer.tolerance, answer.rel_tolerance, answer.unit)
    if isinstance(answer, ChoiceAnswer):
        labels = [option.text for option in answer.options]
        names = [option.name for option in answer.options]
        picks = read_choice(text, labels, names)
        if isinstance(picks, Unreadable):
            return picks
        right = next(o for o in answer.options if o.name == answer.correct)
        if len(picks) != 1:
            return Grade(False, right.text, "Pick exactly one option.")
        chosen = answer.options[picks[0]]
        if chosen.name == answer.correct:
            return Grade(True, right.text, "Right.")
        why = answer.feedback.get(chosen.name, "")
        return Grade(False, right.text, f"Not {chosen.text}." + (f" {why}" if why else ""))
    raise TypeError(f"unknown answer spec {answer!r}")  # pragma: no cover


def grade_parts(parts: Sequence[Part], text: str) -> Grade | Unreadable:
    """Grade a typed answer to a problem: one answer for the first part, or several separated by ';'."""
    pieces = [piece.strip() for piece in text.split(";")] if len(parts) > 1 else [text]
    pieces = [piece for piece in pieces if piece] or [text]
    if len(pieces) > len(parts):
        return Unreadable(text, f"This problem has {len(parts)} parts; separate their answers with ';'.")
    grades: list[Grade] = []
    for part, piece in zip(parts, pieces, strict=False):
        grade = grade_answer(part.answer, piece)
        if isinstance(grade, Unreadable):
            return grade
        grades.append(grade)
    if len(grades) == 1:
        return grades[0]
    return Grade(
        all(g.correct for g in grades),
        "; ".join(g.expected for g in grades),
        " ".join(f"Part {i + 1}: {g.feedback}" for i, g in enumerate(grades)),
    )
