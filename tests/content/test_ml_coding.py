"""The ml-coding deck: every numeric answer recomputed from the numbers in its front, and the numpy behaviour the
choice cards and backs claim (broadcasting shapes, views and copies, dtypes, argpartition, argmax ties, the
negative-distance rounding, float32 summation) run for real, so a numpy change or a wrong key fails here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit, logsumexp

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["ml-coding"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def broadcast_size() -> float:
    a, b = np.ones((8, 1, 6, 1)), np.ones((7, 1, 5))
    result = a + b
    assert result.shape == (8, 7, 6, 5)
    return float(result.size)


def uint8_sum() -> float:
    total = np.array([200], dtype=np.uint8) + np.array([100], dtype=np.uint8)
    assert total.dtype == np.uint8
    return float(total[0])


def test_uint8_with_python_ints_follows_nep_50() -> None:
    """The uint8 card's numpy 2 note: a Python int that fits keeps uint8 and wraps; one that does not raises."""
    img = np.array([200], dtype=np.uint8)
    assert (img + 100).dtype == np.uint8 and (img + 100).tolist() == [44]
    with pytest.raises(OverflowError):
        img + 300


def distance_matrix_gb() -> float:
    n, m = 30_000, 120_000
    nbytes = n * m * np.dtype(np.float64).itemsize
    assert round(n * m * np.dtype(np.float32).itemsize / 1e9, 1) == 14.4  # the float32 slip
    assert round(nbytes / 2**30, 1) == 26.8  # the gibibyte slip
    return nbytes / 1e9


def matmul_multiply_adds() -> float:
    n, k, m = 64, 512, 256
    # Count by the definition: every output is a length-k dot product.
    a, b = np.ones((n, k), dtype=np.int64), np.ones((k, m), dtype=np.int64)
    return float((a @ b).sum())


def softmax_third() -> float:
    z = np.array([1000.0, 1001.0, 1003.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive).all()  # what the explanation says the naive version gives
    shifted = np.exp(z - z.max())
    p = shifted / shifted.sum()
    assert p[2] == pytest.approx(np.exp(z[2] - logsumexp(z)))
    # Not the arithmetic of the problem-framing deck's card (logits 2, 1, 0 give 0.665).
    assert round(float(np.exp(2.0) / np.exp([2.0, 1.0, 0.0]).sum()), 3) != round(float(p[2]), 3)
    return float(p[2])


def kmeans_second_centroid() -> float:
    x = np.array([0.0, 2.0, 3.0, 9.0, 10.0, 12.0])
    centroids = np.array([1.0, 4.0])
    labels = np.abs(x[:, None] - centroids[None, :]).argmin(axis=1)
    assert labels.tolist() == [0, 0, 1, 1, 1, 1]
    assert x[[1, 2, 3, 4, 5]].mean() == pytest.approx(7.2)  # the slip with 2 in the second cluster
    return float(x[labels == 1].mean())


def logreg_feature_weight() -> float:
    x = np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.0]])
    y = np.array([1.0, 0.0, 1.0])
    w = np.zeros(2)
    grad = x.T @ (sigmoid(x @ w) - y) / len(y)
    assert (w - 0.5 * grad * len(y))[1] == pytest.approx(0.75)  # forgetting the / n
    return float((w - 0.5 * grad)[1])


def relative_error() -> float:
    analytic, numeric = 0.6, 0.4
    assert abs(analytic - numeric) / min(analytic, numeric) == pytest.approx(0.5)
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric))


def kmeans_terms_billions() -> float:
    n, d, k, iters = 200_000, 30, 8, 25
    return n * k * d * iters / 1e9


