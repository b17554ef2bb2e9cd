"""The computer-vision deck: every numeric answer recomputed from its front, and its kind mix kept honest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import Deck, NumericCard
from tests.builtin_decks import builtin_decks

DECK_ID = "computer-vision"


def load_deck() -> Deck:
    decks = builtin_decks()
    return decks[DECK_ID]


DECK = load_deck()
NUMERIC = {card.id: card for card in DECK.cards if isinstance(card, NumericCard)}


def focal_loss(p_t: float, gamma: float) -> float:
    """RetinaNet's focal loss without the α weight; gamma = 0 is plain cross-entropy."""
    return -((1 - p_t) ** gamma) * math.log(p_t)


def focal_loss_ratio() -> float:
    """Hard (p_t = 0.5) over easy (p_t = 0.9) focal loss at γ = 2, to 1 decimal."""
    return round(focal_loss(0.5, 2) / focal_loss(0.9, 2), 1)


def average_precision(hits: list[int], n_ground_truth: int, recall_grid: np.ndarray | None = None) -> float:
    """AP from a confidence-ranked list of TP (1) / FP (0) flags.

    With no grid: all-point interpolation (sum of recall steps × max precision at recall ≥ that level).
    With a grid (VOC 2007's 11 points, COCO's 101): mean interpolated precision over the grid.
    """
    hits_arr = np.asarray(hits)
    true_pos = np.cumsum(hits_arr)
    precision = true_pos / np.arange(1, hits_arr.size + 1)
    recall = true_pos / n_ground_truth

    def interpolated(level: float) -> float:
        reachable = precision[recall >= level - 1e-12]
        return float(reachable.max()) if reachable.size else 0.0

    if recall_grid is not None:
        return float(np.mean([interpolated(level) for level in recall_grid]))
    levels = np.unique(recall[hits_arr == 1])
    steps = np.diff(np.concatenate([[0.0], levels]))
    return float(sum(step * interpolated(level) for step, level in zip(steps, levels, strict=True)))


def ap_all_point() -> float:
    return round(average_precision([1, 1, 0, 0, 1], n_ground_truth=4), 2)


def transposed_conv_size() -> float:
    """PyTorch's ConvTranspose2d output size: (H − 1)·s − 2p + d·(k − 1) + output_padding + 1."""
    height, kernel, stride, padding, dilation, output_padding = 16, 3, 2, 1, 1, 0
    return (height - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def dice_from_iou() -> float:
    """Dice of two concrete masks built to have IoU 0.6: 6 shared pixels, 4 more in the union."""
    truth = np.zeros(20, dtype=bool)
    pred = np.zeros(20, dtype=bool)
    truth[0:8] = True  # pixels 0..7
    pred[2:10] = True  # pixels 2..9: intersection 6, union 10
    inter, union = np.sum(truth & pred), np.sum(truth | pred)
    assert inter / union == pytest.approx(0.6)
    return round(2 * inter / (truth.sum() + pred.sum()), 3)


def cutmix_weight() -> float:
    """Share of the 224×224 canvas covered by the pasted 112×112 patch."""
    canvas = np.zeros((224, 224))
    canvas[50:162, 70:182] = 1.0
    return round(float(canvas.mean()), 2)


def vit_token_count() -> float:
    """16×16 patches of a 384×384 image plus one [CLS] token."""
    image = np.zeros((384, 384))
    patches = image.reshape(384 // 16, 16, 384 // 16, 16).transpose(0, 2, 1, 3).reshape(-1, 16 * 16)
    return patches.shape[0] + 1


RECOMPUTE = {
    "focal-loss-ratio": focal_loss_ratio,
    "ap-all-point": ap_all_point,
    "transposed-conv-size": transposed_conv_size,
    "dice-from-iou": dice_from_iou,
    "cutmix-label": cutmix_weight,
    "vit-token-count": vit_token_count,
}


def test_every_numeric_card_is_recomputed() -> None:
    assert set(NUMERIC) == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(card_id: str) -> None:
    card = NUMERIC[card_id]
    expected = RECOMPUTE[card_id]()
    tolerance = card.tolerance if card.tolerance is not None else 1e-9
    assert math.isclose(card.answer, expected, abs_tol=tolerance + 1e-12), (card_id, card.answer, expected)


def test_ap_card_holds_under_every_interpolation_convention() -> None:
    """The card claims VOC 2007 (11-point) and COCO (101-point) AP also round to its answer."""
    card = NUMERIC["ap-all-point"]
    for grid in (np.linspace(0, 1, 11), np.linspace(0, 1, 101)):
        assert round(average_precision([1, 1, 0, 0, 1], 4, grid), 2) == pytest.approx(card.answer)


def test_traps_differ_from_the_answer() -> None:
    """The usual mistakes named in the explanations must fall outside the tolerance, or the card tests nothing."""
    traps = {
        "focal-loss-ratio": [focal_loss(0.5, 0) / focal_loss(0.9, 0)],
        "ap-all-point": [float(np.mean([1, 1, 2 / 3, 1 / 2, 3 / 5]))],
        "transposed-conv-size": [32],
        "dice-from-iou": [0.6],
        "cutmix-label": [0.5],
        "vit-token-count": [576, 197],
    }
    for card_id, wrong_answers in traps.items():
        card = NUMERIC[card_id]
        for wrong in wrong_answers:
            assert abs(card.answer - wrong) > (card.tolerance or 0), (card_id, wrong)


def test_retinanet_prior_initialisation_numbers() -> None:
    """The focal-loss card's bias (≈ −4.6 for π = 0.01) and the ~69,000 first-step loss it avoids."""
    prior = 0.01
    bias = -math.log((1 - prior) / prior)
    assert round(bias, 1) == -4.6
    assert 1 / (1 + math.exp(-bias)) == pytest.approx(prior)
    assert 100_000 * focal_loss(0.5, 0) == pytest.approx(69_000, rel=0.01)
    back = DECK.card("focal-loss").back or ""
    assert "−4.6" in back and "69,000" in back
