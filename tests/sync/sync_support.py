"""Helpers for the sync tests: databases that answer cards the way the drill does."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizzer.session import study_day
from quizzer.sm2 import SM2State, step
from quizzer.store import ReviewRecord, Store
from quizzer.store.migrations import (
    catch_up_tallies,
    class_sums,
    day_sums,
    rebuild_review_classes,
    rebuild_tallies,
)
from quizzer.sync import sync

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
TALLY_TABLES = ("review_days", "deck_review_days", "card_tallies", "deck_review_classes", "review_classes")
# The per-deck tables m012 dropped, and the sums one deck's statistics read from the log in their place.
PER_DECK_SUMS = {"deck_review_days": day_sums, "deck_review_classes": class_sums}


def per_deck_rows(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    """The rows of a per-deck tally table, ``(deck_id, study_day, *counts)``: the table where it exists (a
    schema before m012), else each deck's sums from the log, which the statistics read for one deck now."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
        return sorted(conn.execute(f"SELECT * FROM {table}"))
    decks = [deck for (deck,) in conn.execute("SELECT DISTINCT deck_id FROM cards")]
    sums = PER_DECK_SUMS[table]("c.deck_id = ?")
    return sorted((deck, *row) for deck in decks for row in conn.execute(sums, (deck,)))


def answer(
    store: Store,
    card: str,
    quality: int,
    now: datetime,
    *,
    deck: str = "deck",
    reask: bool = False,
    offset: timedelta = timedelta(0),
    text: str | None = None,
    kind: str = "open",
    correct: bool | None = None,
    response_ms: int | None = 3000,
) -> None:
    """Record one answer (typed ``text``, if any) as the drill does (state read under the write lock), on a
    clock ``offset`` off."""
    moment = now + offset
    day: date = study_day(moment, 4, UTC)

    def schedule(before: SM2State) -> SM2State:
        return before if reask else step(before, quality, day)

    store.record(
        ReviewRecord(
            deck,
            card,
            moment,
            day,
            quality,
            SM2State(),
            SM2State(),
            kind=kind,
            answer=text,
            correct=correct,
            response_ms=response_ms,
            reask=reask,
            schedule=schedule,
        )
    )


def snapshot(store: Store) -> dict[tuple[str, str], tuple[object, ...]]:
    """Each card's derived state and counters, as compared across devices."""
    return {
        key: (s.state, s.first_day, s.review_count, s.lapses, s.last_reviewed_at)
        for key, s in store.card_states().items()
    }


def origins(store: Store) -> set[tuple[str, int]]:
    return set(store.conn.execute("SELECT d.id, r.seq FROM reviews r JOIN devices d ON d.key = r.device"))


def caught_up(conn: sqlite3.Connection) -> None:
    """Bring the tallies up to date with the answers logged since they were last read, as the statistics do
    before reading them (m009): inside the transaction open on ``conn``, if any, else in one of its own."""
    if conn.in_transaction:
        catch_up_tallies(conn)
        return
    conn.execute("BEGIN IMMEDIATE")
    catch_up_tallies(conn)
    conn.execute("COMMIT")


def pending(store: Store) -> int:
    """How many reviews the tallies have not counted yet (answers since they were last read, m009)."""
    return store.conn.execute("SELECT (SELECT COALESCE(MAX(id), 0) FROM reviews) - through FROM tally_mark").fetchone()[0]


def tallies(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """The statistics tally tables as the statistics read them (brought up to date with the answers logged
    since they were last read), with card keys replaced by (deck, card) so devices can be compared."""
    caught_up(store.conn)
    result = {}
    for table in TALLY_TABLES:
        if table == "card_tallies":
            sql = (
                "SELECT c.deck_id, c.card_id, t.first_asks, t.passed, t.timed, t.answer_ms "
                "FROM card_tallies t JOIN cards c ON c.key = t.card_key"
            )
        elif table in PER_DECK_SUMS:
            result[table] = per_deck_rows(store.conn, table)
            continue
        else:
            sql = f"SELECT * FROM {table}"
        result[table] = sorted(store.conn.execute(sql))
    return result


def rebuilt_tallies(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """The tallies recomputed from the log (rolled back afterwards)."""
    store.conn.execute("BEGIN")
    try:
        rebuild_tallies(store.conn)
        rebuild_review_classes(store.conn)
        return tallies(store)
    finally:
        store.conn.execute("ROLLBACK")


def expected_states(stores: list[Store]) -> dict[tuple[str, str], SM2State]:
    """Every card's state computed independently: the union of the logs, each card's reviews in the
    order (log time, device, sequence), stepped with SM-2 as the drill does."""
    rows = set()
    for store in stores:
        rows |= set(
            store.conn.execute(
                "SELECT c.deck_id, c.card_id, r.order_at, d.id, r.seq, r.quality, r.reask, r.study_day "
                "FROM reviews r JOIN cards c ON c.key = r.card_key JOIN devices d ON d.key = r.device"
            )
        )
    states: dict[tuple[str, str], SM2State] = {}
    for deck, card, _at, _device, _seq, quality, reask, day in sorted(rows):
        state = states.get((deck, card), SM2State())
        states[(deck, card)] = state if reask else step(state, quality, date.fromordinal(day))
    return states


def sync_in_order(stores: list[Store], folder: Path, order: list[int]) -> None:
    for index in order:
        sync(stores[index], folder)
