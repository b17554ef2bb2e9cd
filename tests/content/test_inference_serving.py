"""The inference-serving deck: every numeric answer recomputed from the numbers in its front (the M/M/1 figures
checked against a simulated queue, speculative decoding's tokens per pass against a simulated draft-and-verify
loop), the slips the explanations quote recomputed too, and the claim of the speculative-sampling card that the
acceptance rule leaves the target distribution exactly unchanged checked on a small vocabulary."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["inference-serving"]


def littles_law_concurrency() -> float:
    arrival_rate, time_in_system = 20.0, 12.0
    assert arrival_rate / time_in_system == pytest.approx(1.667, abs=1e-3)  # the division slip
    return arrival_rate * time_in_system


def mm1_time_in_system(service_rate: float, arrival_rate: float) -> float:
    return 1.0 / (service_rate - arrival_rate)


def mm1_ratio() -> float:
    mu, low, high = 1.0, 0.5, 0.9
    ratio = mm1_time_in_system(mu, high * mu) / mm1_time_in_system(mu, low * mu)
    # The slips the explanation quotes: latency linear in load, and the queueing wait alone.
    assert high / low == pytest.approx(1.8)
    wait = {rho: rho / (mu * (1 - rho)) for rho in (low, high)}
    assert wait[high] / wait[low] == pytest.approx(9.0)
    return ratio


def simulated_mm1_times(service_rate: float, arrival_rate: float, n: int, seed: int) -> np.ndarray:
    """Times in system of a FCFS single server on exponential draws. The Lindley recursion
    W_i = max(0, W_(i-1) + S_(i-1) - A_i) is solved in closed form, W_i = X_i - min(0, X_1, ..., X_i), where X is
    the running sum of S_(i-1) - A_i, so no Python loop is needed."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / arrival_rate, n)
    services = rng.exponential(1 / service_rate, n)
    steps = np.concatenate(([0.0], services[:-1] - gaps[1:]))
    running = np.cumsum(steps)
    waits = running - np.minimum.accumulate(np.minimum(running, 0.0))
    return waits + services


def mm1_p99_ms() -> float:
    mu, lam = 100.0, 90.0
    p99 = math.log(100) / (mu - lam)
    times = simulated_mm1_times(mu, lam, 4_000_000, seed=0)[50_000:]
    assert float(times.mean()) == pytest.approx(mm1_time_in_system(mu, lam), rel=0.03)
    assert float(np.quantile(times, 0.99)) == pytest.approx(p99, rel=0.03)
    return 1000 * p99


def duplicated_fan_out_percent() -> float:
    per_call, calls = 0.01, 50
    assert 100 * (1 - (1 - per_call) ** calls) == pytest.approx(39.5, abs=0.05)  # without duplication
    assert 100 * (1 - (1 - per_call / 2) ** calls) == pytest.approx(22.2, abs=0.05)  # the halving slip
    return 100 * (1 - (1 - per_call**2) ** calls)


def decode_with_kv_tokens_per_second() -> float:
    bandwidth, params, bytes_per_weight, batch, cache_per_sequence = 2e12, 8e9, 0.5, 32, 0.125e9
    weights = params * bytes_per_weight
    assert batch * bandwidth / weights == pytest.approx(16_000)  # ignoring the cache
    return batch * bandwidth / (weights + batch * cache_per_sequence)


def expected_tokens_per_pass(alpha: float, gamma: int) -> float:
    return (1 - alpha ** (gamma + 1)) / (1 - alpha)


def speculative_tokens_per_pass() -> float:
    alpha, gamma = 0.8, 4
    # A direct simulation: accept drafts until the first rejection; one corrected or bonus token is always added.
    rng = np.random.default_rng(2)
    accepted = rng.random((200_000, gamma)) < alpha
    first_rejection = np.where(accepted.all(axis=1), gamma, np.argmin(accepted, axis=1))
    assert float((first_rejection + 1).mean()) == pytest.approx(
        expected_tokens_per_pass(alpha, gamma), rel=0.01
    )
    assert gamma * alpha == pytest.approx(3.2) and 1 + gamma * alpha == pytest.approx(4.2)
    return expected_tokens_per_pass(alpha, gamma)


