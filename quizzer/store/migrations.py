"""Schema migrations, in order. The database's ``PRAGMA user_version`` says how many have run.

Each migration runs in one transaction with the version bump, so a crash leaves the old schema intact.
A backup is taken before migrating a database that already holds reviews (see ``Store``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

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


MIGRATIONS: list[Migration] = [m001_initial, m002_schedule_columns]
SCHEMA_VERSION = len(MIGRATIONS)
