"""The scikit-learn (and scipy) code the families ran before their numpy ports (``generators/_splits.py``,
``generators/_tree.py``, the class-imbalance formulas), kept here as the checker: a test swaps it in and asserts
the same instances come out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import model_selection as ms

from generators import learning_curve as lc
from generators import tree_split as ts


def same_splits(
    ours: list[tuple[np.ndarray, np.ndarray]], theirs: list[tuple[np.ndarray, np.ndarray]]
) -> bool:
    """The same number of splits, each with the same train and test indices in the same order."""
    return len(ours) == len(theirs) and all(
        np.array_equal(a, b) and np.array_equal(c, d) for (a, c), (b, d) in zip(ours, theirs, strict=True)
    )


def learning_curve_splitter(task: str, random_state: int) -> Any:
    """``learning_curve._splitter`` as it was: scikit-learn's (Stratified)KFold."""
    kind = ms.StratifiedKFold if task == "classification" else ms.KFold
    return kind(n_splits=lc.CV_FOLDS, shuffle=True, random_state=random_state)


def learning_curve_fit_predict(
    key: str, task: str, X: np.ndarray, y: np.ndarray, evaluate: list[np.ndarray], random_state: int
) -> list[np.ndarray]:
    """``learning_curve.fit_predict`` as it was: the trees scikit-learn's (fitted on float32 without the input
    check, as the family did), every other model the family's own."""
    if key not in lc.TREE_DEPTHS:
        return NUMPY_FIT_PREDICT(key, task, X, y, evaluate, random_state)
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    kind = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
    tree = kind(max_depth=lc.TREE_DEPTHS[key], random_state=random_state)
    tree.fit(np.asarray(X, dtype=np.float32), y, check_input=False)
    return [tree.predict(np.asarray(points, dtype=np.float32), check_input=False) for points in evaluate]


NUMPY_FIT_PREDICT = lc.fit_predict


def tree_split_fit_splits(
    parent: np.ndarray, splits: list[ts.Split], criterion: str, seed: int
) -> tuple[list[ts.FittedSplit], int]:
    """``tree_split.fit_splits`` as it was: depth-1 ``DecisionTreeClassifier`` fits."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.repeat(np.arange(len(parent)), parent)
    features = np.column_stack([ts._yes_column(parent, s.left) for s in splits])
    fitted = []
    for j in range(len(splits)):
        tree = DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=seed).fit(
            features[:, [j]], y
        )
        t = tree.tree_
        no_child, yes_child = int(t.children_left[0]), int(t.children_right[0])
        n, n_no, n_yes = t.n_node_samples[0], t.n_node_samples[no_child], t.n_node_samples[yes_child]
        weighted = (n_yes * t.impurity[yes_child] + n_no * t.impurity[no_child]) / n
        fitted.append(
            ts.FittedSplit(
                float(t.impurity[0]),
                float(t.impurity[yes_child]),
                float(t.impurity[no_child]),
                float(weighted),
                float(t.impurity[0] - weighted),
            )
        )
    both = DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=seed).fit(features, y)
    return fitted, int(both.tree_.feature[0])


def majority_baseline(counts: np.ndarray) -> tuple[float, float]:
    """``class_imbalance.majority_baseline`` as it was: ``DummyClassifier`` and ``balanced_accuracy_score``."""
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import balanced_accuracy_score

    y = np.arange(len(counts))
    x = np.zeros((len(y), 1))
    model = DummyClassifier(strategy="most_frequent").fit(x, y, sample_weight=counts)
    predicted = model.predict(x)
    accuracy = float(model.score(x, y, sample_weight=counts))
    return accuracy, float(balanced_accuracy_score(y, predicted, sample_weight=counts))


def balanced_weights(counts: np.ndarray) -> np.ndarray:
    """``class_imbalance.balanced_weights`` as it was: ``compute_class_weight("balanced")`` on the labels."""
    from sklearn.utils.class_weight import compute_class_weight

    y = np.repeat(np.arange(len(counts)), counts)
    return compute_class_weight("balanced", classes=np.arange(len(counts)), y=y)


def twin_probability(rows: int, test_rows: int, copies: int) -> float:
    """``class_imbalance.twin_probability`` as it was: ``1 - scipy.stats.hypergeom.pmf``."""
    from scipy.stats import hypergeom

    others = copies - 1
    return float(1.0 - hypergeom.pmf(others, rows - 1, test_rows - 1, others))


def sklearn_train_test_split(*arrays: np.ndarray, **options: Any) -> list[np.ndarray]:
    return ms.train_test_split(*arrays, **options)


def sklearn_fit_tree(X: np.ndarray, y: np.ndarray, *, classification: bool, random_state: int) -> Any:
    """A fitted ``DecisionTreeClassifier`` standing in for ``_tree.fit_tree`` (it has ``predict``)."""
    from sklearn.tree import DecisionTreeClassifier

    assert classification
    return DecisionTreeClassifier(random_state=random_state).fit(X, y)
