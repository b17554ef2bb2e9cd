"""The ml-systems deck: every numeric answer recomputed from the numbers in its front (the ring all-reduce and the
GPipe schedule simulated step by step rather than taken from their closed forms), and the claims of the
mean-imputation, as-of-join and billion-vector choice cards checked."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["ml-systems"]

GB = 1e9
# Mixed-precision Adam, bytes per parameter: fp16 weights, fp16 gradients, fp32 master weights, two fp32 moments.
WEIGHTS, GRADIENTS, OPTIMISER = 2, 2, 4 + 4 + 4


def pq_code_memory() -> float:
    n, d, m, centroids = 100_000_000, 768, 64, 256
    bytes_per_code = m * int(np.log2(centroids)) // 8
    flat = n * d * 4
    assert flat / GB == pytest.approx(307.2) and flat / (n * bytes_per_code) == pytest.approx(48)
    assert n * m / 8 / GB == pytest.approx(0.8)  # the "64 bits per vector" slip of the explanation
    return n * bytes_per_code / GB


def hnsw_memory() -> float:
    n, d, m = 10_000_000, 128, 32
    per_vector = 4 * d + 2 * m * 4
    assert n * 4 * d / GB == pytest.approx(5.12)  # vectors alone
    assert n * (4 * d + m * 4) / GB == pytest.approx(6.40)  # M links instead of 2M
    return n * per_vector / GB


def latency_left_for_ranking() -> float:
    budget, gateway, sources, features, rerank = 200, 30, [25, 40, 35], 20, 10
    assert budget - gateway - sum(sources) - features - rerank == 40  # summing the parallel calls
    return budget - gateway - max(sources) - features - rerank


def ring_allreduce_sent_per_worker(grads: list[np.ndarray]) -> tuple[list[np.ndarray], list[int]]:
    """A ring all-reduce run chunk by chunk: N − 1 reduce-scatter steps, then N − 1 all-gather steps, each worker
    sending one chunk to its right neighbour per step. Returns every worker's result and the elements it sent."""
    n = len(grads)
    chunks = [np.array_split(g.astype(float), n) for g in grads]
    sent = [0] * n
    for step in range(n - 1):  # reduce-scatter: after it, worker w owns the full sum of chunk (w + 1) % n
        outgoing = [(w, (w - step) % n, chunks[w][(w - step) % n].copy()) for w in range(n)]
        for w, c, data in outgoing:
            chunks[(w + 1) % n][c] = chunks[(w + 1) % n][c] + data
            sent[w] += data.size
    for step in range(n - 1):  # all-gather: pass the finished chunks round the ring
        outgoing = [(w, (w + 1 - step) % n, chunks[w][(w + 1 - step) % n].copy()) for w in range(n)]
        for w, c, data in outgoing:
            chunks[(w + 1) % n][c] = data
            sent[w] += data.size
    return [np.concatenate(c) for c in chunks], sent


def ring_allreduce_gb() -> float:
    workers, params, bytes_per_grad = 8, 1.5e9, 2
    size = 8 * 1000  # a small gradient, divisible by the worker count, to run the ring for real
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=size) for _ in range(workers)]
    results, sent = ring_allreduce_sent_per_worker(grads)
    total = np.sum(grads, axis=0)
    assert all(np.allclose(r, total) for r in results)
    fraction = sent[0] / size
    assert all(s == sent[0] for s in sent) and fraction == pytest.approx(2 * (workers - 1) / workers)
    return fraction * params * bytes_per_grad / GB


def gpipe_idle_fraction(p: int, m: int) -> float:
    """Build the GPipe schedule slot by slot (forwards, then backwards in reverse stage order) and count idle slots."""
    busy = np.zeros((p, 2 * (m + p - 1)), dtype=bool)
    for stage in range(p):
        for micro in range(m):
            busy[stage, stage + micro] = True  # forward of micro-batch `micro` reaches `stage`
            busy[stage, (m + p - 1) + (p - 1 - stage) + micro] = True  # its backward, last stage first
    assert busy.sum() == 2 * p * m  # no slot was claimed twice
    return float(1 - busy.sum() / busy.size)


def pipeline_bubble() -> float:
    p, m = 8, 16
    assert gpipe_idle_fraction(p, 64) == pytest.approx(7 / 71)  # the explanation's m = 64 figure
    assert gpipe_idle_fraction(p, 1) == pytest.approx((p - 1) / p)  # one micro-batch, the layout card's claim
    assert (p - 1) / m == pytest.approx(0.4375)  # bubble over useful compute, not over total time
    return gpipe_idle_fraction(p, m)


