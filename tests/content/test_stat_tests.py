"""The statistical-tests deck: every numeric answer recomputed with scipy.stats from the numbers in its front (and
checked against a hand computation where the explanation shows one), and the claims behind the choice keys that
numbers can settle: the distractor values the explanations quote, Student's t inflating false positives when the
small group is the noisy one, and a 2 × 2 goodness-of-fit test equalling the squared two-proportion z."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["stat-tests"]

# The Welch cards' two groups: (n, mean, SD).
WELCH_A = (8, 14.0, 6.0)
WELCH_B = (24, 10.0, 2.0)

BEFORE = np.array([10.0, 12, 9, 14, 11, 13])
AFTER = np.array([11.0, 14, 9, 16, 12, 15])

CONVERSION_TABLE = np.array([[30, 70], [45, 55]])  # rows: variants A and B; columns: converted, not
FISHER_TABLE = np.array([[3, 0], [1, 4]])  # rows: treated, control; columns: improved, not

MW_X = [3, 5, 8, 9]
MW_Y = [1, 2, 4, 6, 7]

PERM_TREATMENT = [6, 9, 10]
PERM_CONTROL = [3, 4, 7]

Z_95 = 1.96


def goodness_of_fit_df() -> float:
    """Six bins of daily counts against a Poisson whose mean is fitted: scipy's chisquare with ddof=1 must use the
    chi-square tail at k − 1 − 1 df, so the df are read back from its p-value rather than assumed."""
    rng = np.random.default_rng(1)
    days = rng.poisson(1.8, size=200)
    observed = np.array([np.sum(days == k) for k in range(5)] + [np.sum(days >= 5)])
    mean = days.mean()
    probabilities = np.append(stats.poisson.pmf(np.arange(5), mean), stats.poisson.sf(4, mean))
    result = stats.chisquare(observed, probabilities * len(days), ddof=1)
    matching = [
        df for df in range(1, 10) if stats.chi2.sf(result.statistic, df) == pytest.approx(result.pvalue)
    ]
    assert len(observed) == 6 and observed.sum() == 200
    (df,) = matching
    return float(df)


def welch_t() -> float:
    (n1, m1, s1), (n2, m2, s2) = WELCH_A, WELCH_B
    welch = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    student = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=True)
    # The explanation's comparison: Student's t = 2.89 with p ≈ 0.007 against Welch's p ≈ 0.10.
    assert round(float(student.statistic), 2) == 2.89 and round(float(student.pvalue), 3) == 0.007
    assert round(float(welch.pvalue), 2) == 0.10
    return float(welch.statistic)


def welch_df() -> float:
    (n1, _, s1), (n2, _, s2) = WELCH_A, WELCH_B
    v1, v2 = s1**2 / n1, s2**2 / n2
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    # scipy's Welch p-value must be the t tail at exactly these df.
    result = stats.ttest_ind_from_stats(14.0, s1, n1, 10.0, s2, n2, equal_var=False)
    assert float(result.pvalue) == pytest.approx(2 * stats.t.sf(float(result.statistic), df))
    return df


def paired_t() -> float:
    paired = stats.ttest_rel(AFTER, BEFORE)
    assert round(float(paired.pvalue), 3) == 0.010
    unpaired = stats.ttest_ind(AFTER, BEFORE, equal_var=False)
    assert round(float(unpaired.statistic), 2) == 1.01 and round(float(unpaired.pvalue), 2) == 0.34
    return float(paired.statistic)


def chi_square_2x2() -> float:
    plain = stats.chi2_contingency(CONVERSION_TABLE, correction=False)
    assert np.allclose(plain.expected_freq, [[37.5, 62.5], [37.5, 62.5]])
    assert round(float(plain.pvalue), 3) == 0.028
    yates = stats.chi2_contingency(CONVERSION_TABLE)  # scipy's default for a 2 × 2 table
    assert round(float(yates.statistic), 2) == 4.18 and round(float(yates.pvalue), 3) == 0.041
    return float(plain.statistic)


def fisher_two_sided() -> float:
    result = stats.fisher_exact(FISHER_TABLE)
    one_sided = stats.fisher_exact(FISHER_TABLE, alternative="greater")
    # The hand computation: the hypergeometric probability of the observed table is 4/56.
    assert float(one_sided.pvalue) == pytest.approx(math.comb(4, 3) * math.comb(4, 0) / math.comb(8, 3))
    assert round(float(one_sided.pvalue), 3) == 0.071
    expected = stats.contingency.expected_freq(FISHER_TABLE)
    assert expected.min() == pytest.approx(1.5) and expected.max() == pytest.approx(2.5)
    return float(result.pvalue)


def mann_whitney_u() -> float:
    result = stats.mannwhitneyu(MW_X, MW_Y, method="exact")
    pairs = sum(x > y for x in MW_X for y in MW_Y)
    ranks = stats.rankdata(MW_X + MW_Y)[: len(MW_X)]
    assert pairs == result.statistic == ranks.sum() - len(MW_X) * (len(MW_X) + 1) / 2
    assert round(float(result.pvalue), 2) == 0.29
    return float(result.statistic)


def permutation_p() -> float:
    values = PERM_TREATMENT + PERM_CONTROL
    observed = np.mean(PERM_TREATMENT) - np.mean(PERM_CONTROL)
    splits = list(itertools.combinations(range(len(values)), len(PERM_TREATMENT)))
    differences = [
        np.mean([values[i] for i in chosen])
        - np.mean([values[i] for i in range(len(values)) if i not in chosen])
        for chosen in splits
    ]
    by_hand = sum(d >= observed - 1e-12 for d in differences) / len(splits)
    result = stats.permutation_test(
        (PERM_TREATMENT, PERM_CONTROL),
        lambda a, b: np.mean(a) - np.mean(b),
        permutation_type="independent",
        alternative="greater",
    )
    assert len(splits) == 20 and float(result.pvalue) == pytest.approx(by_hand)
    return by_hand


def wilson_bounds(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def wilson_upper() -> float:
    low, high = wilson_bounds(2, 40)
    scipy_ci = stats.binomtest(2, 40).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((scipy_ci.low, scipy_ci.high), abs=1e-3)
    assert round(low, 3) == 0.014
    wald_half = Z_95 * math.sqrt(0.05 * 0.95 / 40)
    assert (round(0.05 - wald_half, 3), round(0.05 + wald_half, 3)) == (-0.018, 0.118)
    return high


def cohens_d() -> float:
    n1, m1, s1, n2, m2, s2 = 10, 52.0, 4.0, 30, 50.0, 6.0
    pooled = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    # The two slips of the explanation: averaging the SDs (0.40) and their unweighted RMS (0.39).
    assert round((m1 - m2) / ((s1 + s2) / 2), 2) == 0.40
    assert round((m1 - m2) / math.sqrt((s1**2 + s2**2) / 2), 2) == 0.39
    return (m1 - m2) / pooled


RECOMPUTE = {
    "goodness-of-fit-df": goodness_of_fit_df,
    "welch-t-statistic": welch_t,
    "welch-df": welch_df,
    "paired-vs-unpaired-t": paired_t,
    "chi-square-2x2": chi_square_2x2,
    "fisher-exact-tiny": fisher_two_sided,
    "mann-whitney-u-numeric": mann_whitney_u,
    "permutation-p-enumeration": permutation_p,
    "wilson-upper-bound": wilson_upper,
    "cohens-d-numeric": cohens_d,
}

test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_wald_vs_wilson_back_figures() -> None:
    """The pitfall card's figures: Wald is [0, 0] at 0/20, and Wilson's upper bound there is 0.161."""
    card = DECK.card("wald-vs-wilson")
    assert card.back is not None and "0.161" in card.back and "−0.018 to 0.118" in card.back
    low, high = wilson_bounds(0, 20)
    assert low == pytest.approx(0.0, abs=1e-12) and round(high, 3) == 0.161


def test_student_inflates_false_positives_when_small_group_is_noisy() -> None:
    """The choice card's key: equal means, n = 15 with SD 40 against n = 150 with SD 10, Student's pooled t rejects
    far more than 5% of the time while Welch's stays near 5%."""
    card = DECK.card("student-unequal-variance-choice")
    assert (
        isinstance(card, ChoiceCard) and isinstance(card.answer, str) and card.answer.startswith("It rises")
    )
    rng = np.random.default_rng(0)
    runs = 4000
    small = rng.normal(0.0, 40.0, size=(runs, 15))
    large = rng.normal(0.0, 10.0, size=(runs, 150))
    student = stats.ttest_ind(small, large, axis=1, equal_var=True).pvalue
    welch = stats.ttest_ind(small, large, axis=1, equal_var=False).pvalue
    assert (student < 0.05).mean() > 0.25
    assert 0.03 < (welch < 0.05).mean() < 0.07


