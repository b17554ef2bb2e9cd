"""The distributed-training deck: every numeric answer recomputed from the numbers in its front (the ring all-reduce
and the pipeline schedule simulated step by step rather than taken from their closed forms, Young's interval checked
against a numerical minimum), and the claims several choice cards rest on checked in numpy."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import optimize, special

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECK = builtin_decks()["distributed-training"]


def ring_all_reduce(grads: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Run a ring all-reduce over the rows of ``grads`` (one row per worker), chunk by chunk as the deck describes:
    a reduce-scatter then an all-gather. Returns every worker's result, the elements each worker sent, and the
    number of sequential steps, so the byte and latency counts come from the algorithm, not from its formula."""
    n, size = grads.shape
    chunks = [list(np.array_split(row.astype(float), n)) for row in grads]
    sent = np.zeros(n, dtype=int)
    steps = 0
    # Reduce-scatter: at step t worker r sends chunk (r - t) mod n to worker r + 1, which adds it to its own.
    for t in range(n - 1):
        outgoing = [(r, (r - t) % n, chunks[r][(r - t) % n].copy()) for r in range(n)]
        for r, c, data in outgoing:
            chunks[(r + 1) % n][c] += data
            sent[r] += data.size
        steps += 1
    # Worker r now owns the fully summed chunk (r + 1) mod n. All-gather: pass the summed chunks round.
    for t in range(n - 1):
        outgoing = [(r, (r + 1 - t) % n, chunks[r][(r + 1 - t) % n].copy()) for r in range(n)]
        for r, c, data in outgoing:
            chunks[(r + 1) % n][c] = data
            sent[r] += data.size
        steps += 1
    result = np.array([np.concatenate(row) for row in chunks])
    assert size == result.shape[1]
    return result, int(sent.max()), steps


def test_ring_all_reduce_sums_and_sends_two_n_minus_one_over_n() -> None:
    """The mechanism card: every worker ends with the sum, having sent 2(N − 1)/N of the gradient in 2(N − 1) steps."""
    rng = np.random.default_rng(0)
    for n in (2, 4, 8):
        grads = rng.normal(size=(n, 8 * n))
        result, sent, steps = ring_all_reduce(grads)
        assert np.allclose(result, grads.sum(axis=0))
        assert sent == 2 * (n - 1) * grads.shape[1] // n
        assert steps == 2 * (n - 1)


def allreduce_time_ms() -> float:
    n, gradient_bytes, bandwidth = 4, 1e9 * 2, 25e9
    _, sent_elements, _ = ring_all_reduce(np.ones((n, 4 * n)))
    share_sent = sent_elements / (4 * n)  # of the gradient, per worker
    assert share_sent == pytest.approx(1.5)
    assert gradient_bytes / bandwidth * 1e3 == pytest.approx(80.0)  # the "send it once" slip
    # One parameter server taking in all four gradients on a single link.
    assert n * gradient_bytes / bandwidth * 1e3 == pytest.approx(320.0)
    return share_sent * gradient_bytes / bandwidth * 1e3


def allreduce_latency_ms() -> float:
    n, size, bandwidth, alpha = 256, 1e6, 25e9, 5e-6
    steps = 2 * (n - 1)
    transfer = 2 * (n - 1) / n * size / bandwidth
    assert transfer * 1e3 == pytest.approx(0.08, abs=0.001)  # the bandwidth-only estimate
    return (steps * alpha + transfer) * 1e3


def test_reduce_scatter_then_all_gather_is_an_all_reduce() -> None:
    """The collectives card and the ZeRO-2 key: reduce-scatter leaves worker i the summed slice i, and an all-gather
    of those slices is the all-reduce."""
    rng = np.random.default_rng(1)
    n = 4
    grads = rng.normal(size=(n, 12))
    slices = np.array_split(np.arange(12), n)
    scattered = [grads[:, idx].sum(axis=0) for idx in slices]  # worker i keeps slice i, summed over workers
    gathered = np.concatenate(scattered)
    assert np.allclose(gathered, grads.sum(axis=0))
    assert sum(part.size for part in scattered) == grads.shape[1]


def critical_batch_step_ratio() -> float:
    b_crit = 2000.0

    def steps(batch: float) -> float:
        return 1 + b_crit / batch

    def examples(batch: float) -> float:
        return 1 + batch / b_crit

    for batch in (1000.0, 8000.0):
        assert (steps(batch) - 1) * (examples(batch) - 1) == pytest.approx(1.0)
    # The compute price the explanation quotes.
    assert examples(8000) / examples(1000) == pytest.approx(10 / 3)
    return steps(1000) / steps(8000)


