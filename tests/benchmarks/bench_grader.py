"""How well the key-point grader agrees with hand grades, which thresholds the fitting split asks for, and how fast
it grades.

    python tests/benchmarks/bench_grader.py          # agreement with the shipped thresholds, timings
    python tests/benchmarks/bench_grader.py --fit    # also refit the thresholds on the fitting split
    python tests/benchmarks/bench_grader.py --labels tests/data/typed_answers_topics.jsonl

The labelled set is ``tests/data/typed_answers.jsonl``: typed answers to the open cards of decks 03, 05 and 06,
graded by hand (quality 0-5, pass = quality >= 3) before the grader existed. Each line carries its ``split``: whole
cards are held out (``crc32("deck/card") % 3 == 0``), so no held-out card's answers were seen while fitting.
``tests/data/typed_answers_topics.jsonl`` is a second set, written and graded by hand after the grader was fitted
and before it ran on them: six answers (complete, paraphrase, terse, missing a must-point, confidently wrong, a bag
of keywords) to each of 40 open cards drawn at random from the topic decks 13-45, which the fitting never saw. A
second grader graded the same answers blind (``typed_answers_topics_second_grader.jsonl``, by line): the two agree
on pass/fail for 239 of 240 (quadratic kappa 0.966), which is the ceiling a grader can be held to.

Fitting: a grid over the point threshold and the quality cut-offs, scored by pass/fail accuracy plus
quadratic-weighted Cohen's kappa on the fitting split. The point threshold is chosen where that score, averaged over
a +-0.03 window, is highest: the curve is flat and noisy, and the middle of its plateau generalises better than its
highest spike.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LABELS = ROOT / "tests" / "data" / "typed_answers.jsonl"
DECK_FILES = ("03-linear-models.yaml", "05-evaluation-metrics.yaml", "06-bias-variance-cv.yaml")


@dataclass(frozen=True, slots=True)
class Labelled:
    deck: str
    card: str
    answer: str
    quality: int
    passed: bool
    split: str
    kind: str


def load_labels(path: Path = LABELS) -> list[Labelled]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        rows.append(
            Labelled(
                data["deck"],
                data["card"],
                data["answer"],
                data["quality"],
                data["pass"],
                data["split"],
                data.get("kind", ""),
            )
        )
    return rows


def load_decks(ids: set[str] | None = None) -> dict:  # noqa: ANN201 - {deck id: Deck}
    """The decks of the first labelled set, or every built-in deck whose id is in ``ids``."""
    from quizzer.decks.loader import load_deck

    files = sorted((ROOT / "decks").glob("*.yaml")) if ids else [ROOT / "decks" / name for name in DECK_FILES]
    decks = [load_deck(path) for path in files]
    return {deck.id: deck for deck in decks if not ids or deck.id in ids}


def agreement(hand: list[int], proposed: list[int]) -> tuple[float, float]:
    """(pass/fail accuracy, quadratic-weighted Cohen's kappa) of proposed qualities against hand grades."""
    from sklearn.metrics import cohen_kappa_score

    accuracy = sum((a >= 3) == (b >= 3) for a, b in zip(hand, proposed, strict=True)) / len(hand)
    return accuracy, float(cohen_kappa_score(hand, proposed, weights="quadratic"))


def quality(grade, point: float, trace: float, full: float, good: float, partial: float) -> int:  # noqa: ANN001
    """:func:`quizzer.keypoints._verdict` with other thresholds, from the raw point scores."""
    if grade.refusal:
        return 0
    made = [result.score >= point for result in grade.points]
    share = sum(made) / len(made)
    musts = [is_made for is_made, result in zip(made, grade.points, strict=True) if result.must] or made[:1]
    if all(musts):
        return 5 if share >= full else 4 if share >= good else 3
    if share >= partial:
        return 2
    return 1 if max(result.score for result in grade.points) >= trace else 0


def quick_agreement(hand: list[int], proposed: list[int]) -> float:
    """Accuracy plus quadratic kappa, computed directly (the grid calls it thousands of times)."""
    import numpy as np

    a, b = np.asarray(hand), np.asarray(proposed)
    accuracy = float(np.mean((a >= 3) == (b >= 3)))
    observed = np.zeros((6, 6))
    np.add.at(observed, (a, b), 1)
    expected = np.outer(observed.sum(1), observed.sum(0)) / len(a)
    weights = (np.arange(6)[:, None] - np.arange(6)[None, :]) ** 2
    denominator = float((weights * expected).sum())
    kappa = 1 - float((weights * observed).sum()) / denominator if denominator else 0.0
    return accuracy + kappa


def fit(rows: list[Labelled], grades: list) -> dict[str, float]:  # noqa: ANN001
    thresholds = [round(0.20 + 0.01 * step, 2) for step in range(31)]
    hand = [row.quality for row in rows]
    best: tuple[float, dict[str, float]] | None = None
    for trace, full, good, partial in itertools.product(
        (0.1, 0.15, 0.2, 0.25), (0.74, 0.99), (0.4, 0.5, 0.6, 0.7), (0.2, 0.34, 0.5)
    ):
        curve = []
        for threshold in thresholds:
            curve.append(
                quick_agreement(hand, [quality(g, threshold, trace, full, good, partial) for g in grades])
            )
        for index, threshold in enumerate(thresholds):
            window = curve[max(0, index - 3) : index + 4]
            smoothed = sum(window) / len(window)
            if best is None or smoothed > best[0] + 1e-12:
                best = (
                    smoothed,
                    {"point": threshold, "trace": trace, "full": full, "good": good, "partial": partial},
                )
    assert best is not None
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the thresholds on the fitting split")
    parser.add_argument("--labels", type=Path, default=LABELS, help="a labelled set (JSON lines)")
    args = parser.parse_args()

    start = time.perf_counter()
    from quizzer import keypoints

    rows = load_labels(args.labels)
    decks = load_decks(None if args.labels == LABELS else {row.deck for row in rows})
    times: list[float] = []
    grades = []
    warmed: set[str] = set()
    for row in rows:
        deck = decks[row.deck]
        card = deck.card(row.card)
        began = time.perf_counter()
        grades.append(keypoints.grade_answer(deck, card, row.answer))
        if row.deck in warmed:
            times.append(time.perf_counter() - began)
        warmed.add(row.deck)
    total = time.perf_counter() - start
    shipped = {
        "point": keypoints.POINT_THRESHOLD,
        "trace": keypoints.TRACE_THRESHOLD,
        "full": keypoints.FULL_SHARE,
        "good": keypoints.GOOD_SHARE,
        "partial": keypoints.PARTIAL_SHARE,
    }

    kinds = {}
    for row in rows:
        kinds[row.kind] = kinds.get(row.kind, 0) + 1
    splits = {split: [i for i, row in enumerate(rows) if row.split == split] for split in ("fit", "held-out")}
    print(
        f"labelled answers: {len(rows)} to {len({(r.deck, r.card) for r in rows})} cards; "
        + ", ".join(
            f"{split}: {len(index)} answers / {len({rows[i].card for i in index})} cards"
            for split, index in splits.items()
        )
    )
    print(
        "kinds: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items(), key=lambda kv: -kv[1]))
    )
    second = args.labels.with_name(args.labels.stem + "_second_grader.jsonl")
    if second.exists():
        other = [json.loads(line)["quality"] for line in second.read_text(encoding="utf-8").splitlines()]
        accuracy, kappa = agreement([row.quality for row in rows], other)
        print(f"two hand graders: pass/fail agreement {accuracy:.1%}  quadratic kappa {kappa:.3f}")
    settings = {"shipped": shipped}
    if args.fit:
        fit_rows = [rows[i] for i in splits["fit"]]
        settings["refitted"] = fit(fit_rows, [grades[i] for i in splits["fit"]])
    for name, values in settings.items():
        print(f"{name} thresholds: " + ", ".join(f"{key}={value}" for key, value in values.items()))
        for split, index in splits.items():
            hand = [rows[i].quality for i in index]
            proposed = [quality(grades[i], **values) for i in index]
            accuracy, kappa = agreement(hand, proposed)
            print(f"  {split:9s} pass/fail agreement {accuracy:.1%}  quadratic kappa {kappa:.3f}")
    values = settings["shipped"]
    print("passed by the grader / by hand, per kind of answer:")
    for kind in sorted(kinds, key=lambda kind: -kinds[kind]):
        index = [i for i, row in enumerate(rows) if row.kind == kind]
        by_grader = sum(quality(grades[i], **values) >= 3 for i in index)
        by_hand = sum(rows[i].passed for i in index)
        print(f"  {kind:16s} {by_grader:3d} / {by_hand:3d} of {len(index)}")
    times.sort()
    p50 = statistics.median(times) * 1000
    p95 = times[int(0.95 * (len(times) - 1))] * 1000
    print(
        f"grading time after the first answer per deck: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(n={len(times)}); whole run incl. imports and fitting {total:.1f} s"
    )


if __name__ == "__main__":
    main()
