"""scikit-learn's regressors for two families, computing the same floats without importing scikit-learn.

`bias-variance` refits a model many times per problem and `regularisation-path` fits two coefficient
paths; importing scikit-learn for that costs a drill session about 90 MB and half a second. Each piece
follows its scikit-learn counterpart's steps for the parameters the families use, so the results are the
same floats (``tests/generators/test_regress.py`` compares them bit for bit on random data):

- :class:`LinearFit` is ``LinearRegression()``: centre x and y on their means, solve the centred least
  squares with LAPACK's ``gelsd`` (scikit-learn calls it through ``scipy.linalg.lstsq(cond=1e-6)``, here
  through ``numpy.linalg.lstsq(rcond=1e-6)``: the same routine, and the tests check they agree), intercept =
  mean y − mean x · slope.
- :class:`NearestNeighbour` is ``KNeighborsRegressor(n_neighbors=1)``: the y of the training point with the
  smallest squared distance; of equally near points the lowest index (scikit-learn's KD-tree agrees while
  the points fit in one leaf; `bias-variance` draws continuous x, where two equally near points never occur).
- :class:`RegressionTree` is ``DecisionTreeRegressor(max_depth=...)`` with the squared-error criterion, best
  splitter and default stopping rules: x cast to float32, candidate thresholds halfway between consecutive
  distinct sorted values, the split with the largest proxy Σ_L²/n_L + Σ_R²/n_R (the first on a tie), and
  the sums, impurities and leaf means accumulated in the order scikit-learn's Cython loops accumulate them
  (the order of the samples in a node changes the last bit of a sum). Ties in x included.
- :func:`lasso_path` is ``sklearn.linear_model.lasso_path`` (coordinate descent on the Gram matrix) and
  :func:`ridge_coefs` is ``Ridge(alpha=alphas)``'s Cholesky solve; both need the fused multiply-add of the
  BLAS kernels scikit-learn calls (:func:`_axpy`).

The three regressors take one feature: that is all `bias-variance` fits.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

# sklearn/tree/_partitioner.pxd: values closer than this (float32 arithmetic) are not split apart.
_FEATURE_THRESHOLD = np.float32(1e-7)
# sklearn/tree/_tree.pyx: a node this pure, or a split improving on it by less, becomes a leaf.
_EPSILON = float(np.finfo(np.float64).eps)
_SMALLEST_NORMAL = 2.0**-1022


def _column(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 1:
        raise ValueError(f"expected one feature, shape (n, 1); got {X.shape}")
    return X


class LinearFit:
    """Ordinary least squares with an intercept, as ``sklearn.linear_model.LinearRegression()``."""

    coef_: np.ndarray
    intercept_: float

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearFit:
        X = _column(X).astype(np.float64, copy=True)
        y = np.array(y, dtype=np.float64)
        x_offset = np.average(X, axis=0)
        X -= x_offset
        y_offset = np.average(y, axis=0)
        y -= y_offset
        self.coef_ = np.linalg.lstsq(X, y, rcond=1e-6)[0]
        self.intercept_ = y_offset - x_offset @ self.coef_
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(_column(X), dtype=np.float64) @ self.coef_ + self.intercept_


class NearestNeighbour:
    """1-nearest-neighbour regression, as ``sklearn.neighbors.KNeighborsRegressor(n_neighbors=1)``."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> NearestNeighbour:
        self._x = np.asarray(_column(X), dtype=np.float64)[:, 0]
        self._y = np.asarray(y, dtype=np.float64)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        queries = np.asarray(_column(X), dtype=np.float64)[:, 0]
        squared = (self._x[None, :] - queries[:, None]) ** 2
        return self._y[np.argmin(squared, axis=1)]  # argmin: the lowest index among equal distances


@dataclass(frozen=True, slots=True)
class _Split:
    position: int  # first sample (in sorted order) of the right child
    threshold: float
    impurity_left: float
    impurity_right: float
    improvement: float


