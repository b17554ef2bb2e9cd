from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzer.cli import cli

BAD = Path(__file__).parent / "bad_decks"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_lint_clean_deck_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("id: ok\ntitle: OK\ncards:\n  - {id: a, front: q, back: a}\n")
    code, out, err = run(runner, "decks", "lint", str(tmp_path))
    assert code == 0 and out == ""
    assert "1 deck(s), 1 card(s) OK" in err


def test_lint_reports_path_line_col_and_exits_1(runner: CliRunner) -> None:
    code, out, _ = run(runner, "decks", "lint", str(BAD / "answer-not-option.yaml"), str(BAD / "typo-field.yaml"))
    assert code == 1
    lines = out.strip().splitlines()
    assert f"{BAD / 'answer-not-option.yaml'}:11:13: cards[1].answer: 'MCC' is not one of the options" in lines
    assert any(line.startswith(f"{BAD / 'typo-field.yaml'}:5:5: cards[0].frnt: unknown field") for line in lines)


def test_builtin_decks_lint_clean(runner: CliRunner) -> None:
    code, out, _ = run(runner, "decks", "lint", str(Path(__file__).resolve().parents[2] / "decks"))
    assert code == 0, out


def test_decks_list_json_counts(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text("id: mine\ntitle: Mine\ncards:\n  - {id: a, front: q, back: a}\n  - {id: b, front: q, back: a}\n")
    code, out, _ = run(runner, "--db", str(tmp_path / "q.db"), "decks", "list", str(deck), "--json")
    assert code == 0
    rows = json.loads(out)
    mine = next(row for row in rows if row["id"] == "mine")
    assert (mine["cards"], mine["due"], mine["new"], mine["title"]) == (2, 0, 2, "Mine")
    assert len(rows) >= 13  # the built-in decks are listed too


def test_schema_is_json(runner: CliRunner) -> None:
    code, out, _ = run(runner, "decks", "schema")
    assert code == 0
    assert json.loads(out)["title"] == "Quizzer deck"


def test_generate_json_contract(runner: CliRunner) -> None:
    code, out, _ = run(runner, "generate", "confusion-matrix", "--seed", "5", "--count", "3", "--json",
                       "--param", "task=binary", "--param", "metric=precision", "--answer", "0.5", "--answer", "x")
    assert code == 0
    records = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["seed"] for r in records] == [5, 6, 7]
    for record in records:
        assert set(record) >= {"generator", "seed", "params", "prompt", "data", "expected", "solution", "grades"}
        data = record["data"]
        assert data["metric"] == "precision"
        assert record["expected"] == pytest.approx(data["tp"] / (data["tp"] + data["fp"]))
        assert [g["answer"] for g in record["grades"]] == ["0.5", "x"]
        assert record["grades"][1]["correct"] is False


def test_generate_grades_equivalent_forms(runner: CliRunner) -> None:
    code, out, _ = run(runner, "generate", "confusion-matrix", "--seed", "11", "--json",
                       "--param", "task=binary", "--param", "metric=accuracy")
    data = json.loads(out)["data"]
    n = data["tp"] + data["fp"] + data["fn"] + data["tn"]
    fraction = f"{data['tp'] + data['tn']}/{n}"
    percent = f"{100 * (data['tp'] + data['tn']) / n:.2f}%"
    code, out, _ = run(runner, "generate", "confusion-matrix", "--seed", "11", "--json", "--param", "task=binary",
                       "--param", "metric=accuracy", "--answer", fraction, "--answer", percent)
    assert [g["correct"] for g in json.loads(out)["grades"]] == [True, True]


def test_generate_unknown_name_is_a_message(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "quizzer", "generate", "no-such-thing"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown generator 'no-such-thing'" in result.stderr
    assert "Traceback" not in result.stderr


def test_generators_list_json(runner: CliRunner) -> None:
    code, out, _ = run(runner, "generators", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    names = [row["name"] for row in rows]
    assert names[:3] == ["confusion-matrix", "cv-scheme", "learning-curve"]
    params = {p["name"] for p in rows[0]["params"]}
    assert {"task", "metric", "average", "beta"} <= params


def test_stats_json_counts_reviews(runner: CliRunner, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from quizzer.decks import parse_deck
    from quizzer.session import Session
    from quizzer.store import Store

    db = tmp_path / "q.db"
    deck = parse_deck("id: s\ntitle: S\ncards:\n  - {id: a, front: q, back: a}\n  - {id: b, front: q, back: a}\n")
    with Store(db) as store:
        session = Session(store, [deck], now=datetime.now(UTC), seed=1)
        for _ in range(2):
            session.record(session.next(), 5, now=datetime.now(UTC))
    code, out, _ = run(runner, "--db", str(db), "stats", "--json")
    assert code == 0
    assert json.loads(out)["total_reviews"] == 2


def test_bad_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"not sqlite at all" * 200)
    result = subprocess.run([sys.executable, "-m", "quizzer", "--db", str(db), "stats", "--json"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "not a Quizzer database" in result.stderr
    assert "Traceback" not in result.stderr


def test_quizzer_db_env_var(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = subprocess.run([sys.executable, "-m", "quizzer", "stats", "--json"], capture_output=True, text=True,
                            cwd=tmp_path, env={**__import__("os").environ, "QUIZZER_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_generate_human_output_shows_prompt_table_and_solution(runner: CliRunner) -> None:
    code, out, _ = run(runner, "generate", "learning-curve", "--seed", "4", "--answer", "high_bias")
    assert code == 0
    assert "What does the curve show" in out
    assert "train rows" in out  # the table
    expected = next(line for line in out.splitlines() if line.startswith("Expected: "))
    assert any(name in expected for name in ("(high_bias)", "(high_variance)", "(good_fit)"))
    assert "Solution:" in out
    assert "✗ 'high_bias'" in out or "✓ 'high_bias'" in out
