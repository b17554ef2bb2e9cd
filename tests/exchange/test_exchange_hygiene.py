"""Exchange modules stay out of the UI and load their heavy helpers only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ["quizzer.exchange.anki_export", "quizzer.exchange.anki_import", "quizzer.exchange.csv_import",
           "quizzer.exchange.review_log", "quizzer.exchange.deck_yaml", "quizzer.stats"]


@pytest.mark.parametrize("module", MODULES)
def test_imports_neither_ui_nor_heavy_libraries(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in ('textual', 'sklearn', 'scipy', 'genanki', 'markdown_it') if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
