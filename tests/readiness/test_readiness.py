"""Readiness per deck, tag and family; its trend; calibration on the learner's answers; what to study."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzer import readiness
from quizzer.cli import cli
from quizzer.decks import parse_deck
from quizzer.decks.model import Deck
from quizzer.readiness import AFTER_STUDY, TopicReadiness, compute, study_gain, study_this_week, topic_line
from quizzer.session import study_day
from quizzer.store import Store
from tests.readiness.simulator import LearnerProfile, SimulatedLog, deck_yaml, simulate, write_store


@pytest.fixture(scope="module")
def learner() -> tuple[SimulatedLog, list[Deck]]:
    log = simulate(LearnerProfile(seed=11, new_per_day=12, days=90, decks=4, cards_per_deck=300))
    # topic-0 and topic-2 are interview topics; topic-1 and topic-3 have no interview cards.
    decks = [
        parse_deck(deck_yaml(log, f"topic-{i}", interview_every=2 if i % 2 == 0 else 0)) for i in range(4)
    ]
    return log, decks


def test_readiness_per_deck_follows_the_true_recall(learner: tuple[SimulatedLog, list[Deck]]) -> None:
    log, decks = learner
    today = log.end + timedelta(days=3)  # a few days off: readiness has to account for forgetting
    result = compute(log.rows, decks, today)
    truth = log.true_recall(today)
    assert {topic.name for topic in result.decks} == {deck.id for deck in decks}
    for topic in result.decks:
        studied = [key for key in truth if key[0] == topic.name]
        assert (
            topic.studied == len(studied) and topic.cards == 300 and topic.not_studied == 300 - len(studied)
        )
        assert topic.not_studied > 0  # 12 new a day for 90 days never reaches 1,200 cards
        true_mean = sum(truth[key] for key in studied) / len(studied)
        # Measured: 1-3 points low. The model learns from asks on or near the due day and extrapolates
        # to cards reviewed a day or two ago, which are recalled a little better than it says.
        assert topic.readiness == pytest.approx(true_mean, abs=0.04)
    card_error = sum(abs(result.predictions[key] - truth[key]) for key in truth) / len(truth)
    assert card_error < 0.05


def test_readiness_falls_when_nothing_is_studied(learner: tuple[SimulatedLog, list[Deck]]) -> None:
    log, decks = learner
    soon = compute(log.rows, decks, log.end + timedelta(days=1))
    later = compute(log.rows, decks, log.end + timedelta(days=60), learner=soon.learner)
    for before, after in zip(
        soon.decks, sorted(later.decks, key=lambda t: [d.name for d in soon.decks].index(t.name)), strict=True
    ):
        assert after.readiness is not None and before.readiness is not None
        assert after.readiness < before.readiness - 0.1


def test_trend_is_readiness_at_the_end_of_each_of_the_last_four_weeks(
    learner: tuple[SimulatedLog, list[Deck]],
) -> None:
    log, decks = learner
    today = log.end
    result = compute(log.rows, decks, today)
    for topic in result.decks:
        assert [end for end, _ in topic.trend] == [today - timedelta(weeks=w) for w in (3, 2, 1, 0)]
        assert topic.trend[-1][1] == topic.readiness
    # The trend three weeks back is what compute would have said on that day from the log so far.
    past_day = today - timedelta(weeks=3)
    past_rows = [row for row in log.rows if row["study_day"] <= past_day.isoformat()]
    past = compute(past_rows, decks, past_day, learner=result.learner)
    for topic in result.decks:
        then = next(t for t in past.decks if t.name == topic.name)
        assert topic.trend[0][1] == pytest.approx(then.readiness)


def test_calibration_on_the_learners_answers(learner: tuple[SimulatedLog, list[Deck]]) -> None:
    log, decks = learner
    result = compute(log.rows, decks, log.end)
    assert sum(b.count for b in result.calibration) == result.examples > 1000
    assert result.calibration_error is not None and result.calibration_error < 0.03
    busy = [b for b in result.calibration if b.count >= 200]
    assert busy and all(abs(b.predicted - b.actual) < 0.05 for b in busy)  # type: ignore[operator]


def test_study_list_ranks_interview_decks_by_the_gain_of_an_hour(
    learner: tuple[SimulatedLog, list[Deck]],
) -> None:
    log, decks = learner
    result = compute(log.rows, decks, log.end)
    assert [pick.deck for pick in result.study] and {pick.deck for pick in result.study} <= {
        "topic-0",
        "topic-2",
    }
    scores = [pick.score for pick in result.study]
    assert scores == sorted(scores, reverse=True)
    assert "not yet studied" in result.study[0].reason and "150 interview cards" in result.study[0].reason


@pytest.mark.parametrize(
    ("recall", "not_studied", "answers", "expected"),
    [
        ([], 0, 60, 0.0),
        ([0.95, 0.99], 0, 60, 0.0),  # already above what a review brings
        ([0.5, 0.95], 0, 60, (AFTER_STUDY - 0.5) / 2),
        ([0.5], 3, 2, 2 * AFTER_STUDY / 4),  # unstudied cards (recall 0) go first
        ([0.2, 0.6], 1, 60, (AFTER_STUDY + 0.7 + 0.3) / 3),
    ],
)
def test_study_gain(recall: list[float], not_studied: int, answers: int, expected: float) -> None:
    assert study_gain(recall, not_studied, answers=answers) == pytest.approx(expected)


def test_study_list_weighs_interview_frequency() -> None:
    keys = {("deck", "a"): [("a", "1"), ("a", "2")], ("deck", "b"): [("b", "1"), ("b", "2")]}
    predictions = {("a", "1"): 0.5, ("a", "2"): 0.5, ("b", "1"): 0.3, ("b", "2"): 0.3}
    topics = [
        TopicReadiness("deck", "a", 2, 2, 0.5, interview_cards=10),
        TopicReadiness("deck", "b", 2, 2, 0.3, interview_cards=2),
        TopicReadiness("deck", "c", 2, 0, None, interview_cards=0),
    ]
    picks = study_this_week(topics, predictions, {**keys, ("deck", "c"): [("c", "1"), ("c", "2")]})
    assert [pick.deck for pick in picks] == ["a", "b"]  # weaker b is asked far less; c is never asked
    assert picks[0].score == pytest.approx(10 * (AFTER_STUDY - 0.5))


def test_trend_bars_show_a_rise_of_a_few_points() -> None:
    assert readiness._spark([0.90, 0.92, 0.93, 0.95]) == "▁▄▅█"
    assert readiness._spark([None, 0.8, 0.8]) == "·██"  # flat: both at the top of a 5-point range
    assert readiness._spark([None, None]) == "··"


def test_topic_line_reads_like_the_issue() -> None:
    topic = TopicReadiness("deck", "metrics", 59, 47, 0.861)
    assert topic_line(topic) == "metrics 86% · 12 of 59 cards not yet studied"
    assert topic_line(TopicReadiness("deck", "svm", 10, 10, 0.5)) == "svm 50%"


def test_tags_and_families_and_one_deck(learner: tuple[SimulatedLog, list[Deck]]) -> None:
    log, decks = learner
    result = compute(log.rows, decks, log.end, deck_id="topic-2")
    assert [topic.name for topic in result.decks] == ["topic-2"]
    tags = {topic.name: topic for topic in result.tags}
    assert set(tags) == {"topic-2", "interview", "even", "odd"}
    assert tags["interview"].cards == 150 and tags["even"].cards + tags["odd"].cards == 300
    assert result.generators == []


def test_a_new_learner_gets_the_prior_and_no_trend_values() -> None:
    deck = parse_deck(
        "id: d\ntitle: D\ncards:\n  - {id: a, front: q, back: a, tags: [interview]}\n"
        "  - {id: b, front: q2, back: a2}\n"
    )
    rows = [
        {
            "deck_id": "d",
            "card_id": "a",
            "study_day": "2026-03-01",
            "quality": 4,
            "reask": False,
            "kind": "open",
            "easiness_before": 2.5,
            "interval_before": 0,
            "repetitions_before": 0,
            "easiness_after": 2.5,
            "interval_after": 1,
            "repetitions_after": 1,
        }
    ]
    result = compute(rows, [deck], date(2026, 3, 2))
    assert result.model.fitted is None and result.examples == 0 and result.calibration == []
    (topic,) = result.decks
    assert topic.studied == 1 and topic.not_studied == 1 and 0.5 < (topic.readiness or 0) < 1
    assert [value for _, value in topic.trend][:3] == [None, None, None]
    assert result.study and result.study[0].deck == "d"
    text = readiness.summary_text(result)
    assert "the prior" in text and "What to study this week" in text


def test_generator_families_are_grouped_across_decks() -> None:
    def deck(deck_id: str) -> Deck:
        return parse_deck(
            f"id: {deck_id}\ntitle: T\ncards:\n"
            "  - {id: g, kind: generated, generator: confusion-matrix, params: {metric: precision}}\n"
            "  - {id: o, front: q, back: a}\n"
        )

    def row(deck_id: str, card_id: str, day: str, quality: int) -> dict:
        return {
            "deck_id": deck_id,
            "card_id": card_id,
            "study_day": day,
            "quality": quality,
            "reask": False,
            "kind": "generated",
            "easiness_before": 2.5,
            "interval_before": 0,
            "repetitions_before": 0,
            "easiness_after": 2.5,
            "interval_after": 1,
            "repetitions_after": 1,
        }

    rows = [row("a", "g", "2026-03-01", 4), row("b", "g", "2026-03-01", 4), row("b", "o", "2026-03-01", 4)]
    result = compute(rows, [deck("a"), deck("b")], date(2026, 3, 3))
    (family,) = result.generators
    assert family.name == "confusion-matrix" and family.cards == 2 and family.studied == 2
    assert family.readiness == pytest.approx(
        (result.predictions[("a", "g")] + result.predictions[("b", "g")]) / 2
    )


def test_importing_readiness_does_not_import_scikit_learn() -> None:
    code = "import sys, quizzer.readiness, quizzer.recall_model\nassert 'sklearn' not in sys.modules\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- the command ----------------------------------------------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    """A short simulated log written through the store, ending today."""
    log = simulate(LearnerProfile(seed=21, days=30, new_per_day=6, decks=2, cards_per_deck=100))
    folder = tmp_path / "decks"
    folder.mkdir()
    for index in range(2):
        (folder / f"topic-{index}.yaml").write_text(deck_yaml(log, f"topic-{index}", interview_every=3))
    db = tmp_path / "q.db"
    with Store(db) as store:
        write_store(log, store, study_day(datetime.now(UTC)))
    return db, folder


def test_readiness_command_json(history: tuple[Path, Path]) -> None:
    db, folder = history
    args = ["--db", str(db), "--decks", str(folder), "readiness", "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    decks = {deck["name"]: deck for deck in data["decks"]}
    assert {"topic-0", "topic-1"} <= set(decks)
    assert decks["topic-0"]["cards"] == 100 and 0 < decks["topic-0"]["studied"] < 100
    assert 0.5 < decks["topic-0"]["readiness"] < 1 and len(decks["topic-0"]["trend"]) == 4
    assert data["model"]["examples"] > 200 and 0 < data["model"]["fitted_weight"] < 1
    assert data["calibration"]["bins"] and data["study_this_week"][0]["deck"] in decks
    assert "readiness" in data["definitions"]
    assert (Path(os.environ["QUIZZER_CACHE_DIR"]) / "recall-model.json").exists()  # kept for the next run
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert json.loads(again.stdout)["decks"] == data["decks"]


def test_readiness_command_text_and_one_deck(history: tuple[Path, Path]) -> None:
    db, folder = history
    result = CliRunner().invoke(
        cli,
        ["--db", str(db), "--decks", str(folder), "readiness", "--deck", "topic-1"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for expected in (
        "Readiness — predicted recall",
        "topic-1",
        "Calibration on your answers",
        "What to study this week",
        "of 100",
    ):
        assert expected in result.output
    assert "topic-0 " not in result.output
    bad = CliRunner().invoke(cli, ["--db", str(db), "--decks", str(folder), "readiness", "--deck", "nope"])
    assert bad.exit_code != 0 and "no deck 'nope'" in str(bad.exception)
