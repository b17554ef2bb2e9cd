"""The recall model on simulated learners, and how long readiness takes: prints JSON figures.

    python tests/benchmarks/bench_readiness.py [--learners 5] [--days 120]

For each learner (seeds 500+, none of them used to fit the shipped prior): fit on the first two thirds
of the days, judge on the reviews of the last third (the future): expected calibration error, log loss
against the oracle (the simulator's true recall probability) and against a constant rate, for the fitted
model, the shipped prior alone and the blend fitted on the first 100-1,000 first asks. Then the bias of
readiness itself (mean predicted minus true recall of every studied card) 1, 3 and 10 days after the
log ends. Then the time of ``quizzer readiness``
end to end on a store holding one learner's log, cold (fresh interpreter, scikit-learn imported, model
fitted) and warm (the cached fit reused).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quizzer.decks import parse_deck  # noqa: E402
from quizzer.readiness import compute  # noqa: E402
from quizzer.recall_model import (  # noqa: E402
    expected_calibration_error,
    fit,
    fit_blended,
    log_loss,
    prior_model,
    replay,
)
from quizzer.session import study_day  # noqa: E402
from quizzer.store import Store  # noqa: E402
from tests.readiness.simulator import LearnerProfile, deck_yaml, simulate, write_store  # noqa: E402


def _scores(predicted: np.ndarray, labels: np.ndarray, oracle: np.ndarray) -> dict[str, float]:
    loss = log_loss(predicted, labels)
    return {
        "ece": round(expected_calibration_error(predicted, labels), 4),
        "log_loss": round(loss, 4),
        "vs_oracle": round(loss / log_loss(oracle, labels), 4),
    }


def evaluate(profile: LearnerProfile) -> dict[str, object]:
    log = simulate(profile)
    replayed = replay(log.rows)
    rows, labels = replayed.matrix()
    first_asks = [row for row in log.rows if not row["reask"]]
    oracle = np.array([first_asks[position]["p_recall"] for position in replayed.positions])
    cut = (log.start + timedelta(days=profile.days * 2 // 3)).toordinal()
    future = np.array(replayed.days) >= cut
    started = time.perf_counter()
    model = fit(rows[~future], labels[~future])
    fit_ms = (time.perf_counter() - started) * 1000
    test_labels, test_oracle = labels[future], oracle[future]
    constant = np.full(future.sum(), labels[~future].mean())
    blends = {
        f"blend_at_{asks}": _scores(
            fit_blended(rows[~future][:asks], labels[~future][:asks]).predict(rows[future]),
            test_labels,
            test_oracle,
        )
        for asks in (100, 200, 400, 1000)
    }
    return {
        "seed": profile.seed,
        "reviews": len(log.rows),
        "train_first_asks": int((~future).sum()),
        "test_first_asks": int(future.sum()),
        "fit_ms": round(fit_ms, 1),
        "fitted": _scores(model.predict(rows[future]), test_labels, test_oracle),
        "prior_only": _scores(prior_model().predict(rows[future]), test_labels, test_oracle),
        **blends,
        "oracle_log_loss": round(log_loss(test_oracle, test_labels), 4),
        "constant_log_loss": round(log_loss(constant, test_labels), 4),
    }


def readiness_bias(profile: LearnerProfile) -> dict[str, float]:
    log = simulate(profile)
    decks = [parse_deck(deck_yaml(log, f"topic-{index}")) for index in range(profile.decks)]
    bias = {}
    learner = None
    for days in (1, 3, 10):
        day = log.end + timedelta(days=days)
        result = compute(log.rows, decks, day, learner=learner)
        learner = result.learner
        truth = log.true_recall(day)
        bias[f"after_{days}_days"] = round(
            float(np.mean([result.predictions[key] - truth[key] for key in truth])), 4
        )
    return bias


def time_command(profile: LearnerProfile) -> dict[str, float | int]:
    log = simulate(profile)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        decks = base / "decks"
        decks.mkdir()
        for index in range(profile.decks):
            (decks / f"topic-{index}.yaml").write_text(deck_yaml(log, f"topic-{index}", interview_every=3))
        db = base / "q.db"
        with Store(db) as store:
            write_store(log, store, study_day(datetime.now(UTC)))
        env = {
            **os.environ,
            "QUIZZER_CACHE_DIR": str(base / "cache"),
            "QUIZZER_DATA_DIR": str(base / "data"),
            "QUIZZER_CONFIG": str(base / "config.toml"),
        }
        command = [
            sys.executable,
            "-m",
            "quizzer",
            "--db",
            str(db),
            "--decks",
            str(decks),
            "readiness",
            "--json",
        ]
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
            timings.append(time.perf_counter() - started)
    return {"reviews": len(log.rows), "cold_s": round(timings[0], 2), "cached_s": round(timings[1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5)
    parser.add_argument("--days", type=int, default=120)
    options = parser.parse_args()
    results = [
        evaluate(
            LearnerProfile(
                seed=500 + index, days=options.days, new_per_day=10 + 2 * index, growth=0.8 + 0.1 * index
            )
        )
        for index in range(options.learners)
    ]
    summary = {
        kind: {
            name: round(float(np.mean([r[kind][name] for r in results])), 4)  # type: ignore[index]
            for name in ("ece", "log_loss", "vs_oracle")
        }
        for kind in ("fitted", "prior_only", "blend_at_100", "blend_at_200", "blend_at_400", "blend_at_1000")
    }
    summary["constant_log_loss"] = round(float(np.mean([r["constant_log_loss"] for r in results])), 4)
    summary["oracle_log_loss"] = round(float(np.mean([r["oracle_log_loss"] for r in results])), 4)
    bias = readiness_bias(LearnerProfile(seed=700, days=options.days, new_per_day=12))
    command = time_command(LearnerProfile(seed=900, days=90, new_per_day=12, decks=6, cards_per_deck=200))
    print(
        json.dumps(
            {"learners": results, "mean": summary, "readiness_bias": bias, "command": command}, indent=1
        )
    )


if __name__ == "__main__":
    main()
