"""The limited-labels deck: every numeric answer recomputed from the numbers in its front (κ with scikit-learn,
entropy with scipy, the importance weight against a fitted domain classifier), and the claims its choice cards
and explanations rest on checked by computing them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from scipy.stats import entropy
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["limited-labels"]

# The two items of the uncertainty-sampling cards.
ITEM_A = np.array([0.50, 0.49, 0.01])
ITEM_B = np.array([0.40, 0.30, 0.30])


def infonce_chance_loss() -> float:
    """Equal logits over the 2N − 1 candidates of one anchor: the loss is the log of their count."""
    n = 256
    candidates = 2 * n - 1
    logits = np.zeros(candidates)
    loss = float(logsumexp(logits) - logits[0])
    assert loss == pytest.approx(math.log(candidates))
    return loss


def bert_altered_tokens() -> float:
    length, selected_share = 200, 0.15
    selected = length * selected_share
    masked, randomised, unchanged = 0.8 * selected, 0.1 * selected, 0.1 * selected
    assert (selected, masked, unchanged) == pytest.approx((30.0, 24.0, 3.0))
    return masked + randomised


def mae_attention_factor() -> float:
    patches = (224 // 16) ** 2
    visible = patches * (1 - 0.75)
    assert (patches, visible) == (196, 49)
    return (patches / visible) ** 2


def entropy_bits() -> float:
    return float(entropy(ITEM_B, base=2))


def label_model_posterior() -> float:
    """A naive-Bayes label model with known accuracies and a balanced prior, computed by enumerating the two
    possible true labels (not by the odds shortcut the explanation uses)."""
    accuracies = np.array([0.9, 0.6, 0.6])
    votes = np.array([1, 0, 0])
    likelihood = {
        label: float(np.prod(np.where(votes == label, accuracies, 1 - accuracies))) for label in (0, 1)
    }
    return 0.5 * likelihood[1] / (0.5 * likelihood[0] + 0.5 * likelihood[1])


def noisy_prevalence() -> float:
    flip_pos, flip_neg, observed = 0.10, 0.05, 0.26
    prevalence = (observed - flip_neg) / (1 - flip_pos - flip_neg)
    # Forward check: the noise applied to that prevalence gives back the observed rate.
    assert prevalence * (1 - flip_pos) + (1 - prevalence) * flip_neg == pytest.approx(observed)
    return prevalence


def kappa_from_table() -> float:
    """The 2×2 table expanded to 100 item-level labels and scored with scikit-learn."""
    pairs = [(1, 1)] * 85 + [(0, 0)] * 5 + [(1, 0)] * 5 + [(0, 1)] * 5
    first, second = zip(*pairs, strict=True)
    assert np.mean(np.array(first) == np.array(second)) == pytest.approx(0.90)
    return float(cohen_kappa_score(first, second))


def domain_weight() -> float:
    n_train, n_test, p_test = 40_000, 10_000, 0.6
    return p_test / (1 - p_test) * n_train / n_test


def kish_ess() -> float:
    weights = np.concatenate([np.full(900, 0.5), np.full(100, 5.5)])
    assert weights.mean() == pytest.approx(1.0)
    return float(weights.sum() ** 2 / (weights**2).sum())


def prior_shift_posterior() -> float:
    """Bayes' rule with the likelihood ratio implied by the training posterior and prior, then the new prior."""
    score, train_prior, new_prior = 0.8, 0.30, 0.05
    likelihood_ratio = (score / (1 - score)) / (train_prior / (1 - train_prior))  # p(x|+)/p(x|−)
    corrected = new_prior * likelihood_ratio / (new_prior * likelihood_ratio + (1 - new_prior))
    # The slip the explanation names: scaling the probability, not the odds.
    assert score * new_prior / train_prior == pytest.approx(0.1333, abs=1e-4)
    return corrected


def bbse_target_prior() -> float:
    """The binary case of BBSE: solve the confusion-matrix system for the target class shares."""
    tpr, fpr, predicted_positive = 0.8, 0.1, 0.30
    # Rows: predicted class (pos, neg); columns: true class (pos, neg); entries P(ŷ | y).
    confusion = np.array([[tpr, fpr], [1 - tpr, 1 - fpr]])
    shares = np.linalg.solve(confusion, np.array([predicted_positive, 1 - predicted_positive]))
    assert shares.sum() == pytest.approx(1.0)
    return float(shares[0])


def protonet_probability() -> float:
    support_a = np.array([[0.0, 0.0], [2.0, 0.0]])
    support_b = np.array([[4.0, 2.0], [4.0, 4.0]])
    query = np.array([2.0, 1.5])
    prototypes = np.stack([support_a.mean(axis=0), support_b.mean(axis=0)])
    squared = ((prototypes - query) ** 2).sum(axis=1)
    unsquared = np.sqrt(squared)
    assert float(softmax(-unsquared)[0]) == pytest.approx(0.668, abs=1e-3)  # the distractor value quoted
    return float(softmax(-squared)[0])


