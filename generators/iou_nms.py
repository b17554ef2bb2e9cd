"""`iou-nms`: intersection over union of detection boxes, and greedy non-maximum suppression.

An object detector outputs axis-aligned boxes (x1, y1, x2, y2) in pixel coordinates with confidence
scores; a box's area is (x2 − x1)·(y2 − y1). The questions:

| ask         | answer                                   | mistakes the numbers are drawn to expose              |
|-------------|------------------------------------------|-------------------------------------------------------|
| `iou`       | IoU of two boxes, 3 decimals             | intersection / (sum of areas); intersection / smaller area |
| `nms_count` | how many boxes greedy NMS keeps          | the counts the wrong procedures below give            |
| `nms_kept`  | which boxes it keeps (choice of sets)    | table order instead of score order; lowest score first; letting suppressed boxes suppress; the union without the overlap subtracted |

Greedy NMS (as ``torchvision.ops.nms``): sort by score, keep the best remaining box, discard every remaining
box whose IoU with it is **greater than** the threshold, repeat. No IoU is within 0.02 of the threshold, so
"greater than" vs "at least" never matters. The tests recount IoU on a pixel raster and run an independent NMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Field,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    fmt,
)

Ask = Literal["iou", "nms_count", "nms_kept"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

THRESHOLD_MARGIN = 0.02  # no pair's IoU is this close to the NMS threshold

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    objects: str  # what is detected, plural
    size: tuple[int, int]  # typical box width range in pixels
    aspect: tuple[float, float]  # height / width range


SCENARIOS = (
    Scenario("A pedestrian detector runs on a street-camera frame", "pedestrians", (30, 70), (1.8, 2.6)),
    Scenario("A face detector runs on a group photo", "faces", (40, 80), (1.1, 1.4)),
    Scenario("A car detector runs on a parking-lot drone image", "cars", (60, 110), (0.45, 0.6)),
    Scenario("A defect detector runs on a circuit-board scan", "solder defects", (20, 50), (0.8, 1.25)),
    Scenario("A product detector runs on a supermarket shelf photo", "cereal boxes", (40, 70), (1.3, 1.7)),
)


class IouNmsParams(Params):
    ask: Ask | None = None
    threshold: float | None = Field(default=None, ge=0.2, le=0.8)  # NMS IoU threshold; None: 0.3-0.6 by seed


def area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersection(a: Box, b: Box) -> int:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def iou(a: Box, b: Box) -> float:
    inter = intersection(a, b)
    return inter / (area(a) + area(b) - inter)


def iou_no_subtraction(a: Box, b: Box) -> float:
    """The slip: dividing by the sum of the areas, which counts the overlap twice."""
    return intersection(a, b) / (area(a) + area(b))


def greedy_nms(
    boxes: list[Box],
    scores: list[float],
    threshold: float,
    overlap: Callable[[Box, Box], float] = iou,
    order: list[int] | None = None,
    suppressed_suppress: bool = False,
) -> list[int]:
    """Indexes kept by greedy NMS, in the order kept.

    ``order`` (default: by score, highest first), ``overlap`` and ``suppressed_suppress`` exist to
    reproduce the mistakes: a box discarded earlier should not discard anything itself.
    """
    queue = list(order) if order is not None else sorted(range(len(boxes)), key=lambda i: -scores[i])
    kept: list[int] = []
    seen: list[int] = []
    for i in queue:
        judges = seen if suppressed_suppress else kept
        if all(overlap(boxes[i], boxes[j]) <= threshold for j in judges):
            kept.append(i)
        seen.append(i)
    return kept


def _mistakes(boxes: list[Box], scores: list[float], t: float) -> dict[str, list[int]]:
    by_score = sorted(range(len(boxes)), key=lambda i: -scores[i])
    return {
        "table_order": greedy_nms(boxes, scores, t, order=list(range(len(boxes)))),
        "lowest_first": greedy_nms(boxes, scores, t, order=by_score[::-1]),
        "suppressed_suppress": greedy_nms(boxes, scores, t, suppressed_suppress=True),
        "no_subtraction": greedy_nms(boxes, scores, t, overlap=iou_no_subtraction),
    }


def _box_near(
    rng: np.random.Generator, centre: tuple[float, float], w: float, h: float, jitter: float
) -> Box:
    cx, cy = centre[0] + rng.normal(0, jitter * w), centre[1] + rng.normal(0, jitter * h)
    w2, h2 = w * rng.uniform(0.8, 1.2), h * rng.uniform(0.8, 1.2)
    return (
        int(round(cx - w2 / 2)),
        int(round(cy - h2 / 2)),
        int(round(cx + w2 / 2)),
        int(round(cy + h2 / 2)),
    )


def _detections(rng: np.random.Generator, scenario: Scenario, t: float) -> tuple[list[Box], list[float]]:
    """5-7 boxes around 2-3 objects (some objects touching), distinct scores, no IoU near the threshold."""
    for _ in range(MAX_DRAWS):
        n_objects = int(rng.integers(2, 4))
        w = float(rng.uniform(*scenario.size))
        h = w * float(rng.uniform(*scenario.aspect))
        x0, y0 = 40 + 10 * int(rng.integers(0, 10)), 40 + 10 * int(rng.integers(0, 10))
        # Objects side by side with partial overlap, as in a crowd or a shelf.
        centres = [
            (x0 + i * w * rng.uniform(0.7, 1.2), y0 + rng.normal(0, 0.15 * h)) for i in range(n_objects)
        ]
        boxes = [_box_near(rng, c, w, h, 0.0) for c in centres]
        while len(boxes) < int(rng.integers(5, 8)):
            boxes.append(_box_near(rng, centres[int(rng.integers(n_objects))], w, h, 0.1))
        boxes = [boxes[i] for i in rng.permutation(len(boxes))]
        scores = [round(float(s), 2) for s in rng.uniform(0.3, 0.99, size=len(boxes))]
        if (
            len(set(scores)) < len(scores)
            or min(area(b) for b in boxes) == 0
            or min(min(b) for b in boxes) < 0
        ):
            continue
        pairs = [iou(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
        slips = [iou_no_subtraction(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
        if min(abs(v - t) for v in pairs + slips) < THRESHOLD_MARGIN:
            continue
        kept = greedy_nms(boxes, scores, t)
        if 1 < len(kept) <= len(boxes) - 2:
            return boxes, scores
    else:
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


class IouNms(Generator):
    name = "iou-nms"
    title = "IoU of boxes and non-maximum suppression"
    description = (
        "Object-detection boxes with scores: the intersection over union of two boxes, and which boxes "
        "greedy non-maximum suppression keeps at an IoU threshold."
    )
    Params = IouNmsParams
    topics = ("computer-vision", "object-detection", "metrics")

    def make(self, rng: np.random.Generator, seed: int, params: IouNmsParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        t = params.threshold if params.threshold is not None else float(rng.choice([0.3, 0.4, 0.5, 0.6]))
        for _ in range(100):
            boxes, scores = _detections(rng, scenario, t)
            if ask != "nms_kept":
                break
            kept = greedy_nms(boxes, scores, t)
            key = tuple(sorted(kept))
            distinct = {tuple(sorted(v)) for v in _mistakes(boxes, scores, t).values()}
            distinct = {v for v in distinct if v != key and 0 < len(v) < len(boxes)}
            if len(distinct) >= 2:
                break
        names = [f"B{i + 1}" for i in range(len(boxes))]  # not bare letters or digits: those pick options
        table = Table(
            headers=("box", "x1", "y1", "x2", "y2", "score"),
            rows=tuple(
                (names[i], *map(str, b), f"{s:.2f}")
                for i, (b, s) in enumerate(zip(boxes, scores, strict=True))
            ),
            title="detections · pixel coordinates · area = (x2 − x1)·(y2 − y1)",
        )
        intro = (
            f"{scenario.context} and outputs {len(boxes)} candidate boxes for {scenario.objects}, as "
            "(x1, y1, x2, y2) corners in pixels with a confidence score."
        )
        data: dict[str, object] = {
            "ask": ask,
            "boxes": [list(b) for b in boxes],
            "scores": scores,
            "threshold": t,
        }
        if ask == "iou":
            i, j = _overlapping_pair(rng, boxes)
            value = iou(boxes[i], boxes[j])
            question = (
                f"What is the **intersection over union (IoU)** of boxes **{names[i]}** and "
                f"**{names[j]}**? Answer to 3 decimals."
            )
            parts = (Part(f"IoU({names[i]}, {names[j]})?", NumberAnswer(value, decimals=3)),)
            solution = _iou_solution(boxes, names, i, j)
            data |= {"pair": [i, j], "iou": value}
        else:
            kept = greedy_nms(boxes, scores, t)
            rule = (
                f"Greedy **non-maximum suppression** with IoU threshold **{fmt(t)}** is applied: take the "
                f"highest-scoring remaining box, keep it, and discard every remaining box whose IoU with it is "
                f"greater than {fmt(t)}; repeat until no boxes remain."
            )
            if ask == "nms_count":
                question = f"{rule}\n\nHow many boxes are kept? Answer as a whole number."
                parts = (Part("boxes kept?", NumberAnswer(len(kept), tolerance=0)),)
            else:
                question = f"{rule}\n\nWhich boxes are kept?"
                parts = (Part("boxes kept?", _kept_answer(rng, boxes, scores, t, kept, names)),)
            solution = _nms_solution(boxes, scores, t, kept, names, bold_count=ask == "nms_count")
            data |= {
                "kept": sorted(kept),
                "mistakes": {k: sorted(v) for k, v in _mistakes(boxes, scores, t).items()},
            }
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=solution,
            data=data,
            table=table,
        )


def _overlapping_pair(rng: np.random.Generator, boxes: list[Box]) -> tuple[int, int]:
    """A pair with a real overlap (IoU 0.1-0.85), where the slips give clearly different numbers."""
    pairs = [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if 0.1 <= iou(boxes[i], boxes[j]) <= 0.85
    ]
    if not pairs:
        pairs = [
            max(
                ((i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))),
                key=lambda p: iou(boxes[p[0]], boxes[p[1]]),
            )
        ]
    i, j = pairs[int(rng.integers(len(pairs)))]
    return (i, j) if rng.random() < 0.5 else (j, i)


def _set_label(indexes: list[int] | tuple[int, ...], names: list[str]) -> str:
    return ", ".join(names[i] for i in sorted(indexes))


def _kept_answer(
    rng: np.random.Generator,
    boxes: list[Box],
    scores: list[float],
    t: float,
    kept: list[int],
    names: list[str],
) -> ChoiceAnswer:
    why = {
        "table_order": "going down the table in row order instead of by score",
        "lowest_first": "starting from the lowest score instead of the highest",
        "suppressed_suppress": "letting boxes that were already discarded discard others",
        "no_subtraction": f"computing IoU as intersection / (area₁ + area₂), without subtracting the overlap, so "
        f"fewer pairs exceed {fmt(t)}",
    }
    key = tuple(sorted(kept))
    wrong: dict[tuple[int, ...], str] = {}
    for name, result in _mistakes(boxes, scores, t).items():
        option = tuple(sorted(result))
        if option != key and option not in wrong and 0 < len(option) < len(boxes):
            wrong[option] = f"That is what you get by {why[name]}."
    # Pad to four options with near misses: one suppressed box too many, or one kept box too few.
    suppressed = [i for i in range(len(boxes)) if i not in kept]
    candidates = [tuple(sorted((*key, s))) for s in suppressed] + [
        tuple(k for k in key if k != d) for d in key[1:]
    ]
    for option in (candidates[i] for i in rng.permutation(len(candidates))):
        if len(wrong) >= 3:
            break
        if 0 < len(option) < len(boxes) and option != key and option not in wrong:
            extra = set(option) - set(key)
            if extra:
                s = extra.pop()
                j = max((k for k in key if scores[k] > scores[s]), key=lambda k: iou(boxes[s], boxes[k]))
                wrong[option] = (
                    f"Box {names[s]} overlaps the kept, higher-scoring box {names[j]} with IoU "
                    f"{fmt(iou(boxes[s], boxes[j]), 3)} > {fmt(t)}, so it is discarded."
                )
            else:
                (d,) = set(key) - set(option)
                wrong[option] = (
                    f"Box {names[d]} is kept: its IoU with every box kept before it is at most {fmt(t)}."
                )
    entries = [key, *list(wrong)[:3]]
    labels = {option: _keep_drop_label(option, names) for option in entries}
    options = tuple(Option(labels[entries[i]]) for i in rng.permutation(len(entries)))
    return ChoiceAnswer(
        options=options,
        correct=labels[key],
        feedback={labels[option]: text for option, text in wrong.items() if option in labels},
    )


def _keep_drop_label(kept: tuple[int, ...], names: list[str]) -> str:
    """Both lists, so every option names every box once and all options are the same length."""
    dropped = [i for i in range(len(names)) if i not in kept]
    return f"keep {_set_label(kept, names)} · drop {_set_label(dropped, names)}"


def _iou_solution(boxes: list[Box], names: list[str], i: int, j: int) -> str:
    a, b = boxes[i], boxes[j]
    ix1, iy1, ix2, iy2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = intersection(a, b)
    union = area(a) + area(b) - inter
    return "\n\n".join(
        [
            f"Areas: {names[i]} = ({a[2]} − {a[0]})·({a[3]} − {a[1]}) = {area(a)}, "
            f"{names[j]} = ({b[2]} − {b[0]})·({b[3]} − {b[1]}) = {area(b)}.",
            f"Intersection: x from max({a[0]}, {b[0]}) = {ix1} to min({a[2]}, {b[2]}) = {ix2}, y from "
            f"max({a[1]}, {b[1]}) = {iy1} to min({a[3]}, {b[3]}) = {iy2}, so ({ix2} − {ix1})·({iy2} − {iy1}) = {inter}.",
            f"Union = {area(a)} + {area(b)} − {inter} = {union}.",
            f"IoU = {inter} / {union} = **{fmt(inter / union)}**",
            f"Dividing by the plain sum {area(a) + area(b)} counts the overlap twice and gives "
            f"{fmt(iou_no_subtraction(a, b), 3)}; dividing by the smaller box gives "
            f"{fmt(inter / min(area(a), area(b)), 3)}, which is a different measure (overlap coefficient).",
        ]
    )


def _nms_solution(
    boxes: list[Box], scores: list[float], t: float, kept: list[int], names: list[str], bold_count: bool
) -> str:
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    lines = [f"Sort by score: {', '.join(f'{names[i]} ({scores[i]:.2f})' for i in order)}."]
    remaining = list(order)
    step = 1
    while remaining:
        best = remaining.pop(0)
        gone = [(k, iou(boxes[best], boxes[k])) for k in remaining if iou(boxes[best], boxes[k]) > t]
        stay = [(k, iou(boxes[best], boxes[k])) for k in remaining if iou(boxes[best], boxes[k]) <= t]
        text = f"{step}. Keep **{names[best]}**."
        if gone:
            text += " Discard " + ", ".join(f"{names[k]} (IoU {fmt(v, 3)} > {fmt(t)})" for k, v in gone) + "."
        touching = [(k, v) for k, v in stay if v > 0]
        if touching:
            text += (
                " Still in: "
                + ", ".join(f"{names[k]} (IoU {fmt(v, 3)} ≤ {fmt(t)})" for k, v in touching)
                + "."
            )
        if len(touching) < len(stay):
            text += f" No overlap with {', '.join(names[k] for k, v in stay if v == 0)}."
        lines.append(text)
        remaining = [k for k, _ in stay]
        step += 1
    count = f"**{len(kept)}**" if bold_count else str(len(kept))
    lines.append(f"Kept: **{_set_label(kept, names)}**, {count} box{'es' if len(kept) != 1 else ''}.")
    lines.append(
        "Only kept boxes discard others: a box removed in an earlier step never suppresses anything. NMS works "
        "in score order, so a lower threshold removes more boxes (and can merge neighbouring objects in a "
        "crowd), a higher one leaves more duplicates."
    )
    return "\n\n".join(lines)
