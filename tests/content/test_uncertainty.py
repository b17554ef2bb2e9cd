"""The uncertainty deck: every numeric answer recomputed from the numbers in its front (scipy for the t quantile and
the Gaussian log-density, scikit-learn for the pinball loss and the Brier score), the conformal quantile checked
for its coverage by simulation, and the claims behind several choice keys checked numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import minimize_scalar
from scipy.special import expit, logsumexp, softmax
from sklearn.metrics import brier_score_loss, mean_pinball_loss

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["uncertainty"]

CALIBRATION_RESIDUALS = np.array([0.4, 1.1, 0.7, 2.5, 0.9, 1.6, 0.3, 1.3, 3.8])


def entropy(p: np.ndarray) -> float:
    """Shannon entropy in nats of one probability vector."""
    return float(-(p * np.log(p)).sum())


def conformal_rank(n: int, alpha: float) -> int:
    """The order statistic split conformal takes: ceil((n + 1)(1 - alpha)), with a guard against float noise."""
    return math.ceil(round((n + 1) * (1 - alpha), 9))


def gaussian_nll() -> float:
    y, mu, sigma = 3.0, 2.0, 0.5
    nll = -float(stats.norm.logpdf(y, loc=mu, scale=sigma))
    # The explanation's comparisons: sigma = 1 scores lower, and the two slips it quotes.
    assert -stats.norm.logpdf(y, loc=mu, scale=1.0) == pytest.approx(1.419, abs=5e-4)
    assert 0.5 * math.log(2 * math.pi * sigma) + (y - mu) ** 2 / (2 * sigma) == pytest.approx(1.572, abs=5e-4)
    assert math.log(2 * math.pi * sigma**2) + (y - mu) ** 2 / (2 * sigma**2) == pytest.approx(2.452, abs=5e-4)
    return nll


def mixture_variance() -> float:
    mu = np.array([2.0, 2.6, 1.4])
    var = np.array([0.5, 0.4, 0.6])
    # Sample from the equal-weight mixture: its variance is the law-of-total-variance value.
    rng = np.random.default_rng(0)
    member = rng.integers(0, 3, 600_000)
    draws = rng.normal(mu[member], np.sqrt(var[member]))
    total = float(var.mean() + mu.var())
    assert float(draws.var()) == pytest.approx(total, rel=0.01)
    assert var.mean() + mu.var(ddof=1) == pytest.approx(0.86)
    return total


def prediction_half_width() -> float:
    n, s, x_bar, sxx, x0 = 12, 2.0, 5.0, 40.0, 7.0
    t = float(stats.t.ppf(0.975, n - 2))
    leverage = 1 / n + (x0 - x_bar) ** 2 / sxx
    assert t * s * math.sqrt(leverage) == pytest.approx(1.91, abs=0.005)  # the confidence interval
    assert 1.96 * s * math.sqrt(1 + leverage) == pytest.approx(4.26, abs=0.005)  # z instead of t
    return t * s * math.sqrt(1 + leverage)


def pinball() -> float:
    y = np.array([10.0, 12.0, 20.0])
    q = np.array([11.0, 11.0, 15.0])
    loss = float(mean_pinball_loss(y, q, alpha=0.9))
    assert mean_pinball_loss(y, q, alpha=0.1) == pytest.approx(0.5)  # the swapped slopes
    assert mean_pinball_loss(y, q, alpha=0.5) == pytest.approx(np.abs(y - q).mean() / 2)
    return loss


def conformal_index() -> float:
    assert math.ceil(50 * 0.9) == 45 != conformal_rank(50, 0.1)  # the naive rank is one short
    return float(conformal_rank(50, 0.1))


def conformal_upper_end() -> float:
    k = conformal_rank(len(CALIBRATION_RESIDUALS), 0.2)
    q_hat = float(np.sort(CALIBRATION_RESIDUALS)[k - 1])
    assert float(np.quantile(CALIBRATION_RESIDUALS, 0.8)) == pytest.approx(1.96)
    return 20.0 + q_hat


def temperature_fit() -> float:
    """Fit T by minimising the validation NLL numerically (not from the closed form the explanation derives)."""
    z, positive_rate = 3.0, 0.8

    def nll(t: float) -> float:
        p = float(expit(z / t))
        return -(positive_rate * math.log(p) + (1 - positive_rate) * math.log(1 - p))

    fitted = float(minimize_scalar(nll, bounds=(0.05, 50.0), method="bounded", options={"xatol": 1e-8}).x)
    assert expit(z) == pytest.approx(0.953, abs=5e-4)
    assert expit(z / fitted) == pytest.approx(positive_rate, abs=1e-6)  # confidence now matches accuracy
    assert expit(z) / positive_rate == pytest.approx(1.19, abs=0.005)  # the probability-ratio slip
    assert z / 4 == 0.75  # the odds-instead-of-log-odds slip
    return fitted


def brier() -> float:
    p = np.array([0.9, 0.8, 0.3, 0.6, 0.1])
    y = np.array([1, 0, 0, 1, 0])
    score = float(brier_score_loss(y, p))
    assert 0.64 / (score * len(y)) == pytest.approx(0.70, abs=0.005)  # the confident miss's share
    return score


def selective_risk() -> float:
    confidence = np.array([0.98, 0.95, 0.93, 0.90, 0.85, 0.82, 0.78, 0.70, 0.62, 0.55])
    correct = np.array([1, 1, 0, 1, 1, 1, 0, 1, 0, 0])
    accepted = confidence >= 0.80
    assert accepted.mean() == pytest.approx(0.6)
    assert 1 - correct.mean() == pytest.approx(0.4)
    return float(1 - correct[accepted].mean())


def defer_threshold() -> float:
    wrong_cost, review_cost = 25.0, 4.0
    grid = np.linspace(0, 1, 100_001)
    decide = grid[(1 - grid) * wrong_cost <= review_cost + 1e-12]
    return float(decide.min())


def interval_coverage() -> float:
    intervals = [(2, 5), (1, 3), (0, 4), (5, 9), (3, 6), (4, 7), (2, 4), (6, 10), (1, 2), (3, 5)]
    y = [4, 3.5, 2, 8.7, 2.5, 6.2, 4.8, 7, 1.4, 5.6]
    above = sum(v > hi for (_, hi), v in zip(intervals, y, strict=True))
    below = sum(v < lo for (lo, _), v in zip(intervals, y, strict=True))
    assert (above, below) == (3, 1)
    return sum(lo <= v <= hi for (lo, hi), v in zip(intervals, y, strict=True)) / len(y)


RECOMPUTE = {
    "gaussian-nll-numeric": gaussian_nll,
    "ensemble-mixture-variance": mixture_variance,
    "pi-half-width-numeric": prediction_half_width,
    "pinball-loss-numeric": pinball,
    "conformal-quantile-index": conformal_index,
    "conformal-interval-numeric": conformal_upper_end,
    "temperature-fit-numeric": temperature_fit,
    "brier-numeric": brier,
    "selective-risk-numeric": selective_risk,
    "defer-threshold-numeric": defer_threshold,
    "interval-coverage-numeric": interval_coverage,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_split_conformal_covers_at_least_one_minus_alpha() -> None:
    """The rank ceil((n + 1)(1 - alpha)) gives coverage >= 1 - alpha with skewed residuals (no Gaussian needed), while
    the naive rank ceil(n(1 - alpha)) falls short: 20 calibration points, alpha = 0.1, exact order-statistic coverage."""
    n, alpha = 20, 0.1
    rng = np.random.default_rng(1)
    scores = rng.exponential(size=(200_000, n + 1))  # n calibration scores and one test score per trial
    calibration, test = np.sort(scores[:, :n], axis=1), scores[:, n]
    conformal = (test <= calibration[:, conformal_rank(n, alpha) - 1]).mean()
    naive = (test <= calibration[:, math.ceil(n * (1 - alpha)) - 1]).mean()
    assert (
        conformal == pytest.approx(conformal_rank(n, alpha) / (n + 1), abs=0.005) and conformal >= 1 - alpha
    )
    assert naive < 1 - alpha


def test_too_few_calibration_points_give_an_infinite_interval() -> None:
    """n = 8 and alpha = 0.05 need the 9th score; the maximum alone covers only 8/9; n = 19 is the smallest finite case."""
    assert conformal_rank(8, 0.05) == 9 > 8
    assert min(n for n in range(1, 100) if conformal_rank(n, 0.05) <= n) == 19
    card = choice("conformal-small-calibration")
    assert isinstance(card.answer, str) and card.answer.startswith("An infinite interval")
    assert card.explanation is not None and "n ≥ 19" in card.explanation


def test_absolute_error_is_the_improper_score() -> None:
    """Belief 0.7: the expected absolute error falls by reporting 1.0, while Brier and log loss are best at 0.7."""
    belief = 0.7
    reports = np.linspace(0.001, 0.999, 999)

    def expected(score: object) -> np.ndarray:
        return belief * score(reports, 1) + (1 - belief) * score(reports, 0)  # type: ignore[operator]

    absolute = expected(lambda p, y: np.abs(p - y))
    brier_loss = expected(lambda p, y: (p - y) ** 2)
    log_loss = expected(lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert reports[np.argmin(absolute)] == pytest.approx(0.999)
    assert reports[np.argmin(brier_loss)] == pytest.approx(belief, abs=1e-3)
    assert reports[np.argmin(log_loss)] == pytest.approx(belief, abs=1e-3)
    assert choice("improper-score-choice").answer.startswith("Mean absolute error")  # type: ignore[union-attr]


def test_energy_separates_logits_that_softmax_cannot() -> None:
    """(10, 5, 5) and (2, −3, −3): one softmax, two energies, as the energy-vs-msp explanation quotes."""
    high, low = np.array([10.0, 5.0, 5.0]), np.array([2.0, -3.0, -3.0])
    assert np.allclose(softmax(high), softmax(low))
    assert softmax(high)[0] == pytest.approx(0.987, abs=5e-4)
    assert -logsumexp(high) == pytest.approx(-10.01, abs=5e-3)
    assert -logsumexp(low) == pytest.approx(-2.01, abs=5e-3)


def test_relu_confidence_grows_with_input_scale() -> None:
    """A random ReLU network: scaling an input far out drives the top softmax probability towards 1 (Hein et al.)."""
    rng = np.random.default_rng(3)
    w1, b1 = rng.normal(size=(32, 8)), rng.normal(size=32)
    w2, b2 = rng.normal(size=(5, 32)), rng.normal(size=5)
    x = rng.normal(size=8)

    def top(scale: float) -> float:
        hidden = np.maximum(0.0, w1 @ (scale * x) + b1)
        return float(softmax(w2 @ hidden + b2).max())

    assert top(1000.0) > 0.999 and top(1000.0) >= top(1.0)


def test_u_shaped_pit_means_too_narrow() -> None:
    """Forecasts with half the true spread give a U-shaped PIT histogram; twice the spread gives a hump."""
    y = np.random.default_rng(4).normal(size=100_000)
    narrow = stats.norm.cdf(y, scale=0.5)
    wide = stats.norm.cdf(y, scale=2.0)
    edges = np.histogram(narrow, bins=10, range=(0, 1))[0]
    assert edges[0] > 2 * edges[5] and edges[-1] > 2 * edges[4]
    hump = np.histogram(wide, bins=10, range=(0, 1))[0]
    assert hump[0] < hump[5] / 2
    assert choice("pit-histogram-shape").answer.startswith("The predictive distributions are too narrow")  # type: ignore[union-attr]


def top_label_ece(p_positive: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Binary top-label ECE with equal-width bins over the top-class confidence."""
    confidence = np.maximum(p_positive, 1 - p_positive)
    correct = (p_positive >= 0.5) == (y == 1)
    which = np.minimum(((confidence - 0.5) / 0.5 * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(correct[which == b].mean() - confidence[which == b].mean()) * (which == b).mean()
            for b in range(bins)
            if (which == b).any()
        )
    )