def lars_local_rate() -> float:
    eta, beta, w_norm, g_norm = 0.001, 0.001, 4.0, 0.01
    assert eta * w_norm / g_norm == pytest.approx(0.4)  # leaving out the weight-decay term
    # The step bound of the explanation: ‖λ(g + βw)‖ ≤ η‖w‖ for any directions of g and w.
    rng = np.random.default_rng(2)
    local = eta * w_norm / (g_norm + beta * w_norm)
    for _ in range(100):
        w = rng.normal(size=10)
        g = rng.normal(size=10)
        w *= w_norm / np.linalg.norm(w)
        g *= g_norm / np.linalg.norm(g)
        assert np.linalg.norm(local * (g + beta * w)) <= eta * w_norm + 1e-12
    return local


def full_batch_token_mean() -> float:
    """Token losses laid out as the front gives them; the gradient of a toy model confirms that dividing the summed
    losses by all 400 tokens reproduces the full batch, and that the mean of the micro-batch means does not."""
    first = np.full(100, 2.5)
    second = np.full(300, 1.5)
    assert first.sum() == pytest.approx(250) and second.sum() == pytest.approx(450)
    mean_of_means = (first.mean() + second.mean()) / 2
    assert mean_of_means == pytest.approx(2.0)

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = rng.normal(size=400)
    w = rng.normal(size=3)

    def grad(rows: slice, denominator: float) -> np.ndarray:
        residual = x[rows] @ w - y[rows]
        return x[rows].T @ residual / denominator  # gradient of Σ residual² / 2 over the denominator

    full = grad(slice(0, 400), 400)
    token_normalised = grad(slice(0, 100), 400) + grad(slice(100, 400), 400)
    averaged_means = (grad(slice(0, 100), 100) + grad(slice(100, 400), 300)) / 2
    assert np.allclose(token_normalised, full)
    assert not np.allclose(averaged_means, full)
    return float(np.concatenate([first, second]).mean())


def checkpoint_peak_gb() -> float:
    """Peak of the √n schedule: the kept segment inputs plus one segment rebuilt during its backward, and √n is the
    segment count that minimises it."""
    layers, per_layer, segments = 64, 0.5, 8
    peak = {k: k + layers / k for k in range(1, layers + 1) if layers % k == 0}
    assert min(peak, key=peak.get) == round(math.sqrt(layers)) == segments
    assert segments * per_layer == pytest.approx(4.0)  # counting the checkpoints alone
    return peak[segments] * per_layer


def megatron_all_reduces() -> float:
    layers, blocks_per_layer, passes = 24, 2, 2  # attention and MLP; forward (g) and backward (f)
    return layers * blocks_per_layer * passes


def test_megatron_column_split_commutes_with_gelu() -> None:
    """The key of the column-then-row card: a column split of A lets each GPU apply GeLU to its slice, and the row
    split of B recovers Z with one sum; GeLU of row-split partial sums does not."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 6))
    a = rng.normal(size=(6, 8))
    b = rng.normal(size=(8, 6))

    def gelu(v: np.ndarray) -> np.ndarray:
        return v * 0.5 * (1 + special.erf(v / math.sqrt(2)))

    z = gelu(x @ a) @ b
    parts = [gelu(x @ a[:, :4]) @ b[:4], gelu(x @ a[:, 4:]) @ b[4:]]
    assert np.allclose(parts[0] + parts[1], z)
    row_partials = gelu(x[:, :3] @ a[:3]) + gelu(x[:, 3:] @ a[3:])
    assert not np.allclose(row_partials, gelu(x @ a))


def pipeline_idle_share(stages: int, micro_batches: int) -> Fraction:
    """Simulate a flushed pipeline (GPipe) with unit forward and backward times: each forward waits for the previous
    stage and the stage's previous micro-batch; backwards start after the last forward and run in reverse stage
    order. Returns the idle share of one stage's time in the whole schedule."""
    p, m = stages, micro_batches
    forward_end = [[0] * m for _ in range(p)]
    for s in range(p):
        for i in range(m):
            start = max(forward_end[s - 1][i] if s else 0, forward_end[s][i - 1] if i else 0)
            forward_end[s][i] = start + 1
    backward_end = [[0] * m for _ in range(p)]
    for s in reversed(range(p)):
        for i in range(m):
            start = max(
                backward_end[s + 1][i] if s < p - 1 else forward_end[p - 1][m - 1],
                backward_end[s][i - 1] if i else forward_end[s][m - 1],
            )
            backward_end[s][i] = start + 1
    total = max(backward_end[s][m - 1] for s in range(p))
    busy = 2 * m
    return Fraction(total - busy, total)


