"""recsys-topk: precision/recall vs sklearn on the item universe, AP@k vs sklearn's AP rescaled, hit rate and
coverage from scratch with sets; mistakes graded wrong; determinism and params."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("recsys-topk")
ASKS = ("precision_recall", "average_precision", "hit_rate", "coverage")


def test_precision_recall_match_sklearn() -> None:
    """Over every item in play (shown or held out): predicted = in the top k, true = held out."""
    from sklearn.metrics import precision_score, recall_score

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "precision_recall"})
        d = problem.data
        universe = sorted(set(d["ranked"]) | set(d["relevant"]))
        y_true = [item in d["relevant"] for item in universe]
        y_pred = [item in d["ranked"][: d["k"]] for item in universe]
        expected = [precision_score(y_true, y_pred), recall_score(y_true, y_pred)]
        assert problem.expected == pytest.approx(expected, abs=1e-12)
        assert not set(d["relevant"]) <= set(d["ranked"])  # some held-out items were never shown


def textbook_apk(ranked: list[str], relevant: set[str], k: int) -> Fraction:
    hits = [i for i, item in enumerate(ranked[:k], start=1) if item in relevant]
    return sum((Fraction(n, i) for n, i in enumerate(hits, start=1)), Fraction(0)) / min(k, len(relevant))


def test_average_precision_matches_textbook_and_rescaled_sklearn() -> None:
    from sklearn.metrics import average_precision_score

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "average_precision"})
        d = problem.data
        relevant, k = set(d["relevant"]), d["k"]
        assert problem.expected == pytest.approx(float(textbook_apk(d["ranked"], relevant, k)), abs=1e-12)
        # sklearn's AP on the top k alone divides by the hits there; rescale to divide by min(k, |R|).
        top = [item in relevant for item in d["ranked"][:k]]
        sk = average_precision_score(top, np.arange(k, 0, -1))
        assert problem.expected == pytest.approx(sk * sum(top) / min(k, len(relevant)), abs=1e-12)


def test_hit_rate_and_coverage_from_sets() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "hit_rate"})
        d = problem.data
        assert problem.expected == pytest.approx(
            sum(1 for row in d["marks"] if 1 in row[: d["k"]]) / len(d["marks"]), abs=1e-12
        )
        assert 0 < problem.expected < 1
        problem = GEN.generate(seed, {"ask": "coverage"})
        d = problem.data
        seen: set[str] = set()
        for row in d["lists"]:
            assert len(set(row)) == len(row)
            seen.update(row[: d["k"]])
        assert problem.expected == pytest.approx(len(seen) / d["catalogue"], abs=1e-12)
        assert len(seen) < len(d["lists"]) * d["k"]  # repeats across users, so deduplication matters


def mistakes(problem: Problem) -> list[str]:
    d = problem.data
    match d["ask"]:
        case "precision_recall":
            hits = round(d["precision"] * d["k"])
            shown = sum(item in d["relevant"] for item in d["ranked"])
            return [
                f"{hits / len(d['ranked']):.3f}; {d['recall']:.3f}",  # precision over the whole list
                f"{d['precision']:.3f}; {hits / shown:.3f}",  # recall over the relevant items shown
                f"{d['recall']:.3f}; {d['precision']:.3f}",  # swapped
                f"{d['precision']:.3f}; {d['recall'] + 0.01:.3f}",  # one part wrong
            ]
        case "average_precision":
            top = [item in d["relevant"] for item in d["ranked"][: d["k"]]]
            total = d["average_precision"] * min(d["k"], len(d["relevant"]))
            return [f"{total / sum(top):.3f}", f"{total / len(d['relevant']):.3f}"]
        case "hit_rate":
            return [f"{d['mean_precision']:.3f}", f"{d['anywhere']:.3f}"]
    return [f"{d['whole_lists']:.3f}", f"{d['no_dedup']:.3f}"]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        values = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        right = ["; ".join(repr(v) for v in values), "; ".join(f"{v:.3f}" for v in values)]
        if ask == "coverage":
            right.append(f"{round(problem.expected * problem.data['catalogue'])}/{problem.data['catalogue']}")
        assert_grades(problem, right, mistakes(problem), seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        values = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        for value in values:
            assert f"**{value:.4f}".rstrip("0").rstrip(".") in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "ndcg"}, {"k": 5}])
    assert GEN.Params.model_validate({"ask": "hit-rate"}).ask == "hit_rate"


def test_import_is_light() -> None:
    assert_import_is_light("generators.recsys_topk")


def test_coverage_ids_fit_the_catalogue() -> None:
    """Regression: a 'catalogue of 80 films' showed ids like F168, hinting at a bigger catalogue."""
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": "coverage"})
        catalogue = problem.data["catalogue"]
        for row in problem.table.rows:
            for item in row[1:]:
                assert 1 <= int(item.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) <= catalogue
