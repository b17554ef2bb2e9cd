"""q-learning: returns by a forward power sum (numpy.polyval), updates replayed by a small dict-based agent;
the mistakes graded wrong; determinism and params."""

from __future__ import annotations

import numpy as np
import pytest

from generators import get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades

GEN = get("q-learning")
ASKS = ("return", "q_update", "sarsa_update")


class TabularAgent:
    """Textbook tabular TD control (Sutton & Barto §6.4-6.5), keyed by (state, action)."""

    def __init__(self, table: list[list[float]], alpha: float, gamma: float) -> None:
        self.q = {(s, a): v for s, row in enumerate(table) for a, v in enumerate(row)}
        self.actions = range(len(table[0]))
        self.alpha, self.gamma = alpha, gamma

    def learn(self, s: int, a: int, r: float, s2: int, a2: int, done: bool, on_policy: bool) -> float:
        if done:
            future = 0.0
        elif on_policy:
            future = self.q[(s2, a2)]
        else:
            future = max(self.q[(s2, b)] for b in self.actions)
        self.q[(s, a)] += self.alpha * (r + self.gamma * future - self.q[(s, a)])
        return self.q[(s, a)]


def test_return_matches_power_sum() -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "return"})
        d = problem.data
        # polyval evaluates r₁·γ⁰ + r₂·γ¹ + … when the coefficients run from the last reward to the first.
        assert problem.expected == pytest.approx(float(np.polyval(d["rewards"][::-1], d["gamma"])), abs=1e-9)


@pytest.mark.parametrize("ask", ["q_update", "sarsa_update"])
def test_update_matches_agent(ask: str) -> None:
    disagree = terminals = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        agent = TabularAgent(d["q"], d["alpha"], d["gamma"])
        value = agent.learn(
            d["state"],
            d["action"],
            d["reward"],
            d["next_state"],
            d["next_action"],
            d["terminal"],
            on_policy=ask == "sarsa_update",
        )
        assert problem.expected == pytest.approx(value, abs=1e-12)
        other = TabularAgent(d["q"], d["alpha"], d["gamma"]).learn(
            d["state"],
            d["action"],
            d["reward"],
            d["next_state"],
            d["next_action"],
            d["terminal"],
            on_policy=ask != "sarsa_update",
        )
        disagree += abs(other - value) > 0.01
        terminals += d["terminal"]
    assert disagree >= 100  # the two algorithms usually differ, so the question tells them apart
    assert 15 <= terminals <= 70


def test_terminal_prompt_says_so() -> None:
    for seed in range(100):
        problem = GEN.generate(seed, {"ask": "q_update"})
        assert ("s′ is terminal" in problem.prompt) == problem.data["terminal"]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = GEN.generate(seed, {"ask": ask})
        right = [repr(problem.expected), f"{problem.expected:.3f}"]
        wrong = [f"{v:.3f}" for v in problem.data["mistakes"].values()]
        assert wrong
        assert_grades(problem, right, wrong, seed)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution, seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "td_lambda"}, {"gamma": 0.9}])
    assert GEN.Params.model_validate({"ask": "q-update"}).ask == "q_update"


def test_import_is_light() -> None:
    assert_import_is_light("generators.q_learning")
