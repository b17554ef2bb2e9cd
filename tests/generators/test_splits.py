"""generators._splits: scikit-learn's splitters in numpy give scikit-learn's folds, errors and warnings.

Each splitter runs beside scikit-learn's on random inputs of the kinds the families pass (binary, multiclass
and numeric targets; ids repeated or not; shuffled with a random_state or not): the same (train, test) index
arrays in the same order, the same error message where scikit-learn refuses, the same warning where it warns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import model_selection as ms
from sklearn.utils.multiclass import type_of_target

from generators import _splits as sp
from tests.generators.family_checks import assert_import_is_light
from tests.generators.sklearn_paths import same_splits

RNG_SEED = 20261130


def _case(rng: np.random.Generator, rows: int = 400) -> tuple[int, int, int]:
    """(rows, folds, seed) of one random trial, with fewer than ``rows`` rows."""
    k = int(rng.integers(2, 11))
    return int(rng.integers(4 * k, rows)), k, int(rng.integers(2**31))


def _labels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Binary with a rare or a common positive class, or three classes; every class has at least k rows
    (``n >= 4 k`` rows: a draw soon qualifies)."""
    while True:
        y = (
            rng.integers(0, 3, n)
            if rng.random() < 0.3
            else (rng.random(n) < rng.uniform(0.05, 0.5)).astype(int)
        )
        if np.bincount(y).min() >= k and len(np.unique(y)) > 1:
            return y


def _pair(ours, theirs, *args) -> tuple[list, list]:
    return list(ours.split(*args)), list(theirs.split(*args))


def test_kfold_and_shuffle_split() -> None:
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(300):
        n, k, seed = _case(rng)
        X = np.empty((n, 0))
        for shuffle in (True, False):
            state = seed if shuffle else None
            ours, theirs = _pair(
                sp.KFold(k, shuffle=shuffle, random_state=state),
                ms.KFold(k, shuffle=shuffle, random_state=state),
                X,
            )
            assert same_splits(ours, theirs), (n, k, seed, shuffle)
        ours, theirs = _pair(
            sp.ShuffleSplit(n_splits=2, test_size=0.2, random_state=seed),
            ms.ShuffleSplit(n_splits=2, test_size=0.2, random_state=seed),
            X,
        )
        assert same_splits(ours, theirs), (n, seed)


def test_stratified_kfold() -> None:
    rng = np.random.default_rng(RNG_SEED + 1)
    for _ in range(300):
        n, k, seed = _case(rng)
        y = _labels(rng, n, k)
        y = y[::-1] if rng.random() < 0.5 else y  # which class appears first changes the class numbering
        for shuffle in (True, False):
            state = seed if shuffle else None
            ours, theirs = _pair(
                sp.StratifiedKFold(k, shuffle=shuffle, random_state=state),
                ms.StratifiedKFold(k, shuffle=shuffle, random_state=state),
                np.empty((n, 0)),
                y,
            )
            assert same_splits(ours, theirs), (n, k, seed, shuffle)


def test_group_kfold_and_stratified_group_kfold() -> None:
    rng = np.random.default_rng(RNG_SEED + 2)
    trials = 0
    while trials < 60:  # scikit-learn's StratifiedGroupKFold takes ~20 ms a call
        n, k, seed = _case(rng, rows=150)
        groups = rng.permutation(np.repeat(np.arange(n), rng.integers(1, 6, n)))[:n]  # ids, some repeated
        if len(np.unique(groups)) < k:
            continue
        trials += 1
        X = np.empty((n, 0))
        ours, theirs = _pair(sp.GroupKFold(k), ms.GroupKFold(k), X, None, groups)
        assert same_splits(ours, theirs), (n, k)
        y = _labels(rng, n, k)
        sgkf = sp.StratifiedGroupKFold(k, shuffle=True, random_state=seed)
        ours, theirs = _pair(sgkf, ms.StratifiedGroupKFold(k, shuffle=True, random_state=seed), X, y, groups)
        assert same_splits(ours, theirs), (n, k, seed)


