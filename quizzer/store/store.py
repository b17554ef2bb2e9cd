"""The review log in SQLite: an append-only ``reviews`` table is the source of truth, and ``cards``
keeps each card's derived SM-2 state current (in the same transaction) so nothing is replayed on start.

Every answer is one ``BEGIN IMMEDIATE`` transaction that reads the card's state, schedules it and writes
it back (see :attr:`ReviewRecord.schedule`); WAL and a busy timeout let several terminals drill from one
database at once without losing each other's updates. Opening migrates under the same write lock, and
every commit first checks that the file at the path is still the one that was opened.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from quizzer.errors import StoreError
from quizzer.sm2 import NEW_NUMBERS, PASSING_QUALITY, SM2State, step_numbers
from quizzer.store.migrations import KIND_CODES, MIGRATIONS, REVIEW_VALUES, SCHEMA_VERSION, stored_review

if TYPE_CHECKING:
    import sqlite_utils

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
# A typed answer is logged up to this many characters (an interview answer is a few hundred): the log, and the
# sync segments that carry it between devices, stay bounded whatever is pasted into the answer line.
MAX_ANSWER_CHARS = 20_000
# SQL for the lowest review id of any study day on or after ``?1`` (an ordinal), so ``id >= (it)`` bounds a read
# of those days' reviews to a range of the log (m011's ``review_day_starts``); past the end when there are none.
FIRST_ID_FROM = (
    "SELECT COALESCE(MIN(first_id), (SELECT COALESCE(MAX(id), 0) + 1 FROM reviews)) "
    "FROM review_day_starts WHERE study_day >= ?1"
)
# One answer appended to the log, with this device's origin and its place in the replay order (see
# Store._append), from its values as the log is read (m013 stores some of them as differences).
_INSERT_REVIEW = "INSERT INTO reviews ({}) SELECT {} FROM devices d WHERE d.local = 1".format(
    *stored_review({
        **{name: f"?{number}" for number, name in enumerate(REVIEW_VALUES[:18], start=1)},  # card_key to due_after
        "device": "d.key",
        "seq": "(SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews WHERE device = d.key)",
        "order_at": "MAX(?2, COALESCE((SELECT MAX(order_at) + 1 FROM reviews WHERE card_key = ?1), ?2))",
    })
)
# A backup is written under this suffix and renamed when complete, so a crash never leaves a file that
# looks like a backup but is empty or half written.
PARTIAL_SUFFIX = ".partial"
# Joins card ids in one string per deck (:meth:`Store.deck_tallies`): the unit separator, never in a slug.
_SEPARATOR = "\x1f"
_SEPARATOR_SQL = "char(31)"
# The replay's rows (see Store.replay_cards_in_transaction): their card, their id.
_CARD_OF_ROW = itemgetter(0)
_ID_OF_ROW = itemgetter(6)
# A replay of at least one card in this many reads the whole log in table order rather than card by card.
_SCAN_SHARE = 3
_NO_CARD_ROW = (None, None, None, None, 0)  # a review whose card has no row (a bulk load)


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One answered card, as written to the log."""

    deck_id: str
    card_id: str
    reviewed_at: datetime  # timezone-aware
    study_day: date
    quality: int
    before: SM2State
    after: SM2State
    kind: str = "open"
    answer: str | None = None
    correct: bool | None = None
    response_ms: int | None = None
    seed: int | None = None
    reask: bool = False
    # When set, :meth:`Store.record` ignores ``before``/``after``: it reads ``before`` inside the write
    # transaction and stores ``after = schedule(before)``. A drill needs this; reading the state before
    # taking the lock let two terminals answering one card both start from the same old state, so the
    # second write silently undid the first.
    schedule: Callable[[SM2State], SM2State] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's current schedule plus a few counters, as kept in the ``cards`` table."""

    deck_id: str
    card_id: str
    state: SM2State
    first_day: date | None
    review_count: int
    lapses: int
    last_reviewed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeckTally:
    """One deck's card rows as :meth:`Store.deck_tallies` reads them."""

    rows: int  # card rows (cards answered at least once), of any card id
    scheduled: int  # rows with a schedule (a due day)
    due: int  # rows due on or before the day asked about
    ids: tuple[str, ...]  # the card ids of the rows


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _ordinal(day: date | None) -> int | None:
    return None if day is None else day.toordinal()


def _day(value: int | None) -> date | None:
    return None if value is None else date.fromordinal(value)


def _state(ef: int | None, interval: int | None, reps: int | None, due: int | None) -> SM2State:
    if ef is None:
        return SM2State()
    return SM2State(easiness=ef / 100, interval=interval or 0, repetitions=reps or 0, due=_day(due))


