"""Shared pieces of the app tests: small decks, a fixed clock and seed, an app factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizzer.decks.loader import DeckCollection, LoadedDeck, parse_deck
from quizzer.decks.model import Deck
from quizzer.session import Session, SessionConfig
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


TOPICS_DECK = """\
id: topics
title: Two topics
cards:
  - id: ece
    kind: numeric
    front: A model says 0.8 on 100 cases and 60 are positive. What is the gap?
    answer: 0.2
    tags: [calibration]
  - id: brier
    kind: numeric
    front: Brier score of predicting 0.5 for a positive?
    answer: 0.25
    tags: [calibration]
  - id: recall
    kind: numeric
    front: TP 3, FN 1. Recall?
    answer: 0.75
    tags: [metrics]
  - id: precision
    kind: numeric
    front: TP 3, FP 1. Precision?
    answer: 0.75
    tags: [metrics]
"""

HISTORY_DAYS = 3  # study days of history, the last one today: a streak of 3


def record_history(
    store: Store, text: str = TOPICS_DECK, days: int = HISTORY_DAYS, end: datetime = NOW
) -> Deck:
    """A known review log: on each of the last ``days`` study days up to ``end`` every card of the deck is
    asked once; "calibration" cards are missed (10 s each), the others answered right (2 s each)."""
    topics = deck(text)
    for back in range(days - 1, -1, -1):
        now = end - timedelta(days=back, hours=1)
        session = Session(
            store,
            [topics],
            now=now,
            seed=SEED,
            config=CONFIG,
            cards=[(topics, card) for card in topics.cards],
        )
        for _ in range(session.total_first_asks):
            item = session.next()
            assert item is not None and not item.reask
            missed = "calibration" in item.tags
            now += timedelta(seconds=10)
            session.record(
                item, 1 if missed else 5, now=now, correct=not missed, response_ms=10_000 if missed else 2_000
            )
    return topics
