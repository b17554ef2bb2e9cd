"""forecast-mase: MAE vs sklearn, MASE scales from scratch, the winner and the MASE < 1 verdict, the mistakes
graded wrong, and no shortcut in the choice parts."""

from __future__ import annotations

import pytest

from generators import ChoiceAnswer, Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("forecast-mase")
ASKS = ("mae", "mase", "best", "beats_naive")


def in_sample_scale(train: list[int], lag: int) -> float:
    diffs = [abs(train[t] - train[t - lag]) for t in range(lag, len(train))]
    return sum(diffs) / len(diffs)


def sk_mae(actual: list[int], forecast: list[int]) -> float:
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(actual, forecast))


def check_data(d: dict) -> None:
    """The forecasts are what their names say, and the stored MAEs and scales are right."""
    train, period, horizon = d["train"], d["period"], len(d["actual"])
    assert d["forecasts"]["naive"] == [train[-1]] * horizon
    assert d["forecasts"]["seasonal_naive"] == [train[len(train) - period + i] for i in range(horizon)]
    assert len(train) % period == 0 and horizon <= period
    for name, forecast in d["forecasts"].items():
        assert d["mae"][name] == pytest.approx(sk_mae(d["actual"], forecast), abs=1e-12)
    assert d["scale"]["naive"] == pytest.approx(in_sample_scale(train, 1), abs=1e-12)
    assert d["scale"]["seasonal"] == pytest.approx(in_sample_scale(train, period), abs=1e-12)


@pytest.mark.parametrize("ask", ASKS)
def test_answers_match_sklearn_and_scratch(ask: str) -> None:
    keys = []
    for seed in range(200 if ask in ("mae", "mase") else 120):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        if seed < 60:
            check_data(d)
        lag = 1 if d["scale_kind"] == "naive" else d["period"]
        scale = in_sample_scale(d["train"], lag)
        if ask == "mae":
            assert problem.expected == pytest.approx(
                sk_mae(d["actual"], d["forecasts"][d["forecast"]]), abs=1e-12
            )
        elif ask == "mase":
            value = sk_mae(d["actual"], d["forecasts"][d["forecast"]]) / scale
            assert problem.expected == pytest.approx(value, abs=1e-12)
        elif ask == "best":
            maes = {name: sk_mae(d["actual"], f) for name, f in d["forecasts"].items()}
            assert problem.expected == min(maes, key=maes.__getitem__)
            ordered = sorted(maes.values())
            assert ordered[1] - ordered[0] >= 0.05 * ordered[1]  # a clear winner
        else:
            value = sk_mae(d["actual"], d["forecasts"]["model"]) / scale
            assert abs(value - 1) >= 0.05
            assert problem.expected == ("yes" if value < 1 else "no")
        keys.append(problem.expected)
    if ask == "best":
        assert min(keys.count(name) for name in ("naive", "seasonal_naive", "model")) >= 25
    if ask == "beats_naive":
        assert min(keys.count(name) for name in ("yes", "no")) >= 40


def test_mase_verdict_and_holdout_comparison_disagree_sometimes() -> None:
    """The lesson of beats_naive: MASE < 1 is not 'beats the naive forecast on the holdout'."""
    disagree = 0
    for seed in range(120):
        d = GEN.generate(seed, {"ask": "beats_naive"}).data
        disagree += (d["mae"]["model"] < d["mae"]["naive"]) != (d["mase"] < 1)
    assert disagree >= 10


def test_scale_param() -> None:
    for seed in range(20):
        assert GEN.generate(seed, {"ask": "mase", "scale": "seasonal"}).data["scale_kind"] == "seasonal"
        assert (
            GEN.generate(seed, {"ask": "beats_naive", "scale": "seasonal"}).data["scale_kind"] == "seasonal"
        )


def mistakes(problem: Problem) -> list[str]:
    d = problem.data
    if d["ask"] == "mae":
        return [f"{v:.2f}" for v in d["mistakes"].values()]
    return [f"{v:.3f}" for v in d["mistakes"].values()]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": ask})
        answer = problem.parts[0].answer
        if isinstance(answer, ChoiceAnswer):
            names = [o.name for o in answer.options]
            right = [answer.correct, str(names.index(answer.correct) + 1)]
            wrong = [name for name in names if name != answer.correct]
            assert set(answer.feedback) == set(wrong)
        else:
            digits = 2 if ask == "mae" else 3
            right = [repr(problem.expected), f"{problem.expected:.{digits}f}"]
            wrong = mistakes(problem)
        assert_grades(problem, right, wrong, seed)


@pytest.mark.parametrize("ask", ["best", "beats_naive"])
def test_choice_parts_have_no_shortcut(ask: str) -> None:
    assert_no_shortcut(GEN, {"ask": ask}, range(300))


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        d = problem.data
        if d["ask"] == "mae":
            assert f"**{problem.expected:.2f}".rstrip("0").rstrip(".") in problem.solution
        elif d["ask"] == "mase":
            assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution
        elif d["ask"] == "best":
            assert f"**the {problem.expected.replace('_', ' ')} forecast**" in problem.solution
        else:
            assert (
                "**yes, below 1**" if problem.expected == "yes" else "**no, 1 or more**"
            ) in problem.solution


def test_deterministic_varied_and_mixed() -> None:
    problems = assert_deterministic_and_mixed(GEN, ASKS)
    assert {p.data["period"] for p in problems} == {4, 7, 12}


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "smape"}, {"scale": "drift"}, {"horizon": 3}])
    assert GEN.Params.model_validate({"ask": "beats-naive"}).ask == "beats_naive"


def test_import_is_light() -> None:
    assert_import_is_light("generators.forecast_mase")


def test_best_insight_makes_no_deployment_claim() -> None:
    """Regression: 'a model that cannot beat it is not worth deploying' overclaimed from one benchmark."""
    solution = GEN.generate(1, {"ask": "best"}).solution
    assert "worth deploying" not in solution
    assert "both benchmarks" in solution


def test_seasonal_naive_is_described_by_the_cycle_not_a_season() -> None:
    """Regression: 'same quarter one season earlier' could be read as the previous quarter (a season)."""
    texts = {GEN.generate(seed).prompt for seed in range(40)}
    assert not any("one season earlier" in t for t in texts)
    assert any("same quarter one year earlier" in t for t in texts)
    assert any("same month one year earlier" in t for t in texts)
    assert any("same weekday one week earlier" in t for t in texts)


def test_mae_solution_states_the_error_sign_and_no_doubled_unit() -> None:
    """Regression: the signed mean error had no stated sign convention, and 'daily customers (customers)'
    repeated the unit."""
    for seed in range(30):
        problem = GEN.generate(seed, {"ask": "mae"})
        assert "(actual − forecast)" in problem.solution
        assert "customers (customers)" not in problem.prompt and "check-ins (check-ins)" not in problem.prompt