def test_many_t_tests_family_wise_rate() -> None:
    """The ANOVA pitfall's arithmetic: five groups give ten pairs and about a 40% family-wise error rate."""
    pairs = math.comb(5, 2)
    assert pairs == 10 and round(1 - 0.95**pairs, 2) == 0.40


def test_t_critical_value_quoted() -> None:
    """The t-vs-z card's cut-off for 10 observations, and that a few hundred df bring t within 0.01 of z."""
    assert round(float(stats.t.ppf(0.975, 9)), 3) == 2.262
    assert float(stats.t.ppf(0.975, 300)) - float(stats.norm.ppf(0.975)) < 0.01


def test_chi_square_equals_squared_pooled_z() -> None:
    """The 2 × 2 card says the plain chi-square equals the squared pooled two-proportion z."""
    (a, b), (c, d) = CONVERSION_TABLE
    p1, p2 = a / (a + b), c / (c + d)
    pooled = (a + c) / CONVERSION_TABLE.sum()
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / (a + b) + 1 / (c + d)))
    assert z**2 == pytest.approx(float(stats.chi2_contingency(CONVERSION_TABLE, correction=False).statistic))


def test_tost_choice_intervals_are_consistent() -> None:
    """The TOST card's 90% and 95% intervals come from one normal standard error around −0.1, and they split the
    way the card needs: the 90% interval fits inside ±0.5 while the 95% interval crosses −0.5."""
    estimate, half90, margin = -0.1, 0.35, 0.5
    se = half90 / stats.norm.ppf(0.95)
    half95 = stats.norm.ppf(0.975) * se
    assert (round(estimate - half95, 2), round(estimate + half95, 2)) == (-0.52, 0.32)
    assert -margin < estimate - half90 and estimate + half90 < margin
    assert estimate - half95 < -margin


