"""scikit-learn's CART decision tree (``DecisionTreeClassifier`` with gini or entropy, ``DecisionTreeRegressor``
with squared error) in numpy, for the families that fit small trees while making a problem.

Importing ``sklearn.tree`` costs a drill session about 90 MB of memory (issue 16's peak-RSS row). The families
fit trees of a few hundred rows on two features, with the default settings apart from ``max_depth`` and
``random_state``; this module builds the very tree scikit-learn 1.x builds for those settings, following its
Cython (``sklearn/tree/_tree.pyx``, ``_splitter.pyx``, ``_partitioner.pyx``, ``_criterion.pyx``) step by step:

* inputs as scikit-learn sees them: features as float32, classes numbered in sorted order, targets float64;
* nodes built depth first, left child before right, each stopping at ``max_depth``, below 2 rows, or at an
  impurity within machine epsilon of 0;
* at a node the features are visited in the order scikit-learn's own xorshift generator (seeded from
  ``RandomState(random_state).randint(0, 2**31 - 1)``) draws them, through the same Fisher-Yates swaps of one
  feature array kept from node to node, constant features set aside as it does; this order decides between
  splits whose improvement ties, which on small nodes happens all the time;
* the rows of a node sorted by each feature in turn, split positions only between values more than 1e-7
  apart (in float32), thresholds at midpoints ``a / 2 + b / 2``, the split with the strictly largest proxy
  improvement kept (the first, in visiting order, of equal ones);
* the sums behind every regression impurity accumulated in scikit-learn's order: rows in the order its
  in-place sort and partition leave them, left sums grown from the left or, past the middle, taken back from
  the total (so means and impurities are the same floats, not just close ones); class counts are whole
  numbers whatever the order, so large classification nodes are sorted and split with plain numpy calls;
* predictions by the same ``x <= threshold`` walk, a class by the first largest share.

Rows that tie in a feature's value (two equal float32 values) are ordered here by a stable sort where
scikit-learn's introsort may order them otherwise; that can change a regression sum in its last bit, never a
classification. The tests compare trees and predictions with scikit-learn's on random data and show the
families' instances are the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

RAND_R_MAX = 2147483647
FEATURE_THRESHOLD = np.float32(1e-7)
EPSILON = float(np.finfo("double").eps)
UNBOUNDED_DEPTH = int(np.iinfo(np.int32).max)


def _xorshift(state: int) -> int:
    """scikit-learn's ``our_rand_r``: one 32-bit xorshift step (a zero state restarts from 1)."""
    if state == 0:
        state = 1
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


@dataclass(slots=True)
class _Draws:
    state: int

    def rand_int(self, low: int, high: int) -> int:
        """``rand_int(low, high)``: one draw in [low, high)."""
        self.state = _xorshift(self.state)
        return low + (self.state % (RAND_R_MAX + 1)) % (high - low)


@dataclass(slots=True)
class _Split:
    pos: int
    feature: int = 0
    threshold: float = 0.0
    improvement: float = -math.inf
    impurity_left: float = math.inf
    impurity_right: float = math.inf


@dataclass(slots=True)
class Tree:
    """A fitted tree, node by node in scikit-learn's order (``tree_``'s arrays as lists): ``feature`` and
    ``threshold`` of each split (-2 and -2.0 at leaves), ``left``/``right`` children (-1 at leaves), the
    node's ``impurity``, ``n_samples`` and ``value`` (class shares, or the mean target)."""

    classification: bool
    classes: np.ndarray
    feature: list[int] = field(default_factory=list)
    threshold: list[float] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    impurity: list[float] = field(default_factory=list)
    n_samples: list[int] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """The leaf each row lands in: left while ``x[feature] <= threshold`` (float32 x, float64 threshold)."""
        points = np.asarray(X, dtype=np.float32).astype(np.float64)
        node = np.zeros(len(points), dtype=np.intp)
        left, right = np.array(self.left), np.array(self.right)
        feature, threshold = np.array(self.feature), np.array(self.threshold)
        active = left[node] != -1
        while active.any():
            rows = np.flatnonzero(active)
            at = node[rows]
            goes_left = points[rows, feature[at]] <= threshold[at]
            node[rows] = np.where(goes_left, left[at], right[at])
            active = left[node] != -1
        return node

    def predict(self, X: np.ndarray) -> np.ndarray:
        values = np.array(self.value)[self.apply(X)]
        if self.classification:
            return self.classes[np.argmax(values, axis=1)]
        return values[:, 0]


