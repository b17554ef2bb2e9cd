"""classic-algorithms deck: every numeric answer recomputed from its front, plus size, mix and key-length checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC

from quizzer.decks.loader import load_sources
from quizzer.decks.model import NumericCard
from quizzer.paths import builtin_decks_dir

LOADED = load_sources([(builtin_decks_dir() / "13-classic-algorithms.yaml", True)])
assert LOADED.decks, LOADED.issues
DECK = LOADED.decks[0].deck
CARDS = {card.id: card for card in DECK.cards}


def rbf_value() -> float:
    return float(rbf_kernel(np.array([[1.0, 2.0]]), np.array([[3.0, 2.0]]), gamma=0.5)[0, 0])


def fitted_linear_svm() -> SVC:
    """A separable toy set whose closest points sit 0.2 either side of the plane 3x + 4y = 0, so w = (3, 4)."""
    normal = np.array([3.0, 4.0]) / 5
    tangent = np.array([-4.0, 3.0]) / 5
    offsets = np.array([-0.2, -0.2, -0.5, 0.2, 0.2, 0.6])
    along = np.array([-1.0, 1.0, 0.0, -1.0, 1.0, 0.0])
    x = offsets[:, None] * normal + along[:, None] * tangent
    y = np.array([-1, -1, -1, 1, 1, 1])
    return SVC(kernel="linear", C=1e6).fit(x, y)


def margin_width() -> float:
    return 2 / float(np.linalg.norm(fitted_linear_svm().coef_[0]))


def kernel_matrix_gb() -> float:
    n = 100_000
    return n * n * np.dtype(np.float64).itemsize / 1e9


def nb_parameter_count() -> float:
    classes, features = 2, 20
    return classes * features + (classes - 1)


def qda_covariance_params() -> float:
    classes, d = 3, 10
    upper = np.triu_indices(d)
    return classes * len(upper[0])


def lda_max_components() -> float:
    rng = np.random.default_rng(0)
    classes, d = 10, 300
    y = np.repeat(np.arange(classes), 40)
    x = rng.normal(size=(len(y), d)) + y[:, None] * 0.1
    return LinearDiscriminantAnalysis().fit(x, y).transform(x).shape[1]


RECOMPUTE = {
    "rbf-kernel-value": rbf_value,
    "svm-margin-width": margin_width,
    "kernel-matrix-memory": kernel_matrix_gb,
    "nb-parameter-count": nb_parameter_count,
    "qda-covariance-params": qda_covariance_params,
    "lda-max-components": lda_max_components,
}


def test_every_numeric_card_is_recomputed() -> None:
    assert not LOADED.issues and DECK.id == "classic-algorithms"
    numeric = {card.id for card in DECK.cards if isinstance(card, NumericCard)}
    assert numeric == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer(card_id: str) -> None:
    card = CARDS[card_id]
    assert isinstance(card, NumericCard)
    assert card.tolerance is not None
    assert abs(RECOMPUTE[card_id]() - card.answer) <= card.tolerance + 1e-12


def test_toy_svm_has_the_cards_weight_vector() -> None:
    assert fitted_linear_svm().coef_[0] == pytest.approx([3.0, 4.0], abs=1e-3)


def test_nb_parameter_count_is_far_below_the_full_joint() -> None:
    full_joint = 2 * (2**20 - 1) + 1
    assert full_joint == 2_097_151
    assert CARDS["nb-parameter-count"].answer < full_joint / 10_000


def test_nearest_neighbour_median_distance_in_the_knn_curse_card() -> None:
    """ESL eq. 2.24: median distance from the centre to the nearest of N uniform points in the unit p-ball."""
    n_points, dims = 500, 10
    closed_form = (1 - 0.5 ** (1 / n_points)) ** (1 / dims)
    rng = np.random.default_rng(0)
    points = rng.normal(size=(1000, n_points, dims))
    points /= np.linalg.norm(points, axis=2, keepdims=True)
    points *= rng.random((1000, n_points, 1)) ** (1 / dims)
    nearest = np.linalg.norm(points, axis=2).min(axis=1)
    assert closed_form == pytest.approx(0.52, abs=0.005)
    assert float(np.median(nearest)) == pytest.approx(closed_form, abs=0.01)
    assert "≈ 0.52" in CARDS["curse-of-dimensionality-knn"].back


def test_numeric_tolerances_are_no_looser_than_the_precision_asked() -> None:
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            assert card.tolerance is not None and card.tolerance <= 0.1, card.id
            assert math.isfinite(card.answer)
