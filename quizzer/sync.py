"""Sync the review log between devices through a folder that any file-sync tool keeps in step.

The log is append-only and every card's state is derived from it, so the logs of several devices form a
grow-only set: syncing is their union plus a deterministic replay. Each device writes its new reviews as
a *segment*, ``FOLDER/<device id>/<first seq>-<last seq>.jsonl``, and never touches a segment again; it
reads every segment whose reviews it does not hold yet, inserts them by their id ``(device, seq)`` and
replays the log of each card they touch (see :meth:`quizzer.store.Store.replay_cards_in_transaction`).
There is no server, no lock on the folder and nothing to merge by hand: two devices that hold the same
reviews hold the same card states.

A segment is written under a hidden temporary name and renamed once complete, so a sync tool never
copies half of one from us. One still half copied *to* us (or edited by hand) fails the checks below; it
is reported, skipped, and read on a later sync once whole, since what is read is decided by which
reviews the database lacks, not by a list of files seen.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from quizzer.collector import collector_paused
from quizzer.errors import QuizzerError
from quizzer.files import FileTooLarge, open_regular, read_regular
from quizzer.store import Store
from quizzer.store.migrations import ADD_DAY_STARTS, stored_review
from quizzer.store.store import MAX_ANSWER_CHARS

MARKER = "quizzer-sync.json"
# The marker says two things in a line; one larger than this is not a marker (and is not read whole).
MARKER_BYTES = 1 << 16
FORMAT = "quizzer-sync"
# Version 2 writes each review as a JSON array in the order of the header's "columns" (version 1, still
# read, wrote an object per review: three times the bytes, and most of the time of reading a segment).
FORMAT_VERSION = 2
SEGMENT_NAME = re.compile(r"^(\d{12})-(\d{12})\.jsonl$")
DEVICE_NAME = re.compile(r"^[0-9a-f]{16}$")

# The review columns a segment carries, besides its ``seq`` and the card's ``deck_id`` / ``card_id``.
# Each: the types a value may have (None allowed where the column may be NULL).
_COLUMNS: dict[str, tuple[type, ...]] = {
    "reviewed_at": (int,),
    "order_at": (int,),
    "study_day": (int, type(None)),
    "quality": (int,),
    "answer": (str, type(None)),
    "correct": (bool, type(None)),
    "response_ms": (int, type(None)),
    "kind": (str, type(None)),
    "seed": (int, type(None)),
    "reask": (bool,),
    "ef_before": (int, type(None)),
    "interval_before": (int, type(None)),
    "reps_before": (int, type(None)),
    "due_before": (int, type(None)),
    "ef_after": (int, type(None)),
    "interval_after": (int, type(None)),
    "reps_after": (int, type(None)),
    "due_after": (int, type(None)),
}
_BOOLEANS = ("correct", "reask")
# The triggers a merge sets aside while it inserts: m005/m006's, for rows that arrive without a device or with
# a kind as text, which the merge's rows never do (each has its device, and its kind as a number); their
# checks alone cost a tenth of a second per hundred thousand rows. (The statistics tallies are kept by no
# trigger since m009: they count the merged rows when next read, see _receive.) m011's ``reviews_day_start`` is
# set aside too: the merge brings ``review_day_starts`` up to date in one statement (ADD_DAY_STARTS).
_IDLE_TRIGGERS = ("reviews_number", "reviews_kind", "reviews_day_start")
_FIELDS = {"seq", "deck_id", "card_id", *_COLUMNS}
# A review as read from a segment: its values in this order.
_NAMES = ("seq", "deck_id", "card_id", *_COLUMNS)
Review = Sequence[Any]
_SEQ, _DECK, _CARD, _REVIEWED_AT, _QUALITY, _KIND = (
    _NAMES.index(name) for name in ("seq", "deck_id", "card_id", "reviewed_at", "quality", "kind")
)
# The sqlite3 module binds an int, float, str or bytes value at once, but None or a bool only after looking
# for an adapter for it in vain, which raises and catches an AttributeError each time: a merge binds a few
# of them per review, and they cost more than all its other values together (0.15-0.2 s per hundred
# thousand reviews). A registered adapter is found at once; these two return what the module binds anyway
# (NULL for None, 1 / 0 for a bool, as the log stores them), so nothing changes for any connection in the
# process except the time.
sqlite3.register_adapter(type(None), lambda value: value)
sqlite3.register_adapter(bool, int)
# The number a device's hex id (bound as ``?``) has in this database's ``devices`` (see m006).
_DEVICE_KEY = "(SELECT key FROM devices WHERE id = ?)"
# Columns a segment carries by name where the log stores a number.
_SENT = {"kind": "(SELECT name FROM kinds WHERE code = r.kind)"}


class SyncError(QuizzerError):
    """The folder cannot be used (or written). ``report`` says what was done before it failed, if anything."""

    title = "Sync error"

    def __init__(self, message: str, report: SyncReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class BadSegment(ValueError):
    """A segment that is not (yet) a whole, well-formed one."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    folder: Path
    device: str
    sent: int = 0
    segment: Path | None = None  # the segment written, if any
    received: int = 0
    from_devices: set[str] = field(default_factory=set)
    rescheduled: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (segment, why)
    created: bool = False  # the folder was made a sync folder by this run
    previous_device: str | None = None  # the id this database had before --new-device gave it ``device``
    moved: int = 0  # reviews --new-device moved from the previous id to the new one (given since a copy)

    def summary(self) -> str:
        """One sentence: "Sent 42 reviews; received 17 from 2 devices; 9 cards rescheduled."."""
        devices = len(self.from_devices)
        return (
            f"Sent {self.sent} review{'s' * (self.sent != 1)}; received {self.received} from {devices} "
            f"device{'s' * (devices != 1)}; {self.rescheduled} card{'s' * (self.rescheduled != 1)} rescheduled."
        )

    def device_change(self) -> str | None:
        """What --new-device did, in one sentence; None when it was not asked for."""
        if self.previous_device is None:
            return None
        moved = (
            f" The {self.moved} review{'s' * (self.moved != 1)} this copy logged under the old id since it "
            f"was made {'were' if self.moved != 1 else 'was'} moved to the new one."
            if self.moved
            else ""
        )
        return f"This database now syncs as device {self.device} (was {self.previous_device}).{moved}"

    def warnings(self) -> list[str]:
        """One line per segment skipped this time."""
        return [f"Skipped {path}: {why}. It will be read once it is whole." for path, why in self.skipped]

    def as_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "device": self.device,
            "created": self.created,
            "sent": self.sent,
            "segment": None if self.segment is None else str(self.segment),
            "received": self.received,
            "from_devices": sorted(self.from_devices),
            "rescheduled": self.rescheduled,
            "skipped": [{"segment": str(path), "reason": why} for path, why in self.skipped],
            "previous_device": self.previous_device,
            "moved": self.moved,
        }


