"""The answer-reading contract holds for every family (docs/deck-format.md, "How answers are read").

Over 200 seeds of each registered family: the exact answer and the answer at the stated precision are right,
an option is accepted by number, letter and text, a part left out is incomplete (never right), junk is
unreadable and never raises, a numeric part states its precision in the question, and 0 is never accepted
for an answer that is not 0.

The instances come from the per-process cache in ``instances.py``; each family's case is in the family's
xdist group, so a family module in the same group reuses them instead of generating the seeds again.
"""

from __future__ import annotations

import re

import pytest

from generators import ChoiceAnswer, NumberAnswer, Problem, get, names
from generators.base import significant_text
from quizzer.answers import Unreadable
from quizzer.grading import Grade, grade_parts
from tests.generators.instances import generated

SEEDS = range(120)
# Families whose every instance runs a simulation (a learning curve, CV folds, a resampling or regularisation
# path): fewer seeds keep the suite's time, and each still reaches every question it asks.
HEAVY = {"learning-curve", "class-imbalance", "cv-scheme", "regularisation-path", "bias-variance"}
HEAVY_SEEDS = range(80)
JUNK = ("", "   ", "abc", "1;2;3;4;5;6;7;8;9", "\x1b[2J", "[b]1[/b]", "½", "NaN", "1e999", "; ;")
_WORDS = {1: "1|one", 2: "2|two", 3: "3|three", 4: "4|four", 5: "5|five", 6: "6|six"}


def _graded(problem: Problem, text: str) -> Grade:
    grade = grade_parts(problem.parts, text)
    assert isinstance(grade, Grade), (problem.generator, problem.seed, text, grade)
    return grade


def exact_forms(answer: NumberAnswer | ChoiceAnswer) -> list[str]:
    if isinstance(answer, ChoiceAnswer):
        index = [option.name for option in answer.options].index(answer.correct)
        forms = [f"#{index + 1}", answer.options[index].text]
        if not all(option.value is not None for option in answer.options):  # else a bare number is a value
            forms.append(str(index + 1))
        spellings = {s.casefold() for o in answer.options for s in (o.name, o.label, *o.aliases)}
        if not any(len(spelling) == 1 for spelling in spellings):  # "b" names an option "B" when one exists
            forms.append("abcdefghij"[index])
        return forms
    forms = [repr(answer.value)]
    if answer.decimals is not None:
        forms.append(f"{answer.value:.{answer.decimals}f}")
    if answer.significant is not None:
        forms.append(significant_text(answer.value, answer.significant))
    return forms


def states_precision(problem: Problem, answer: NumberAnswer, part_prompt: str) -> bool:
    text = f"{problem.prompt} {part_prompt}".casefold()
    if answer.decimals is not None:
        count = _WORDS.get(answer.decimals, str(answer.decimals)) if answer.decimals else "0"
        return answer.decimals == 0 or bool(re.search(rf"\b({count}) decimal", text))
    if answer.significant is not None:
        return "significant figure" in text
    if answer.whole:
        return True  # a count, a size, an amount in whole units
    # Otherwise the grading must say which precision it uses (decimals / significant), or the prompt must
    # state a relative rule that rel_tolerance implements ("answers within 2% count").
    return answer.rel_tolerance > 0 and bool(re.search(rf"within {answer.rel_tolerance * 100:g}\s*%", text))


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in names()]
)
def test_answer_contract(name: str) -> None:
    generator = get(name)
    for seed in HEAVY_SEEDS if name in HEAVY else SEEDS:
        problem = generated(generator, seed)
        parts = problem.parts
        for index, part in enumerate(parts):
            answer = part.answer
            if isinstance(answer, NumberAnswer):
                stated = states_precision(problem, answer, part.prompt)
                assert stated, (name, seed, index, "precision not stated")
                if answer.value != 0:
                    # 0 must never pass for a non-zero answer (a tolerance sized for another quantity would).
                    zero = grade_parts((part,), "0")
                    assert isinstance(zero, Grade) and not zero.correct, (name, seed, index, "0 accepted")
        # Every equivalent form of each part, with the other parts exact, is right.
        exact = [exact_forms(part.answer)[0] for part in parts]
        for index, part in enumerate(parts):
            for form in exact_forms(part.answer):
                text = "; ".join([*exact[:index], form, *exact[index + 1 :]])
                assert _graded(problem, text).correct, (name, seed, text)
        # A part left out is incomplete, never right.
        if len(parts) > 1:
            for index in range(len(parts)):
                text = "; ".join(exact[:index] + [""] + exact[index + 1 :])
                grade = _graded(problem, text)
                assert grade.incomplete and not grade.correct, (name, seed, text)
            first_only = _graded(problem, exact[0])
            assert first_only.incomplete and not first_only.correct, (name, seed)
        for junk in JUNK:
            result = grade_parts(parts, junk)
            assert isinstance(result, Unreadable) or not result.correct, (name, seed, junk)


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (1017.8, 3, "1020"),
        (0.008333, 3, "0.00833"),
        (99.96, 3, "100"),
        (0.09996, 2, "0.10"),
        (-1017.8, 3, "-1020"),
        (123456, 2, "120000"),
        (2.5, 2, "2.5"),
        (0.5, 1, "0.5"),
        (5.63e22, 3, "56300000000000000000000"),  # not the float's binary approximation, 56299999999999996854272
        (2.0**60, 4, "1153000000000000000"),
    ],
)
def test_significant_text_shows_exactly_the_figures_asked_for(value: float, digits: int, shown: str) -> None:
    """ "Expected: 1018" for 3 significant figures showed four; "100.0" for 99.96 likewise; 5.63e22 showed
    float noise past its third figure."""
    assert significant_text(value, digits) == shown
