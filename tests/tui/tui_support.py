"""Shared pieces of the app tests: small decks, a fixed clock and seed, an app factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizzer.decks.loader import DeckCollection, LoadedDeck, parse_deck
from quizzer.decks.model import Deck
from quizzer.session import SessionConfig
from quizzer.store import Store
from quizzer.tui.app import QuizzerApp

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
SEED = 7
CONFIG = SessionConfig(tz=UTC)

OPEN_DECK = """\
id: recall
title: Recall cards
description: Two open cards.
cards:
  - id: converged
    front: What does it mean for a model to have **converged**?
    back: The loss has settled; more iterations no longer improve the objective.
  - id: code
    front: |
      What does this print?

      ```python
      import numpy as np
      print(np.arange(6).reshape(2, 3).sum(axis=0))
      ```
    back: "`[3 5 7]`: summing over axis 0 adds the rows."
"""

NUMERIC_DECK = """\
id: numbers
title: Numeric cards
cards:
  - id: recall-frac
    kind: numeric
    front: Three real cats, two found. What is the recall?
    answer: 0.667
    explanation: Recall = TP / (TP + FN) = 2/3.
"""

CHOICE_DECK = """\
id: choices
title: Choice cards
cards:
  - id: prime
    kind: choice
    front: Which number is prime?
    options: ["4", "6", "7", "9"]
    answer: "7"
    explanation: 7 has no divisors but 1 and itself.
    shuffle: false
  - id: variance-fixes
    kind: choice
    front: Which of these reduce variance? (Select all that apply.)
    options: ["More data", "Stronger regularisation", "More epochs", "Polynomial features"]
    answer: ["More data", "Stronger regularisation"]
    shuffle: false
"""

GENERATED_DECK = """\
id: generated
title: Generated problems
cards:
  - id: cm-precision
    kind: generated
    front: Read the matrix carefully.
    generator: confusion-matrix
    params: {task: binary, metric: precision}
"""

LEARNING_CURVE_DECK = """\
id: curves
title: Learning curves
cards:
  - id: lc
    kind: generated
    generator: learning-curve
"""


def deck(text: str) -> Deck:
    return parse_deck(text, "<test>")


def collection(*texts: str) -> DeckCollection:
    """Decks as if loaded from fixed paths (so screens that show paths are deterministic)."""
    decks = [deck(text) for text in texts]
    return DeckCollection([LoadedDeck(d, Path(f"decks/{d.id}.yaml"), builtin=False) for d in decks])


class Clock:
    """A clock that moves only when told (each answer takes ``step``)."""

    def __init__(self, start: datetime = NOW, step: timedelta = timedelta(seconds=0)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


AppFactory = Callable[..., QuizzerApp]


def app_factory(store: Store) -> AppFactory:
    def make(
        *texts: str, drill: bool | list[str] = False, clock: Clock | None = None, **config: object
    ) -> QuizzerApp:
        decks = collection(*texts)
        chosen = None
        if drill is True:
            chosen = [loaded.deck for loaded in decks.decks]
        elif drill:
            chosen = [loaded.deck for loaded in decks.decks if loaded.deck.id in drill]
        settings = SessionConfig(tz=UTC, **config) if config else CONFIG  # type: ignore[arg-type]
        return QuizzerApp(store, decks, drill=chosen, clock=clock or Clock(), seed=SEED, config=settings)

    return make