def sync(store: Store, folder: Path, *, new_device: bool = False) -> SyncReport:
    """Receive every review in ``folder`` this database lacks, then send the ones the folder lacks.

    Receiving comes first and is committed on its own: if the folder then cannot be written (a read-only
    share), what was received is kept, nothing local is lost, and the unsent reviews go on the next sync.
    The device's own segments are read too, so a database restored from an older backup gets back the
    reviews it had sent (and numbers new ones after them).

    ``new_device`` first gives this database a new device id (see :func:`_become_new_device`): for a
    database file copied from another machine, which shares that machine's id.
    """
    folder = Path(folder).expanduser()
    report = SyncReport(folder, store.device_id)
    report.created = _open_folder(folder)
    if new_device:
        _become_new_device(store, folder, report)
    # A larger page cache while merging: inserting many rows touches pages all over the log's indexes. And
    # the scratch tables (the incoming rows, the cards to replay) in memory: in a temporary
    # file they cost a second write and read of every incoming row. (Changing temp_store drops temporary
    # tables; the merge's own are made again as needed.)
    cache, temp_store = (
        store.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "temp_store")
    )
    store.conn.execute(f"PRAGMA cache_size = {-64 * 1024}")
    store.conn.execute("PRAGMA temp_store = MEMORY")
    try:
        with collector_paused():
            _receive(store, folder, report)
    finally:
        store.conn.execute(f"PRAGMA cache_size = {cache}")
        store.conn.execute(f"PRAGMA temp_store = {temp_store}")
    try:
        _send(store, folder, report)
    except OSError as error:
        received = f" The {report.received} reviews received were kept." if report.received else ""
        raise SyncError(
            f"Cannot write to {folder / report.device} ({error.strerror or error}): "
            f"your new reviews were not sent; they stay in the database and go with the next sync.{received}",
            report,
        ) from None
    return report


