"""Expected vs given -> :class:`Grade`: right or wrong, feedback, and a proposed SM-2 quality.

One contract for reading answers, used by the drill, ``quizzer generate --answer`` and ``quizzer preview``
alike (documented for users in ``docs/deck-format.md``, "How answers are read"):

- numbers as :mod:`quizzer.answers` reads them (``x%`` is x/100; units around the number are ignored);
- a numeric answer is right within the precision its prompt states (:class:`NumberAnswer`);
- an option by its number, its letter, its text, its name, an alias, or the number it stands for;
- several parts separated by ``;``; an answer that leaves parts out is *incomplete*, which counts as wrong.

Auto-graded answers propose quality 4 when right and 1 when wrong; the user may override (0-5).
An answer that cannot be read is :class:`Unreadable`: a message to show, never counted as wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generators.base import Answer, ChoiceAnswer, NumberAnswer, Part
from quizzer.answers import (
    Number,
    Unreadable,
    format_number,
    matches,
    percent_slip,
    plural,
    read_number,
    typed_value,
)
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
    missing: tuple[str, ...] = ()  # parts left unanswered: the answer is incomplete (and so not correct)

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)

    @property
    def proposed_quality(self) -> int:
        return RIGHT_QUALITY if self.correct else WRONG_QUALITY


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SPLIT = re.compile(r"[,;\s]+")


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.casefold())


def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def read_choice(
    text: object,
    labels: Sequence[str],
    names: Sequence[str] = (),
    *,
    aliases: Sequence[Sequence[str]] = (),
    values: Sequence[float | None] = (),
) -> list[int] | Unreadable:
    """Which options did the user pick? Returns 0-based indexes.

    Accepts an option's position (1-based), letter, label, name or alias, or the number it stands for
    (``values``, or the label itself when it is a number: "0.4" picks "0.40", "8.8%" picks 0.088). Several
    picks may be separated by commas or spaces ("1, 3" or "a c"); "#2" always means the second option (the
    app sends that). When every option is a number, a typed number means that value, not a position.
    """
    if not isinstance(text, str):
        return Unreadable(repr(text), "Pick an option by its number.")
    raw = text.strip()
    if not raw:
        return Unreadable(text, "Pick an option by its number.")
    if len(raw) > 500:
        return Unreadable(raw[:500], "That is too long to be an option.")
    count = len(labels)
    if not raw.startswith("#"):  # "#2" is a position, never a name
        whole = _normal(raw)
        spellings = [[label] for label in labels]
        for index, name in enumerate(names):
            spellings[index].append(name)
        for index, extra in enumerate(aliases):
            spellings[index].extend(extra)
        for index, candidates in enumerate(spellings):
            if any(whole == _normal(candidate) for candidate in candidates if candidate):
                return [index]
        numbers = _option_numbers(labels, values)
        typed = read_number(raw)
        all_numbers = all(value is not None for value in numbers)
        is_position = raw.isdecimal() and raw.isascii()
        if isinstance(typed, Number) and (all_numbers or not is_position):
            hits = [i for i, value in enumerate(numbers) if value is not None and _same_number(value, typed.value)]
            if len(hits) == 1:
                return hits
            if all_numbers:
                return Unreadable(raw, f"{raw} is not one of the options: type one of the values shown, or pick "
                                       f"by position with a letter or #1-#{count}.")
    picks: list[int] = []
    for token in (t for t in _SPLIT.split(raw) if t):
        token = token.removeprefix("#")  # "#2" is always the second option, even among numeric options
        if token.isdecimal() and token.isascii() and 1 <= int(token) <= count:
            picks.append(int(token) - 1)
        elif len(token) == 1 and token.casefold() in _LETTERS[:count]:
            picks.append(_LETTERS.index(token.casefold()))
        else:
            return Unreadable(raw, f"Pick an option by its number (1-{count}), its letter or its name.")
    return sorted(set(picks))


def _option_numbers(labels: Sequence[str], values: Sequence[float | None]) -> list[float | None]:
    """The number each option stands for: its declared value, else its label read as a number."""
    numbers: list[float | None] = []
    for index, label in enumerate(labels):
        declared = values[index] if index < len(values) else None
        if declared is not None:
            numbers.append(declared)
            continue
        read = read_number(label)
        numbers.append(read.value if isinstance(read, Number) else None)
    return numbers


# -- numbers ------------------------------------------------------------------------------------------


# Units in which a typed "%" is the unit itself: a difference of two percentages is in percentage points.
PERCENT_UNITS = frozenset({"%", "pp", "percentage point", "percentage points"})


def grade_number(text: str, expected: float, tolerance: float, rel_tolerance: float, unit: str = "",
                 shown: str | None = None, *, whole: bool = False) -> Grade | Unreadable:
    """Grade a typed number. ``shown`` is the expected value as the prompt asked for it; ``whole`` says a
    whole number is asked for. For whole numbers and answers of 100 or more, ``1,234`` can only mean 1234."""
    number = read_number(text, whole=whole or abs(expected) >= 100)
    if isinstance(number, Unreadable):
        return number
    in_percent = unit.casefold() in PERCENT_UNITS  # a % typed with the answer is then its unit, not "/100"
    if shown is None:
        shown = format_number(expected) + (unit if unit == "%" else f" {unit}" if unit else "")
    if matches(number, expected, tolerance, rel_tolerance, in_percent=in_percent):
        return Grade(True, shown, "Right.")
    if not in_percent and (slip := percent_slip(number, expected, tolerance, rel_tolerance)):
        return Grade(False, shown, f"{slip} The answer is {shown}.")
    value = typed_value(number, in_percent=in_percent)
    direction = "high" if value > expected else "low"
    typed = number.text if len(number.text) <= 40 else format_number(value)
    return Grade(False, shown, f"{typed} is too {direction}; the answer is {shown}.")


def grade_numeric_card(card: NumericCard, text: str) -> Grade | Unreadable:
    tolerance, rel_tolerance = card.effective_tolerance
    return grade_number(text, card.answer, tolerance, rel_tolerance, card.unit, whole=card.whole)


def grade_number_answer(answer: NumberAnswer, text: str) -> Grade | Unreadable:
    tolerance, rel_tolerance = answer.tolerances
    return grade_number(text, answer.value, tolerance, rel_tolerance, answer.unit, shown=answer.shown(),
                        whole=answer.whole)


# -- choices ------------------------------------------------------------------------------------------


def _listing(items: Sequence[str]) -> str:
    return "; ".join(f"“{item}”" for item in items)


def choice_feedback(chosen: Sequence[str], right: Sequence[str]) -> str:
    """What the user picked against what is right, in words: right picks, wrong picks, missed ones."""
    right_set, chosen_set = set(right), set(chosen)
    if chosen_set == right_set:
        return "Right."
    if len(right) == 1 and len(chosen) == 1:
        return f"You picked {_listing(chosen)}; the answer is {_listing(right)}."
    lines = []
    if good := [option for option in chosen if option in right_set]:
        lines.append(f"Right picks: {_listing(good)}.")
    if bad := [option for option in chosen if option not in right_set]:
        lines.append(f"Wrong picks: {_listing(bad)}.")
    if missed := [option for option in right if option not in chosen_set]:
        lines.append(f"Missed: {_listing(missed)}.")
    return " ".join(lines)


def grade_choice_card(card: ChoiceCard, text: str, shown_options: Sequence[str] | None = None) -> Grade | Unreadable:
    """Grade against the options in the order they were shown (they may be shuffled)."""
    options = list(shown_options or card.options)
    aliases = [card.aliases.get(option, []) for option in options]
    picks = read_choice(text, options, aliases=aliases)
    if isinstance(picks, Unreadable):
        return picks
    chosen = [options[index] for index in picks]
    right = [option for option in options if option in set(card.answers)]
    expected = "; ".join(right)
    if len(right) == 1 and len(chosen) > 1:
        return Grade(False, expected, f"Pick one option. {choice_feedback(chosen, right)}")
    return Grade(set(chosen) == set(right), expected, choice_feedback(chosen, right))


def grade_choice_answer(answer: ChoiceAnswer, text: str) -> Grade | Unreadable:
    options = answer.options
    picks = read_choice(
        text,
        [option.text for option in options],
        [option.name for option in options],
        aliases=[option.aliases for option in options],
        values=[option.value for option in options],
    )
    if isinstance(picks, Unreadable):
        return picks
    right = next(option for option in options if option.name == answer.correct)
    if len(picks) != 1:
        return Grade(False, right.text, f"Pick exactly one option; the answer is “{right.text}”.")
    chosen = options[picks[0]]
    if chosen.name == answer.correct:
        return Grade(True, right.text, "Right.")
    why = answer.feedback.get(chosen.name, "")
    return Grade(False, right.text, choice_feedback([chosen.text], [right.text]) + (f" {why}" if why else ""))


# -- generated problems -------------------------------------------------------------------------------


def grade_answer(answer: Answer, text: str) -> Grade | Unreadable:
    """Grade the user's text against one part of a generated problem."""
    if isinstance(answer, NumberAnswer):
        return grade_number_answer(answer, text)
    if isinstance(answer, ChoiceAnswer):
        return grade_choice_answer(answer, text)
    raise TypeError(f"unknown answer spec {answer!r}")  # pragma: no cover


