"""Quizzer against Anki on the same workload: the synthetic setup and its Anki twin, timed side by side.

    python tests/benchmarks/anki_twin.py [--decks 200 --cards 20000 --reviews 1000000] [--runs 5]
                                         [--workdir DIR] [--quick]
    python tests/benchmarks/run.py --vs-anki [same options]

"Faster than Anki" only means something against the tool people would use instead, so the anchor is
Anki's own backend library (the ``anki`` package: the Rust core of Anki desktop). The twin holds the same
cards and the same history as Quizzer's synthetic database: the Quizzer side is built first
(``synthetic.py``, fixed seed), then every deck becomes an Anki deck under one parent, every card a Basic
note added through ``col.add_notes``, and each card's schedule and every review row are copied from
Quizzer's database into Anki's ``cards`` and ``revlog`` tables (bulk SQL on the closed collection, then
reopened so the backend sees them). Both tools then have the same number of cards due today; both counts
are printed.

Figures (Quizzer, Anki, Quizzer/Anki; below 1 means Quizzer is faster or smaller):
  cold_start_first_card_ms  a new process: import, open, build the queue, take the first due card
  due_queue_ms              the whole due queue (Anki: a forced rebuild, every due card fetched)
  deck_counts_ms            due/new counts of every deck (Anki: the deck list's due tree)
  bytes_per_review          database file size / review rows, after VACUUM
  log_table_bytes_per_review  the review table and its indexes only (SQLite dbstat) / review rows
  answer_p95_ms             one answer: grade, schedule, durable commit (Anki: answer_card, which commits)
  answer_and_next_card_p95_ms  the same plus fetching the next card
  stats_all_history_ms      the statistics screen over all history (Anki: the graphs data call, whole
                            collection, a window covering every review)
  peak_rss_mb               a 1,000-answer session in its own process (VmHWM: getrusage's ru_maxrss
                            survives exec and would report this harness's own peak)

Beside the figures (not against Anki), ``tui_first_card_vs_bare_textual``: the app's first card on screen
(headless, a new process) against a bare Textual app's first frame, at scale and with built-in decks only.

Timings alternate Quizzer and Anki run by run and report medians of ``--runs`` runs (at least 5 unless
``--quick``). The built pair is kept in ``WORKDIR/pristine`` and reused while the sizes and the day match;
every run works on fresh copies, so answering never changes a later measurement's input.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from synthetic import WORKLOAD_VERSION, YEARS, build_database, write_decks  # noqa: E402

NEW_PER_DAY = 20  # Quizzer's default; the Anki twin's parent deck gets the same daily allowance
ANKI_REVIEW_LIMIT = 9999  # the largest reviews/day Anki accepts (larger values fall back to 200)
PARENT_DECK = "Synthetic"
PASS_SHARE = 0.85  # answers pass (Quizzer 4 / Anki Good) with this probability, fail (1 / Again) otherwise
ANSWERS_PER_RUN = 200  # answers timed per run for the p95
RSS_ANSWERS = 1000


@dataclass(frozen=True)
class Sizes:
    decks: int
    cards: int
    reviews: int

    @property
    def cards_per_deck(self) -> int:
        return self.cards // self.decks


FULL = Sizes(200, 20_000, 1_000_000)
QUICK = Sizes(3, 60, 2_000)


def passes(seed: int, count: int) -> list[bool]:
    """The pass/fail sequence both tools answer with, so they do the same scheduling work."""
    rng = random.Random(seed)
    return [rng.random() < PASS_SHARE for _ in range(count)]


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def figure(quizzer: float, anki: float, **extra: Any) -> dict[str, Any]:
    return {
        "quizzer": round(quizzer, 3),
        "anki": round(anki, 3),
        "ratio": round(quizzer / anki, 3) if anki else None,
        **extra,
    }


# -- building the pair ---------------------------------------------------------------------------


def quizzer_today(now: datetime) -> date:
    from quizzer.session import study_day

    return study_day(now)


def load_decks(deck_dir: Path, cache_dir: Path) -> list:  # noqa: ANN401 - quizzer Deck objects
    from quizzer.decks.loader import load_sources

    return [loaded.deck for loaded in load_sources([(deck_dir, False)], cache_dir).decks]


def note_fields(card: Any) -> tuple[str, str]:  # noqa: ANN401 - any Quizzer card model
    """Front and back of the Anki note standing in for a Quizzer card (text of similar length)."""
    kind = card.kind
    if kind == "choice":
        return f"{card.front}<br>{' / '.join(card.options)}", f"{card.answer}<br>{card.explanation or ''}"
    if kind == "numeric":
        return card.front, f"{card.answer}"
    if kind == "generated":
        return card.front or f"Generated problem: {card.generator}", "(generated)"
    return card.front, card.back or ""


def anki_ease(quality: int) -> int:
    """Quizzer's 0-5 quality as Anki's answer button: 0-2 Again, 3 Hard, 4 Good, 5 Easy."""
    return 1 if quality <= 2 else quality - 1


def build_anki(path: Path, decks: list, quizzer_db: Path, today: date) -> dict[str, Any]:
    """The Anki twin of Quizzer's database at ``quizzer_db``: same cards, same schedule, same history.

    A card due ``n`` days from Quizzer's ``today`` is due ``n`` days from Anki's own today."""
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    # Start the collection's calendar before the history, so every review day is a positive day number.
    col.crt = col.crt - (YEARS + 1) * 366 * 86_400
    col.close()
    col = Collection(str(path))
    try:
        conf = col.decks.config_dict_for_deck_id(1)
        conf["rev"]["perDay"] = ANKI_REVIEW_LIMIT
        conf["new"]["perDay"] = NEW_PER_DAY
        col.decks.update_config(conf)
        parent = col.decks.id(PARENT_DECK)
        model = col.models.by_name("Basic")
        requests, keys = [], []
        for deck in decks:
            deck_id = col.decks.id(f"{PARENT_DECK}::{deck.title}")
            for card in deck.cards:
                note = col.new_note(model)
                note["Front"], note["Back"] = note_fields(card)
                note.tags = deck.card_tags(card)
                requests.append(AddNoteRequest(note, deck_id))
                keys.append((deck.id, card.id))
        started = time.perf_counter()
        col.add_notes(requests)
        add_notes_s = time.perf_counter() - started
        card_of_note = dict(col.db.all("SELECT nid, id FROM cards"))
        card_ids = {key: card_of_note[request.note.id] for key, request in zip(keys, requests, strict=True)}
        col.decks.select(parent)  # the deck studied on opening, as a user would have it
        anki_today = col.sched.today
    finally:
        col.close()

    today_ordinal = today.toordinal()
    source = sqlite3.connect(quizzer_db)
    key_to_card = {}
    schedule = []
    for key, deck_id, card_id, ef, interval, count, lapses, due in source.execute(
        "SELECT key, deck_id, card_id, ef, interval, review_count, lapses, due FROM cards"
    ):
        anki_id = card_ids.get((deck_id, card_id))
        if anki_id is None:
            continue
        key_to_card[key] = anki_id
        if ef is not None:
            schedule.append((anki_today + due - today_ordinal, interval, ef * 10, count, lapses, anki_id))
    reviews = source.execute(
        """SELECT card_key, reviewed_at, quality, interval_before, interval_after, ef_after, response_ms, reask
           FROM reviews ORDER BY reviewed_at, id"""
    )
    revlog = []
    last_id = 0
    for key, at, quality, before, after, ef, response, reask in reviews:
        row_id = max(at, last_id + 1)  # revlog ids are unique millisecond stamps
        last_id = row_id
        revlog.append(
            (
                row_id,
                key_to_card[key],
                -1,
                anki_ease(quality),
                after or 0,
                before or 0,
                (ef or 250) * 10,
                min(response or 0, 60_000),
                2 if reask else 1,
            )
        )
    source.close()

    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = 0 "
            "WHERE id = ?",
            schedule,
        )
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            revlog,
        )
    conn.close()
    col = Collection(str(path))  # reopened: the backend now sees the schedule and the history
    try:
        counts = {
            "notes": col.note_count(),
            "cards": col.card_count(),
            "revlog": col.db.scalar("SELECT COUNT(*) FROM revlog"),
        }
    finally:
        col.close()
    return {**counts, "add_notes_s": round(add_notes_s, 2)}


def vacuum(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()


def vacuum_anki(path: Path) -> None:
    """Through Anki itself: its indexes use a collation (unicase) only the backend provides."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        col.optimize()
    finally:
        col.close()


