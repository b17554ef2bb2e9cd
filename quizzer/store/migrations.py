"""Schema migrations, in order. The database's ``PRAGMA user_version`` says how many have run.

Each migration runs in one transaction with the version bump, so a crash leaves the old schema intact.
A backup is taken before migrating a database that already holds reviews (see ``Store``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable

from quizzer.sm2 import PASSING_QUALITY

Migration = Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction (executescript would commit)."""
    statement = ""
    for line in script.splitlines():
        statement += line.split("--", 1)[0] + "\n"
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def m001_initial(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE cards (
            key INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            UNIQUE (deck_id, card_id)
        );
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_key INTEGER NOT NULL REFERENCES cards(key),
            reviewed_at INTEGER NOT NULL,      -- UTC, milliseconds since the epoch
            quality INTEGER NOT NULL,
            answer TEXT,
            correct INTEGER,                   -- 1/0 for auto-graded kinds, NULL when self-graded
            response_ms INTEGER
        );
        CREATE INDEX reviews_card ON reviews (card_key, reviewed_at);
        """
    )


def m002_schedule_columns(conn: sqlite3.Connection) -> None:
    """Scheduler state before/after each review, the seed of generated cards, and the derived state."""
    _run(
        conn,
        """
        ALTER TABLE reviews ADD COLUMN kind TEXT;
        ALTER TABLE reviews ADD COLUMN seed INTEGER;
        ALTER TABLE reviews ADD COLUMN reask INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reviews ADD COLUMN study_day INTEGER;   -- proleptic ordinal of the local study day
        ALTER TABLE reviews ADD COLUMN ef_before INTEGER;   -- easiness in hundredths
        ALTER TABLE reviews ADD COLUMN interval_before INTEGER;
        ALTER TABLE reviews ADD COLUMN reps_before INTEGER;
        ALTER TABLE reviews ADD COLUMN due_before INTEGER;  -- ordinal, NULL for a new card
        ALTER TABLE reviews ADD COLUMN ef_after INTEGER;
        ALTER TABLE reviews ADD COLUMN interval_after INTEGER;
        ALTER TABLE reviews ADD COLUMN reps_after INTEGER;
        ALTER TABLE reviews ADD COLUMN due_after INTEGER;

        ALTER TABLE cards ADD COLUMN ef INTEGER;
        ALTER TABLE cards ADD COLUMN interval INTEGER;
        ALTER TABLE cards ADD COLUMN reps INTEGER;
        ALTER TABLE cards ADD COLUMN due INTEGER;
        ALTER TABLE cards ADD COLUMN first_day INTEGER;      -- study day of the first review
        ALTER TABLE cards ADD COLUMN last_reviewed_at INTEGER;
        ALTER TABLE cards ADD COLUMN review_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cards ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX cards_due ON cards (deck_id, due);
        CREATE INDEX reviews_day ON reviews (study_day);
        """
    )


# Answer times above this count as this much in time spent (a walk-away is not study time).
MAX_ANSWER_MS = 300_000
# Cards whose interval was at least this many days when reviewed are "mature" (Anki's threshold).
MATURE_DAYS = 21
# 1970-01-01 as a proleptic ordinal: the UTC study day of rows logged before ``study_day`` existed.
_EPOCH_ORDINAL = 719_163

_DAY_COLUMNS = ("reviews", "reasks", "passed", "graded", "correct", "quality_passed", "timed", "answer_ms",
                "young", "young_passed", "mature", "mature_passed")
_CARD_COLUMNS = ("first_asks", "passed", "timed", "answer_ms")


# The m003 day columns (_DAY_COLUMNS) summed over rows that name reask, correct, quality, response_ms, pass (the
# first ask passed), ivl (the interval before) and counted (first answer of the day to a seen card).
_DAY_SUMS = f"""COUNT(*), SUM(reask), SUM(reask = 0 AND pass), SUM(correct IS NOT NULL),
               SUM(COALESCE(correct = 1, 0)), SUM(quality >= 3), COUNT(response_ms),
               COALESCE(SUM(MIN(response_ms, {MAX_ANSWER_MS})), 0),
               SUM(counted AND ivl < {MATURE_DAYS}), SUM(counted AND ivl < {MATURE_DAYS} AND quality >= 3),
               SUM(counted AND ivl >= {MATURE_DAYS}), SUM(counted AND ivl >= {MATURE_DAYS} AND quality >= 3)"""


def _add_on_conflict(key: str, columns: tuple[str, ...]) -> str:
    updates = ", ".join(f"{column} = {column} + excluded.{column}" for column in columns)
    return f"ON CONFLICT ({key}) DO UPDATE SET {updates}"


def _day_rows(where: str, source: str, first: str | None = None) -> str:
    """SELECT of the reviews matching ``where`` (over ``source``, which names ``reviews r`` and ``cards c``) with
    what :data:`_DAY_SUMS` sums: pass, the interval before (ivl), the study day, and whether the review counts for
    retention (see :func:`_tally_from_log`; ``first`` as there)."""
    if first is None:
        first = "ROW_NUMBER() OVER (PARTITION BY r.card_key, r.study_day, r.reask ORDER BY r.id) = 1"
    return f"""
            SELECT r.reask, r.correct, r.quality, r.response_ms, c.deck_id,
                   COALESCE(r.correct, r.quality >= 3) AS pass, COALESCE(r.interval_before, 0) AS ivl,
                   COALESCE(r.study_day, r.reviewed_at / 86400000 + {_EPOCH_ORDINAL}) AS day,
                   r.reask = 0 AND r.due_before IS NOT NULL AND {first} AS counted
            FROM {source}
            WHERE {where}"""


def _tally_from_log(
    where: str,
    source: str = "reviews r JOIN cards c ON c.key = r.card_key",
    *,
    fresh: bool = False,
    first: str | None = None,
    per_deck: bool = True,
) -> str:
    """Statements adding the reviews matching ``where`` (over ``reviews r``) to the three tally tables (two
    without ``per_deck``: m012 dropped ``deck_review_days``);
    ``fresh`` when they start empty, so the all-decks days can be summed from the per-deck ones. (Many rows
    added to tables that are not empty: :func:`_tally_new_rows`.)

    A review counts for retention when it is the first non-re-ask answer to an already-seen card on
    its study day (in log order); it is young or mature by the interval the card had before it. Which
    answer is first is ranked among the rows matching ``where``, unless ``first`` is SQL that tells it for
    ``r`` (adding new reviews: the earlier ones, which rank them, are not added again).
    """
    rows = _day_rows(where, source, first)
    columns = ", ".join(_DAY_COLUMNS)
    summed = f"""SELECT study_day, {", ".join(f"SUM({column})" for column in _DAY_COLUMNS)}
                 FROM {{}} WHERE true GROUP BY study_day"""
    by_deck = f"SELECT deck_id, day, {_DAY_SUMS} FROM ({rows}) WHERE true GROUP BY deck_id, day"
    if fresh and per_deck:
        all_days = summed.format("deck_review_days")
    else:
        all_days = f"SELECT day, {_DAY_SUMS} FROM ({rows}) WHERE true GROUP BY day"
    deck_days = f"""
        INSERT INTO deck_review_days (deck_id, study_day, {columns})
        {by_deck}
        {_add_on_conflict("deck_id, study_day", _DAY_COLUMNS)};""" if per_deck else ""
    return f"""{deck_days}
        INSERT INTO review_days (study_day, {columns})
        {all_days}
        {_add_on_conflict("study_day", _DAY_COLUMNS)};
        INSERT INTO card_tallies (card_key, {", ".join(_CARD_COLUMNS)})
        SELECT r.card_key, SUM(r.reask = 0), SUM(r.reask = 0 AND COALESCE(r.correct, r.quality >= 3)),
               COUNT(r.response_ms), COALESCE(SUM(MIN(r.response_ms, {MAX_ANSWER_MS})), 0)
        FROM {source}
        WHERE {where}
        GROUP BY r.card_key
        {_add_on_conflict("card_key", _CARD_COLUMNS)};
    """


def _day_table(name: str, key: str, primary_key: str) -> str:
    return f"""
        CREATE TABLE {name} (
            {key},
            reviews INTEGER NOT NULL DEFAULT 0,        -- every answer, re-asks included
            reasks INTEGER NOT NULL DEFAULT 0,
            passed INTEGER NOT NULL DEFAULT 0,         -- first asks passed: correct, or quality >= 3 if self-graded
            graded INTEGER NOT NULL DEFAULT 0,         -- auto-graded answers (correct is 1 or 0)
            correct INTEGER NOT NULL DEFAULT 0,
            quality_passed INTEGER NOT NULL DEFAULT 0, -- answers with quality >= 3
            timed INTEGER NOT NULL DEFAULT 0,          -- answers with a response time
            answer_ms INTEGER NOT NULL DEFAULT 0,      -- their sum, each capped at MAX_ANSWER_MS
            young INTEGER NOT NULL DEFAULT 0,          -- true retention (see _tally_from_log)
            young_passed INTEGER NOT NULL DEFAULT 0,
            mature INTEGER NOT NULL DEFAULT 0,
            mature_passed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY ({primary_key})
        ) WITHOUT ROWID;
    """


# The review's own answers of the same card and study day before it: "first of the day" when there are none.
# Answers on one study day lie within 48 hours of each other whatever the time zone, which keeps this lookup
# to a few rows of the (card_key, reviewed_at) index (m003; m006 bounds ``order_at`` instead, see there).
_EARLIER_SAME_DAY = (
    "SELECT 1 FROM reviews p WHERE p.card_key = NEW.card_key "
    "AND p.reviewed_at BETWEEN NEW.reviewed_at - 172800000 AND NEW.reviewed_at + 172800000 "
    "AND p.study_day = NEW.study_day AND p.reask = 0 AND p.id < NEW.id"
)


def _tally_triggers(earlier_same_day: str) -> str:
    """The triggers that keep m003's tally tables: one per review inserted, one per card row that arrives
    after its reviews."""
    first_of_day = f"NEW.reask = 0 AND NEW.due_before IS NOT NULL AND NOT EXISTS ({earlier_same_day})"
    one_review = f"""1, NEW.reask, NEW.reask = 0 AND COALESCE(NEW.correct, NEW.quality >= 3),
                   NEW.correct IS NOT NULL, COALESCE(NEW.correct = 1, 0), NEW.quality >= 3,
                   NEW.response_ms IS NOT NULL, COALESCE(MIN(NEW.response_ms, {MAX_ANSWER_MS}), 0),
                   f.counted AND f.ivl < {MATURE_DAYS}, f.counted AND f.ivl < {MATURE_DAYS} AND NEW.quality >= 3,
                   f.counted AND f.ivl >= {MATURE_DAYS}, f.counted AND f.ivl >= {MATURE_DAYS} AND NEW.quality >= 3"""
    flags = f"(SELECT {first_of_day} AS counted, COALESCE(NEW.interval_before, 0) AS ivl) f"
    day = f"COALESCE(NEW.study_day, NEW.reviewed_at / 86400000 + {_EPOCH_ORDINAL})"
    return f"""
        CREATE TRIGGER reviews_tally AFTER INSERT ON reviews
        WHEN EXISTS (SELECT 1 FROM cards WHERE key = NEW.card_key)
        BEGIN
            INSERT INTO deck_review_days (deck_id, study_day, {", ".join(_DAY_COLUMNS)})
            SELECT c.deck_id, {day}, {one_review}
            FROM cards c, {flags}
            WHERE c.key = NEW.card_key
            {_add_on_conflict("deck_id, study_day", _DAY_COLUMNS)};
            INSERT INTO review_days (study_day, {", ".join(_DAY_COLUMNS)})
            SELECT {day}, {one_review}
            FROM {flags}
            WHERE true
            {_add_on_conflict("study_day", _DAY_COLUMNS)};
            INSERT INTO card_tallies (card_key, {", ".join(_CARD_COLUMNS)})
            SELECT NEW.card_key, NEW.reask = 0, NEW.reask = 0 AND COALESCE(NEW.correct, NEW.quality >= 3),
                   NEW.response_ms IS NOT NULL, COALESCE(MIN(NEW.response_ms, {MAX_ANSWER_MS}), 0)
            WHERE true
            {_add_on_conflict("card_key", _CARD_COLUMNS)};
        END;
        CREATE TRIGGER cards_tally AFTER INSERT ON cards
        WHEN EXISTS (SELECT 1 FROM reviews WHERE card_key = NEW.key)
        BEGIN
            {_tally_from_log("r.card_key = NEW.key")}
        END;
    """


def m003_stats_tallies(conn: sqlite3.Connection) -> None:
    """Running totals for the statistics, kept by triggers in the same transaction as each review.

    ``review_days`` holds one row per study day, ``deck_review_days`` one per deck and study day and
    ``card_tallies`` one per card, so the statistics read thousands of rows instead of the whole log.
    They are a cache of ``reviews`` (the source of truth): :func:`rebuild_tallies` recomputes them, and
    the statistics compare their total with the log's row count before use. A review counts once its
    card row exists (the trigger on ``cards`` catches reviews written before their card, as bulk loads
    without foreign keys may do).
    """
    _run(
        conn,
        _day_table("review_days", "study_day INTEGER NOT NULL", "study_day")
        + _day_table("deck_review_days", "deck_id TEXT NOT NULL, study_day INTEGER NOT NULL", "deck_id, study_day")
        + """
        CREATE TABLE card_tallies (
            card_key INTEGER PRIMARY KEY,
            first_asks INTEGER NOT NULL DEFAULT 0,
            passed INTEGER NOT NULL DEFAULT 0,         -- first asks passed
            timed INTEGER NOT NULL DEFAULT 0,          -- every answer with a response time
            answer_ms INTEGER NOT NULL DEFAULT 0
        );
        """
        + _tally_triggers(_EARLIER_SAME_DAY),
    )
    rebuild_tallies(conn)


def _tally_range(conn: sqlite3.Connection, after: int, upto: int | None, firsts: Iterable[int]) -> None:
    """Add the reviews with ids in (``after``, ``upto``] (``upto`` None: no upper bound) to every tally
    table (m003's, m004's and m008's), inside the caller's transaction. ``firsts`` are the ids of those that
    are their card's first non-re-ask answer of their study day among all its reviews (ranked by id, as
    :func:`rebuild_tallies` ranks them)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS tally_firsts (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.tally_firsts")
    # One JSON list read by SQLite: binding a parameter per id costs several times more.
    conn.execute("INSERT INTO temp.tally_firsts (id) SELECT value FROM json_each(?)", (json.dumps(list(firsts)),))
    new = f"r.id > {int(after)}" + ("" if upto is None else f" AND r.id <= {int(upto)}")
    _run(conn, _tally_new_rows(new, first="r.id IN temp.tally_firsts", per_deck=_has_deck_tallies(conn)))
    conn.execute("DELETE FROM temp.tally_firsts")


def _tally_new_rows(where: str, first: str, per_deck: bool = True) -> str:
    """Statements adding the reviews matching ``where`` to every tally table at once, for adding many rows to
    tables that are not empty (a merge, a catch-up): the sums :func:`_tally_from_log` and
    :func:`_classes_from_log` add, from one pass over the rows.

    Each row is read and joined to its card once, into a scratch table holding only what the sums need, with
    its flags (first of the day, review class) worked out once: in one query SQLite works a flag out again for
    every sum that reads it. The per-deck sums of both families are then made in one grouping, and the
    all-decks days summed from them.

    The scratch tables are emptied, never dropped: the statistics run this in a worker thread, and SQLite refuses
    to drop a table ("database table is locked") while a statement of the same connection is still running,
    such as another thread's read of the log.
    """
    day = f"COALESCE(r.study_day, r.reviewed_at / 86400000 + {_EPOCH_ORDINAL})"
    # In the scratch table the class columns are c_<name>, beside the day columns of the same names.
    classes = [f"c_{name}" for name in _CLASS_COLUMNS]
    day_columns, class_columns = ", ".join(_DAY_COLUMNS), ", ".join(_CLASS_COLUMNS)
    deck_days = deck_classes = ""
    if per_deck:
        deck_days = f"""INSERT INTO deck_review_days (deck_id, study_day, {day_columns})
        SELECT deck_id, study_day, {day_columns} FROM temp.new_days WHERE true
        {_add_on_conflict("deck_id, study_day", _DAY_COLUMNS)};"""
        deck_classes = f"""INSERT INTO deck_review_classes (deck_id, study_day, {class_columns})
        SELECT deck_id, study_day, {", ".join(classes)} FROM temp.new_days WHERE true
        {_add_on_conflict("deck_id, study_day", _CLASS_COLUMNS)};"""
    return f"""
        CREATE TEMP TABLE IF NOT EXISTS new_rows
            (card_key, deck_id, day, reask, quality, correct, response_ms, pass, ivl, counted, cls);
        INSERT INTO temp.new_rows
        SELECT r.card_key AS card_key, c.deck_id AS deck_id, {day} AS day, r.reask AS reask,
               r.quality AS quality, r.correct AS correct, r.response_ms AS response_ms,
               COALESCE(r.correct, r.quality >= 3) AS pass,
               COALESCE(r.interval_before, 0) AS ivl,
               r.reask = 0 AND r.due_before IS NOT NULL AND {first} AS counted,
               {_review_class("r", day)} AS cls
        FROM reviews r JOIN cards c ON c.key = r.card_key
        WHERE {where};
        CREATE TEMP TABLE IF NOT EXISTS new_days (deck_id, study_day, {day_columns}, {", ".join(classes)});
        INSERT INTO temp.new_days
        SELECT deck_id, day, {_DAY_SUMS}, {_class_counts("r", "SUM")}
        FROM temp.new_rows r
        GROUP BY deck_id, day;
        {deck_days}
        INSERT INTO review_days (study_day, {day_columns})
        SELECT study_day, {", ".join(f"SUM({name})" for name in _DAY_COLUMNS)} FROM temp.new_days WHERE true
        GROUP BY study_day
        {_add_on_conflict("study_day", _DAY_COLUMNS)};
        {deck_classes}
        INSERT INTO review_classes (study_day, {class_columns})
        SELECT study_day, {", ".join(f"SUM({name})" for name in classes)} FROM temp.new_days WHERE true
        GROUP BY study_day
        {_add_on_conflict("study_day", _CLASS_COLUMNS)};
        INSERT INTO card_tallies (card_key, {", ".join(_CARD_COLUMNS)})
        SELECT card_key, SUM(reask = 0), SUM(reask = 0 AND pass), COUNT(response_ms),
               COALESCE(SUM(MIN(response_ms, {MAX_ANSWER_MS})), 0)
        FROM temp.new_rows WHERE true
        GROUP BY card_key
        {_add_on_conflict("card_key", _CARD_COLUMNS)};
        DELETE FROM temp.new_days;
        DELETE FROM temp.new_rows;
    """


def catch_up_tallies(conn: sqlite3.Connection, upto: int | None = None) -> int:
    """Add the reviews logged since the tallies were last brought up to date (m009's ``tally_mark``) to every
    tally table, up to id ``upto`` (None: all of them), inside the caller's transaction, and move the mark;
    returns how many were added. Before m009 (no mark) the triggers keep the tallies: nothing to do."""
    if not _has_mark(conn):
        return 0
    through = conn.execute("SELECT through FROM tally_mark").fetchone()[0]
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM reviews").fetchone()[0] if upto is None else upto
    if last <= through:
        return 0
    firsts = [row[0] for row in conn.execute(_FIRSTS_IN_RANGE, (through, last))]
    _tally_range(conn, through, last, firsts)
    conn.execute("UPDATE tally_mark SET through = ?", (last,))
    return last - through


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _has_deck_tallies(conn: sqlite3.Connection) -> bool:
    """Whether the per-deck tally tables exist (m003 to m011; m012 dropped them)."""
    return _has_table(conn, "deck_review_days")


def _has_mark(conn: sqlite3.Connection) -> bool:
    return _has_table(conn, "tally_mark")


def rebuild_tallies(conn: sqlite3.Connection) -> None:
    """Recompute the tally tables from the log, inside the caller's transaction."""
    per_deck = _has_deck_tallies(conn)
    for table in ("review_days", "deck_review_days", "card_tallies") if per_deck else ("review_days", "card_tallies"):
        conn.execute(f"DELETE FROM {table}")
    # Read the log in table order and sort, rather than hop through it card by card.
    catch_up_tallies(conn)  # the m004 tables too: the mark then stands for both
    _run(conn, _tally_from_log("true", "reviews r NOT INDEXED CROSS JOIN cards c ON c.key = r.card_key", fresh=True,
                               per_deck=per_deck))


# -- m004: reviews by the state before them (true retention, early reviews) -------------------------------

# Per deck and study day, what the statistics need to know of each review's state before it. A review of an
# already-seen card (not a re-ask) is *early* when its due day lies after its own study day, else
# *relearning* when the card was in learning (repetitions 0), else *young* (interval under MATURE_DAYS) or
# *mature*. Each per row, from the row alone: the order of the rows and the clock do not matter.
_CLASS_COLUMNS = ("reviews", "young", "young_passed", "mature", "mature_passed", "relearning", "relearning_passed",
                  "early", "early_passed", "first_graded", "first_correct")


def _review_class(row: str, day: str) -> str:
    """SQL naming the class of the review ``row`` (``NEW`` or ``r``) on study day ``day``; 'other' for re-asks
    and first answers of new cards."""
    return f"""CASE WHEN {row}.reask OR {row}.due_before IS NULL THEN 'other'
                    WHEN {row}.due_before > {day} THEN 'early'
                    WHEN COALESCE({row}.reps_before, 1) = 0 THEN 'relearning'
                    WHEN COALESCE({row}.interval_before, 0) < {MATURE_DAYS} THEN 'young'
                    ELSE 'mature' END"""


def _class_counts(row: str, aggregate: str) -> str:
    """The values of ``_CLASS_COLUMNS`` for one review (``aggregate`` "") or summed ("SUM")."""
    values = ["1"]
    for name in ("young", "mature", "relearning", "early"):
        values += [f"cls = '{name}'", f"cls = '{name}' AND {row}.quality >= {PASSING_QUALITY}"]
    values += [f"{row}.reask = 0 AND {row}.correct IS NOT NULL", f"{row}.reask = 0 AND COALESCE({row}.correct, 0) = 1"]
    return ", ".join(f"{aggregate}({value})" if aggregate else f"({value})" for value in values)


def _class_rows(where: str, source: str) -> str:
    """SELECT of the reviews matching ``where`` (over ``source``, which names ``reviews r``) with their study day
    (``day``) and review class (``cls``, see :func:`_review_class`)."""
    day = f"COALESCE(r.study_day, r.reviewed_at / 86400000 + {_EPOCH_ORDINAL})"
    return f"SELECT r.*, {day} AS day, {_review_class('r', day)} AS cls FROM {source} WHERE {where}"


def _classes_from_log(where: str, source: str = "reviews r JOIN cards c ON c.key = r.card_key", *,
                      all_days: bool = True, fresh: bool = False, per_deck: bool = True) -> str:
    """Statements adding the reviews matching ``where`` to ``deck_review_classes`` and, with ``all_days``
    (m008 on), to ``review_classes``; ``fresh`` when both start empty, so the all-decks days are summed
    from the per-deck ones instead of classifying the rows a second time. (Many rows added to tables that
    are not empty: :func:`_tally_new_rows`.)"""
    rows = _class_rows(where, source)
    columns = ", ".join(_CLASS_COLUMNS)
    statements = f"""
        INSERT INTO deck_review_classes (deck_id, study_day, {columns})
        SELECT c.deck_id, day, {_class_counts("r", "SUM")}
        FROM ({rows}) r
        JOIN cards c ON c.key = r.card_key
        WHERE true
        GROUP BY c.deck_id, day
        {_add_on_conflict("deck_id, study_day", _CLASS_COLUMNS)};
    """ if per_deck else ""
    if not all_days:
        return statements
    if fresh and per_deck:
        all_decks = f"""SELECT study_day, {", ".join(f"SUM({column})" for column in _CLASS_COLUMNS)}
                        FROM deck_review_classes WHERE true GROUP BY study_day"""
    else:  # only the reviews whose card row exists count, as in the per-deck table
        all_decks = f"""SELECT day, {_class_counts("r", "SUM")}
                        FROM ({rows}) r
                        WHERE r.card_key IN (SELECT key FROM cards)
                        GROUP BY day"""
    return statements + f"""
        INSERT INTO review_classes (study_day, {columns})
        {all_decks}
        {_add_on_conflict("study_day", _CLASS_COLUMNS)};
    """


def _class_triggers(*, all_days: bool = True) -> str:
    """The triggers that keep m004's ``deck_review_classes`` and, with ``all_days``, m008's
    ``review_classes``, like :func:`_tally_triggers`."""
    day = f"COALESCE(NEW.study_day, NEW.reviewed_at / 86400000 + {_EPOCH_ORDINAL})"
    one_review = f"""
            INSERT INTO review_classes (study_day, {", ".join(_CLASS_COLUMNS)})
            SELECT {day}, {_class_counts("NEW", "")}
            FROM (SELECT {_review_class("NEW", day)} AS cls) f
            WHERE true
            {_add_on_conflict("study_day", _CLASS_COLUMNS)};""" if all_days else ""
    return f"""
        CREATE TRIGGER reviews_class_tally AFTER INSERT ON reviews
        WHEN EXISTS (SELECT 1 FROM cards WHERE key = NEW.card_key)
        BEGIN
            INSERT INTO deck_review_classes (deck_id, study_day, {", ".join(_CLASS_COLUMNS)})
            SELECT c.deck_id, {day}, {_class_counts("NEW", "")}
            FROM cards c, (SELECT {_review_class("NEW", day)} AS cls) f
            WHERE c.key = NEW.card_key
            {_add_on_conflict("deck_id, study_day", _CLASS_COLUMNS)};{one_review}
        END;
        CREATE TRIGGER cards_class_tally AFTER INSERT ON cards
        WHEN EXISTS (SELECT 1 FROM reviews WHERE card_key = NEW.key)
        BEGIN
            {_classes_from_log("r.card_key = NEW.key", "reviews r", all_days=all_days)}
        END;
    """


def m004_review_classes(conn: sqlite3.Connection) -> None:
    """``deck_review_classes``: per deck and study day, reviews by the card's state before them, kept by
    triggers like the m003 tallies. True retention counts only reviews of cards that were due, which the
    m003 columns (``young`` / ``mature``: first review of the day, due or not) cannot tell apart."""
    columns = ", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in _CLASS_COLUMNS)
    _run(
        conn,
        f"""
        CREATE TABLE deck_review_classes (
            deck_id TEXT NOT NULL,
            study_day INTEGER NOT NULL,
            {columns},
            PRIMARY KEY (deck_id, study_day)
        ) WITHOUT ROWID;
        """
        + _class_triggers(all_days=False),
    )
    conn.execute("DELETE FROM deck_review_classes")
    _run(conn, _classes_from_log("true", "reviews r NOT INDEXED", all_days=False))


def rebuild_review_classes(conn: sqlite3.Connection) -> None:
    """Recompute ``deck_review_classes`` and ``review_classes`` (m008) from the log, inside the caller's
    transaction (``review_classes`` alone from m012 on)."""
    per_deck = _has_deck_tallies(conn)
    if per_deck:
        conn.execute("DELETE FROM deck_review_classes")
    conn.execute("DELETE FROM review_classes")
    catch_up_tallies(conn)  # the m003 tables too: the mark then stands for both
    _run(conn, _classes_from_log("true", "reviews r NOT INDEXED", fresh=True, per_deck=per_deck))


# -- m005: every review globally identified, for syncing logs between devices ------------------------------


def m005_review_origins(conn: sqlite3.Connection) -> None:
    """``devices`` and each review's ``(device, seq)``: the id a review keeps on every device it is synced to,
    and ``order_at``, its place in the replay order.

    A random device id is created once per database (``local = 1``); every existing review becomes this
    device's, numbered 1, 2, … in commit order, so no row is dropped or renumbered. A trigger gives each new
    row that arrives without an origin (the drill, importers, raw SQL) this device's next number; rows
    received from a sync folder carry theirs.

    Every device replays a card's log in the order ``(order_at, device, seq)``. ``order_at`` is the review
    time, moved just past the card's latest ``order_at`` when the clock reads earlier (a clock put back, a
    device whose clock runs behind another's). It is fixed when the review is written and synced with it,
    so the order is the same everywhere; and a new answer always sorts last, so scheduling it on top of the
    card's current state gives exactly what a replay gives. Existing rows get the running maximum of their
    card's review times in commit order, which replays them in commit order, as before. ``reviews_order``
    serves the replay and the trigger's look-up of the card's latest ``order_at``.
    """
    device = os.urandom(8).hex()
    _run(
        conn,
        f"""
        CREATE TABLE devices (
            id TEXT PRIMARY KEY,                 -- 16 hex characters, random
            local INTEGER NOT NULL DEFAULT 0     -- 1 for this database's own device (exactly one row)
        );
        INSERT INTO devices (id, local) VALUES ('{device}', 1);
        ALTER TABLE reviews ADD COLUMN device TEXT;
        ALTER TABLE reviews ADD COLUMN seq INTEGER;
        ALTER TABLE reviews ADD COLUMN order_at INTEGER;   -- ms; see m005_review_origins
        UPDATE reviews SET device = '{device}', seq = numbered.n, order_at = numbered.at
        FROM (SELECT id AS rid, ROW_NUMBER() OVER (ORDER BY id) AS n,
                     MAX(reviewed_at) OVER (PARTITION BY card_key ORDER BY id) AS at FROM reviews) AS numbered
        WHERE numbered.rid = reviews.id;
        CREATE UNIQUE INDEX reviews_origin ON reviews (device, seq);
        CREATE INDEX reviews_order ON reviews (card_key, order_at);
        CREATE TRIGGER reviews_number AFTER INSERT ON reviews
        WHEN NEW.device IS NULL
        BEGIN
            UPDATE reviews SET
                device = (SELECT id FROM devices WHERE local = 1),
                seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews
                       WHERE device = (SELECT id FROM devices WHERE local = 1)),
                order_at = MAX(NEW.reviewed_at,
                               COALESCE((SELECT MAX(order_at) + 1 FROM reviews WHERE card_key = NEW.card_key),
                                        NEW.reviewed_at))
            WHERE id = NEW.id;
        END;
        """,
    )


# -- m006: a compact review row -------------------------------------------------------------------------

# The kinds of card, numbered: each review stores the number (a code of 0 or 1 takes no byte at all in a
# SQLite record, 2 and 3 one byte, where the text took four to nine). Kinds not listed here (a newer
# Quizzer's, synced in) are numbered as they arrive, in the ``kinds`` table.
KIND_CODES = {"open": 0, "choice": 1, "numeric": 2, "generated": 3}

# m006's look-up of the review's own earlier answers on its study day: through ``reviews_order`` (card_key,
# order_at) now that ``reviews_card`` is gone. ``order_at`` is never earlier than ``reviewed_at``, so the
# lower bound on it only narrows the range, never drops a row the ``reviewed_at`` bounds keep.
_EARLIER_SAME_DAY_BY_ORDER = (
    "SELECT 1 FROM reviews p WHERE p.card_key = NEW.card_key AND p.order_at >= NEW.reviewed_at - 172800000 "
    "AND p.reviewed_at BETWEEN NEW.reviewed_at - 172800000 AND NEW.reviewed_at + 172800000 "
    "AND p.study_day = NEW.study_day AND p.reask = 0 AND p.id < NEW.id"
)

# Of the reviews with ids in a range, those that are their card's first non-re-ask answer of their study day
# among all its reviews, ranked by id: what the trigger m003 made asked of each new row, with m006's bounds on
# the time (see _EARLIER_SAME_DAY_BY_ORDER), which keep the look-up to a few rows of ``reviews_order``.
_FIRSTS_IN_RANGE = f"""
    SELECT r.id FROM reviews r
    WHERE r.id > ? AND r.id <= ? AND r.reask = 0
      AND NOT EXISTS ({_EARLIER_SAME_DAY_BY_ORDER.replace("NEW.", "r.")})
"""


def _origin_triggers(*, shifted: bool = False) -> str:
    """Give each row that arrives without an origin this device's next number and its place in the replay
    order (see m005), and store a kind given as text by its number (raw SQL, tools that predate m006).
    ``shifted``: the place is stored as ``order_shift`` (m013)."""
    local = "(SELECT key FROM devices WHERE local = 1)"
    order = "order_shift = -NEW.reviewed_at + " if shifted else "order_at = "
    return f"""
        CREATE TRIGGER reviews_number AFTER INSERT ON reviews
        WHEN NEW.device IS NULL
        BEGIN
            UPDATE reviews SET
                device = {local},
                seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews WHERE device = {local}),
                {order}MAX(NEW.reviewed_at,
                               COALESCE((SELECT MAX(order_at) + 1 FROM reviews WHERE card_key = NEW.card_key),
                                        NEW.reviewed_at))
            WHERE id = NEW.id;
        END;
        CREATE TRIGGER reviews_kind AFTER INSERT ON reviews
        WHEN typeof(NEW.kind) = 'text'
        BEGIN
            INSERT OR IGNORE INTO kinds (name) VALUES (NEW.kind);
            UPDATE reviews SET kind = (SELECT code FROM kinds WHERE name = NEW.kind) WHERE id = NEW.id;
        END;
    """


def m006_compact_reviews(conn: sqlite3.Connection) -> None:
    """The review row made compact, every review kept with the same id and values.

    Of the 165 bytes a review took in the log (the row, 90, and its four indexes, measured on the benchmark
    workload), 32 went on the device id: 16 hex characters in every row and again in the ``reviews_origin``
    index. Now ``devices`` numbers its devices (``key``, 1 for
    this database's own, so its reviews store no byte for it) and ``reviews.device`` holds that number; the
    hex id stays in ``devices.id``, and it is what segments name and what breaks ties in the replay order
    (the numbers differ from one database to another). ``kind`` is a number too (:data:`KIND_CODES`,
    ``kinds``). ``reviews_card`` (card_key, reviewed_at) goes: ``reviews_order`` (card_key, order_at) serves
    every look-up by card, and the tally trigger bounds ``order_at`` instead (``_EARLIER_SAME_DAY_BY_ORDER``).
    A review then takes about 112 bytes (row 69, indexes 43).

    The before and after states stay in every row: they are what the log logged (the statistics classify
    each review by its before state in SQL), and the row is within Anki's size without dropping them.

    SQLite cannot change a column's type in place, so the table is rebuilt: triggers dropped, rows copied in
    id order, old table dropped, new one renamed, indexes and triggers made again; all in the caller's
    transaction. The tally tables are unchanged (every review keeps its values), so they are not rebuilt.
    """
    for trigger in ("reviews_tally", "reviews_class_tally", "reviews_number", "cards_tally", "cards_class_tally"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    kinds = ", ".join(f"({code}, '{name}')" for name, code in KIND_CODES.items())
    _run(
        conn,
        f"""
        CREATE TABLE devices_compact (
            key INTEGER PRIMARY KEY,             -- what reviews.device holds; 1 for this database's own
            id TEXT NOT NULL UNIQUE,             -- 16 hex characters, random: the id in sync folders
            local INTEGER NOT NULL DEFAULT 0     -- 1 for this database's own device (exactly one row)
        );
        INSERT INTO devices_compact (id, local) SELECT id, local FROM devices ORDER BY local DESC, id;
        INSERT OR IGNORE INTO devices_compact (id) SELECT DISTINCT device FROM reviews WHERE device IS NOT NULL;
        DROP TABLE devices;
        ALTER TABLE devices_compact RENAME TO devices;
        CREATE TABLE kinds (
            code INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        INSERT INTO kinds (code, name) VALUES {kinds};
        INSERT OR IGNORE INTO kinds (name) SELECT DISTINCT kind FROM reviews WHERE kind IS NOT NULL;
        CREATE TABLE reviews_compact (
            id INTEGER PRIMARY KEY,
            card_key INTEGER NOT NULL REFERENCES cards(key),
            reviewed_at INTEGER NOT NULL,      -- UTC, milliseconds since the epoch
            quality INTEGER NOT NULL,
            answer TEXT,
            correct INTEGER,                   -- 1/0 for auto-graded kinds, NULL when self-graded
            response_ms INTEGER,
            kind INTEGER,                      -- kinds.code
            seed INTEGER,
            reask INTEGER NOT NULL DEFAULT 0,
            study_day INTEGER,                 -- proleptic ordinal of the local study day
            ef_before INTEGER,                 -- easiness in hundredths
            interval_before INTEGER,
            reps_before INTEGER,
            due_before INTEGER,                -- ordinal, NULL for a new card
            ef_after INTEGER,
            interval_after INTEGER,
            reps_after INTEGER,
            due_after INTEGER,
            device INTEGER,                    -- devices.key
            seq INTEGER,                       -- the device's own number for the review
            order_at INTEGER                   -- ms; see m005_review_origins
        );
        INSERT INTO reviews_compact
        SELECT r.id, r.card_key, r.reviewed_at, r.quality, r.answer, r.correct, r.response_ms, k.code, r.seed,
               r.reask, r.study_day, r.ef_before, r.interval_before, r.reps_before, r.due_before, r.ef_after,
               r.interval_after, r.reps_after, r.due_after, d.key, r.seq, r.order_at
        FROM reviews r LEFT JOIN kinds k ON k.name = r.kind LEFT JOIN devices d ON d.id = r.device
        ORDER BY r.id;
        DROP TABLE reviews;
        ALTER TABLE reviews_compact RENAME TO reviews;
        CREATE INDEX reviews_day ON reviews (study_day);
        CREATE UNIQUE INDEX reviews_origin ON reviews (device, seq);
        CREATE INDEX reviews_order ON reviews (card_key, order_at);
        """
        + _tally_triggers(_EARLIER_SAME_DAY_BY_ORDER)
        + _class_triggers(all_days=False)
        + _origin_triggers(),
    )


# -- m007: mock interviews ----------------------------------------------------------------------------------


def m007_interviews(conn: sqlite3.Connection) -> None:
    """``interviews``: one row per mock-interview round (:mod:`quizzer.interview`), and
    ``interview_answers``: one per question answered in it, written right after its review is committed.

    ``finished_at`` is NULL for a round left before its end (abandoned): its answers are kept, here and in
    the review log. ``answered_at`` is the answer's ``reviewed_at`` in ``reviews`` (with the deck and card it
    finds the review; no foreign key, so the log's own maintenance never has to know about rounds).
    """
    _run(
        conn,
        """
        CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            started_at INTEGER NOT NULL,          -- ms
            finished_at INTEGER,                  -- ms; NULL: abandoned (left before the last question)
            minutes INTEGER NOT NULL,             -- the round's planned length
            planned INTEGER NOT NULL,             -- questions it was to ask
            seed INTEGER,
            decks TEXT NOT NULL DEFAULT '[]'      -- JSON list of the deck ids it drew from
        );
        CREATE INDEX interviews_started ON interviews (started_at);
        CREATE TABLE interview_answers (
            interview_id INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,            -- 0-based, in the order asked
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            lane TEXT NOT NULL,                   -- explain, problem or judgement
            question TEXT NOT NULL,               -- one line naming the question
            answer TEXT,                          -- NULL: passed on (the answer was revealed)
            verdict TEXT NOT NULL,                -- right, partly, wrong or passed
            score REAL NOT NULL,                  -- 0..1
            missed TEXT NOT NULL DEFAULT '[]',    -- JSON list: key points not made, or the expected answer
            seconds REAL NOT NULL,
            target_seconds REAL NOT NULL,
            quality INTEGER NOT NULL,             -- the grade written to the review log
            answered_at INTEGER NOT NULL,         -- ms, as the review's reviewed_at
            PRIMARY KEY (interview_id, position)
        ) WITHOUT ROWID;
        """,
    )


# -- m008: review classes over all decks --------------------------------------------------------------------


def m008_all_deck_classes(conn: sqlite3.Connection) -> None:
    """``review_classes``: m004's counts per study day over all decks, kept by the same triggers.

    The statistics of all decks read one row per study day here, where they grouped ``deck_review_classes``
    (one row per deck and study day, about 217,000 at a million reviews) by day on every call: a scan and a
    sort that made up most of their time. ``deck_review_classes`` stays, for one deck's statistics. The new
    table is filled from it (both count the same reviews), and the class triggers are made again to keep both.
    """
    columns = ", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in _CLASS_COLUMNS)
    for trigger in ("reviews_class_tally", "cards_class_tally"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    fill = f"""
        INSERT INTO review_classes (study_day, {", ".join(_CLASS_COLUMNS)})
        SELECT study_day, {", ".join(f"SUM({column})" for column in _CLASS_COLUMNS)}
        FROM deck_review_classes GROUP BY study_day;"""
    if not _has_table(conn, "deck_review_classes"):  # put back by hand from m012 on, which dropped it
        fill = _classes_from_log("true", "reviews r NOT INDEXED", per_deck=False)
    _run(
        conn,
        f"""
        DROP TABLE IF EXISTS review_classes;   -- a database put back to an older version number by hand
        CREATE TABLE review_classes (
            study_day INTEGER NOT NULL PRIMARY KEY,
            {columns}
        ) WITHOUT ROWID;
        {fill}
        """
        + _class_triggers(),
    )


# -- m009: tallies brought up to date when read, not on every answer --------------------------------------


def m009_deferred_tallies(conn: sqlite3.Connection) -> None:
    """The statistics tallies are no longer kept by a trigger on every answer: they are brought up to date
    (:func:`catch_up_tallies`) when the statistics read them, and by a sync merge.

    The triggers made each answer update five tally tables (and their B-tree pages) in its transaction: an
    answer wrote about 27 database pages to the WAL and spent more time in the triggers than in everything
    else it does. Answers are the one thing a user waits on many times a minute; statistics are read now and
    then, and adding a session's few hundred answers to the tallies in a few set-wise statements costs a few
    milliseconds then. ``tally_mark.through`` is the highest review id the tallies hold: every review with an
    id at or below it (and a card row) is counted, none above it. Ids only grow (the log is append-only), so
    the reviews to add are exactly those above the mark.

    The triggers on ``cards`` stay (a card row arriving after its reviews, as bulk loads without foreign keys
    may write them): they now count only the card's reviews the mark already covers, and the catch-up counts
    the rest. The tallies were current when this runs (the triggers kept them), so the mark starts at the
    log's highest id. (Were they not, the statistics' check of their totals against the log rebuilds them.)
    """
    for trigger in ("reviews_tally", "reviews_class_tally", "cards_tally", "cards_class_tally"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    covered = "r.card_key = NEW.key AND r.id <= (SELECT through FROM tally_mark)"
    _run(
        conn,
        f"""
        DROP TABLE IF EXISTS tally_mark;   -- a database put back to an older version number by hand
        CREATE TABLE tally_mark (
            one INTEGER PRIMARY KEY CHECK (one = 1),   -- a single row
            through INTEGER NOT NULL                   -- the highest review id the tallies hold
        );
        INSERT INTO tally_mark (one, through) SELECT 1, COALESCE(MAX(id), 0) FROM reviews;
        CREATE TRIGGER cards_tally AFTER INSERT ON cards
        WHEN EXISTS (SELECT 1 FROM reviews WHERE card_key = NEW.key)
        BEGIN
            {_tally_from_log(covered)}
            {_classes_from_log(covered, "reviews r")}
        END;
        """,
    )


# -- m010: the day's new cards counted from an index ---------------------------------------------------------


def m010_first_day_index(conn: sqlite3.Connection) -> None:
    """``cards_first_day``: the daily new-card limit counts the cards first answered today, and that count
    read every card row (about 1 ms at 20,000 cards) each time a new card was offered and answered.

    An answer writes ``first_day`` only to a card row that has none (:meth:`Store._append`), so the index
    is written once per card, on its first answer, not on every answer.
    """
    conn.execute("CREATE INDEX IF NOT EXISTS cards_first_day ON cards (first_day)")


# -- m011: where each study day starts in the log, instead of an index on every review's day ----------------

# Keeps ``review_day_starts`` for every row however it is written (the drill, a sync merge, an import, raw SQL):
# a look-up in a table of one row per study day, written only when a day gets its first (lowest) id.
_DAY_START_TRIGGER = """
        CREATE TRIGGER reviews_day_start AFTER INSERT ON reviews
        WHEN NEW.study_day IS NOT NULL
        BEGIN
            INSERT INTO review_day_starts (study_day, first_id) VALUES (NEW.study_day, NEW.id)
            ON CONFLICT (study_day) DO UPDATE SET first_id = excluded.first_id WHERE excluded.first_id < first_id;
        END;
"""


# The same for many rows at once, those with ids from ``?`` on: the whole log (m011, from the lowest rowid SQLite
# allows) or a sync merge's new rows, which the merge inserts with the trigger set aside.
ADD_DAY_STARTS = """
    INSERT INTO review_day_starts (study_day, first_id)
    SELECT study_day, MIN(id) FROM reviews WHERE id >= ? AND study_day IS NOT NULL GROUP BY study_day
    ON CONFLICT (study_day) DO UPDATE SET first_id = MIN(first_id, excluded.first_id)"""


def m011_day_starts(conn: sqlite3.Connection) -> None:
    """``review_day_starts``: the lowest review id of each study day, in place of the ``reviews_day`` index.

    The index held an entry for every review (12 bytes a review, about a tenth of the file, and one more page
    written by every answer) to answer three questions: how many answers today, this device's latest study
    day, and the last 30 days' answers for the statistics. Each reads a range of days, and every review of
    days from D on has an id at or above the lowest first id among those days, so the log's rowid range from
    there holds them all: the same rows, read in id order. A log's ids follow its days closely (a sync merge
    adds older days' reviews at the end, which only lengthens the range, never skips a row).
    """
    _run(
        conn,
        """
        DROP INDEX IF EXISTS reviews_day;
        DROP TRIGGER IF EXISTS reviews_day_start;   -- a database put back to an older version number by hand
        DROP TABLE IF EXISTS review_day_starts;
        CREATE TABLE review_day_starts (
            study_day INTEGER NOT NULL PRIMARY KEY,
            first_id INTEGER NOT NULL              -- the lowest id of a review on this study day
        ) WITHOUT ROWID;
        """
        + _DAY_START_TRIGGER,
    )
    conn.execute(ADD_DAY_STARTS, (-(2**63),))


# -- m012: one deck's statistics from the log, not from per-deck tallies -------------------------------------


def day_sums(where: str) -> str:
    """SELECT of the m003 day columns (:data:`_DAY_COLUMNS`) per study day, over the reviews matching
    ``where`` (over ``reviews r`` joined to ``cards c``), counted as the tallies count them: what
    ``deck_review_days`` held for one deck. Each card's reviews must all match (first-of-day is ranked
    among them)."""
    return f"""
        SELECT day, {_DAY_SUMS} FROM ({_day_rows(where, "cards c JOIN reviews r ON r.card_key = c.key")})
        GROUP BY day ORDER BY day"""


def class_sums(where: str) -> str:
    """SELECT of the m004 class columns (:data:`_CLASS_COLUMNS`) per study day, over the reviews matching
    ``where``, as :func:`day_sums`: what ``deck_review_classes`` held for one deck."""
    return f"""
        SELECT day, {_class_counts("r", "SUM")} FROM ({_class_rows(where, "cards c JOIN reviews r ON r.card_key = c.key")}) r
        GROUP BY day ORDER BY day"""


def m012_no_deck_tallies(conn: sqlite3.Connection) -> None:
    """Drop ``deck_review_days`` and ``deck_review_classes``: one deck's statistics sum its reviews from the
    log (:func:`day_sums`, :func:`class_sums`), through the cards of the deck and ``reviews_order``.

    The two tables held a row per deck and study day: at a million reviews over 200 decks, 217,000 rows each
    and 16 bytes a review, an eighth of the file, kept up to date on every catch-up, for a figure a user asks
    for now and then about one deck. Summing a deck's own reviews costs a read of each (about 8 µs a review
    from a warm cache: 40 ms for a deck of 5,000, where the tables took a few), in the Stats screen's worker.
    The statistics of all decks keep their per-day tallies. ``cards_tally`` (m009) is made again without them.
    """
    conn.execute("DROP TRIGGER IF EXISTS cards_tally")
    _run(
        conn,
        """
        DROP TABLE IF EXISTS deck_review_days;
        DROP TABLE IF EXISTS deck_review_classes;
        """
        + _cards_tally_trigger(),
    )


def _cards_tally_trigger() -> str:
    """m009's trigger on ``cards`` (a card row arriving after reviews the mark covers), as from m012 on."""
    covered = "r.card_key = NEW.key AND r.id <= (SELECT through FROM tally_mark)"
    return f"""
        CREATE TRIGGER cards_tally AFTER INSERT ON cards
        WHEN EXISTS (SELECT 1 FROM reviews WHERE card_key = NEW.key)
        BEGIN
            {_tally_from_log(covered, per_deck=False)}
            {_classes_from_log(covered, "reviews r", per_deck=False)}
        END;
    """


# -- m013: the review row stores what it cannot derive ---------------------------------------------------------

# The UTC day of a review's time, as an ordinal: what ``study_day`` is, give or take a day for the time zone.
_UTC_DAY = f"reviewed_at / 86400000 + {_EPOCH_ORDINAL}"
# Each value of the log m013 stores as a small difference, with the SQL that gives it back from the row. A
# column named here is a generated column (VIRTUAL: computed when read, never stored) of that name.
_DERIVED = {
    "study_day": ("day_shift", f"{_UTC_DAY} + day_shift"),
    "ef_before": ("ef_before_shift", "250 + ef_before_shift"),
    "due_before": ("due_before_shift", f"COALESCE({_UTC_DAY} + day_shift, {_UTC_DAY}) + due_before_shift"),
    "ef_after": ("ef_after_shift", "250 + ef_after_shift"),
    "due_after": (
        "due_after_shift",
        f"COALESCE({_UTC_DAY} + day_shift, {_UTC_DAY}) + COALESCE(interval_after, 0) + due_after_shift",
    ),
    "order_at": ("order_shift", "reviewed_at + order_shift"),
}
# The review values as the log is read (the generated ones included), in the order of m006's row.
REVIEW_VALUES = ("card_key", "reviewed_at", "quality", "answer", "correct", "response_ms", "kind", "seed", "reask",
                 "study_day", "ef_before", "interval_before", "reps_before", "due_before", "ef_after",
                 "interval_after", "reps_after", "due_after", "device", "seq", "order_at")


def stored_review(values: dict[str, str]) -> tuple[str, str]:
    """The stored columns of ``reviews`` (m013) and the SQL for each, for a review given as SQL expressions
    of the values the log is read as (:data:`REVIEW_VALUES`, ``reviewed_at`` among them): for an
    ``INSERT INTO reviews ({columns}) VALUES ({values})`` or ``... SELECT {values} FROM ...``. A value left
    out is NULL, as an INSERT leaves it."""
    at = values["reviewed_at"]
    utc_day = f"({at}) / 86400000 + {_EPOCH_ORDINAL}"
    day = values.get("study_day", "NULL")
    differences = {
        "study_day": f"({day}) - ({utc_day})",
        "ef_before": f"({values.get('ef_before')}) - 250",
        "due_before": f"({values.get('due_before')}) - COALESCE({day}, {utc_day})",
        "ef_after": f"({values.get('ef_after')}) - 250",
        "due_after": f"({values.get('due_after')}) - (COALESCE({day}, {utc_day}) "
        f"+ COALESCE({values.get('interval_after', 'NULL')}, 0))",
        "order_at": f"({values.get('order_at')}) - ({at})",
    }
    columns, sql = [], []
    for name, value in values.items():
        if name in _DERIVED:
            columns.append(_DERIVED[name][0])
            sql.append(differences[name])
        else:
            columns.append(name)
            sql.append(value)
    return ", ".join(columns), ", ".join(sql)


def insert_reviews(names: Iterable[str], verb: str = "INSERT") -> str:
    """``INSERT INTO reviews`` of rows given as parameters in the order of ``names`` (values as the log is read,
    :data:`REVIEW_VALUES`, and ``id``), at the current schema: for tools and tests that load rows in bulk."""
    columns, values = stored_review({name: f"?{number}" for number, name in enumerate(names, start=1)})
    return f"{verb} INTO reviews ({columns}) VALUES ({values})"


def m013_derived_columns(conn: sqlite3.Connection) -> None:
    """The review row made compact again: six of its values are stored as the small differences from what the
    rest of the row says they nearly always are, and read back under their old names as VIRTUAL generated
    columns (:data:`_DERIVED`), so every query reads the same values. Nothing is dropped: each value comes back
    exactly, whatever it was.

    - ``study_day`` is the UTC day of ``reviewed_at`` shifted by the time zone and the day's start hour
      (``day_shift``: 0 or ±1, which SQLite stores in no or one byte, where the day took three);
    - ``order_at`` is ``reviewed_at`` unless the clock went back (``order_shift``: 0 nearly always, six bytes);
    - ``due_before`` is the study day for a card answered when due, ``due_after`` the study day plus the new
      interval (both differences 0 for most answers, three bytes each);
    - the easiness, in hundredths from 130 up, is stored from 250 (one byte, or none at 2.5, for two).

    The table is rebuilt as m006 rebuilt it (triggers dropped, rows copied in id order, indexes and triggers
    made again) in the caller's transaction; the tallies count the same values, so they are kept.
    """
    for trigger in ("reviews_number", "reviews_kind", "reviews_day_start", "cards_tally"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    generated = {name: f"{name} INTEGER GENERATED ALWAYS AS ({sql}) VIRTUAL" for name, (_, sql) in _DERIVED.items()}
    stored_as = {name: f"{shift} INTEGER" for name, (shift, _) in _DERIVED.items()}
    columns, values = stored_review({name: name for name in REVIEW_VALUES})
    _run(
        conn,
        f"""
        CREATE TABLE reviews_derived (
            id INTEGER PRIMARY KEY,
            card_key INTEGER NOT NULL REFERENCES cards(key),
            reviewed_at INTEGER NOT NULL,      -- UTC, milliseconds since the epoch
            quality INTEGER NOT NULL,
            answer TEXT,
            correct INTEGER,                   -- 1/0 for auto-graded kinds, NULL when self-graded
            response_ms INTEGER,
            kind INTEGER,                      -- kinds.code
            seed INTEGER,
            reask INTEGER NOT NULL DEFAULT 0,
            {generated["study_day"]},
            {generated["ef_before"]},
            interval_before INTEGER,
            reps_before INTEGER,
            {generated["due_before"]},
            {generated["ef_after"]},
            interval_after INTEGER,
            reps_after INTEGER,
            {generated["due_after"]},
            device INTEGER,                    -- devices.key
            seq INTEGER,                       -- the device's own number for the review
            {generated["order_at"]},
            {", ".join(stored_as.values())}
        );
        INSERT INTO reviews_derived (id, {columns}) SELECT id, {values} FROM reviews ORDER BY id;
        DROP TABLE reviews;
        ALTER TABLE reviews_derived RENAME TO reviews;
        CREATE UNIQUE INDEX reviews_origin ON reviews (device, seq);
        CREATE INDEX reviews_order ON reviews (card_key, order_at);
        """
        + _origin_triggers(shifted=True)
        + _DAY_START_TRIGGER
        + _cards_tally_trigger(),
    )


MIGRATIONS: list[Migration] = [m001_initial, m002_schedule_columns, m003_stats_tallies, m004_review_classes,
                               m005_review_origins, m006_compact_reviews, m007_interviews, m008_all_deck_classes,
                               m009_deferred_tallies, m010_first_day_index, m011_day_starts,
                               m012_no_deck_tallies, m013_derived_columns]
SCHEMA_VERSION = len(MIGRATIONS)
