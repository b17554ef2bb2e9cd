"""The 13 course decks (00-12) cannot be gamed, teach each idea once, and keep the corrected statements.

These pin the content work on the course decks: the cue audit's figures per deck, the duplicate groups that were
merged or re-angled, and five statements that used to be imprecise. A card edited back into a cue (a key that is
the longest option again, a justification pasted into the key) or into a duplicate fails here.
"""

from __future__ import annotations

import re

import pytest

from quizzer.audit import DUPLICATE_THRESHOLD, REVIEW_THRESHOLD, audit, card_text, near_duplicates
from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks

ALL_DECKS = list(builtin_decks().values())
COURSE_IDS = (
    "interview-notes",
    "problem-framing",
    "data-and-features",
    "linear-models",
    "trees-and-boosting",
    "evaluation-metrics",
    "bias-variance-cv",
    "neural-network-foundations",
    "cnns-transfer-learning",
    "optimisers-regularisation",
    "practical-training",
    "unsupervised-learning",
    "workflows-ab-testing",
)
BY_ID = {deck.id: deck for deck in ALL_DECKS}
COURSE = [BY_ID[deck_id] for deck_id in COURSE_IDS]

# What the decks achieve after the rebalancing (the audit's own limits are 30% overall and 40% per deck).
COURSE_DECK_LIMIT = 0.25  # chance for four options; lengths within a noticeable margin tie
COURSE_OVERALL_LIMIT = 0.20


def card(deck_id: str, card_id: str) -> object:
    found = BY_ID[deck_id].card(card_id)
    assert found is not None, (deck_id, card_id)
    return found


def text(deck_id: str, card_id: str) -> str:
    """Front and answer side of a card, whitespace collapsed, so wrapped lines read as one sentence."""
    return " ".join(card_text(card(deck_id, card_id)).split())


@pytest.fixture(scope="module")
def course_report() -> object:
    return audit(COURSE, duplicates=False)


@pytest.fixture(scope="module")
def course_pairs() -> list:
    """Similar pairs (≥ the review threshold) among all decks that involve a course deck."""
    return [
        pair
        for pair in near_duplicates(ALL_DECKS, threshold=REVIEW_THRESHOLD)
        if pair.first[0] in COURSE_IDS or pair.second[0] in COURSE_IDS
    ]


def test_the_thirteen_course_decks_are_loaded() -> None:
    assert len(COURSE) == 13
    assert all(sum(isinstance(c, ChoiceCard) for c in deck.cards) >= 4 for deck in COURSE)


@pytest.mark.parametrize("deck_id", COURSE_IDS)
def test_always_pick_longest_stays_low_in_each_course_deck(course_report: object, deck_id: str) -> None:
    (figures,) = [deck for deck in course_report.decks if deck.deck_id == deck_id]
    assert figures.single_choice >= 4
    assert figures.longest_rate <= COURSE_DECK_LIMIT, (deck_id, figures.longest_rate)


def test_always_pick_longest_overall(course_report: object) -> None:
    assert course_report.longest_rate <= COURSE_OVERALL_LIMIT
    whole = audit(ALL_DECKS, duplicates=False)
    assert whole.longest_rate <= 0.30
    assert not [failure for failure in whole.failures() if "always-pick-longest" in failure]


@pytest.mark.parametrize("deck_id", COURSE_IDS)
def test_always_pick_shortest_is_no_better_than_chance(deck_id: str) -> None:
    """Shortening keys must not hand the cue to the opposite strategy: "always pick the shortest" stays near
    chance (1/4 for four options), scored like the audit's longest strategy, ties sharing the point."""
    (figures,) = audit([BY_ID[deck_id]], duplicates=False).decks
    assert figures.shortest_rate <= 0.30, (deck_id, figures.shortest_rate)


def test_the_key_is_not_the_option_most_alike_the_others_more_often_than_chance() -> None:
    """Distractors written as one-part changes of the key leave the key in the middle of them; a learner who picks
    the option sharing the most words with the rest would beat chance. Over all decks that strategy stays near
    chance (25%), and in no deck does it reach the audit's warning zone."""
    whole = audit(ALL_DECKS, duplicates=False)
    assert whole.alike_rate <= 0.25, whole.alike_rate
    high = {deck.deck_id: round(deck.alike_rate, 2) for deck in whole.decks if deck.alike_rate > 0.30}
    assert not high


def test_no_length_or_wording_cue_left_in_the_course_decks(course_report: object) -> None:
    cues = [(f.deck_id, f.card_id, f.kind, f.detail) for f in course_report.findings]
    assert cues == []


def test_no_blocking_duplicate_involves_a_course_deck(course_pairs: list) -> None:
    blocking = [pair for pair in course_pairs if pair.similarity >= DUPLICATE_THRESHOLD]
    assert blocking == []