RECOMPUTE = {
    "broadcast-result-size": broadcast_size,
    "uint8-overflow": uint8_sum,
    "distance-matrix-memory": distance_matrix_gb,
    "matmul-multiply-adds": matmul_multiply_adds,
    "stable-softmax-value": softmax_third,
    "kmeans-one-step": kmeans_second_centroid,
    "logreg-one-step": logreg_feature_weight,
    "gradient-check-relative-error": relative_error,
    "kmeans-cost-count": kmeans_terms_billions,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_which_shapes_broadcast() -> None:
    """Only the key's pair fails; the others give the shapes the explanation quotes."""
    assert choice("broadcast-which-fails").answer == "(4, 3) and (4,)"
    with pytest.raises(ValueError):
        np.ones((4, 3)) + np.ones(4)
    assert (np.ones((4, 3)) + np.ones(3)).shape == (4, 3)
    assert (np.ones((4, 1)) + np.ones((1, 3))).shape == (4, 3)
    assert (np.ones((2, 1, 3)) + np.ones((4, 1))).shape == (2, 4, 3)


def test_column_against_flat_makes_a_square_matrix() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=1000)
    y_pred = (y + rng.normal(scale=0.1, size=1000))[:, None]
    assert (y_pred - y).shape == (1000, 1000)
    wrong = float(np.mean((y_pred - y) ** 2))
    right = float(np.mean((y_pred.ravel() - y) ** 2))
    assert right < 0.02 and wrong > 1.5
    assert choice("column-vs-flat-pitfall").answer.startswith("It broadcasts to a (1000, 1000) matrix")


def test_row_normalise_without_keepdims_divides_columns() -> None:
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    row_sums = x.sum(axis=1)
    wrong = x / row_sums
    assert np.allclose(wrong, x / row_sums[None, :])  # entry [i, j] divided by the sum of row j
    assert not np.allclose(wrong.sum(axis=1), 1.0)
    assert np.allclose((x / x.sum(axis=1, keepdims=True)).sum(axis=1), 1.0)
    assert x.sum(axis=1, keepdims=True).shape == (3, 1)


def test_views_and_copies() -> None:
    """Only the list index leaves `a` alone, as the key says."""
    assert choice("view-copy-which-changes").answer == "`b = a[[0, 2, 4]]; b[0] = 99`"
    a = np.arange(6)
    b = a[[0, 2, 4]]
    b[0] = 99
    assert a[0] == 0 and not np.shares_memory(a, b)
    for make in (lambda a: a[::2], lambda a: a[1:4], lambda a: a.reshape(2, 3)):
        a = np.arange(6)
        view = make(a)
        assert np.shares_memory(a, view)
    a = np.arange(6)
    a[1:4] += 10
    assert a.tolist() == [0, 11, 12, 13, 4, 5]
    a = np.arange(6)
    a[a > 2][0] = 100  # the mask returns a copy: the write is lost
    assert a.tolist() == [0, 1, 2, 3, 4, 5]


def test_integer_array_truncates_on_assignment() -> None:
    x = np.array([1, 2, 3])
    x[0] = 0.7
    assert x.tolist() == [0, 2, 3] and np.issubdtype(x.dtype, np.integer)
    assert choice("int-array-assignment").answer == "array([0, 2, 3])"


def test_float32_running_sum_drifts_but_np_sum_does_not() -> None:
    x = np.full(10_000_000, 0.1, dtype=np.float32)
    sequential = float(np.cumsum(x)[-1])
    pairwise = float(x.sum())
    assert round(sequential / 1e6, 3) == 1.088
    assert abs(pairwise - 1e6) < 1.0
    assert abs(float(x.sum(dtype=np.float64)) - 1e6) < 0.1


def test_expanded_distances_go_negative_and_clipping_fixes_them() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 3)) * 1000 + 1e4
    sq = (a**2).sum(axis=1)
    d = sq[:, None] + sq[None, :] - 2 * a @ a.T
    assert (np.diag(d) < 0).any()
    with pytest.warns(RuntimeWarning):
        assert np.isnan(np.sqrt(d)).any()
    assert not np.isnan(np.sqrt(np.maximum(d, 0))).any()
    assert np.sqrt(0.0) == 0.0
    # Away from the cancellation the expansion matches the direct computation.
    direct = ((a[:, None, :] - a[None, :, :]) ** 2).sum(axis=2)
    assert np.allclose(np.maximum(d, 0), direct, atol=1e-3)


