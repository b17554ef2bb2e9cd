"""The key-point grader: agreement with hand grades on held-out cards, the answers it must refuse, speed.

The labelled set (``tests/data/typed_answers.jsonl``) was written and graded by hand before the grader existed.
Its ``split`` holds whole cards out: ``crc32("deck/card") % 3 == 0`` -> "held-out", else "fit". The grader's
thresholds were fitted on "fit" only (``tests/benchmarks/bench_grader.py --fit``); here they meet "held-out".
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest

from quizzer import keypoints
from quizzer.decks.loader import load_deck
from quizzer.decks.model import Deck, OpenCard

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "data" / "typed_answers.jsonl"
TOPIC_LABELS = ROOT / "tests" / "data" / "typed_answers_topics.jsonl"
DECK_FILES = ("03-linear-models.yaml", "05-evaluation-metrics.yaml", "06-bias-variance-cv.yaml")


@pytest.fixture(scope="module")
def decks() -> dict[str, Deck]:
    loaded = [load_deck(ROOT / "decks" / name) for name in DECK_FILES]
    return {deck.id: deck for deck in loaded}


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]


def _cards(decks: dict[str, Deck]) -> list[tuple[Deck, OpenCard]]:
    return [
        (deck, card) for deck in decks.values() for card in deck.cards if keypoints.grades_typed_answers(card)
    ]


def test_the_labelled_set_is_split_by_card_as_documented(labels: list[dict]) -> None:
    assert len(labels) >= 300
    assert len({(row["deck"], row["card"]) for row in labels}) >= 58
    for row in labels:
        held_out = zlib.crc32(f"{row['deck']}/{row['card']}".encode()) % 3 == 0
        assert row["split"] == ("held-out" if held_out else "fit")
        assert row["pass"] == (row["quality"] >= 3)


def test_held_out_agreement_with_hand_grades_meets_the_targets(
    decks: dict[str, Deck], labels: list[dict]
) -> None:
    from sklearn.metrics import cohen_kappa_score

    held_out = [row for row in labels if row["split"] == "held-out"]
    hand = [row["quality"] for row in held_out]
    proposed = []
    for row in held_out:
        deck = decks[row["deck"]]
        proposed.append(keypoints.grade_answer(deck, deck.card(row["card"]), row["answer"]).quality)
    agreement = sum((a >= 3) == (b >= 3) for a, b in zip(hand, proposed, strict=True)) / len(hand)
    kappa = cohen_kappa_score(hand, proposed, weights="quadratic")
    assert kappa >= 0.6, kappa
    assert agreement >= 0.85, agreement


def _decided(rows: list[dict], decks: dict[str, Deck]) -> tuple[float, float]:
    """(agreement with the hand grades on the answers the grader decides, share it leaves to the learner)."""
    decided, right = 0, 0
    for row in rows:
        deck = decks[row["deck"]]
        grade = keypoints.grade_answer(deck, deck.card(row["card"]), row["answer"])
        if not grade.unsure:
            decided += 1
            right += grade.correct == row["pass"]
    return right / decided, 1 - decided / len(rows)


def test_on_held_out_cards_the_answers_the_grader_decides_agree_with_the_hand_grades(
    decks: dict[str, Deck], labels: list[dict]
) -> None:
    """Both labelled sets' held-out cards: the first set's (decks 03, 05, 06) and the topic decks' (written after
    the grader, on cards its fitting never saw; two graders agree on 239 of its 240 answers). Where only close
    must-points are missing the grader leaves the verdict to the learner; what it decides must hold up."""
    agreement, deferred = _decided([row for row in labels if row["split"] == "held-out"], decks)
    assert agreement >= 0.88 and deferred <= 0.2, (agreement, deferred)
    topics = [json.loads(line) for line in TOPIC_LABELS.read_text(encoding="utf-8").splitlines()]
    held_out = [row for row in topics if row["split"] == "held-out"]
    wanted = {row["deck"] for row in held_out}
    loaded = (load_deck(path) for path in sorted((ROOT / "decks").glob("*.yaml")))
    topic_decks = {deck.id: deck for deck in loaded if deck.id in wanted}
    agreement, deferred = _decided(held_out, topic_decks)
    assert agreement >= 0.75 and deferred <= 0.25, (agreement, deferred)


LASSO_DECK = """\
id: penalties
title: Penalties
cards:
  - id: lasso-vs-ridge
    front: When would you choose Lasso or Ridge?
    back: Lasso when few features matter; it sets coefficients exactly to zero. Ridge when many features
      contribute; it shrinks all of them and zeroes none.
    points:
      - text: "Lasso sets some coefficients exactly to zero"
        also: ["L1 gives a sparse model", "lasso performs feature selection"]
        must: true
      - text: "Ridge shrinks every coefficient without zeroing any"
        also: ["L2 keeps all features", "ridge shrinks all the weights"]
        must: true
