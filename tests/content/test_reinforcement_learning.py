"""The reinforcement-learning deck: every numeric answer recomputed from the numbers in its front (value iteration
run on the 2-state MDP, the IPS log rebuilt row by row, the max of noisy estimates checked by simulation), and the
claims some choice cards rest on checked by running them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["rl"]

GAMMA = 0.9

# The 2-state MDP of the value-iteration card: state -> action -> (reward, next state).
MDP = {"A": {"stay": (1.0, "A"), "go": (0.0, "B")}, "B": {"stay": (3.0, "B"), "go": (0.0, "A")}}

# The IPS card's log: (logged action, propensity, click, action the new policy shows).
LOG = [("A", 0.5, 1, "A"), ("B", 0.5, 0, "A"), ("A", 0.25, 1, "A"), ("A", 0.8, 0, "A"), ("B", 0.2, 1, "B")]


def bellman_backup(v: dict[str, float]) -> dict[str, float]:
    """One synchronous value-iteration sweep: every state's max over actions of reward plus discounted next value."""
    return {s: max(r + GAMMA * v[nxt] for r, nxt in actions.values()) for s, actions in MDP.items()}


def value_iteration_two_sweeps() -> float:
    v = {"A": 0.0, "B": 0.0}
    v1 = bellman_backup(v)
    assert v1 == {"A": 1.0, "B": 3.0}
    # The greedy-on-immediate-reward slip the explanation quotes: staying in A for a second sweep.
    assert 1 + GAMMA * v1["A"] == pytest.approx(1.9)
    return bellman_backup(v1)["A"]


def td0_update() -> float:
    alpha, v_s, reward, v_next, mc_return = 0.2, 4.0, 1.0, 6.0, 3.0
    assert v_s + alpha * (mc_return - v_s) == pytest.approx(3.8)  # the Monte Carlo update of the explanation
    return v_s + alpha * (reward + GAMMA * v_next - v_s)


def three_step_return() -> float:
    rewards, bootstrap = [1.0, 0.0, 2.0], 5.0
    discounted = sum(GAMMA**k * r for k, r in enumerate(rewards))
    # The slips the explanation quotes: the bootstrap discounted one step too little, and left out.
    assert discounted + GAMMA**2 * bootstrap == pytest.approx(6.67)
    assert discounted == pytest.approx(2.62)
    return discounted + GAMMA ** len(rewards) * bootstrap


def epsilon_greedy_greedy_probability() -> float:
    epsilon, n_actions = 0.2, 4
    probs = np.full(n_actions, epsilon / n_actions)
    probs[0] += 1 - epsilon
    assert probs.sum() == pytest.approx(1.0) and 1 / probs[1] == pytest.approx(20.0)
    return float(probs[0])


def expected_max_of_two_noisy_estimates() -> float:
    """E[max(X1, X2)] for independent N(0, 1): integrated numerically, checked against 1/√π and a simulation."""
    exact, _ = integrate.quad(lambda x: x * 2 * stats.norm.pdf(x) * stats.norm.cdf(x), -np.inf, np.inf)
    assert exact == pytest.approx(1 / math.sqrt(math.pi))
    draws = np.random.default_rng(0).standard_normal((400_000, 2)).max(axis=1)
    assert float(draws.mean()) == pytest.approx(exact, abs=0.01)
    return exact


def double_dqn_target() -> float:
    reward = 1.0
    online = np.array([5.0, 7.0, 6.0])
    target = np.array([6.0, 4.0, 8.0])
    assert reward + GAMMA * target.max() == pytest.approx(8.2)  # the DQN target
    assert reward + GAMMA * online.max() == pytest.approx(7.3)  # maxing the online network
    return float(reward + GAMMA * target[online.argmax()])


def ppo_clipped_term() -> float:
    epsilon, advantage, ratio = 0.2, -2.0, 0.5
    unclipped = ratio * advantage
    clipped = float(np.clip(ratio, 1 - epsilon, 1 + epsilon)) * advantage
    assert unclipped == pytest.approx(-1.0)
    return min(unclipped, clipped)


def importance_weights() -> tuple[np.ndarray, np.ndarray]:
    weights = np.array([(logged == new) / propensity for logged, propensity, _, new in LOG])
    clicks = np.array([click for _, _, click, _ in LOG], dtype=float)
    return weights, clicks


def ips_estimate() -> float:
    weights, clicks = importance_weights()
    matching = weights > 0
    assert float(clicks[matching].mean()) == pytest.approx(0.75)  # the naive average of the explanation
    return float((weights * clicks).mean())


def snips_estimate() -> float:
    weights, clicks = importance_weights()
    card = DECK.card("snips-estimate")
    # The front restates the IPS card's log as weights and clicks: they must be that log's.
    assert "(2, 0, 4, 1.25, 5)" in card.front and "(1, 0, 1, 0, 1)" in card.front
    assert np.allclose(weights, [2, 0, 4, 1.25, 5])
    assert float((weights * clicks).sum() / np.count_nonzero(weights)) == pytest.approx(2.75)
    return float((weights * clicks).sum() / weights.sum())


