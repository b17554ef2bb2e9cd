"""generators._tree: scikit-learn's CART tree rebuilt in numpy is scikit-learn's tree, node for node.

Random data of the shapes the families fit (two features in [-1, 1], noisy labels or targets, a few to a few
hundred rows, depth 1, 7 or unbounded, any random_state) goes to both: the same features, thresholds,
impurities, children and node values, float for float, and the same predictions on fresh points. Small nodes
(searched in plain Python) and large ones (numpy) are both exercised; so are ties between features, which
scikit-learn settles by its random feature order, and features that are constant within a node.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from generators._tree import SMALL_NODE, fit_tree
from tests.generators.family_checks import assert_import_is_light


def _data(rng: np.random.Generator, n: int, classification: bool, classes: int = 2) -> tuple:
    X = rng.uniform(-1, 1, size=(n, 2))
    if classification:
        clean = (X[:, 0] ** 2 + X[:, 1] ** 2 < 0.6).astype(int) + (classes > 2) * (X[:, 0] > 0.5)
        return X, np.where(rng.random(n) < 0.25, rng.integers(0, classes, n), clean)
    return X, np.sin(3 * X[:, 0]) + 0.5 * X[:, 1] + rng.normal(0, 0.4, n)


def _assert_same_tree(
    X: np.ndarray, y: np.ndarray, classification: bool, depth: int | None, seed: int, criterion: str = "gini"
) -> None:
    ours = fit_tree(
        X, y, classification=classification, max_depth=depth, random_state=seed, criterion=criterion
    )
    if classification:
        theirs = DecisionTreeClassifier(criterion=criterion, max_depth=depth, random_state=seed)
    else:
        theirs = DecisionTreeRegressor(max_depth=depth, random_state=seed)
    theirs.fit(X.astype(np.float32), y)
    t, case = theirs.tree_, (len(X), classification, depth, seed, criterion)
    assert ours.feature == t.feature.tolist(), case
    assert ours.threshold == t.threshold.tolist(), case
    assert ours.left == t.children_left.tolist() and ours.right == t.children_right.tolist(), case
    assert ours.impurity == t.impurity.tolist(), case
    assert ours.n_samples == t.n_node_samples.tolist(), case
    assert np.array_equal(np.array(ours.value), t.value[:, 0, :]), case
    fresh = np.random.default_rng(seed).uniform(-1.1, 1.1, size=(300, X.shape[1]))
    assert np.array_equal(ours.predict(fresh), theirs.predict(fresh.astype(np.float32))), case


@pytest.mark.parametrize("classification", [True, False], ids=["gini", "squared-error"])
def test_trees_are_sklearns_node_for_node(classification: bool) -> None:
    rng = np.random.default_rng(16 + classification)
    for trial in range(90):
        n = int(rng.integers(2, 12)) if trial % 3 == 0 else int(rng.integers(SMALL_NODE, 320))
        X, y = _data(rng, n, classification, classes=3 if classification and trial % 4 == 0 else 2)
        _assert_same_tree(X, y, classification, (1, 7, None)[trial % 3], int(rng.integers(2**31)))


def test_entropy_trees_and_binary_features() -> None:
    """Entropy (bits, libm's log as scikit-learn takes it), on continuous features and on the 0/1 features
    tree-split fits, where every candidate split of a node ties with its twin on another feature."""
    rng = np.random.default_rng(23)
    for trial in range(60):
        n = int(rng.integers(6, 160))
        if trial % 2:
            X, y = _data(rng, n, True, classes=2 + trial % 3)
        else:
            y = rng.integers(0, 3, n)
            X = (rng.random((n, 3)) < 0.5).astype(float)
            X[:, 2] = X[:, 0]  # an exact twin of feature 0: the tree's feature order decides
        _assert_same_tree(X, y, True, (1, None)[trial % 2], int(rng.integers(2**31)), criterion="entropy")


def test_six_features_and_duplicated_rows() -> None:
    """class-imbalance's shape: six features, a shifted minority class, and minority rows copied several
    times (equal values in every feature), unpruned."""
    rng = np.random.default_rng(31)
    for _ in range(6):
        n = int(rng.integers(150, 500))
        X, y = rng.normal(size=(n, 6)), (rng.random(n) < 0.1).astype(int)
        X[y == 1, :3] += 0.9
        copies = np.repeat(np.flatnonzero(y == 1), int(rng.integers(1, 4)))
        X, y = np.concatenate([X, X[copies]]), np.concatenate([y, y[copies]])
        _assert_same_tree(X, y, True, None, int(rng.integers(2**31)))


def test_ties_and_constant_features() -> None:
    """Features on a coarse grid: many rows share a value, whole nodes are constant in one feature, and
    splits on either feature often tie; scikit-learn's feature order decides, and so does ours."""
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(4, 200))
        X = rng.integers(0, 4, size=(n, 2)).astype(float) / 4
        y = (X.sum(axis=1) + rng.normal(0, 0.3, n) > 0.75).astype(int)
        _assert_same_tree(X, y, True, (2, None)[trial % 2], int(rng.integers(2**31)))


def test_predict_walks_float32_features_against_float64_thresholds() -> None:
    """A point equal to a threshold in float32 but not in float64 goes where scikit-learn sends it."""
    X = np.array([[0.1], [0.2], [0.3], [0.4]])
    y = np.array([0, 0, 1, 1])
    tree = fit_tree(X, y, classification=True, random_state=0)
    edge = np.array([[tree.threshold[0]], [np.nextafter(tree.threshold[0], 1)], [0.25]])
    theirs = DecisionTreeClassifier(random_state=0).fit(X.astype(np.float32), y)
    assert np.array_equal(tree.predict(edge), theirs.predict(edge.astype(np.float32)))


def test_import_is_light() -> None:
    assert_import_is_light("generators._tree")
