"""The cyclic garbage collector is paused for the app's start-up and runs again once the first screen is painted
(``quizzer.collector.pause`` / ``resume``; ``quizzer.tui.launch.run_app`` pauses it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_support import OPEN_DECK, AppFactory

from quizzer import collector
from quizzer.tui.launch import run_app
from quizzer.tui.screens.drill import FIRST_CARD_MARKER


@pytest.fixture
def restore_collector() -> Iterator[None]:
    yield
    gc.unfreeze()  # what a resume froze goes back to the collector's reach (the test process lives on)
    gc.enable()


def test_resume_freezes_what_start_up_built_and_turns_the_collector_back_on(restore_collector: None) -> None:
    collector.pause()
    assert not gc.isenabled()
    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() > frozen
    collector.resume()  # a second resume, or one without a pause, changes nothing
    assert gc.isenabled()


@pytest.mark.parametrize("drill", [True, False], ids=["drill", "home"])
async def test_the_first_screen_painted_resumes_a_paused_collector(
    make_app: AppFactory, drill: bool, restore_collector: None
) -> None:
    app = make_app(OPEN_DECK, drill=drill)
    collector.pause()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            if gc.isenabled():
                break
            await pilot.pause(0.02)
        assert gc.isenabled()


def test_run_app_leaves_the_collector_on_when_the_app_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_collector: None
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "recall.yaml").write_text(OPEN_DECK, encoding="utf-8")
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUIZZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(FIRST_CARD_MARKER, str(tmp_path / "first-card.txt"))  # the app leaves once its card shows
    run_app(tmp_path / "q.db", [decks], drill=[str(decks)], headless=True)
    assert (tmp_path / "first-card.txt").exists()
    assert gc.isenabled()