def part_name(part: Part, index: int) -> str:
    return f"part {index + 1} ({part.label or part.prompt.rstrip('?')})"


def grade_parts(parts: Sequence[Part], text: str) -> Grade | Unreadable:
    """Grade a typed answer to a problem: one answer per part, separated by ';', in the parts' order.

    Fewer answers than parts is *incomplete*: graded wrong, naming the parts left out. An answer never
    counts as right unless every part of it is right.
    """
    if not isinstance(text, str):
        return Unreadable(repr(text), "Type an answer first.")
    pieces = [piece.strip() for piece in text.split(";")] if len(parts) > 1 else [text]
    while len(pieces) > 1 and not pieces[-1]:
        pieces.pop()  # a trailing ';'
    if len(pieces) > len(parts):
        return Unreadable(text, f"This problem has {len(parts)} parts; separate their answers with ';'.")
    if not any(pieces):
        return Unreadable(text, "Type an answer first.")
    grades: list[Grade] = []
    missing: list[str] = []
    for index, part in enumerate(parts):
        piece = pieces[index] if index < len(pieces) else ""
        if not piece:
            missing.append(part_name(part, index))
            continue
        grade = grade_answer(part.answer, piece)
        if isinstance(grade, Unreadable):
            if len(parts) == 1:
                return grade
            return Unreadable(grade.text, f"Part {index + 1}: {grade.message}")
        grades.append(grade)
    expected = "; ".join(_expected_text(part.answer) for part in parts)
    if len(parts) == 1:
        return grades[0]
    feedback = " ".join(f"Part {i + 1}: {g.feedback}" for i, g in enumerate(grades))
    if missing:
        feedback = (f"Incomplete: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
                    + feedback).strip()
    return Grade(not missing and all(g.correct for g in grades), expected, feedback, tuple(missing))