def adam_memory() -> float:
    params = 13e9
    assert WEIGHTS + GRADIENTS + OPTIMISER == 16
    assert params * WEIGHTS / GB == pytest.approx(26)  # fp16 weights only, the inference footprint
    return params * (WEIGHTS + GRADIENTS + OPTIMISER) / GB


def zero2_memory() -> float:
    params, gpus = 7e9, 8
    stage1 = (params * (WEIGHTS + GRADIENTS) + params * OPTIMISER / gpus) / GB
    stage3 = params * (WEIGHTS + GRADIENTS + OPTIMISER) / gpus / GB
    assert stage1 == pytest.approx(38.5) and stage3 == pytest.approx(14.0)
    return (params * WEIGHTS + params * (GRADIENTS + OPTIMISER) / gpus) / GB


def scaled_learning_rate() -> float:
    base_lr, base_batch, gpus, micro, accumulation = 0.1, 256, 32, 24, 2
    effective = gpus * micro * accumulation
    assert effective == 1536
    assert base_lr * gpus * micro / base_batch == pytest.approx(0.3)  # accumulation forgotten
    return base_lr * effective / base_batch


RECOMPUTE = {
    "pq-memory-numeric": pq_code_memory,
    "hnsw-memory-numeric": hnsw_memory,
    "latency-budget-numeric": latency_left_for_ranking,
    "ring-allreduce-bytes": ring_allreduce_gb,
    "pipeline-bubble-numeric": pipeline_bubble,
    "adam-memory-numeric": adam_memory,
    "zero2-memory-numeric": zero2_memory,
    "large-batch-lr-numeric": scaled_learning_rate,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_bubble_closed_form_matches_the_schedule() -> None:
    """The front's (p − 1)/(m + p − 1) is what the simulated schedule gives, for several shapes."""
    for p, m in [(2, 3), (4, 8), (8, 16), (6, 5)]:
        assert gpipe_idle_fraction(p, m) == pytest.approx((p - 1) / (m + p - 1))


def test_mean_imputation_under_mcar() -> None:
    """MCAR gaps filled with the observed mean: the mean holds, the variance falls by the missing share and the
    correlation with another variable shrinks, as the key says and against each distractor."""
    card = DECK.card("mean-imputation-mcar")
    assert isinstance(card, ChoiceCard)
    assert (
        card.answer
        == "The mean of x stays unbiased, while its variance and its correlation with other variables shrink"
    )
    rng = np.random.default_rng(1)
    n = 200_000
    x = rng.normal(5.0, 2.0, n)
    y = 0.8 * x + rng.normal(0.0, 1.0, n)
    missing = rng.random(n) < 0.4
    filled = np.where(missing, x[~missing].mean(), x)
    assert filled.mean() == pytest.approx(x.mean(), abs=0.02)
    assert filled.var() / x.var() == pytest.approx(0.6, abs=0.01)
    r_true, r_filled = np.corrcoef(x, y)[0, 1], np.corrcoef(filled, y)[0, 1]
    assert r_filled < r_true - 0.1
    assert r_filled == pytest.approx(np.sqrt(0.6) * r_true, abs=0.01)


def test_as_of_join_takes_the_last_available_day() -> None:
    """Day D's value exists from 03:00 on D + 1, so an event at 14:00 on D sees day D − 1's value; a join on the
    event's date would take a value that did not exist yet."""
    card = DECK.card("as-of-join-availability")
    assert isinstance(card, ChoiceCard) and str(card.answer).startswith("The value for day D − 1")
    day_d = datetime(2024, 3, 10)
    days = [day_d + timedelta(days=k) for k in range(-3, 3)]
    available_at = np.array([np.datetime64(day + timedelta(days=1, hours=3)) for day in days])
    event = np.datetime64(day_d + timedelta(hours=14))
    last = int(np.searchsorted(available_at, event, side="right")) - 1
    assert days[last] == day_d - timedelta(days=1)
    assert available_at[days.index(day_d)] > event


def test_billion_vector_memory_claims() -> None:
    """Only the PQ codes fit in 128 GB; the full vectors and the HNSW links are as large as the explanation says."""
    n, d, ram = 1e9, 256, 128
    assert n * d * 4 / GB == pytest.approx(1024) and n * d * 4 / GB > ram
    assert n * 2 * 32 * 4 / GB == pytest.approx(256)
    assert n * 32 / GB == pytest.approx(32) and n * 32 / GB < ram