"""


def test_a_must_point_missed_by_a_narrow_margin_leaves_the_verdict_to_the_learner(tmp_path: Path) -> None:
    """"Leaves some features out" is Lasso's point in other words: the grader scores it just under the bar. It
    neither passes nor fails such an answer; one that misses a must-point by far, or makes them all, is decided."""
    path = tmp_path / "deck.yaml"
    path.write_text(LASSO_DECK, encoding="utf-8")
    deck = load_deck(path)
    card = deck.card("lasso-vs-ridge")
    assert isinstance(card, OpenCard)
    unsure = keypoints.grade_answer(
        deck, card, "Lasso leaves some features out of the model, ridge shrinks all the weights."
    )
    assert unsure.unsure and not unsure.correct
    (close,) = [point for point in unsure.points if not point.made]
    assert close.must and close.close
    assert keypoints.UNSURE_THRESHOLD <= close.score < keypoints.POINT_THRESHOLD
    assert unsure.as_json()["unsure"] and [point["close"] for point in unsure.as_json()["points"]] == [True, False]
    wrong = keypoints.grade_answer(deck, card, "Both are penalties on the weights.")
    assert not wrong.correct and not wrong.unsure
    right = keypoints.grade_answer(deck, card, "Lasso sets some coefficients exactly to zero; ridge shrinks them all.")
    assert right.correct and not right.unsure
    assert not keypoints.grade_answer(deck, card, "").unsure  # a refusal is decided


RULES_DECK = """\
id: rules
title: Rules
cards:
  - id: l1
    front: What does an L1 penalty do to a linear model's coefficients?
    back: L1 (lasso) sets some coefficients exactly to zero, so it selects features; L2 shrinks all of them.
    points:
      - text: "L1 sets some coefficients exactly to zero"
        also: ["gives a sparse model by zeroing some of the coefficients", "drives a few weights all the way to zero"]
        must: true
      - text: "So it performs feature selection"
        also: ["picks a subset of the features", "the features with a zero weight drop out of the model"]
  - id: calibration
    front: How do you check that a classifier's probabilities are calibrated?
    back: Plot a reliability diagram, predicted probability against the observed frequency in bins, and compute ECE.
    points:
      - text: "Plot predicted probability against observed frequency in bins"
        also: ["a reliability diagram plots the predicted probability against the observed frequency",
               "reliability diagram"]
        must: true
      - text: "Summarise the gap with the expected calibration error"
        also: ["ECE averages the gap over the bins"]
