"""scikit-learn's cross-validation splitters, in numpy, for the families that run them while making a problem.

Importing ``sklearn.model_selection`` costs a drill session about 90 MB of memory (issue 16's peak-RSS row),
more than everything else a 1,000-answer session holds. The families need only a handful of splitters, on
small arrays, so this module follows scikit-learn 1.x's own steps for them (``sklearn/model_selection/
_split.py``): the same folds in the same order, the same shuffles (a ``random_state`` seeds a
``numpy.random.RandomState`` and the same draws are made from it in the same order), the same errors with the
same messages, raised at the same point (when the splits are iterated), and the same ``UserWarning`` where
scikit-learn warns. Like scikit-learn's, the ``(train, test)`` index arrays come out sorted, except
:class:`ShuffleSplit`'s, which are slices of one permutation. The tests compare every splitter with
scikit-learn's on random inputs (folds equal, messages equal), and scikit-learn stays the checker there.

Only what the families use is here: the parameters they pass, 1-d targets, array inputs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from generators._arrays import distinct

Split = tuple[np.ndarray, np.ndarray]
ALLOWED_TARGETS = ("binary", "multiclass")


def type_of_target(y: Any) -> str:
    """``sklearn.utils.multiclass.type_of_target`` for a 1-d numeric target: ``continuous`` when a float
    value is not a whole number, else ``multiclass`` above two distinct values, else ``binary``."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.any(y != y.astype(int)):
        return "continuous"
    return "multiclass" if len(distinct(y)) > 2 else "binary"


def _check_target(y: Any) -> np.ndarray:
    y = np.asarray(y)
    kind = type_of_target(y)
    if kind not in ALLOWED_TARGETS:
        raise ValueError(f"Supported target types are: {ALLOWED_TARGETS}. Got {kind!r} instead.")
    return y.ravel()


def _few_members(n_splits: int, counts: np.ndarray) -> None:
    """The stratified splitters' class-size checks: an error if no class has n_splits members, a warning if
    the smallest has fewer."""
    if np.all(n_splits > counts):
        raise ValueError(f"n_splits={n_splits} cannot be greater than the number of members in each class.")
    if n_splits > np.min(counts):
        warnings.warn(
            f"The least populated class in y has only {np.min(counts)} members, which is less than "
            f"n_splits={n_splits}.",
            UserWarning,
            stacklevel=3,
        )


def _from_masks(n_samples: int, masks: Iterator[np.ndarray]) -> Iterator[Split]:
    indices = np.arange(n_samples)
    for mask in masks:
        yield indices[np.logical_not(mask)], indices[mask]


def _from_tests(n_samples: int, tests: Iterator[Any]) -> Iterator[Split]:
    """Test indices -> sorted (train, test) index arrays, through a mask as scikit-learn does."""
    for test in tests:
        mask = np.zeros(n_samples, dtype=bool)
        mask[test] = True
        yield from _from_masks(n_samples, iter([mask]))


@dataclass(frozen=True, slots=True)
class _KFolds:
    """What every k-fold splitter checks first (``_BaseKFold``)."""

    n_splits: int = 5
    shuffle: bool = False
    random_state: int | None = None

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        n_samples = self._checked_size(X)
        yield from _from_tests(n_samples, self._tests(n_samples, y, groups))

    def _checked_size(self, X: Any) -> int:
        """The number of rows, refused as scikit-learn refuses it when there are fewer than folds."""
        n_samples = len(X)
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number of samples: "
                f"n_samples={n_samples}."
            )
        return n_samples

    def _tests(self, n_samples: int, y: Any, groups: Any) -> Iterator[Any]:
        raise NotImplementedError  # each splitter yields its test folds

    def _rng(self) -> np.random.RandomState:
        return np.random.RandomState(self.random_state)


