"""bias-variance: bias² / variance vs textbook formulas on the shown predictions, simulation sanity, grading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated
from tests.generators.library_paths import assert_same_instances_as_library

GEN = get("bias-variance")
ROOT = Path(__file__).resolve().parents[2]
MODELS = ("linear", "stump", "deep-tree", "1-nn")
# Instances (8 model fits each) are built once per worker: the default seeds are shared with the answer
# contract, the "dominates" seeds between the explanation check and the shortcut check (instances.py).
pytestmark = pytest.mark.xdist_group("bias-variance")


def textbook(truth: float, predictions: list[float]) -> tuple[float, float]:
    b = len(predictions)
    mean = sum(predictions) / b
    return (mean - truth) ** 2, sum((p - mean) ** 2 for p in predictions) / b


def test_matches_textbook_over_seeds() -> None:
    for seed in range(120):  # each instance fits 8 models
        problem = generated(GEN, seed)
        d = problem.data
        bias2, variance = textbook(d["truth"], d["predictions"])
        assert (d["bias2"], d["variance"]) == pytest.approx((bias2, variance), abs=1e-12)
        assert max(bias2, variance) >= 2 * min(bias2, variance)
        expected = {
            "bias2": bias2,
            "variance": variance,
            "dominates": "bias" if bias2 > variance else "variance",
        }[d["ask"]]
        assert problem.expected == (
            expected if isinstance(expected, str) else pytest.approx(expected, abs=1e-12)
        )
        # The table shows exactly the numbers the answer is computed from.
        shown = [float(row[1]) for row in problem.table.rows]
        assert shown == d["predictions"]


def sklearn_estimator(model: str, rng: np.random.Generator):
    """The scikit-learn estimator the family fitted before ``generators._regress`` (same rng draws)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor

    match model:
        case "linear":
            return LinearRegression()
        case "stump":
            return DecisionTreeRegressor(max_depth=1, random_state=int(rng.integers(2**31)))
        case "deep-tree":
            return DecisionTreeRegressor(random_state=int(rng.integers(2**31)))
    return KNeighborsRegressor(n_neighbors=1)


def test_instances_same_as_with_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    """200 seeds (every model and question, thousands of fits): each instance, figure included, is the one
    scikit-learn's estimators make."""
    assert {generated(GEN, seed).data["model"] for seed in range(200)} == set(MODELS)
    cases = [(seed, {}) for seed in range(200)]  # the answer contract's instances: built once per worker
    assert_same_instances_as_library(GEN, cases, monkeypatch, {"_estimator": sklearn_estimator})


def test_simulation_behaves_like_the_theory() -> None:
    """Under the same training conditions, flexible models have more variance and less bias² than rigid ones;
    and for one model, few noisy points raise the variance while many clean ones lower it."""
    from generators.bias_variance import SCENARIOS, Conditions, run_experiment

    scenario = SCENARIOS[0]  # fuel use: a parabola on 30-130 km/h, noise sd 0.6
    same = Conditions(30, 0.6, 30.0, 130.0, 60.0)

    def median_terms(model: str, conditions: Conditions) -> tuple[float, float]:
        terms = []
        for seed in range(15):
            e = run_experiment(np.random.default_rng(seed), scenario, model, conditions)
            terms.append(textbook(e.truth, e.predictions.tolist()))
        return float(np.median([b for b, _ in terms])), float(np.median([v for _, v in terms]))

    rigid = {m: median_terms(m, same) for m in ("linear", "stump")}
    flexible = {m: median_terms(m, same) for m in ("deep-tree", "1-nn")}
    assert min(v for _, v in flexible.values()) > max(v for _, v in rigid.values())
    assert max(b for b, _ in flexible.values()) < max(b for b, _ in rigid.values())
    few_noisy = median_terms("stump", Conditions(6, 1.5, 30.0, 130.0, 115.0))
    many_clean = median_terms("stump", Conditions(250, 0.1, 30.0, 130.0, 115.0))
    assert few_noisy[1] > 10 * many_clean[1]


def test_explanation_names_the_computed_term() -> None:
    """The solution's verdict and its reason follow the numbers: 'the fits scatter / swing' only when variance is
    the larger term, 'misses ... the same way / direction' only when bias² is."""
    for seed in range(240):
        problem = generated(GEN, seed, {"ask": "dominates"})
        d = problem.data
        bias2, variance = textbook(d["truth"], d["predictions"])
        verdict = problem.solution.split(" dominates**")[0].rsplit("**", 1)[1]
        assert verdict == ("Bias²" if bias2 > variance else "Variance"), seed
        reason = problem.solution.split(" dominates**")[1].split("The expected squared error")[0]
        says_scatter = "scatter" in reason or "swing" in reason
        says_miss = "misses f(x0)" in reason
        assert says_scatter != says_miss, (seed, reason)
        assert says_miss == (bias2 > variance), (seed, reason)
        assert problem.expected == ("bias" if bias2 > variance else "variance")
        # what the reason quotes is what the prompt states
        assert f" {d['train_size']} " in reason and f"{d['train_size']} points were drawn" in problem.prompt


def test_model_does_not_decide_the_answer() -> None:
    for model in MODELS:
        answers = [GEN.generate(seed, {"ask": "dominates", "model": model}).expected for seed in range(40)]
        assert 0.3 <= answers.count("bias") / len(answers) <= 0.7, model


def test_no_shortcut() -> None:
    from tests.generators.shortcuts import assert_no_shortcut

    assert_no_shortcut(GEN, {"ask": "dominates"}, range(300))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("ask", ["bias2", "variance", "dominates"])
def test_variants_grading_and_determinism(model: str, ask: str) -> None:
    for seed in range(5):
        params = {"model": model, "ask": ask}
        problem = GEN.generate(seed, params)
        assert problem.data["model"] == model and problem.data["ask"] == ask
        assert problem.to_json() == GEN.generate(seed, params).to_json()
        json.dumps(problem.to_json())
        assert len(problem.figure.series) == 9
        if ask == "dominates":
            options = [o.name for o in problem.parts[0].answer.options]
            index = options.index(problem.expected)
            right = [problem.expected, str(index + 1), problem.parts[0].answer.options[index].text]
            wrong = [next(o for o in options if o != problem.expected)]
        else:
            value = problem.expected
            right = [repr(value), f"{value:.3g}", f"{value:.4g}"]
            wrong = [repr(value * 1.05 + 0.02 * max(problem.data["bias2"], problem.data["variance"]))]
            if value > 0:
                wrong.append("0")  # the smaller term may be tiny, never zero by tolerance
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_mix() -> None:
    problems = [generated(GEN, seed) for seed in range(30)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 30
    assert {p.data["ask"] for p in problems} == {"bias2", "variance", "dominates"}
    assert {p.data["dominant"] for p in problems} == {"bias", "variance"}
    assert len({p.data["train_size"] for p in problems}) > 10


def test_bad_params_rejected() -> None:
    for bad in ({"model": "svm"}, {"ask": "noise"}, {"fits": 10}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.bias_variance, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
