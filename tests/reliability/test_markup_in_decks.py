"""Text from a deck is text, never Textual markup: a title like ``Broken [/] title`` must not crash a
screen, and ``[@click=app.quit]`` must show as written instead of becoming a clickable action.

Every screen is driven with Pilot over decks whose every field is markup-laden: Home, a drill of each
card kind with its feedback, the summary, statistics, help, and the preview of a path holding ``[/]``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Markdown, OptionList, Static

from quizzer.decks.loader import DeckCollection, DeckIssue, LoadedDeck, parse_deck
from quizzer.session import SessionConfig
from quizzer.store import Store
from quizzer.tui.app import PreviewApp, QuizzerApp
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.help import HelpScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.preview import PreviewScreen
from quizzer.tui.screens.stats import StatsScreen
from quizzer.tui.screens.summary import SummaryScreen

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
SIZE = (110, 40)
ACTION = "[@click=app.quit]Click me[/]"
TITLE = f"Broken [/] title {ACTION}"

HEAD = f"""\
title: "{TITLE}"
description: "[bold red]loud[/] [/] {ACTION}"
cards:
"""
OPEN = """\
  - id: open-card
    front: "Open front [/] [@click=app.quit]quit[/] [link=https://evil.example]x[/link]"
    back: "Back [/b] [red]not red[/red]"
"""
CHOICE = """\
  - id: choice-card
    kind: choice
    front: "Choice front [/]"
    options: ["[/]", "[@click=app.quit]quit[/]", "[b]bold", "plain"]
    answer: "[/]"
    explanation: "Because [/] and [@click=app.quit]q[/]"
    shuffle: false
"""
NUMERIC = """\
  - id: numeric-card
    kind: numeric
    front: "Numeric front [/]"
    answer: 2
    unit: "[/]m"
    explanation: "Two [/] metres [@click=app.quit]q[/]"
"""
GENERATED = """\
  - id: generated-card
    kind: generated
    front: "Generated front [/] [@click=app.quit]q[/]"
    generator: confusion-matrix
