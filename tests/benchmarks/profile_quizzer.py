"""Where Quizzer's time goes on the rows of the Anki comparison: a profile to optimise from.

    python tests/benchmarks/profile_quizzer.py --workdir DIR [--top 15]

``DIR`` is an ``anki_twin.py --workdir`` (its ``pristine/`` holds the synthetic decks, their cache and the
Quizzer database). Prints, for humans:
  - the cold start split into phases (imports, decks from cache, store open, queue, first item), each the
    best of a few fresh processes, and the heaviest imports (``-X importtime``, self time per package);
  - cProfile of ``build_queue``, ``all_deck_counts``, ``stats.compute`` and ``Session.record``, top
    functions by own time.
Nothing is written to the pristine database: the profile works on a copy.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

PHASES = textwrap.dedent(
    """
    import sys, time
    t0 = time.perf_counter()
    from datetime import UTC, datetime
    from pathlib import Path
    from quizzer.decks.loader import load_sources
    from quizzer.session import Session
    from quizzer.store import Store
    t1 = time.perf_counter()
    decks = [loaded.deck for loaded in load_sources([(Path(sys.argv[2]), False)], Path(sys.argv[3])).decks]
    t2 = time.perf_counter()
    store = Store(Path(sys.argv[1]))
    t3 = time.perf_counter()
    session = Session(store, decks, now=datetime.now(UTC), seed=1)
    t4 = time.perf_counter()
    item = session.next()
    t5 = time.perf_counter()
    print(*(round((b - a) * 1000, 1) for a, b in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]))
    """
)
PHASE_NAMES = ["imports", "decks_from_cache", "store_open", "session_queue", "first_item"]
COLD_IMPORTS = (
    "from quizzer.decks.loader import load_sources; from quizzer.session import Session; "
    "from quizzer.store import Store"
)


def cold_phases(db: Path, deck_dir: Path, cache_dir: Path, runs: int) -> None:
    best = [float("inf")] * len(PHASE_NAMES)
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", PHASES, str(db), str(deck_dir), str(cache_dir)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        values = [float(value) for value in result.stdout.split()]
        best = [min(a, b) for a, b in zip(best, values, strict=True)]
    print(f"cold start phases, best of {runs} fresh processes (ms):")
    for name, value in zip(PHASE_NAMES, best, strict=True):
        print(f"  {name:18} {value:8.1f}")
    print(f"  {'total':18} {sum(best):8.1f}")


def import_times(runs: int, top: int) -> None:
    """Self time per top-level package and per module, best of ``runs``.

    ``-X importtime`` prints ``self [us] | cumulative [us] | name`` per module; a module's self time
    includes the work its body does (e.g. building pydantic model classes)."""
    packages: dict[str, float] = {}
    modules: dict[str, float] = {}
    totals = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", COLD_IMPORTS],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        per_package: dict[str, float] = defaultdict(float)
        total = 0.0
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
            per_package[name.split(".")[0]] += int(self_us) / 1000
            modules[name] = min(modules.get(name, float("inf")), int(self_us) / 1000)
            total += int(self_us) / 1000
        totals.append(total)
        for name, value in per_package.items():
            packages[name] = min(packages.get(name, float("inf")), value)
    print(f"imports of the cold start: {min(totals):.1f} ms self time in total (best of {runs}); by package:")
    for name, value in sorted(packages.items(), key=lambda entry: -entry[1])[:top]:
        print(f"  {name:40} {value:8.1f} ms")
    print("heaviest single modules (self time, best of runs):")
    for name, value in sorted(modules.items(), key=lambda entry: -entry[1])[:top]:
        print(f"  {name:40} {value:8.1f} ms")


def profile(label: str, function, top: int, repeat: int = 3) -> None:  # noqa: ANN001
    function()  # warm
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        function()
    profiler.disable()
    elapsed = (time.perf_counter() - started) * 1000 / repeat
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(index for index, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print(f"\n{label}: {elapsed:.1f} ms per call under the profiler ({repeat} calls); top by own time:")
    for line in lines[start : start + top + 1]:
        print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True, help="an anki_twin.py --workdir")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pristine = args.workdir / "pristine"
    deck_dir, cache_dir = pristine / "decks", pristine / "cache"

    from quizzer import stats
    from quizzer.decks.loader import load_sources
    from quizzer.session import Session, SessionConfig, all_deck_counts, build_queue
    from quizzer.store import Store

    with tempfile.TemporaryDirectory(prefix="quizzer-profile-") as folder:
        db = Path(folder) / "quizzer.db"
        shutil.copyfile(pristine / "quizzer.db", db)
        cold_phases(db, deck_dir, cache_dir, args.runs)
        import_times(args.runs, args.top)

        decks = [loaded.deck for loaded in load_sources([(deck_dir, False)], cache_dir).decks]
        now = datetime.now(UTC)
        with Store(db) as store:
            today = Session(store, decks[:1], now=now, seed=1).today
            profile("build_queue", lambda: build_queue(store, decks, today, 20), args.top)
            profile("all_deck_counts", lambda: all_deck_counts(store, decks, today), args.top)
            profile("stats.compute", lambda: stats.compute(store, decks, now=now), args.top)
            session = Session(store, decks, now=now, seed=1, config=SessionConfig(new_per_day=20))

            def answer() -> None:
                item = session.next()
                if item is not None:
                    session.record(item, 4, now=datetime.now(UTC), response_ms=1000)

            profile("Session.record (one answer)", answer, args.top, repeat=50)


if __name__ == "__main__":
    main()
