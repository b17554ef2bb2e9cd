"""adversarial-linear: the FGSM logit rebuilt from the perturbed input x′, the minimal L∞ budget solved as a
linear program (scipy.optimize.linprog), the minimal L2 change checked by constructing the boundary point (and
against random boundary points); the features needed for a flip by perturbing them one at a time; the mistakes
graded wrong; no shortcut to the flip; determinism and params."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from generators import ChoiceAnswer, NumberAnswer, get
from generators.base import significant_text
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_generation_is_light,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("adversarial-linear")
ASKS = ("fgsm_logit", "min_eps_linf", "min_eps_l2", "dimension")
TABLE_ASKS = ASKS[:3]
SEEDS = range(150)


def _instance(seed: int, ask: str) -> tuple[object, np.ndarray, float, np.ndarray]:
    problem = GEN.generate(seed, {"ask": ask})
    d = problem.data
    return problem, np.array(d["w"]), float(d["b"]), np.array(d["x"])


def test_logit_matches_the_table() -> None:
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": TABLE_ASKS[seed % 3]})
        d = problem.data
        assert problem.table is not None
        shown_w = [float(row[1]) for row in problem.table.rows]
        shown_x = [float(row[2]) for row in problem.table.rows]
        assert shown_w == d["w"] and shown_x == d["x"], seed
        assert f"b = {d['b']:g}" in problem.prompt, seed
        assert d["z"] == pytest.approx(float(np.dot(shown_w, shown_x)) + d["b"], abs=1e-12)
        assert abs(d["z"]) >= 0.3
        assert 4 <= len(shown_w) <= 8


def test_fgsm_rebuilds_the_perturbed_input() -> None:
    flips = 0
    for seed in SEEDS:
        problem, w, b, x = _instance(seed, "fgsm_logit")
        eps = problem.data["eps"]
        z = w @ x + b
        # Try every corner of the L∞ ball around x: FGSM's x′ must reach the most adversarial logit.
        step = -eps * np.sign(w) if z > 0 else eps * np.sign(w)
        x_adv = x + step
        assert np.max(np.abs(x_adv - x)) == pytest.approx(eps)
        logit = float(w @ x_adv + b)
        assert problem.parts[0].answer.value == pytest.approx(logit, abs=1e-9)
        corners = x + eps * np.array(np.meshgrid(*[[-1.0, 1.0]] * len(w))).reshape(len(w), -1).T
        logits = corners @ w + b
        assert logit == pytest.approx(logits.min() if z > 0 else logits.max(), abs=1e-9)
        flipped = (logit > 0) != (z > 0)
        choice = problem.parts[1].answer
        assert isinstance(choice, ChoiceAnswer)
        assert choice.correct == ("flips" if flipped else "stays"), seed
        assert abs(logit) >= 0.05
        flips += flipped
    assert 0.35 * len(SEEDS) <= flips <= 0.65 * len(SEEDS)  # flipping cannot be guessed


def test_min_linf_budget_is_the_linear_program_optimum() -> None:
    for seed in SEEDS:
        problem, w, b, x = _instance(seed, "min_eps_linf")
        d = len(w)
        # Variables (δ, ε): minimise ε subject to w·(x + δ) + b = 0 and -ε ≤ δᵢ ≤ ε.
        c = np.r_[np.zeros(d), 1.0]
        a_ub = np.block([[np.eye(d), -np.ones((d, 1))], [-np.eye(d), -np.ones((d, 1))]])
        result = linprog(
            c,
            A_ub=a_ub,
            b_ub=np.zeros(2 * d),
            A_eq=np.r_[w, 0.0][None, :],
            b_eq=[-(w @ x + b)],
            bounds=[(None, None)] * (d + 1),
        )
        assert result.status == 0
        assert problem.expected == pytest.approx(result.fun, rel=1e-7), seed


def test_min_l2_change_reaches_the_boundary_and_is_shortest() -> None:
    rng = np.random.default_rng(0)
    for seed in SEEDS:
        problem, w, b, x = _instance(seed, "min_eps_l2")
        z = w @ x + b
        # The boundary point: project x onto the hyperplane w·x + b = 0.
        point = x - z * w / (w @ w)
        assert w @ point + b == pytest.approx(0.0, abs=1e-9)
        assert problem.parts[0].answer.value == pytest.approx(np.linalg.norm(point - x), rel=1e-9)
        # No other boundary point is closer: random boundary points all lie farther away.
        others = x + rng.normal(size=(50, len(w)))
        others -= ((others @ w + b) / (w @ w))[:, None] * w
        assert np.all(np.linalg.norm(others - x, axis=1) >= problem.parts[0].answer.value - 1e-9)
        feature = problem.data["feature"]
        assert f"feature **x{feature + 1}**" in problem.prompt
        assert problem.parts[1].answer.value == pytest.approx(point[feature] - x[feature], abs=1e-12), seed
        # The change pushes toward the other class: it lowers the logit for class 1, raises it for class 0.
        assert np.sign(point[feature] - x[feature]) == -np.sign(z) * np.sign(w[feature])


def test_min_l2_shift_mistakes_graded_wrong() -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": "min_eps_l2"})
        length = significant_text(problem.parts[0].answer.value, 3)
        shift = problem.parts[1].answer.value
        wrong = [f"{length}; {v:.3f}" for v in problem.data["shift_mistakes"].values()]
        assert_grades(problem, [f"{length}; {shift:.3f}"], wrong, seed)


def test_dimension_by_adding_features_one_at_a_time() -> None:
    rng = np.random.default_rng(1)
    for seed in SEEDS:
        problem = GEN.generate(seed, {"ask": "dimension"})
        d = problem.data
        z, m, eps = d["z"], d["weight"], d["eps"]
        n = int(problem.expected) + 50
        w = m * rng.choice([-1.0, 1.0], size=n)  # any signs: the attacker follows each one
        delta = -np.sign(z) * eps * np.sign(w)
        logits = z + np.cumsum(w * delta)  # the logit with the first 1, 2, ... features perturbed
        flipped = (logits <= 0) if z > 0 else (logits > 0)
        assert int(np.argmax(flipped)) + 1 == problem.expected, seed
        assert_grades(problem, [str(int(problem.expected))], [str(v) for v in d["mistakes"].values()], seed)


@pytest.mark.parametrize("ask", TABLE_ASKS)
def test_mistakes_graded_wrong(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        first = problem.parts[0].answer
        assert isinstance(first, NumberAnswer)
        others = [part.answer for part in problem.parts[1:]]
        rest = [
            f"#{[o.name for o in a.options].index(a.correct) + 1}"
            if isinstance(a, ChoiceAnswer)
            else repr(a.value)
            for a in others
        ]
        if first.decimals is not None:
            right = [f"{first.value:.3f}"]
            wrong = [f"{v:.3f}" for v in problem.data["mistakes"].values()]
        else:
            right = [significant_text(first.value, 3)]
            wrong = [significant_text(v, 3) for v in problem.data["mistakes"].values()]
        assert len(wrong) >= 2
        assert_grades(
            problem, ["; ".join([r, *rest]) for r in right], ["; ".join([w, *rest]) for w in wrong], seed
        )


def test_wrong_flip_graded_wrong() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "fgsm_logit"})
        number = f"{problem.parts[0].answer.value:.3f}"
        choice = problem.parts[1].answer
        assert isinstance(choice, ChoiceAnswer)
        names = [option.name for option in choice.options]
        wrong = [f"{number}; #{i + 1}" for i, name in enumerate(names) if name != choice.correct]
        assert_grades(problem, [f"{number}; #{names.index(choice.correct) + 1}"], wrong, seed)


def test_flip_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "fgsm_logit"}, range(300), part=1)


def test_solution_steps_the_right_way_for_either_class() -> None:
    """The working names the direction that pushes toward the other class: against sign(w) when z > 0."""
    for seed in range(40):
        for ask in ("fgsm_logit", "min_eps_linf"):
            problem = GEN.generate(seed, {"ask": ask})
            z = problem.data["z"]
            right, wrong = ("against", "with") if z > 0 else ("with", "against")
            assert f"ε {right} its weight's sign" in problem.solution or f"ε, {right} its weight's sign" in (
                problem.solution
            ), (seed, ask)
            assert f"{wrong} its weight's sign" not in problem.solution, (seed, ask)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        for part in problem.parts:
            if isinstance(part.answer, NumberAnswer):
                assert f"**{part.answer.shown()}**" in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "min_eps_l1"}, {"eps": 0.1}])
    assert GEN.Params.model_validate({"ask": "fgsm-logit"}).ask == "fgsm_logit"


def test_import_and_generation_are_light() -> None:
    assert_import_is_light("generators.adversarial_linear")
    assert_generation_is_light("adversarial-linear", [(1, {"ask": ask}) for ask in ASKS])