class RegressionTree:
    """A CART regression tree on one feature, as ``sklearn.tree.DecisionTreeRegressor(max_depth=...)``.

    ``threshold_``, ``value_`` and ``impurity_`` list the nodes in scikit-learn's order (depth first, left
    child first) with its numbers; ``children_`` gives (left, right) of a split node, (−1, −1) for a leaf.
    Plain Python floats rather than numpy: most nodes hold a handful of samples, where numpy's per-call cost
    would make a fit ten times slower.
    """

    def __init__(self, max_depth: int | None = None) -> None:
        self.max_depth = max_depth

    def fit(self, X: np.ndarray, y: np.ndarray) -> RegressionTree:
        x = np.asarray(_column(X), dtype=np.float32)[:, 0]
        self._x = x.astype(np.float64).tolist()
        # x + FEATURE_THRESHOLD in float32, as the splitter compares neighbours.
        self._x_plus = (x + _FEATURE_THRESHOLD).astype(np.float64).tolist()
        self._y = np.asarray(y, dtype=np.float64).tolist()
        self._n = float(len(self._y))
        self.threshold_: list[float] = []
        self.value_: list[float] = []
        self.impurity_: list[float] = []
        self.children_: list[tuple[int, int]] = []
        self._grow(list(range(len(self._y))), depth=0, impurity=None)
        # One feature: the split thresholds in in-order are increasing and cut the line into the leaves.
        cuts: list[float] = []
        leaves: list[float] = []
        self._in_order(0, cuts, leaves)
        self._cuts, self._leaves = np.array(cuts), np.array(leaves)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        queries = np.asarray(_column(X), dtype=np.float32)[:, 0].astype(np.float64)
        # x <= threshold goes left: the leaf is the number of cuts strictly below x.
        return self._leaves[np.searchsorted(self._cuts, queries, side="left")]

    def _in_order(self, node: int, cuts: list[float], leaves: list[float]) -> None:
        left, right = self.children_[node]
        if left == -1:
            leaves.append(self.value_[node])
            return
        self._in_order(left, cuts, leaves)
        cuts.append(self.threshold_[node])
        self._in_order(right, cuts, leaves)

    def _grow(self, samples: list[int], depth: int, impurity: float | None) -> int:
        """Add the node holding ``samples`` (in scikit-learn's order for it) and, unless it is a leaf, its
        children; returns its id. ``impurity`` comes from the parent's split, as scikit-learn passes it."""
        total = total_squares = 0.0
        for i in samples:  # in the node's current order, as the criterion's init adds them
            y = self._y[i]
            total += y
            total_squares += y * y
        weight = float(len(samples))
        if impurity is None:  # the root's own impurity; every other node's comes from its parent's split
            mean = total / weight
            impurity = total_squares / weight - mean * mean
        node = len(self.value_)
        self.threshold_.append(-2.0)  # scikit-learn's TREE_UNDEFINED for a leaf
        self.value_.append(total / weight)
        self.impurity_.append(impurity)
        self.children_.append((-1, -1))
        if (
            (self.max_depth is not None and depth >= self.max_depth)
            or len(samples) < 2
            or impurity <= _EPSILON
        ):
            return node
        order = self._sorted(samples)
        split = self._best_split(order, total, total_squares, impurity)
        if split is None or split.improvement + _EPSILON < 0.0:
            return node
        self.threshold_[node] = split.threshold
        # scikit-learn's final partition leaves the left part sorted and rotates the right part by one.
        right_part = order[split.position :]
        left = self._grow(order[: split.position], depth + 1, split.impurity_left)
        right = self._grow(right_part[1:] + right_part[:1], depth + 1, split.impurity_right)
        self.children_[node] = (left, right)
        return node

    def _sorted(self, samples: list[int]) -> list[int]:
        """The node's samples as scikit-learn's splitter sorts them by x. Distinct values have one sorted
        order; equal ones (x is float32 there: a few in a thousand fits of 300 points have a pair) come out
        in the order its introsort leaves them, which decides the order a leaf's mean adds them in."""
        keys = [self._x[i] for i in samples]
        if len(set(keys)) == len(keys):
            return sorted(samples, key=self._x.__getitem__)
        items = list(samples)
        _introsort(keys, items, 0, len(items), 2 * int(math.log2(len(items))))
        return items

    def _best_split(
        self, order: list[int], total: float, total_squares: float, impurity: float
    ) -> _Split | None:
        """The split scikit-learn's best splitter picks among the node's samples sorted by x (``order``)."""
        x, x_plus = self._x, self._x_plus
        ys = [self._y[i] for i in order]
        m = len(order)
        weight = float(m)
        if x[order[-1]] <= x_plus[order[0]]:
            return None  # a constant feature in this node
        # The running sum moves from the last candidate forwards (adding) unless walking back from the end
        # (subtracting from the total) is shorter; a strictly larger proxy Σ_L²/n_L + Σ_R²/n_R wins.
        best, position = -math.inf, 0
        left, at = 0.0, 0
        for p in range(1, m):
            if x[order[p]] <= x_plus[order[p - 1]]:
                continue  # no threshold between (nearly) equal values
            if p - at <= m - p:
                for q in range(at, p):
                    left += ys[q]
            else:
                left = total
                for q in range(m - 1, p - 1, -1):
                    left -= ys[q]
            at = p
            left_weight = float(p)
            right = total - left
            proxy = left * left / left_weight + right * right / (weight - left_weight)
            if proxy > best:
                best, position = proxy, p
        if position == 0:
            return None  # every neighbouring pair within the tolerance
        threshold = x[order[position - 1]] / 2.0 + x[order[position]] / 2.0
        # The children's impurities: scikit-learn partitions the samples (which rotates the right part by
        # one), resets its running sums and walks to the split again.
        if position <= m - position:
            left = 0.0
            for q in range(position):
                left += ys[q]
        else:
            left = total
            for y in reversed(ys[position + 1 :] + ys[position : position + 1]):
                left -= y
        left_squares = 0.0
        for q in range(position):
            left_squares += ys[q] * ys[q]
        left_weight = float(position)
        right_weight = weight - left_weight
        right = total - left
        left_mean, right_mean = left / left_weight, right / right_weight
        impurity_left = left_squares / left_weight - left_mean * left_mean
        impurity_right = (total_squares - left_squares) / right_weight - right_mean * right_mean
        improvement = (weight / self._n) * (
            impurity - (right_weight / weight * impurity_right) - (left_weight / weight * impurity_left)
        )
        return _Split(position, threshold, impurity_left, impurity_right, improvement)


