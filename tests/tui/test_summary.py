"""The summary agrees with the database and the clock: tomorrow's count over every deck the user studies,
and the session's wall time beside the time spent answering."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import Static
from tui_support import CONFIG, NOW, NUMERIC_DECK, OPEN_DECK, SEED, TOPICS_DECK, AppFactory, Clock, deck

from quizzer.session import Session
from quizzer.store import Store
from quizzer.tui.screens.summary import summary_markup


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def summary_text(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#summary-text", Static).render())


async def test_wall_time_and_answer_time_are_both_reported(make_app: AppFactory) -> None:
    clock = Clock()
    app = make_app(OPEN_DECK, drill=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for thinking, reading, quality in ((20, 30, "5"), (10, 37, "4")):
            clock.now += timedelta(seconds=thinking)  # counted as answer time
            await pilot.press("space")
            clock.now += timedelta(seconds=reading)  # reading the back: the session's time, not the answer's
            await pilot.press(quality)
            await settle(pilot)
        text = summary_text(pilot)
        assert "1 min 37 s in all (30 s answering)" in text, text


async def test_tomorrow_counts_every_studied_deck_not_only_the_sessions(
    make_app: AppFactory, store: Store
) -> None:
    # Yesterday: the four topic cards answered well (due again soon); today a session over another deck.
    topics = deck(TOPICS_DECK)
    yesterday = NOW - timedelta(days=1)
    earlier = Session(store, [topics], now=yesterday, seed=SEED, config=CONFIG)
    while (item := earlier.next()) is not None:
        earlier.record(item, 5, now=yesterday, correct=True)
    due_tomorrow = sum(
        1
        for entry in store.card_states(["topics"]).values()
        if entry.state.due <= NOW.date() + timedelta(days=1)
    )
    assert due_tomorrow == 4
    app = make_app(TOPICS_DECK, NUMERIC_DECK, drill=["numbers"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"0.667", "enter", "enter")
        await settle(pilot)
        text = summary_text(pilot)
        # 4 topic cards + the numeric card just answered (due tomorrow): 5, read from the database.
        assert "Tomorrow   5 cards due in all your decks" in text, text


TWO_CV = """\
id: cv-a
title: CV A
cards:
  - {id: cv, kind: generated, generator: cv-scheme}
  - {id: cm, kind: generated, generator: confusion-matrix, params: {task: binary, metric: recall}}
"""


def test_missed_list_names_what_was_asked(store: Store) -> None:
    first = deck(TWO_CV)
    second = deck(TWO_CV.replace("id: cv-a", "id: cv-b").replace("title: CV A", "title: CV B"))
    session = Session(
        store,
        [first, second],
        now=NOW,
        seed=SEED,
        config=CONFIG,
        cards=[(first, first.card("cv")), (second, second.card("cv")), (first, first.card("cm"))],
    )
    for _ in range(3):
        item = session.next()
        assert item is not None
        session.record(item, 1, now=NOW, correct=False)
    text = str(summary_markup(session))
    missed = [line.strip() for line in text.splitlines() if line.strip().startswith("✗")]
    assert missed == [
        "✗ Choose the cross-validation scheme · cv-a",
        "✗ Choose the cross-validation scheme · cv-b",
        "✗ Metrics from a confusion matrix (task: binary, metric: recall)",
    ]
