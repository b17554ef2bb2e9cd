"""Quizzer writes only under the user's data and cache folders (or paths given), and never uses the network."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner


def test_writes_only_in_data_and_cache_dirs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZZER_", "XDG_"))}
    env["HOME"] = str(home)
    for args in (["decks", "list"], ["stats", "--json"], ["generate", "confusion-matrix", "--seed", "1"],
                 ["decks", "lint"]):
        result = subprocess.run([sys.executable, "-m", "quizzer", *args], cwd=work, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert list(work.iterdir()) == []
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written, "the database should have been created"
    allowed = (home / ".local" / "share" / "quizzer", home / ".cache" / "quizzer")
    assert all(any(p.is_relative_to(base) for base in allowed) for p in written), written
    db = home / ".local" / "share" / "quizzer" / "quizzer.db"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) & 0o077 == 0


def test_no_network_access(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Quizzer tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from generators import get, names
    from quizzer.cli import cli

    for name in names():
        get(name).generate(1)
    runner = CliRunner()
    db = str(tmp_path / "q.db")
    for args in (["--db", db, "decks", "list", "--json"], ["--db", db, "stats", "--json"], ["decks", "lint"]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
