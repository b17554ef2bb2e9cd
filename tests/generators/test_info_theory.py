"""info-theory: values vs scipy.stats.entropy, the mistakes graded wrong, determinism, params, lazy import."""

from __future__ import annotations

import math

import pytest

from generators import get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("info-theory")
ASKS = ("entropy", "cross_entropy", "kl", "asymmetry")


def scipy_values(p: list[float], q: list[float], unit: str) -> dict[str, float]:
    from scipy.stats import entropy

    base = 2 if unit == "bits" else math.e
    return {
        "entropy_p": float(entropy(p, base=base)),
        "entropy_q": float(entropy(q, base=base)),
        "kl_pq": float(entropy(p, q, base=base)),
        "kl_qp": float(entropy(q, p, base=base)),
        # Cross-entropy is not in scipy: the identity H(P, Q) = H(P) + KL(P‖Q), and a plain loop.
        "cross_entropy_pq": float(entropy(p, base=base) + entropy(p, q, base=base)),
        "cross_entropy_qp": -sum(b * math.log(a, base) for a, b in zip(p, q, strict=True)),
    }


@pytest.mark.parametrize("ask", ASKS)
def test_values_match_scipy(ask: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        assert math.isclose(sum(d["p"]), 1) and math.isclose(sum(d["q"]), 1)
        assert all(round(v * 100) == pytest.approx(v * 100) for v in d["p"] + d["q"])  # two decimals as shown
        assert len(d["p"]) == len(d["outcomes"]) in (3, 4)
        reference = scipy_values(d["p"], d["q"], d["unit"])
        for key, value in reference.items():
            assert d[key] == pytest.approx(value, abs=1e-12), (seed, key)
        expected = {
            "entropy": reference["entropy_p"],
            "cross_entropy": reference["cross_entropy_pq"],
            "kl": reference["kl_pq"],
            "asymmetry": [reference["kl_pq"], reference["kl_qp"]],
        }[ask]
        assert problem.expected == pytest.approx(expected, abs=1e-12)


def test_units_and_asks_both_drawn() -> None:
    problems = [GEN.generate(seed) for seed in range(60)]
    assert {p.data["unit"] for p in problems} == {"bits", "nats"}
    assert {p.data["ask"] for p in problems} == set(ASKS)
    assert {p.data["unit"] for p in (GEN.generate(s, {"unit": "nats"}) for s in range(10))} == {"nats"}


def mistakes(d: dict) -> list[float | list[float]]:
    """Numbers a learner gets from the common slips, for this instance."""
    other_base = math.log(2) if d["unit"] == "bits" else 1 / math.log(2)  # answer given in the other unit
    match d["ask"]:
        case "entropy":
            return [d["entropy_q"], d["entropy_p"] * other_base]
        case "cross_entropy":
            return [d["cross_entropy_qp"], d["entropy_p"], d["kl_pq"], d["cross_entropy_pq"] * other_base]
        case "kl":
            return [d["kl_qp"], d["kl_pq"] * other_base, -d["kl_pq"]]
    return [
        [d["kl_pq"], d["kl_pq"]],
        [d["kl_qp"], d["kl_pq"]],
        [d["kl_pq"] * other_base, d["kl_qp"] * other_base],
    ]


def answer_text(value: float | list[float], digits: int | None = None) -> str:
    values = value if isinstance(value, list) else [value]
    return "; ".join(repr(v) if digits is None else f"{v:.{digits}f}" for v in values)


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(80):
        problem = GEN.generate(seed, {"ask": ask})
        expected = problem.expected
        right = [answer_text(expected), answer_text(expected, 3)]
        wrong = [answer_text(m, 3) for m in mistakes(problem.data)]
        if ask == "asymmetry":
            wrong.append(f"{expected[0]:.3f}; {expected[1] + 0.01:.3f}")  # one part right is not enough
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        values = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        for value in values:
            shown = f"{value:.4f}".rstrip("0").rstrip(".")
            assert f"**{shown} {problem.data['unit']}**" in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "mutual_information"}, {"unit": "dits"}, {"k": 3}])
    assert GEN.Params.model_validate({"ask": "cross-entropy"}).ask == "cross_entropy"


def test_import_is_light() -> None:
    assert_import_is_light("generators.info_theory")
