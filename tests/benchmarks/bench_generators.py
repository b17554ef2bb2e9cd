"""Time N instances of every registered problem family and print JSON.

    python tests/benchmarks/bench_generators.py [--n 200] [--only cv-scheme --only learning-curve]

Prints ``{"family": {"instances_per_s": ..., "median_ms": ..., "p95_ms": ..., "max_ms": ...}}``.
Families whose module does not exist yet are skipped (reported under ``"skipped"``). Seed 0 is
generated first and not timed, so one-off imports (scikit-learn) don't count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from generators import get, names  # noqa: E402


def bench(name: str, n: int) -> dict[str, float]:
    generator = get(name)
    generator.generate(0)  # warm imports and caches
    times = []
    for seed in range(1, n + 1):
        start = time.perf_counter()
        generator.generate(seed)
        times.append(time.perf_counter() - start)
    ordered = sorted(times)
    return {
        "instances_per_s": round(len(times) / sum(times), 1),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="instances per family (default 200)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="time only this family")
    args = parser.parse_args(argv)
    results: dict[str, object] = {}
    skipped: list[str] = []
    for name in args.only or names():
        try:
            results[name] = bench(name, args.n)
        except ImportError:  # the family is registered but its module isn't written yet
            skipped.append(name)
    if skipped:
        results["skipped"] = skipped
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
