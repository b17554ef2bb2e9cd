"""Build a synthetic large setup: 200 decks / 20,000 cards of YAML and a 1,000,000-row review log over 3 years."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from quizzer.store import Store
from quizzer.store.migrations import KIND_CODES, REVIEW_VALUES, catch_up_tallies, insert_reviews

N_DECKS = 200
CARDS_PER_DECK = 100
N_REVIEWS = 1_000_000
YEARS = 3
GENERATED = ("confusion-matrix", "cv-scheme", "learning-curve", "regression-metrics", "bootstrap-oob")
# Bumped whenever the decks or reviews this module writes change, so a built workload is not reused.
# 2: generated cards rotate through every family of GENERATED (in 1, every generated card was card 9 of its
# ten, so ``card % 5`` always picked bootstrap-oob: cv-scheme, learning-curve and regression-metrics never
# came up, and no measured session loaded scikit-learn).
WORKLOAD_VERSION = 2


def deck_yaml(index: int, cards_per_deck: int = CARDS_PER_DECK) -> str:
    lines = [
        f"id: deck-{index:03d}",
        f"title: Synthetic deck {index}",
        "description: Benchmark deck.",
        f"tags: [bench, group-{index % 10}]",
        "cards:",
    ]
    for card in range(cards_per_deck):
        kind = card % 10
        card_id = f"card-{card:03d}"
        if kind < 5:
            lines += [
                f"  - id: {card_id}",
                f"    front: What is fact number {card} of deck {index}?",
                "    back: |",
                f"      It is the answer to card {card}, explained in two short sentences.",
                "      Key point first, then why.",
                f"    tags: [topic-{card % 17}]",
                f'    source: "synthetic {index}"',
            ]
        elif kind < 8:
            lines += [
                f"  - id: {card_id}",
                "    kind: choice",
                f"    front: Pick the right option for {card}.",
                "    options: [Alpha, Beta, Gamma, Delta]",
                "    answer: Gamma",
                "    explanation: Gamma is right; the others are distractors.",
                f"    tags: [topic-{card % 17}]",
            ]
        elif kind == 8:
            lines += [
                f"  - id: {card_id}",
                "    kind: numeric",
                f"    front: What is {card}/1000?",
                f"    answer: {card / 1000 + 0.1}",
                "    tolerance: 0.001",
                f"    tags: [topic-{card % 17}]",
            ]
        else:
            lines += [
                f"  - id: {card_id}",
                "    kind: generated",
                f"    generator: {GENERATED[(card // 10) % len(GENERATED)] if card % 3 else 'confusion-matrix'}",
                f"    tags: [topic-{card % 17}]",
            ]
    return "\n".join(lines) + "\n"


def write_decks(folder: Path, n_decks: int = N_DECKS, cards_per_deck: int = CARDS_PER_DECK) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index in range(n_decks):
        path = folder / f"deck-{index:03d}.yaml"
        path.write_text(deck_yaml(index, cards_per_deck))
        files.append(path)
    return files


def build_database(
    path: Path,
    today: date,
    seed: int = 7,
    *,
    n_decks: int = N_DECKS,
    cards_per_deck: int = CARDS_PER_DECK,
    n_reviews: int = N_REVIEWS,
) -> None:
    """Reviews spread over ``YEARS`` years ending ``today``; per-card state consistent with the last review.

    The sizes are parameters so the Anki twin (``anki_twin.py``) can run the same workload small; the
    defaults are the full benchmark size.
    """
    Store(path).close()  # creates the schema
    rng = np.random.default_rng(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    keys = {}
    for deck in range(n_decks):
        for card in range(cards_per_deck):
            cursor = conn.execute(
                "INSERT INTO cards (deck_id, card_id) VALUES (?, ?)", (f"deck-{deck:03d}", f"card-{card:03d}")
            )
            keys[(deck, card)] = cursor.lastrowid
    n_cards = len(keys)
    first_day = today - timedelta(days=365 * YEARS)
    card_keys = rng.integers(1, n_cards + 1, size=n_reviews)
    days = np.sort(rng.integers(0, 365 * YEARS, size=n_reviews))
    seconds = rng.integers(8 * 3600, 23 * 3600, size=n_reviews)
    quality = rng.choice([1, 2, 3, 4, 5], p=[0.08, 0.07, 0.2, 0.45, 0.2], size=n_reviews)
    response = rng.integers(2000, 40000, size=n_reviews)
    reask = (rng.random(n_reviews) < 0.05).astype(int)
    intervals = rng.integers(1, 120, size=n_reviews)
    epoch = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    base_ms = int(epoch.timestamp() * 1000)
    first_ordinal = first_day.toordinal()
    kinds = np.array(["open", "choice", "numeric", "generated"])[rng.integers(0, 4, size=n_reviews)]
    rows = (
        (
            int(card_keys[i]),
            base_ms + int(days[i]) * 86_400_000 + int(seconds[i]) * 1000,
            int(quality[i]),
            "0.5" if kinds[i] == "numeric" else None,
            int(quality[i] >= 3) if kinds[i] != "open" else None,
            int(response[i]),
            KIND_CODES[str(kinds[i])],
            int(i) if kinds[i] == "generated" else None,
            int(reask[i]),
            first_ordinal + int(days[i]),
            250,
            int(intervals[i]),
            3,
            first_ordinal + int(days[i]),
            250,
            int(intervals[i]),
            4,
            first_ordinal + int(days[i]) + int(intervals[i]),
        )
        for i in range(n_reviews)
    )
    conn.executemany(insert_reviews(REVIEW_VALUES[:18]), rows)
    # Derived state: each reviewed card's last review decides its schedule.
    conn.execute(
        """UPDATE cards SET ef = 250, reps = 4,
               interval = (SELECT interval_after FROM reviews r WHERE r.card_key = cards.key
                           ORDER BY reviewed_at DESC LIMIT 1),
               due = (SELECT due_after FROM reviews r WHERE r.card_key = cards.key ORDER BY reviewed_at DESC LIMIT 1),
               first_day = (SELECT MIN(study_day) FROM reviews r WHERE r.card_key = cards.key),
               last_reviewed_at = (SELECT MAX(reviewed_at) FROM reviews r WHERE r.card_key = cards.key),
               review_count = (SELECT COUNT(*) FROM reviews r WHERE r.card_key = cards.key)"""
    )
    # The statistics tallies, as a user's database holds them once its statistics have been read (m009).
    catch_up_tallies(conn)
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()