def build_pair(pristine: Path, sizes: Sizes, now: datetime) -> dict[str, Any]:
    """Build (or reuse) the Quizzer setup and its Anki twin in ``pristine``.

    A pair is reused only at the database schema of the code under test: an older database would be
    migrated by every measured process first (a schema-4 pair made each session rewrite 1M reviews).
    """
    from quizzer.store.migrations import SCHEMA_VERSION

    manifest = pristine / "manifest.json"
    today = quizzer_today(now)
    wanted = {**asdict(sizes), "today": today.isoformat()}
    if manifest.exists():
        built = json.loads(manifest.read_text())
        if (
            built.get("sizes") == wanted
            and built.get("quizzer_schema") == SCHEMA_VERSION
            and built.get("workload") == WORKLOAD_VERSION
        ):
            return built
    shutil.rmtree(pristine, ignore_errors=True)
    pristine.mkdir(parents=True)
    deck_dir, cache_dir = pristine / "decks", pristine / "cache"
    started = time.perf_counter()
    write_decks(deck_dir, sizes.decks, sizes.cards_per_deck)
    build_database(
        pristine / "quizzer.db",
        today,
        n_decks=sizes.decks,
        cards_per_deck=sizes.cards_per_deck,
        n_reviews=sizes.reviews,
    )
    decks = load_decks(deck_dir, cache_dir)  # fills the parsed-deck cache, as a second launch would find it
    quizzer_s = time.perf_counter() - started
    started = time.perf_counter()
    anki = build_anki(pristine / "collection.anki2", decks, pristine / "quizzer.db", today)
    anki_s = time.perf_counter() - started
    vacuum(pristine / "quizzer.db")
    vacuum_anki(pristine / "collection.anki2")
    info = {
        "sizes": wanted,
        "quizzer_schema": SCHEMA_VERSION,
        "workload": WORKLOAD_VERSION,
        "anki_collection": anki,
        "setup_seconds": {"quizzer": round(quizzer_s, 1), "anki": round(anki_s, 1)},
    }
    manifest.write_text(json.dumps(info))
    return info