def test_simulated_bubble_matches_closed_form() -> None:
    for p, m in ((4, 4), (8, 16), (16, 192)):
        assert pipeline_idle_share(p, m) == Fraction(p - 1, m + p - 1)


def microbatches_for_bubble() -> float:
    p, target = 8, Fraction(4, 100)
    m = 1
    while Fraction(p - 1, m + p - 1) > target:
        m += 1
    assert pipeline_idle_share(p, m) <= target < pipeline_idle_share(p, m - 1)
    assert math.ceil((p - 1) / target) == 175  # the (p − 1)/m slip
    return m


def bubble_3d() -> float:
    gpus, tensor, pipeline, global_batch, micro_batch = 1024, 8, 16, 1536, 1
    data = gpus // (tensor * pipeline)
    m = global_batch // (data * micro_batch)
    assert (data, m) == (8, 192)
    # The data-parallel split forgotten.
    assert (pipeline - 1) / (global_batch + pipeline - 1) == pytest.approx(0.0097, abs=1e-4)
    return float(pipeline_idle_share(pipeline, m))


def dropped_tokens() -> float:
    routed = np.array([410, 330, 290, 250, 240, 200, 180, 148])
    tokens, experts, factor = 2048, 8, 1.25
    assert routed.sum() == tokens
    capacity = factor * tokens / experts
    assert np.maximum(routed - tokens / experts, 0).sum() == 262  # capacity factor forgotten
    assert np.maximum(routed - 1.5 * tokens / experts, 0).sum() == 26  # the factor 1.5 of the explanation
    return float(np.maximum(routed - capacity, 0).sum())


def young_interval_minutes() -> float:
    """Young's √(2CM), with the job's MTBF from 256 nodes, checked against the minimum of the overhead it
    approximates: C/T for writing plus T/(2M) of work lost per failure."""
    cost, mtbf = 3.0, 2000 * 60 / 256
    overhead = optimize.minimize_scalar(
        lambda t: cost / t + t / (2 * mtbf), bounds=(1, 1000), method="bounded"
    )
    young = math.sqrt(2 * cost * mtbf)
    assert overhead.x == pytest.approx(young, rel=1e-3)
    assert math.sqrt(2 * cost * 2000 * 60) == pytest.approx(849, abs=0.5)  # one node's MTBF
    return young


RECOMPUTE = {
    "allreduce-time-bandwidth": allreduce_time_ms,
    "allreduce-latency-bound": allreduce_latency_ms,
    "critical-batch-steps": critical_batch_step_ratio,
    "lars-local-lr": lars_local_rate,
    "accumulation-token-mean": full_batch_token_mean,
    "sqrt-checkpoint-memory": checkpoint_peak_gb,
    "megatron-allreduce-count": megatron_all_reduces,
    "bubble-microbatches-needed": microbatches_for_bubble,
    "pipeline-bubble-3d": bubble_3d,
    "expert-capacity-drops": dropped_tokens,
    "young-checkpoint-interval": young_interval_minutes,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_float_sums_depend_on_grouping() -> None:
    """The world-size card's key: the same gradients summed as 64 partial sums or as 32 pairs of halves give
    different float32 totals, though the maths is the same."""
    rng = np.random.default_rng(5)
    grads = rng.normal(scale=1e3, size=(64, 4096)).astype(np.float32)
    by_64 = np.zeros(4096, dtype=np.float32)
    for row in grads:
        by_64 += row
    by_32 = np.zeros(4096, dtype=np.float32)
    for pair in grads.reshape(32, 2, 4096):
        by_32 += pair[0] + pair[1]
    assert not np.array_equal(by_64, by_32)
    assert np.allclose(by_64, by_32, rtol=1e-4, atol=1e-1)


def test_choice_keys_are_the_cards_claims() -> None:
    """The keys the tests above verify are still the keys of their cards."""
    expected = {
        "reduce-scatter-zero2": "Reduce-scatter",
        "megatron-column-then-row": "Splitting A by columns",
        "world-size-determinism": "Gradients are summed in a different grouping",
    }
    for card_id, start in expected.items():
        card = DECK.card(card_id)
        assert isinstance(card, ChoiceCard) and isinstance(card.answer, str)
        assert card.answer.startswith(start), card_id


def test_numeric_fronts_state_their_precision() -> None:
    for card in DECK.cards:
        if isinstance(card, NumericCard):
            assert "whole number" in card.front or "decimals" in card.front, card.id
