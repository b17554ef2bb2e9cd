"""``quizzer sync FOLDER [--json]`` and the ``sync_dir`` setting."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sync_support import START, answer

from quizzer.cli import cli, main
from quizzer.config import ConfigError, load_config, load_sync_dir
from quizzer.store import Store
from quizzer.sync import sync_configured


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sync_prints_what_it_did(tmp_path: Path) -> None:
    with Store(tmp_path / "one.db") as one:
        for minute in range(3):
            answer(one, f"c{minute}", 5, START + timedelta(minutes=minute))
    folder = tmp_path / "sync"
    code, out, _err = invoke("--db", str(tmp_path / "one.db"), "sync", str(folder))
    assert code == 0
    assert out.splitlines() == [
        f"Made {folder} a Quizzer sync folder.",
        "Sent 3 reviews; received 0 from 0 devices; 0 cards rescheduled.",
    ]
    code, out, _err = invoke("--db", str(tmp_path / "two.db"), "sync", str(folder), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["sent"], report["received"], report["rescheduled"], report["skipped"]) == (0, 3, 3, [])
    assert len(report["from_devices"]) == 1 and report["created"] is False


def test_a_refused_folder_is_an_error_message_not_a_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(tmp_path / "q.db"), "sync", str(folder)])
    assert exit_.value.code == 1
    assert "Sync error:" in capsys.readouterr().err


def test_sync_dir_setting(tmp_path: Path) -> None:
    settings = Path(os.environ["QUIZZER_CONFIG"])
    settings.parent.mkdir(parents=True, exist_ok=True)
    assert load_sync_dir() is None
    with Store(tmp_path / "q.db") as store:
        assert sync_configured(store) is None
        settings.write_text(f'new_per_day = 5\nsync_dir = "{tmp_path / "shared"}"\n', encoding="utf-8")
        assert load_config().new_per_day == 5  # the other settings still load beside it
        assert load_sync_dir() == tmp_path / "shared"
        answer(store, "a", 5, START)
        report = sync_configured(store)
        assert report is not None and report.sent == 1
    code, out, _err = invoke("--db", str(tmp_path / "q.db"), "sync")  # the folder from the setting
    assert code == 0 and out.startswith("Sent 0 reviews")
    settings.write_text("sync_dir = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sync_dir must be a folder path"):
        load_config()


def test_sync_without_a_folder_or_setting_says_how(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "q.db"), "sync"])
    assert "set sync_dir in the settings file" in capsys.readouterr().err
