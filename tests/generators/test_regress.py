"""generators._regress against scikit-learn, bit for bit: trees (every node), least squares, 1-NN, the Lasso
path and Ridge."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.linear_model import lasso_path as sklearn_lasso_path
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from generators._regress import (
    LinearFit,
    NearestNeighbour,
    RegressionTree,
    _axpy,
    _fma,
    _ratio,
    lasso_path,
    ridge_coefs,
)
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


def correlated_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """3-6 centred features (two of them correlated at 0.5-0.99) on 20-300 rows, a sparse-ish target."""
    n, p = int(rng.integers(20, 301)), int(rng.integers(3, 7))
    x = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, p)
    rho = rng.uniform(0.5, 0.99)
    x[:, 1] = rho * x[:, 0] + np.sqrt(1 - rho**2) * x[:, 1]
    beta = rng.normal(0, 2, p) * (rng.random(p) < 0.7)
    y = x @ beta + rng.normal(0, rng.uniform(0.5, 4), n)
    return x - x.mean(axis=0), y - y.mean()


def test_lasso_path_same_floats_as_sklearn() -> None:
    """Whole paths (alphas from 0.1% to 120% of alpha_max, warm starts, screening, exact zeros) equal
    ``lasso_path``'s bit for bit."""
    rng = np.random.default_rng(23)
    for _ in range(60):
        x, y = correlated_data(rng)
        alpha_max = np.abs(x.T @ y).max() / len(y)
        alphas = alpha_max * np.sort(rng.uniform(0.001, 1.2, int(rng.integers(2, 9))))
        theirs_alphas, theirs, _ = sklearn_lasso_path(x, y, alphas=alphas, max_iter=20_000)
        ours_alphas, ours = lasso_path(x, y, alphas, max_iter=20_000)
        assert ours_alphas.tolist() == theirs_alphas.tolist()
        assert ours.tolist() == theirs.tolist()


def test_ridge_same_floats_as_sklearn() -> None:
    """Bit for bit in the family's shape (four features, several alphas); other shapes to rounding."""
    rng = np.random.default_rng(29)
    for _ in range(150):
        x, y = correlated_data(rng)
        x, y = x + rng.normal(0, 5, x.shape[1]), y + 40  # Ridge centres them itself
        alphas = 10.0 ** rng.uniform(-3, 4, int(rng.integers(1, 6)))
        theirs = Ridge(alpha=alphas).fit(x, np.tile(y[:, None], len(alphas))).coef_
        ours = ridge_coefs(x, y, alphas)
        if x.shape[1] == 4 and len(alphas) > 1:
            assert ours.tolist() == theirs.tolist()
        else:
            assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_fma_rounds_once() -> None:
    """The fused multiply-add is the exact a·b + c, rounded to the nearest double (here: where rounding a·b
    first would give another answer)."""
    rng = np.random.default_rng(31)
    differs = 0
    for a, b, c in rng.normal(0, 100, (2000, 3)).tolist():
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        assert _fma(a, b, c) == float(exact)
        differs += _fma(a, b, c) != a * b + c
    assert differs > 100


@pytest.mark.parametrize("scale", [1.0, 1e-160, 1e150])
def test_axpy_rounds_once(scale: float) -> None:
    """daxpy's y ← a·x + y, each element rounded once, also where the result is subnormal or the exact sum's
    integer is too large for a float (the slow exact path)."""
    rng = np.random.default_rng(37)
    for _ in range(300):
        a, *x = (rng.normal(0, 10, 5) * scale).tolist()
        y = (rng.normal(0, 10, 4) * scale * scale).tolist()
        expected = [float(Fraction(a) * Fraction(xi) + Fraction(yi)) for xi, yi in zip(x, y, strict=True)]
        _axpy(a, [_ratio(xi) for xi in x], y)
        assert y == expected


def test_one_feature_only() -> None:
    with pytest.raises(ValueError, match="one feature"):
        RegressionTree().fit(np.zeros((3, 2)), np.zeros(3))


def test_import_is_light() -> None:
    assert_import_is_light("generators._regress")