def speculative_speedup() -> float:
    alpha, gamma, draft_cost = 0.8, 4, 0.05
    tokens = expected_tokens_per_pass(alpha, gamma)
    assert tokens / (gamma * 0.5 + 1) == pytest.approx(1.12, abs=0.005)  # the costly-draft case
    return tokens / (gamma * draft_cost + 1)


def cost_per_million_tokens() -> float:
    gpus, dollars_per_gpu_hour, tokens_per_second = 8, 3.00, 6000
    tokens_per_hour = tokens_per_second * 3600
    assert dollars_per_gpu_hour / tokens_per_hour * 1e6 == pytest.approx(0.139, abs=1e-3)  # one GPU's price
    return gpus * dollars_per_gpu_hour / tokens_per_hour * 1e6


def batch_ms(size: np.ndarray | int) -> np.ndarray | float:
    """The batch-size card's cost model: 10 ms fixed plus 0.5 ms per request."""
    return 10.0 + 0.5 * size


def batch_budget_throughput() -> float:
    budget_ms = 30.0
    sizes = np.arange(1, 1001)
    feasible = sizes[2 * batch_ms(sizes) <= budget_ms]
    best = int(feasible.max())
    # The slip the explanation quotes: the whole budget given to one batch.
    slip = int(sizes[batch_ms(sizes) <= budget_ms].max())
    assert slip / (batch_ms(slip) / 1000) == pytest.approx(1333.3, abs=0.1)
    assert 1 / (batch_ms(1) / 1000) == pytest.approx(95.2, abs=0.1)
    return best / (batch_ms(best) / 1000)


RECOMPUTE = {
    "littles-law-llm-concurrency": littles_law_concurrency,
    "mm1-utilisation-ratio": mm1_ratio,
    "mm1-p99-latency": mm1_p99_ms,
    "duplicated-fan-out": duplicated_fan_out_percent,
    "decode-with-kv-reads": decode_with_kv_tokens_per_second,
    "speculative-tokens-per-pass": speculative_tokens_per_pass,
    "speculative-walltime-speedup": speculative_speedup,
    "cost-per-million-tokens": cost_per_million_tokens,
    "batch-size-under-latency-budget": batch_budget_throughput,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_speculative_acceptance_rule_is_exact() -> None:
    """Accept x ~ q with probability min(1, p/q), else resample from norm(max(0, p − q)): the emitted token's
    distribution is p exactly, whatever q is, as the acceptance-rule card says."""
    p = np.array([0.5, 0.2, 0.2, 0.1])
    q = np.array([0.1, 0.6, 0.2, 0.1])
    accept = np.minimum(1.0, p / q)
    residual = np.maximum(0.0, p - q)
    residual /= residual.sum()
    emitted = q * accept + (q * (1 - accept)).sum() * residual
    assert np.allclose(emitted, p)
    assert not np.allclose(q, p)
    card = DECK.card("speculative-acceptance-rule")
    assert card.back is not None and "min(1, p(x)/q(x))" in card.back and "max(0, p − q)" in card.back


def test_explanations_quote_the_recomputed_values() -> None:
    """The working shown in explanations agrees with the recomputation."""
    quoted = {
        "mm1-p99-latency": "461 ms",
        "speculative-tokens-per-pass": "3.3616",
        "duplicated-fan-out": "39.5%",
        "decode-with-kv-reads": "16,000",
    }
    for card_id, text in quoted.items():
        card = DECK.card(card_id)
        assert isinstance(card, NumericCard) and card.explanation is not None
        assert text in card.explanation, card_id