def fresh_copy(pristine: Path, target: Path) -> tuple[Path, Path]:
    """Copies of both databases to work on (the deck folder and cache are only read: shared)."""
    target.mkdir(parents=True, exist_ok=True)
    quizzer_db, anki_col = target / "quizzer.db", target / "collection.anki2"
    for suffix in ("-wal", "-shm"):
        Path(str(quizzer_db) + suffix).unlink(missing_ok=True)
        Path(str(anki_col) + suffix).unlink(missing_ok=True)
    shutil.copyfile(pristine / "quizzer.db", quizzer_db)
    shutil.copyfile(pristine / "collection.anki2", anki_col)
    return quizzer_db, anki_col


# -- sizes on disk -------------------------------------------------------------------------------


def table_bytes(path: Path, table: str) -> int:
    """Bytes of one table and its indexes (SQLite's dbstat), the log's own share of the file."""
    conn = sqlite3.connect(path)
    size = conn.execute(
        "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)",
        (table,),
    ).fetchone()[0]
    conn.close()
    return int(size or 0)


def bytes_by_object(path: Path, rows: int) -> dict[str, float]:
    """Bytes per review of each table and index (SQLite's dbstat), largest first: where the file's size goes."""
    conn = sqlite3.connect(path)
    sizes = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    conn.close()
    return {name: round(size / rows, 1) for name, size in sizes if size / rows >= 0.1}


