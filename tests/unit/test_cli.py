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
    assert [row["id"] for row in rows] == ["mine"]  # as in `drill`: a path names its decks only
    mine = rows[0]
    assert (mine["cards"], mine["due"], mine["new"], mine["title"]) == (2, 0, 2, "Mine")
    code, out, _ = run(runner, "--db", str(tmp_path / "q.db"), "decks", "list", "--json")
    assert len(json.loads(out)) >= 13  # no target: every deck


def quizzer(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "quizzer", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or Path(__file__).resolve().parents[2])


def test_decks_list_unknown_deck_is_an_error_and_ids_work(tmp_path: Path) -> None:
    env = {"QUIZZER_DB": str(tmp_path / "q.db"), "QUIZZER_DATA_DIR": str(tmp_path / "data")}
    result = quizzer("decks", "list", "nosuch-deck", env=env)
    assert result.returncode == 1
    assert "no deck with id or path 'nosuch-deck'" in result.stderr
    assert "no such file" not in result.stderr + result.stdout and "DECK" not in result.stdout
    by_id = quizzer("decks", "list", "evaluation-metrics", "--json", env=env)
    assert by_id.returncode == 0 and [row["id"] for row in json.loads(by_id.stdout)] == ["evaluation-metrics"]


def test_decks_list_says_where_user_decks_live_and_loads_them_whatever_db_says(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "decks").mkdir(parents=True)
    (data / "decks" / "mine.yaml").write_text("id: mine\ntitle: Mine\ncards:\n  - {id: a, front: q, back: a}\n")
    elsewhere = tmp_path / "elsewhere" / "q.db"
    elsewhere.parent.mkdir()
    env = {"QUIZZER_DB": str(elsewhere), "QUIZZER_DATA_DIR": str(data)}
    result = quizzer("decks", "list", env=env)
    assert result.returncode == 0
    assert "mine" in result.stdout
    assert f"Your own decks are read from {data / 'decks'}" in result.stdout
    table = tmp_path / "t.csv"
    table.write_text("front,back\nq,a\n")
    imported = quizzer("import", "csv", str(table), "--deck", "from-csv", env=env)
    assert imported.returncode == 0, imported.stderr
    assert (data / "decks" / "from-csv.yaml").exists()  # import writes where decks are read from


def test_backup_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    db_path = tmp_path / "q.db"
    assert quizzer("--db", str(db_path), "decks", "list").returncode == 0  # creates the database
    missing = tmp_path / "no" / "such" / "b.db"
    result = quizzer("--db", str(db_path), "db", "backup", str(missing))
    assert result.returncode == 1
    assert f"the folder {missing.parent} does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_a_number_where_text_belongs_says_to_quote_it(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text("id: d\ntitle: D\ncards:\n  - id: a\n    front: q\n    back: 2\n")
    code, out, _ = run(runner, "decks", "lint", str(deck))
    assert code == 1
    assert 'd.yaml:6:11: cards[0].back: should be text, but YAML read the number 2: put it in quotes, like "2"' in out


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


def test_generators_list_shows_param_choices_plainly(runner: CliRunner) -> None:
    code, out, _ = run(runner, "generators", "list")
    assert code == 0
    assert "--param task=…  binary | multiclass (default: any)" in out
    assert "Optional[" not in out and "Literal[" not in out
    _, help_text, _ = run(runner, "generate", "--help")
    assert "How many instances" in help_text and "One JSON object per instance" in help_text
    _, help_text, _ = run(runner, "generators", "list", "--help")
    assert "One JSON array" in help_text
