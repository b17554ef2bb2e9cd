"""logistic: scipy values vs a hand-set sklearn LogisticRegression and math formulas; grading; lazy imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

import generators.logistic as lg
from generators import ChoiceAnswer, NumberAnswer, get
from quizzer.answers import Unreadable
from quizzer.grading import grade_parts
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("logistic")
ROOT = Path(__file__).resolve().parents[2]


def hand_set_model(intercept: float, coefs: list[float]):
    """A LogisticRegression with the instance's coefficients, no fitting."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.coef_ = np.array([coefs])
    model.intercept_ = np.array([intercept])
    model.classes_ = np.array([0, 1])
    model.n_features_in_ = len(coefs)
    return model


def textbook_probability(intercept: float, coefs: list[float], x: list[float]) -> float:
    z = intercept + sum(b * v for b, v in zip(coefs, x, strict=True))
    return 1 / (1 + math.exp(-z))


def test_probability_matches_sklearn_and_formula() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "probability"})
        d = problem.data
        p = textbook_probability(d["intercept"], d["coefs"], d["x"])
        assert problem.expected == pytest.approx(p, abs=1e-12)
        assert 0.02 <= problem.expected <= 0.98
        if seed < 60:  # sklearn's input validation is slow-ish; 60 seeds suffice for the cross-check
            model = hand_set_model(d["intercept"], d["coefs"])
            assert problem.expected == pytest.approx(model.predict_proba(np.array([d["x"]]))[0, 1], abs=1e-12)
            assert d["log_odds"] == pytest.approx(model.decision_function(np.array([d["x"]]))[0], abs=1e-12)


def test_odds_ratio_matches_formula() -> None:
    binary_seen = False
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "odds_ratio"})
        d = problem.data
        beta = d["coefs"][d["features"].index(d["feature"])]
        assert problem.expected == pytest.approx(math.exp(beta) ** d["change"], rel=1e-12)
        # The odds ratio is the ratio of odds at x + change and at x, for any x: check with sklearn's model.
        if seed < 40:
            model = hand_set_model(d["intercept"], d["coefs"])
            x0 = np.zeros((1, len(d["coefs"])))
            x1 = x0.copy()
            x1[0, d["features"].index(d["feature"])] = d["change"]
            p0, p1 = model.predict_proba(x0)[0, 1], model.predict_proba(x1)[0, 1]
            assert problem.expected == pytest.approx((p1 / (1 - p1)) / (p0 / (1 - p0)), rel=1e-9)
        binary_seen |= "= 1** compared" in problem.prompt
    assert binary_seen


@pytest.mark.parametrize("threshold", [None, 0.5, 0.25, 0.8])
def test_decision_matches_threshold_rule(threshold: float | None) -> None:
    traps = 0
    for seed in range(250):
        params = {"ask": "decision"} | ({"threshold": threshold} if threshold is not None else {})
        problem = GEN.generate(seed, params)
        d = problem.data
        tau = d["threshold"]
        if threshold is not None:
            assert tau == threshold
        p = textbook_probability(d["intercept"], d["coefs"], d["x"])
        assert abs(p - tau) >= 0.02  # no near-ties
        assert problem.expected == ("positive" if p >= tau else "negative")
        # Equivalent rule on the log-odds scale.
        z = math.log(p / (1 - p))
        assert (z >= math.log(tau / (1 - tau))) == (problem.expected == "positive")
        traps += (z > 0) != (problem.expected == "positive")
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        wrong = next(o.name for o in answer.options if o.name != answer.correct)
        assert fmt3(p) in answer.feedback[wrong]
    if threshold != 0.5:
        assert traps >= 50  # the "sign of the log-odds" mistake is tested often
    else:
        assert traps == 0


