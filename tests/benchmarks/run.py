"""Quizzer's benchmark suite: builds a large synthetic setup and prints JSON figures.

    python tests/benchmarks/run.py [--workdir DIR] [--quick]
    python tests/benchmarks/run.py --vs-anki [--quick] [--decks N --cards N --reviews N] [--runs N]

With ``--vs-anki`` it runs ``anki_twin.py`` instead: the same workload in Quizzer and in Anki's own
backend library, timed side by side (see that module for the figures).

Figures (targets on a 2-core machine in brackets):
  first_card          launch to first card on screen, and a bare Textual app's start   [<= 1.5x]
  answer_round_trip   grade + schedule + commit, p50 / p95 ms                           [p95 <= 20 ms]
  due_queue           building the due queue at 20k cards / 1M reviews, ms              [<= 50 ms]
  stats               the Stats figures at 1M reviews, ms                               [<= 500 ms]
  yaml_load           20k cards of YAML cold, from cache, and a bare CSafeLoader parse  [<= 2x; <= 100 ms]
  peak_rss            a session using scikit-learn-backed generators, MB                [<= 250 MB]
  generators          instances per second of every family
  db_bytes_per_review database size per review row                                      [<= 120 B]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

import yaml  # noqa: E402
from synthetic import N_REVIEWS, build_database, write_decks  # noqa: E402

NOW = datetime.now(UTC)


def timed(function, repeat: int = 5) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_yaml(deck_dir: Path, cache_dir: Path) -> dict:
    from quizzer.decks.loader import load_sources

    files = sorted(deck_dir.glob("*.yaml"))
    texts = [file.read_bytes() for file in files]

    def bare() -> None:
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - the C *safe* loader

    cold = timed(lambda: load_sources([(deck_dir, False)]), 3)
    load_sources([(deck_dir, False)], cache_dir)  # fill the cache
    cached = timed(lambda: load_sources([(deck_dir, False)], cache_dir), 5)
    plain = timed(bare, 3)
    cards = sum(len(d.deck.cards) for d in load_sources([(deck_dir, False)], cache_dir).decks)
    return {"cards": cards, "cold_ms": round(min(cold), 1), "cached_ms": round(min(cached), 1),
            "bare_csafeloader_ms": round(min(plain), 1), "cold_ratio": round(min(cold) / min(plain), 2)}


def bench_queue_and_answers(db: Path, deck_dir: Path, cache_dir: Path) -> dict:
    from quizzer.decks.loader import load_sources
    from quizzer.session import Session, SessionConfig, build_queue
    from quizzer.store import Store

    decks = [loaded.deck for loaded in load_sources([(deck_dir, False)], cache_dir).decks]
    store = Store(db)
    session_today = Session(store, decks[:1], now=NOW, seed=1).today
    queue_times = timed(lambda: build_queue(store, decks, session_today, 20), 7)
    queue = build_queue(store, decks, session_today, 20)

    session = Session(store, decks, now=NOW, seed=1, config=SessionConfig(new_per_day=20))
    trips = []
    for _ in range(300):
        item = session.next()
        if item is None:
            break
        if item.kind == "generated":
            session.prepare(item)  # prepared in the background by the app, not part of the round trip
        start = time.perf_counter()
        if item.kind in ("numeric", "choice", "generated"):
            grade = session.grade(item, "1")
            correct = getattr(grade, "correct", False)
            session.record(item, 4 if correct else 1, now=datetime.now(UTC), answer="1", correct=correct,
                           response_ms=1000)
        else:
            session.record(item, 4, now=datetime.now(UTC), response_ms=1000)
        trips.append((time.perf_counter() - start) * 1000)
    store.close()
    trips.sort()
    return {
        "due_queue": {"ms": round(statistics.median(queue_times), 1), "queue_length": len(queue)},
        "answer_round_trip": {"answers": len(trips), "p50_ms": round(statistics.median(trips), 2),
                              "p95_ms": round(trips[int(len(trips) * 0.95) - 1], 2)},
    }


def bench_stats(db: Path, deck_dir: Path, cache_dir: Path) -> dict:
    from quizzer import stats
    from quizzer.decks.loader import load_sources
    from quizzer.store import Store

    decks = [loaded.deck for loaded in load_sources([(deck_dir, False)], cache_dir).decks]
    store = Store(db)
    times = timed(lambda: stats.compute(store, decks, now=NOW), 3)
    store.close()
    return {"ms": round(statistics.median(times), 1)}


def bench_db_size(db: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    conn.close()
    size = db.stat().st_size
    return {"bytes": size, "reviews": rows, "bytes_per_review": round(size / rows, 1)}


RSS_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from datetime import UTC, datetime
    from generators import names
    from quizzer.decks import parse_deck
    from quizzer.session import Session, SessionConfig
    from quizzer.store import Store
    cards = "".join(f"  - {{id: g{i}, kind: generated, generator: {name}}}\\n" for i, name in enumerate(names()))
    deck = parse_deck("id: rss\\ntitle: RSS\\ncards:\\n" + cards * 1)
    store = Store(sys.argv[1])
    session = Session(store, [deck], now=datetime.now(UTC), seed=3, config=SessionConfig(new_per_day=1000))
    for _ in range(3 * len(deck.cards)):
        item = session.next()
        if item is None:
            break
        session.prepare(item)
        session.grade(item, "1")
        session.record(item, 5, now=datetime.now(UTC))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    """
)