def test_correlation_choice_p_value() -> None:
    """r = 0.71 over 30 stores: the Pearson t test gives p < 0.001, as the front says."""
    r, n = 0.71, 30
    t = r * math.sqrt(n - 2) / math.sqrt(1 - r**2)
    assert 2 * stats.t.sf(t, n - 2) < 0.001


def test_small_counts_choice_margins_exist() -> None:
    """The front's expected counts 2.1 and 2.9 arise from 40 patients with 5 side effects split 17 / 23."""
    expected = stats.contingency.expected_freq(np.array([[3, 14], [2, 21]]))
    assert round(float(expected[0, 0]), 1) == 2.1 and round(float(expected[1, 0]), 1) == 2.9


def test_anova_choice_p_value() -> None:
    """F = 4.1 with four designs of 500 users each (3 and 1,996 df) gives p ≈ 0.007, as the front says."""
    groups, per_group = 4, 500
    p = float(stats.f.sf(4.1, groups - 1, groups * per_group - groups))
    assert round(p, 3) == 0.007


def test_paired_design_variance_figures() -> None:
    """The pairing card: σ = 10 and ρ = 0.8 give a difference SD of √40 ≈ 6.3 against √200 ≈ 14.1 unpaired, and the
    figure holds for simulated correlated pairs."""
    sigma, rho = 10.0, 0.8
    assert round(math.sqrt(2 * sigma**2 * (1 - rho)), 1) == 6.3 and round(math.sqrt(2 * sigma**2), 1) == 14.1
    covariance = sigma**2 * np.array([[1.0, rho], [rho, 1.0]])
    pairs = np.random.default_rng(2).multivariate_normal([0.0, 0.0], covariance, size=200_000)
    assert float(np.std(pairs[:, 0] - pairs[:, 1])) == pytest.approx(math.sqrt(40), rel=0.01)