RECOMPUTE = {
    "infonce-chance-level": infonce_chance_loss,
    "bert-masking-altered-count": bert_altered_tokens,
    "mae-encoder-saving": mae_attention_factor,
    "entropy-score-numeric": entropy_bits,
    "label-model-vs-majority": label_model_posterior,
    "noisy-prevalence": noisy_prevalence,
    "cohens-kappa-skewed": kappa_from_table,
    "domain-classifier-weight": domain_weight,
    "importance-weights-ess": kish_ess,
    "prior-shift-posterior": prior_shift_posterior,
    "bbse-adjusted-count": bbse_target_prior,
    "protonet-query-probability": protonet_probability,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_uncertainty_scores_pick_as_the_key_says() -> None:
    """Margin sampling queries A, least confidence and entropy query B; with two classes all three agree."""
    items = {"A": ITEM_A, "B": ITEM_B}
    least_confident = max(items, key=lambda name: 1 - items[name].max())
    smallest_margin = min(items, key=lambda name: float(np.sort(items[name])[-1] - np.sort(items[name])[-2]))
    highest_entropy = max(items, key=lambda name: entropy(items[name]))
    assert (smallest_margin, least_confident, highest_entropy) == ("A", "B", "B")
    assert entropy(ITEM_A, base=2) == pytest.approx(1.071, abs=1e-3)
    binary = np.random.default_rng(0).uniform(size=50)
    binary_items = np.stack([binary, 1 - binary], axis=1)
    ranks = [
        np.argsort(1 - binary_items.max(axis=1)),
        np.argsort(-np.abs(binary_items[:, 0] - binary_items[:, 1])),
        np.argsort(entropy(binary_items, axis=1)),
    ]
    assert all(np.array_equal(ranks[0], rank) for rank in ranks[1:])
    card = DECK.card("uncertainty-scores-disagree")
    assert isinstance(card, ChoiceCard) and card.answer == "Margin picks A; least confidence picks B"


def test_majority_vote_disagrees_with_the_label_model() -> None:
    """The label-model card's point: majority vote says negative where the accuracy-weighted posterior says 0.8."""
    votes = np.array([1, 0, 0])
    assert int(votes.sum() > len(votes) / 2) == 0
    assert label_model_posterior() > 0.5


def test_domain_classifier_odds_need_the_size_ratio() -> None:
    """A logistic domain classifier fitted on 4:1 unbalanced samples from two known Gaussians recovers the true
    density ratio only after multiplying its odds by n_train / n_test, as the weight card says."""
    rng = np.random.default_rng(1)
    n_train, n_test = 40_000, 10_000
    x_train = rng.normal(0.0, 1.0, n_train)
    x_test = rng.normal(1.0, 1.0, n_test)
    x = np.concatenate([x_train, x_test]).reshape(-1, 1)
    y = np.concatenate([np.zeros(n_train), np.ones(n_test)])
    model = LogisticRegression().fit(x, y)
    point = 0.5
    p = float(model.predict_proba([[point]])[0, 1])
    true_ratio = math.exp(-((point - 1.0) ** 2) / 2) / math.exp(-(point**2) / 2)  # = 1 at the midpoint
    assert p / (1 - p) * n_train / n_test == pytest.approx(true_ratio, rel=0.1)
    assert p / (1 - p) == pytest.approx(true_ratio * n_test / n_train, rel=0.1)


def test_kappa_explanation_figures() -> None:
    card = DECK.card("cohens-kappa-skewed")
    assert isinstance(card, NumericCard) and card.explanation is not None
    chance = 0.9 * 0.9 + 0.1 * 0.1
    assert chance == pytest.approx(0.82)
    assert "0.82" in card.explanation


def test_infonce_slips_in_the_explanation() -> None:
    card = DECK.card("infonce-chance-level")
    assert isinstance(card, NumericCard) and card.explanation is not None
    assert round(math.log(512), 3) == 6.238 and round(math.log(510), 3) == 6.234
    assert "6.238" in card.explanation and "6.234" in card.explanation


def test_loss_scale_explanation_gradients() -> None:
    """An MSE near 10⁹ dollars² means errors near √10⁹ dollars and a gradient 2 × error ≈ 6 × 10⁴ per output, tens
    of thousands of times cross-entropy's per-logit gradient p − y (at most 1), not 10⁹ times."""
    error = math.sqrt(1e9)
    assert round(error, -3) == 32_000
    assert 2 * error == pytest.approx(6e4, rel=0.06)
    probabilities = softmax(np.array([3.0, -1.0, 0.5]))
    ce_gradient = probabilities - np.array([0.0, 1.0, 0.0])
    assert np.abs(ce_gradient).max() <= 1.0
    card = DECK.card("multi-task-loss-scales")
    assert isinstance(card, ChoiceCard) and card.explanation is not None
    assert "6 × 10⁴" in card.explanation and "32,000" in card.explanation