def _expected_text(answer: Answer) -> str:
    if isinstance(answer, NumberAnswer):
        return answer.shown()
    return next(option.text for option in answer.options if option.name == answer.correct)


def answer_hint(answer: Answer | None = None, *, unit: str = "", whole: bool = False) -> str:
    """What to type, for the input's placeholder: the form this answer expects."""
    if isinstance(answer, NumberAnswer):
        unit, whole = answer.unit, answer.whole
        if answer.decimals:
            places = plural(answer.decimals, "decimal")
            if unit == "%":  # the number typed is the percentage itself: 0.75 would mean 0.75%
                return f"A percentage to {places}, e.g. 44.4 or 44.4% — Enter submits"
            if unit.casefold() in PERCENT_UNITS:
                return f"Percentage points to {places}, e.g. 1.25 or 1.25% — Enter submits"
            suffix = f" in {unit}" if unit else ""
            return f"A number to {places}{suffix} (0.75, 75%, 3/4 work) — Enter submits"
        if answer.significant:
            figures = plural(answer.significant, "significant figure")
            return f"A number to {figures} (0.0083, 8.3e-3 work) — Enter submits"
    if unit == "%":
        return "A percentage, e.g. 8.8 or 8.8% — Enter submits"
    if whole:
        what = f"A whole number of {unit}" if unit else "A whole number"
        return f"{what}, e.g. 120 or 1050 — Enter submits"
    if unit:
        return f"A number in {unit} — Enter submits"
    return "A number, e.g. 0.75, .75, 75%, 3/4 — Enter submits"
