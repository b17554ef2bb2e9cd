"""The performance deck: every numeric answer recomputed from the numbers in its front (the float formats from their
bit layouts, cross-checked against numpy's own fp16 and fp32; bf16 rounded from fp32 bit patterns), and the
floating-point claims of its choice cards replayed in numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["performance"]

# The hardware of the decode and MFU cards, as their fronts give it.
PEAK_FLOPS = 312e12
BANDWIDTH = 2.0e12


@dataclass(frozen=True)
class BinaryFormat:
    """An IEEE-style binary format from its bit layout, so fp16, bf16 and fp8 numbers come from the same rules the
    cards explain instead of from a library that may not know the format."""

    exponent_bits: int
    mantissa_bits: int

    @property
    def bias(self) -> int:
        return 2 ** (self.exponent_bits - 1) - 1

    @property
    def largest_finite(self) -> float:
        """The all-ones exponent is kept for inf and NaN, so the top usable exponent is one below it."""
        top_exponent = 2**self.exponent_bits - 2 - self.bias
        return (2 - 2.0**-self.mantissa_bits) * 2.0**top_exponent

    @property
    def epsilon(self) -> float:
        return 2.0**-self.mantissa_bits

    @property
    def smallest_normal(self) -> float:
        return 2.0 ** (1 - self.bias)

    @property
    def smallest_subnormal(self) -> float:
        return 2.0 ** (1 - self.bias - self.mantissa_bits)

    def spacing_at(self, x: float) -> float:
        """The gap from a normal number x to the next larger number of the format."""
        return 2.0 ** (math.floor(math.log2(x)) - self.mantissa_bits)


FP16 = BinaryFormat(exponent_bits=5, mantissa_bits=10)
BF16 = BinaryFormat(exponent_bits=8, mantissa_bits=7)
FP32 = BinaryFormat(exponent_bits=8, mantissa_bits=23)


def to_bf16(x: float) -> float:
    """Round a value to bf16 as hardware does: keep the top 16 bits of its fp32 pattern, ties to even."""
    bits = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    rounding = 0x7FFF + ((bits >> 16) & 1)
    rounded = (bits + rounding) & 0xFFFF0000
    return float(np.array([rounded], dtype=np.uint32).view(np.float32)[0])


def test_the_layouts_agree_with_numpy() -> None:
    """The bit-layout rules reproduce numpy's fp16 and fp32 limits, so they can be trusted for bf16 too."""
    for layout, dtype in ((FP16, np.float16), (FP32, np.float32)):
        info = np.finfo(dtype)
        assert layout.largest_finite == float(info.max)
        assert layout.epsilon == float(info.eps)
        assert layout.smallest_normal == float(info.tiny)
        assert layout.smallest_subnormal == float(info.smallest_subnormal)
    assert to_bf16(1 + BF16.epsilon) - 1 == BF16.epsilon
    assert to_bf16(1 + BF16.epsilon / 4) == 1.0


def fp16_largest() -> float:
    assert FP16.largest_finite == 65504
    with np.errstate(over="ignore"):
        assert np.isinf(np.float16(65520.0)) and np.float16(65519.0) == 65504  # the explanation's threshold
    return FP16.largest_finite


def fp16_epsilon() -> float:
    assert np.spacing(np.float16(1.0)) == FP16.epsilon
    return FP16.epsilon


def fp16_counter() -> float:
    counter = np.float16(0.0)
    for _ in range(5000):
        counter = np.float16(counter + np.float16(1.0))
    assert FP16.spacing_at(2048) == 2
    return float(counter)


def bf16_gap_at_256() -> float:
    bits = int(np.array([256.0], dtype=np.float32).view(np.uint32)[0])
    next_up = float(np.array([bits + 0x10000], dtype=np.uint32).view(np.float32)[0])  # one bf16 mantissa step
    assert next_up - 256 == BF16.spacing_at(256)
    assert to_bf16(257.0) == 256.0 and to_bf16(258.0) == 258.0  # 256 + 1 is a tie that goes to even
    assert FP16.spacing_at(256) == 0.25  # the fp16 slip the explanation names
    return next_up - 256


def fp16_exp_overflow() -> float:
    with np.errstate(over="ignore"):
        first = next(x for x in range(1, 100) if np.isinf(np.float16(math.exp(x))))
    # The other formats' thresholds the explanation quotes.
    assert math.log(float(np.finfo(np.float32).max)) == pytest.approx(88.72, abs=0.01)
    assert math.log(float(np.finfo(np.float64).max)) == pytest.approx(709.78, abs=0.01)
    return float(first)


def ridge_point() -> float:
    return 990e12 / 3.3e12


def attainable_tflops() -> float:
    intensity, peak, bandwidth = 50.0, 400e12, 1.6e12
    assert intensity < peak / bandwidth == 250  # below the ridge: memory-bound, as the explanation says
    return min(peak, intensity * bandwidth) / 1e12


