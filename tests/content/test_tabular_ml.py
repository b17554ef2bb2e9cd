"""The tabular-ML deck: every numeric answer recomputed from the numbers in its front (the extrapolation card by
fitting a real regression tree, the ensemble variance by simulation as well as by formula), and the claims behind
two choice cards checked on data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["tabular"]


def stack_fit_count() -> float:
    base_models, folds = 3, 5
    # One fit per fold for the out-of-fold column, plus the refit on all rows used at prediction time.
    return base_models * (folds + 1)


def ensemble_correlated_variance() -> float:
    models, sigma2, rho = 4, 1.0, 0.6
    return rho * sigma2 + (1 - rho) * sigma2 / models


def catboost_ordered_ts() -> float:
    earlier_targets = [1, 1, 1, 0]
    prior, weight = 0.2, 1.0
    return (sum(earlier_targets) + weight * prior) / (len(earlier_targets) + weight)


def onehot_column_count() -> float:
    return float(sum([12, 50, 3000]))


def tree_extrapolation() -> float:
    x = np.arange(11, dtype=float).reshape(-1, 1)
    tree = DecisionTreeRegressor(random_state=0).fit(x, 3 * x.ravel())
    return float(tree.predict(np.array([[20.0]]))[0])


def histogram_split_candidates() -> float:
    features, bins = 40, 255
    return float(features * (bins - 1))


def permutation_importance_drop() -> float:
    baseline = 0.850
    shuffled = np.array([0.801, 0.815, 0.792, 0.808, 0.819])
    return float(baseline - shuffled.mean())


RECOMPUTE = {
    "stack-fit-count": stack_fit_count,
    "ensemble-correlated-variance": ensemble_correlated_variance,
    "catboost-ordered-ts-numeric": catboost_ordered_ts,
    "onehot-column-count": onehot_column_count,
    "tree-extrapolation-numeric": tree_extrapolation,
    "histogram-split-candidates": histogram_split_candidates,
    "permutation-importance-numeric": permutation_importance_drop,
}

test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_correlated_variance_formula_matches_simulation() -> None:
    """Draw four unit-variance errors with pairwise correlation 0.6: their average's variance is 0.70, not the
    0.25 that independence would give."""
    rng = np.random.default_rng(0)
    cov = np.full((4, 4), 0.6) + 0.4 * np.eye(4)
    errors = rng.multivariate_normal(np.zeros(4), cov, size=200_000)
    assert errors.mean(axis=1).var() == pytest.approx(ensemble_correlated_variance(), abs=0.01)
    assert ensemble_correlated_variance() != pytest.approx(0.25)


def test_ordered_statistic_differs_from_leaky_one() -> None:
    """The explanation's leaky value (the row's own target 1 included) and prior-free mean are what it quotes."""
    earlier, own, prior, weight = [1, 1, 1, 0], 1, 0.2, 1.0
    leaky = (sum(earlier) + own + weight * prior) / (len(earlier) + 1 + weight)
    raw_mean = sum(earlier) / len(earlier)
    explanation = DECK.card("catboost-ordered-ts-numeric").explanation
    assert explanation is not None
    assert f"{leaky:.2f}" in explanation and f"{raw_mean:.2f}" in explanation
    assert round(leaky, 2) != round(catboost_ordered_ts(), 2)


def test_stacking_classifier_fits_match_the_count() -> None:
    """StackingClassifier fits each base model once per fold and once more on all rows: count the fit calls."""
    calls: list[int] = []

    class CountingTree(DecisionTreeClassifier):
        def fit(self, X, y, sample_weight=None, check_input=True):  # noqa: N803 - sklearn's signature
            calls.append(len(y))
            return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)

    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 3))
    y = (x[:, 0] > 0).astype(int)
    estimators = [(f"tree{i}", CountingTree(max_depth=i + 1, random_state=0)) for i in range(3)]
    StackingClassifier(estimators=estimators, final_estimator=LogisticRegression(), cv=5).fit(x, y)
    assert len(calls) == stack_fit_count()


def test_raw_average_is_dominated_by_the_wide_scale_model() -> None:
    """The rank-averaging card: averaging raw scores lets the wide-range model decide the ordering, ranks do not."""
    card = DECK.card("rank-averaging")
    assert isinstance(card, ChoiceCard)
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=2000)
    prob = 1 / (1 + np.exp(-(1.5 * y - 0.75 + rng.normal(size=2000))))  # good model, scores in (0, 1)
    svm = 8 * np.tanh(0.2 * y + rng.normal(size=2000))  # weaker model, scores in (-8, 8)
    raw = (prob + svm) / 2
    ranks = (np.argsort(np.argsort(prob)) + np.argsort(np.argsort(svm))) / 2
    # The raw average stays near the weak SVM (about 0.59 vs 0.57) far below the good model (about 0.84).
    assert roc_auc_score(y, raw) - roc_auc_score(y, svm) < 0.05
    assert roc_auc_score(y, prob) - roc_auc_score(y, raw) > 0.2
    assert roc_auc_score(y, ranks) > roc_auc_score(y, raw) + 0.1
    assert "ranks" in card.answer
