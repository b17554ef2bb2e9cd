"""The Quizzer-vs-Anki benchmark (tests/benchmarks/anki_twin.py) runs end to end at a tiny size.

The full run takes minutes and is not part of the suite; this keeps it from rotting: the twin is built,
both tools see the same cards due, and every figure comes out for both with a positive value.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {
    "cold_start_first_card_ms",
    "due_queue_ms",
    "deck_counts_ms",
    "bytes_per_review",
    "answer_p95_ms",
    "stats_all_history_ms",
    "peak_rss_mb",
}


def test_anki_twin_runs_at_tiny_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "benchmarks" / "anki_twin.py"),
            "--decks",
            "3",
            "--cards",
            "60",
            "--reviews",
            "2000",
            "--runs",
            "1",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)

    assert report["sizes"] | {"today": None} == {"decks": 3, "cards": 60, "reviews": 2000, "today": None}
    collection = report["setup"]["anki_collection"]
    assert collection["notes"] == collection["cards"] == 60
    assert collection["revlog"] == 2000

    due = report["due_today"]
    assert due["quizzer"] > 0
    assert due["quizzer"] == due["anki"] == due["anki_deck_tree"]
    assert due["equal"] is True

    figures = report["figures"]
    assert figures.keys() >= FIGURES
    for name, entry in figures.items():
        assert entry["quizzer"] > 0, name
        assert entry["anki"] > 0, name
        assert entry["ratio"] == pytest.approx(entry["quizzer"] / entry["anki"], rel=0.01), name
    assert figures["bytes_per_review"]["reviews"] == {"quizzer": 2000, "anki": 2000}
    assert figures["bytes_per_review"]["by_object"]["quizzer"]["reviews"] > 0
    assert (
        figures["due_queue_ms"]["queue_length"]["quizzer"] == figures["due_queue_ms"]["queue_length"]["anki"]
    )
    assert report["versions"]["anki"] and report["machine"]["cpus"]
