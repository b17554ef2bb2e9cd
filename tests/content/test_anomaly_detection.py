"""The anomaly-detection deck: every numeric answer recomputed from the numbers in its front (with numpy and
scipy), the slips the explanations quote checked too, and the scikit-learn behaviour the choice cards rest on
(LOF's novelty switch, contamination as a constant shift, isolation forest's score sign and scale invariance,
a k-NN query returning the point itself) run against the installed scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["anomaly-detection"]

EULER_GAMMA = 0.5772156649


def max_zscore() -> float:
    """Build the extreme sample (one value apart, nine equal) and check it against the (n − 1)/√n bound."""
    n = 10
    sample = np.zeros(n)
    sample[0] = 1.0
    z = (sample[0] - sample.mean()) / sample.std(ddof=1)
    assert z == pytest.approx((n - 1) / math.sqrt(n))
    # With the population SD the bound is √(n − 1) = 3, as the explanation says: still not above 3.
    assert (sample[0] - sample.mean()) / sample.std(ddof=0) == pytest.approx(3.0)
    # No other sample of 10 does better: random samples with one huge value stay below the bound.
    rng = np.random.default_rng(0)
    for _ in range(200):
        other = rng.normal(size=n)
        other[0] += rng.uniform(10, 1000)
        assert np.abs((other - other.mean()) / other.std(ddof=1)).max() <= z + 1e-12
    return float(z)


REFUNDS = np.array([8, 10, 11, 12, 12, 13, 14, 15, 16, 23, 30, 33], dtype=float)


def modified_z_count() -> float:
    median = np.median(REFUNDS)
    mad = np.median(np.abs(REFUNDS - median))
    assert (median, mad) == (13.5, 2.5)
    modified = 0.6745 * (REFUNDS - median) / mad
    # The slips of the explanation: no 0.6745 flags 3 days; the classical 3-SD rule flags none.
    assert int((np.abs((REFUNDS - median) / mad) > 3.5).sum()) == 3
    classical = (REFUNDS - REFUNDS.mean()) / REFUNDS.std(ddof=1)
    assert int((np.abs(classical) > 3).sum()) == 0
    assert round(float(classical.max()), 2) == 2.07
    return float((np.abs(modified) > 3.5).sum())


def tukey_normal_share() -> float:
    q1, q3 = stats.norm.ppf([0.25, 0.75])
    upper = q3 + 1.5 * (q3 - q1)
    assert round(float(upper), 3) == 2.698
    outer = q3 + 3 * (q3 - q1)
    assert 2 * stats.norm.sf(outer) * 1e6 == pytest.approx(2.3, abs=0.1)  # "about 2 per million"
    return float(2 * stats.norm.sf(upper) * 100)


SENSOR_COV = np.array([[4.0, 3.6], [3.6, 4.0]])


def squared_mahalanobis(point: np.ndarray) -> float:
    return float(point @ np.linalg.solve(SENSOR_COV, point))


def mahalanobis_2d() -> float:
    against, along = np.array([2.0, -2.0]), np.array([4.0, 4.0])
    # The explanation's comparison: (2, −2) is nearer in Euclidean terms but far in Mahalanobis terms.
    assert np.linalg.norm(against) < np.linalg.norm(along)
    assert squared_mahalanobis(along) == pytest.approx(4.2105, abs=1e-4)
    assert stats.chi2.sf(squared_mahalanobis(along), df=2) == pytest.approx(0.12, abs=0.005)
    assert stats.chi2.sf(squared_mahalanobis(against), df=2) == pytest.approx(4.5e-5, rel=0.01)
    return squared_mahalanobis(against)


def chi2_cutoff() -> float:
    # The slips: D² > 9 flags about 11% of clean 5-D points, the 1-D 99% value 6.63 about 25%.
    assert stats.chi2.sf(9, df=5) == pytest.approx(0.109, abs=0.001)
    assert stats.chi2.sf(stats.chi2.ppf(0.99, df=1), df=5) == pytest.approx(0.25, abs=0.01)
    return float(stats.chi2.ppf(0.99, df=5))


def path_normaliser(n: int) -> float:
    """c(n) with the harmonic number approximated as the front says."""
    return 2 * (math.log(n - 1) + EULER_GAMMA) - 2 * (n - 1) / n


def iforest_score() -> float:
    c = path_normaliser(128)
    exact = 2 * sum(1 / i for i in range(1, 128)) - 2 * 127 / 128
    assert c == pytest.approx(exact, abs=0.01)  # the approximation does not move the 3rd decimal of s
    assert round(2 ** (-4 / exact), 3) == round(2 ** (-4 / c), 3)
    assert round(2 ** (-4 / math.log2(128)), 3) == 0.673  # the tree-height slip
    # The slip the front invites: c(n) from the 1,000,000 rows instead of the 128-point subsample.
    full = path_normaliser(1_000_000)
    assert round(full, 2) == 26.79 and round(2 ** (-4 / full), 3) == 0.902
    return 2 ** (-4.0 / c)


def monitoring_false_alarms() -> float:
    checks = 500 * 24 * 60
    two_sided = 2 * stats.norm.sf(3)
    assert round(checks * stats.norm.sf(3)) == 972  # the one-sided slip
    return checks * two_sided


def base_rate_precision() -> float:
    volume, prevalence, recall, fpr = 2_000_000, 0.0002, 0.80, 0.001
    caught = volume * prevalence * recall
    false_alarms = volume * (1 - prevalence) * fpr
    assert caught == pytest.approx(320) and false_alarms == pytest.approx(1999.6)
    return 100 * caught / (caught + false_alarms)


def point_adjusted_f1() -> float:
    """Label a 10,000-point series with one 200-point segment, flag 2 points inside and 48 outside, then
    apply point-adjust as Kim et al. define it: any hit in a segment credits the whole segment."""
    labels = np.zeros(10_000, dtype=bool)
    labels[5_000:5_200] = True
    flags = np.zeros_like(labels)
    flags[[5_050, 5_150]] = True
    flags[:48] = True

    def f1(predicted: np.ndarray) -> float:
        tp = int((predicted & labels).sum())
        precision, recall = tp / predicted.sum(), tp / labels.sum()
        return 2 * precision * recall / (precision + recall)

    assert f1(flags) == pytest.approx(0.016)
    adjusted = flags.copy()
    if (flags & labels).any():
        adjusted |= labels
    return f1(adjusted)


RECOMPUTE = {
    "max-zscore-small-sample": max_zscore,
    "modified-zscore-count": modified_z_count,
    "tukey-fence-normal-share": tukey_normal_share,
    "mahalanobis-2d-numeric": mahalanobis_2d,
    "mahalanobis-chi2-cutoff": chi2_cutoff,
    "iforest-score-from-path": iforest_score,
    "monitoring-false-alarms-numeric": monitoring_false_alarms,
    "base-rate-precision-numeric": base_rate_precision,
    "point-adjust-f1-numeric": point_adjusted_f1,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def blob(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(size=(300, 2)), rng.uniform(-6, 6, size=(15, 2))])


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_lof_predicts_new_rows_only_in_novelty_mode() -> None:
    """The key of lof-novelty-api-choice: without novelty=True there is no predict; with it, no fit_predict."""
    x = blob()
    outlier_mode = LocalOutlierFactor(n_neighbors=20).fit(x)
    for method in ("predict", "decision_function", "score_samples"):
        assert not hasattr(outlier_mode, method)
    novelty_mode = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(x)
    assert not hasattr(novelty_mode, "fit_predict")
    assert novelty_mode.predict(np.array([[0.0, 0.0], [8.0, 8.0]])).tolist() == [1, -1]
    assert choice("lof-novelty-api-choice").answer.startswith("`predict` does not exist")


def test_contamination_leaves_roc_auc_unchanged() -> None:
    """decision_function differs between contamination values by a constant only, so ROC-AUC is identical."""
    x = blob()
    y = np.r_[np.zeros(300), np.ones(15)]
    aucs, gaps = [], []
    for contamination in (0.01, 0.05, 0.10):
        forest = IsolationForest(contamination=contamination, random_state=0).fit(x)
        gaps.append(forest.score_samples(x) - forest.decision_function(x))
        aucs.append(roc_auc_score(y, -forest.decision_function(x)))
    assert all(np.allclose(gap, gap[0]) for gap in gaps)
    assert len({gap[0].round(9) for gap in gaps}) == 3  # the offsets do differ
    assert aucs[0] == aucs[1] == aucs[2]
    assert "same ROC-AUC" in choice("contamination-roc-auc-choice").answers[0]


def test_iforest_score_samples_is_minus_the_paper_score() -> None:
    """score_samples is −s: in (−1, 0), lower for the planted outliers; with contamination="auto" the offset
    is −0.5 as the explanation says."""
    x = blob()
    forest = IsolationForest(random_state=0).fit(x)
    scores = forest.score_samples(x)
    assert np.all((scores < 0) & (scores > -1))
    assert scores[300:].mean() < scores[:300].mean()
    assert forest.offset_ == -0.5
    assert choice("iforest-sklearn-score-sign-choice").answers[0].startswith("It returns −s")


def test_scale_invariance_keys() -> None:
    """Multiplying one feature by 1,000 leaves the isolation forest's scores and the Mahalanobis distances
    unchanged, and changes the LOF and RBF one-class SVM rankings, as the multi-answer card says."""
    from sklearn.svm import OneClassSVM

    x = blob()
    scaled = x.copy()
    scaled[:, 0] *= 1000

    def forest(data: np.ndarray) -> np.ndarray:
        return IsolationForest(random_state=0).fit(data).score_samples(data)

    def mahalanobis(data: np.ndarray) -> np.ndarray:
        centred = data - data.mean(axis=0)
        return np.einsum("ij,ij->i", centred, np.linalg.solve(np.cov(data.T), centred.T).T)

    def lof(data: np.ndarray) -> np.ndarray:
        model = LocalOutlierFactor(n_neighbors=20).fit(data)
        return model.negative_outlier_factor_

    def ocsvm(data: np.ndarray) -> np.ndarray:
        return OneClassSVM(gamma=0.1).fit(data).decision_function(data)

    assert np.allclose(forest(x), forest(scaled))
    assert np.allclose(mahalanobis(x), mahalanobis(scaled))
    for detector in (lof, ocsvm):
        assert not np.array_equal(np.argsort(detector(x)), np.argsort(detector(scaled)))
    card = choice("feature-scale-invariance-choice")
    assert sorted(card.answers) == [
        "An isolation forest refitted with the same random_state",
        "The Mahalanobis distance with the sample mean and covariance",
    ]


def test_knn_query_on_training_data_returns_the_point_itself() -> None:
    x = blob()
    neighbours = NearestNeighbors(n_neighbors=3).fit(x)
    distances, indices = neighbours.kneighbors(x)
    assert np.all(distances[:, 0] == 0) and np.array_equal(indices[:, 0], np.arange(len(x)))
    distances_excluding, indices_excluding = neighbours.kneighbors()
    assert np.all(indices_excluding != np.arange(len(x))[:, None])
    assert np.allclose(distances_excluding[:, :2], distances[:, 1:])  # shifted by one: the (k − 1)-th slip


def test_pr_auc_of_random_scores_is_about_the_prevalence() -> None:
    """The key of pr-auc-across-datasets-choice: a random ranking's average precision is near the positive rate."""
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    for prevalence in (0.001, 0.10):
        labels = rng.random(400_000) < prevalence
        ap = average_precision_score(labels, rng.random(labels.size))
        assert ap == pytest.approx(prevalence, rel=0.25)