"""


def test_phrasings_that_leave_out_a_term_or_contain_a_label_are_not_a_way_around_the_rules(tmp_path: Path) -> None:
    """A phrasing without the point's contrast term ("gives a sparse model ...") does not let "L2 gives a sparse
    model" make "L1 sets coefficients to zero"; a longer phrasing holding a label does not let the label typed
    alone make its point. Both passed once every point had more phrasings."""
    path = tmp_path / "deck.yaml"
    path.write_text(RULES_DECK, encoding="utf-8")
    deck = load_deck(path)
    l1, calibration = deck.card("l1"), deck.card("calibration")
    assert isinstance(l1, OpenCard) and isinstance(calibration, OpenCard)
    sparse = "gives a sparse model by zeroing some of the coefficients."
    assert keypoints.grade_answer(deck, l1, f"L1 {sparse}").points[0].made
    assert not keypoints.grade_answer(deck, l1, f"L2 {sparse}").points[0].made
    assert not keypoints.grade_answer(deck, calibration, "reliability diagram").points[0].made
    plotted = "A reliability diagram plots the predicted probability against the observed frequency."
    assert keypoints.grade_answer(deck, calibration, plotted).points[0].made


@pytest.mark.parametrize(
    ("deck_id", "card_id", "paraphrase"),
    [
        (
            "linear-models",
            "lasso-vs-ridge",
            "Go with L1 when only a handful of inputs should matter, since it drives some coefficients exactly to "
            "zero. Pick L2 when lots of inputs carry signal or they are correlated: it shrinks every coefficient "
            "and keeps all of them. Elastic net blends the two penalties.",
        ),
        (
            "evaluation-metrics",
            "precision-recall-definitions",
            "Precision is the share of flagged items that are truly positive, TP over TP plus FP. Recall is the "
            "share of real positives the model finds, TP over TP plus FN.",
        ),
        (
            "bias-variance-cv",
            "pitfall-random-kfold-time-series",
            "Random folds leak future information: the model learns from prices after the ones it predicts. "
            "Use walk-forward validation, training on the past and testing on the period after it.",
        ),
    ],
)
def test_a_faithful_paraphrase_passes(
    decks: dict[str, Deck], deck_id: str, card_id: str, paraphrase: str
) -> None:
    deck = decks[deck_id]
    grade = keypoints.grade_answer(deck, deck.card(card_id), paraphrase)
    assert grade.correct, [(point.text, round(point.score, 2)) for point in grade.points]


def test_empty_question_off_topic_and_other_cards_keywords_are_refused(decks: dict[str, Deck]) -> None:
    cards = _cards(decks)
    for index, (deck, card) in enumerate(cards):
        same_deck = [other for other_deck, other in cards if other_deck is deck and other.id != card.id]
        other = same_deck[index % len(same_deck)]
        bag = " ".join(
            dict.fromkeys(re.findall(r"[A-Za-z]{4,}", " ".join(p.text for p in other.points or ())))
        )
        for answer in (
            "",
            "   ",
            card.front,
            "Paris is the capital of France and the Seine runs through it.",
            bag,
        ):
            grade = keypoints.grade_answer(deck, card, answer)
            assert not grade.correct, (card.id, answer)
            assert grade.quality <= 2, (card.id, answer)
        assert keypoints.grade_answer(deck, card, "").refusal == "empty"
        assert keypoints.grade_answer(deck, card, card.front).quality == 0


def test_a_negated_claim_does_not_make_the_point(decks: dict[str, Deck]) -> None:
    deck = decks["bias-variance-cv"]
    card = deck.card("pitfall-more-data-high-bias")
    said = keypoints.grade_answer(deck, card, "If the model has high bias, more data will help.")
    denied = keypoints.grade_answer(deck, card, "If the model has high bias, more data will not help.")
    assert not said.points[0].made
    assert denied.points[0].made
    deck = decks["bias-variance-cv"]
    card = deck.card("regularisation-bias-variance")
    grade = keypoints.grade_answer(
        deck, card, "Regularisation does not reduce variance; it trades bias away."
    )
    assert not grade.points[0].made


def test_a_point_the_answer_denies_is_not_made_by_another_of_its_sentences() -> None:
    """Saying a point with its negation turned over denies it, even where another sentence of the answer comes
    close enough to it to have made it on its own ("precision ... monotonically" near "recall increases
    monotonically"); a clause read out of a sentence that makes the point ("... a handful of positives" in "...
    a handful of positives or none") does not deny it."""
    deck = load_deck(ROOT / "decks" / "00-interview-notes.yaml")
    card = deck.card("choose-threshold")
    alone = "Precision usually falls but monotonically."
    assert keypoints.grade_answer(deck, card, alone).points[0].made  # near enough to the recall point by itself
    denied = keypoints.grade_answer(deck, card, f"Recall falls as the threshold is lowered. {alone}")
    assert not denied.points[0].made and not denied.correct
    made = keypoints.grade_answer(deck, card, f"Recall never falls as the threshold is lowered. {alone}")
    assert made.points[0].made
    deck = load_deck(ROOT / "decks" / "02-data-features.yaml")
    card = deck.card("stratified-split")
    qualified = "A random split can leave a fold with a handful of positives or none, so metrics are noisy."
    assert keypoints.grade_answer(deck, card, qualified).points[0].made


def test_an_answer_with_the_contrast_terms_swapped_throughout_fails() -> None:
    """Each sentence says a point's own words with "bias" and "variance" (or "underfitting" and "overfitting")
    traded: every such sentence denies its point, so sentences about the partner term no longer make it."""
    deck = load_deck(ROOT / "decks" / "00-interview-notes.yaml")
    card = deck.card("bias-vs-variance-errors")
    swapped = (
        "Variance is systematic error from a model that is too simple, which is underfitting. High variance does "
        "badly on both training and test data. Bias is how much predictions change across different training "
        "samples, which is overfitting. High bias does well on training data but poorly on test data."
    )
    right = (
        "Bias is systematic error from a model that is too simple, which is underfitting. High bias does badly on "
        "both training and test data. Variance is how much predictions change across different training samples, "
        "which is overfitting. High variance does well on training data but poorly on test data."
    )
    assert keypoints.grade_answer(deck, card, right).correct
    grade = keypoints.grade_answer(deck, card, swapped)
    assert not grade.correct and sum(point.made for point in grade.points) <= 1


def test_everyday_words_for_a_direction_read_as_the_direction() -> None:
    """ "Rises", "goes up" and "increases" make the same point; "falls" and "drops" the opposite one."""
    deck = load_deck(ROOT / "decks" / "00-interview-notes.yaml")
    card = deck.card("choose-threshold")
    rises = "Lowering the threshold flags more cases, so recall can only rise or stay the same."
    falls = "Lowering the threshold flags more cases, so recall drops."
    assert keypoints.grade_answer(deck, card, rises).points[0].made
    assert not keypoints.grade_answer(deck, card, falls).points[0].made
    assert keypoints.normalise("it goes up, then it fell") == keypoints.normalise(
        "it increases, then it decreases"
    )


def test_swapped_terms_do_not_make_the_points(decks: dict[str, Deck]) -> None:
    deck = decks["linear-models"]
    card = deck.card("lasso-vs-ridge")
    right = keypoints.grade_answer(
        deck, card, "Lasso sets some coefficients exactly to zero, while ridge shrinks every coefficient."
    )
    swapped = keypoints.grade_answer(
        deck, card, "Lasso shrinks every coefficient, while ridge sets some coefficients exactly to zero."
    )
    assert right.points[0].made and right.points[1].made
    assert not swapped.points[0].made and not swapped.points[1].made
    assert not swapped.correct
    deck = decks["evaluation-metrics"]
    card = deck.card("precision-recall-definitions")
    swapped = keypoints.grade_answer(deck, card, "Precision is TP/(TP+FN) and recall is TP/(TP+FP).")
    assert not swapped.correct


def test_each_point_reports_its_score_and_the_words_that_matched(decks: dict[str, Deck]) -> None:
    deck = decks["linear-models"]
    card = deck.card("lasso-vs-ridge")
    grade = keypoints.grade_answer(
        deck, card, "Lasso gives a sparse model: it sets coefficients exactly to zero."
    )
    first = grade.points[0]
    assert first.made and first.must and 0 < first.score <= 1
    assert {"coefficients", "zero"} <= {word.casefold() for word in first.matched}
    data = grade.as_json()
    assert set(data) == {"points", "quality", "correct", "unsure"}
    assert data["points"][0]["made"] is True and data["points"][0]["matched"]
    assert not grade.correct  # the ridge half is a must-point too


def test_quality_rises_with_the_points_made(decks: dict[str, Deck]) -> None:
    deck = decks["evaluation-metrics"]
    card = deck.card("mae-vs-rmse")
    musts_only = keypoints.grade_answer(
        deck, card, "RMSE penalises big errors more; MAE is robust to outliers."
    )
    everything = keypoints.grade_answer(deck, card, card.back)
    assert 3 <= musts_only.quality < everything.quality == 5


def test_cards_without_points_are_not_graded(decks: dict[str, Deck]) -> None:
    deck = decks["linear-models"]
    choice = next(card for card in deck.cards if card.kind == "choice")
    assert not keypoints.grades_typed_answers(choice)
    bare = OpenCard(id="bare", front="What is OLS?", back="Least squares.")
    assert not keypoints.grades_typed_answers(bare)
    with pytest.raises(ValueError, match="no key points"):
        keypoints.grade_answer(deck, bare, "least squares")


def test_cli_grade_prints_points_and_the_json_contract(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quizzer.cli import cli

    runner = CliRunner()
    answer = "Lasso sets some coefficients exactly to zero, while ridge shrinks every coefficient."
    args = ["--db", str(tmp_path / "q.db"), "grade", "linear-models", "lasso-vs-ridge", "--answer", answer]
    result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["correct"] is True and data["quality"] >= 3
    assert [point["made"] for point in data["points"]][:2] == [True, True]
    assert {"text", "made", "score", "matched"} <= set(data["points"][0])
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.stdout.startswith("✓ Lasso when few features matter")
    assert "proposed quality" in result.stdout
    result = runner.invoke(cli, [*args[:3], "linear-models", "ols-solver", "--answer", "x"])
    assert result.exit_code != 0


@pytest.mark.parametrize(
    "answer",
    [
        "sparse lasso coefficients model zero feature",  # the card's words, shuffled
        "Lasso, sparse, zero, coefficients, feature selection",  # the same as a comma-separated list
    ],
)
def test_a_keyword_list_makes_no_point(decks: dict[str, Deck], answer: str) -> None:
    deck = decks["linear-models"]
    grade = keypoints.grade_answer(deck, deck.card("lasso-vs-ridge"), answer)
    assert grade.made == 0, [(point.text, round(point.score, 2)) for point in grade.points]


def test_a_statement_without_relation_words_still_makes_its_point(decks: dict[str, Deck]) -> None:
    """No article, verb "to be" or preposition, but the words stand in the order the deck says them."""
    deck = decks["evaluation-metrics"]
    card = deck.card("precision-recall-definitions")
    grade = keypoints.grade_answer(deck, card, "Precision punishes false alarms, recall punishes misses.")
    assert grade.points[2].made
    assert keypoints.bare_words(keypoints.normalise("precision punishes false alarms")) == 4
    assert keypoints.bare_words(keypoints.normalise("precision is TP / (TP + FP)")) == 0
    assert (
        keypoints.bare_words(keypoints.normalise("one-hot, out-of-fold")) == 2
    )  # a hyphenated term is one word


def test_a_short_also_phrase_counts_only_inside_a_statement(decks: dict[str, Deck]) -> None:
    deck = decks["linear-models"]
    card = deck.card("ols-closed-form")
    assert "minimise RSS" in (card.points or ())[0].also
    assert not keypoints.grade_answer(deck, card, "minimise RSS").points[0].made
    assert keypoints.grade_answer(deck, card, "OLS picks the coefficients that minimise RSS.").points[0].made


def test_a_contrast_term_swapped_inside_a_negation_does_not_make_the_point() -> None:
    deck = load_deck(ROOT / "decks" / "00-interview-notes.yaml")
    card = deck.card("choose-threshold")
    assert (
        keypoints.grade_answer(deck, card, "Recall never falls as the threshold is lowered.").points[0].made
    )
    assert (
        not keypoints.grade_answer(deck, card, "Precision never falls as the threshold is lowered.")
        .points[0]
        .made
    )


def test_contrast_pairs_are_told_apart_after_stemming() -> None:
    """The pairs are matched on stems: "precision"/"recall" and "type I"/"type II" must stem to different words."""
    for left, right in keypoints._CONTRASTS:
        assert keypoints.stem(left) != keypoints.stem(right), (left, right)
        assert keypoints.stem(right) in keypoints._PARTNERS[keypoints.stem(left)]
    type_one, type_two = (keypoints.stem(keypoints.normalise(text)) for text in ("Type I", "Type II"))
    assert type_one != type_two
    assert keypoints.stem("precision") in keypoints._PARTNERS[keypoints.stem("recall")]


def test_earlier_and_later_are_a_contrast_pair() -> None:
    """ "Smaller learning rates for later blocks" is the opposite of the fine-tuning rule, not a paraphrase of it."""
    deck = load_deck(ROOT / "decks" / "08-cnns-transfer.yaml")
    card = deck.card("uniform-lr-finetune")
    point = 2
    assert "earlier" in (card.points or ())[point].text
    right = keypoints.grade_answer(deck, card, "Use layer-wise learning rates, smaller for earlier blocks.")
    swapped = keypoints.grade_answer(deck, card, "Use layer-wise learning rates, smaller for later blocks.")
    assert right.points[point].made and not swapped.points[point].made
