"""Small decks for the mock-interview tests: explain-it cards with key points, numeric problems, judgement
calls, and an open card without key points (which a round cannot ask)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from quizzer.decks.loader import DeckCollection, LoadedDeck, parse_deck
from quizzer.decks.model import Deck

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

REGRESSION = """\
id: regression
title: Regression
cards:
  - id: lasso-vs-ridge
    front: When would you choose Lasso or Ridge?
    back: Lasso when few features matter; it zeroes coefficients. Ridge shrinks all of them.
    tags: [interview]
    points:
      - text: "Lasso sets some coefficients exactly to zero"
        also: ["L1 gives a sparse model"]
        must: true
      - text: "Ridge shrinks every coefficient without zeroing any"
        also: ["L2 keeps all features"]
  - id: r2
    front: What does R² measure?
    back: The share of the target's variance explained, compared with predicting the mean.
    points:
      - text: "The share of variance explained"
        must: true
      - text: "Compared with always predicting the mean"
  - id: mse
    kind: numeric
    front: Errors 1 and 3. What is the MSE? (whole number)
    answer: 5
    tolerance: 0
  - id: loss-choice
    kind: choice
    front: Which loss is least sensitive to outliers?
    options: ["MSE", "MAE", "Squared hinge", "Log-cosh of squared errors"]
    answer: "MAE"
    shuffle: false
  - id: no-points
    front: Say anything about regression.
    back: An open card without key points needs a self-grade.
"""

METRICS = """\
id: metrics
title: Metrics
cards:
  - id: precision-def
    front: What is precision?
    back: Of the items predicted positive, the share that are positive.
    tags: [interview]
    points:
      - text: "The share of predicted positives that are truly positive"
        must: true
      - text: "TP divided by TP plus FP"
  - id: recall-def
    front: What is recall?
    back: Of the positive items, the share predicted positive.
    points:
      - text: "The share of actual positives that are found"
        must: true
      - text: "TP divided by TP plus FN"
  - id: recall-num
    kind: numeric
    front: TP 3, FN 1. What is the recall? (2 decimals)
    answer: 0.75
    tolerance: 0.01
  - id: f1-num
    kind: numeric
    front: Precision 0.5 and recall 1. What is F1? (2 decimals)
    answer: 0.67
    tolerance: 0.01
  - id: metric-choice
    kind: choice
    front: Which metric suits a rare positive class?
    options: ["Accuracy", "PR AUC", "Mean squared error", "R²"]
    answer: "PR AUC"
    shuffle: false
"""

TREES = """\
id: trees
title: Trees
cards:
  - id: gini
    front: What does the Gini impurity measure?
    back: The chance two random draws from a node have different classes.
    points:
      - text: "The chance two random draws have different classes"
        must: true
      - text: "Zero for a pure node"
  - id: depth-choice
    kind: choice
    front: Which change reduces a deep tree's variance?
    options: ["Deeper trees", "Fewer samples per leaf", "A larger min_samples_leaf", "No pruning"]
    answer: "A larger min_samples_leaf"
    shuffle: false
  - id: leaves
    kind: numeric
    front: A full binary tree of depth 3 has how many leaves? (whole number)
    answer: 8
    tolerance: 0
"""

SELF_GRADED_ONLY = """\
id: selfgraded
title: Self-graded only
cards:
  - id: only
    front: Explain bagging.
    back: Averaging models fitted on bootstrap samples lowers variance.
"""


def deck(text: str) -> Deck:
    return parse_deck(text, "<test>")


def collection(*texts: str) -> DeckCollection:
    return DeckCollection(
        [LoadedDeck(d, Path(f"decks/{d.id}.yaml"), builtin=False) for d in map(deck, texts)]
    )
