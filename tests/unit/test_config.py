from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzer.config import ConfigError, load_config
from quizzer.session import SessionConfig


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_config(tmp_path / "missing.toml") == SessionConfig(new_per_day=20, day_start_hour=4)


def test_file_then_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, "new_per_day = 35\nday_start_hour = 6\n")
    assert load_config(path) == SessionConfig(new_per_day=35, day_start_hour=6)
    assert load_config(path, new_per_day=5) == SessionConfig(new_per_day=5, day_start_hour=6)


def test_open_answers_defaults_to_typing_and_can_be_reveal(tmp_path: Path) -> None:
    assert load_config(tmp_path / "missing.toml").open_answers == "type"
    assert load_config(write(tmp_path, 'open_answers = "reveal"\n')).open_answers == "reveal"


@pytest.mark.parametrize(
    ("text", "message"),
    [("new_per_day = -1\n", "new_per_day must be a whole number from 0 to 1000"),
     ("day_start_hour = 24\n", "day_start_hour must be a whole number from 0 to 23"),
     ("day_start_hour = '4'\n", "got '4'"),
     ("new_cards = 10\n", "unknown setting 'new_cards'"),
     ("new_per_day = \n", "config.toml:"),
     ("open_answers = 'typed'\n", "open_answers must be 'type' or 'reveal'")],
)
def test_bad_settings_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert str(path) in caught.value.message


def test_cli_passes_settings_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quizzer.cli import cli
    from quizzer.tui import launch

    write(tmp_path, "new_per_day = 7\n")
    monkeypatch.setenv("QUIZZER_CONFIG", str(tmp_path / "config.toml"))
    seen = {}
    monkeypatch.setattr(launch, "run_app", lambda *args, **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(cli, ["--day-start-hour", "2", "drill", "evaluation-metrics"], catch_exceptions=False)
    assert result.exit_code == 0
    assert seen["config"] == SessionConfig(new_per_day=7, day_start_hour=2)


def test_cli_bad_settings_file_is_a_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, "new_per_day = 'lots'\n")
    result = subprocess.run([sys.executable, "-m", "quizzer", "decks", "list"], capture_output=True, text=True,
                            env={**os.environ, "QUIZZER_CONFIG": str(path)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "Settings error" in result.stderr and "new_per_day" in result.stderr
    assert "Traceback" not in result.stderr