def bench_bytes(pristine: Path) -> dict[str, Any]:
    quizzer_db, anki_col = pristine / "quizzer.db", pristine / "collection.anki2"
    conn = sqlite3.connect(quizzer_db)
    q_rows = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    conn.close()
    conn = sqlite3.connect(anki_col)
    a_rows = conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    conn.close()
    q_size, a_size = quizzer_db.stat().st_size, anki_col.stat().st_size
    q_log, a_log = table_bytes(quizzer_db, "reviews"), table_bytes(anki_col, "revlog")
    return {
        "bytes_per_review": figure(
            q_size / q_rows,
            a_size / a_rows,
            reviews={"quizzer": q_rows, "anki": a_rows},
            file_bytes={"quizzer": q_size, "anki": a_size},
            by_object={"quizzer": bytes_by_object(quizzer_db, q_rows), "anki": bytes_by_object(anki_col, a_rows)},
        ),
        "log_table_bytes_per_review": figure(q_log / q_rows, a_log / a_rows),
    }


# -- cold start and memory: fresh processes ------------------------------------------------------

QUIZZER_COLD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from quizzer.decks.loader import load_sources
    from quizzer.session import Session
    from quizzer.store import Store
    decks = [loaded.deck for loaded in load_sources([(Path(sys.argv[2]), False)], Path(sys.argv[3])).decks]
    store = Store(Path(sys.argv[1]))
    item = Session(store, decks, now=datetime.now(UTC), seed=1).next()
    stamp = time.time()
    store.close()
    print(stamp, item.deck.id, item.card.id)
    """
)

ANKI_COLD = textwrap.dedent(
    """
    import sys, time
    from anki.collection import Collection
    col = Collection(sys.argv[1])
    card = col.sched.get_queued_cards().cards[0].card
    stamp = time.time()
    col.close()
    print(stamp, card.id)
    """
)

# The peak resident set of this process image: VmHWM. (getrusage's ru_maxrss survives exec, so a child
# spawned by a big harness would report the harness's peak instead of its own.)
PEAK_RSS = (
    "def peak_rss_mb():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            return int(line.split()[1]) / 1024\n"
)

PASSES = "import random\npasses = [random.Random(int(sys.argv[2])).random() < {share} for _ in range({n})]\n"

QUIZZER_SESSION = (
    textwrap.dedent(
        """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from quizzer.decks.loader import load_sources
    from quizzer.session import Session, SessionConfig
    from quizzer.store import Store
    """
    )
    + "{passes}"
    + textwrap.dedent(
        """
    decks = [loaded.deck for loaded in load_sources([(Path(sys.argv[3]), False)], Path(sys.argv[4])).decks]
    store = Store(Path(sys.argv[1]))
    session = Session(store, decks, now=datetime.now(UTC), seed=3, config=SessionConfig(new_per_day={new}))
    answered = 0
    for good in passes:
        item = session.next()
        if item is None:
            break
        if item.kind == "generated":
            session.prepare(item)  # a real session shows the problem, so the generator runs
        correct = None
        if item.kind != "open":
            grade = session.grade(item, "1")
            correct = getattr(grade, "correct", None)
        session.record(item, 4 if good else 1, now=datetime.now(UTC), answer="1", correct=correct,
                       response_ms=1000)
        answered += 1
    store.close()
    print(peak_rss_mb(), answered)
    """
    )
)

ANKI_SESSION = (
    textwrap.dedent(
        """
    import sys
    from anki.collection import Collection
    from anki.cards import Card
    """
    )
    + "{passes}"
    + textwrap.dedent(
        """
    col = Collection(sys.argv[1])
    answered = 0
    for good in passes:
        queued = col.sched.get_queued_cards().cards
        if not queued:
            break
        card = Card(col)
        card._load_from_backend_card(queued[0].card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=3 if good else 1))
        answered += 1
    col.close()
    print(peak_rss_mb(), answered)
    """
    )
)


def session_script(template: str, answers: int) -> str:
    return template.replace("{passes}", PEAK_RSS + PASSES.format(share=PASS_SHARE, n=answers)).replace(
        "{new}", str(NEW_PER_DAY)
    )


def run_script(code: str, *args: str) -> tuple[float, list[str]]:
    """Run ``code`` in a new interpreter; (wall ms from spawn, fields of its last output line)."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{result.stderr[-3000:]}")
    return (time.time() - started) * 1000, result.stdout.strip().splitlines()[-1].split()


