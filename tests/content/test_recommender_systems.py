"""The recommender-systems deck: every numeric answer recomputed from its front, and the card mix kept honest."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks

DECK = builtin_decks()["recommender-systems"]
CARDS = {card.id: card for card in DECK.cards}


def biased_mf_prediction() -> float:
    """μ + b_u + b_i + p_u·q_i with the numbers on the card."""
    p_u = np.array([0.5, -1.0, 0.2])
    q_i = np.array([0.8, 0.3, 1.5])
    return 3.5 + (-0.3) + 0.4 + float(p_u @ q_i)


def mf_parameter_millions() -> float:
    """Factor tables for users and items, one bias each, one global mean."""
    users, items, k = 1_000_000, 100_000, 64
    return ((users + items) * k + users + items + 1) / 1e6


def hkv_confidence() -> float:
    """c = 1 + α·r from Hu, Koren & Volinsky (2008)."""
    alpha, plays = 40, 5
    return 1 + alpha * plays


def matrix_density_percent() -> float:
    return 100 * 20_000_000 / (500_000 * 40_000)


def brute_force_billions() -> float:
    """One multiply-add per embedding dimension for every item in the catalogue."""
    items, dim = 10_000_000, 128
    return items * dim / 1e9


EXPECTED: dict[str, Callable[[], float]] = {
    "mf-prediction-calc": biased_mf_prediction,
    "mf-parameter-count": mf_parameter_millions,
    "hkv-confidence-calc": hkv_confidence,
    "matrix-density-calc": matrix_density_percent,
    "brute-force-retrieval-calc": brute_force_billions,
}


def test_every_numeric_card_is_recomputed() -> None:
    numeric = {card.id for card in DECK.cards if isinstance(card, NumericCard)}
    assert numeric == set(EXPECTED)


@pytest.mark.parametrize("card_id", sorted(EXPECTED))
def test_numeric_answer(card_id: str) -> None:
    card = CARDS[card_id]
    assert isinstance(card, NumericCard)
    assert card.tolerance is not None
    assert abs(EXPECTED[card_id]() - card.answer) <= card.tolerance + 1e-9


def test_common_slips_are_graded_wrong() -> None:
    """The numbers were picked so the usual mistakes fall outside the tolerance."""
    prediction = CARDS["mf-prediction-calc"]
    assert abs(biased_mf_prediction() - 3.5 - prediction.answer) > prediction.tolerance  # forgot μ
    params = CARDS["mf-parameter-count"]
    assert abs((1_100_000 * 64) / 1e6 - params.answer) > params.tolerance  # forgot the biases
    confidence = CARDS["hkv-confidence-calc"]
    assert abs(40 * 5 - confidence.answer) > confidence.tolerance  # dropped the baseline 1
