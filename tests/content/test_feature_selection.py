"""The feature-selection deck: every numeric answer recomputed from its front, and the deck's mix."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_selection import SelectKBest, SequentialFeatureSelector, f_classif, mutual_info_classif
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV

from quizzer.decks.model import ChoiceCard, Deck, NumericCard
from tests.builtin_decks import builtin_decks

DECK_ID = "feature-selection"


def load_deck() -> Deck:
    decks = builtin_decks()
    return decks[DECK_ID]


DECK = load_deck()


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Counts fits across clones (a class attribute), so the selector's whole search is tallied."""

    fits = 0

    def fit(self, X: np.ndarray, y: np.ndarray) -> CountingClassifier:
        CountingClassifier.fits += 1
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.classes_[0])


def sequential_selector_fits() -> float:
    """Run the real SequentialFeatureSelector from the card and count how often it fits the model."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 20)), rng.integers(0, 2, 60)
    CountingClassifier.fits = 0
    SequentialFeatureSelector(CountingClassifier(), n_features_to_select=5, direction="forward", cv=5).fit(
        X, y
    )
    return CountingClassifier.fits


def vif_se_factor() -> float:
    """Two standardised predictors correlated at 0.9: SE ∝ √diag((XᵀX)⁻¹), against 1 when uncorrelated."""
    r = 0.9
    inverse = np.linalg.inv(np.array([[1.0, r], [r, 1.0]]))
    factor = math.sqrt(inverse[0, 0])
    assert factor == pytest.approx(math.sqrt(1 / (1 - r**2)))
    return factor


def boundary_share_by_simulation() -> float:
    """Monte Carlo check of 1 − 0.9⁵⁰, so the closed form in the card is not just trusted."""
    points = np.random.default_rng(1).random((200_000, 50))
    near_face = ((points < 0.05) | (points > 0.95)).any(axis=1)
    return float(near_face.mean())


RECOMPUTE: dict[str, Callable[[], float]] = {
    "curse-neighbourhood-edge": lambda: 0.05 ** (1 / 20),
    "curse-boundary-shell": lambda: 1 - 0.9**50,
    "variance-threshold-boolean": lambda: float(np.var([1] * 95 + [0] * 5)),
    "noise-passing-filter": lambda: 1000 * 0.05,
    "forward-selection-fits": sequential_selector_fits,
    "vif-se-inflation": vif_se_factor,
    "hashing-collision-share": lambda: 1 - (1 - 1 / 2**20) ** (100_000 - 1),
}


def numeric_cards() -> dict[str, NumericCard]:
    return {card.id: card for card in DECK.cards if isinstance(card, NumericCard)}


def test_every_numeric_card_is_recomputed() -> None:
    assert set(numeric_cards()) == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(card_id: str) -> None:
    card = numeric_cards()[card_id]
    absolute, relative = card.effective_tolerance
    expected = RECOMPUTE[card_id]()
    assert abs(card.answer - expected) <= max(absolute, relative * abs(expected)) + 1e-12, (card_id, expected)


def test_boundary_share_closed_form_matches_simulation() -> None:
    assert abs(boundary_share_by_simulation() - (1 - 0.9**50)) < 0.001


def test_hashing_shortcut_would_be_graded_wrong() -> None:
    """The card claims the quick n/m estimate is a different answer at its precision."""
    card = numeric_cards()["hashing-collision-share"]
    assert abs(100_000 / 2**20 - card.answer) > card.effective_tolerance[0]


def choice_answer(card_id: str) -> str | list[str]:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card.answer


def test_spread_only_feature_is_seen_by_mutual_information_not_anova() -> None:
    """anova-vs-mi-spread: equal class means, different spreads."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    x = np.where(y == 0, rng.normal(0, 1, y.size), rng.normal(0, 3, y.size)).reshape(-1, 1)
    _, p_value = f_classif(x, y)
    assert p_value[0] > 0.01
    assert mutual_info_classif(x, y, random_state=0)[0] > 0.1
    assert choice_answer("anova-vs-mi-spread") == "mutual_info_classif"


def test_xor_features_are_invisible_one_at_a_time() -> None:
    """univariate-misses-xor: each feature alone carries no information, the pair carries ln 2."""
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2, 4000), rng.integers(0, 2, 4000)
    y = a ^ b
    alone = mutual_info_classif(np.c_[a, b], y, discrete_features=True, random_state=0)
    together = mutual_info_classif((2 * a + b).reshape(-1, 1), y, discrete_features=True, random_state=0)
    assert alone.max() < 0.01
    assert together[0] == pytest.approx(math.log(2), abs=0.01)


def test_ridge_splits_an_exact_duplicate_evenly() -> None:
    """duplicate-feature-across-methods: Ridge gives the two copies the same weight."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = 3 * x + rng.normal(scale=0.1, size=200)
    coef = Ridge(alpha=1.0).fit(np.c_[x, x], y).coef_
    assert coef[0] == pytest.approx(coef[1])
    assert coef.sum() == pytest.approx(3, abs=0.1)


def test_collinear_predictions_fail_off_the_ridge() -> None:
    """multicollinearity-and-predictions: prediction variance at (+1, -1) SD is (1 + r)/(1 - r) = 99x that at (+1, +1)."""
    r, rows, repeats = 0.98, 200, 2_000
    rng = np.random.default_rng(0)
    chol = np.linalg.cholesky(np.array([[1.0, r], [r, 1.0]]))
    on_ridge, off_ridge = np.array([1.0, 1.0]), np.array([1.0, -1.0])
    preds = np.empty((repeats, 2))
    for i in range(repeats):
        x = rng.normal(size=(rows, 2)) @ chol.T
        y = x @ np.array([1.0, 1.0]) + rng.normal(size=rows)
        beta = np.linalg.lstsq(x, y, rcond=None)[0]
        preds[i] = [on_ridge @ beta, off_ridge @ beta]
    assert (1 + r) / (1 - r) == pytest.approx(99)
    assert preds[:, 1].var() / preds[:, 0].var() == pytest.approx(99, rel=0.15)
    assert abs(preds[:, 0].mean() - 2.0) < 0.01 and abs(preds[:, 1].mean()) < 0.05


def test_selecting_on_the_training_rows_inflates_best_score_but_not_the_test_score() -> None:
    """selection-inside-cv-code: on random labels the leaked best_score_ looks good, the test score is chance."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5_000))
    y = rng.integers(0, 2, size=600)
    x_train, y_train, x_test, y_test = x[:100], y[:100], x[100:], y[100:]
    selector = SelectKBest(k=20).fit(x_train, y_train)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=5)
    search.fit(selector.transform(x_train), y_train)
    assert search.best_score_ > 0.75
    assert abs(search.score(selector.transform(x_test), y_test) - 0.5) < 0.1