def bench_cold_start(pristine: Path, work: Path, runs: int) -> dict[str, Any]:
    quizzer_db, anki_col = fresh_copy(pristine, work / "cold")
    deck_dir, cache_dir = str(pristine / "decks"), str(pristine / "cache")

    def quizzer() -> float:
        started = time.time()
        _, fields = run_script(QUIZZER_COLD, str(quizzer_db), deck_dir, cache_dir)
        return (float(fields[0]) - started) * 1000

    def anki() -> float:
        started = time.time()
        _, fields = run_script(ANKI_COLD, str(anki_col))
        return (float(fields[0]) - started) * 1000

    quizzer(), anki()  # warm the page cache for both: a second launch, not a first boot
    q_times, a_times = [], []
    for _ in range(runs):
        q_times.append(quizzer())
        a_times.append(anki())
    bare = [run_script("import time; print(time.time())")[0] for _ in range(3)]
    return {
        "cold_start_first_card_ms": figure(
            median(q_times), median(a_times), bare_python_ms=round(min(bare), 1)
        )
    }


def bench_rss(pristine: Path, work: Path, runs: int) -> dict[str, Any]:
    deck_dir, cache_dir = str(pristine / "decks"), str(pristine / "cache")
    # Refresh the parsed-deck cache if the code under test no longer accepts it (a new cache format), so
    # that every measured session opens the decks from the cache, as a second launch does.
    load_decks(pristine / "decks", pristine / "cache")
    quizzer_code = session_script(QUIZZER_SESSION, RSS_ANSWERS)
    anki_code = session_script(ANKI_SESSION, RSS_ANSWERS)
    q_rss, a_rss, q_answered, a_answered = [], [], [], []
    for run in range(runs):
        quizzer_db, anki_col = fresh_copy(pristine, work / "rss")
        _, fields = run_script(quizzer_code, str(quizzer_db), str(run), deck_dir, cache_dir)
        q_rss.append(float(fields[0]))
        q_answered.append(int(fields[1]))
        _, fields = run_script(anki_code, str(anki_col), str(run))
        a_rss.append(float(fields[0]))
        a_answered.append(int(fields[1]))
    return {
        "peak_rss_mb": figure(
            median(q_rss), median(a_rss), answers={"quizzer": min(q_answered), "anki": min(a_answered)}
        )
    }