class KFold(_KFolds):
    """Consecutive folds of (shuffled) row numbers; the first ``n % k`` folds one row larger."""

    def _tests(self, n_samples: int, y: Any, groups: Any) -> Iterator[Any]:
        indices = np.arange(n_samples)
        if self.shuffle:
            self._rng().shuffle(indices)
        sizes = np.full(self.n_splits, n_samples // self.n_splits, dtype=int)
        sizes[: n_samples % self.n_splits] += 1
        current = 0
        for size in sizes:
            yield indices[current : current + size]
            current += size


class StratifiedKFold(_KFolds):
    """Each class dealt round-robin to the folds (classes numbered by first appearance), its block of fold
    numbers shuffled when ``shuffle``."""

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        n_samples = self._checked_size(X)
        folds = self._test_folds(y)
        yield from _from_masks(n_samples, (folds == i for i in range(self.n_splits)))

    def _test_folds(self, y: Any) -> np.ndarray:
        rng = self._rng()
        y = _check_target(y)
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_perm = np.unique(first, return_inverse=True)
        encoded = class_perm[inverse]
        n_classes = len(first)
        _few_members(self.n_splits, np.bincount(encoded))
        ordered = np.sort(encoded)
        allocation = np.asarray(
            [np.bincount(ordered[i :: self.n_splits], minlength=n_classes) for i in range(self.n_splits)]
        )
        folds = np.empty(len(y), dtype="i")
        for k in range(n_classes):
            folds_for_class = np.arange(self.n_splits).repeat(allocation[:, k])
            if self.shuffle:
                rng.shuffle(folds_for_class)
            folds[encoded == k] = folds_for_class
        return folds


class GroupKFold(_KFolds):
    """Whole groups per fold, largest group first into the lightest fold (no shuffle: the families' use)."""

    def _tests(self, n_samples: int, y: Any, groups: Any) -> Iterator[Any]:
        if groups is None:
            raise ValueError("The 'groups' parameter should not be None.")
        unique, group_idx = np.unique(np.asarray(groups), return_inverse=True)
        if self.n_splits > len(unique):
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number of groups: "
                f"{len(unique)}."
            )
        per_group = np.bincount(group_idx)
        order = np.argsort(per_group, kind="stable")[::-1]
        per_group = per_group[order]
        per_fold = np.zeros(self.n_splits)
        group_to_fold = np.zeros(len(unique))
        for index, weight in enumerate(per_group):
            lightest = np.argmin(per_fold)
            per_fold[lightest] += weight
            group_to_fold[order[index]] = lightest
        folds = group_to_fold[group_idx]
        for f in range(self.n_splits):
            yield np.where(folds == f)[0]


class StratifiedGroupKFold(_KFolds):
    """Whole groups per fold, each (in shuffled order, most class-lopsided first) put where it keeps the
    folds' class shares closest; equal scores go to the fold with fewer rows, then the first."""

    def _tests(self, n_samples: int, y: Any, groups: Any) -> Iterator[Any]:
        rng = self._rng()
        y = _check_target(y)
        _, y_inv, y_cnt = np.unique(y, return_inverse=True, return_counts=True)
        _few_members(self.n_splits, y_cnt)
        n_classes = len(y_cnt)
        _, groups_inv, groups_cnt = np.unique(groups, return_inverse=True, return_counts=True)
        if self.n_splits > len(groups_cnt):
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number of groups: "
                f"{len(groups_cnt)}."
            )
        per_group = np.zeros((len(groups_cnt), n_classes))
        np.add.at(per_group, (groups_inv, y_inv), 1)
        per_fold = np.zeros((self.n_splits, n_classes))
        fold_groups: list[set[int]] = [set() for _ in range(self.n_splits)]
        if self.shuffle:
            perm = np.arange(len(groups_cnt))
            rng.shuffle(perm)
            per_group = per_group[perm]
            inv_perm = np.empty_like(perm)
            inv_perm[perm] = np.arange(perm.size)
            groups_inv = inv_perm[groups_inv]
        for group in np.argsort(-np.std(per_group, axis=1), kind="stable"):
            best = self._best_fold(per_fold, y_cnt, per_group[group])
            per_fold[best] += per_group[group]
            fold_groups[best].add(int(group))
        for members in fold_groups:
            yield np.flatnonzero(np.isin(groups_inv, list(members)))

    def _best_fold(self, per_fold: np.ndarray, y_cnt: np.ndarray, counts: np.ndarray) -> int:
        """scikit-learn tries the group in each fold in turn; here every trial is one slice of a stacked array
        (the same reductions over the same axis, so the same floats), and ``np.isclose`` is its formula
        written out for finite floats (``min_eval`` is finite once a fold has been taken)."""
        trials = per_fold[None, :, :] + np.eye(self.n_splits)[:, :, None] * counts[None, None, :]
        evals = np.mean(np.std(trials / y_cnt.reshape(1, 1, -1), axis=1), axis=1)
        samples = per_fold.sum(axis=1)
        best, min_eval, min_samples = 0, math.inf, math.inf
        for i in range(self.n_splits):
            fold_eval, in_fold = float(evals[i]), float(samples[i])
            close = math.isfinite(min_eval) and abs(fold_eval - min_eval) <= 1e-08 + 1e-05 * abs(min_eval)
            if fold_eval < min_eval or (close and in_fold < min_samples):
                best, min_eval, min_samples = i, fold_eval, in_fold
        return best


