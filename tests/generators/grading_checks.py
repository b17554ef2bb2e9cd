"""Shared checks for the generator tests."""

from __future__ import annotations

from collections.abc import Iterable

from generators import Problem
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts


def assert_grades(problem: Problem, right: Iterable[str], wrong: Iterable[str], seed: int | None = None) -> None:
    """Every text in ``right`` grades correct and every text in ``wrong`` grades wrong (none unreadable)."""
    for text in right:
        grade = grade_parts(problem.parts, text)
        assert not isinstance(grade, Unreadable) and grade.correct, (seed, text)
    for text in wrong:
        grade = grade_parts(problem.parts, text)
        assert not isinstance(grade, Unreadable) and not grade.correct, (seed, text)