"""


def deck_text(deck_id: str, *cards: str) -> str:
    return f"id: {deck_id}\n" + HEAD + "".join(cards)


def run(app: QuizzerApp | PreviewApp, script: Callable[[Pilot], Awaitable[None]]) -> None:
    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await script(pilot)

    asyncio.run(drive())


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(pilot: Pilot) -> str:
    """The text on screen: Static/Label content (as rendered, so markup would be gone) and Markdown."""
    pieces = []
    for widget in pilot.app.screen.query("*"):
        if isinstance(widget, Markdown):
            pieces.append(widget.source)
        elif isinstance(widget, Static):
            pieces.append(str(widget.render()))
        elif isinstance(widget, OptionList):
            pieces += [str(widget.get_option_at_index(index).prompt) for index in range(widget.option_count)]
        elif isinstance(widget, DataTable):
            pieces += [str(cell) for row in range(widget.row_count) for cell in widget.get_row_at(row)]
    return "\n".join(pieces)


def make_app(tmp_path: Path, *texts: str, drill: bool = False) -> QuizzerApp:
    decks = [parse_deck(text, "<test>") for text in texts]
    collection = DeckCollection([LoadedDeck(deck, Path(f"decks/{deck.id}.yaml")) for deck in decks])
    store = Store(tmp_path / "q.db")
    clock = lambda: NOW  # noqa: E731 - a fixed clock
    return QuizzerApp(
        store, collection, drill=decks if drill else None, clock=clock, seed=7, config=SessionConfig(tz=UTC)
    )


def test_home_shows_markup_in_titles_as_text(tmp_path: Path) -> None:
    app = make_app(tmp_path, deck_text("markup", OPEN))

    async def script(pilot: Pilot) -> None:
        assert isinstance(app.screen, HomeScreen)
        text = shown(pilot)
        assert "Broken [/] title [@click=app.quit]Click me" in text  # the table cell, cut to width
        assert f"{TITLE}" in text and "[bold red]loud[/] [/]" in text  # the detail line
        await pilot.press("s")  # statistics name the deck too
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("d")  # switch to the highlighted deck's own figures
        await settle(pilot)
        assert "Broken [/] title" in shown(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)

    run(app, script)
    assert app.return_code in (None, 0)


def drill(tmp_path: Path, card: str, keys: list[str], expected: list[str], *, summary: bool = True) -> None:
    app = make_app(tmp_path, deck_text("markup", card), drill=True)

    async def script(pilot: Pilot) -> None:
        assert isinstance(app.screen, DrillScreen)
        assert "Broken [/] title" in shown(pilot)  # the status line
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        text = shown(pilot)
        for piece in expected:
            assert piece in text, (piece, text[:2000])
        if not summary:
            return
        await pilot.press("1")  # graded 1: missed (it would come back later in the session)
        await settle(pilot)
        for _ in range(3):  # leave: the summary
            if isinstance(app.screen, SummaryScreen):
                break
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, SummaryScreen), type(app.screen)
        assert "[/]" in shown(pilot)  # the missed card is named by its front

    run(app, script)
    assert app.return_code in (None, 0)


def test_drilling_an_open_card_with_markup(tmp_path: Path) -> None:
    drill(
        tmp_path, OPEN, ["space"], ["Open front [/] [@click=app.quit]quit[/]", "Back [/b] [red]not red[/red]"]
    )


def test_drilling_a_choice_card_with_markup(tmp_path: Path) -> None:
    drill(
        tmp_path,
        CHOICE,
        ["2"],
        ["[@click=app.quit]quit[/]", "[b]bold", "Because [/] and [@click=app.quit]q[/]"],
    )


def test_drilling_a_numeric_card_with_markup(tmp_path: Path) -> None:
    drill(tmp_path, NUMERIC, ["3", "enter"], ["Numeric front [/]", "Two [/] metres [@click=app.quit]q[/]"])


def test_drilling_a_generated_card_with_markup(tmp_path: Path) -> None:
    drill(tmp_path, GENERATED, [], ["Generated front [/] [@click=app.quit]q[/]"], summary=False)


def test_preview_of_a_path_holding_markup(tmp_path: Path) -> None:
    folder = tmp_path / "decks [/] [@click=app.quit]x[/]"  # "/" makes folders: the path still reads "[/]"
    (folder / "deck [").mkdir(parents=True)
    (folder / "broken [").mkdir()
    deck_file = folder / "deck [/].yaml"
    deck_file.write_text(deck_text("markup", OPEN, CHOICE), encoding="utf-8")
    (folder / "broken [/].yaml").write_text(f'id: broken\ntitle: "{TITLE}"\ncards: [\n', encoding="utf-8")
    app = PreviewApp(folder, clock=lambda: NOW, seed=7)

    async def script(pilot: Pilot) -> None:
        assert isinstance(app.screen, PreviewScreen)
        text = shown(pilot)
        assert "broken [/].yaml" in text  # the located error names the file as it is
        assert "Open front [/]" in text
        deck_file.write_text(f'id: markup\ntitle: "{TITLE}"\ncards: []\n', encoding="utf-8")
        (folder / "broken [/].yaml").unlink()
        await app.screen.check_file()
        await settle(pilot)
        assert "decks [/] [@click=app.quit]x[/]" in shown(pilot)  # "PATH · no cards to show"

    run(app, script)


def test_notices_show_a_hostile_file_name_as_text(tmp_path: Path) -> None:
    app = make_app(tmp_path, deck_text("markup", OPEN))
    name = "decks/evil\x1b]0;pwned\x07 [/] [@click=app.quit]x[/].yaml"
    app.collection.issues.append(DeckIssue(name, 1, 1, "YAML syntax: \x9b2J broken"))

    async def script(pilot: Pilot) -> None:
        messages = [notification.message for notification in app._notifications]
        assert any("evil␛]0;pwned␇ [/] [@click=app.quit]x[/].yaml" in message for message in messages)
        assert not any(ch in message for message in messages for ch in "\x1b\x07\x9b")

    run(app, script)


def test_a_statistics_error_quoting_markup_is_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("bad value [/] in \x1b[2J the log")

    monkeypatch.setattr("quizzer.tui.screens.stats.compute", broken)
    app = make_app(tmp_path, deck_text("markup", OPEN))

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("bad value [/] in ␛[2J the log" in message for message in messages), messages

    run(app, script)
