"""The graphs-privacy deck: every numeric answer recomputed from the numbers in its front (the graphs built with
numpy, PageRank checked against its fixed point), and the claims of the readout choice card checked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["graphs-privacy"]

# The directed graph of the PageRank card: page -> pages it links to.
PAGERANK_LINKS = {"A": ["B", "C"], "B": ["C"], "C": ["A"], "D": ["C"]}
DAMPING = 0.85


def adjacency(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    """Undirected adjacency matrix from 1-based edges, as the fronts number their nodes."""
    a = np.zeros((n, n))
    for i, j in edges:
        a[i - 1, j - 1] = a[j - 1, i - 1] = 1.0
    return a


def gcn_node_one() -> float:
    a = adjacency(4, [(1, 2), (2, 3), (2, 4), (3, 4)])
    a_tilde = a + np.eye(4)
    d_inv_sqrt = np.diag(a_tilde.sum(axis=1) ** -0.5)
    x = np.array([1.0, 2.0, 3.0, 4.0])
    h = d_inv_sqrt @ a_tilde @ d_inv_sqrt @ x
    # The distractor values the explanation quotes: a plain mean with self-loop, and a neighbour sum.
    assert (a_tilde @ x / a_tilde.sum(axis=1))[0] == pytest.approx(1.5)
    assert (a @ x)[0] == pytest.approx(2.0)
    return float(h[0])


def receptive_field_size() -> float:
    """Nodes whose features can reach node 5 after 3 layers: reachability in (A + I)^3."""
    n, layers, target = 10, 3, 5
    a_tilde = adjacency(n, [(i, i + 1) for i in range(1, n)]) + np.eye(n)
    reach = np.linalg.matrix_power(a_tilde, layers)[target - 1]
    return float(np.count_nonzero(reach))


def node2vec_probability() -> float:
    p, q = 2.0, 0.5
    # distance from the previous node t: t itself 0, x1 (linked to t) 1, x2 and x3 2.
    distance = {"t": 0, "x1": 1, "x2": 2, "x3": 2}
    weight = {node: {0: 1 / p, 1: 1.0, 2: 1 / q}[d] for node, d in distance.items()}
    # The slip the explanation quotes: 1/q on going back and 1/p on outward moves.
    swapped = {node: {0: 1 / q, 1: 1.0, 2: 1 / p}[d] for node, d in distance.items()}
    assert swapped["x2"] / sum(swapped.values()) == pytest.approx(0.125)
    return weight["x2"] / sum(weight.values())


def transition_matrix() -> tuple[list[str], np.ndarray]:
    pages = sorted(PAGERANK_LINKS)
    index = {page: i for i, page in enumerate(pages)}
    p = np.zeros((len(pages), len(pages)))
    for source, targets in PAGERANK_LINKS.items():
        for target in targets:
            p[index[target], index[source]] = 1 / len(targets)
    return pages, p


def pagerank_one_step_c() -> float:
    pages, p = transition_matrix()
    n = len(pages)
    r = np.full(n, 1 / n)
    r = (1 - DAMPING) / n + DAMPING * p @ r
    return float(r[pages.index("C")])


def dp_ratio() -> float:
    return math.exp(0.7)


def laplace_std() -> float:
    sensitivity, epsilon = 1.0, 0.5
    scale = sensitivity / epsilon
    # Variance 2b², checked against a sampled Laplace distribution.
    draws = np.random.default_rng(0).laplace(0.0, scale, 400_000)
    assert float(draws.std()) == pytest.approx(math.sqrt(2) * scale, rel=0.01)
    return math.sqrt(2) * scale


def composition_total() -> float:
    sequential = 3 * 0.1
    bins = [0.5] * 5
    parallel = max(bins)  # disjoint people: the largest budget, not the sum
    assert sequential + sum(bins) == pytest.approx(2.8)
    return sequential + parallel


def fedavg_weight() -> float:
    sizes = np.array([100, 300, 600])
    weights = np.array([2.0, 1.0, 0.5])
    assert float(weights.mean()) == pytest.approx(7 / 6)  # the unweighted mean of the explanation
    return float(sizes @ weights / sizes.sum())


RECOMPUTE = {
    "gcn-one-layer-numeric": gcn_node_one,
    "receptive-field-hops": receptive_field_size,
    "node2vec-transition": node2vec_probability,
    "pagerank-power-step": pagerank_one_step_c,
    "dp-likelihood-ratio": dp_ratio,
    "laplace-noise-std": laplace_std,
    "dp-composition-budget": composition_total,
    "fedavg-weighted-numeric": fedavg_weight,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_pagerank_converged_value() -> None:
    """The explanation quotes C's converged score: the fixed point solved directly, and power iteration agrees."""
    pages, p = transition_matrix()
    n = len(pages)
    exact = np.linalg.solve(np.eye(n) - DAMPING * p, np.full(n, (1 - DAMPING) / n))
    r = np.full(n, 1 / n)
    for _ in range(200):
        r = (1 - DAMPING) / n + DAMPING * p @ r
    assert np.allclose(r, exact) and exact.sum() == pytest.approx(1.0)
    assert round(float(exact[pages.index("C")]), 3) == 0.394
    card = DECK.card("pagerank-power-step")
    assert isinstance(card, NumericCard) and card.explanation is not None
    assert "0.394" in card.explanation


def test_damping_alone_does_not_fix_dead_ends() -> None:
    """The definition card says dead ends need their own fix: with a page that links nowhere, r ← (1 − d)/n + d·P r
    converges but its scores no longer sum to 1; letting the dead end jump to a random page restores a distribution."""
    links = {"A": ["B", "C"], "B": ["C"], "C": [], "D": ["C"]}  # C is a dead end
    pages = sorted(links)
    n = len(pages)
    p = np.zeros((n, n))
    for source, targets in links.items():
        for target in targets:
            p[pages.index(target), pages.index(source)] = 1 / len(targets)
    leaky = np.linalg.solve(np.eye(n) - DAMPING * p, np.full(n, (1 - DAMPING) / n))
    assert leaky.sum() < 0.9
    fixed = p.copy()
    fixed[:, pages.index("C")] = 1 / n
    repaired = np.linalg.solve(np.eye(n) - DAMPING * fixed, np.full(n, (1 - DAMPING) / n))
    assert repaired.sum() == pytest.approx(1.0)
    card = DECK.card("pagerank-definition")
    assert card.back is not None and "dead ends" in card.back


def test_readout_only_sum_separates_sizes() -> None:
    """Three or six identical node embeddings: mean and max agree, only the sum differs, as the key says."""
    card = DECK.card("readout-sum-vs-mean")
    assert isinstance(card, ChoiceCard)
    embedding = np.array([0.3, -1.2, 0.8])
    small, large = np.tile(embedding, (3, 1)), np.tile(embedding, (6, 1))
    assert np.allclose(small.mean(axis=0), large.mean(axis=0))
    assert np.allclose(small.max(axis=0), large.max(axis=0))
    assert not np.allclose(small.sum(axis=0), large.sum(axis=0))
    assert card.answer == "Sum pooling, since the total of the node embeddings grows with the number of atoms"
