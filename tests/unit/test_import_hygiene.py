"""The core never imports the UI, and start-up never waits for scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import pytest

UI_AND_SCIENCE = ("textual", "sklearn", "scipy")
# Exchange code also keeps its own helpers (genanki, Markdown rendering) until an export runs.
EXCHANGE = (*UI_AND_SCIENCE, "genanki", "markdown_it")

CORE = [
    "quizzer.sm2",
    "quizzer.answers",
    "quizzer.grading",
    "quizzer.keypoints",  # scikit-learn loads when a deck is first graded, not on import
    "quizzer.decks",
    "quizzer.decks.sources",
    "quizzer.store",
    "quizzer.session",
    "quizzer.stats",
    "quizzer.cli",
    "generators",
]
EXCHANGE_MODULES = [
    "quizzer.exchange.anki_export",
    "quizzer.exchange.anki_import",
    "quizzer.exchange.csv_import",
    "quizzer.exchange.review_log",
    "quizzer.exchange.deck_yaml",
    "quizzer.stats",
]


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [*((module, UI_AND_SCIENCE) for module in CORE), *((module, EXCHANGE) for module in EXCHANGE_MODULES)],
)
def test_core_module_imports_neither_the_ui_nor_heavy_libraries(module: str, forbidden: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}\n"
        f"bad = sorted(m for m in {forbidden!r} if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_loading_every_builtin_deck_does_not_import_sklearn() -> None:
    code = (
        "import sys\n"
        "from quizzer.decks.sources import load_all\n"
        "collection = load_all()\n"
        "assert collection.decks and not collection.issues, collection.issues\n"
        "assert 'sklearn' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_app_starts_without_heavy_modules() -> None:
    """The path to the first card imports neither numpy, scikit-learn, plotext, sqlite-utils, the statistics
    nor the key-point grader: those load when a problem, a plot, the Stats screen or a typed answer needs them."""
    code = (
        "import sys\n"
        "import quizzer.tui.launch, quizzer.tui.app\n"
        "heavy = ('numpy', 'sklearn', 'scipy', 'plotext', 'sqlite_utils', 'quizzer.stats', 'quizzer.keypoints')\n"
        "bad = sorted(m for m in heavy if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