def _introsort(keys: list[float], items: list[int], lo: int, n: int, depth: int) -> None:
    """scikit-learn's ``introsort_3way`` (sklearn/utils/_sorting.pyx) on keys[lo:lo + n], moving items along:
    quicksort with a median-of-three pivot and a three-way partition, heapsort past the depth limit,
    insertion sort for 15 or fewer."""

    def swap(i: int, j: int) -> None:
        keys[i], keys[j] = keys[j], keys[i]
        items[i], items[j] = items[j], items[i]

    while n > 15:
        if depth <= 0:
            _heapsort(keys, items, lo, n)
            return
        depth -= 1
        a, b, c = keys[lo], keys[lo + n // 2], keys[lo + n - 1]
        if a < b:
            pivot = b if b < c else (c if a < c else a)
        elif b < c:
            pivot = a if a < c else c
        else:
            pivot = b
        i = low = 0
        high = n
        while i < high:
            if keys[lo + i] < pivot:
                swap(lo + i, lo + low)
                i += 1
                low += 1
            elif keys[lo + i] > pivot:
                high -= 1
                swap(lo + i, lo + high)
            else:
                i += 1
        _introsort(keys, items, lo, low, depth)
        lo += high
        n -= high
    for i in range(lo + 1, lo + n):  # insertion sort
        key, item = keys[i], items[i]
        j = i
        while j > lo and keys[j - 1] > key:
            keys[j], items[j] = keys[j - 1], items[j - 1]
            j -= 1
        keys[j], items[j] = key, item


def _heapsort(keys: list[float], items: list[int], lo: int, n: int) -> None:
    """scikit-learn's ``heapsort`` (sklearn/utils/_sorting.pyx) on keys[lo:lo + n]."""

    def swap(i: int, j: int) -> None:
        keys[lo + i], keys[lo + j] = keys[lo + j], keys[lo + i]
        items[lo + i], items[lo + j] = items[lo + j], items[lo + i]

    def sift_down(root: int, end: int) -> None:
        while True:
            child = root * 2 + 1
            top = root
            if child < end and keys[lo + top] < keys[lo + child]:
                top = child
            if child + 1 < end and keys[lo + top] < keys[lo + child + 1]:
                top = child + 1
            if top == root:
                return
            swap(root, top)
            root = top

    for start in range((n - 2) // 2, -1, -1):
        sift_down(start, n)
    for end in range(n - 1, 0, -1):
        swap(0, end)
        sift_down(0, end)


def lasso_path(
    x: np.ndarray, y: np.ndarray, alphas: np.ndarray, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.linear_model.lasso_path(x, y, alphas=alphas, max_iter=max_iter)``: the alphas in decreasing
    order and the coefficients (features × alphas), each fit warm-started from the previous one.

    No intercept (pass centred data). With more rows than columns scikit-learn solves on the Gram matrix
    (``cd_fast.enet_coordinate_descent_gram`` with its defaults: cyclic order, tol 1e-4 scaled by y·y, the
    duality-gap stop and gap-safe screening), and so does this, with the same operations: numpy's products
    for the Gram matrix and the dot products (the BLAS routines scikit-learn calls, so the same floats) and
    ``daxpy``'s fused multiply-add for updating Q·w.
    """
    X = np.array(x, dtype=np.float64, order="F")
    y = np.asarray(y, dtype=np.float64)
    n_samples, n_features = X.shape
    gram = np.empty((n_features, n_features), dtype=np.float64, order="C")
    np.dot(X.T, X, out=gram)
    xy = np.empty(n_features, dtype=np.float64)
    np.dot(X.T, y, out=xy)
    alphas = np.sort(alphas)[::-1]
    coefs = np.empty((n_features, len(alphas)))
    w = [0.0] * n_features
    for i, alpha in enumerate(alphas):
        w = _lasso_gram(w, float(alpha * 1.0 * n_samples), gram, xy.tolist(), y, max_iter)
        coefs[:, i] = w
    return alphas, coefs


def _lasso_gram(
    w: list[float], alpha: float, gram: np.ndarray, q: list[float], y: np.ndarray, max_iter: int
) -> list[float]:
    """Minimise ½wᵀQw − qᵀw + alpha·‖w‖₁ from ``w`` by cyclic coordinate descent, as
    ``cd_fast.enet_coordinate_descent_gram`` (beta = 0, not positive) does, step for step."""
    n = len(w)
    rows = [[_ratio(value) for value in row] for row in gram.tolist()]
    diagonal = [float(gram[j, j]) for j in range(n)]
    qw = np.dot(gram, np.array(w)).tolist()
    y_norm2 = float(np.dot(y, y))
    step_tol = 1e-4
    gap_tol = step_tol * y_norm2
    xta = [0.0] * n
    gap, dual_norm = _gram_gap(w, alpha, qw, q, y_norm2, xta)
    if 0 <= gap <= gap_tol:
        return w
    excluded = [False] * n

    def screen() -> list[int]:
        """Gap-safe screening: features that must be 0 at the optimum leave the active set for good."""
        radius = math.sqrt(2 * abs(gap)) / alpha
        active = []
        for j in range(n):
            if excluded[j]:
                continue
            if (1 - abs(xta[j] / max(alpha, dual_norm))) / math.sqrt(diagonal[j] + 0.0) <= radius:
                active.append(j)
            else:
                if w[j] != 0:
                    _axpy(-w[j], rows[j], qw)
                    w[j] = 0.0
                excluded[j] = True
        return active

    active = screen()
    for n_iter in range(max_iter):
        w_max = d_w_max = 0.0
        for j in active:
            if diagonal[j] == 0.0:
                continue
            w_j = w[j]
            tmp = q[j] - qw[j] + w_j * diagonal[j]
            sign = 0.0 if tmp == 0 else (1.0 if tmp > 0 else -1.0)
            w[j] = sign * max(abs(tmp) - alpha, 0.0) / (diagonal[j] + 0.0)
            if w[j] != w_j:
                _axpy(w[j] - w_j, rows[j], qw)
            d_w_max = max(d_w_max, abs(w[j] - w_j))
            w_max = max(w_max, abs(w[j]))
        if w_max == 0.0 or d_w_max / w_max <= step_tol or n_iter == max_iter - 1:
            gap, dual_norm = _gram_gap(w, alpha, qw, q, y_norm2, xta)
            if gap <= gap_tol:
                break
            active = screen()
    else:  # as scikit-learn: warn, and return where the sweeps stopped
        warnings.warn(f"Lasso did not converge in {max_iter} sweeps (duality gap {gap:.3e})", stacklevel=3)
    return w


def _gram_gap(
    w: list[float], alpha: float, qw: list[float], q: list[float], y_norm2: float, xta: list[float]
) -> tuple[float, float]:
    """The duality gap of the Lasso at ``w`` and max|Xᵀ(y − Xw)|, as ``cd_fast.gap_enet_gram`` (beta = 0);
    fills ``xta`` with Xᵀ(y − Xw)."""
    q_dot_w = float(np.dot(np.array(w), np.array(q)))
    w_q_w = float(np.dot(np.array(w), np.array(qw)))
    r_norm2 = y_norm2 + w_q_w - 2.0 * q_dot_w
    r_y = y_norm2 - q_dot_w
    for j in range(len(w)):
        xta[j] = q[j] - qw[j] - 0.0 * w[j]
    dual_norm = abs(xta[0])
    for value in xta[1:]:
        dual_norm = max(dual_norm, abs(value))
    l1 = 0.0
    for value in w:
        l1 += abs(value)
    primal = 0.5 * (r_norm2 + 0.0) + alpha * l1
    scale = alpha / dual_norm if dual_norm > alpha else 1.0
    dual = -0.5 * (scale * scale) * (r_norm2 + 0.0) + scale * r_y
    return primal - dual, dual_norm


def ridge_coefs(x: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """``sklearn.linear_model.Ridge(alpha=alphas).fit(x, y tiled once per alpha).coef_``: one row of
    coefficients per alpha, with an intercept.

    scikit-learn's "cholesky" solver: centre, form XᵀX and XᵀY, and per alpha solve (XᵀX + αI)w = Xᵀy with
    ``scipy.linalg.solve(assume_a="pos")``, i.e. LAPACK's upper Cholesky factor (numpy's, the same routine)
    and two triangular solves as OpenBLAS's ``dtrsm`` does them: column by column, multiplying by the
    reciprocal of the diagonal, updating with fused multiply-adds. That is the same floats for the family's
    shape, four features and several alphas (one 4×4 block of the kernel); other shapes (and a single alpha,
    which scikit-learn solves in one call) get the same solution up to rounding, not bit for bit.
    """
    X = np.array(x, dtype=np.float64)
    X -= np.average(X, axis=0)
    Y = np.tile(np.asarray(y, dtype=np.float64)[:, None], len(alphas))
    Y -= np.average(Y, axis=0)
    gram = X.T @ X
    xy = X.T @ Y
    n_features = X.shape[1]
    coefs = np.empty((len(alphas), n_features))
    for row, target, alpha in zip(coefs, xy.T, alphas, strict=True):
        gram.flat[:: n_features + 1] += alpha
        row[:] = _cholesky_solve(np.linalg.cholesky(gram, upper=True), target.tolist())
        gram.flat[:: n_features + 1] -= alpha
    return coefs


def _cholesky_solve(upper: np.ndarray, b: list[float]) -> list[float]:
    """Solve UᵀU x = b: Uᵀz = b forwards, then Ux = z backwards."""
    u = upper.tolist()
    n = len(b)
    x = list(b)
    for i in range(n):
        x[i] = x[i] * (1.0 / u[i][i])
        for k in range(i + 1, n):
            x[k] = _fma(-u[i][k], x[i], x[k])
    for i in reversed(range(n)):
        x[i] = x[i] * (1.0 / u[i][i])
        for k in range(i):
            x[k] = _fma(-u[k][i], x[i], x[k])
    return x


def _fma(a: float, b: float, c: float) -> float:
    """a·b + c rounded once, as the fused multiply-add in OpenBLAS's kernels (``math.fma`` arrives only in
    Python 3.13): exact integer ratios, and Python's int division rounds correctly."""
    pa, qa = a.as_integer_ratio()
    pb, qb = b.as_integer_ratio()
    pc, qc = c.as_integer_ratio()
    return (pa * pb * qc + pc * qa * qb) / (qa * qb * qc)


def _ratio(value: float) -> tuple[int, int]:
    """value = m / 2**k with integers m, k ≥ 0."""
    m, q = value.as_integer_ratio()
    return m, q.bit_length() - 1


def _axpy(a: float, x: list[tuple[int, int]], y: list[float]) -> None:
    """y ← a·x + y in place, one rounding per element (BLAS ``daxpy``'s fused multiply-add), with x given as
    :func:`_ratio` pairs (a row of the Gram matrix, converted once per path).

    Exact: a·x + y is an integer over a power of two; converting the integer to a float rounds it correctly,
    and scaling by the power of two is exact while the result stays a normal double (else :func:`_fma`).
    """
    ma, ka = _ratio(a)
    for i, (mx, kx) in enumerate(x):
        my, qy = y[i].as_integer_ratio()
        ky = qy.bit_length() - 1
        try:
            result = math.ldexp(float(((ma * mx) << ky) + (my << (ka + kx))), -(ka + kx + ky))
        except OverflowError:
            result = 0.0
        if not abs(result) >= _SMALLEST_NORMAL:
            result = _fma(a, math.ldexp(mx, -kx), y[i])
        y[i] = result
