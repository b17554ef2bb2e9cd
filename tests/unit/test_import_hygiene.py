"""The core never imports the UI, and start-up never waits for scikit-learn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UI_AND_SCIENCE = ("textual", "sklearn", "scipy")
# Exchange code also keeps its own helpers (genanki, Markdown rendering) until an export runs.
EXCHANGE = (*UI_AND_SCIENCE, "genanki", "markdown_it")

CORE = [
    "quizzer.sm2",
    "quizzer.answers",
    "quizzer.grading",
    "quizzer.answers",  # the number parser's patterns: loaded with the graders, after the first card
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


# What the first card's screen must not wait for: the generators and graders (pydantic's plugin lookup
# through importlib.metadata, email, zipfile come with them), numpy, the YAML parser and the deck validators
# (pydantic: decks come from the cache on a second launch), the Markdown parser (a plain prompt) and the
# mock interview, and Home when the drill starts from the command line. Each loads when a problem, an answer,
# a Markdown prompt or explanation, or a round needs it.
NOT_BEFORE_FIRST_CARD = (
    "markdown_it",
    "pygments",
    "numpy",
    "sklearn",
    "scipy",
    "yaml",
    "pydantic",
    "quizzer.decks.schema",
    "generators",
    "generators.base",
    "quizzer.grading",
    "quizzer.keypoints",
    "quizzer.interview",
    "quizzer.stats",
    "quizzer.tui.screens.home",  # drilling straight into cards never shows Home
    "quizzer.tui.widgets.choice_list",  # a recall card shows no options
    "importlib.metadata",
    "email",
    "zipfile",
    "_hashlib",  # OpenSSL's libcrypto, ~4 MB and a few ms: the deck cache's one digest uses CPython's own SHA-1
)

FIRST_CARD_MODULES = """
import json, os, sys
from pathlib import Path
os.environ["QUIZZER_BENCH_FIRST_CARD_FILE"] = sys.argv[1]
from quizzer.tui.launch import run_app
from quizzer.tui.screens.drill import DrillScreen

shown = DrillScreen._first_card_shown

def record(screen, marker):
    Path(sys.argv[2]).write_text(json.dumps([screen.session.current.kind, sorted(sys.modules)]))
    shown(screen, marker)

DrillScreen._first_card_shown = record
run_app(Path(sys.argv[3]), [], drill=[sys.argv[4]], headless=True)
"""


def test_the_first_card_is_on_screen_before_the_graders_generators_and_numpy_load(tmp_path: Path) -> None:
    """A recall card with a plain prompt, second launch (decks from the cache): what is imported when the card
    is first painted. The graders and Markdown load in the background right after it, so an answer is still
    graded and explained at once."""
    deck = tmp_path / "first.yaml"
    deck.write_text(
        "id: first\ntitle: First\ncards:\n"
        "  - {id: c1, kind: open, front: 'What does SGD stand for?', back: Stochastic gradient descent.}\n"
    )
    env = {**os.environ, "QUIZZER_DATA_DIR": str(tmp_path / "data"), "QUIZZER_CACHE_DIR": str(tmp_path)}
    seen = tmp_path / "modules.json"
    command = [sys.executable, "-c", FIRST_CARD_MODULES, str(tmp_path / "marker"), str(seen)]
    for _ in range(2):  # the first launch parses the decks and fills the cache, as a user's first start does
        result = subprocess.run(
            [*command, str(tmp_path / "q.db"), str(deck)], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
    kind, modules = json.loads(seen.read_text())
    assert kind == "open"
    loaded = sorted(set(NOT_BEFORE_FIRST_CARD) & set(modules))
    assert not loaded, loaded
