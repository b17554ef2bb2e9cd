"""Typed answers built to game the key-point grader stay under stated rates (``tests/benchmarks/probe_grader.py``).

Every answer the probe builds is wrong by construction (a keyword list, every point negated or swapped, the question
said back, a stock answer, another card's points, one bare ``also`` phrase), so each pass is a defect. The whole probe
over all the built-in decks takes over a minute; here it runs on four decks of different subjects (about 80 open cards,
1,400 answers, some 8 s). The rates are what the grader reaches now with a margin; before the fixes it passed 18% of
these cards on a keyword salad, 60% on a comma-separated one, 54% with every point negated (33% after the first fixes,
4% since a point the answer denies is no longer made by another of its sentences) and credited 94% of the points whose
bare ``also`` phrase was typed alone; with one contrast term swapped in every point it passed 42% of the cards and
was credited 78% of the points, 5% and 18% since such a sentence denies its point too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizzer import keypoints
from quizzer.decks.loader import load_deck
from quizzer.decks.model import Deck
from tests.benchmarks import probe_grader

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("grader-probe")  # one worker builds and grades the probe once
SAMPLE = (
    "00-interview-notes.yaml",
    "05-evaluation-metrics.yaml",
    "14-probability-statistics.yaml",
    "19-recommender-systems.yaml",
)

# kind: (largest share of cards an answer of that kind may pass, largest share of targeted points it may be credited)
RATES = {
    "salad": (0.0, 0.02),
    "salad-commas": (0.05, 0.06),
    "point-salad": (0.25, 0.30),
    "negated": (0.08, 0.16),
    "swapped": (0.10, 0.25),
    "question": (0.0, 0.01),
    "generic": (0.02, 0.02),
    "other-card": (0.0, 0.01),
    "other-deck": (0.10, 0.12),
    "also-alone": (0.15, 0.25),
}


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    return [load_deck(ROOT / "decks" / name) for name in SAMPLE]


@pytest.fixture(scope="module")
def tallies(decks: list[Deck]) -> dict[str, probe_grader.Tally]:
    return probe_grader.run(decks, probe_grader.build_attacks(decks), keep=5)


def _failures(tally: probe_grader.Tally) -> list[str]:
    return [f"{attack.card}: {attack.answer!r}" for attack, _grade in tally.examples]


def test_every_kind_of_attack_is_built_for_the_sample(tallies: dict[str, probe_grader.Tally]) -> None:
    assert set(tallies) == set(probe_grader.KINDS) == set(RATES)
    assert len(tallies["salad"].cards) >= 75
    assert tallies["swapped"].answers >= 40 and tallies["also-alone"].answers >= 100


def test_keyword_salad_passes_no_card(tallies: dict[str, probe_grader.Tally]) -> None:
    salad = tallies["salad"]
    assert not salad.cards_passed, _failures(salad)
    assert salad.credit_rate <= RATES["salad"][1], _failures(salad)


@pytest.mark.parametrize("kind", sorted(RATES))
def test_each_kind_of_attack_stays_under_its_rate(tallies: dict[str, probe_grader.Tally], kind: str) -> None:
    tally = tallies[kind]
    cards, points = RATES[kind]
    assert len(tally.cards_passed) <= cards * len(tally.cards), (len(tally.cards_passed), _failures(tally))
    assert tally.credit_rate <= points, (round(tally.credit_rate, 3), _failures(tally))


# Backs that missed a must-point of their own card before the fixes too (see the report of the grader probe).
BACKS_FAILING_BEFORE = {"kl-properties", "overlapping-cis-pitfall", "random-split-leak"}


def test_the_cards_own_backs_still_pass(decks: list[Deck]) -> None:
    cards = [(deck, card) for deck in decks for card in probe_grader.graded_cards(deck)]
    failing = {card.id for deck, card in cards if not keypoints.grade_answer(deck, card, card.back).correct}
    assert failing <= BACKS_FAILING_BEFORE, failing - BACKS_FAILING_BEFORE


def test_attacks_are_built_as_documented(decks: list[Deck]) -> None:
    """The probe's answers are wrong by construction: no relation words in a salad, a negation or a swap per point."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    attacks = probe_grader.build_attacks(decks[:1])
    by_kind: dict[str, list[probe_grader.Attack]] = {}
    for attack in attacks:
        by_kind.setdefault(attack.kind, []).append(attack)
    for attack in by_kind["salad"]:
        words = attack.answer.split()
        assert len(words) == probe_grader.SALAD_SIZE
        assert not {word.casefold() for word in words} & ENGLISH_STOP_WORDS, attack.answer
    for attack in by_kind["also-alone"]:
        assert len(attack.answer.split()) <= 2 and len(attack.targets) == 1
    deck = decks[0]
    for attack in by_kind["negated"]:
        points = deck.card(attack.card).points or ()
        assert len(re.findall(r"\b(?:not|never|Do not)\b", attack.answer)) >= sum(
            not re.search(r"\b(?:not|never|no|without|none|cannot)\b|n't", point.text) for point in points
        ), attack.answer


@pytest.mark.parametrize(
    ("statement", "negated"),
    [
        ("OLS minimises the sum of squared residuals", "OLS never minimises the sum of squared residuals"),
        ("Precision is TP / (TP + FP)", "Precision is not TP / (TP + FP)"),
        ("Sweep thresholds on validation data", "Do not sweep thresholds on validation data"),
        ("Layers reuse and compose features", "Layers do not reuse and compose features"),
        (
            "More data alone will not help an underfitting model",
            "More data alone will help an underfitting model",
        ),
    ],
)
def test_negate(statement: str, negated: str) -> None:
    assert probe_grader.negate(statement) == negated


@pytest.mark.parametrize(
    ("statement", "swapped"),
    [
        ("Lasso zeroes some coefficients", "Ridge zeroes some coefficients"),
        ("High bias means underfitting", "High variance means underfitting"),
        ("Precision and recall trade off against each other", None),  # both sides named: a swap says the same
        ("Recall = TP / (TP + FN)", "Precision = TP / (TP + FN)"),
        (
            "Small k and deep trees follow individual points",
            "Large k and deep trees follow individual points",  # the first pair in SWAPS with one side named
        ),
    ],
)
def test_swap(statement: str, swapped: str | None) -> None:
    assert probe_grader.swap(statement) == swapped