def sync_configured(store: Store, settings: Path | None = None) -> SyncReport | None:
    """Sync with the folder named by the ``sync_dir`` setting; None when it is not set (for the app, at the
    start and end of a session)."""
    from quizzer.config import load_sync_dir

    folder = load_sync_dir(settings)
    return None if folder is None else sync(store, folder)


# -- the folder ---------------------------------------------------------------------------------


def _open_folder(folder: Path) -> bool:
    """Check that ``folder`` is a Quizzer sync folder, making an empty (or missing) one into one; returns
    whether it was made one now. Hidden entries (``.git``, ``.stfolder``) do not count against empty."""
    marker = folder / MARKER
    if folder.exists() and not folder.is_dir():
        raise SyncError(f"{folder} is a file, not a folder.")
    if marker.is_file():
        try:
            data = json.loads(read_regular(marker, MARKER_BYTES))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise SyncError(
                f"{marker} cannot be read ({error}); it should say which sync format the folder holds."
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or not isinstance(data.get("version"), int)
        ):
            raise SyncError(f"{marker} is not a Quizzer sync marker; the folder was left untouched.")
        if data["version"] > FORMAT_VERSION:
            raise SyncError(
                f"{folder} holds sync format {data['version']}, newer than this Quizzer's "
                f"({FORMAT_VERSION}). Upgrade Quizzer; the folder was left untouched."
            )
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        visible = [entry.name for entry in folder.iterdir() if not entry.name.startswith(".")]
    except OSError as error:
        raise SyncError(f"Cannot use {folder} as a sync folder: {error.strerror or error}.") from None
    if visible:
        raise SyncError(
            f"{folder} is not a Quizzer sync folder (it has no {MARKER}) and is not empty, so it was left "
            "untouched. Give an empty folder (or one a sync tool already shares with your other devices)."
        )
    try:
        _write_atomically(marker, json.dumps({"format": FORMAT, "version": FORMAT_VERSION}) + "\n")
    except OSError as error:
        raise SyncError(f"Cannot make {folder} a sync folder: {error.strerror or error}.") from None
    return True