def bench_rss(workdir: Path) -> dict:
    (workdir / "rss.db").unlink(missing_ok=True)  # every card new, so every family really runs
    result = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(workdir / "rss.db")], capture_output=True,
                            text=True, check=True, cwd=HERE.parent.parent)
    return {"peak_rss_mb": round(float(result.stdout.strip().splitlines()[-1]), 1)}


FIRST_CARD = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QUIZZER_BENCH_FIRST_CARD_FILE"] = sys.argv[1]
    from pathlib import Path
    from quizzer.tui.launch import run_app
    run_app(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]], drill=["*"], headless=True)
    """
)

BARE_TEXTUAL = textwrap.dedent(
    """
    import sys, time
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("hello")
        def on_mount(self):
            self.call_after_refresh(self.done)
        def done(self):
            open(sys.argv[1], "w").write(repr(time.time()))
            self.exit()
    Bare().run(headless=True)
    """
)


def bench_first_card(workdir: Path, db: Path, runs: int = 5) -> dict:
    """At scale (built-in + 200 synthetic decks, the 1M-review database) and, for context, a new user's
    start (built-in decks only, empty database); both against a bare Textual app."""
    fresh = workdir / "fresh-user"

    def launch(code: str, *args: str, data: Path = workdir) -> float:
        marker = workdir / "marker.txt"
        marker.unlink(missing_ok=True)
        start = time.time()
        subprocess.run([sys.executable, "-c", code, str(marker), *args], check=True, capture_output=True,
                       timeout=120, cwd=HERE.parent.parent,
                       # Bytecode written and used, as an installed app has it (see anki_twin._with_bytecode).
                       env={**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                            "QUIZZER_DATA_DIR": str(data), "QUIZZER_CACHE_DIR": str(data / "cache")})
        return (float(marker.read_text()) - start) * 1000

    bare = statistics.median(launch(BARE_TEXTUAL) for _ in range(runs))
    try:
        launch(FIRST_CARD, str(fresh / "q.db"), data=fresh)  # fills the new user's deck cache once
        # The synthetic decks sit in the user's deck folder (workdir/decks), as a user's own decks would.
        scale = statistics.median(launch(FIRST_CARD, str(db)) for _ in range(runs))
        builtin = statistics.median(launch(FIRST_CARD, str(fresh / "q.db"), data=fresh) for _ in range(runs))
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError) as error:
        return {"error": str(error), "bare_textual_ms": round(bare, 1)}
    return {"first_card_ms": round(scale, 1), "bare_textual_ms": round(bare, 1), "ratio": round(scale / bare, 2),
            "builtin_only_first_card_ms": round(builtin, 1), "builtin_only_ratio": round(builtin / bare, 2)}


def bench_generators(n: int) -> dict:
    from generators import get, names

    figures = {}
    for name in names():
        generator = get(name)
        generator.generate(0)  # warm imports
        times = []
        for seed in range(1, n + 1):
            start = time.perf_counter()
            generator.generate(seed)
            times.append(time.perf_counter() - start)
        figures[name] = {"instances_per_s": round(len(times) / sum(times), 1),
                         "median_ms": round(statistics.median(times) * 1000, 2)}
    return figures


def main() -> None:
    if "--vs-anki" in sys.argv[1:]:
        import anki_twin

        anki_twin.main([arg for arg in sys.argv[1:] if arg != "--vs-anki"])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vs-anki", action="store_true", help="compare with Anki instead (anki_twin.py)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--generator-instances", type=int, default=100)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="quizzer-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    deck_dir, cache_dir, db = workdir / "decks", workdir / "cache", workdir / "bench.db"

    started = time.perf_counter()
    if not deck_dir.exists():
        write_decks(deck_dir)
    if not db.exists():
        build_database(db, NOW.date())
    setup_s = time.perf_counter() - started
    report = {
        "date": NOW.date().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "setup": {"decks": 200, "reviews": N_REVIEWS, "seconds": round(setup_s, 1)},
        "yaml_load": bench_yaml(deck_dir, cache_dir),
        **bench_queue_and_answers(db, deck_dir, cache_dir),
        "stats": bench_stats(db, deck_dir, cache_dir),
        "db_bytes_per_review": bench_db_size(db),
        "peak_rss": bench_rss(workdir),
        "first_card": bench_first_card(workdir, db),
        "generators": bench_generators(args.generator_instances),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