SMALL_NODE = 48  # nodes up to this many rows are searched in plain Python, larger ones with numpy
BINARY_NODE = 12  # two-class gini nodes above this many rows: every feature searched at once


class _Builder:
    """One fit's state, as scikit-learn's splitter and criterion keep it: the rows of every node in one array
    (``samples``), reordered in place by each sort and partition, and the current node's totals."""

    def __init__(
        self, X32: np.ndarray, target: np.ndarray, n_classes: int, random_state: int, entropy: bool = False
    ) -> None:
        self.classification = n_classes > 0
        self.entropy = entropy
        self.n_classes = n_classes
        self.matrix = X32.T.astype(np.float64)  # feature by row, float32 values as float64
        self.columns = list(self.matrix)
        self.column_lists = [column.tolist() for column in self.columns]
        # x + 1e-7 in float32, as scikit-learn compares neighbouring values
        self.shifted_matrix = (X32 + FEATURE_THRESHOLD).T.astype(np.float64)
        self.shifted = list(self.shifted_matrix)
        self.shifted_lists = [column.tolist() for column in self.shifted]
        self.y = target
        self.y_int = target.astype(np.intp)
        self.y_list = self.y_int.tolist() if self.classification else target.tolist()
        if self.classification:
            self.onehot = np.eye(n_classes)[target.astype(np.intp)]
        self.samples = list(range(len(target)))
        self.features = list(range(X32.shape[1]))
        self.constant_features = [0] * X32.shape[1]
        self.draws = _Draws(int(np.random.RandomState(random_state).randint(0, RAND_R_MAX)))

    # -- the criterion ----------------------------------------------------------------------------------

    def node(self, start: int, end: int) -> None:
        """``criterion.init``: the node's totals over its rows in their current order."""
        self.n = end - start
        if self.classification and self.n > SMALL_NODE:  # counts: the order does not matter
            rows = np.array(self.samples[start:end])
            self.counts = np.bincount(self.y_int[rows], minlength=self.n_classes).astype(np.float64).tolist()
        elif self.classification:
            counts = [0.0] * self.n_classes
            for i in self.samples[start:end]:
                counts[self.y_list[i]] += 1.0
            self.counts = counts
        else:
            total = square = 0.0
            for i in self.samples[start:end]:
                value = self.y_list[i]
                total += value
                square += value * value
            self.sum_total, self.sq_total = total, square

    def impurity(self) -> float:
        """``node_impurity``: gini, or the mean square minus the squared mean."""
        w = float(self.n)
        if self.classification:
            return _entropy(self.counts, w) if self.entropy else 1.0 - _squares(self.counts) / (w * w)
        mean = self.sum_total / w
        return self.sq_total / w - mean * mean

    def value(self) -> np.ndarray:
        w = float(self.n)
        if self.classification:
            return np.array(self.counts) / w
        return np.array([self.sum_total / w])

    def _left_sum(self, values: list[float], pos: int, new: int, running: float) -> float:
        """``update(new)`` from ``pos``: the left sum grown forward while that is the shorter way, else rebuilt
        from the total by taking back the rows from the end."""
        if new - pos <= self.n - new:
            for value in values[pos:new]:
                running += value
            return running
        running = self.sum_total
        for value in reversed(values[new:]):
            running -= value
        return running

    def children(self, start: int, pos: int) -> tuple[float, float]:
        """``children_impurity`` after ``reset(); update(pos)``, the rows in their partitioned order."""
        rows = self.samples[start : start + self.n]
        w_left, w_right = float(pos), float(self.n - pos)
        if self.classification:
            if self.n > SMALL_NODE:
                found = np.bincount(self.y_int[np.array(rows[:pos])], minlength=self.n_classes)
                left = found.astype(np.float64).tolist()
            else:
                left = [0.0] * self.n_classes
                for i in rows[:pos]:
                    left[self.y_list[i]] += 1.0
            right = [total - count for total, count in zip(self.counts, left, strict=True)]
            if self.entropy:
                return _entropy(left, w_left), _entropy(right, w_right)
            return 1.0 - _squares(left) / (w_left * w_left), 1.0 - _squares(right) / (w_right * w_right)
        values = [self.y_list[i] for i in rows]
        sum_left = self._left_sum(values, 0, pos, 0.0)
        sum_right = self.sum_total - sum_left
        sq_left = 0.0
        for value in values[:pos]:
            sq_left += value * value
        sq_right = self.sq_total - sq_left
        mean_left, mean_right = sum_left / w_left, sum_right / w_right
        return sq_left / w_left - mean_left * mean_left, sq_right / w_right - mean_right * mean_right

    # -- the splitter -----------------------------------------------------------------------------------

    def evaluate(self, feature: int, rows: np.ndarray) -> tuple[np.ndarray, bool, float, int, float]:
        """Sort a large node's rows (``rows``, in their current order) by ``feature`` as scikit-learn does and
        find its best position: (the sorted rows, constant?, the best proxy improvement, its position, the
        midpoint threshold there)."""
        values = self.columns[feature][rows]
        order = np.argsort(values, kind="stable")
        rows, values = rows[order], values[order]
        shifted = self.shifted[feature][rows]
        if values[-1] <= shifted[0]:
            return rows, True, -math.inf, 0, 0.0
        positions = np.flatnonzero(values[1:] > shifted[:-1]) + 1
        w_left = positions.astype(np.float64)
        w_right = float(self.n) - w_left
        if self.classification and self.n_classes == 2:
            # two classes: the count of one from a cumulative sum of the 0/1 labels, the other by difference
            ones = np.cumsum(self.y[rows])[positions - 1]
            zeros = w_left - ones
            right_zeros, right_ones = self.counts[0] - zeros, self.counts[1] - ones
            left = 1.0 - (zeros * zeros + ones * ones) / (w_left * w_left)
            right = 1.0 - (right_zeros * right_zeros + right_ones * right_ones) / (w_right * w_right)
            proxies = -w_right * right - w_left * left
        elif self.classification:
            counts = np.cumsum(self.onehot[rows], axis=0)[positions - 1]
            left = 1.0 - _squares_rows(counts) / (w_left * w_left)
            right = 1.0 - _squares_rows(np.array(self.counts)[None, :] - counts) / (w_right * w_right)
            proxies = -w_right * right - w_left * left
        else:
            ordered = self.y[rows]
            previous = np.concatenate([[0], positions[:-1]])
            if np.all(positions - previous <= self.n - positions):
                sum_left = np.cumsum(ordered)[positions - 1]
            else:
                sum_left, running, pos, values_list = np.empty(len(positions)), 0.0, 0, ordered.tolist()
                for j, new in enumerate(positions.tolist()):
                    running = sum_left[j] = self._left_sum(values_list, pos, new, running)
                    pos = new
            sum_right = self.sum_total - sum_left
            proxies = (0.0 + sum_left * sum_left) / w_left + (0.0 + sum_right * sum_right) / w_right
        j = int(np.argmax(proxies))
        p = int(positions[j])
        return rows, False, float(proxies[j]), p, float(values[p - 1]) / 2.0 + float(values[p]) / 2.0

    def evaluate_binary(self, rows: np.ndarray) -> tuple[list[tuple[bool, float, int, float]], np.ndarray]:
        """:meth:`evaluate` for every feature at once, for two classes by gini: per feature (constant?, best
        proxy, its position, threshold), and each feature's sorted rows. With class counts the order in which
        equal values are sorted changes no number, so the features need not be sorted one after another."""
        values = self.matrix[:, rows]
        order = np.argsort(values, axis=1, kind="stable")
        values = np.take_along_axis(values, order, axis=1)
        shifted = np.take_along_axis(self.shifted_matrix[:, rows], order, axis=1)
        candidate = values[:, 1:] > shifted[:, :-1]
        w_left = np.arange(1.0, len(rows))
        w_right = float(self.n) - w_left
        ones = np.cumsum(self.y[rows][order], axis=1)[:, :-1]
        zeros = w_left - ones
        right_zeros, right_ones = self.counts[0] - zeros, self.counts[1] - ones
        left = 1.0 - (zeros * zeros + ones * ones) / (w_left * w_left)
        right = 1.0 - (right_zeros * right_zeros + right_ones * right_ones) / (w_right * w_right)
        proxies = np.where(candidate, -w_right * right - w_left * left, -np.inf)
        best = np.argmax(proxies, axis=1)
        found = []
        for f, j in enumerate(best.tolist()):
            if values[f, -1] <= shifted[f, 0]:
                found.append((True, -math.inf, 0, 0.0))
            else:
                p = j + 1
                threshold = float(values[f, p - 1]) / 2.0 + float(values[f, p]) / 2.0
                found.append((False, float(proxies[f, j]), p, threshold))
        return found, rows[order]

    def _evaluate_small(self, feature: int, start: int, end: int) -> tuple[bool, float, int]:
        """:meth:`evaluate` in plain Python for a small node, sorting ``samples[start:end]`` in place."""
        column, shifted = self.column_lists[feature], self.shifted_lists[feature]
        rows = sorted(self.samples[start:end], key=column.__getitem__)
        self.samples[start:end] = rows
        m = len(rows)
        if column[rows[-1]] <= shifted[rows[0]]:
            return True, -math.inf, 0
        best_proxy, best_p = -math.inf, 0
        if self.classification:
            totals, left = self.counts, [0.0] * self.n_classes
            for p in range(1, m):
                left[self.y_list[rows[p - 1]]] += 1.0
                if column[rows[p]] <= shifted[rows[p - 1]]:
                    continue
                w_left, w_right = float(p), float(m - p)
                if self.entropy:
                    right = [total - count for total, count in zip(totals, left, strict=True)]
                    proxy = -w_right * _entropy(right, w_right) - w_left * _entropy(left, w_left)
                else:
                    sq_left = sq_right = 0.0
                    for total, count in zip(totals, left, strict=True):
                        sq_left += count * count
                        sq_right += (total - count) * (total - count)
                    proxy = -w_right * (1.0 - sq_right / (w_right * w_right)) - w_left * (
                        1.0 - sq_left / (w_left * w_left)
                    )
                if proxy > best_proxy:
                    best_proxy, best_p = proxy, p
            return False, best_proxy, best_p
        values = [self.y_list[i] for i in rows]
        running, pos = 0.0, 0
        for p in range(1, m):
            if column[rows[p]] <= shifted[rows[p - 1]]:
                continue
            running, pos = self._left_sum(values, pos, p, running), p
            w_left, w_right = float(p), float(m - p)
            right = self.sum_total - running
            proxy = (0.0 + running * running) / w_left + (0.0 + right * right) / w_right
            if proxy > best_proxy:
                best_proxy, best_p = proxy, p
        return False, best_proxy, best_p

    def best_split(self, start: int, end: int, n_known_constants: int, impurity: float) -> tuple[_Split, int]:
        """``node_split_best`` for dense data without missing values, ``max_features`` = all of them: the
        features drawn by Fisher-Yates swaps, constant ones set aside, the strictly best split kept."""
        features, n_features = self.features, len(self.features)
        best, best_proxy = _Split(end), -math.inf
        # entropy takes libm's log, as scikit-learn's C does: always the plain-Python search
        large = end - start > SMALL_NODE and not self.entropy
        rows = np.array(self.samples[start:end]) if large else None
        binary = None
        if self.classification and self.n_classes == 2 and not self.entropy and end - start > BINARY_NODE:
            binary, sorted_rows = self.evaluate_binary(np.array(self.samples[start:end]))
            rows, last = None, -1
        f_i = n_features
        n_visited = n_found_constants = n_drawn_constants = 0
        n_total_constants = n_known_constants
        while f_i > n_total_constants and (
            n_visited < n_features or n_visited <= n_found_constants + n_drawn_constants
        ):
            n_visited += 1
            f_j = self.draws.rand_int(n_drawn_constants, f_i - n_found_constants)
            if f_j < n_known_constants:
                features[n_drawn_constants], features[f_j] = features[f_j], features[n_drawn_constants]
                n_drawn_constants += 1
                continue
            f_j += n_found_constants
            feature = features[f_j]
            if binary is not None:
                constant, proxy, p, threshold = binary[feature]
                last = feature
            elif rows is not None:
                rows, constant, proxy, p, threshold = self.evaluate(feature, rows)
            else:
                constant, proxy, p = self._evaluate_small(feature, start, end)
            if constant:
                features[f_j], features[n_total_constants] = features[n_total_constants], features[f_j]
                n_found_constants += 1
                n_total_constants += 1
                continue
            f_i -= 1
            features[f_i], features[f_j] = features[f_j], features[f_i]
            if proxy > best_proxy:
                if rows is None and binary is None:
                    column = self.column_lists[feature]
                    below, above = self.samples[start + p - 1], self.samples[start + p]
                    threshold = column[below] / 2.0 + column[above] / 2.0
                best_proxy = proxy
                best = _Split(start + p, feature, threshold)
        if rows is not None:
            self.samples[start:end] = rows.tolist()  # in the order the last sort left them
        elif binary is not None and last >= 0:
            self.samples[start:end] = sorted_rows[last].tolist()
        if best.pos < end:
            self._partition(start, end, best)
            best.impurity_left, best.impurity_right = self.children(start, best.pos - start)
            n, w_left = float(end - start), float(best.pos - start)
            w_right = n - w_left
            best.improvement = (n / float(len(self.samples))) * (
                impurity - (w_right / n * best.impurity_right) - (w_left / n * best.impurity_left)
            )
        known = slice(n_known_constants, n_total_constants)
        self.constant_features[known] = features[known]
        features[:n_known_constants] = self.constant_features[:n_known_constants]
        return best, n_total_constants

    def _partition(self, start: int, end: int, split: _Split) -> None:
        """``partition_samples_final``: rows at or below the threshold to the front, by scikit-learn's swaps."""
        if self.classification and end - start > SMALL_NODE:  # class counts ignore the order: a numpy split
            rows = np.array(self.samples[start:end])
            below = self.columns[split.feature][rows] <= split.threshold
            self.samples[start:end] = np.concatenate([rows[below], rows[~below]]).tolist()
            return
        column, threshold, rows = self.column_lists[split.feature], split.threshold, self.samples
        lo, hi = start, end
        while lo < hi:
            if column[rows[lo]] <= threshold:
                lo += 1
            else:
                hi -= 1
                rows[lo], rows[hi] = rows[hi], rows[lo]