def _with_bytecode() -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE: with it set, a source checkout without
    ``__pycache__`` compiles every Quizzer module on every launch (tens of ms the bare app, whose library is
    installed with its bytecode, never pays, and neither does an installed Quizzer). The warm-up launch
    writes the bytecode, as a user's first start does."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def bench_tui_first_card(pristine: Path, work: Path, runs: int) -> dict[str, Any]:
    """The app's first card on screen (headless Textual, a new process) against a bare Textual app's first
    frame, interleaved run by run: at scale (the synthetic decks in the user's deck folder beside the
    built-in ones, the 1M-review database) and for a new user (built-in decks only, an empty database).
    The scripts are ``run.py``'s; both caches are warm (a second launch)."""
    import run as suite

    home, fresh = work / "tui", work / "tui-new-user"
    for folder in (home, fresh):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    (home / "decks").symlink_to(pristine / "decks")
    db = home / "quizzer.db"
    shutil.copyfile(pristine / "quizzer.db", db)
    marker = work / "first-card.txt"

    def launch(code: str, *args: str, data: Path = home) -> float:
        marker.unlink(missing_ok=True)
        env = {**_with_bytecode(), "QUIZZER_DATA_DIR": str(data), "QUIZZER_CACHE_DIR": str(data / "cache")}
        started = time.time()
        subprocess.run(
            [sys.executable, "-c", code, str(marker), *args],
            check=True,
            capture_output=True,
            timeout=300,
            cwd=ROOT,
            env=env,
        )
        return (float(marker.read_text()) - started) * 1000

    scale = lambda: launch(suite.FIRST_CARD, str(db))  # noqa: E731
    new_user = lambda: launch(suite.FIRST_CARD, str(fresh / "q.db"), data=fresh)  # noqa: E731
    bare = lambda: launch(suite.BARE_TEXTUAL)  # noqa: E731
    scale(), new_user(), bare()  # fill both deck caches; warm the page cache
    s_times, n_times, b_times = [], [], []
    for _ in range(runs):
        s_times.append(scale())
        b_times.append(bare())
        n_times.append(new_user())
    return {
        "tui_first_card_vs_bare_textual": {
            "at_scale_ms": round(median(s_times), 1),
            "builtin_only_ms": round(median(n_times), 1),
            "bare_textual_ms": round(median(b_times), 1),
            "ratio_at_scale": round(median(s_times) / median(b_times), 2),
            "ratio_builtin_only": round(median(n_times) / median(b_times), 2),
        }
    }


# -- in-process figures --------------------------------------------------------------------------


def interleave(
    runs: int,
    quizzer: Callable[[], object],
    anki: Callable[[], object],
    before_anki: Callable[[], object] | None = None,
) -> tuple[list[float], list[float]]:
    """Alternate the two, ``runs`` timed calls each (ms), after one untimed warm-up call each."""
    quizzer()
    if before_anki:
        before_anki()
    anki()
    q_times, a_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        quizzer()
        q_times.append((time.perf_counter() - started) * 1000)
        if before_anki:
            before_anki()
        started = time.perf_counter()
        anki()
        a_times.append((time.perf_counter() - started) * 1000)
    return q_times, a_times


