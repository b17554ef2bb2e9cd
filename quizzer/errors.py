"""Errors a person can act on. The CLI and the app print these without a traceback."""

from __future__ import annotations


class QuizzerError(Exception):
    """Base error: a short title and a message that says what to do."""

    title = "Error"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class DeckError(QuizzerError):
    title = "Deck error"


class StoreError(QuizzerError):
    title = "Database error"


class GeneratorError(QuizzerError):
    title = "Generator error"


class UsageError(QuizzerError):
    title = "Usage error"