def test_stable_bce_matches_exact_loss_and_the_naive_forms_fail() -> None:
    z = np.array([-800.0, -40.0, -3.0, 0.0, 2.5, 40.0, 800.0])
    y = np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    stable = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    exact = np.logaddexp(0.0, z) - z * y
    assert np.allclose(stable, exact)
    assert sigmoid(np.array(37.0)) == 1.0  # σ rounds to 1, so log(1 − σ) = −inf
    with np.errstate(over="ignore"):
        assert np.isinf(np.log1p(np.exp(z)) - z * y).any()
    assert choice("stable-bce-with-logits").answer == "max(z, 0) − z·y + log(1 + exp(−|z|))"


def test_stable_sigmoid_branches() -> None:
    z = np.array([-1000.0, -5.0, 0.0, 5.0, 1000.0])
    with np.errstate(over="ignore"):
        e = np.exp(np.minimum(z, 0)) / (1 + np.exp(np.minimum(z, 0)))
        branch = np.where(z >= 0, 1 / (1 + np.exp(-np.maximum(z, 0))), e)
    assert np.allclose(branch, expit(z))
    with pytest.warns(RuntimeWarning):
        sigmoid(np.array([-1000.0]))
    with np.errstate(all="raise"):  # the card's "expit is safe for any z": no floating-point error raised
        assert np.array_equal(expit(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_argpartition_top_k() -> None:
    rng = np.random.default_rng(3)
    s = rng.permutation(100_000).astype(float)
    part = np.argpartition(-s, 10)[:10]
    assert set(part) == set(np.argsort(-s)[:10])
    # The order of the first k is undefined: for a larger k it visibly is not sorted, so they need sorting.
    wide = np.argpartition(-s, 1000)[:1000]
    assert not np.array_equal(wide, np.argsort(-s)[:1000])
    assert set(wide) == set(np.argsort(-s)[:1000])
    top = part[np.argsort(-s[part])]
    assert np.array_equal(top, np.argsort(-s)[:10])
    assert choice("argpartition-top-k").answer.startswith("`np.argpartition(-s, 10)[:10]`, then sort")


def test_empty_cluster_mean_is_nan_not_zero() -> None:
    points = np.array([[0.0, 0.0], [1.0, 1.0]])
    with pytest.warns(RuntimeWarning):
        centre = points[np.array([False, False])].mean(axis=0)
    assert np.isnan(centre).all()


def test_sklearn_moves_an_empty_cluster_to_the_worst_fit_point() -> None:
    """The empty-cluster key: the centre at 1000 gets no points, and scikit-learn re-seeds it at 20, the point
    farthest from its own assigned centre (0)."""
    from sklearn.cluster import KMeans

    x = np.array([[0.0], [1.0], [2.0], [20.0]])
    model = KMeans(n_clusters=2, init=np.array([[0.0], [1000.0]]), n_init=1).fit(x)
    assert model.labels_.tolist() == [0, 0, 0, 1]
    assert np.allclose(model.cluster_centers_.ravel(), [1.0, 20.0])


def test_gradient_check_float32_versus_float64() -> None:
    """A correct gradient of log-sum-exp checked with h = 1e-5: about 1e-2 relative error or worse in float32,
    tiny in float64, and a much smaller h is worse in float32."""

    def check(dtype: type, h: float) -> float:
        w = np.array([0.3, -1.2, 0.8], dtype=dtype)
        analytic = np.exp(w - logsumexp(w))[0]
        step = np.zeros_like(w)
        step[0] = h
        numeric = (logsumexp(w + step) - logsumexp(w - step)) / (2 * h)
        return float(abs(analytic - numeric) / max(abs(analytic), abs(numeric)))

    assert check(np.float64, 1e-5) < 1e-8
    assert check(np.float32, 1e-5) > 1e-3
    assert check(np.float32, 1e-10) > check(np.float32, 1e-5)


def test_argmax_tie_goes_to_the_smallest_label() -> None:
    assert np.argmax(np.bincount([2, 0, 2, 0])) == 0
    assert choice("knn-tie-argmax").answer.startswith("0,")


def test_two_shuffles_misalign_and_one_permutation_does_not() -> None:
    rng = np.random.default_rng(7)
    x = np.arange(100)
    y = np.arange(100)
    rng.shuffle(x)
    rng.shuffle(y)
    assert not np.array_equal(x, y)
    rng = np.random.default_rng(7)
    idx = rng.permutation(100)
    assert np.array_equal(np.arange(100)[idx], np.arange(100)[idx])
    matrix = np.arange(12).reshape(4, 3)
    np.random.default_rng(0).shuffle(matrix)
    assert sorted(map(tuple, matrix)) == [(0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)]  # rows move whole


def test_one_hot_with_eye() -> None:
    labels = np.array([2, 0, 1, 2])
    one_hot = np.eye(3)[labels]
    assert one_hot.shape == (4, 3) and np.array_equal(one_hot.argmax(axis=1), labels)
    assert np.array_equal(np.eye(3)[np.array([-1])], np.array([[0.0, 0.0, 1.0]]))
    with pytest.raises(IndexError):
        np.eye(3)[labels.astype(float)]


def test_floor_division_batch_loop_skips_the_tail() -> None:
    n, b = 1000, 64
    seen = np.concatenate([np.arange(n)[i * b : (i + 1) * b] for i in range(n // b)])
    assert len(seen) == 960
    every = np.concatenate([np.arange(n)[start : start + b] for start in range(0, n, b)])
    assert len(every) == n and len(np.arange(n)[960:1024]) == 40


def test_kmeans_plus_plus_weights_by_squared_distance() -> None:
    """The k-means++ card's rule: with one centre at 0, a point at distance 3 is 9 times as likely as one at 1."""
    x = np.array([0.0, 1.0, 3.0])
    d2 = (x - 0.0) ** 2
    p = d2 / d2.sum()
    assert p[2] / p[1] == pytest.approx(9.0)
    assert math.isclose(p.sum(), 1.0)


def logistic_regression_gd(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """The logreg-from-scratch card's loop: a bias column, the gradient Xᵀ(σ(Xw) − y) / n, a fixed learning rate."""
    xb = np.c_[np.ones(len(x)), x]
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        w -= lr * xb.T @ (expit(xb @ w) - y) / len(y)
    return w


def test_logistic_regression_from_scratch_matches_sklearn() -> None:
    """The testing card's reference check: unpenalised scikit-learn agrees with the hand-written gradient descent."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = (x @ np.array([1.5, -2.0]) + 0.3 + rng.normal(size=300) > 0).astype(float)
    w = logistic_regression_gd(x, y, lr=1.0, steps=20_000)
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(x, y)
    assert np.allclose(w, np.r_[model.intercept_, model.coef_.ravel()], atol=1e-4)


def test_kmeans_from_scratch_inertia_never_rises_and_matches_sklearn() -> None:
    """The k-means card's loop (vectorised assignment, per-cluster means, stop on unchanged labels), checked as the
    testing card says: inertia never rises, and the partition equals scikit-learn's from the same start."""
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(loc, 0.5, size=(50, 2)) for loc in ((0, 0), (4, 0), (0, 4))])
    init = x[[0, 1, 2]].copy()  # a poor start: three points of the same blob
    centroids, labels, inertias = init.copy(), np.full(len(x), -1), []
    for _ in range(100):
        d = (x**2).sum(1)[:, None] + (centroids**2).sum(1)[None, :] - 2 * x @ centroids.T
        new_labels = np.maximum(d, 0).argmin(axis=1)
        inertias.append(float(((x - centroids[new_labels]) ** 2).sum()))
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centroids = np.array([x[labels == j].mean(axis=0) for j in range(3)])
    assert all(later <= earlier + 1e-9 for earlier, later in zip(inertias, inertias[1:], strict=False))
    reference = KMeans(n_clusters=3, init=init, n_init=1, tol=0.0, max_iter=300).fit(x)
    assert np.array_equal(labels, reference.labels_)


def test_python_loop_float32_total_matches_cumsum() -> None:
    """The float32 card says the plain loop drifts like cumsum: under numpy 2's NEP 50 a loop started from the
    Python float 0.0 stays float32 (numpy 1.x promoted it to float64), so it equals the float32 cumsum."""
    x = np.full(1_000_000, 0.1, dtype=np.float32)
    total = 0.0
    for value in x:
        total += value
    assert isinstance(total, np.float32)
    assert float(total) == float(np.cumsum(x)[-1])
    assert abs(float(total) - 1e5) > 100  # far off already at a million terms
