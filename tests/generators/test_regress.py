"""generators._regress against scikit-learn, bit for bit: trees (every node), least squares, 1-NN."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from generators._regress import LinearFit, NearestNeighbour, RegressionTree
from tests.generators.family_checks import assert_import_is_light


def datasets(seed: int, count: int, ties: bool):
    """(x, y, queries): 2-300 points of a wiggly curve plus noise; with ``ties``, x on a grid (many equal
    values) and y sometimes rounded too. Queries cover the range, beyond it, and the training points."""
    rng = np.random.default_rng(seed)
    for trial in range(count):
        n = int(rng.integers(2, 301))
        low = float(rng.uniform(-10, 50))
        high = low + float(rng.uniform(1, 250))
        x = rng.uniform(low, high, n)
        if ties:
            x = np.round(x) if trial % 2 else np.round(x, 5)  # equal float32 values, or merely close ones
        y = 60 + 40 * np.sin(x / 7) + rng.normal(0, float(rng.choice([0.01, 1.0, 8.0])), n)
        if ties and trial % 3 == 0:
            y = np.round(y)
        queries = np.concatenate([rng.uniform(low - 20, high + 20, 41), x[:5]])
        yield x[:, None], y, queries[:, None]


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("max_depth", [1, None])
def test_tree_same_nodes_and_predictions_as_sklearn(max_depth: int | None, ties: bool) -> None:
    for x, y, queries in datasets(7 + ties, 60, ties):
        theirs = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(x, y)
        ours = RegressionTree(max_depth).fit(x, y)
        tree = theirs.tree_
        assert ours.threshold_ == tree.threshold.tolist()
        assert ours.value_ == tree.value[:, 0, 0].tolist()
        assert ours.impurity_ == tree.impurity.tolist()
        assert [c[0] for c in ours.children_] == tree.children_left.tolist()
        assert [c[1] for c in ours.children_] == tree.children_right.tolist()
        assert ours.predict(queries).tolist() == theirs.predict(queries).tolist()


def test_tree_constant_and_tiny_inputs() -> None:
    """One point, a constant x, and x values closer than scikit-learn's split tolerance give a single leaf."""
    for x in ([[3.0]], [[2.0], [2.0], [2.0]], [[1.0], [1.0 + 1e-8], [1.0 + 2e-8]]):
        y = np.arange(len(x), dtype=float) * 1.5
        theirs = DecisionTreeRegressor().fit(x, y)
        ours = RegressionTree().fit(np.array(x), y)
        assert ours.value_ == theirs.tree_.value[:, 0, 0].tolist()
        assert ours.predict(np.array([[0.0], [5.0]])).tolist() == theirs.predict([[0.0], [5.0]]).tolist()


@pytest.mark.parametrize("ties", [False, True])
def test_linear_fit_same_floats_as_sklearn(ties: bool) -> None:
    for x, y, queries in datasets(11 + ties, 200, ties):
        if np.ptp(x) == 0:
            continue
        theirs = LinearRegression().fit(x, y)
        ours = LinearFit().fit(x, y)
        assert ours.coef_.tolist() == theirs.coef_.tolist()
        assert float(ours.intercept_) == float(theirs.intercept_)
        assert ours.predict(queries).tolist() == theirs.predict(queries).tolist()


def test_numpy_and_scipy_lstsq_agree() -> None:
    """LinearRegression solves with scipy.linalg.lstsq, LinearFit with numpy.linalg.lstsq: both are LAPACK's
    gelsd, and on centred single columns they return the same floats."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(2, 301))
        x = rng.uniform(-50, 250, (n, 1))
        x -= x.mean(axis=0)
        y = rng.normal(0, 10, n)
        assert (
            np.linalg.lstsq(x, y, rcond=1e-6)[0].tolist() == scipy.linalg.lstsq(x, y, cond=1e-6)[0].tolist()
        )


def test_nearest_neighbour_same_floats_as_sklearn() -> None:
    for x, y, queries in datasets(13, 200, ties=False):
        theirs = KNeighborsRegressor(n_neighbors=1).fit(x, y).predict(queries)
        assert NearestNeighbour().fit(x, y).predict(queries).tolist() == theirs.tolist()


def test_nearest_neighbour_ties_go_to_the_first_point() -> None:
    """Among equally near points scikit-learn's KD-tree returns the first one seen; with at most 30 points
    (one leaf) that is the lowest index, as here. (Its order over several leaves is the tree's; the family
    draws continuous x, so no two training points are ever equally near a query.)"""
    rng = np.random.default_rng(17)
    for _ in range(300):
        n = int(rng.integers(2, 31))
        x = rng.integers(0, 12, (n, 1)).astype(float)
        y = rng.normal(0, 1, n)
        queries = np.concatenate([np.arange(-1, 13), np.arange(-1, 13) + 0.5])[:, None]
        theirs = KNeighborsRegressor(n_neighbors=1).fit(x, y).predict(queries)
        assert NearestNeighbour().fit(x, y).predict(queries).tolist() == theirs.tolist()


def test_one_feature_only() -> None:
    with pytest.raises(ValueError, match="one feature"):
        RegressionTree().fit(np.zeros((3, 2)), np.zeros(3))


def test_import_is_light() -> None:
    assert_import_is_light("generators._regress")
