"""Home's extras that come from workers or the log: readiness, the clock notice, and sync at session ends."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from tui_support import NOW, OPEN_DECK, TOPICS_DECK, AppFactory, Clock, record_history

import quizzer.readiness
import quizzer.sync
from quizzer.store import Store
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.stats import StatsScreen

SIZE = (80, 24)

INTERVIEW_DECK = """\
id: asked
title: Asked in interviews
cards:
  - id: bias
    front: What is bias?
    back: Error from wrong assumptions.
    tags: [interview]
  - id: variance
    front: What is variance?
    back: Error from sensitivity to the training sample.
    tags: [interview]
"""


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(pilot: Pilot, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def ready_cell(pilot: Pilot, deck_id: str) -> str:
    return str(pilot.app.screen.query_one("#decks", DataTable).get_row(deck_id)[-1])


async def test_readiness_column_fills_in_after_the_worker_and_the_table_does_not_wait(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_history(store)
    release = threading.Event()
    real_load = quizzer.readiness.load

    def slow_load(*args: Any, **kwargs: Any) -> quizzer.readiness.Readiness:
        assert release.wait(10)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(quizzer.readiness, "load", slow_load)
    app = make_app(TOPICS_DECK, INTERVIEW_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The table is there with its counts while readiness is still being computed.
        table = app.screen.query_one("#decks", DataTable)
        assert [str(cell) for cell in table.get_row("topics")[2:5]] == ["0", "0", "4"]
        assert ready_cell(pilot, "topics") == ""
        release.set()
        await settle(pilot)
        expected = real_load(store, [loaded.deck for loaded in app.collection.decks], NOW, tz=app.config.tz)
        topics = next(topic for topic in expected.decks if topic.name == "topics")
        assert topics.readiness is not None
        assert ready_cell(pilot, "topics") == f"{topics.readiness:.0%}"
        assert ready_cell(pilot, "asked") == "—"  # nothing studied: no figure, not 0%
        pick = shown(pilot, "#study-pick")
        assert pick.startswith("Study this week: Asked in interviews")
        assert "nothing studied yet" in pick


async def test_home_says_when_the_clock_is_behind_the_log(make_app: AppFactory, store: Store) -> None:
    record_history(store, end=NOW + timedelta(days=3))
    app = make_app(TOPICS_DECK, clock=Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notice = shown(pilot, "#home-notice")
        assert "Your clock says the study day is 2025-03-10" in notice
        assert "2025-03-13" in notice


async def test_no_notice_when_the_clock_is_right(make_app: AppFactory, store: Store) -> None:
    record_history(store)
    app = make_app(TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(pilot, "#home-notice") == ""


def use_sync_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Point the settings at ``folder`` and count the syncs (returning their results as text)."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'sync_dir = "{folder.as_posix()}"\n', encoding="utf-8")
    monkeypatch.setenv("QUIZZER_CONFIG", str(settings))
    calls: list[str] = []
    real = quizzer.sync.sync_configured

    def counted(store: Store, settings: Path | None = None) -> quizzer.sync.SyncReport | None:
        try:
            report = real(store, settings)
        except quizzer.sync.SyncError as error:
            calls.append(f"error: {error}")
            raise
        calls.append("none" if report is None else report.summary())
        return report

    monkeypatch.setattr(quizzer.sync, "sync_configured", counted)
    return calls


async def test_sync_runs_at_start_and_after_a_session_and_home_shows_the_report(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shared"
    calls = use_sync_folder(tmp_path, monkeypatch, folder)
    app = make_app(OPEN_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert calls == ["Sent 0 reviews; received 0 from 0 devices; 0 cards rescheduled."]
        assert "Synced: Sent 0 reviews" in shown(pilot, "#home-notice")
        assert not app._notifications  # on the notice line, not in a toast
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        await pilot.press("space", "5")
        await settle(pilot)
        await pilot.press("q", "enter")  # leave: the summary, then Home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(calls) == 2 and calls[1].startswith("Sent 1 review;")
        assert "Synced: Sent 1 review;" in shown(pilot, "#home-notice")
    assert any(folder.rglob("*")), "the answer was written to the sync folder"


async def test_a_failed_sync_is_a_notice_not_a_crash(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    calls = use_sync_folder(tmp_path, monkeypatch, not_a_folder)
    app = make_app(OPEN_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(calls) == 1 and calls[0].startswith("error:")
        assert "Sync failed:" in shown(pilot, "#home-notice")
        assert "is a file, not a folder" in shown(pilot, "#home-notice")
        assert isinstance(app.screen, HomeScreen)


async def test_stats_show_the_recall_models_calibration(make_app: AppFactory, store: Store) -> None:
    record_history(store, days=6)
    app = make_app(TOPICS_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        expected = quizzer.readiness.load(
            store, [loaded.deck for loaded in app.collection.decks], NOW, tz=UTC
        )
        used = [b for b in expected.calibration if b.count]
        assert used and expected.calibration_error is not None
        table = shown(pilot, "#calibration")
        assert f"expected calibration error {expected.calibration_error:.3f}" in table
        for b in used:
            assert f"{b.low:.1f}–{b.high:.1f}" in table
        assert sum(b.count for b in used) == expected.examples


async def test_a_drill_asked_for_during_a_sync_starts_when_the_sync_ends(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = use_sync_folder(tmp_path, monkeypatch, tmp_path / "shared")
    counted = quizzer.sync.sync_configured
    release = threading.Event()

    def slow(store: Store, settings: Path | None = None) -> quizzer.sync.SyncReport | None:
        assert release.wait(10)
        return counted(store, settings)

    monkeypatch.setattr(quizzer.sync, "sync_configured", slow)
    app = make_app(OPEN_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # the UI answers, the drill waits for the sync
        assert "Syncing with your other devices" in shown(pilot, "#home-notice")
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert len(calls) == 1