OPENING = "the database could not be opened"
RECORDING = "the last answer was not saved"


def _patiently(conn: sqlite3.Connection, statement: str) -> None:
    """Run ``statement``, retrying while the database is busy, for as long as the busy timeout allows.

    Switching a database to WAL needs a moment with no other connection in the middle of a write, and SQLite
    may report "database is locked" at once instead of calling the busy handler (seen when several processes
    open one old database together: one migrating, the others switching the journal mode).
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute(statement)
            return
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _friendly(error: sqlite3.Error, path: Path, failed: str = RECORDING) -> StoreError:
    """A message for a database error; ``failed`` says what did not happen (only a write of an answer
    loses an answer: ``stats`` or ``export`` failing to open the file must not say so)."""
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return StoreError(f"{path} is not a Quizzer database (or it is damaged). It was left untouched.")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path} is read-only: answers cannot be saved. Fix its permissions or use --db.")
    if "disk is full" in text or "disk I/O" in text:
        return StoreError(f"The disk holding {path} is full or failing: {failed}.")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path} is busy in another program for too long; try again.")
    return StoreError(f"{path}: {text}")


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into the (empty) file ``target``, flushed to disk."""
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    except sqlite3.Error as error:
        raise _friendly(error, target) from None
    finally:
        copy.close()


