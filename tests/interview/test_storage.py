"""A round through the store: answers in the review log like any other, the round and its answers
stored, abandoned rounds kept, and the migration on an existing database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from interview_support import METRICS, NOW, deck

from quizzer.grading import Grade
from quizzer.interview import Round, choose_questions
from quizzer.keypoints import PointResult, PointsGrade
from quizzer.session import QueueItem, Session, SessionConfig
from quizzer.store import Store
from quizzer.store.migrations import MIGRATIONS, SCHEMA_VERSION, m007_interviews

CONFIG = SessionConfig(tz=None)
METRICS_DECK = deck(METRICS)


def points(*made: bool) -> PointsGrade:
    results = tuple(
        PointResult(f"point {n}", flag, 1.0 if flag else 0.0, (), must=n == 0) for n, flag in enumerate(made)
    )
    return PointsGrade(results, quality=4 if made[0] else 1, correct=made[0])


def answer(round_: Round, item: QueueItem, *, right: bool, seconds: float, at: int) -> None:
    """Answer ``item`` as the screen would: key points for explain-it, a grade for the others."""
    now = NOW + timedelta(minutes=at)
    if item.kind == "open":
        grade = points(right, False)
        round_.record(
            item, grade.quality, now=now, seconds=seconds, answer="typed", correct=grade.correct, points=grade
        )
    else:
        round_.record(
            item,
            4 if right else 1,
            now=now,
            seconds=seconds,
            answer="x",
            correct=right,
            grade=Grade(right, "the key"),
        )


def new_round(store: Store, count: int = 4) -> Round:
    questions = choose_questions(store, [METRICS_DECK], now=NOW, count=count, seed=2, config=CONFIG)
    return Round(store, questions, minutes=4, now=NOW, seed=2, config=CONFIG)


def test_a_round_goes_into_the_log_and_is_stored(store: Store) -> None:
    round_ = new_round(store)
    assert round_.target == 60
    asked = []
    step = 0
    while (item := round_.next()) is not None:
        asked.append(item.key)
        # The first question is missed: it must not come back in the round.
        answer(round_, item, right=step > 0, seconds=90 if step == 1 else 20, at=step)
        step += 1
    assert len(asked) == 4 and len(set(asked)) == 4
    result = round_.finish(NOW + timedelta(minutes=5))
    assert result.finished and len(result.answers) == 4
    assert result.over_target == 1

    log = list(store.reviews())
    assert [(row["deck_id"], row["card_id"]) for row in log] == asked  # one review per question, in order
    assert not any(row["reask"] for row in log)

    [stored] = store.interviews()
    assert stored["finished_at"] == NOW + timedelta(minutes=5)
    assert stored["answered"] == 4 and stored["planned"] == 4 and stored["minutes"] == 4
    assert round(stored["score"], 4) == result.score
    assert stored["over_target"] == 1
    assert stored["decks"] == ["metrics"]
    rows = store.interview_answers(stored["id"])
    for row, given in zip(rows, result.answers, strict=True):
        expected = given.to_dict()
        assert {key: row[key] for key in expected if key != "over_target"} == {
            key: value for key, value in expected.items() if key != "over_target"
        }
    assert rows[0]["answered_at"] == NOW


def test_left_early_the_round_stays_stored_as_abandoned(db_path: Path) -> None:
    with Store(db_path) as store:
        round_ = new_round(store)
        for step in range(2):
            item = round_.next()
            assert item is not None
            answer(round_, item, right=True, seconds=10, at=step)
        result = round_.report(NOW + timedelta(minutes=3))  # the app quit here: no finish
        assert not result.finished and len(result.answers) == 2
    with Store(db_path) as store:
        [stored] = store.interviews()
        assert stored["finished_at"] is None and stored["answered"] == 2 and stored["planned"] == 4
        assert store.total_reviews() == 2


def test_a_round_without_answers_leaves_nothing(store: Store) -> None:
    round_ = new_round(store)
    round_.finish(NOW)
    assert store.interviews() == [] and store.total_reviews() == 0


def test_early_review_follows_the_early_review_rule(store: Store) -> None:
    """A card studied (and passed) in a drill today is due later: passing it again in a round leaves its
    schedule alone, as in any early review (quizzer.sm2.step)."""
    card = METRICS_DECK.card("recall-num")
    assert card is not None
    drill = Session(store, [METRICS_DECK], now=NOW, seed=1, config=CONFIG, cards=[(METRICS_DECK, card)])
    item = drill.next()
    assert item is not None
    drill.record(item, 5, now=NOW, answer="0.75", correct=True)
    before = store.state("metrics", "recall-num")
    assert before.due is not None and before.due > NOW.date()

    questions = [
        c
        for c in choose_questions(store, [METRICS_DECK], now=NOW, count=5, seed=1, config=CONFIG)
        if c.card.id == "recall-num"
    ]
    round_ = Round(store, questions, minutes=1, now=NOW, seed=1, config=CONFIG)
    asked = round_.next()
    assert asked is not None
    round_.record(
        asked,
        4,
        now=NOW + timedelta(minutes=1),
        seconds=5,
        answer="0.75",
        correct=True,
        grade=Grade(True, "0.75"),
    )
    assert store.state("metrics", "recall-num") == before


def test_migration_adds_the_interview_tables_to_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as store:
        round_ = new_round(store)
        item = round_.next()
        assert item is not None
        answer(round_, item, right=True, seconds=5, at=0)
    # The database as it was before m007: the same reviews, no interview tables, the older version.
    version = MIGRATIONS.index(m007_interviews)
    conn = sqlite3.connect(path)
    conn.executescript(
        f"DROP TABLE interview_answers; DROP TABLE interviews; PRAGMA user_version = {version};"
    )
    conn.close()

    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.total_reviews() == 1
        assert store.interviews() == []
        again = new_round(store)
        item = again.next()
        assert item is not None
        answer(again, item, right=False, seconds=5, at=1)
        assert [row["answered"] for row in store.interviews()] == [1]
    assert list((tmp_path / "backups").glob(f"old-schema{version}-*.db"))