LN2 = math.log(2.0)


def _entropy(counts: list[float], w: float) -> float:
    """Entropy in bits of class counts over weight ``w``: −Σ p·log₂ p, log₂ as scikit-learn's ``ln(x) / ln(2)``."""
    entropy = 0.0
    for count in counts:
        if count > 0.0:
            share = count / w
            entropy -= share * (math.log(share) / LN2)
    return entropy


def _squares(counts: list[float]) -> float:
    total = 0.0
    for count in counts:
        total += count * count
    return total


def _squares_rows(counts: np.ndarray) -> np.ndarray:
    total = np.zeros(len(counts))
    for c in range(counts.shape[1]):
        total = total + counts[:, c] * counts[:, c]
    return total


def fit_tree(
    X: np.ndarray,
    y: np.ndarray,
    *,
    classification: bool,
    max_depth: int | None = None,
    random_state: int = 0,
    criterion: str = "gini",
) -> Tree:
    """``DecisionTreeClassifier(criterion=..., max_depth=..., random_state=...).fit(X, y).tree_`` (gini or
    entropy), or the ``DecisionTreeRegressor`` one (squared error), with every other setting at its default."""
    if criterion not in ("gini", "entropy"):
        raise ValueError(f"unsupported criterion {criterion!r}")
    X32 = np.asarray(X, dtype=np.float32)
    if X32.ndim == 1:
        X32 = X32[:, None]
    n_samples = len(X32)
    if classification:
        classes, encoded = np.unique(np.asarray(y), return_inverse=True)
        target = encoded.astype(np.float64)
    else:
        classes, target = np.array([]), np.asarray(y, dtype=np.float64)
    depth_limit = UNBOUNDED_DEPTH if max_depth is None else max_depth
    builder = _Builder(
        X32, target, len(classes), random_state, entropy=classification and criterion == "entropy"
    )
    tree = Tree(classification, classes)
    # (start, end, depth, parent, is_left, impurity, n_constant_features)
    stack: list[tuple[int, int, int, int, bool, float, int]] = [(0, n_samples, 0, -1, False, math.inf, 0)]
    first = True
    while stack:
        start, end, depth, parent, is_left, impurity, n_constants = stack.pop()
        builder.node(start, end)
        is_leaf = depth >= depth_limit or end - start < 2
        if first:
            impurity, first = builder.impurity(), False
        is_leaf = is_leaf or impurity <= EPSILON
        split = _Split(end)
        if not is_leaf:
            split, n_constants = builder.best_split(start, end, n_constants, impurity)
            is_leaf = split.pos >= end or split.improvement + EPSILON < 0.0
        node_id = len(tree.feature)
        if parent >= 0:
            (tree.left if is_left else tree.right)[parent] = node_id
        tree.feature.append(-2 if is_leaf else split.feature)
        tree.threshold.append(-2.0 if is_leaf else split.threshold)
        tree.left.append(-1)
        tree.right.append(-1)
        tree.impurity.append(impurity)
        tree.n_samples.append(end - start)
        tree.value.append(builder.value())
        if not is_leaf:
            stack.append((split.pos, end, depth + 1, node_id, False, split.impurity_right, n_constants))
            stack.append((start, split.pos, depth + 1, node_id, True, split.impurity_left, n_constants))
    return tree