class Store:
    """The database: open (creating and migrating it), append reviews, read states and history."""

    def __init__(self, path: Path | str, *, backup_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backup_dir = backup_dir
        self._identity: tuple[int, int] | None = None
        self._writing = threading.RLock()
        # The thread inside :meth:`write` (its transaction), if any: a transaction open on the connection with
        # no writer is one a caller began itself, outside the store.
        self.writer: int | None = None
        self.conn = self._connect()
        try:
            self._migrate()
        except sqlite3.Error as error:
            self.conn.close()
            raise _friendly(error, self.path, OPENING) from None
        except StoreError:
            self.conn.close()
            raise

    # -- opening -----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if not path.exists():
                    # Created readable by the user only; SQLite gives -wal/-shm the same mode.
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as error:
                raise StoreError(f"Cannot create the database at {path}: {error.strerror}") from None
            if path.is_dir():
                raise StoreError(f"{path} is a folder, not a database file.")
            if not os.access(path, os.R_OK):
                raise StoreError(f"{path} cannot be read: check its permissions.")
            if not os.access(path, os.W_OK):
                raise StoreError(f"{path} is read-only: answers cannot be saved. Fix its permissions or use --db.")
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # reads the header: fails on junk
            if version > SCHEMA_VERSION:
                conn.close()
                raise StoreError(
                    f"{path} was written by a newer Quizzer (schema {version}, this one knows {SCHEMA_VERSION}). "
                    "Upgrade Quizzer; the database was left untouched."
                )
            _patiently(conn, "PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise _friendly(error, path, OPENING) from None
        if str(path) != ":memory:":
            # The file SQLite now has open (the header was read above): remembered so a commit can tell
            # when the path was deleted or replaced under us (see _check_same_file).
            info = os.stat(path)
            self._identity = (info.st_dev, info.st_ino)
        return conn

    def _check_same_file(self) -> None:
        """Raise if the path no longer names the file that was opened (deleted, moved, replaced by
        another file or a folder): SQLite would keep writing to the orphaned file and every answer
        acknowledged from then on would be lost with it."""
        if self._identity is None:
            return
        try:
            info = os.stat(self.path)
            current: tuple[int, int] | None = (info.st_dev, info.st_ino)
        except OSError:
            current = None
        if current != self._identity:
            raise StoreError(
                f"{self.path} was deleted or replaced while Quizzer had it open, so this answer was not saved. "
                "Restore the file or restart Quizzer."
            )

    def _migrate(self) -> None:
        if self.schema_version == SCHEMA_VERSION:
            return
        # Foreign keys off while migrating, as SQLite's procedure for rebuilding a table asks (m006 copies
        # ``reviews``): a review logged before its card row by a tool that bypassed them is kept as it was.
        # The pragma is a no-op inside a transaction, so it is set before and restored after.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            self._migrate_locked()
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _migrate_locked(self) -> None:
        # Take the write lock first and read the version again inside it: another process may have
        # migrated between our first look and the lock (it then holds the new schema and we do nothing).
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer Quizzer (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}). Upgrade Quizzer; the database was left untouched."
                )
            if version < SCHEMA_VERSION:
                if version > 0 and self.backup_dir is not None:
                    self._backup_before_migration(version)
                # One transaction for every step and the version bump: a crash leaves the old schema.
                for number in range(version, SCHEMA_VERSION):
                    MIGRATIONS[number](self.conn)
                    if number + 1 == 2 and version >= 1:
                        self._rebuild_states_in_transaction()
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._check_same_file()
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _backup_before_migration(self, version: int) -> Path:
        """Copy the database to a new, uniquely named file in ``backup_dir`` (caller holds the write lock).

        Half-written backups left by a process killed at this point are removed first: only a process
        holding the lock writes one, so any ``.partial`` file of this database is an orphan.
        """
        assert self.backup_dir is not None
        self.backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for orphan in self.backup_dir.glob(f"{self.path.stem}-schema*.db{PARTIAL_SUFFIX}"):
            orphan.unlink(missing_ok=True)
        stamp = f"{self.path.stem}-schema{version}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        number = 0
        while True:
            target = self.backup_dir / f"{stamp}{f'-{number}' if number else ''}.db"
            partial = target.with_name(target.name + PARTIAL_SUFFIX)
            if not target.exists():
                try:
                    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                    break
                except FileExistsError:
                    pass
            number += 1
        try:
            # Copied through a second connection: ours holds the write lock, and SQLite's backup from a
            # connection inside its own write transaction waits for itself. WAL lets that reader see the
            # last committed state, which nobody can change while we hold the lock.
            reader = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                _copy(reader, partial)
            finally:
                reader.close()
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target


    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, for table-level work (imported on first use: start-up
        does not pay for it)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @property
    def device_id(self) -> str:
        """This database's device id in synced review logs (random, created once by migration m005)."""
        return self.conn.execute("SELECT id FROM devices WHERE local = 1").fetchone()[0]

    def kind_code(self, kind: str | None) -> int | None:
        """The number the log stores for a card kind (see ``m006_compact_reviews``), numbering a kind it
        has not seen (inside the caller's transaction, if any). The built-in kinds' numbers are fixed; any
        other is looked up each time, since a number given in a transaction that is then rolled back is
        not one to remember."""
        if kind is None:
            return None
        code = KIND_CODES.get(kind)
        if code is None:
            self.conn.execute("INSERT OR IGNORE INTO kinds (name) VALUES (?)", (kind,))
            code = self.conn.execute("SELECT code FROM kinds WHERE name = ?", (kind,)).fetchone()[0]
        return code

    def new_device(self, old_from_seq: int | None = None) -> tuple[str, int]:
        """Give this database a new random device id for the reviews it logs from now on (a database file
        copied to another machine shares the first machine's id, and the two would number their reviews
        alike); returns the new id and how many reviews moved to it.

        Reviews keep their ids, except, with ``old_from_seq``, this device's reviews numbered from it on:
        they move to the new id, numbered 1, 2, … in their order (see :func:`quizzer.sync.sync`). Their
        cards are replayed, since the device id breaks ties in the replay order.
        """

        def change() -> tuple[str, int]:
            new = os.urandom(8).hex()
            old_key = self.conn.execute("SELECT key FROM devices WHERE local = 1").fetchone()[0]
            new_key = self.conn.execute("INSERT INTO devices (id, local) VALUES (?, 0)", (new,)).lastrowid
            self.conn.execute("UPDATE devices SET local = (key = ?)", (new_key,))
            if old_from_seq is None:
                return new, 0
            keys = {key for (key,) in self.conn.execute(
                "SELECT DISTINCT card_key FROM reviews WHERE device = ? AND seq >= ?", (old_key, old_from_seq)
            )}
            moved = self.conn.execute(
                "UPDATE reviews SET device = ?, seq = seq - ? + 1 WHERE device = ? AND seq >= ?",
                (new_key, old_from_seq, old_key, old_from_seq),
            ).rowcount
            self.replay_cards_in_transaction(keys)
            return new, moved

        return self.write(change)

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    def _card_key(self, deck_id: str, card_id: str) -> int:
        row = self.conn.execute(
            "SELECT key FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        ).fetchone()
        return row[0] if row else self._new_card(deck_id, card_id)

    def _new_card(self, deck_id: str, card_id: str) -> int:
        """Add the row of a card the database has no row for; returns its key."""
        cursor = self.conn.execute("INSERT INTO cards (deck_id, card_id) VALUES (?, ?)", (deck_id, card_id))
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def record(self, review: ReviewRecord) -> int:
        """Append one review and update the card's state, in one committed transaction; returns its row id.

        With ``review.schedule`` the states are read and computed under the write lock (a drill); without
        it the caller's ``before``/``after`` are written as given (tests, tools that replay a log).
        """
        return self.record_logged(review)[0]

    def record_logged(self, review: ReviewRecord) -> tuple[int, ReviewRecord]:
        """:meth:`record`, also returning the review as logged: with the states it was scheduled from and to."""

        def append() -> tuple[int, ReviewRecord]:
            if review.schedule is None:
                key = self._card_key(review.deck_id, review.card_id)
                return self._append(review, key), review
            row = self.conn.execute(
                "SELECT key, ef, interval, reps, due, first_day IS NULL FROM cards WHERE deck_id = ? AND card_id = ?",
                (review.deck_id, review.card_id),
            ).fetchone()
            if row is None:  # the card's first answer: no row yet
                row = (self._new_card(review.deck_id, review.card_id), None, None, None, None, True)
            before = _state(*row[1:5])
            written = replace(review, before=before, after=review.schedule(before), schedule=None)
            return self._append(written, row[0], first_answer=bool(row[5])), written

        return self.write(append)

    def write(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which writes through ``self.conn``) as one committed ``BEGIN IMMEDIATE`` transaction,
        with the same checks and messages as :meth:`record`; nothing of it is kept if it raises."""
        # One transaction at a time on this connection: the app also writes from worker threads (statistics
        # bringing their tallies up to date, a sync), and SQLite has no nested transactions. ``work`` that
        # writes again through here runs inside the transaction it is already in.
        with self._writing:
            if self.writer == threading.get_ident():
                return work()
            self.writer = threading.get_ident()
            try:
                return self._write(work)
            finally:
                self.writer = None

    def _write(self, work: Callable[[], T]) -> T:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                result = work()
                self._check_same_file()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None
        return result

    def _append(self, review: ReviewRecord, key: int, first_answer: bool | None = None) -> int:
        """Insert the review row and update the card row (inside the caller's transaction).

        ``first_answer`` says whether the card row has no ``first_day`` yet, when the caller has read it.
        """
        before, after = review.before, review.after
        reviewed_at = to_ms(review.reviewed_at)
        # The row's origin (this device's next number) and its place in the replay order are set here as
        # m005's ``reviews_number`` trigger would set them for a row without them (see there), in the insert
        # itself: the trigger's update rewrote the row and both index entries it had just written.
        cursor = self.conn.execute(
            _INSERT_REVIEW,
            (
                key, reviewed_at, review.quality, None if review.answer is None else review.answer[:MAX_ANSWER_CHARS],
                None if review.correct is None else int(review.correct), review.response_ms,
                self.kind_code(review.kind), review.seed, int(review.reask), review.study_day.toordinal(),
                round(before.easiness * 100), before.interval, before.repetitions, _ordinal(before.due),
                round(after.easiness * 100), after.interval, after.repetitions, _ordinal(after.due),
            ),
        )
        lapse = int(not review.reask and review.quality < 3 and before.repetitions > 0)
        self.conn.execute(
            """UPDATE cards SET ef = ?, interval = ?, reps = ?, due = ?, last_reviewed_at = ?,
                   review_count = review_count + 1, lapses = lapses + ?
               WHERE key = ?""",
            (
                round(after.easiness * 100), after.interval, after.repetitions, _ordinal(after.due),
                reviewed_at, lapse, key,
            ),
        )
        # Apart, and only where it is missing: a column in an UPDATE's SET list rewrites its index entry
        # even when the value stays, and ``cards_first_day`` (m010) need only change on a card's first answer.
        if first_answer is not False:
            self.conn.execute(
                "UPDATE cards SET first_day = ? WHERE key = ? AND first_day IS NULL",
                (review.study_day.toordinal(), key),
            )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def rebuild_states(self) -> None:
        """Recompute every card's derived state from the review log (the source of truth)."""
        self.write(self._rebuild_states_in_transaction)

    def _rebuild_states_in_transaction(self) -> None:
        self.replay_cards_in_transaction(None)

    def replay_cards_in_transaction(self, keys: set[int] | None, after_id: int | None = None) -> int:
        """Recompute the derived state of the cards ``keys`` (None: every card) from the log, inside the
        caller's transaction; returns how many of them changed schedule.

        Each card's log is replayed in the order ``(order_at, device, seq)`` (see
        :func:`quizzer.store.migrations.m005_review_origins`): the same on every device that holds the same
        reviews, and on one device the commit order, even when the clock or two terminals' clocks put the
        timestamps out of order. Before m005 (a migration in progress) it is the card's commit order.
        Rows written before schedules were logged (schema 1, no ``ef_after``) replay plain SM-2, as they
        were scheduled then; every later row replays :func:`quizzer.sm2.step`, as recorded.

        With ``after_id`` (a merge: the rows above it are the new ones), a card whose new rows all come after
        its other rows in the replay order is stepped on from the state its row holds, which is the replay of
        those other rows (every write keeps it so, see :meth:`record`): the same result as replaying its whole
        log, for the new rows' steps alone. A card with a new row among its old ones is replayed whole.
        """
        columns_present = {row[1] for row in self.conn.execute("PRAGMA table_xinfo(reviews)")}  # generated too
        order = "card_key, id"
        if "order_at" in columns_present:
            # Ties in time break on the device's hex id, the same on every device (its number in ``devices`` is
            # not): each number is mapped to its id's rank in a constant CASE, cheaper than a look-up per row.
            ranks = " ".join(
                f"WHEN {key} THEN {rank}"
                for rank, (key,) in enumerate(self.conn.execute("SELECT key FROM devices ORDER BY id"))
            )
            order = f"card_key, order_at, CASE device {ranks} END, seq" if ranks else "card_key, order_at, seq"
        select = (
            "card_key, reviewed_at, quality, reask, study_day, ef_after IS NOT NULL, id"
            if "ef_after" in columns_present
            else "card_key, reviewed_at, quality, 0, NULL, 0, id"
        )
        # A card whose log is empty (none in practice: reviews are never deleted) is new again. Every other
        # card gets all its derived columns from the loop below, so it needs no reset first (which would move
        # its entry in the ``cards_due`` index twice).
        reset = ("UPDATE cards SET ef = NULL, interval = NULL, reps = NULL, due = NULL, first_day = NULL, "
                 "last_reviewed_at = NULL, review_count = 0, lapses = 0 "
                 "WHERE NOT EXISTS (SELECT 1 FROM reviews WHERE card_key = cards.key)")
        stored = "SELECT key, ef, interval, reps, due, lapses FROM cards"
        if keys is None:
            old = {row[0]: row[1:] for row in self.conn.execute(stored)}
            rows = self.conn.execute(f"SELECT {select} FROM reviews ORDER BY {order}")
        else:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS replay_keys (key INTEGER PRIMARY KEY)")
            self.conn.execute("DELETE FROM replay_keys")
            # One JSON list read by SQLite: a merge replays tens of thousands of cards.
            self.conn.execute("INSERT INTO replay_keys (key) SELECT value FROM json_each(?)", (json.dumps(list(keys)),))
            old = {row[0]: row[1:] for row in self.conn.execute(f"{stored} WHERE key IN (SELECT key FROM replay_keys)")}
            reset += " AND key IN (SELECT key FROM replay_keys)"
            cards = self.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
            if len(keys) * _SCAN_SHARE >= cards:
                # Most cards (a merge of another device's log over the same decks): one pass over the table in
                # its order and a sort cost less than a jump into it for every row (0.5 s against 0.8 s for
                # 200,000 rows of 20,000 cards).
                source = "reviews NOT INDEXED WHERE card_key IN (SELECT key FROM replay_keys)"
            else:
                source = "replay_keys k CROSS JOIN reviews ON reviews.card_key = k.key"
            rows = self.conn.execute(f"SELECT {select} FROM {source} ORDER BY {order}")
        updates: list[tuple[Any, ...]] = []
        changed = 0
        for card, group in groupby(rows, _CARD_OF_ROW):
            log = list(group)
            start = 0
            ef, interval, reps, due, lapses = *NEW_NUMBERS, 0
            ef_old, interval_old, reps_old, due_old, lapses_old = old.get(card, _NO_CARD_ROW)
            if after_id is not None and ef_old is not None:
                # The replay starts at the first new row when no old row follows it, from the stored state.
                new = list(map(after_id.__lt__, map(_ID_OF_ROW, log)))
                first_new = new.index(True) if True in new else len(log)
                if first_new and False not in new[first_new:]:
                    start = first_new
                    ef, interval, reps, due, lapses = ef_old, interval_old or 0, reps_old or 0, due_old, lapses_old
            for _key, at, quality, reask, day, logged, _rid in islice(log, start, None):
                if reask:
                    continue
                if quality < PASSING_QUALITY and reps > 0:
                    lapses += 1
                today = day or from_ms(at).date().toordinal()
                ef, interval, reps, due = step_numbers(ef, interval, reps, due, quality, today, logged)
            changed += (ef_old, interval_old, reps_old, due_old) != (ef, interval, reps, due)
            head = log[0]
            first_day = head[4] or from_ms(head[1]).date().toordinal()
            updates.append((ef, interval, reps, due, first_day, log[-1][1], len(log), lapses, card))
        self.conn.executemany(
            "UPDATE cards SET ef = ?, interval = ?, reps = ?, due = ?, first_day = ?, last_reviewed_at = ?, "
            "review_count = ?, lapses = ? WHERE key = ?",
            updates,
        )
        self.conn.execute(reset)
        return changed

    # -- reading -----------------------------------------------------------------------------

    def card_states(self, deck_ids: list[str] | None = None) -> dict[tuple[str, str], CardState]:
        """Current state of every reviewed card (of the given decks)."""
        sql = ("SELECT deck_id, card_id, ef, interval, reps, due, first_day, review_count, lapses, "
               "last_reviewed_at FROM cards WHERE ef IS NOT NULL")
        args: list[Any] = []
        if deck_ids is not None:
            sql += f" AND deck_id IN ({', '.join('?' * len(deck_ids))})"
            args = list(deck_ids)
        result: dict[tuple[str, str], CardState] = {}
        for deck_id, card_id, ef, interval, reps, due, first, count, lapses, last in self.conn.execute(sql, args):
            result[(deck_id, card_id)] = CardState(
                deck_id, card_id, _state(ef, interval, reps, due), _day(first), count, lapses,
                None if last is None else from_ms(last),
            )
        return result

    def schedule_index(self, deck_ids: list[str]) -> dict[str, dict[str, int]]:
        """deck id -> {card id -> due ordinal} for every reviewed card of these decks.

        The light form of :meth:`card_states` for building queues and counts: plain ints, one query.
        """
        index: dict[str, dict[str, int]] = {deck_id: {} for deck_id in deck_ids}
        if not deck_ids:
            return index
        for deck_id, card_id, due in self.conn.execute(
            "SELECT deck_id, card_id, due FROM cards WHERE ef IS NOT NULL "
            "AND deck_id IN (SELECT value FROM json_each(?))",
            (json.dumps(deck_ids),),
        ):
            index[deck_id][card_id] = due
        return index

    def deck_tallies(self, deck_ids: list[str], day: date) -> dict[str, DeckTally]:
        """Per deck: its card rows, how many are scheduled, how many due on or before ``day``, and the ids
        of its card rows (every card ever answered, including cards the deck may no longer have).

        The counts are one grouped scan of the ``cards_due`` index alone (deck_id, due: no table row is
        read). "Scheduled" is ``due IS NOT NULL``: every write sets ``ef`` and ``due`` together and a
        rebuild clears them together, so it is the same as ``ef IS NOT NULL AND due IS NOT NULL``
        (:meth:`schedule_index` reads a due of None as new).

        The ids come from the ``UNIQUE (deck_id, card_id)`` index, one string per deck split in C, and are
        kept on this object per deck (as a tuple: the least memory) while the deck's row count is unchanged:
        card rows are only ever inserted (never deleted or renamed), so an unchanged count means unchanged
        ids. Ids holding the separator are left out; such an id is not a slug, so it is no card of any
        loaded deck.
        """
        tallies: dict[str, DeckTally] = {}
        if not deck_ids:
            return tallies
        wanted = json.dumps(deck_ids)
        rows = self.conn.execute(
            "SELECT deck_id, COUNT(*), COUNT(due), COALESCE(SUM(due <= ?), 0) FROM cards "
            "WHERE deck_id IN (SELECT value FROM json_each(?)) GROUP BY deck_id",
            (day.toordinal(), wanted),
        ).fetchall()
        cache: dict[str, tuple[int, tuple[str, ...]]] = self.__dict__.setdefault("_row_ids", {})
        changed = [deck_id for deck_id, count, *_ in rows if cache.get(deck_id, (-1,))[0] != count]
        if changed:
            counts = {deck_id: count for deck_id, count, *_ in rows}
            for deck_id, joined in self.conn.execute(
                f"SELECT deck_id, group_concat(card_id, {_SEPARATOR_SQL}) FROM cards "
                f"WHERE deck_id IN (SELECT value FROM json_each(?)) AND instr(card_id, {_SEPARATOR_SQL}) = 0 "
                "GROUP BY deck_id",
                (json.dumps(changed),),
            ):
                # Interned: a deck served from the cache holds the same strings, so they are not kept twice.
                cache[deck_id] = (counts[deck_id], tuple(map(sys.intern, joined.split(_SEPARATOR))))
        for deck_id, count, scheduled, due in rows:
            ids = cache[deck_id][1] if deck_id in cache else ()
            tallies[deck_id] = DeckTally(count, scheduled, due, ids)
        return tallies

    def scheduled_card_ids(self, deck_id: str) -> set[str]:
        """The ids of ``deck_id``'s card rows that have a schedule (a due day): the deck's cards that are not
        new. One deck's range of an index, for a queue that needs only the few decks its new cards come from
        (:meth:`deck_tallies` reads every deck's ids)."""
        rows = self.conn.execute("SELECT card_id FROM cards WHERE deck_id = ? AND due IS NOT NULL", (deck_id,))
        return {card_id for (card_id,) in rows}

    def unscheduled_ids(self, deck_ids: list[str]) -> dict[str, set[str]]:
        """deck id -> ids of its card rows without a schedule (read as new), from the ``cards_due`` index's
        NULL range: normally none."""
        found: dict[str, set[str]] = {}
        if deck_ids:
            for deck_id, card_id in self.conn.execute(
                "SELECT deck_id, card_id FROM cards WHERE deck_id IN (SELECT value FROM json_each(?)) AND due IS NULL",
                (json.dumps(deck_ids),),
            ):
                found.setdefault(deck_id, set()).add(card_id)
        return found

    def due_rows(self, deck_ids: list[str], day: date) -> list[tuple[str, str, int]]:
        """(deck id, card id, due ordinal) of every card row of these decks due on or before ``day`` (a range
        of the ``cards_due`` index per deck)."""
        if not deck_ids:
            return []
        return self.conn.execute(
            "SELECT deck_id, card_id, due FROM cards WHERE deck_id IN (SELECT value FROM json_each(?)) AND due <= ?",
            (json.dumps(deck_ids), day.toordinal()),
        ).fetchall()

    def state(self, deck_id: str, card_id: str) -> SM2State:
        row = self.conn.execute(
            "SELECT ef, interval, reps, due FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        ).fetchone()
        return SM2State() if row is None else _state(*row)

    def new_cards_introduced(self, day: date) -> int:
        """How many cards had their first review on study day ``day`` (for the daily new-card limit; indexed)."""
        return self.conn.execute("SELECT COUNT(*) FROM cards WHERE first_day = ?", (day.toordinal(),)).fetchone()[0]

    def latest_study_day(self) -> date | None:
        """The most recent study day this device logged (for the UI's clock-behind warning).

        Reviews synced from other devices are left out: their study days come from their own clocks, and
        a device whose clock runs ahead must not make this one look wrong.
        """
        # From the latest study day down, the first with a review of this device: each day's look-up reads
        # the log from the day's first id (m011), and stops at the first row it finds; one or a few rows.
        # "+r.device": not through ``reviews_origin``, which would walk every review of this device.
        row = self.conn.execute(
            """SELECT d.study_day FROM review_day_starts d
               WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.id >= d.first_id AND r.study_day = d.study_day
                             AND +r.device = (SELECT key FROM devices WHERE local = 1))
               ORDER BY d.study_day DESC LIMIT 1"""
        ).fetchone()
        return None if row is None else date.fromordinal(row[0])

    def reviews_on(self, day: date) -> int:
        """How many answers were logged on study day ``day`` (read from the day's first id on: m011)."""
        return self.conn.execute(
            f"SELECT COUNT(*) FROM reviews WHERE id >= ({FIRST_ID_FROM}) AND study_day = ?1", (day.toordinal(),)
        ).fetchone()[0]

    def total_reviews(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    def reviews(self, deck_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every review row, oldest first, as plain dicts with readable times and dates."""
        sql = """SELECT r.id, c.deck_id, c.card_id, r.reviewed_at, r.study_day, r.quality, r.answer, r.correct,
                        r.response_ms, k.name, r.seed, r.reask, r.ef_before, r.interval_before, r.reps_before,
                        r.due_before, r.ef_after, r.interval_after, r.reps_after, r.due_after
                 FROM reviews r JOIN cards c ON c.key = r.card_key LEFT JOIN kinds k ON k.code = r.kind"""
        args: tuple[Any, ...] = ()
        if deck_id is not None:
            sql += " WHERE c.deck_id = ?"
            args = (deck_id,)
        sql += " ORDER BY r.reviewed_at, r.id"
        for row in self.conn.execute(sql, args):
            (rid, deck, card, at, day, quality, answer, correct, ms, kind, seed, reask,
             efb, ivb, rpb, dub, efa, iva, rpa, dua) = row
            yield {
                "id": rid, "deck_id": deck, "card_id": card, "reviewed_at": from_ms(at).isoformat(),
                "study_day": None if day is None else date.fromordinal(day).isoformat(),
                "quality": quality, "answer": answer, "correct": None if correct is None else bool(correct),
                "response_ms": ms, "kind": kind, "seed": seed, "reask": bool(reask),
                "easiness_before": None if efb is None else efb / 100, "interval_before": ivb,
                "repetitions_before": rpb, "due_before": None if dub is None else date.fromordinal(dub).isoformat(),
                "easiness_after": None if efa is None else efa / 100, "interval_after": iva,
                "repetitions_after": rpa, "due_after": None if dua is None else date.fromordinal(dua).isoformat(),
            }

    # -- mock interviews (see quizzer.interview) ----------------------------------------------

    def start_interview(self, started_at: datetime, *, minutes: int, planned: int, seed: int | None,
                        deck_ids: list[str]) -> int:
        """Add a round (unfinished until :meth:`finish_interview`); returns its id."""
        return self.write(lambda: int(self.conn.execute(  # type: ignore[arg-type]
            "INSERT INTO interviews (started_at, minutes, planned, seed, decks) VALUES (?, ?, ?, ?, ?)",
            (to_ms(started_at), minutes, planned, seed, json.dumps(deck_ids)),
        ).lastrowid))

    def add_interview_answer(self, interview_id: int, answer: dict[str, Any], answered_at: datetime) -> None:
        """Store one answered question of round ``interview_id`` (``answer``: the keys of
        :meth:`quizzer.interview.InterviewAnswer.to_dict`)."""
        self.write(lambda: self.conn.execute(
            """INSERT OR REPLACE INTO interview_answers (interview_id, position, deck_id, card_id, lane, question,
                   answer, verdict, score, missed, seconds, target_seconds, quality, answered_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (interview_id, answer["position"], answer["deck_id"], answer["card_id"], answer["lane"],
             answer["question"], answer["answer"], answer["verdict"], answer["score"], json.dumps(answer["missed"]),
             answer["seconds"], answer["target_seconds"], answer["quality"], to_ms(answered_at)),
        ))

    def finish_interview(self, interview_id: int, finished_at: datetime) -> None:
        self.write(lambda: self.conn.execute(
            "UPDATE interviews SET finished_at = ? WHERE id = ?", (to_ms(finished_at), interview_id)
        ))

    def interviews(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored rounds, oldest first (the latest ``limit``), each with its answer count and mean score."""
        rows = self.conn.execute(
            """SELECT i.id, i.started_at, i.finished_at, i.minutes, i.planned, i.seed, i.decks,
                      COUNT(a.position), AVG(a.score), COALESCE(SUM(a.seconds > a.target_seconds), 0)
               FROM interviews i LEFT JOIN interview_answers a ON a.interview_id = i.id
               GROUP BY i.id ORDER BY i.started_at DESC, i.id DESC LIMIT ?""",
            (-1 if limit is None else limit,),
        ).fetchall()
        return [
            {"id": rid, "started_at": from_ms(started), "finished_at": None if done is None else from_ms(done),
             "minutes": minutes, "planned": planned, "seed": seed, "decks": json.loads(decks), "answered": answered,
             "score": score, "over_target": over}
            for rid, started, done, minutes, planned, seed, decks, answered, score, over in reversed(rows)
        ]

    def interview_answers(self, interview_id: int) -> list[dict[str, Any]]:
        """The answered questions of one round, in the order asked (keys as given to
        :meth:`add_interview_answer`, plus ``answered_at``)."""
        columns = ("position", "deck_id", "card_id", "lane", "question", "answer", "verdict", "score", "missed",
                   "seconds", "target_seconds", "quality", "answered_at")
        rows = self.conn.execute(
            f"SELECT {', '.join(columns)} FROM interview_answers WHERE interview_id = ? ORDER BY position",
            (interview_id,),
        )
        answers = [dict(zip(columns, row, strict=True)) for row in rows]
        for answer in answers:
            answer["missed"] = json.loads(answer["missed"])
            answer["answered_at"] = from_ms(answer["answered_at"])
        return answers

    # -- maintenance -------------------------------------------------------------------------

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database through SQLite's backup API, readable by the user only."""
        if target.exists():
            raise StoreError(f"{target} already exists; choose another path.")
        created = False
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            created = True
            copy = sqlite3.connect(str(target))
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
        except (sqlite3.Error, OSError) as error:
            if created:  # never leave a partial (or empty) copy that looks like a backup
                target.unlink(missing_ok=True)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            if "full" in reason.lower() or "I/O" in reason:
                reason = "the disk is full or failing"
            raise StoreError(f"Cannot write the backup {target}: {reason}. Nothing was backed up; "
                             f"{self.path} is unchanged.") from None
        return target
