"""The diffusion deck: every numeric answer recomputed from the numbers in its front (noise schedules built with
numpy, the closed-form forward process checked against running the chain), and the claims that several cards
rest on checked by computing them: the score-noise link on Gaussian data, the two guidance conventions, DDIM's
η = 1 variance and the terminal SNR of Stable Diffusion's schedule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard, NumericCard, OpenCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECK = builtin_decks()["diffusion"]


def alpha_bar(betas: np.ndarray) -> np.ndarray:
    """ᾱ_t for every t: the running product of 1 − β_s."""
    return np.cumprod(1.0 - betas)


def noise_std_from_betas() -> float:
    betas = np.array([0.05, 0.10, 0.20, 0.40])
    ab = float(alpha_bar(betas)[-1])
    # The slips the explanation quotes: the variance, the last step's noise, and additive factors.
    assert round(1 - ab, 3) == 0.590
    assert round(math.sqrt(betas[-1]), 3) == 0.632
    assert round(math.sqrt(betas.sum()), 3) == 0.866
    return math.sqrt(1 - ab)


def snr_from_signal_coefficient() -> float:
    signal, noise = 0.6, 0.8
    assert signal**2 + noise**2 == pytest.approx(1.0)  # variance preserving, as the front implies
    assert signal / noise == pytest.approx(0.75)  # the amplitude ratio of the explanation
    return signal**2 / noise**2


def linear_schedule_terminal_snr() -> float:
    """DDPM's schedule as its code builds it, linspace(1e-4, 0.02, 1000); the explanation's log-sum shortcut."""
    betas = np.linspace(1e-4, 0.02, 1000)
    ab = float(alpha_bar(betas)[-1])
    assert float(betas.sum()) == pytest.approx(10.05)
    assert float((betas**2).sum() / 2) == pytest.approx(0.067, abs=0.001)
    assert math.exp(-10.05 - 0.067) == pytest.approx(ab, rel=0.01)
    assert round(math.sqrt(ab), 4) == 0.0064
    return ab / (1 - ab)


def x0_from_epsilon() -> float:
    ab, x_t, eps = 0.36, 0.9, -0.5
    assert round((x_t - (1 - ab) * eps) / ab, 2) == 3.39  # no square roots
    assert round((x_t - math.sqrt(1 - ab) * -eps) / math.sqrt(ab), 2) == 0.83  # sign of ε̂ dropped
    return (x_t - math.sqrt(1 - ab) * eps) / math.sqrt(ab)


def score_from_epsilon() -> float:
    ab, eps = 0.84, 0.8
    assert -eps / (1 - ab) == pytest.approx(-5.0)  # dividing by the variance
    return -eps / math.sqrt(1 - ab)


def nfe_with_guidance() -> float:
    images, steps, passes = 8, 25, 2
    assert images * 1000 * passes == 16_000  # ancestral DDPM, as the explanation says
    return float(images * steps * passes)


def cfg_guided_epsilon() -> float:
    uncond, cond, w = 0.2, 0.5, 7.5
    ho_salimans = (1 + w) * cond - w * uncond
    assert ho_salimans == pytest.approx(2.75)
    return uncond + w * (cond - uncond)


def latent_compression_ratio() -> float:
    f, channels = 8, 4
    image = 512 * 512 * 3
    latent = (512 // f) * (512 // f) * channels
    assert (512 * 512 / (latent // channels)) ** 2 == 4096  # the attention ratio of the explanation
    return image / latent


def dit_token_count() -> float:
    side, p = 64, 2
    assert (512 // p) ** 2 == 65_536 and (side * side) // p == 2048  # the two slips
    assert ((side // (2 * p)) ** 2) * 4 == (side // p) ** 2  # halving p quadruples the tokens
    return float((side // p) ** 2)


RECOMPUTE = {
    "noise-std-from-betas": noise_std_from_betas,
    "snr-from-signal-coefficient": snr_from_signal_coefficient,
    "linear-schedule-terminal-snr": linear_schedule_terminal_snr,
    "x0-from-epsilon": x0_from_epsilon,
    "score-from-epsilon": score_from_epsilon,
    "nfe-with-guidance": nfe_with_guidance,
    "cfg-guided-epsilon": cfg_guided_epsilon,
    "latent-compression-ratio": latent_compression_ratio,
    "dit-token-count": dit_token_count,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_closed_form_matches_running_the_chain() -> None:
    """The forward-process card: running x_t = √(1 − β_t) x_{t−1} + √β_t ε step by step gives x₀ scaled by √ᾱ_t
    plus noise of variance 1 − ᾱ_t, the one-shot Gaussian."""
    rng = np.random.default_rng(0)
    betas = np.array([0.05, 0.10, 0.20, 0.40])
    x0 = 1.5
    x = np.full(200_000, x0)
    for beta in betas:
        x = math.sqrt(1 - beta) * x + math.sqrt(beta) * rng.standard_normal(x.size)
    ab = float(alpha_bar(betas)[-1])
    assert float(x.mean()) == pytest.approx(math.sqrt(ab) * x0, abs=0.01)
    assert float(x.std()) == pytest.approx(math.sqrt(1 - ab), abs=0.01)


def test_noise_prediction_is_the_scaled_score_on_gaussian_data() -> None:
    """With x₀ ~ N(0, 1), x_t ~ N(0, 1) and its score is −x_t; the best ε predictor E[ε | x_t], fitted by least
    squares on samples, is −√(1 − ᾱ_t) times that score, as the score-matching card says."""
    rng = np.random.default_rng(1)
    ab = 0.84
    x0, eps = rng.standard_normal((2, 400_000))
    x_t = math.sqrt(ab) * x0 + math.sqrt(1 - ab) * eps
    slope = float(np.dot(x_t, eps) / np.dot(x_t, x_t))  # least-squares ε ≈ slope · x_t
    assert slope == pytest.approx(math.sqrt(1 - ab), abs=0.01)  # ε̂ = √(1 − ᾱ)·x_t = −√(1 − ᾱ)·(−x_t)


def test_v_prediction_limits_and_inversion() -> None:
    """v = √ᾱ ε − √(1 − ᾱ) x₀ tends to −x₀ at ᾱ → 0 and to ε at ᾱ → 1, and x₀ = √ᾱ x_t − √(1 − ᾱ) v recovers the
    image from v at every noise level, including SNR 0, where ε says nothing about x₀."""
    rng = np.random.default_rng(2)
    x0, eps = rng.standard_normal((2, 5))
    for ab in (0.0, 1e-6, 0.3, 0.9, 1.0):
        a, s = math.sqrt(ab), math.sqrt(1 - ab)
        x_t = a * x0 + s * eps
        v = a * eps - s * x0
        assert np.allclose(a * x_t - s * v, x0)
    assert np.allclose(0.0 * eps - 1.0 * x0, -x0)  # ᾱ = 0: v is −x₀


def test_guidance_conventions_differ_by_one() -> None:
    """The convention card: (1 + w)ε_c − wε_u equals ε_u + s(ε_c − ε_u) with s = 1 + w; s = 1 gives ε_c, s = 0 gives
    ε_u."""
    rng = np.random.default_rng(3)
    cond, uncond = rng.standard_normal((2, 6))
    for w in (0.0, 1.0, 3.0, 7.5):
        assert np.allclose((1 + w) * cond - w * uncond, uncond + (1 + w) * (cond - uncond))
    assert np.allclose(uncond + 1 * (cond - uncond), cond)
    assert np.allclose(uncond + 0 * (cond - uncond), uncond)
    card = DECK.card("cfg-convention")
    assert isinstance(card, ChoiceCard)
    assert (
        card.answer
        == "s = 1 samples the plain conditional model, and Ho & Salimans' w = 1 corresponds to s = 2"
    )


def test_ddim_eta_one_is_the_ddpm_posterior_variance() -> None:
    """The η card: σ_t(η = 1) = √((1 − ᾱ_{t−1})/(1 − ᾱ_t)) · √(1 − ᾱ_t/ᾱ_{t−1}) squares to β̃_t of the reverse-step
    card, for every step of the linear schedule; η = 0 gives no noise."""
    betas = np.linspace(1e-4, 0.02, 1000)
    ab = alpha_bar(betas)
    prev, cur = ab[:-1], ab[1:]
    sigma_sq = (1 - prev) / (1 - cur) * (1 - cur / prev)
    beta_tilde = betas[1:] * (1 - prev) / (1 - cur)
    assert np.allclose(sigma_sq, beta_tilde)


def test_stable_diffusion_terminal_snr() -> None:
    """The brightness card quotes √ᾱ_T ≈ 0.068 and SNR ≈ 0.0047 for Stable Diffusion's scaled-linear schedule
    (β = linspace(√0.00085, √0.012, 1000)²), the values Lin et al. report."""
    betas = np.linspace(math.sqrt(0.00085), math.sqrt(0.012), 1000) ** 2
    ab = float(alpha_bar(betas)[-1])
    assert round(math.sqrt(ab), 3) == 0.068
    assert round(ab / (1 - ab), 4) == 0.0047
    card = DECK.card("terminal-snr-brightness")
    assert isinstance(card, ChoiceCard) and card.explanation is not None
    assert "0.068" in card.explanation and "0.0047" in card.explanation


def test_latent_card_quotes_the_f8_shape() -> None:
    """The latent-diffusion card's example, 512×512×3 → 64×64×4 at f = 8, and the 48× of the numeric card."""
    card = DECK.card("latent-diffusion-why")
    assert isinstance(card, OpenCard) and card.back is not None
    assert "512×512×3 → 64×64×4" in card.back
    numeric = DECK.card("latent-compression-ratio")
    assert isinstance(numeric, NumericCard) and numeric.answer == 48
