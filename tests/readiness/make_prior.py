"""Fit the prior recall model shipped in ``quizzer/data/recall_prior.json`` on simulated learners.

    python tests/readiness/make_prior.py

The learners differ in how fast their memories stabilise, how many new cards they take a day and how often
they skip a day; their seeds (1000+) are apart from those the tests evaluate on (below 1000), so the
tests measure the prior on learners it has not seen.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quizzer.recall_model import fit, replay  # noqa: E402
from tests.readiness.simulator import LearnerProfile, simulate  # noqa: E402

PROFILES = [
    LearnerProfile(seed=1000 + index, new_per_day=new, growth=growth, skip_probability=skip)
    for index, (new, growth, skip) in enumerate(
        [(10, 1.0, 0.15), (15, 0.7, 0.1), (20, 1.3, 0.2), (12, 0.85, 0.25), (8, 1.15, 0.05), (15, 1.0, 0.3)]
    )
]


def main() -> None:
    rows, labels = [], []
    for profile in PROFILES:
        matrix, outcome = replay(simulate(profile).rows).matrix()
        rows.append(matrix)
        labels.append(outcome)
    model = fit(np.vstack(rows), np.concatenate(labels), source="prior: 6 simulated learners, 90 days each")
    target = ROOT / "quizzer" / "data" / "recall_prior.json"
    data = model.to_dict()

    for name in ("coef", "feature_mean", "feature_scale"):
        data[name] = [round(value, 6) for value in data[name]]
    data["intercept"] = round(data["intercept"], 6)
    target.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target} from {model.examples} first asks")


if __name__ == "__main__":
    main()
