"""The cue audit: longest-key share, lopsided lengths, words only the key repeats, near-duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from quizzer.audit import DUPLICATE_THRESHOLD, audit, near_duplicates
from quizzer.decks.model import Deck

ROOT = Path(__file__).resolve().parents[2]


def choice(card_id: str, front: str, key: str, others: list[str]) -> dict:
    return {
        "id": card_id,
        "kind": "choice",
        "front": front,
        "options": [key, *others],
        "answer": key,
        "explanation": "Because.",
    }


def deck(deck_id: str, cards: list[dict]) -> Deck:
    return Deck.model_validate({"id": deck_id, "title": deck_id, "cards": cards})


def test_always_pick_longest_is_scored_and_ties_share_the_point() -> None:
    cards = [
        choice(f"c{i}", f"Question {i}?", "the long and detailed right answer", ["short", "brief", "tiny"])
        for i in range(6)
    ]
    # The key ties for longest with one other option (a 2-character gap is not noticeable).
    cards.append(choice("tie", "Tie?", "a" * 40, ["b" * 38, "c" * 10, "d" * 5]))
    report = audit([deck("cues", cards)], duplicates=False)
    (figures,) = report.decks
    assert figures.single_choice == 7 and figures.key_longest == 6
    assert figures.longest_score == 6.5
    assert report.failures() and "always-pick-longest" in report.failures()[0]
    assert {f.kind for f in report.findings} >= {"longest-key", "length-outlier"}


def test_balanced_deck_passes() -> None:
    cards = [
        choice(
            f"c{i}",
            f"Which metric for case {i}?",
            ["recall", "precision", "accuracy", "f1 score"][i % 4],
            [
                o
                for o in ["recall", "precision", "accuracy", "f1 score"]
                if o != ["recall", "precision", "accuracy", "f1 score"][i % 4]
            ],
        )
        for i in range(8)
    ]
    report = audit([deck("fair", cards)], duplicates=False)
    assert report.longest_rate <= 0.30 and not report.failures()


def test_a_word_only_the_key_repeats_from_the_front_is_a_cue() -> None:
    card = choice(
        "echo",
        "Which estimator handles grouped patients?",
        "GroupKFold over patients",
        ["KFold with shuffling", "StratifiedKFold", "TimeSeriesSplit"],
    )
    report = audit([deck("echo", [card])], duplicates=False)
    shared = [f for f in report.findings if f.kind == "shared-word"]
    assert shared and "patient" in shared[0].detail


def test_the_key_every_distractor_is_a_variation_of_is_a_cue() -> None:
    """Distractors made by changing one part of the key each look like the key more than like each other: the
    option most alike the rest is then the key (the convergence strategy), and the audit scores that strategy."""
    cards = [
        choice(
            f"c{i}",
            f"Which split for case {i}?",
            "stratified folds grouped by patient over time",
            [
                "random folds grouped by patient over time",
                "stratified folds grouped by hospital over time",
                "stratified folds grouped by patient shuffled",
            ],
        )
        for i in range(6)
    ]
    report = audit([deck("convergent", cards)], duplicates=False)
    (figures,) = report.decks
    assert figures.alike_score == 6 and report.alike_rate == 1.0
    assert any("always-pick-most-alike" in failure for failure in report.failures())
    assert sum(f.kind == "most-alike-key" for f in report.findings) == 6
    # Options that share nothing give no pattern to play: every option ties, and the tie shares the point.
    plain = [choice("p", "Which metric?", "recall", ["precision", "accuracy", "log loss"])]
    (figures,) = audit([deck("plain", plain)], duplicates=False).decks
    assert figures.alike_score == 0.25


def test_the_same_card_in_two_decks_is_a_blocking_duplicate() -> None:
    text = {
        "front": "Why do we scale features before k-NN?",
        "back": "Distances are dominated by the feature with the largest range unless features are scaled.",
    }
    first = deck(
        "one",
        [
            {"id": "scale", **text},
            {"id": "other", "front": "What is a ROC curve?", "back": "TPR against FPR over all thresholds."},
        ],
    )
    second = deck("two", [{"id": "scale-again", **text}])
    pairs = near_duplicates([first, second])
    assert len(pairs) == 1 and pairs[0].blocking and pairs[0].similarity >= DUPLICATE_THRESHOLD
    assert {pairs[0].first, pairs[0].second} == {("one", "scale"), ("two", "scale-again")}


def test_cli_audit_reports_and_exits_non_zero_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    cards = [
        choice(f"c{i}", f"Question {i}?", "the long and detailed right answer", ["short", "brief", "tiny"])
        for i in range(6)
    ]
    path.write_text(json.dumps({"id": "cues", "title": "Cues", "cards": cards}))
    out = subprocess.run(
        [sys.executable, "-m", "quizzer", "decks", "audit", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["always_pick_longest"] == 1.0 and not report["passed"]


def test_a_deck_that_cannot_be_read_fails_the_audit(tmp_path: Path) -> None:
    """An unreadable deck was not audited: the report must not say PASS over it (it said "0 cards ... PASS")."""
    from click.testing import CliRunner

    from quizzer.cli import cli

    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\ncards:\n  - id: a\n    front: x: y\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["decks", "audit", str(broken)])
    assert result.exit_code == 1
    assert "PASS" not in result.output and "FAIL: 1 deck file(s) could not be read" in result.output
    assert "broken.yaml:5" in result.output  # the reason, with file and line