def test_ece_cannot_tell_a_useless_constant_from_an_informative_model() -> None:
    """The ECE card: confidence equal to the overall accuracy everywhere gives ECE near 0, as does a calibrated model
    that separates cases; only a proper score (Brier) shows the constant is worse."""
    rng = np.random.default_rng(5)
    risk = rng.uniform(0, 1, 200_000)
    y = (rng.random(risk.size) < risk).astype(int)
    informative = risk
    constant = np.full(risk.size, y.mean())
    assert top_label_ece(constant, y) < 0.01 and top_label_ece(informative, y) < 0.01
    assert brier_score_loss(y, constant) == pytest.approx(0.25, abs=0.005)
    assert brier_score_loss(y, informative) == pytest.approx(1 / 6, abs=0.005)
    card = DECK.card("ece-limitations")
    assert card.back is not None and "overall accuracy" in card.back


def test_numeric_cards_state_their_working() -> None:
    """Each explanation shows the key it justifies (at the front's precision)."""
    for card_id in RECOMPUTE:
        card = DECK.card(card_id)
        assert isinstance(card, NumericCard) and card.explanation is not None
        shown = (
            f"{card.answer:.{max(0, -round(math.log10(card.tolerance)))}f}"
            if card.tolerance
            else f"{card.answer:g}"
        )
        assert shown in card.explanation or shown.rstrip("0").rstrip(".") in card.explanation, (
            card_id,
            shown,
        )


def bald(members: np.ndarray) -> float:
    """Mutual information between the label and the ensemble member: entropy of the mean minus mean entropy."""
    return entropy(members.mean(axis=0)) - float(np.mean([entropy(m) for m in members]))


def test_bald_discounts_noise_and_double_counts_copies() -> None:
    """The batch-bald-redundancy card: BALD, unlike max entropy, gives zero to a point the members agree is noisy;
    and two copies of one point carry less joint information than the sum top-k selection credits them with."""
    disagree = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])
    noisy = np.array([[0.34, 0.33, 0.33], [0.34, 0.33, 0.33]])
    assert entropy(noisy.mean(axis=0)) > entropy(disagree.mean(axis=0))  # max entropy prefers the noisy point
    assert bald(noisy) == pytest.approx(0.0) and bald(disagree) > 0.3  # BALD prefers the disputed one
    # Joint label distribution of two copies under each member (labels independent given the member).
    pairs = np.array([np.outer(m, m).ravel() for m in disagree])
    assert bald(pairs) < 2 * bald(disagree) - 0.1
    card = choice("batch-bald-redundancy")
    assert isinstance(card.answer, str) and "BatchBALD" in card.answer
