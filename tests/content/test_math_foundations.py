"""The maths deck: every numeric answer recomputed from the numbers in its front with numpy and scipy, and the
claims the choice cards' keys and explanations rest on (the minimum-norm lstsq split, the non-PSD distance matrix,
the float32 cancellation) checked by running them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from sklearn.linear_model import LinearRegression

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["math"]


def design_matrix_rank() -> float:
    x = np.arange(4.0)
    design = np.column_stack([np.ones(4), x, [3.0, 1.0, -1.0, -3.0]])
    # The explanation's dependence: third column = 3 × intercept − 2x, so XᵀX is singular.
    assert np.allclose(design[:, 2], 3 - 2 * x)
    assert abs(np.linalg.det(design.T @ design)) < 1e-9
    return float(np.linalg.matrix_rank(design))


def projection_first_component() -> float:
    y, a = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0])
    line = np.outer(a, a) / (a @ a)  # the projection matrix onto span(a)
    p = line @ y
    assert np.allclose(line @ line, line)  # idempotent
    assert a @ (y - p) == pytest.approx(0.0, abs=1e-12)  # residual orthogonal to a
    assert a @ y / np.linalg.norm(a) == pytest.approx(11 / 3)  # the slip the explanation quotes
    return float(p[0])


def hat_matrix_trace() -> float:
    rng = np.random.default_rng(0)
    design = np.column_stack([np.ones(200), rng.normal(size=(200, 4))])
    hat = design @ np.linalg.solve(design.T @ design, design.T)
    assert np.allclose(hat @ hat, hat) and np.allclose(hat, hat.T)
    return float(np.trace(hat))


def largest_eigenvalue() -> float:
    a = np.array([[4.0, 1.0], [2.0, 3.0]])
    eigenvalues = np.linalg.eigvals(a)
    assert np.prod(eigenvalues) == pytest.approx(np.linalg.det(a)) == pytest.approx(10.0)
    assert np.sum(eigenvalues) == pytest.approx(np.trace(a))
    return float(np.max(eigenvalues.real))


def condition_number_nonsymmetric() -> float:
    a = np.array([[1.0, 10.0], [0.0, 1.0]])
    singular = np.linalg.svd(a, compute_uv=False)
    assert np.allclose(singular, [10.099, 0.0990], atol=1e-3)
    assert np.allclose(np.linalg.eigvals(a), [1.0, 1.0])  # the eigenvalue ratio would say 1
    return float(np.linalg.cond(a))


def ridge_condition_number() -> float:
    gram = np.diag([100.0, 0.01])
    assert np.linalg.cond(gram) == pytest.approx(10_000)
    return float(np.linalg.cond(gram + 1.0 * np.eye(2)))


def quadratic_form_partial() -> float:
    a = np.array([[1.0, 2.0], [0.0, 3.0]])
    x = np.array([1.0, 1.0])

    def f(v: np.ndarray) -> float:
        return float(v @ a @ v)

    h = 1e-6
    numeric = (f(x + [h, 0.0]) - f(x - [h, 0.0])) / (2 * h)
    analytic = ((a + a.T) @ x)[0]
    assert numeric == pytest.approx(analytic, abs=1e-6)
    assert (2 * a @ x)[0] == pytest.approx(6.0)  # the symmetric-only shortcut of the explanation
    return float(analytic)


def softmax_ce_true_logit_gradient() -> float:
    z = np.array([2.0, 1.0, 0.0])
    target = np.array([0.0, 1.0, 0.0])

    def loss(logits: np.ndarray) -> float:
        return float(-(target * np.log(softmax(logits))).sum())

    h = 1e-6
    numeric = (loss(z + [0.0, h, 0.0]) - loss(z - [0.0, h, 0.0])) / (2 * h)
    analytic = (softmax(z) - target)[1]
    assert numeric == pytest.approx(analytic, abs=1e-6)
    assert -1 / softmax(z)[1] == pytest.approx(-4.086, abs=1e-3)
    return float(analytic)


def newton_step() -> float:
    x0 = 1.0
    first, second = math.exp(x0) - 2, math.exp(x0)
    x1 = x0 - first / second
    assert x1 == pytest.approx(2 / math.e)
    assert x0 - (math.exp(x0) - 2 * x0) / first == pytest.approx(0.0)  # root-finding on f itself
    assert x0 - 1.0 * first == pytest.approx(0.282, abs=1e-3)  # a gradient step with η = 1
    return x1


def max_stable_step() -> float:
    a = np.array([[3.0, 1.0], [1.0, 3.0]])
    bound = 2 / np.linalg.eigvalsh(a).max()

    def final_norm(eta: float) -> float:
        w = np.array([1.0, 0.3])
        for _ in range(500):
            w = w - eta * (a @ w)
        return float(np.linalg.norm(w))

    assert final_norm(bound - 0.01) < 1e-3  # just below the bound it converges
    assert final_norm(bound + 0.01) > 1e3  # just above it blows up along (1, 1)
    return float(bound)


def log_sum_exp_value() -> float:
    values = np.array([1000.0, 1000.0, 998.0])
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(np.exp(values).sum()))  # the naive evaluation overflows
    return float(logsumexp(values))


RECOMPUTE = {
    "design-matrix-rank": design_matrix_rank,
    "projection-onto-vector": projection_first_component,
    "hat-matrix-trace": hat_matrix_trace,
    "eigenvalues-2x2": largest_eigenvalue,
    "condition-number-nonsymmetric": condition_number_nonsymmetric,
    "ridge-condition-number": ridge_condition_number,
    "quadratic-form-gradient": quadratic_form_partial,
    "softmax-ce-logit-gradient": softmax_ce_true_logit_gradient,
    "newton-step": newton_step,
    "max-stable-step": max_stable_step,
    "log-sum-exp-value": log_sum_exp_value,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_lstsq_returns_the_minimum_norm_split() -> None:
    """Two identical columns and y = 3x: lstsq and LinearRegression both split the weight 1.5 / 1.5, raising
    nothing, and (3, 0) fits as well with a larger norm."""
    x = np.random.default_rng(1).normal(size=30)
    design, y = np.column_stack([x, x]), 3 * x
    w = np.linalg.lstsq(design, y, rcond=None)[0]
    assert np.allclose(w, [1.5, 1.5])
    assert np.allclose(LinearRegression(fit_intercept=False).fit(design, y).coef_, [1.5, 1.5])
    assert np.allclose(design @ [3.0, 0.0], y) and np.linalg.norm([3.0, 0.0]) > np.linalg.norm(w)
    assert np.allclose(np.linalg.pinv(design) @ y, w)
    assert choice("duplicate-column-lstsq").answer == "w = (1.5, 1.5)"


def test_svd_matches_eigen_only_for_symmetric_psd() -> None:
    """A symmetric PSD matrix's eigen-decomposition is its SVD; a symmetric matrix with a negative eigenvalue has
    singular values |λ|; the non-symmetric examples of the explanation have non-orthogonal eigenvectors and
    singular values unlike their eigenvalues."""
    rng = np.random.default_rng(2)
    b = rng.normal(size=(4, 4))
    psd = b @ b.T
    assert np.allclose(np.sort(np.linalg.eigvalsh(psd)), np.sort(np.linalg.svd(psd, compute_uv=False)))
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert np.allclose(np.sort(np.linalg.eigvalsh(swap)), [-1.0, 1.0])
    assert np.allclose(np.linalg.svd(swap, compute_uv=False), [1.0, 1.0])
    a = np.array([[4.0, 1.0], [2.0, 3.0]])
    assert np.allclose(a @ [1.0, 1.0], 5 * np.array([1.0, 1.0]))
    assert np.allclose(a @ [1.0, -2.0], 2 * np.array([1.0, -2.0]))
    assert np.dot([1.0, 1.0], [1.0, -2.0]) != 0
    assert np.allclose(np.linalg.svd([[1.0, 10.0], [0.0, 1.0]], compute_uv=False), [10.10, 0.099], atol=5e-3)
    assert choice("svd-eigen-coincide").answer == "Symmetric positive semi-definite matrices"


def test_distance_matrix_is_not_psd_but_the_others_are() -> None:
    """The key's distance matrix has the negative eigenvalues the explanation quotes; covariance with p > n, an RBF
    kernel matrix and XXᵀ with negative entries have none."""
    points = np.array([0.0, 1.0, 2.0])
    distances = np.abs(points[:, None] - points[None, :])
    assert np.allclose(np.linalg.eigvalsh(distances), [-2.0, 1 - math.sqrt(3), 1 + math.sqrt(3)])
    rng = np.random.default_rng(3)
    data = rng.normal(size=(5, 20))  # more features than rows
    tolerance = -1e-9
    assert np.linalg.eigvalsh(np.cov(data, rowvar=False)).min() > tolerance
    squared = ((data[:, None, :] - data[None, :, :]) ** 2).sum(axis=2)
    assert np.linalg.eigvalsh(np.exp(-0.1 * squared)).min() > tolerance
    assert np.linalg.eigvalsh(data @ data.T).min() > tolerance and (data < 0).any()
    assert choice("not-psd-matrix").answer.startswith("A matrix of pairwise Euclidean distances")


def test_reflection_is_orthogonal_with_determinant_minus_one() -> None:
    reflection = np.diag([1.0, -1.0])
    assert np.allclose(reflection.T @ reflection, np.eye(2))
    assert np.linalg.det(reflection) == pytest.approx(-1.0)
    assert np.linalg.cond(reflection) == pytest.approx(1.0)
    theta = 0.7
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    assert np.allclose(np.abs(np.linalg.eigvals(rotation)), 1.0)
    assert choice("orthogonal-not-always").answer == "Its determinant det(Q) equals +1"


def test_backprop_through_a_linear_layer_is_w_transpose_g() -> None:
    """∂L/∂x for L = gᵀWx, checked by finite differences, has length 128; g xᵀ is the weight gradient."""
    rng = np.random.default_rng(4)
    w, x, g = rng.normal(size=(64, 128)), rng.normal(size=128), rng.normal(size=64)
    h = 1e-6
    numeric = np.array([(g @ (w @ (x + h * e)) - g @ (w @ (x - h * e))) / (2 * h) for e in np.eye(128)])
    assert numeric.shape == (128,) and np.allclose(numeric, w.T @ g, atol=1e-5)
    assert np.outer(g, x).shape == w.shape
    assert choice("jacobian-backprop-shape").answer == "Wᵀg, a vector of length 128"


def test_newton_solves_a_quadratic_in_one_step() -> None:
    """From a random start, one Newton step on ½wᵀAw − bᵀw with κ = 10⁴ lands on A⁻¹b."""
    rng = np.random.default_rng(5)
    d = 50
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a = q @ np.diag(np.geomspace(1.0, 1e4, d)) @ q.T
    b = rng.normal(size=d)
    w0 = rng.normal(size=d)
    w1 = w0 - np.linalg.solve(a, a @ w0 - b)
    assert np.linalg.cond(a) == pytest.approx(1e4, rel=1e-6)
    assert np.allclose(w1, np.linalg.solve(a, b))
    assert choice("newton-quadratic-steps").answer.startswith("Exactly one iteration")


def test_lagrange_multiplier_is_the_shadow_price() -> None:
    """max xy s.t. x + y = c has f* = c²/4 and λ = c/2: at c = 6, λ = 3 and the value rises by ≈ 0.03."""

    def optimum(c: float) -> float:
        grid = np.linspace(0.0, c, 600_001)
        return float((grid * (c - grid)).max())

    assert optimum(6.0) == pytest.approx(9.0)
    assert optimum(6.01) - optimum(6.0) == pytest.approx(0.030025, abs=1e-6)
    assert choice("lagrange-shadow-price").answer == "It rises by about 0.03"


def test_matrix_norms_from_singular_values() -> None:
    rng = np.random.default_rng(6)
    u, _ = np.linalg.qr(rng.normal(size=(5, 3)))
    v, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    w = u @ np.diag([3.0, 2.0, 1.0]) @ v.T
    assert np.linalg.norm(w, 2) == pytest.approx(3.0)
    assert np.linalg.norm(w, "fro") == pytest.approx(math.sqrt(14))
    assert np.linalg.norm(w, "nuc") == pytest.approx(6.0)
    assert choice("matrix-norms-from-singular-values").answer == "Spectral 3, Frobenius √14 ≈ 3.74, nuclear 6"


def test_float32_variance_cancels_to_minus_eight() -> None:
    """The one-pass formula in float32 gives the −8.0 of the front; centring first gives the true variance 2."""
    readings = np.arange(10_000, 10_005).astype(np.float32)
    one_pass = np.mean(readings * readings) - np.mean(readings) ** 2
    assert one_pass == np.float32(-8.0)
    assert np.spacing(np.mean(readings * readings)) == np.float32(8.0)
    centred = readings - readings.mean()
    assert float(np.mean(centred * centred)) == pytest.approx(2.0)
    assert choice("variance-cancellation").answer.startswith("Cancellation of two huge")


def test_float32_absorbs_a_small_addend() -> None:
    big, one = np.float32(1e8), np.float32(1.0)
    assert (big + one) - big == np.float32(0.0)
    assert np.spacing(big) == np.float32(8.0)
    assert np.finfo(np.float32).eps == 2.0**-23 and round(float(np.finfo(np.float32).eps), 9) == 1.19e-7
    assert choice("float32-absorption").answer == "0"


def test_every_numeric_front_states_its_precision() -> None:
    """The content rule: a numeric front says how precise the answer is, and the tolerance matches it."""
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            if "whole number" in card.front:
                assert card.tolerance == 0, card.id
            else:
                decimals = {"1 decimal": 0.1, "2 decimals": 0.01, "3 decimals": 0.001}
                stated = [tolerance for phrase, tolerance in decimals.items() if phrase in card.front]
                assert stated == [card.tolerance], card.id
