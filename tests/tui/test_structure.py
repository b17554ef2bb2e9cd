"""No import circles: screens do not import the app that imports them; the deck cache and loader do not
import each other. Read from the source (any import, even one under TYPE_CHECKING, is a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    "screen", sorted(p.name for p in (ROOT / "quizzer/tui/screens").glob("*.py") if p.name != "__init__.py")
)
def test_screens_do_not_import_the_app(screen: str) -> None:
    assert "quizzer.tui.app" not in imported_modules(ROOT / "quizzer/tui/screens" / screen)


def test_deck_cache_does_not_import_the_loader() -> None:
    assert "quizzer.decks.loader" not in imported_modules(ROOT / "quizzer/decks/cache.py")
