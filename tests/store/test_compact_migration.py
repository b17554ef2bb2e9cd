"""Migration m006 (the compact review row) on a realistic database: every review kept with the same values,
and the log replays to the same card states before and after it.

The database before m006 holds the synthetic benchmark workload at small size (copied in with the text
kinds and hex device ids of the old row) plus reviews written the way the drill wrote them then: every
kind of card, a re-ask, an answer given with the clock put back, and one review received from another
device.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizzer.sm2 import SM2State, step
from quizzer.store import Store
from quizzer.store.migrations import (
    KIND_CODES,
    MIGRATIONS,
    insert_reviews,
    m006_compact_reviews,
    rebuild_review_classes,
    rebuild_tallies,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_support import per_deck_rows  # noqa: E402
from synthetic import build_database  # noqa: E402

PREVIOUS = MIGRATIONS.index(m006_compact_reviews)  # the schema version just before m006
TODAY = date(2026, 5, 4)
OTHER_DEVICE = "0123456789abcdef"
# What the old row stored, with the kind by name and the device by hex id: what m006 must keep.
OLD_ROW = (
    "id, card_key, reviewed_at, quality, answer, correct, response_ms, kind, seed, reask, study_day, ef_before, "
    "interval_before, reps_before, due_before, ef_after, interval_after, reps_after, due_after, device, seq, order_at"
)
NEW_ROW = OLD_ROW.replace(", kind,", ", (SELECT name FROM kinds WHERE code = kind),").replace(
    ", device,", ", (SELECT id FROM devices WHERE key = device),"
)


def replayed(conn: sqlite3.Connection, device: str) -> dict[int, SM2State]:
    """Every card's state from its log alone, in the replay order (log time, device hex id, sequence), as
    the drill schedules (re-asks leave the state as it was). ``device`` is the SQL naming the hex id."""
    states: dict[int, SM2State] = {}
    for key, quality, reask, day in conn.execute(
        f"SELECT card_key, quality, reask, study_day FROM reviews ORDER BY card_key, order_at, {device}, seq"
    ):
        state = states.get(key, SM2State())
        states[key] = state if reask else step(state, quality, date.fromordinal(day))
    return states


def drill_rows(conn: sqlite3.Connection) -> None:
    """Reviews as the drill wrote them at the old schema (the m005 trigger numbers each), then one from another
    device as a sync inserted it."""
    keys = [row[0] for row in conn.execute("SELECT key FROM cards ORDER BY key LIMIT 4")]
    state: dict[int, SM2State] = {}
    moment = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
    plan = [(kind, quality, False) for kind in KIND_CODES for quality in (5, 4, 2, 3)]
    plan += [("numeric", 4, True), ("generated", 1, False), ("custom-kind", 5, False), (None, 3, False)]
    for index, (kind, quality, reask) in enumerate(plan):
        key = keys[index % len(keys)]
        at = moment + timedelta(hours=9 * index)
        if index == 7:
            at -= timedelta(days=3)  # a clock put back: logged out of time order
        day = at.date()
        before = state.get(key, SM2State())
        after = before if reask else step(before, quality, day)
        state[key] = after
        conn.execute(
            """INSERT INTO reviews (card_key, reviewed_at, quality, answer, correct, response_ms, kind, seed, reask,
                   study_day, ef_before, interval_before, reps_before, due_before, ef_after, interval_after,
                   reps_after, due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                key,
                int(at.timestamp() * 1000),
                quality,
                "0.5" if kind == "numeric" else None,
                None if kind in ("open", None) else int(quality >= 3),
                1000 + index,
                kind,
                index if kind == "generated" else None,
                int(reask),
                day.toordinal(),
                round(before.easiness * 100),
                before.interval,
                before.repetitions,
                None if before.due is None else before.due.toordinal(),
                round(after.easiness * 100),
                after.interval,
                after.repetitions,
                after.due.toordinal(),
            ),
        )
    conn.execute("INSERT INTO devices (id, local) VALUES (?, 0)", (OTHER_DEVICE,))
    at = int(moment.timestamp() * 1000)
    conn.execute(
        """INSERT INTO reviews (card_key, reviewed_at, quality, kind, reask, study_day, ef_before, interval_before,
               reps_before, ef_after, interval_after, reps_after, due_after, device, seq, order_at)
           VALUES (?, ?, 4, 'choice', 0, ?, 250, 0, 0, 250, 1, 1, ?, ?, 1, ?)""",
        (keys[0], at, moment.date().toordinal(), moment.date().toordinal() + 1, OTHER_DEVICE, at),
    )


