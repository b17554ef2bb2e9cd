"""bayes-rule: answers recounted on an exact population from the rates *as printed*, mistakes, params."""

from __future__ import annotations

from fractions import Fraction

import pytest

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("bayes-rule")
ASKS = ("positive", "negative", "counts")


def printed_rates(problem: Problem) -> tuple[Fraction, Fraction, Fraction]:
    """Base rate, sensitivity and specificity read back from the table a learner sees."""
    assert problem.table is not None
    rows = {name: Fraction(value.removesuffix("%")) / 100 for name, value in problem.table.rows}
    base, sensitivity = rows.pop("base rate"), rows.pop("sensitivity")
    ((name, third),) = rows.items()
    specificity = third if name == "specificity" else 1 - third
    assert (name != "specificity") == problem.data["stated_as_fpr"]
    assert f"{name} of" in problem.prompt
    return base, sensitivity, specificity


def population(base: Fraction, sensitivity: Fraction, specificity: Fraction, n: int) -> dict[str, Fraction]:
    """Exact expected counts in a population of n, with no floating point anywhere."""
    sick = n * base
    healthy = n - sick
    return {
        "tp": sick * sensitivity,
        "fn": sick * (1 - sensitivity),
        "fp": healthy * (1 - specificity),
        "tn": healthy * specificity,
    }


@pytest.mark.parametrize("ask", ASKS)
def test_answers_match_an_exact_population(ask: str) -> None:
    for seed in range(250):
        problem = GEN.generate(seed, {"ask": ask})
        base, sensitivity, specificity = printed_rates(problem)
        c = population(base, sensitivity, specificity, 10**6)
        ppv = c["tp"] / (c["tp"] + c["fp"])
        miss = c["fn"] / (c["fn"] + c["tn"])
        if ask == "positive":
            assert problem.expected == pytest.approx(float(ppv), abs=1e-12)
            assert base <= Fraction(5, 100)
        elif ask == "negative":
            assert problem.expected == pytest.approx(float(miss), abs=1e-12)
            assert base >= Fraction(10, 100)
        else:
            n = problem.data["n"]
            small = population(base, sensitivity, specificity, n)
            # Whole expected counts: the answers are exact, not rounded.
            assert all(value.denominator == 1 for value in small.values()), seed
            assert problem.expected == [small["tp"] + small["fp"], small["tp"]]
        # The slips the family is built to expose land far from the answer.
        value = float(ppv if ask != "negative" else miss)
        slips = (
            [sensitivity, specificity, 1 - specificity, base]
            if ask != "negative"
            else [1 - sensitivity, base, 1 - specificity]
        )
        assert min(abs(value - float(s)) for s in slips) >= 0.02, seed


def test_base_rate_changes_the_answer_not_the_test() -> None:
    """Same sensitivity and specificity: P(condition | +) grows with the base rate (sanity of the formula)."""
    from generators.bayes_rule import Rates, posterior_positive

    values = [posterior_positive(Rates(base, 90, 950)) for base in (1, 10, 100, 500)]
    assert values == sorted(values) and values[0] < 0.02 < 0.6 < values[-1]


def mistakes(problem: Problem) -> list[str]:
    d = problem.data
    if d["ask"] == "counts":
        tp, fp = d["tp"], d["fp"]
        with_it = d["n"] * d["base_rate"]
        careless_fp = d["n"] * (1 - d["specificity"])  # false positives counted over everyone
        return [
            f"{tp:.0f}; {tp:.0f}",
            f"{tp + fp:.0f}; {with_it:.0f}",
            f"{tp + careless_fp:.0f}; {tp:.0f}",
            f"{tp + fp:.0f}; {tp + 1:.0f}",
        ]
    if d["ask"] == "positive":
        slips = [d["sensitivity"], d["specificity"], d["base_rate"], 1 - d["specificity"]]
    else:
        slips = [1 - d["sensitivity"], d["base_rate"], 1 - d["specificity"], 0.0]
    return [f"{v:.3f}" for v in slips]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(80):
        problem = GEN.generate(seed, {"ask": ask})
        if ask == "counts":
            total, true = problem.expected
            right = [f"{total:.0f}; {true:.0f}", f"{total:,.0f}; {true:,.0f}"]
        else:
            right = [repr(problem.expected), f"{problem.expected:.3f}", f"{100 * problem.expected:.1f}%"]
        assert_grades(problem, right, mistakes(problem), seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        if problem.data["ask"] == "counts":
            total, true = problem.expected
            assert f"**{total:,.0f}**" in problem.solution and f"**{true:,.0f}**" in problem.solution
        else:
            assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution
        assert "base-rate neglect" in problem.solution or problem.data["ask"] == "negative"


def test_deterministic_varied_and_mixed() -> None:
    problems = assert_deterministic_and_mixed(GEN, ASKS)
    assert {p.data["stated_as_fpr"] for p in problems} == {True, False}


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "ppv"}, {"base_rate": 0.1}])


def test_import_is_light() -> None:
    assert_import_is_light("generators.bayes_rule")


def test_question_names_the_item_not_it() -> None:
    """Regression: 'the probability that it really has the cancer' called a person 'it'."""
    for seed in range(40):
        for ask in ("positive", "negative"):
            problem = GEN.generate(seed, {"ask": ask})
            assert "probability that it " not in problem.prompt
            assert "probability that this " in problem.prompt


def test_solution_says_the_other_items_not_items_without_it() -> None:
    """Regression: 'the 98,000 emails without it produce 9,800 false positives' ('it' had no referent)."""
    for seed in range(40):
        solution = GEN.generate(seed, {"ask": "positive"}).solution
        assert " without it produce" not in solution
        assert "the other " in solution
