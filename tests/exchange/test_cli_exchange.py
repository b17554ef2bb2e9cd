"""quizzer export / import / db backup, end to end through the CLI."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzer import paths
from quizzer.cli import cli, main
from quizzer.decks import parse_deck
from quizzer.session import Session, SessionConfig
from quizzer.store import Store

DECK_TEXT = ("id: mine\ntitle: Mine\ncards:\n  - {id: a, front: q1, back: a1, tags: [t]}\n"
             "  - {id: b, front: q2, back: a2}\n")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run through main() as the console script does: a message, exit 1, no traceback."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(DECK_TEXT)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "q.db"
    deck = parse_deck(DECK_TEXT)
    with Store(path) as store:
        now = datetime(2026, 5, 4, 9, tzinfo=UTC)
        session = Session(store, [deck], now=now, seed=1, config=SessionConfig(tz=UTC))
        for quality in (5, 2, 4):  # the third answers the re-ask of the missed card
            session.record(session.next(), quality, now=now, response_ms=1000)
    return path


def test_export_anki(tmp_path: Path, deck_file: Path) -> None:
    out = tmp_path / "phone.apkg"
    code, stdout, _ = run("--decks", str(deck_file), "export", "anki", str(out), "mine")
    assert code == 0 and "Wrote 2 note(s) from 1 deck(s)" in stdout
    with zipfile.ZipFile(out) as archive:
        assert "collection.anki2" in archive.namelist()


def test_export_anki_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no deck 'nope'" in fails(capsys, "export", "anki", str(tmp_path / "x.apkg"), "nope")
    assert "ends in .apkg" in fails(capsys, "export", "anki", str(tmp_path / "x.zip"))


def test_export_reviews(tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run("--db", str(db), "export", "reviews", str(tmp_path / "log.json"))
    assert code == 0 and "Wrote 3 review(s)" in stdout  # two answers and one re-ask
    assert len(json.loads((tmp_path / "log.json").read_text())) == 3
    code, stdout, _ = run("--db", str(db), "export", "reviews", str(tmp_path / "log.csv"), "--deck", "other")
    assert "Wrote 0 review(s)" in stdout
    assert ".csv or .json" in fails(capsys, "--db", str(db), "export", "reviews", str(tmp_path / "log.xlsx"))


def test_export_decks_then_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out"
    code, stdout, _ = run("export", "decks", str(folder))
    assert code == 0
    written = sorted(path.name for path in folder.iterdir())
    assert "05-evaluation-metrics.yaml" not in written and "evaluation-metrics.yaml" in written
    code, _, stderr = run("decks", "lint", str(folder))
    assert code == 0 and "OK" in stderr
    assert "already exists" in fails(capsys, "export", "decks", str(folder), "evaluation-metrics")
    assert run("export", "decks", str(folder), "evaluation-metrics", "--force")[0] == 0


def test_import_csv_into_the_user_deck_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "cards.csv"
    table.write_text("front,back,tags\nWhat is AUC?,Area under the ROC curve,metrics\n")
    code, stdout, _ = run("import", "csv", str(table), "--deck", "my-cards", "--title", "My cards")
    target = paths.user_decks_dir() / "my-cards.yaml"
    assert code == 0 and f"Imported 1 card(s) into {target}" in stdout
    assert run("decks", "lint", str(target))[0] == 0
    code, stdout, _ = run("--db", str(tmp_path / "q.db"), "decks", "list", "--json")
    assert any(row["id"] == "my-cards" and not row["builtin"] for row in json.loads(stdout))
    assert "already exists" in fails(capsys, "import", "csv", str(table), "--deck", "my-cards")
    assert run("import", "csv", str(table), "--deck", "my-cards", "--force")[0] == 0
    # A deck id in use by another deck is refused.
    assert "already used by" in fails(capsys, "import", "csv", str(table), "--deck", "evaluation-metrics")


def test_import_anki_to_a_folder(tmp_path: Path, make_apkg: Callable[..., Path],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    package = make_apkg([("basic", ["Q", "A"], ["x"], "g1"), ("basic", ["no back", ""], [], "g2")])
    out = tmp_path / "decks"
    out.mkdir()
    code, stdout, stderr = run("import", "anki", str(package), "--deck", "from-anki", "--out", str(out))
    assert code == 0 and (out / "from-anki.yaml").exists()
    assert "1 note(s) or row(s) left out" in stderr and "nothing on the back" in stderr
    assert run("decks", "lint", str(out))[0] == 0
    junk = tmp_path / "junk.apkg"
    junk.write_bytes(b"junk")
    assert "Cannot import: " in fails(capsys, "import", "anki", str(junk), "--deck", "j")


def test_db_backup(tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run("--db", str(db), "db", "backup")
    assert code == 0 and "Backed up 3 review(s)" in stdout
    (copy,) = (db.parent / "backups").iterdir()
    (tmp_path / "safe").mkdir()
    target = tmp_path / "safe" / "copy.db"
    assert run("--db", str(db), "db", "backup", str(target))[0] == 0
    for path in (copy, target):
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 3
        conn.close()
    assert "already exists" in fails(capsys, "--db", str(db), "db", "backup", str(target))
    assert "nothing to back up" in fails(capsys, "--db", str(tmp_path / "none.db"), "db", "backup")
    assert not (tmp_path / "none.db").exists()


def test_db_backup_into_a_missing_folder_is_refused(tmp_path: Path, db: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`db backup /nonexistent/dir/b.db` says so instead of creating folders the user did not ask for."""
    target = tmp_path / "nowhere" / "deeper" / "b.db"
    assert "does not exist" in fails(capsys, "--db", str(db), "db", "backup", str(target))
    assert not (tmp_path / "nowhere").exists()