def _upgrade_marker(folder: Path) -> None:
    """Say in the folder's marker that it holds segments of this version, before writing the first: a
    Quizzer that cannot read them then refuses the folder and asks to be upgraded, instead of skipping them."""
    marker = folder / MARKER
    if json.loads(read_regular(marker, MARKER_BYTES)).get("version", 0) < FORMAT_VERSION:
        _write_atomically(marker, json.dumps({"format": FORMAT, "version": FORMAT_VERSION}) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` under a hidden temporary name in its folder, flush it to disk, then rename it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _segments(directory: Path) -> list[tuple[int, int, Path]]:
    """(first, last, path) of every file in ``directory`` named like a segment, in order."""
    found = []
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = SEGMENT_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), int(match[2]), entry))
    return sorted(found)


# -- receiving ----------------------------------------------------------------------------------


def _receive(store: Store, folder: Path, report: SyncReport) -> None:
    conn = store.conn
    try:
        devices = sorted(
            entry for entry in folder.iterdir() if entry.is_dir() and DEVICE_NAME.match(entry.name)
        )
    except OSError as error:
        raise SyncError(f"Cannot read {folder}: {error.strerror or error}.") from None
    wanted: list[tuple[str, Path, list[Review]]] = []
    for directory in devices:
        device = directory.name
        segments = _segments(directory)
        for first, last, path in segments:
            if first < 1 or last < first:
                report.skipped.append((path, "its name is not a valid range"))
                continue
            held = conn.execute(
                f"SELECT COUNT(*) FROM reviews WHERE device = {_DEVICE_KEY} AND seq BETWEEN ? AND ?",
                (device, first, last),
            ).fetchone()[0]
            if held == last - first + 1:
                # This device's latest segment is checked even when held, to catch a database file copied to
                # another machine: both copies number new reviews alike, and one's would shadow the other's.
                # Its first and last reviews suffice: where the copies diverge, a new segment begins.
                if device == report.device and path == segments[-1][2]:
                    _check_same_device(store, device, _edge_rows(path))
                continue
            try:
                rows = _read_segment(path, device, first, last)
            except BadSegment as error:
                report.skipped.append((path, str(error)))
                continue
            if held and _conflicts(store, device, rows):
                if device == report.device:
                    _check_same_device(store, device, rows)
                report.skipped.append((path, _shared_id(device)))
                continue
            wanted.append((device, path, rows))
    if not wanted:
        return

    def receive() -> int:
        # The _IDLE_TRIGGERS are set aside for the insert (inside this transaction, so a crash brings them
        # back); any other trigger on reviews keeps firing. The tallies count the new rows later.
        last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM reviews").fetchone()[0]
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews' AND name IN "
            f"({', '.join('?' * len(_IDLE_TRIGGERS))})",
            _IDLE_TRIGGERS,
        ).fetchall()
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        keys = _insert(store, wanted, report, last_id)
        conn.execute(ADD_DAY_STARTS, (last_id + 1,))
        for _name, sql in triggers:
            conn.execute(sql)
        # The statistics tallies count the new rows when they are next read, as they do a drill's answers
        # (m009): their ids are above the tallies' mark. The merge itself, on the way into a drill, does not wait.
        return store.replay_cards_in_transaction(keys, last_id)

    report.rescheduled = store.write(receive)
    report.from_devices.discard(store.device_id)


def _shared_id(device: str) -> str:
    return (
        f"it holds other reviews under ids this database already uses: two databases share the device id "
        f"{device} (was a database file copied between machines?)"
    )


def _check_same_device(store: Store, device: str, rows: list[Review]) -> None:
    """Refuse to sync when this device's own segment holds reviews other than this database's under its ids."""
    if _conflicts(store, device, rows):
        raise SyncError(
            f"{store.path} cannot sync: {_shared_id(device)} Nothing was synced, so nothing was lost or mixed "
            "up. Run `quizzer sync FOLDER --new-device` on this machine: it gives this database a device id of "
            "its own, keeps every review, and syncs the two copies' reviews with each other."
        )


def _become_new_device(store: Store, folder: Path, report: SyncReport) -> None:
    """Give this database a fresh device id for its future reviews (``--new-device``).

    Its reviews keep their ids, except those the folder contradicts: when the folder holds, under the old
    id, a review other than this database's with the same sequence number, the two copies parted at the
    first such number, and every review this database logged from there on is its own (the other copy
    sent everything up to its own divergence, or it would not contradict us): they move to the new id,
    numbered 1, 2, … in their order. Without a contradiction nothing moves, so running this right after
    copying the file keeps the shared history under one id, as the other copy will also send it.
    """
    old = report.device
    fork = None
    for first, last, path in _segments(folder / old):
        try:
            rows = _read_segment(path, old, first, last)
        except BadSegment:
            continue
        differing = _conflicting_seqs(store, old, rows)
        if differing:
            fork = min(differing)
            break
    report.previous_device = old
    report.device, report.moved = store.new_device(old_from_seq=fork)


def _edge_rows(path: Path, window: int = 1 << 16) -> list[Review]:
    """The first and last reviews of a segment, read from its two ends (those that cannot be read as reviews
    are left out): the check runs on every sync, and a first sync's segment can be tens of megabytes."""
    try:
        with open_regular(path) as handle:
            head = handle.read(window).split(b"\n")
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - window))
            tail = handle.read().rstrip(b"\n").split(b"\n")
    except OSError:
        return []
    rows: list[Review] = []
    for line in (head[1] if len(head) > 2 else b"", tail[-1] if len(tail) > 1 else b""):
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, list) and len(row) == len(_NAMES):
            rows.append(row)
        elif isinstance(row, dict) and row.keys() == _FIELDS:  # a version 1 segment
            rows.append(_VALUES(row))
    return rows


def _conflicts(store: Store, device: str, rows: list[Review]) -> bool:
    """Whether any of ``rows`` differs from the review this database holds under the same id."""
    return bool(_conflicting_seqs(store, device, rows))


def _conflicting_seqs(store: Store, device: str, rows: list[Review]) -> list[int]:
    """The sequence numbers of ``rows`` under which this database holds a different review."""
    held = {
        seq: rest
        for seq, *rest in store.conn.execute(
            "SELECT r.seq, c.deck_id, c.card_id, r.reviewed_at, r.quality FROM reviews r "
            f"JOIN cards c ON c.key = r.card_key WHERE r.device = {_DEVICE_KEY} "
            "AND r.seq IN (SELECT value FROM json_each(?))",
            (device, json.dumps([row[_SEQ] for row in rows])),
        )
    }
    return [
        row[_SEQ]
        for row in rows
        if row[_SEQ] in held and held[row[_SEQ]] != [row[_DECK], row[_CARD], row[_REVIEWED_AT], row[_QUALITY]]
    ]


def _insert(
    store: Store, wanted: list[tuple[str, Path, list[Review]]], report: SyncReport, last_id: int
) -> set[int]:
    """Insert the segments' reviews that are missing (inside the caller's transaction); returns the keys of
    the cards they belong to. A card row is created for a card this device has never seen (its deck may not
    be here yet), a device row for a device it has not heard of, a kind number for a kind it does not know.

    The rows go into a temporary table as they are, and from there into the log in one statement that looks
    up their numbers in SQL: a hundred thousand rows cost one pass of C, not a hundred thousand of Python.
    They are inserted in log time: the ids, which rank a card's answers of a day for the statistics, then
    follow it, and the study-day and origin indexes grow mostly at their ends (inserted card by card, the
    rows cost a few tenths of a second more per hundred thousand: two indexes out of three were then
    written all over). ``last_id`` is the log's highest id before: the new rows are those above it.
    """
    conn = store.conn
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS sync_incoming (device_key, {', '.join(_NAMES)})")
    conn.execute("DELETE FROM temp.sync_incoming")
    # Dicts as ordered sets: a new card (or kind) is numbered in the order the segments name it.
    cards: dict[tuple[str, str], None] = {}
    kinds: dict[str | None, None] = {}
    for device, _path, rows in wanted:
        conn.execute("INSERT OR IGNORE INTO devices (id, local) VALUES (?, 0)", (device,))
        device_key = conn.execute("SELECT key FROM devices WHERE id = ?", (device,)).fetchone()[0]
        conn.executemany(
            f"INSERT INTO temp.sync_incoming VALUES ({device_key}, {', '.join('?' * len(_NAMES))})", rows
        )
        # The cards and kinds named, gathered in C passes over the rows (a DISTINCT over the scratch table
        # sorts every row's ids to find the few thousand different ones).
        cards.update(dict.fromkeys(zip(map(_DECK_OF, rows), map(_CARD_OF, rows), strict=True)))
        kinds.update(dict.fromkeys(map(_KIND_OF, rows)))
    conn.executemany("INSERT OR IGNORE INTO cards (deck_id, card_id) VALUES (?, ?)", cards)
    conn.executemany(
        "INSERT OR IGNORE INTO kinds (name) VALUES (?)", [(kind,) for kind in kinds if kind is not None]
    )
    columns, values = stored_review(
        {"card_key": "c.key", "device": "i.device_key", "seq": "i.seq"}
        | {name: "k.code" if name == "kind" else f"i.{name}" for name in _COLUMNS}
    )
    conn.execute(
        f"""INSERT OR IGNORE INTO reviews ({columns})
            SELECT {values}
            FROM temp.sync_incoming i CROSS JOIN cards c ON c.deck_id = i.deck_id AND c.card_id = i.card_id
            LEFT JOIN kinds k ON k.name = i.kind
            ORDER BY i.order_at, i.device_key, i.seq"""
    )
    conn.execute("DELETE FROM temp.sync_incoming")
    for device, count in conn.execute(
        "SELECT d.id, COUNT(*) FROM reviews r JOIN devices d ON d.key = r.device WHERE r.id > ? GROUP BY d.id",
        (last_id,),
    ):
        report.received += count
        report.from_devices.add(device)
    return {key for (key,) in conn.execute("SELECT DISTINCT card_key FROM reviews WHERE id > ?", (last_id,))}


def _read_segment(path: Path, device: str, first: int, last: int) -> list[Review]:
    """The reviews of a whole, well-formed segment (of either version), each as its values in the order of
    ``_NAMES``; raises :class:`BadSegment` otherwise. A file larger than its reviews can be is refused before
    it is read (see :func:`_size_limit`)."""
    limit = _size_limit(last - first + 1)
    try:
        text = read_regular(path, limit).decode("utf-8")
    except FileTooLarge as error:
        raise BadSegment(
            f"too large: {error.size:,} bytes for {last - first + 1:,} reviews (at most {limit:,})"
        ) from None
    except UnicodeDecodeError:
        raise BadSegment("not UTF-8 text") from None
    except OSError as error:
        raise BadSegment(f"cannot be read: {error.strerror or error}") from None
    if not text.endswith("\n"):
        raise BadSegment("truncated: it does not end with a complete line")
    lines = text[:-1].split("\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise BadSegment("its first line is not a segment header") from None
    expected: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "device": device,
        "first": first,
        "last": last,
        "count": last - first + 1,
        "columns": list(_NAMES),
    }
    if isinstance(header, dict) and header.get("version") == 1:
        expected["version"] = 1
        del expected["columns"]
    if not isinstance(header, dict) or header != expected:
        raise BadSegment("its header does not match its name and folder")
    if len(lines) - 1 != last - first + 1:
        raise BadSegment(
            f"truncated or padded: {len(lines) - 1} reviews where the header says {last - first + 1}"
        )
    shape = "JSON object" if header["version"] == 1 else "JSON array"
    try:
        # One parse of the whole body, by orjson: a hundred thousand json.loads calls cost several times more.
        # (orjson is stricter than json: integers beyond 64 bits and lone surrogates, which the log could
        # not store anyway, make the segment malformed.)
        rows = orjson.loads("[" + ",".join(lines[1:]) + "]")
    except ValueError:
        for number, line in enumerate(lines[1:], start=2):
            try:
                orjson.loads(line)
            except ValueError:
                raise BadSegment(f"line {number} is not JSON") from None
        raise BadSegment(f"its lines are not one {shape} each") from None
    if len(rows) != last - first + 1:
        raise BadSegment(f"its lines are not one {shape} each")
    if (
        header["version"] == 1
        and set(map(type, rows)) == {dict}
        and all(row.keys() == _FIELDS for row in rows)
    ):
        rows = list(map(_VALUES, rows))
    if _rows_valid(rows, first):
        return rows
    for number, (row, seq) in enumerate(zip(rows, range(first, last + 1), strict=True), start=2):
        if isinstance(row, list) and header["version"] > 1:
            row = dict(zip(_NAMES, row, strict=False)) if len(row) == len(_NAMES) else None
        problem = _check_row(row, seq)
        if problem:
            raise BadSegment(f"line {number}: {problem}")
    return rows


# The most bytes a segment may take: its header, then per review a line with at most MAX_ANSWER_CHARS of answer
# (each character at most 6 bytes, escaped) and its other fields; and never more than SEGMENT_BYTES_CAP, however
# many reviews its name claims. A larger file is no segment Quizzer wrote (a hostile or damaged file): it is
# skipped without being read into memory.
_LINE_BYTES = 6 * MAX_ANSWER_CHARS + 4096
SEGMENT_BYTES_CAP = 1 << 30


def _size_limit(count: int) -> int:
    return min(SEGMENT_BYTES_CAP, 4096 + count * _LINE_BYTES)


# A version 1 review (an object) as its values in the order of _NAMES.
_VALUES = itemgetter(*_NAMES)


def _rows_valid(rows: list[Any], first: int) -> bool:
    """Whether every row holds values :func:`_check_row` accepts, checked in passes in C: each row's types
    as one tuple (the set of them is a handful), then a few columns' values, where checking row by row costs
    a second per hundred thousand reviews. When this says no, the rows are checked one by one to name the
    first bad line."""
    if not set(map(type, rows)) <= {list, tuple} or set(map(len, rows)) != {len(_NAMES)}:
        return False
    allowed = [(int,), (str,), (str,), *_COLUMNS.values()]
    for types in set(map(tuple, map(map, repeat(type), rows))):
        if any(kind not in accepted for kind, accepted in zip(types, allowed, strict=True)):
            return False
    if list(map(_SEQ_OF, rows)) != list(range(first, first + len(rows))):
        return False
    if "" in map(_DECK_OF, rows) or "" in map(_CARD_OF, rows):
        return False
    qualities = list(map(_QUALITY_OF, rows))
    return min(qualities) >= 0 and max(qualities) <= 5


_SEQ_OF, _DECK_OF, _CARD_OF, _QUALITY_OF, _KIND_OF = map(itemgetter, (_SEQ, _DECK, _CARD, _QUALITY, _KIND))


def _check_row(row: object, seq: int) -> str | None:
    """Why ``row`` (a review's fields by name; None for a version 2 line of the wrong shape) is not a valid
    review numbered ``seq``, or None."""
    if row is None:
        return "not a JSON array of the header's columns"
    if not isinstance(row, dict):
        return "not a JSON object"
    if row.keys() != _FIELDS:
        return "unexpected or missing fields"
    if row["seq"] != seq or type(row["seq"]) is not int:
        return f"sequence number {row['seq']!r} where {seq} was expected"
    for name in ("deck_id", "card_id"):
        if type(row[name]) is not str or not row[name]:
            return f"{name} must be a non-empty string"
    # Exact types (JSON gives int, str, bool or None; a bool is not accepted where an int is due).
    for name, types in _COLUMNS.items():
        if type(row[name]) not in types:
            return f"{name} has the wrong type"
    if not 0 <= row["quality"] <= 5:
        return "quality must be from 0 to 5"
    return None


# -- sending ------------------------------------------------------------------------------------


def _send(store: Store, folder: Path, report: SyncReport) -> None:
    """Write this device's reviews that no segment in ``folder`` holds yet as one new segment."""
    directory = folder / report.device
    sent_through = max((last for _first, last, _path in _segments(directory)), default=0)
    rows = store.conn.execute(
        f"""SELECT r.seq, c.deck_id, c.card_id, {", ".join(_SENT.get(name, f"r.{name}") for name in _COLUMNS)}
            FROM reviews r JOIN cards c ON c.key = r.card_key
            WHERE r.device = {_DEVICE_KEY} AND r.seq > ? ORDER BY r.seq""",
        (report.device, sent_through),
    ).fetchall()
    if not rows:
        return
    first, last = rows[0][0], rows[-1][0]
    if last - first + 1 != len(rows):
        raise SyncError(
            f"{store.path}: this device's reviews {first}-{last} are not numbered contiguously; "
            "the database was changed outside Quizzer. Nothing was sent.",
            report,
        )
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "device": report.device,
        "first": first,
        "last": last,
        "count": len(rows),
        "columns": list(_NAMES),
    }
    lines = [json.dumps(header)]
    booleans = [_NAMES.index(name) for name in _BOOLEANS]
    for row in rows:
        values = list(row)
        for index in booleans:
            if values[index] is not None:
                values[index] = bool(values[index])
        lines.append(json.dumps(values, ensure_ascii=False, separators=(",", ":")))
    _upgrade_marker(folder)
    directory.mkdir(exist_ok=True)
    target = directory / f"{first:012d}-{last:012d}.jsonl"
    _write_atomically(target, "\n".join(lines) + "\n")
    report.sent = len(rows)
    report.segment = target
