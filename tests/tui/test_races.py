"""Keys pressed faster than workers end: the screen must show exactly the card it says it shows."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.containers import Vertical
from tui_support import NOW, SEED, AppFactory, Clock

from quizzer.session import QueueItem, Session
from quizzer.store import Store
from quizzer.tui.app import PreviewApp
from quizzer.tui.screens.preview import PreviewScreen
from quizzer.tui.widgets.card_panel import CardPanel

# Card 2 is generated, card 3 numeric: the order of deck 05 that showed the bug.
DECK = """\
id: mixed
title: Mixed
cards:
  - id: first
    front: An open card.
    back: Its answer.
  - id: gen
    kind: generated
    generator: confusion-matrix
    params: {task: binary, metric: recall}
  - id: cat-recall
    kind: numeric
    front: Three real cats, two found. What is the recall?
    answer: 0.667
"""


@pytest.fixture
def held_problems(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Problems are made only once the test releases them, so it decides when the worker ends."""
    real = Session.prepare
    release = threading.Event()

    def prepare(item: QueueItem) -> object:
        release.wait(10)
        return real(item)

    monkeypatch.setattr(Session, "prepare", staticmethod(prepare))
    return release


async def type_fast(app: App[None], *keys: str, gap: float = 0.02) -> None:
    """Press keys as a fast typist does: every ``gap`` seconds, none waiting for the previous one's effect."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))
        await asyncio.sleep(gap)


def body_cards(screen: PreviewScreen) -> list[str]:
    return [panel.item.card.id for panel in screen.query_one("#body", Vertical).query(CardPanel)]


async def test_problem_finishing_during_navigation_is_dropped(
    tmp_path: Path, held_problems: threading.Event
) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PreviewScreen)
        await pilot.press("pagedown")  # card 2: its problem is being made (held)
        await pilot.pause()
        generated = screen.item
        assert generated is not None and generated.card.id == "gen"
        held_problems.set()
        await app.workers.wait_for_complete()
        # The worker's message is handled exactly while the user's second PgDn is swapping the body.
        await asyncio.gather(
            screen.action_move(1), screen.problem_ready(PreviewScreen.ProblemReady(generated))
        )
        await pilot.pause()
        assert body_cards(screen) == ["cat-recall"]
        # The typed answer goes into card 3's box and is graded.
        await pilot.press(*"0.667", "enter")
        await pilot.pause()
        assert "Right" in str(screen.query_one(".verdict").render())


async def test_fast_paging_in_preview_leaves_one_card(tmp_path: Path, held_problems: threading.Event) -> None:
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    held_problems.set()
    app = PreviewApp(deck_file, clock=Clock(NOW), seed=SEED)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PreviewScreen)
        await type_fast(app, "pagedown", "pagedown", *"0.667")
        for _ in range(5):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert body_cards(screen) == ["cat-recall"]
        await pilot.press("enter")
        await pilot.pause()
        assert "Right" in str(screen.query_one(".verdict").render())


TWO_NUMBERS = """\
id: numbers
title: Two numbers
cards:
  - id: half
    kind: numeric
    front: One half, to 1 decimal?
    answer: 0.5
  - id: quarter
    kind: numeric
    front: One quarter, to 2 decimals?
    answer: 0.25
"""


async def test_answer_typed_while_the_next_card_appears_is_kept(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store.record_logged

    def slow_record(record: object) -> object:
        time.sleep(0.15)  # a slow disk: the commit takes longer than the typist's next keys
        return real(record)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "record_logged", slow_record)
    app = make_app(TWO_NUMBERS, drill=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Enter accepts the grade of card 1; the next answer is typed before card 2 is on screen.
        await type_fast(app, *"0.5", "enter", "enter", *"0.25", "enter", gap=0.01)
        for _ in range(5):
            await pilot.pause(0.05)
        panel = app.screen.query_one(CardPanel)
        assert panel.item.card.id == "quarter"
        assert panel.shown == ["0.25"]
        assert "Right" in str(panel.query_one(".verdict").render())
    # The Enter accepted card 1's proposed grade: the "0" of the next answer did not grade it 0.
    [first] = list(store.reviews())
    assert (first["answer"], first["correct"]) == ("0.5", True) and first["quality"] >= 3
