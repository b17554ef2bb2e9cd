"""The queue and the Home counts, read from the ``cards_due`` index and grouped SQL, agree with a
straightforward reading of the whole ``cards`` table on randomized databases.

The reference functions below are the plain definitions (every reviewed row into Python, one loop over
every card): what :func:`quizzer.session.build_queue` and :func:`quizzer.session.all_deck_counts` did
before they were made fast.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import date
from pathlib import Path

import pytest

from quizzer.decks import parse_deck
from quizzer.decks.model import AnyCard, Deck
from quizzer.session import NEW_KIND_ORDER, all_deck_counts, build_queue, interleave_new
from quizzer.store import Store

TODAY = date(2026, 5, 4)
KINDS = ("open", "choice", "numeric", "generated")


def _card(kind: str, card_id: str) -> str:
    if kind == "open":
        return f"  - {{id: {card_id}, front: q, back: a}}"
    if kind == "choice":
        return f"  - {{id: {card_id}, kind: choice, front: q, options: [x, y, z], answer: y}}"
    if kind == "numeric":
        return f"  - {{id: {card_id}, kind: numeric, front: q, answer: 2, tolerance: 0.5}}"
    return f"  - {{id: {card_id}, kind: generated, generator: confusion-matrix}}"


def random_decks(rng: random.Random) -> list[Deck]:
    decks = []
    for number in range(rng.randint(1, 6)):
        count = rng.randint(1, 25)
        kinds = rng.sample(KINDS, rng.randint(1, 4))  # some decks lack some kinds
        lines = "\n".join(_card(rng.choice(kinds), f"c{index}") for index in rng.sample(range(60), count))
        decks.append(parse_deck(f"id: d{number}\ntitle: D{number}\ncards:\n{lines}\n"))
    return decks


def fill(store: Store, decks: list[Deck], rng: random.Random, ids: list[str] | None = None) -> None:
    """Card rows as drills, syncs and edited decks leave them: reviewed (due in the past, today or later,
    with many ties), never reviewed, reviewed but without a due day, cards a deck no longer has, and decks
    that are not loaded; some first reviews today (the daily new-card allowance)."""
    rows = []
    for deck in [*decks, parse_deck("id: gone\ntitle: Gone\ncards:\n  - {id: c1, front: q, back: a}\n")]:
        wanted = ids or [card.id for card in deck.cards] + [
            f"old{index}" for index in range(rng.randint(0, 4))
        ]
        for card_id in wanted:
            roll = rng.random()
            if roll < 0.3:
                continue  # no row at all: new
            if roll < 0.35:
                rows.append((deck.id, card_id, None, None, None))  # a row without a schedule: new
            elif roll < 0.4:
                rows.append((deck.id, card_id, 250, None, None))  # easiness but no due day: read as new
            else:
                due = TODAY.toordinal() + rng.choice([-30, -3, -3, -1, 0, 0, 1, 5])
                first = TODAY.toordinal() if rng.random() < 0.2 else TODAY.toordinal() - 40
                rows.append((deck.id, card_id, 250, due, first))
    store.conn.executemany(
        "INSERT OR IGNORE INTO cards (deck_id, card_id, ef, interval, reps, due, first_day) VALUES (?, ?, ?, 1, 1, ?, ?)",
        rows,
    )


def reference_index(store: Store) -> dict[str, dict[str, int | None]]:
    index: dict[str, dict[str, int | None]] = {}
    for deck_id, card_id, due in store.conn.execute(
        "SELECT deck_id, card_id, due FROM cards WHERE ef IS NOT NULL"
    ):
        index.setdefault(deck_id, {})[card_id] = due
    return index


def reference_counts(store: Store, decks: list[Deck], today: date) -> dict[str, dict[str, int]]:
    index = reference_index(store)
    counts = {}
    for deck in decks:
        due = new = 0
        for card in deck.cards:
            when = index.get(deck.id, {}).get(card.id)
            if when is None:
                new += 1
            elif when <= today.toordinal():
                due += 1
        counts[deck.id] = {"due": due, "new": new, "total": len(deck.cards)}
    return counts


def reference_interleave(decks: list[Deck], fresh: list[list[AnyCard]]) -> list[tuple[Deck, AnyCard]]:
    def round_robin(lanes: list[deque]) -> list:
        merged = []
        while any(lanes):
            for lane in lanes:
                if lane:
                    merged.append(lane.popleft())
        return merged

    kinds = [*NEW_KIND_ORDER, *sorted({c.kind for cards in fresh for c in cards} - set(NEW_KIND_ORDER))]
    by_kind = [
        deque(
            round_robin(
                [
                    deque((d, c) for c in cards if c.kind == kind)
                    for d, cards in zip(decks, fresh, strict=True)
                ]
            )
        )
        for kind in kinds
    ]
    return round_robin(by_kind)


def reference_queue(
    store: Store, decks: list[Deck], today: date, new_per_day: int, limit: int | None
) -> list[tuple[Deck, AnyCard]]:
    index = reference_index(store)
    due, fresh = [], []
    for deck_index, deck in enumerate(decks):
        new = []
        for position, card in enumerate(deck.cards):
            when = index.get(deck.id, {}).get(card.id)
            if when is None:
                new.append(card)
            elif when <= today.toordinal():
                due.append((when, position, deck_index, deck, card))
        fresh.append(new)
    due.sort(key=lambda entry: entry[:3])
    queue = [(deck, card) for *_, deck, card in due]
    introduced = store.conn.execute(
        "SELECT COUNT(*) FROM cards WHERE first_day = ?", (today.toordinal(),)
    ).fetchone()[0]
    queue += reference_interleave(decks, fresh)[: max(0, new_per_day - introduced)]
    return queue[:limit] if limit is not None else queue


def keys(queue: list[tuple[Deck, AnyCard]]) -> list[tuple[str, str]]:
    return [(deck.id, card.id) for deck, card in queue]


@pytest.mark.parametrize("seed", range(40))
def test_fast_queue_and_counts_match_the_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    decks = random_decks(rng)
    with Store(tmp_path / "q.db") as store:
        fill(store, decks, rng)
        for today in (
            TODAY,
            date.fromordinal(TODAY.toordinal() - 4),
            date.fromordinal(TODAY.toordinal() + 3),
        ):
            assert all_deck_counts(store, decks, today) == reference_counts(store, decks, today)
            for new_per_day, limit in (
                (20, None),
                (rng.randint(0, 30), None),
                (20, rng.randint(0, 40)),
                (0, 3),
            ):
                assert keys(build_queue(store, decks, today, new_per_day, limit)) == keys(
                    reference_queue(store, decks, today, new_per_day, limit)
                ), (today, new_per_day, limit)
        # Rows added after a first read (answers in another terminal, a sync bringing cards an edited deck
        # dropped): the ids kept per deck between calls must notice.
        fill(store, [decks[0]], random.Random(seed + 1000), ids=[f"new{index}" for index in range(3)])
        fill(store, decks, random.Random(seed + 2000))
        assert all_deck_counts(store, decks, TODAY) == reference_counts(store, decks, TODAY)
        assert keys(build_queue(store, decks, TODAY, 20)) == keys(
            reference_queue(store, decks, TODAY, 20, None)
        )
        shuffled = rng.sample(decks, len(decks))  # the order of the decks breaks ties
        assert keys(build_queue(store, shuffled, TODAY, 20)) == keys(
            reference_queue(store, shuffled, TODAY, 20, None)
        )


def test_interleave_new_matches_the_reference() -> None:
    rng = random.Random(5)
    for _ in range(30):
        decks = random_decks(rng)
        fresh = [[card for card in deck.cards if rng.random() < 0.7] for deck in decks]
        assert keys(interleave_new(decks, fresh)) == keys(reference_interleave(decks, fresh))


def test_counts_and_queue_of_no_decks(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        assert all_deck_counts(store, [], TODAY) == {}
        assert build_queue(store, [], TODAY, 20) == []


def test_items_made_lazily_get_the_options_and_seeds_of_items_made_up_front(tmp_path: Path) -> None:
    """The session makes queue items as they are looked at; each must get the option order and problem
    seed it got when every item was made at the start (one seeded generator, in queue order); a re-ask
    draws from a generator of its own, so it changes none of them and needs none of them made."""
    from datetime import UTC, datetime

    from quizzer.session import Session, SessionConfig
    from quizzer.sm2 import SESSION_PASS_QUALITY

    rng = random.Random(11)
    lines = "\n".join(_card(rng.choice(["choice", "generated"]), f"c{index}") for index in range(40))
    deck = parse_deck(f"id: mix\ntitle: Mix\ncards:\n{lines}\n")
    now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    with Store(tmp_path / "q.db") as store:
        session = Session(store, [deck], now=now, seed=7, config=SessionConfig(new_per_day=100, tz=UTC))
        order = [(item.deck, item.card) for item in [session.next()]]  # only the first item is made
        first = session.current
        assert first is not None and first.kind == "generated"  # the second kind in turn, as the first lacks
        session.record(first, SESSION_PASS_QUALITY - 1, now=now)  # missed: a re-ask is made
        items = list(session.queue)

    reference = random.Random(7)

    def drawn(card: AnyCard) -> tuple[list[str], int | None]:
        if card.kind == "generated":
            return [], reference.randrange(2**31)
        options = list(getattr(card, "options", []))
        if card.kind == "choice" and card.shuffle:
            reference.shuffle(options)
        return options, None

    order += [(item.deck, item.card) for item in items if not item.reask]
    expected = [drawn(card) for _, card in order]
    got = [(first.options, first.seed)] + [(item.options, item.seed) for item in items if not item.reask]
    assert got == expected
    (reask,) = [item for item in items if item.reask]
    reference = random.Random("7:re-ask")
    assert (reask.options, reask.seed) == drawn(reask.card)
    assert items.index(reask) == 4  # REASK_GAP items later
