"""iou-nms: IoU recounted on a pixel raster, an independent NMS, the mistakes graded wrong, shortcuts."""

from __future__ import annotations

import numpy as np
import pytest

from generators import ChoiceAnswer, Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("iou-nms")
ASKS = ("iou", "nms_count", "nms_kept")


def raster_iou_matrix(boxes: list[list[int]]) -> np.ndarray:
    """IoU of every pair by painting each box's pixels [x1, x2) × [y1, y2) and counting."""
    width = max(b[2] for b in boxes) + 1
    height = max(b[3] for b in boxes) + 1
    masks = np.zeros((len(boxes), height, width), dtype=bool)
    for mask, (x1, y1, x2, y2) in zip(masks, boxes, strict=True):
        mask[y1:y2, x1:x2] = True
    flat = masks.reshape(len(boxes), -1).astype(np.int64)
    inter = flat @ flat.T
    sizes = flat.sum(axis=1)
    return inter / (sizes[:, None] + sizes[None, :] - inter)


def reference_nms(overlaps: np.ndarray, scores: list[float], threshold: float) -> set[int]:
    """NMS as a mask over all boxes: the best alive box suppresses its neighbours, until none is alive."""
    alive = np.ones(len(scores), dtype=bool)
    kept = set()
    score_array = np.array(scores)
    while alive.any():
        best = int(np.argmax(np.where(alive, score_array, -np.inf)))
        kept.add(best)
        alive &= overlaps[best] <= threshold
        alive[best] = False
    return kept


def box_names(indexes: list[int]) -> str:
    return ", ".join(f"B{i + 1}" for i in indexes)


def test_iou_matches_pixel_raster() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "iou"})
        d = problem.data
        i, j = d["pair"]
        overlaps = raster_iou_matrix(d["boxes"])
        assert problem.expected == pytest.approx(overlaps[i, j], abs=1e-12)
        assert 0.1 <= problem.expected <= 0.85


@pytest.mark.parametrize("ask", ["nms_count", "nms_kept"])
def test_nms_matches_independent_implementation(ask: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        overlaps = raster_iou_matrix(d["boxes"])
        off_diagonal = overlaps[~np.eye(len(overlaps), dtype=bool)]
        assert np.abs(off_diagonal - d["threshold"]).min() >= 0.02  # no near-ties at the threshold
        assert len(set(d["scores"])) == len(d["scores"])
        kept = reference_nms(overlaps, d["scores"], d["threshold"])
        assert set(d["kept"]) == kept
        assert 2 <= len(kept) <= len(d["boxes"]) - 2
        if ask == "nms_count":
            assert problem.expected == len(kept)
        else:
            answer = problem.parts[0].answer
            assert isinstance(answer, ChoiceAnswer)
            dropped = sorted(set(range(len(d["boxes"]))) - kept)
            assert answer.correct == "keep " + box_names(sorted(kept)) + " · drop " + box_names(dropped)
            labels = [o.text for o in answer.options]
            assert len(labels) == len(set(labels)) == 4
            assert len({len(label) for label in labels}) == 1  # no length cue


def test_threshold_param_is_used() -> None:
    for seed in range(20):
        assert GEN.generate(seed, {"ask": "nms_count", "threshold": 0.45}).data["threshold"] == 0.45


def iou_mistakes(problem: Problem) -> list[str]:
    """Wrong denominators. (Intersection / larger area is no slip to test: it is the IoU when one box holds the other.)"""
    d = problem.data
    a, b = (d["boxes"][k] for k in d["pair"])
    area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return [
        f"{inter / (area_a + area_b):.3f}",
        f"{inter / min(area_a, area_b):.3f}",  # overlap coefficient
    ]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    mistaken_counts = 0
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        if ask == "iou":
            right = [repr(problem.expected), f"{problem.expected:.3f}"]
            wrong = iou_mistakes(problem)
        elif ask == "nms_count":
            right = [str(problem.expected)]
            counts = {len(v) for v in problem.data["mistakes"].values()} - {problem.expected}
            mistaken_counts += bool(counts)
            wrong = [str(c) for c in counts] + [str(len(problem.data["boxes"]))]
        else:
            answer = problem.parts[0].answer
            assert isinstance(answer, ChoiceAnswer)
            names = [o.name for o in answer.options]
            key = names.index(answer.correct)
            right = [str(key + 1), answer.options[key].text]
            wrong = [str(i + 1) for i in range(4) if i != key]
            # Every wrong option says why, and the procedural mistakes appear among the options.
            assert set(answer.feedback) == set(names) - {answer.correct}
            mistaken = {"keep " + box_names(v) for v in problem.data["mistakes"].values()}
            shown = {o.text.split(" · ")[0] for o in answer.options if o.name != answer.correct}
            assert len(shown & mistaken) >= 2
        assert_grades(problem, right, wrong, seed)
    if ask == "nms_count":
        assert mistaken_counts >= 40  # the count usually exposes at least one wrong procedure


def test_nms_kept_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "nms_kept"}, range(300))


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        d = problem.data
        if d["ask"] == "iou":
            assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution
        else:
            assert "Kept: **" + ", ".join(f"B{i + 1}" for i in d["kept"]) + "**" in problem.solution


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "map"}, {"threshold": 0.1}, {"threshold": 0.95}, {"boxes": 4}])


def test_import_is_light() -> None:
    assert_import_is_light("generators.iou_nms")
