"""The deployment-efficiency-rl deck: every numeric answer recomputed from its front, plus size and kind mix."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["deployment-efficiency-rl"]


def int4_weight_gb() -> float:
    params, bits = 13e9, 4
    return params * bits / 8 / 1e9


def csr_size_percent() -> float:
    rng = np.random.default_rng(0)
    rows, cols = 64, 128
    dense = rng.normal(size=(rows, cols)).astype(np.float16)
    mask = np.zeros(rows * cols, dtype=bool)
    mask[: rows * cols // 2] = True
    dense[rng.permutation(mask).reshape(rows, cols)] = 0  # exactly 50% zeros
    nonzero = np.count_nonzero(dense)
    values = np.empty(nonzero, dtype=np.float16)
    column_indices = np.empty(nonzero, dtype=np.int32)
    return 100 * (values.nbytes + column_indices.nbytes) / dense.nbytes


def low_rank_break_even() -> float:
    m, n = 4096, 1024
    ranks = [r for r in range(1, min(m, n) + 1) if r * (m + n) < m * n]
    return float(max(ranks))


def fan_out_slow_percent() -> float:
    backends, p_slow = 20, 0.01
    exact = 100 * (1 - (1 - p_slow) ** backends)
    # A simulation agrees with the closed form (to well within the card's tolerance).
    rng = np.random.default_rng(1)
    slow = (rng.random((400_000, backends)) < p_slow).any(axis=1).mean() * 100
    assert slow == pytest.approx(exact, abs=0.3)
    return exact


def kv_cache_gib() -> float:
    layers, width, bytes_per_value, batch, tokens = 32, 4096, 2, 8, 4096
    per_token = 2 * layers * width * bytes_per_value  # keys and values
    return per_token * batch * tokens / 2**30


def discounted_return() -> float:
    rewards, gamma = [1, 0, 0, 10], 0.9
    return sum(gamma**k * r for k, r in enumerate(rewards))


def q_learning_update() -> float:
    q, alpha, gamma, reward = 2.0, 0.1, 0.9, 1.0
    next_q = {"a1": 5.0, "a2": 3.0}
    target = reward + gamma * max(next_q.values())
    sarsa_target = reward + gamma * next_q["a2"]
    assert q + alpha * (sarsa_target - q) == pytest.approx(2.17)  # the SARSA value the explanation quotes
    return q + alpha * (target - q)


def ucb_score_b() -> float:
    t = 110
    arms = {"A": (0.6, 100), "B": (0.5, 10)}
    scores = {name: mean + math.sqrt(2 * math.log(t) / n) for name, (mean, n) in arms.items()}
    assert max(scores, key=scores.get) == "B"  # the explanation says UCB1 plays B next
    return scores["B"]


def bradley_terry_preference() -> float:
    return float(expit(1.5 - 0.3))


RECOMPUTE = {
    "int4-weight-memory": int4_weight_gb,
    "sparse-storage-overhead": csr_size_percent,
    "low-rank-break-even": low_rank_break_even,
    "fan-out-tail-latency": fan_out_slow_percent,
    "kv-cache-size": kv_cache_gib,
    "discounted-return": discounted_return,
    "q-learning-update": q_learning_update,
    "ucb-score": ucb_score_b,
    "reward-model-preference": bradley_terry_preference,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)
