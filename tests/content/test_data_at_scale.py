"""The data-at-scale deck: every numeric answer recomputed from the numbers in its front (the sketch formulas
solved or minimised numerically rather than through the closed forms the explanations quote), and the claims the
choice cards and explanations rest on checked by simulation: Bloom filters, Count-Min's one-sided error,
reservoir sampling's k/n, MinHash's agreement rate, HyperLogLog merging and Python's per-process string hash."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import binom

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["data-scale"]


def bloom_false_positive(bits: float, items: float, hashes: float) -> float:
    """The standard approximation (1 − e^(−kn/m))^k."""
    return (1 - math.exp(-hashes * items / bits)) ** hashes


def shuffle_partitions() -> float:
    shuffled_bytes, target_bytes = 600e9, 200e6
    assert shuffled_bytes / 200 / 1e9 == pytest.approx(3.0)  # the default 200 partitions: 3 GB each
    return shuffled_bytes / target_bytes


def parquet_gb_read() -> float:
    table_gb, days, days_read, columns, columns_read = 1200, 360, 30, 60, 3
    return table_gb * (days_read / days) * (columns_read / columns)


def scan_minutes() -> float:
    data_bytes, executors, bytes_per_second = 3e12, 40, 125e6
    assert data_bytes / bytes_per_second / 60 == pytest.approx(400)  # one executor alone
    return data_bytes / (executors * bytes_per_second) / 60


def reservoir_inclusion_percent() -> float:
    """Entry with probability k/i, then survival of every later step j with probability 1 − 1/j, multiplied out."""
    k, n, i = 1000, 250_000, 10_000
    later = np.arange(i + 1, n + 1, dtype=float)
    probability = (k / i) * float(np.prod(1 - 1 / later))
    assert probability == pytest.approx(k / n, rel=1e-9)
    return 100 * probability


def row_split_both_sides() -> float:
    rows, test_share = 10, 0.2
    in_test = binom(rows, test_share)
    return float(1 - in_test.pmf(0) - in_test.pmf(rows))


def bloom_fp_percent() -> float:
    assert 1 - math.exp(-0.7) == pytest.approx(0.503, abs=1e-3)  # the share of bits set, a slip
    linear_slip = 0.7**7  # (kn/m)^k, the other slip
    assert linear_slip == pytest.approx(0.082, abs=1e-3)
    return 100 * bloom_false_positive(10_000_000, 1_000_000, 7)


def bloom_best_k() -> float:
    bits, items = 12_000_000, 1_500_000
    best = minimize_scalar(
        lambda k: bloom_false_positive(bits, items, k),
        bounds=(1, 20),
        method="bounded",
        options={"xatol": 1e-8},
    )
    # The explanation's whole-number check and the k = m/n slip.
    assert bloom_false_positive(bits, items, 6) < bloom_false_positive(bits, items, 5)
    assert 100 * bloom_false_positive(bits, items, 6) == pytest.approx(2.158, abs=1e-3)
    assert 100 * bloom_false_positive(bits, items, 5) == pytest.approx(2.168, abs=1e-3)
    assert 100 * bloom_false_positive(bits, items, 8) == pytest.approx(2.5, abs=0.05)
    return float(best.x)


def bloom_bits_for_one_percent() -> float:
    """Bits per item at which the best k (searched, not taken from the closed form) reaches 1%."""

    def best_rate(bits_per_item: float) -> float:
        best = minimize_scalar(
            lambda k: bloom_false_positive(bits_per_item, 1.0, k),
            bounds=(0.5, 30),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return float(best.fun)

    bits_per_item = brentq(lambda b: best_rate(b) - 0.01, 2, 30, xtol=1e-9)
    # The hash count the explanation quotes.
    assert bits_per_item * math.log(2) == pytest.approx(6.64, abs=0.01)
    return float(bits_per_item)


def count_min_counters() -> float:
    epsilon, delta = 0.001, 0.01
    width, depth = math.ceil(math.e / epsilon), math.ceil(math.log(1 / delta))
    assert (width, depth) == (2719, 5)
    assert width * math.ceil(math.log2(1 / delta)) == 19_033  # the log₂ slip of the explanation
    return float(width * depth)


def hll_registers() -> float:
    target = 0.008
    registers = next(2**p for p in range(4, 30) if 1.04 / math.sqrt(2**p) <= target)
    slip = next(2**p for p in range(4, 30) if 1 / math.sqrt(2**p) <= target)
    assert slip == 16_384 != registers  # dropping the 1.04 settles on the wrong power of two
    return float(registers)


def lsh_candidate_probability() -> float:
    similarity, rows, bands = 0.5, 5, 20
    band_match = similarity**rows
    assert band_match * bands == pytest.approx(0.625)  # the union bound, the slip
    assert (1 / bands) ** (1 / rows) == pytest.approx(0.55, abs=0.005)  # the threshold quoted
    return 1 - (1 - band_match) ** bands


def feature_hash_pairs() -> float:
    n, m = 10_000, 2**18
    expected = math.comb(n, 2) / m
    # Hash the features at random many times and count colliding pairs per column: C(count, 2).
    rng = np.random.default_rng(3)
    trials = [
        float((counts * (counts - 1) / 2).sum())
        for counts in (np.bincount(rng.integers(0, m, n), minlength=m) for _ in range(40))
    ]
    assert float(np.mean(trials)) == pytest.approx(expected, rel=0.05)
    return expected


RECOMPUTE = {
    "shuffle-partitions-sizing": shuffle_partitions,
    "parquet-bytes-read": parquet_gb_read,
    "scan-time-estimate": scan_minutes,
    "reservoir-inclusion": reservoir_inclusion_percent,
    "row-split-user-leak": row_split_both_sides,
    "bloom-fp-rate": bloom_fp_percent,
    "bloom-optimal-k": bloom_best_k,
    "bloom-bits-per-item": bloom_bits_for_one_percent,
    "count-min-dimensions": count_min_counters,
    "hyperloglog-registers": hll_registers,
    "lsh-banding-probability": lsh_candidate_probability,
    "feature-hash-pairs": feature_hash_pairs,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_bloom_simulation_matches_the_approximation() -> None:
    """A filter built with random bit positions at the card's load (10 bits per item, k = 7) shows the 0.82% rate,
    and never answers "absent" for an inserted item."""
    rng = np.random.default_rng(0)
    m, n, k = 20_000, 2_000, 7
    bits = np.zeros(m, dtype=bool)
    inserted = rng.integers(0, m, (n, k))
    bits[inserted.ravel()] = True
    assert bits[inserted].all(axis=1).all()  # no false negatives
    queries = rng.integers(0, m, (400_000, k))
    rate = float(bits[queries].all(axis=1).mean())
    assert rate == pytest.approx(bloom_false_positive(m, n, k), rel=0.15)


def test_count_min_never_under_counts() -> None:
    """A Count-Min sketch over a skewed stream: every estimate is at least the true count, and a rare item's
    over-count can be large relative to it, as the error-direction card and its explanation say."""
    rng = np.random.default_rng(1)
    stream = rng.zipf(1.3, 200_000) % 5_000
    truth = np.bincount(stream, minlength=5_000)
    width, depth = 200, 4
    salts = rng.integers(1, 2**31 - 1, depth)
    table = np.zeros((depth, width), dtype=np.int64)
    for row, salt in enumerate(salts):
        np.add.at(table[row], (stream * salt + row) % 2_147_483_647 % width, 1)
    items = np.arange(5_000)
    estimates = np.min(
        [table[row][(items * salt + row) % 2_147_483_647 % width] for row, salt in enumerate(salts)], axis=0
    )
    assert (estimates >= truth).all()
    rare = (truth > 0) & (truth <= 2)
    assert (estimates[rare] > 3 * truth[rare]).any()
    card = DECK.card("count-min-error-direction")
    assert (
        isinstance(card, ChoiceCard)
        and isinstance(card.answer, str)
        and card.answer.startswith("It is at most")
    )


def test_reservoir_keeps_every_record_with_probability_k_over_n() -> None:
    """Algorithm R as the open card describes it, run many times on a short stream: each position is kept about
    k/n of the time, early and late records alike."""
    rng = np.random.default_rng(2)
    k, n, runs = 5, 40, 20_000
    reservoirs = np.tile(np.arange(k), (runs, 1))  # one row per run, all run side by side
    every_run = np.arange(runs)
    for i in range(k, n):  # record i + 1 in 1-based terms: slot j drawn from 0..i, replaced when j < k
        j = rng.integers(0, i + 1, runs)
        hit = j < k
        reservoirs[every_run[hit], j[hit]] = i
    kept = np.bincount(reservoirs.ravel(), minlength=n)
    assert np.allclose(kept / runs, k / n, atol=0.015)


def test_minhash_agreement_estimates_jaccard() -> None:
    """The share of random hash functions under which two sets have the same minimum is their Jaccard
    similarity (here 0.5, the similarity of the banding card)."""
    a, b = set(range(0, 300)), set(range(100, 400))
    assert len(a & b) / len(a | b) == pytest.approx(0.5)
    rng = np.random.default_rng(4)
    universe = 400
    agree = 0
    hashes = 4_000
    for _ in range(hashes):
        rank = rng.permutation(universe)
        agree += min(rank[list(a)]) == min(rank[list(b)])
    assert agree / hashes == pytest.approx(0.5, abs=0.03)


def hll_registers_of(items: np.ndarray, precision: int = 8) -> np.ndarray:
    """HyperLogLog registers from 64-bit md5 hashes: the first `precision` bits pick the register, which keeps the
    largest leading-zero count (plus one) of the remaining bits."""
    registers = np.zeros(2**precision, dtype=np.int64)
    rest_bits = 64 - precision
    for item in items:
        value = int.from_bytes(hashlib.md5(str(item).encode()).digest()[:8], "big")
        index, rest = value >> rest_bits, value & ((1 << rest_bits) - 1)
        rank = rest_bits - rest.bit_length() + 1
        registers[index] = max(registers[index], rank)
    return registers


def test_hll_sketches_merge_into_the_union() -> None:
    """The register-wise max of two sketches is the sketch of the union, so overlapping days merge without a
    re-scan, whereas adding the two distinct counts counts the overlap twice."""
    day_one, day_two = np.arange(0, 3_000), np.arange(2_000, 5_000)
    merged = np.maximum(hll_registers_of(day_one), hll_registers_of(day_two))
    assert np.array_equal(merged, hll_registers_of(np.union1d(day_one, day_two)))
    assert len(day_one) + len(day_two) > len(np.union1d(day_one, day_two))


def test_python_string_hash_differs_between_processes() -> None:
    """The hash-split pitfall: the same user ids bucket differently under two hash seeds, and md5 does not."""
    code = (
        "import hashlib; ids = [f'user-{i}' for i in range(20)]; "
        "print([hash(u) % 100 for u in ids]); "
        "print([int(hashlib.md5(u.encode()).hexdigest(), 16) % 100 for u in ids])"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        for seed in ("1", "2")
    ]
    (builtin_one, md5_one), (builtin_two, md5_two) = runs
    assert builtin_one != builtin_two
    assert md5_one == md5_two
