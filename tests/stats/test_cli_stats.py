from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzer.cli import cli, main
from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig, study_day
from quizzer.store import Store

DECK_TEXT = "id: mine\ntitle: Mine\ncards:\n" + "".join(
    f"  - {{id: c{i}, front: q{i}, back: a{i}, tags: [{'hard' if i % 2 else 'easy'}]}}\n" for i in range(6))


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    """Three days of drilling ending now, so the CLI's own clock sees it as recent."""
    deck_file = tmp_path / "mine.yaml"
    deck_file.write_text(DECK_TEXT)
    deck = parse_deck(DECK_TEXT)
    db = tmp_path / "q.db"
    now = datetime.now(UTC)
    with Store(db) as store:
        for days_ago in (2, 1, 0):
            moment = now - timedelta(days=days_ago)
            session = Session(store, [deck], now=moment, seed=days_ago, config=SessionConfig(new_per_day=3))
            while (item := session.next()) is not None:
                quality = 2 if "hard" in item.tags and not item.reask else 5
                session.record(item, quality, now=moment, response_ms=4000)
    return db, deck_file


def test_stats_json_has_every_figure(history: tuple[Path, Path]) -> None:
    db, deck_file = history
    result = CliRunner().invoke(cli, ["--db", str(db), "--decks", str(deck_file), "stats", "--json", "--deck", "mine",
                                      "--days", "7"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total_reviews"] > 0 and data["deck"] == "mine" and data["window_days"] == 7
    assert data["today"] == study_day(datetime.now(UTC)).isoformat()
    assert len(data["reviews_per_day"]) == 7 and data["streak"]["current"] >= 1
    assert set(data["retention"]) == {"young", "mature", "all", "in_window", "relearning", "early", "early_in_window",
                                      "by_week", "by_month"}
    assert data["weakest"]["tag"][0]["name"] == "hard" and data["weakest"]["tag"][0]["last_30"]["rate"] == 0.0
    assert data["labels"]["retention"] == "due reviews, grade ≥ 3" and "Anki" in data["definitions"]["retention"]
    assert data["cards"]["total"] == 6 and data["cards_by_deck"]["mine"]["total"] == 6
    assert data["accuracy_by"]["tag"][0]["name"] == "hard"  # weakest first
    assert len(data["forecast"]) == 30 and len(data["heatmap"]["counts"]) >= 365


def test_stats_text(history: tuple[Path, Path]) -> None:
    db, deck_file = history
    result = CliRunner().invoke(cli, ["--db", str(db), "--decks", str(deck_file), "stats", "--deck", "mine"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    for expected in ("Quizzer stats — deck mine", "Streak", "Cards      6:", "Weakest topics", "hard",
                     "Due in the next 30 days"):
        assert expected in result.stdout


def test_stats_unknown_deck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(tmp_path / "q.db"), "stats", "--deck", "nope"])
    assert exit_.value.code == 1
    assert "no deck 'nope'" in capsys.readouterr().err
