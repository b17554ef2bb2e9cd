"""Every built-in open card's own back, typed as the answer, passes its key points.

The back is the model answer: a learner who types it must not be marked wrong. When a back fails its own
must-points, the points say something the back does not say, or say it in words the lexical grader cannot match
(a hard line wrap in the back also ends a sentence for the grader, splitting "cannot" from what it negates). The
fix belongs in the card: points faithful to the back, an ``also`` phrasing that says the point the way the back
does, or a back reflowed so a sentence is not broken in the middle of a negation.

One test per deck file, so pytest-xdist spreads the fitting and grading (about 15 s for all decks in one process).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzer import keypoints
from quizzer.decks.loader import load_deck

ROOT = Path(__file__).resolve().parents[2]
DECK_FILES = sorted((ROOT / "decks").glob("*.yaml"))


def test_the_built_in_decks_are_found() -> None:
    assert len(DECK_FILES) >= 20


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda path: path.stem)
def test_every_open_cards_back_passes_its_own_points(path: Path) -> None:
    deck = load_deck(path)
    graded = [card for card in deck.cards if keypoints.grades_typed_answers(card)]
    assert graded, f"{path.name} has no open card with key points"
    failing = {}
    for card in graded:
        grade = keypoints.grade_answer(deck, card, card.back)  # type: ignore[arg-type]
        if not grade.correct:
            failing[card.id] = [
                (point.text, round(point.score, 2)) for point in grade.points if point.must and not point.made
            ]
    assert not failing, failing