def regret() -> float:
    means = np.array([0.50, 0.45, 0.30])
    pulls = np.array([700, 200, 100])
    gaps = means.max() - means
    assert pulls.sum() * means.max() - pulls @ means == pytest.approx(gaps @ pulls)
    return float(gaps @ pulls)


RECOMPUTE = {
    "value-iteration-backup": value_iteration_two_sweeps,
    "td0-update": td0_update,
    "n-step-return": three_step_return,
    "epsilon-greedy-probability": epsilon_greedy_greedy_probability,
    "max-overestimation-bias": expected_max_of_two_noisy_estimates,
    "double-dqn-target": double_dqn_target,
    "ppo-clipped-term": ppo_clipped_term,
    "ips-estimate": ips_estimate,
    "snips-estimate": snips_estimate,
    "regret-over-rounds": regret,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_value_iteration_fixed_point() -> None:
    """The explanation quotes V* = (27, 30): value iteration converges there, and it is the Bellman fixed point."""
    v = {"A": 0.0, "B": 0.0}
    for _ in range(400):
        v = bellman_backup(v)
    assert v["A"] == pytest.approx(27.0) and v["B"] == pytest.approx(30.0)
    assert bellman_backup(v) == pytest.approx(v)
    card = DECK.card("value-iteration-backup")
    assert isinstance(card, NumericCard) and card.explanation is not None and "27" in card.explanation


def test_bellman_backup_is_a_gamma_contraction() -> None:
    """The contraction card: for random value functions the backup shrinks their max-norm distance by at least γ."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        u = dict(zip("AB", rng.normal(0, 10, 2), strict=True))
        w = dict(zip("AB", rng.normal(0, 10, 2), strict=True))
        before = max(abs(u[s] - w[s]) for s in "AB")
        tu, tw = bellman_backup(u), bellman_backup(w)
        assert max(abs(tu[s] - tw[s]) for s in "AB") <= GAMMA * before + 1e-12


def test_policy_evaluation_is_one_linear_solve() -> None:
    """The Bellman-expectation card: V^π = (I − γP^π)⁻¹ R^π matches iterating the expectation backup."""
    p = np.array([[0.0, 1.0], [0.0, 1.0]])  # π: go in A, stay in B
    r = np.array([0.0, 3.0])
    direct = np.linalg.solve(np.eye(2) - GAMMA * p, r)
    v = np.zeros(2)
    for _ in range(500):
        v = r + GAMMA * p @ v
    assert np.allclose(direct, v) and np.allclose(direct, [27.0, 30.0])


def test_state_baseline_leaves_the_policy_gradient_unbiased() -> None:
    """The baseline card: for a softmax policy, E_a[∇ log π(a|s)] = 0, so b(s) adds nothing in expectation, while an
    action-dependent baseline shifts the gradient."""
    logits = np.array([0.3, -1.0, 1.2, 0.1])
    probs = np.exp(logits) / np.exp(logits).sum()
    score = np.eye(len(logits)) - probs  # row a: ∇_logits log π(a)
    q = np.array([1.0, 4.0, -2.0, 0.5])
    exact = probs @ (score * q[:, None])
    with_state_baseline = probs @ (score * (q - 7.3)[:, None])
    with_action_baseline = probs @ (score * (q - np.array([0.0, 3.0, 0.0, 0.0]))[:, None])
    assert np.allclose(probs @ score, 0.0)
    assert np.allclose(exact, with_state_baseline)
    assert not np.allclose(exact, with_action_baseline)
    card = DECK.card("baseline-no-bias")
    assert isinstance(card, ChoiceCard) and "does not depend on the action" in card.answer


def test_doubly_robust_is_unbiased_either_way_and_cuts_variance_only_with_a_good_model() -> None:
    """The DR card: with exact propensities, DR averaged over the logging distribution equals the target policy's value
    whatever the reward model, like IPS; its variance is below IPS's with an accurate model and can exceed it with a
    bad one; and a single DR term can leave the reward range [0, 1]."""
    logging = np.array([0.5, 0.3, 0.2])
    click_rate = np.array([0.2, 0.1, 0.4])  # Bernoulli clicks
    target_action = 1
    truth = click_rate[target_action]

    def moments(model: np.ndarray | None) -> tuple[float, float]:
        """Mean and variance of one logged round's estimate, exactly, over the logged action and its click."""
        values, probs = [], []
        for a in range(3):
            for click, p_click in ((1.0, click_rate[a]), (0.0, 1 - click_rate[a])):
                w = float(a == target_action) / logging[a]
                base = 0.0 if model is None else model[target_action]
                residual = click - (0.0 if model is None else model[a])
                values.append(base + w * residual)
                probs.append(logging[a] * p_click)
        values_arr, probs_arr = np.array(values), np.array(probs)
        mean = float(probs_arr @ values_arr)
        return mean, float(probs_arr @ (values_arr - mean) ** 2)

    ips_mean, ips_var = moments(None)
    good_mean, good_var = moments(click_rate)
    bad = np.array([0.9, 0.9, 0.5])  # badly misspecified: 0.9 for an action clicked 10% of the time
    bad_mean, bad_var = moments(bad)
    assert (
        ips_mean == pytest.approx(truth)
        and good_mean == pytest.approx(truth)
        and bad_mean == pytest.approx(truth)
    )
    assert bad[target_action] != pytest.approx(truth)  # the direct method alone would be off
    assert good_var < ips_var < bad_var
    # Not bounded: model 0.9 for the target action, no click on it, weight 1/0.3.
    assert 0.9 + (1 / 0.3) * (0.0 - 0.9) < 0
    card = DECK.card("doubly-robust-ope")
    assert isinstance(card, ChoiceCard) and card.answer.startswith("Lower variance when r̂ is accurate")


# Cliff walking (Sutton & Barto, Example 6.6): 4 × 12 grid, start bottom-left, goal bottom-right, the bottom row between
# them is the cliff (−100 and back to the start); every other step costs −1; undiscounted.
CLIFF_ROWS, CLIFF_COLS = 4, 12
CLIFF_START, CLIFF_GOAL = (3, 0), (3, 11)
CLIFF_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


def cliff_step(state: tuple[int, int], action: int) -> tuple[float, tuple[int, int]]:
    row, col = state
    d_row, d_col = CLIFF_MOVES[action]
    row, col = min(max(row + d_row, 0), CLIFF_ROWS - 1), min(max(col + d_col, 0), CLIFF_COLS - 1)
    if row == 3 and 1 <= col <= 10:
        return -100.0, CLIFF_START
    return -1.0, (row, col)


def cliff_fixed_point(epsilon: float) -> np.ndarray:
    """The Q that SARSA's expected update leaves unchanged when it follows ε-greedy on Q: r + Σ π_ε(a′|s′) Q(s′, a′).
    With ε = 0 the backup is Q-learning's max, so the same function gives Q*."""
    cells = [(r, c) for r in range(CLIFF_ROWS) for c in range(CLIFF_COLS)]
    index = {cell: i for i, cell in enumerate(cells)}
    rewards = np.zeros((len(cells), 4))
    nxt = np.zeros((len(cells), 4), dtype=int)
    for cell in cells:
        for action in range(4):
            reward, landing = cliff_step(cell, action)
            rewards[index[cell], action], nxt[index[cell], action] = reward, index[landing]
    goal = index[CLIFF_GOAL]
    q = np.zeros((len(cells), 4))
    for _ in range(5000):
        policy = np.full_like(q, epsilon / 4)
        policy[np.arange(len(cells)), q.argmax(axis=1)] += 1 - epsilon
        v = (policy * q).sum(axis=1)
        v[goal] = 0.0
        updated = rewards + v[nxt]
        updated[goal] = 0.0
        if np.allclose(updated, q, atol=1e-10):
            return q
        q = updated
    raise AssertionError(f"no fixed point for ε = {epsilon}")


def cliff_greedy_path(q: np.ndarray) -> list[tuple[int, int]]:
    cell, path = CLIFF_START, [CLIFF_START]
    while cell != CLIFF_GOAL:
        _, cell = cliff_step(cell, int(q[cell[0] * CLIFF_COLS + cell[1]].argmax()))
        path.append(cell)
        assert len(path) < 60
    return path


def test_cliff_walking_paths_meet_as_epsilon_decays() -> None:
    """The cliff card: SARSA's fixed point for ε = 0.1 keeps off the row beside the cliff (a longer path), while Q*
    (Q-learning's, whatever ε it explores with) takes the 13-step path along it; as ε shrinks toward 0, SARSA's
    fixed point moves onto that same edge path."""
    edge_row = {(2, col) for col in range(1, 11)}
    sarsa_path = cliff_greedy_path(cliff_fixed_point(0.1))
    q_star_path = cliff_greedy_path(cliff_fixed_point(0.0))
    assert len(q_star_path) - 1 == 13 and edge_row <= set(q_star_path)
    assert len(sarsa_path) - 1 > 13 and not edge_row & set(sarsa_path)
    assert cliff_greedy_path(cliff_fixed_point(0.001)) == q_star_path
    card = DECK.card("cliff-walking-decaying-epsilon")
    assert isinstance(card, ChoiceCard) and card.answer.startswith("Both end on the shortest path")


def test_constant_epsilon_regret_grows_linearly() -> None:
    """The constant-ε card: with the best arm already known, a fixed ε = 0.1 on 10 arms costs about
    ε · (9/10) · mean gap per round, so regret doubles when T doubles."""
    means = np.linspace(0.1, 0.55, 10)
    epsilon = 0.1
    per_round = epsilon * float((means.max() - means).mean())
    gaps = means.max() - means
    assert per_round == pytest.approx(epsilon * 9 / 10 * gaps[gaps > 0].mean())
    rng = np.random.default_rng(2)

    def regret_after(t: int) -> float:
        random_rounds = rng.random(t) < epsilon
        arms = rng.integers(0, 10, t)
        return float(gaps[arms[random_rounds]].sum())

    r1, r2 = regret_after(100_000), regret_after(200_000)
    assert r1 == pytest.approx(per_round * 100_000, rel=0.05)
    assert r2 / r1 == pytest.approx(2.0, rel=0.05)