def matmul_intensity() -> float:
    n, element_bytes = 4096, 2
    flops = 2 * n**3
    traffic = 3 * n * n * element_bytes
    assert 1 / (3 * element_bytes) == pytest.approx(0.17, abs=0.005)  # the vector add of the explanation
    return flops / traffic


def decode_batch_at_ridge() -> float:
    """The smallest batch whose decode step reaches the ridge: intensity 2·N·B / (bytes per weight · N)."""
    parameters, ridge = 7e9, PEAK_FLOPS / BANDWIDTH  # any model size: it cancels

    def smallest_batch(flops_per_weight: float, bytes_per_weight: float) -> int:
        def intensity(batch: int) -> float:
            return flops_per_weight * parameters * batch / (bytes_per_weight * parameters)

        return next(batch for batch in range(1, 10_000) if intensity(batch) >= ridge)

    assert smallest_batch(2, 1) == 78  # fp8 weights
    assert smallest_batch(1, 2) == 312  # one FLOP per weight
    return float(smallest_batch(2, 2))


def tokens_per_second() -> float:
    useful = 8 * PEAK_FLOPS * 0.5
    parameters = 1.3e9
    assert useful / (2 * parameters) == pytest.approx(480_000)  # forward-only FLOPs
    assert 8 * PEAK_FLOPS / (6 * parameters) == pytest.approx(320_000)  # MFU forgotten
    return useful / (6 * parameters)


def gpu_hours() -> float:
    budget, peak, mfu, seconds = 3.6e22, 400e12, 0.5, 3600
    assert budget / (peak * seconds) == pytest.approx(25_000)  # the 100%-MFU underestimate
    return budget / (peak * mfu * seconds)


RECOMPUTE = {
    "fp16-largest-finite": fp16_largest,
    "fp16-machine-epsilon": fp16_epsilon,
    "fp16-accumulator-stalls": fp16_counter,
    "bf16-spacing-256": bf16_gap_at_256,
    "fp16-exp-overflow": fp16_exp_overflow,
    "ridge-point-numeric": ridge_point,
    "attainable-flops-numeric": attainable_tflops,
    "matmul-intensity-numeric": matmul_intensity,
    "decode-batch-to-ridge": decode_batch_at_ridge,
    "tokens-per-second-mfu": tokens_per_second,
    "gpu-hours-numeric": gpu_hours,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_fp16_weight_swallows_small_updates() -> None:
    """1000 updates of 1e-4 leave an fp16 weight at 1.0, while an fp32 master weight reaches 1.1 (1.0996 once
    rounded to fp16): the key and the two distractors the explanation derives."""
    weight16, weight32 = np.float16(1.0), np.float32(1.0)
    for _ in range(1000):
        weight16 = np.float16(weight16 + np.float16(1e-4))
        weight32 = np.float32(weight32 + np.float32(1e-4))
    assert weight16 == 1.0
    assert float(weight32) == pytest.approx(1.1, abs=1e-4)
    assert round(float(np.float16(weight32)), 4) == 1.0996
    assert choice("fp16-update-swamping").answer == "1.0"


def test_tiny_gradient_underflows_and_loss_scaling_saves_it() -> None:
    assert np.float16(1e-8) == 0
    assert FP16.smallest_subnormal / 2 > 1e-8
    scaled = np.float16(1e-8 * 65536)
    assert scaled >= FP16.smallest_normal and float(scaled) == pytest.approx(6.55e-4, abs=1e-6)
    # bf16 keeps the unscaled gradient: its 8-bit exponent reaches far below 1e-8.
    assert to_bf16(1e-8) == pytest.approx(1e-8, rel=BF16.epsilon)
    assert choice("fp16-gradient-underflow").answer.startswith("0:")


def test_float_addition_is_not_associative() -> None:
    """The example of the nondeterminism card: the order of a sum changes its last bits."""
    assert (0.1 + 0.2) + 0.3 == 0.6000000000000001
    assert 0.1 + (0.2 + 0.3) == 0.6
    card = choice("run-to-run-nondeterminism")
    assert "not associative" in card.answer


def test_fp8_limits_from_their_layouts() -> None:
    """E5M2 follows the IEEE rules (57344); E4M3 gives up infinities and keeps only mantissa 111 of the top exponent
    for NaN, so its largest value is 1.75 × 2⁸ = 448, not what the IEEE rules would give (240)."""
    e5m2 = BinaryFormat(exponent_bits=5, mantissa_bits=2)
    assert e5m2.largest_finite == 57344
    e4m3 = BinaryFormat(exponent_bits=4, mantissa_bits=3)
    assert e4m3.largest_finite == 240
    assert 1.75 * 2.0 ** (2**4 - 1 - e4m3.bias) == 448
    back = DECK.card("fp8-formats").back
    assert back is not None and "448" in back and "57344" in back


def test_vocabulary_padding_is_the_next_multiple_of_64() -> None:
    vocabulary = 50257
    padded = -(-vocabulary // 64) * 64
    assert padded == 50304 and padded - vocabulary == 47
    assert vocabulary % 8 != 0
    assert "50304" in choice("tensor-core-alignment").answer