def timed_ms(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def invalidate_anki_queue(col: Any) -> None:  # noqa: ANN401 - anki Collection
    """Make Anki rebuild its study queue on the next fetch (any deck-options change clears the cache)."""
    conf = col.decks.config_dict_for_deck_id(1)
    col.decks.update_config(conf)


def bench_in_process(pristine: Path, work: Path, runs: int, now: datetime) -> dict[str, Any]:
    from anki.collection import Collection

    from quizzer import stats
    from quizzer.session import Session, all_deck_counts, build_queue
    from quizzer.store import Store

    quizzer_db, anki_col = fresh_copy(pristine, work / "live")
    decks = load_decks(pristine / "decks", pristine / "cache")
    store = Store(quizzer_db)
    col = Collection(str(anki_col))
    report: dict[str, Any] = {}
    try:
        today = Session(store, decks[:1], now=now, seed=1).today
        counts = all_deck_counts(store, decks, today)
        q_due = sum(entry["due"] for entry in counts.values())
        q_new = sum(entry["new"] for entry in counts.values())
        invalidate_anki_queue(col)
        head = col.sched.get_queued_cards()
        tree = col.sched.deck_due_tree()
        report["due_today"] = {
            "quizzer": q_due,
            "anki": head.review_count,
            "anki_deck_tree": tree.review_count,
            "equal": q_due == head.review_count == tree.review_count,
            "new": {"quizzer": q_new, "anki_today": head.new_count},
        }
        fetch = head.review_count + head.new_count + head.learning_count

        q_queue: list = []
        a_queue: list = []
        q_times, a_times = interleave(
            runs,
            lambda: q_queue.append(len(build_queue(store, decks, today, NEW_PER_DAY))),
            lambda: a_queue.append(len(col.sched.get_queued_cards(fetch_limit=fetch).cards)),
            before_anki=lambda: invalidate_anki_queue(col),
        )
        cached = [timed_ms(lambda: col.sched.get_queued_cards(fetch_limit=fetch)) for _ in range(runs)]
        report["due_queue_ms"] = figure(
            median(q_times),
            median(a_times),
            queue_length={"quizzer": q_queue[-1], "anki": a_queue[-1]},
            anki_from_its_cache_ms=median(cached),
        )

        q_times, a_times = interleave(
            runs, lambda: all_deck_counts(store, decks, today), lambda: col.sched.deck_due_tree()
        )
        report["deck_counts_ms"] = figure(median(q_times), median(a_times), decks=len(decks))

        history_days = YEARS * 366 + 2
        started = time.perf_counter()
        stats.compute(store, decks, now=now)  # the first call may build Quizzer's per-day tallies
        first_stats_ms = (time.perf_counter() - started) * 1000
        q_times, a_times = interleave(
            runs,
            lambda: stats.compute(store, decks, now=now),
            lambda: col._backend.graphs(search="", days=history_days),
        )
        report["stats_all_history_ms"] = figure(
            median(q_times),
            median(a_times),
            quizzer_first_call_ms=round(first_stats_ms, 1),
            quizzer_after_a_session_ms=stats_after_a_session(store, decks, now),
        )
    finally:
        store.close()
        col.close()
    return report


def bench_answers(pristine: Path, work: Path, runs: int, now: datetime) -> dict[str, Any]:
    """Each run answers up to ANSWERS_PER_RUN cards in each tool, alternating, with the same pass/fail
    draws, on fresh copies (so every run starts from the same schedule, at any size)."""
    from anki.cards import Card
    from anki.collection import Collection

    from quizzer.session import Session, SessionConfig
    from quizzer.store import Store

    decks = load_decks(pristine / "decks", pristine / "cache")
    q_p95, a_p95, q_next_p95, a_next_p95, q_all, a_all = [], [], [], [], [], []
    durability: dict[str, Any] = {}
    for run in range(runs):
        quizzer_db, anki_col = fresh_copy(pristine, work / "answers")
        draws = passes(100 + run, ANSWERS_PER_RUN)
        q_run, a_run, q_next, a_next = [], [], [], []
        with Store(quizzer_db) as store:
            session = Session(store, decks, now=now, seed=run, config=SessionConfig(new_per_day=NEW_PER_DAY))
            for good in draws:
                started = time.perf_counter()
                item = session.next()
                q_next.append((time.perf_counter() - started) * 1000)
                if item is None:
                    break
                if item.kind == "generated":
                    session.prepare(item)  # done in a worker while the user reads: not the answer's cost
                started = time.perf_counter()
                correct = None
                if item.kind != "open":
                    grade = session.grade(item, "1")
                    correct = getattr(grade, "correct", None)
                session.record(
                    item,
                    4 if good else 1,
                    now=datetime.now(UTC),
                    answer="1",
                    correct=correct,
                    response_ms=1000,
                )
                q_run.append((time.perf_counter() - started) * 1000)
            durability["quizzer"] = pragmas(store.conn)
        col = Collection(str(anki_col))
        try:
            for good in draws:
                started = time.perf_counter()
                queued = col.sched.get_queued_cards().cards
                a_next.append((time.perf_counter() - started) * 1000)
                if not queued:
                    break
                card = Card(col)
                card._load_from_backend_card(queued[0].card)
                card.start_timer()
                started = time.perf_counter()
                answer = col.sched.build_answer(card=card, states=queued[0].states, rating=3 if good else 1)
                col.sched.answer_card(answer)  # one committed transaction
                a_run.append((time.perf_counter() - started) * 1000)
            durability["anki"] = {
                "journal_mode": col.db.scalar("PRAGMA journal_mode"),
                "synchronous": col.db.scalar("PRAGMA synchronous"),
            }
        finally:
            col.close()
        q_p95.append(p95(q_run))
        a_p95.append(p95(a_run))
        q_next_p95.append(p95([a + b for a, b in zip(q_run, q_next, strict=False)]))
        a_next_p95.append(p95([a + b for a, b in zip(a_run, a_next, strict=False)]))
        q_all += q_run
        a_all += a_run
    return {
        "answer_p95_ms": figure(
            median(q_p95),
            median(a_p95),
            answers_per_run={"quizzer": len(q_all) // runs, "anki": len(a_all) // runs},
            p50_ms={
                "quizzer": round(statistics.median(q_all), 3),
                "anki": round(statistics.median(a_all), 3),
            },
            durability=durability,
        ),
        "answer_and_next_card_p95_ms": figure(median(q_next_p95), median(a_next_p95)),
    }


def stats_after_a_session(store: Any, decks: list, now: datetime) -> float:  # noqa: ANN401 - a quizzer Store
    """Quizzer's statistics right after a session of ANSWERS_PER_RUN answers, which the tallies count only
    when next read (m009): the cost the answers no longer pay, paid here once. (Anki keeps no tallies: its
    figure does not change after a session.)"""
    from quizzer import stats
    from quizzer.session import Session, SessionConfig

    session = Session(store, decks, now=now, seed=7, config=SessionConfig(new_per_day=NEW_PER_DAY))
    for good in passes(7, ANSWERS_PER_RUN):
        item = session.next()
        if item is None:
            break
        session.record(item, 4 if good else 1, now=now, answer="1", response_ms=1000)
    started = time.perf_counter()
    stats.compute(store, decks, now=now)
    return round((time.perf_counter() - started) * 1000, 1)


def pragmas(conn: sqlite3.Connection) -> dict[str, Any]:
    return {
        "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
        "synchronous": conn.execute("PRAGMA synchronous").fetchone()[0],
    }


# -- the report ----------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    import anki.buildinfo
    import numpy

    import quizzer

    return {
        "quizzer": quizzer.__version__,
        "anki": anki.buildinfo.version,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "numpy": numpy.__version__,
    }


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def run(sizes: Sizes, workdir: Path, runs: int, tui: bool = True, only: str | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    pristine, work = workdir / "pristine", workdir / "work"
    info = build_pair(pristine, sizes, now)
    report: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": now.isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "sizes": info["sizes"],
        "setup": {"seconds": info["setup_seconds"], "anki_collection": info["anki_collection"]},
        "runs": runs,
    }
    figures: dict[str, Any] = {}
    if only == "tui":
        report.update(bench_tui_first_card(pristine, work, runs))
        return report
    figures.update(bench_cold_start(pristine, work, runs))
    in_process = bench_in_process(pristine, work, runs, now)
    report["due_today"] = in_process.pop("due_today")
    figures.update(in_process)
    figures.update(bench_answers(pristine, work, runs, now))
    figures.update(bench_bytes(pristine))
    figures.update(bench_rss(pristine, work, runs))
    report["figures"] = figures
    if tui:  # not against Anki: beside the figures
        report.update(bench_tui_first_card(pristine, work, runs))
    report["peak_rss_of_this_harness_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decks", type=int, default=FULL.decks)
    parser.add_argument(
        "--cards", type=int, default=FULL.cards, help="total cards, spread evenly over the decks"
    )
    parser.add_argument("--reviews", type=int, default=FULL.reviews)
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per figure (medians)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"tiny size ({QUICK.decks} decks, {QUICK.cards} "
        f"cards, {QUICK.reviews} reviews), 3 runs: a check that everything works",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the built pair here and reuse it")
    parser.add_argument(
        "--no-tui", action="store_true", help="skip the app's first card against bare Textual"
    )
    parser.add_argument(
        "--only", choices=["tui"], default=None, help="only this figure (the pair is still built or reused)"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes(args.decks, args.cards, args.reviews)
    runs = 3 if args.quick and args.runs == 5 else args.runs
    if sizes.cards_per_deck < 1:
        parser.error("--cards must be at least --decks")
    if args.workdir is None:
        with tempfile.TemporaryDirectory(prefix="quizzer-vs-anki-") as folder:
            report = run(sizes, Path(folder), runs, not args.no_tui, args.only)
    else:
        report = run(sizes, args.workdir, runs, not args.no_tui, args.only)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