def test_time_series_split_and_leave_one_out() -> None:
    for n in range(2, 60):
        X = np.empty((n, 0))
        for k in range(2, min(n, 11)):
            assert same_splits(*_pair(sp.TimeSeriesSplit(k), ms.TimeSeriesSplit(k), X)), (n, k)
        assert same_splits(*_pair(sp.LeaveOneOut(), ms.LeaveOneOut(), X)), n


def _message(splitter, *args) -> str:
    with pytest.raises(ValueError) as error:
        list(splitter.split(*args))
    return str(error.value)


def test_the_same_errors_with_the_same_messages() -> None:
    rng = np.random.default_rng(RNG_SEED + 3)
    X, numeric, binary = np.empty((40, 0)), rng.normal(size=40), rng.integers(0, 2, 40)
    cases = [
        ("StratifiedKFold", (5, True, 1), (X, numeric)),  # a numeric target
        ("StratifiedGroupKFold", (5, True, 1), (X, numeric, np.arange(40))),
        ("GroupKFold", (5,), (X, binary)),  # no groups
        ("GroupKFold", (5,), (X, None, None)),
        ("StratifiedGroupKFold", (5, True, 1), (X, binary, None)),  # None counts as one group
        ("GroupKFold", (5,), (X, binary, np.arange(40) % 3)),  # fewer groups than folds
        ("StratifiedGroupKFold", (5, True, 1), (X, binary, np.arange(40) % 3)),
        ("KFold", (5, True, 1), (np.empty((3, 0)),)),  # fewer rows than folds
        ("StratifiedKFold", (5, True, 1), (np.empty((3, 0)), np.array([0, 1, 0]))),
        ("StratifiedKFold", (5, True, 1), (np.empty((6, 0)), np.array([0, 1, 0, 1, 2, 2]))),  # tiny classes
        ("TimeSeriesSplit", (5,), (np.empty((5, 0)),)),
        ("LeaveOneOut", (), (np.empty((1, 0)),)),
    ]
    for name, params, args in cases:
        if name in ("KFold", "StratifiedKFold", "StratifiedGroupKFold"):
            ours_splitter = getattr(sp, name)(params[0], shuffle=params[1], random_state=params[2])
            their_splitter = getattr(ms, name)(params[0], shuffle=params[1], random_state=params[2])
        else:
            ours_splitter, their_splitter = getattr(sp, name)(*params), getattr(ms, name)(*params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the tiny-class case warns before it fails
            assert _message(ours_splitter, *args) == _message(their_splitter, *args), name


def test_the_same_warning_for_a_class_smaller_than_the_folds() -> None:
    y = np.array([0] * 12 + [1] * 3)
    messages = []
    for splitter in (
        sp.StratifiedKFold(5, shuffle=True, random_state=0),
        ms.StratifiedKFold(5, shuffle=True, random_state=0),
    ):
        with pytest.warns(UserWarning) as caught:
            list(splitter.split(np.empty((15, 0)), y))
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


@pytest.mark.parametrize(
    "y",
    [[0, 1, 1], [1, 1, 1], [0, 1, 2], [0.5, 1.0, 2.0], [0.0, 1.0, 1.0], [3, 7, 7, 9], np.arange(10) * 1.5],
)
def test_type_of_target(y) -> None:
    assert sp.type_of_target(np.asarray(y)) == type_of_target(np.asarray(y))


def test_import_is_light() -> None:
    assert_import_is_light("generators._splits")


def test_train_test_split_plain_and_stratified() -> None:
    """Every array split by the same rows, in scikit-learn's order, with and without ``stratify`` (whose
    per-class draws break ties between equal remainders with the same random choices)."""
    rng = np.random.default_rng(RNG_SEED + 4)
    for trial in range(200):
        n = int(rng.integers(20, 800))
        y = rng.integers(0, 3, n) if trial % 5 == 0 else (rng.random(n) < rng.uniform(0.03, 0.5)).astype(int)
        if np.bincount(y).min() < 2:
            continue
        X, ids, seed = rng.normal(size=(n, 3)), np.arange(n), int(rng.integers(2**31))
        stratify = y if trial % 2 else None
        ours = sp.train_test_split(X, y, ids, test_size=0.25, random_state=seed, stratify=stratify)
        theirs = ms.train_test_split(X, y, ids, test_size=0.25, random_state=seed, stratify=stratify)
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True)), (n, seed, trial)
