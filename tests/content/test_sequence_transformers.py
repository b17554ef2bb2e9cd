"""The sequence-transformers deck: every numeric answer recomputed from its front, and its kind mix kept honest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import Deck, NumericCard
from tests.builtin_decks import builtin_decks

DECK_ID = "sequence-transformers"


def load_deck() -> Deck:
    decks = builtin_decks()
    return decks[DECK_ID]


DECK = load_deck()
NUMERIC = {card.id: card for card in DECK.cards if isinstance(card, NumericCard)}


def rnn_jacobian_decay() -> float:
    """Bound on the gradient's scale after 50 steps whose Jacobians have spectral norm 0.9."""
    return 0.9**50


def lstm_param_count() -> float:
    """nn.LSTM(128, 256): four gate blocks, each with input and recurrent weights and two bias vectors."""
    input_size, hidden = 128, 256
    return 4 * (hidden * input_size + hidden * hidden + 2 * hidden)


def dot_product_std() -> float:
    """Empirical std of q·k for unit-variance components, d_k = 64, rounded to the whole number asked for."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((200_000, 64))
    k = rng.standard_normal((200_000, 64))
    std = float(np.sum(q * k, axis=1).std())
    assert abs(std - 8) < 0.1
    return round(std)


def mha_param_count() -> float:
    """Q, K, V and output projections of width 512 with biases; the head count does not enter."""
    d_model = 512
    return 4 * (d_model * d_model + d_model)


def lora_param_count() -> float:
    """Rank-16 LoRA on two 4096×4096 matrices in each of 32 layers: r·(d_in + d_out) per matrix."""
    rank, d_in, d_out, matrices = 16, 4096, 4096, 2 * 32
    full = np.zeros((d_out, d_in))
    a, b = np.zeros((rank, d_in)), np.zeros((d_out, rank))
    assert (b @ a).shape == full.shape
    return matrices * (a.size + b.size)


def attention_memory_ratio() -> float:
    """Ratio of n×n score-matrix sizes for 8,192 and 2,048 tokens."""
    return np.zeros((8192, 8192), dtype=np.int8).size / np.zeros((2048, 2048), dtype=np.int8).size


def gqa_cache_per_token(kv_heads: int = 8) -> float:
    """fp16 K and V for one token: 80 layers × kv_heads heads × 128 dims × 2 bytes, in KiB."""
    layers, head_dim, bytes_per_value = 80, 128, 2
    return 2 * layers * kv_heads * head_dim * bytes_per_value / 2**10


def temperature_probability(temperature: float = 0.5) -> float:
    """Softmax of logits (2, 1, 0) divided by the temperature, top token, rounded to 3 decimals."""
    logits = np.array([2.0, 1.0, 0.0]) / temperature
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    return round(float(probs[0]), 3)


RECOMPUTE = {
    "rnn-jacobian-decay": lambda: round(rnn_jacobian_decay(), 4),
    "lstm-param-count": lstm_param_count,
    "dot-product-std": dot_product_std,
    "mha-param-count": mha_param_count,
    "lora-param-count": lora_param_count,
    "attention-memory-ratio": attention_memory_ratio,
    "gqa-cache-per-token": gqa_cache_per_token,
    "temperature-probability": temperature_probability,
}


def test_every_numeric_card_is_recomputed() -> None:
    assert set(NUMERIC) == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(card_id: str) -> None:
    card = NUMERIC[card_id]
    expected = RECOMPUTE[card_id]()
    tolerance = card.tolerance if card.tolerance is not None else 1e-9
    assert math.isclose(card.answer, expected, abs_tol=tolerance + 1e-12), (card_id, card.answer, expected)


def test_traps_differ_from_the_answer() -> None:
    """The usual mistakes named in the explanations must fall outside the tolerance, or the card tests nothing."""
    traps = {
        "mha-param-count": [8 * mha_param_count(), 3 * (512 * 512 + 512)],
        "lora-param-count": [64 * 16 * 4096 * 4096, lora_param_count() / 2],
        "gqa-cache-per-token": [gqa_cache_per_token(kv_heads=64), gqa_cache_per_token() / 2],
        "temperature-probability": [temperature_probability(1.0)],
        "dot-product-std": [64, 1],
        "attention-memory-ratio": [4],
    }
    for card_id, wrong_answers in traps.items():
        card = NUMERIC[card_id]
        for wrong in wrong_answers:
            assert abs(card.answer - wrong) > (card.tolerance or 0), (card_id, wrong)