def test_both_chance_corrections_favour_dataset_a() -> None:
    """The key of pr-auc-across-datasets-choice says A is better relative to chance; that must hold for the
    lift over the prevalence and for Campos et al.'s chance-adjusted (AP − p)/(1 − p) alike, or the key would
    depend on which correction the reader picks."""
    (ap_a, p_a), (ap_b, p_b) = (0.30, 0.001), (0.35, 0.10)
    assert ap_b > ap_a  # the raw numbers point the other way: the trap
    assert ap_a / p_a > ap_b / p_b
    adjusted_a, adjusted_b = (ap_a - p_a) / (1 - p_a), (ap_b - p_b) / (1 - p_b)
    assert (round(adjusted_a, 3), round(adjusted_b, 3)) == (0.299, 0.278)
    card = choice("pr-auc-across-datasets-choice")
    assert "0.30 on dataset A (0.1% anomalies) and 0.35 on dataset B (10% anomalies)" in card.front
    assert card.answers[0].startswith("Relative to chance it does better on A")


@pytest.mark.parametrize("sizes", [(500, 500), (700, 300)])
def test_elliptic_envelope_passes_the_gap_between_two_clusters(sizes: tuple[int, int]) -> None:
    """The key of elliptic-envelope-multimodal-choice: one ellipse around two clusters keeps the empty gap
    between them as normal, and does not flag the smaller cluster whole (the first distractor)."""
    from sklearn.covariance import EllipticEnvelope

    rng = np.random.default_rng(0)
    first, second = sizes
    x = np.vstack([rng.normal([0.0, 0.0], 1.0, (first, 2)), rng.normal([8.0, 8.0], 1.0, (second, 2))])
    model = EllipticEnvelope(contamination=0.01, random_state=0).fit(x)
    assert model.predict(np.array([[4.0, 4.0]])).tolist() == [1]
    flagged = model.predict(x) == -1
    assert flagged[:first].mean() < 0.1 and flagged[first:].mean() < 0.1
    assert (
        choice("elliptic-envelope-multimodal-choice").answers[0].startswith("Sessions lying in the empty gap")
    )