def fmt3(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def test_deterministic_and_varied() -> None:
    for seed in (0, 3, 99, 2**33):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    # The numbers live in the table and data, so compare data.
    assert len({json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(60)}) >= 58
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {"probability", "odds_ratio", "decision"}


def test_params_validation() -> None:
    for bad in ({"threshold": 0}, {"threshold": 1.0}, {"ask": "auc"}, {"seed": 3}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    answer = problem.parts[0].answer
    if isinstance(answer, NumberAnswer):
        forms = [repr(answer.value), f"{answer.value:.3f}"]
        if answer.value < 1:
            forms.append(f"{answer.value * 100:.2f}%")
        wrong = repr(answer.value + 0.05)
    else:
        index = [o.name for o in answer.options].index(answer.correct)
        forms = [answer.correct, str(index + 1), "ab"[index], answer.options[index].label]
        wrong = str(2 - index)
    for text in forms:
        assert grade_parts(problem.parts, text).correct, text
    assert not grade_parts(problem.parts, wrong).correct


def test_json_and_solution() -> None:
    for seed in range(40):
        problem = GEN.generate(seed)
        json.dumps(problem.to_json())
        assert "**" in problem.solution
        assert problem.table is not None and problem.table.rows[0][0] == "intercept"


def test_import_does_not_load_sklearn() -> None:
    code = (
        "import generators.logistic, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


JUNK = ("", "abc", "1;2;3;4;5", "\x1b[2J")


def test_decision_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "decision"}, range(300))


def test_decisions_balanced_in_every_scenario() -> None:
    """Each scenario says "positive" about half the time, so the scenario's words give nothing away."""
    counts: dict[str, list[int]] = {}
    for seed in range(500):
        d = GEN.generate(seed, {"ask": "decision"}).data
        counts.setdefault(d["positive"], []).append(d["decision"] == "positive")
    for scenario, decisions in counts.items():
        assert 0.3 <= sum(decisions) / len(decisions) <= 0.7, scenario


def _number_mistakes(d: dict, value: float) -> list[float]:
    """The log-odds instead of σ(log-odds); β·Δ instead of e^(β·Δ); e^β ignoring the size of the change."""
    if d["ask"] == "probability":
        return [d["log_odds"], d["log_odds"] - d["intercept"]]
    beta = d["coefs"][d["features"].index(d["feature"])]
    return [beta * d["change"], math.exp(beta), value - 1]


def test_grading_property_over_many_seeds() -> None:
    """Exact, rounded and percent answers and options by name / position / letter / text / alias are right;
    the family's slips and junk are not."""
    for seed in range(240):
        problem = GEN.generate(seed)
        answer = problem.parts[0].answer
        d = problem.data
        if isinstance(answer, NumberAnswer):
            assert "to 3 decimals" in problem.prompt and answer.decimals == 3
            right = [repr(answer.value), f"{answer.value:.3f}"]
            if answer.value < 1:
                right.append(f"{answer.value * 100:.1f}%")
            wrong = [repr(x) for x in _number_mistakes(d, answer.value) if abs(x - answer.value) > 0.002]
        else:
            names = [o.name for o in answer.options]
            index = names.index(answer.correct)
            key = answer.options[index]
            right = [
                answer.correct,
                str(index + 1),
                "ab"[index],
                key.text,
                key.aliases[0],
                key.aliases[0].upper(),
            ]
            other = answer.options[1 - index]
            wrong = [other.name, str(2 - index), other.text, other.aliases[0]]
        assert_grades(problem, right, wrong, seed)
        for junk in JUNK:
            assert isinstance(grade_parts(problem.parts, junk), Unreadable), (seed, junk)


# -- scipy's floats without scipy --------------------------------------------------------------------


def _scipy_probability(intercept: float, coefs: np.ndarray, x: np.ndarray) -> float:
    from scipy.special import expit

    return float(expit(lg.log_odds(intercept, coefs, x)))


def test_probability_is_scipys_expit_bit_for_bit() -> None:
    """math.exp is the C library's exp, the one scipy's expit calls (numpy's own exp is not always)."""
    rng = np.random.default_rng(3)
    for _ in range(20_000):
        k = int(rng.integers(1, 4))
        intercept = float(rng.normal(0, rng.choice([1, 5, 300])))
        coefs, x = rng.normal(0, 2, k).round(2), rng.normal(0, 10, k).round(1)
        assert lg.probability(intercept, coefs, x) == _scipy_probability(intercept, coefs, x)
    for extreme in (-800.0, -40.0, 0.0, 40.0, 800.0):
        assert lg.probability(extreme, np.zeros(1), np.zeros(1)) == _scipy_probability(
            extreme, np.zeros(1), np.zeros(1)
        )


def test_instances_are_those_scipy_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = [GEN.generate(seed).to_json() for seed in range(150)]
    monkeypatch.setattr(lg, "probability", _scipy_probability)
    assert [GEN.generate(seed).to_json() for seed in range(150)] == ours
