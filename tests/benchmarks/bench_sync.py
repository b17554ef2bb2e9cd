"""How long one sync takes to merge another device's reviews into a database that already holds its own.

    python tests/benchmarks/bench_sync.py [--reviews 100000] [--local 100000] [--cards 20000]

Another device's REVIEWS reviews (one segment, as its first sync writes it, in the current format) are merged into a database holding
LOCAL reviews of its own over the same CARDS cards, already sent: read and check the segment, insert the rows,
replay every touched card. Target: 100,000 reviews in <= 3 s. The statistics tallies count the merged rows when
they are next read (m009), as they do a drill's answers: that one-off cost is timed too
(``tallies_after_merge_s``). Also times the local device's first sync (sending its LOCAL reviews as one segment)
and a repeated sync. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quizzer.sm2 import SM2State, step  # noqa: E402
from quizzer.store import Store  # noqa: E402
from quizzer.store.migrations import KIND_CODES, catch_up_tallies, insert_reviews  # noqa: E402
from quizzer.sync import FORMAT, FORMAT_VERSION, sync  # noqa: E402

START_MS = 1_777_885_200_000  # 2026-05-04 09:00 UTC
START_DAY = 739_740
DAY_MS = 86_400_000


def drill_rows(count: int, cards: int, seed: int) -> list[dict[str, object]]:
    """``count`` reviews as a drill would log them: cards answered in time order, states stepped with SM-2."""
    rng = random.Random(seed)
    states: dict[int, SM2State] = {}
    rows = []
    span = 365 * DAY_MS
    for seq, at in enumerate(sorted(START_MS + rng.randrange(span) for _ in range(count)), start=1):
        card = rng.randrange(cards)
        day = START_DAY + (at - START_MS) // DAY_MS
        quality = rng.choice([2, 3, 4, 4, 5, 5])
        before = states.get(card, SM2State())
        after = step(before, quality, date.fromordinal(day))
        states[card] = after
        rows.append(
            {
                "seq": seq,
                "deck_id": f"deck{card % 20}",
                "card_id": f"card{card}",
                "reviewed_at": at,
                "order_at": at,
                "study_day": day,
                "quality": quality,
                "answer": None,
                "correct": None,
                "response_ms": 4000,
                "kind": "open",
                "seed": None,
                "reask": False,
                "ef_before": round(before.easiness * 100),
                "interval_before": before.interval,
                "reps_before": before.repetitions,
                "due_before": None if before.due is None else before.due.toordinal(),
                "ef_after": round(after.easiness * 100),
                "interval_after": after.interval,
                "reps_after": after.repetitions,
                "due_after": after.due.toordinal(),
            }
        )
    return rows


def load_local(store: Store, rows: list[dict[str, object]]) -> None:
    """Bulk-load this device's own reviews (as years of drilling would have left them), then derive states."""
    conn = store.conn
    conn.execute("BEGIN")
    keys: dict[tuple[object, object], int] = {}
    for row in rows:
        card = (row["deck_id"], row["card_id"])
        if card not in keys:
            keys[card] = int(
                conn.execute("INSERT INTO cards (deck_id, card_id) VALUES (?, ?)", card).lastrowid or 0
            )
    names = [name for name in rows[0] if name not in ("seq", "deck_id", "card_id")]
    conn.executemany(
        insert_reviews(["card_key", *names]),
        (
            [
                keys[(row["deck_id"], row["card_id"])],
                *(KIND_CODES[row[name]] if name == "kind" else row[name] for name in names),
            ]
            for row in rows
        ),
    )
    conn.execute("COMMIT")
    store.rebuild_states()
    # Its statistics tallies as they stand once the statistics have been read (m009: answers are counted
    # when they are next read, or by a merge first; years of drilling would have read them many times).
    store.write(lambda: catch_up_tallies(conn))


def write_segment(folder: Path, device: str, rows: list[dict[str, object]]) -> None:
    directory = folder / device
    directory.mkdir()
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "device": device,
        "first": 1,
        "last": len(rows),
        "count": len(rows),
        "columns": list(rows[0]),
    }
    lines = [json.dumps(header), *(json.dumps(list(row.values()), separators=(",", ":")) for row in rows)]
    (directory / f"{1:012d}-{len(rows):012d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--local", type=int, default=100_000)
    parser.add_argument("--cards", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        folder = base / "sync"
        with Store(base / "local.db") as store:
            load_local(store, drill_rows(args.local, args.cards, seed=2))
            started = time.perf_counter()
            first = sync(store, folder)  # this device's first sync: all its reviews as one segment
            send_s = time.perf_counter() - started
            assert first.sent == args.local, first.summary()
            write_segment(folder, "feedfacecafebeef", drill_rows(args.reviews, args.cards, seed=1))
            started, cpu = time.perf_counter(), time.process_time()
            report = sync(store, folder)
            merge_s = time.perf_counter() - started
            merge_cpu_s = time.process_time() - cpu
            assert report.received == args.reviews, report.summary()
            again = time.perf_counter()
            assert sync(store, folder).received == 0
            noop_s = time.perf_counter() - again
            started = time.perf_counter()
            store.write(lambda: catch_up_tallies(store.conn))  # what the next statistics read does first
            tally_s = time.perf_counter() - started
            total = store.total_reviews()
            tallied = store.conn.execute("SELECT SUM(reviews) FROM review_days").fetchone()[0]
    print(
        json.dumps(
            {
                "received": report.received,
                "local_reviews": args.local,
                "cards": args.cards,
                "rescheduled": report.rescheduled,
                "sent": report.sent,
                "merge_s": round(merge_s, 3),
                # CPU time of this process: on a loaded machine the wall time also counts others' work.
                "merge_cpu_s": round(merge_cpu_s, 3),
                "target_s": 3.0,
                "within_target": merge_s <= 3.0,
                "tallies_after_merge_s": round(tally_s, 3),
                "first_send_s": round(send_s, 3),
                "repeat_sync_s": round(noop_s, 3),
                "total_reviews": total,
                "tallied_reviews": tallied,
                "sqlite": sqlite3.sqlite_version,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
