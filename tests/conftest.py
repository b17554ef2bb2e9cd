from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data or cache folders."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("QUIZZER_CACHE_DIR", str(base / "cache"))
    monkeypatch.delenv("QUIZZER_DB", raising=False)
    monkeypatch.setenv("QUIZZER_CONFIG", str(base / "config" / "config.toml"))  # no user settings leak in
    os.environ.setdefault("NO_COLOR", "1")