def test_a_card_id_shared_by_two_course_decks_teaches_two_different_things(course_pairs: list) -> None:
    ids: dict[str, list[str]] = {}
    for deck in COURSE:
        for each in deck.cards:
            ids.setdefault(each.id, []).append(deck.id)
    shared = {card_id for card_id, decks in ids.items() if len(decks) > 1}
    assert "gradient-accumulation" in shared  # decks 07 and 10, now on different facts
    alike = [pair for pair in course_pairs if pair.first[1] == pair.second[1] and pair.first[1] in shared]
    assert alike == []
    assert "1/N" in text("practical-training", "gradient-accumulation")
    assert "micro-batch" not in text("neural-network-foundations", "gradient-accumulation")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("problem-framing", "crossentropy-input"), ("neural-network-foundations", "cross-entropy-logits")),
        (("bias-variance-cv", "log-uniform-lr"), ("practical-training", "log-scale-sampling")),
        (
            ("neural-network-foundations", "residual-gradient"),
            ("cnns-transfer-learning", "resnet-residual-idea"),
        ),
        (
            ("neural-network-foundations", "eval-vs-no-grad"),
            ("optimisers-regularisation", "dropout-eval-pitfall"),
        ),
        (
            ("neural-network-foundations", "init-scale-principle"),
            ("neural-network-foundations", "init-for-relu"),
        ),
        (("unsupervised-learning", "silhouette-meaning"), ("unsupervised-learning", "silhouette-from-a-b")),
        (("workflows-ab-testing", "many-metrics-correction"), ("workflows-ab-testing", "bonferroni-alpha")),
    ],
)
def test_re_angled_pairs_no_longer_read_alike(course_pairs: list, first: tuple, second: tuple) -> None:
    assert not [pair for pair in course_pairs if {pair.first, pair.second} == {first, second}]


def test_the_cost_threshold_formula_is_taught_once() -> None:
    formula = re.compile(r"C_FP\s*/\s*\(C_FP\s*\+\s*C_FN\)")
    stating = [
        (deck.id, each.id) for deck in COURSE for each in deck.cards if formula.search(card_text(each))
    ]
    assert stating == [("problem-framing", "cost-threshold")]


def test_the_ln_k_first_loss_check_lives_in_deck_10() -> None:
    assert BY_ID["practical-training"].card("initial-loss-1000-classes") is None
    assert "ln K" in text("practical-training", "initial-loss-pitfall")
    for card_id in ("initial-loss-check", "debug-training-first"):
        assert "ln K" not in text("neural-network-foundations", card_id)
    plateau = card("practical-training", "loss-plateau-at-prior")
    assert plateau.answer == pytest.approx(0.802, abs=plateau.tolerance)


def test_model_eval_is_taught_per_stage() -> None:
    assert "BatchNorm" in text("neural-network-foundations", "pitfall-batchnorm-eval")
    dropout = text("optimisers-regularisation", "dropout-eval-pitfall")
    assert "1/(1 − p)" in dropout and "BatchNorm" not in dropout


def test_backprop_costs_a_small_multiple_of_the_forward_pass() -> None:
    back = text("neural-network-foundations", "backprop-what")
    assert "about 2×" in back and "one backward pass" in back
    assert "costing about as much as a forward pass" not in back


def test_huber_epsilon_is_on_the_fitted_scale() -> None:
    back = text("evaluation-metrics", "huber-loss")
    assert "HuberRegressor.epsilon" in back and "scale σ" in back and "unit-free" in back


def test_ordinal_targets_names_coral_for_cumulative_and_corn_for_conditional() -> None:
    ordinal = text("problem-framing", "ordinal-targets")
    assert "CORAL" in ordinal and "cumulative probabilities P(y > k)" in ordinal
    assert "CORN instead outputs conditional probabilities P(y > k | y > k − 1)" in ordinal


def test_when_not_ml_ties_data_size_to_the_task() -> None:
    back = text("problem-framing", "when-not-ml")
    assert "a few hundred tabular rows or fewer" not in back
    assert "relative to how complex the mapping is" in back


def test_adam_versus_sgd_reflects_current_recipes() -> None:
    back = text("optimisers-regularisation", "adam-vs-sgd-generalisation")
    assert "AdamW or LAMB and match or beat SGD" in back


def test_aliases_accept_the_common_names() -> None:
    aliased = [
        each for deck in COURSE for each in deck.cards if isinstance(each, ChoiceCard) and each.aliases
    ]
    assert len(aliased) >= 40
    expect = {
        ("bias-variance-cv", "stratified-imbalanced", "Leave-one-out CV"): {"LOO", "LOOCV"},
        ("bias-variance-cv", "learning-curve-high-bias", "High bias (underfitting)"): {"underfitting"},
        ("bias-variance-cv", "learning-curve-high-bias", "High variance (overfitting)"): {"overfitting"},
        ("problem-framing", "regression-loss-choice", "Mean absolute error"): {"MAE"},
        ("evaluation-metrics", "mae-rmse-choice", "RMSE"): {"root mean squared error"},
        ("evaluation-metrics", "intermittent-demand-metric", "WAPE"): {"weighted absolute percentage error"},
    }
    for (deck_id, card_id, option), names in expect.items():
        found = card(deck_id, card_id)
        assert names <= set(found.aliases[option]), (card_id, option)


def test_every_stage_deck_keeps_enough_cards_after_the_merge() -> None:
    assert all(len(BY_ID[deck_id].cards) >= 25 for deck_id in COURSE_IDS[1:])


def test_all_built_in_decks_pass_the_audit() -> None:
    """`quizzer decks audit` over the built-in decks: no length cue past its limits, no near-duplicate pair."""
    report = audit(ALL_DECKS)
    assert not report.failures(), report.failures()
    assert report.longest_rate <= 0.25 and report.shortest_rate <= 0.25
