"""Quick check: time ``quizzer.stats.compute`` on a synthetic 1,000,000-review log (3 years, 20,000 cards).

Not collected by pytest. Run: ``.venv/bin/python tests/stats/bench_stats.py [DB]`` (the DB is built once
and reused when it exists).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from quizzer.decks.model import Deck
from quizzer.store import Store
from quizzer.store.migrations import KIND_CODES, REVIEW_VALUES, insert_reviews

REVIEWS = 1_000_000
CARDS = 20_000
DECKS = 20
DAYS = 3 * 365
TODAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)


def synthetic_decks() -> list[Deck]:
    decks = []
    per_deck = CARDS // DECKS
    for d in range(DECKS):
        cards: list[dict] = []
        for c in range(per_deck):
            card: dict = {"id": f"c{c}", "front": "q", "back": "a", "tags": [f"topic-{(d * 7 + c) % 60}"]}
            if c % 10 == 0:
                card = {"id": f"c{c}", "kind": "generated", "generator": ["confusion-matrix", "cv-scheme",
                        "learning-curve"][c % 3], "tags": card["tags"]}
            cards.append(card)
        decks.append(Deck.model_validate({"id": f"deck-{d}", "title": f"Deck {d}", "tags": [f"stage-{d}"],
                                          "cards": cards}))
    return decks


def build(path: Path) -> None:
    rng = random.Random(7)
    with Store(path) as store:
        conn = store.conn
        conn.execute("BEGIN")
        per_deck = CARDS // DECKS
        conn.executemany(
            "INSERT INTO cards (key, deck_id, card_id, ef, interval, reps, due, first_day, review_count, lapses) "
            "VALUES (?, ?, ?, 250, ?, ?, ?, ?, 0, 0)",
            [(k + 1, f"deck-{k // per_deck}", f"c{k % per_deck}", rng.choice([1, 6, 15, 40, 100]),
              rng.randint(0, 6), TODAY.toordinal() + rng.randint(-20, 120), TODAY.toordinal() - DAYS)
             for k in range(CARDS)])
        first = TODAY.toordinal() - DAYS + 1
        base = int(datetime.combine(date.fromordinal(first), datetime.min.time(), UTC).timestamp() * 1000)
        rows = []
        for i in range(REVIEWS):
            offset = i * DAYS // REVIEWS
            day = first + offset
            at = base + offset * 86_400_000 + rng.randrange(86_400_000)
            quality = rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 5])
            interval = rng.choice([0, 1, 6, 15, 30, 80])
            rows.append((rng.randrange(1, CARDS + 1), at, quality, None, int(quality >= 3) if i % 3 else None,
                         rng.randint(1500, 40_000), KIND_CODES["open"], None, int(rng.random() < 0.05), day,
                         250, interval, 2, None if interval == 0 else day, 250, interval, 3, day + 6))
            if len(rows) == 100_000:
                conn.executemany(insert_reviews(REVIEW_VALUES[:18]), rows)
                rows = []
        conn.execute("COMMIT")
        conn.execute("ANALYZE")


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/quizzer-bench.db")
    if not path.exists():
        started = time.perf_counter()
        build(path)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    from quizzer.stats import compute, weak_cards

    decks = synthetic_decks()
    with Store(path) as store:
        assert store.total_reviews() == REVIEWS
        started = time.perf_counter()
        compute(store, decks, now=NOW, tz=UTC)
        first = time.perf_counter() - started
        times = []
        for _ in range(5):
            started = time.perf_counter()
            figures = compute(store, decks, now=NOW, tz=UTC)
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        compute(store, decks, now=NOW, tz=UTC, deck_id="deck-3")
        one_deck = time.perf_counter() - started
        started = time.perf_counter()
        drill = weak_cards(store, decks, NOW, tz=UTC)
        weak = time.perf_counter() - started
    print(f"compute(): first call {first * 1000:.0f} ms, then median {statistics.median(times) * 1000:.0f} ms, "
          f"best {min(times) * 1000:.0f} ms (all decks); one deck {one_deck * 1000:.0f} ms; "
          f"weak_cards() {weak * 1000:.0f} ms ({len(drill)} cards); total_reviews={figures.reviews}")


if __name__ == "__main__":
    main()