@dataclass(frozen=True, slots=True)
class TimeSeriesSplit:
    """k test blocks of ``n // (k + 1)`` rows at the end, each trained on every row before it."""

    n_splits: int = 5

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        n_samples, n_folds = len(X), self.n_splits + 1
        test_size = n_samples // n_folds
        if n_folds > n_samples:
            raise ValueError(
                f"Cannot have number of folds={n_folds} greater than the number of samples={n_samples}."
            )
        if n_samples - test_size * self.n_splits <= 0:
            raise ValueError(
                f"Too many splits={self.n_splits} for number of samples={n_samples} with "
                f"test_size={test_size} and gap=0."
            )
        indices = np.arange(n_samples)
        for start in range(n_samples - self.n_splits * test_size, n_samples, test_size):
            yield indices[:start], indices[start : start + test_size]


@dataclass(frozen=True, slots=True)
class LeaveOneOut:
    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        n_samples = len(X)
        if n_samples <= 1:
            raise ValueError(f"Cannot perform LeaveOneOut with n_samples={n_samples}.")
        yield from _from_tests(n_samples, iter(range(n_samples)))


@dataclass(frozen=True, slots=True)
class ShuffleSplit:
    """Random permutations: the first ``ceil(test_size * n)`` rows test, the rest train (a float
    ``test_size`` in (0, 1), what ``train_test_split`` does with one split)."""

    n_splits: int = 10
    test_size: float = 0.1
    random_state: int | None = None

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        n_samples = len(X)
        if not 0 < self.test_size < 1:
            raise ValueError(
                f"test_size={self.test_size} should be either positive and smaller than the number of samples "
                f"{n_samples} or a float in the (0, 1) range"
            )
        n_test = math.ceil(self.test_size * n_samples)
        n_train = n_samples - n_test
        if n_train == 0:
            raise ValueError(
                f"With n_samples={n_samples}, test_size={self.test_size} and train_size=None, the resulting "
                "train set will be empty. Adjust any of the aforementioned parameters."
            )
        rng = np.random.RandomState(self.random_state)
        for _ in range(self.n_splits):
            permutation = rng.permutation(n_samples)
            yield permutation[n_test : n_test + n_train], permutation[:n_test]


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """``sklearn.utils.extmath._approximate_mode``: draws per class, floored shares plus the largest
    remainders, ties among equal remainders broken by ``rng.choice`` as scikit-learn breaks them."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in distinct(remainder)[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


@dataclass(frozen=True, slots=True)
class StratifiedShuffleSplit:
    """Each class's rows shuffled and dealt to train and test in proportion (``n_train`` and ``n_test`` rows
    in all, given as whole numbers as ``train_test_split`` gives them), then each side shuffled."""

    n_train: int
    n_test: int
    random_state: int | None = None

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[Split]:
        classes, y_indices, class_counts = np.unique(np.asarray(y), return_inverse=True, return_counts=True)
        if np.min(class_counts) < 2:
            raise ValueError(
                "The least populated classes in y have only 1 member, which is too few. The minimum number of "
                "groups for any class cannot be less than 2. Classes with too few members are: "
                f"{classes[class_counts < 2].tolist()}"
            )
        for size, name in ((self.n_train, "train_size"), (self.n_test, "test_size")):
            if size < len(classes):
                raise ValueError(
                    f"The {name} = {size} should be greater or equal to the number of classes = {len(classes)}"
                )
        class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
        rng = np.random.RandomState(self.random_state)
        n_i = _approximate_mode(class_counts, self.n_train, rng)
        t_i = _approximate_mode(class_counts - n_i, self.n_test, rng)
        train: list[Any] = []
        test: list[Any] = []
        for i in range(len(classes)):
            rows = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
            train.extend(rows[: n_i[i]])
            test.extend(rows[n_i[i] : n_i[i] + t_i[i]])
        yield rng.permutation(train), rng.permutation(test)


def train_test_split(
    *arrays: np.ndarray, test_size: float, random_state: int | None = None, stratify: Any = None
) -> list[np.ndarray]:
    """``sklearn.model_selection.train_test_split`` with a float ``test_size`` on arrays: (train, test) of
    each array in turn, from one ``ShuffleSplit`` or, with ``stratify``, one ``StratifiedShuffleSplit``."""
    n_samples = len(arrays[0])
    n_test = math.ceil(test_size * n_samples)
    n_train = n_samples - n_test
    if stratify is None:
        splitter: Any = ShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
        train, test = next(splitter.split(arrays[0]))
    else:
        train, test = next(StratifiedShuffleSplit(n_train, n_test, random_state).split(arrays[0], stratify))
    return [part for array in arrays for part in (array[train], array[test])]