def make_previous(tmp_path: Path) -> Path:
    """A database at the schema just before m006 holding the synthetic workload and drill-written reviews."""
    synthetic = tmp_path / "synthetic.db"
    build_database(synthetic, TODAY, n_decks=3, cards_per_deck=20, n_reviews=3_000)
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:PREVIOUS]:
        migration(conn)
    conn.execute("ATTACH DATABASE ? AS synthetic", (str(synthetic),))
    conn.execute("DELETE FROM devices")  # the synthetic database's own device is this one
    conn.execute("INSERT INTO devices (id, local) SELECT id, local FROM synthetic.devices")
    conn.execute("INSERT INTO cards SELECT * FROM synthetic.cards ORDER BY key")
    source = NEW_ROW.replace("kinds", "synthetic.kinds").replace("devices", "synthetic.devices")
    conn.execute(f"INSERT INTO reviews ({OLD_ROW}) SELECT {source} FROM synthetic.reviews ORDER BY id")
    drill_rows(conn)
    conn.execute(f"PRAGMA user_version = {PREVIOUS}")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE synthetic")
    conn.close()
    return path


def tally_tables(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """The tallies, and each deck's days and classes (the tables before m012, summed from the log after)."""
    tables = ("review_days", "card_tallies")
    counts = {table: sorted(conn.execute(f"SELECT * FROM {table}")) for table in tables}
    return counts | {table: per_deck_rows(conn, table) for table in ("deck_review_days", "deck_review_classes")}


def test_m006_keeps_every_review_and_replays_to_the_same_states(tmp_path: Path) -> None:
    path = make_previous(tmp_path)
    conn = sqlite3.connect(path)
    old_rows = conn.execute(f"SELECT {OLD_ROW} FROM reviews ORDER BY id").fetchall()
    old_cards = conn.execute("SELECT * FROM cards ORDER BY key").fetchall()
    old_states = replayed(conn, "device")
    old_tallies = tally_tables(conn)
    local = conn.execute("SELECT id FROM devices WHERE local = 1").fetchone()[0]
    conn.close()
    kinds = {row[7] for row in old_rows}
    assert kinds == {*KIND_CODES, "custom-kind", None}
    assert len(old_rows) == 3_000 + 21

    with Store(path, backup_dir=tmp_path / "backups") as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.conn.execute(f"SELECT {NEW_ROW} FROM reviews ORDER BY id").fetchall() == old_rows
        assert store.conn.execute("SELECT * FROM cards ORDER BY key").fetchall() == old_cards
        assert store.device_id == local
        new_states = replayed(store.conn, "(SELECT id FROM devices WHERE key = device)")
        assert new_states == old_states
        assert tally_tables(store.conn) == old_tallies
        # The store's own replay gives the independent replay's states, and the tallies stand a rebuild.
        store.rebuild_states()
        assert {key: state.state for key, state in _by_key(store).items()} == new_states
        store.conn.execute("BEGIN")
        rebuild_tallies(store.conn)
        rebuild_review_classes(store.conn)
        assert tally_tables(store.conn) == old_tallies
        store.conn.execute("ROLLBACK")
        # Exports read the kind by name; this device's reviews store no device byte (its number is 1).
        exported = list(store.reviews())
        assert {row["kind"] for row in exported} == kinds
        assert store.conn.execute("SELECT key FROM devices WHERE local = 1").fetchone()[0] == 1
        # Raw SQL that still writes a kind by name gets it numbered.
        store.conn.execute(
            insert_reviews(["card_key", "reviewed_at", "quality", "kind", "study_day"]), (1, 0, 4, "open", 1)
        )
        assert store.conn.execute("SELECT kind FROM reviews ORDER BY id DESC LIMIT 1").fetchone()[0] == 0
    assert len(list((tmp_path / "backups").iterdir())) == 1


def _by_key(store: Store) -> dict[int, object]:
    keys = {
        (deck, card): key for key, deck, card in store.conn.execute("SELECT key, deck_id, card_id FROM cards")
    }
    return {keys[name]: state for name, state in store.card_states().items()}
