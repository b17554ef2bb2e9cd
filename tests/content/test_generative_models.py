"""The generative-models deck: every numeric answer recomputed from its front, plus size and kind mix."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import entropy
from sklearn.decomposition import PCA

from quizzer.decks.model import NumericCard
from tests.builtin_decks import builtin_decks

DECKS = builtin_decks()
DECK = DECKS["generative-models"]


def numeric(card_id: str) -> NumericCard:
    card = DECK.card(card_id)
    assert isinstance(card, NumericCard), card_id
    return card


def data_with_covariance(eigenvalues: list[float], n: int, seed: int) -> np.ndarray:
    """Rows whose sample covariance has exactly these eigenvalues, in a random rotation."""
    rng = np.random.default_rng(seed)
    p = len(eigenvalues)
    raw = rng.normal(size=(n, p))
    raw -= raw.mean(axis=0)
    # Whiten so the sample covariance is exactly I, then scale and rotate.
    chol = np.linalg.cholesky(np.cov(raw, rowvar=False))
    white = raw @ np.linalg.inv(chol).T
    rotation, _ = np.linalg.qr(rng.normal(size=(p, p)))
    return white @ np.diag(np.sqrt(eigenvalues)) @ rotation.T


def linear_autoencoder_error() -> float:
    x = data_with_covariance([5, 3, 1.5, 0.5], n=2_000, seed=3)
    pca = PCA(n_components=2).fit(x)
    rebuilt = pca.inverse_transform(pca.transform(x))
    # Squared error summed over coordinates, averaged with the same 1/(n − 1) as the covariance.
    return float(((x - rebuilt) ** 2).sum() / (len(x) - 1))


def reparameterised_sample() -> float:
    mu, log_var, eps = 0.5, -1.386, 1.2
    return mu + math.exp(0.5 * log_var) * eps


def gaussian_kl_to_standard() -> float:
    mu = np.array([1.0, 0.0])
    sigma = np.array([0.5, 1.0])
    closed_form = float(np.sum(0.5 * (mu**2 + sigma**2 - 1 - np.log(sigma**2))))
    # Cross-check the closed form by numerical integration of q · log(q / p) per dimension.
    grid = np.linspace(-12, 12, 200_001)
    step = grid[1] - grid[0]
    numerical = 0.0
    for m, s in zip(mu, sigma, strict=True):
        log_q = -0.5 * ((grid - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
        log_p = -0.5 * grid**2 - math.log(math.sqrt(2 * math.pi))
        numerical += float(np.sum(np.exp(log_q) * (log_q - log_p)) * step)
    assert closed_form == pytest.approx(numerical, abs=1e-6)
    return closed_form


def gan_optimum_value() -> float:
    # With p_g = p_data, D*(x) = p_data / (p_data + p_g) = 1/2 at every x.
    p_data = p_g = np.array([0.2, 0.5, 0.3])
    d_star = p_data / (p_data + p_g)
    return float(np.sum(p_data * np.log(d_star)) + np.sum(p_g * np.log(1 - d_star)))


def simclr_negatives() -> float:
    n = 256
    views = np.repeat(np.arange(n), 2)  # image index of each of the 2N views
    anchor = 0
    others = np.delete(np.arange(2 * n), anchor)
    return float(np.sum(views[others] != views[anchor]))


def infonce_loss() -> float:
    logits = np.array([0.8, 0.5, 0.2, -0.1]) / 0.1
    return float(logsumexp(logits) - logits[0])


def ensemble_mutual_information() -> float:
    members = np.array([[0.9, 0.1], [0.5, 0.5], [0.1, 0.9]])
    total = entropy(members.mean(axis=0))
    expected = np.mean([entropy(row) for row in members])
    return float(total - expected)


RECOMPUTE = {
    "linear-autoencoder-error": linear_autoencoder_error,
    "reparameterisation-sample": reparameterised_sample,
    "vae-kl-term": gaussian_kl_to_standard,
    "gan-optimum-value": gan_optimum_value,
    "simclr-negatives-count": simclr_negatives,
    "infonce-loss-value": infonce_loss,
    "ensemble-mutual-information": ensemble_mutual_information,
}


def test_every_numeric_card_is_recomputed() -> None:
    ids = {card.id for card in DECK.cards if isinstance(card, NumericCard)}
    assert ids == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer(card_id: str) -> None:
    card = numeric(card_id)
    expected = RECOMPUTE[card_id]()
    assert abs(card.answer - expected) <= (card.tolerance or 0) + 1e-9, (card_id, expected)
    # The stated precision must match the tolerance: rounding the exact value stays inside it.
    assert card.tolerance is not None
