"""`quizzer interview` on the command line: help, refusals without a traceback, and the scores in `stats`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from interview_support import METRICS, SELF_GRADED_ONLY, deck

from quizzer.cli import main
from quizzer.grading import Grade
from quizzer.interview import Round, choose_questions
from quizzer.store import Store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "interview", "--help")
    assert code == 0
    for option in ("--minutes", "--deck", "--questions"):
        assert option in out
    assert "mock interview" in out


@pytest.mark.parametrize("argv", [["--minutes", "0"], ["--questions", "0"], ["--minutes", "soon"]])
def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, "interview", *argv)
    assert code == 2 and "Invalid value" in err and "Traceback" not in err


def test_unknown_deck(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "q.db"), "interview", "--deck", "no-such-deck")
    assert code == 1 and "no deck with id or path 'no-such-deck'" in err and "Traceback" not in err


def test_decks_with_nothing_to_ask(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    deck_file = tmp_path / "selfgraded.yaml"
    deck_file.write_text(SELF_GRADED_ONLY)
    code, _, err = run(
        capsys, "--db", str(tmp_path / "q.db"), "--decks", str(deck_file), "interview", "--deck", "selfgraded"
    )
    assert code == 1 and "no card a mock interview can ask" in err and "Traceback" not in err


def test_stats_lists_the_rounds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    metrics = deck(METRICS)
    start = datetime.now(UTC) - timedelta(minutes=10)
    with Store(db) as store:
        for finished in (True, False):
            questions = choose_questions(store, [metrics], now=start, count=2, seed=1)
            round_ = Round(store, questions, minutes=2, now=start, seed=1)
            while (item := round_.next()) is not None:
                round_.record(
                    item, 4, now=start, seconds=10, answer="x", correct=True, grade=Grade(True, "x")
                )
                if not finished:
                    break
            if finished:
                round_.finish(start + timedelta(minutes=1))
    code, out, _ = run(capsys, "--db", str(db), "stats", "--json")
    assert code == 0
    rounds = json.loads(out)["interviews"]
    assert [(r["answered"], r["planned"], r["finished"], r["score"]) for r in rounds] == [
        (2, 2, True, 1.0),
        (1, 2, False, 1.0),
    ]
    assert rounds[0]["seconds"] == 60.0 and rounds[0]["minutes"] == 2
    code, out, _ = run(capsys, "--db", str(db), "stats")
    assert code == 0 and "Mock interviews" in out
    assert "100%  2 questions · 2 min round in 1:00" in out
    assert "1 of 2 questions · 2 min round · abandoned" in out
