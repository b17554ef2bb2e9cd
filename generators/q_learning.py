"""`q-learning`: discounted returns, and one tabular Q-learning or SARSA update.

| ask            | answer                                                    | mistakes the numbers are drawn to expose        |
|----------------|-----------------------------------------------------------|-------------------------------------------------|
| `return`       | G₀ = r₁ + γ·r₂ + γ²·r₃ + …                                | the plain sum; discounting the first reward too |
| `q_update`     | Q(s, a) + α·(r + γ·max_a′ Q(s′, a′) − Q(s, a))             | SARSA's target (the next action actually taken); no γ; bootstrapping from a terminal state; replacing Q by the target |
| `sarsa_update` | Q(s, a) + α·(r + γ·Q(s′, a′) − Q(s, a)), a′ the next action taken | Q-learning's max; no γ; replacing Q by the target |

A terminal s′ has no future: the target is r alone. The next action a′ is chosen ε-greedily, so in most
instances it is not the greedy one and the two algorithms disagree. Sutton & Barto, *Reinforcement
Learning: An Introduction* (2nd ed.), §3.3 and §6.4-6.5. The tests replay the update with a small agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["return", "q_update", "sarsa_update"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.01


@dataclass(frozen=True, slots=True)
class Scenario:
    agent: str
    states: tuple[str, ...]
    actions: tuple[str, ...]
    rewards: tuple[float, ...]  # typical per-step rewards
    terminal: str  # what ending the episode looks like


SCENARIOS = (
    Scenario(
        "A warehouse robot learns to fetch parcels",
        ("aisle A", "aisle B", "aisle C", "dock"),
        ("left", "right", "pick"),
        (-1, -1, -1, 0, 5, 10),
        "delivers the parcel (the episode ends)",
    ),
    Scenario(
        "A game agent learns a platformer level",
        ("start", "ledge", "bridge", "cave"),
        ("run", "jump", "wait"),
        (-1, 0, 0, 1, 2, 5),
        "reaches the flag (the episode ends)",
    ),
    Scenario(
        "A thermostat agent learns to keep a room comfortable",
        ("cold", "cool", "ok", "warm"),
        ("heat", "off", "cool"),
        (-2, -1, 0, 1, 1, 2),
        "the day ends (the episode ends)",
    ),
    Scenario(
        "A trading bot learns when to hold inventory",
        ("empty", "low", "medium", "full"),
        ("buy", "hold", "sell"),
        (-3, -1, 0, 2, 4, 6),
        "the trading session closes (the episode ends)",
    ),
    Scenario(
        "A recommender agent learns which content to show next",
        ("new", "browsing", "engaged", "bored"),
        ("show video", "show article", "show offer"),
        (-1, 0, 0, 1, 2, 3),
        "the user closes the app (the episode ends)",
    ),
)


class QLearningParams(Params):
    ask: Ask | None = None


def discounted_return(rewards: list[float], gamma: float) -> float:
    """G₀ = Σ_k γ^k·r_(k+1), by the backward recursion G = r + γ·G'."""
    g = 0.0
    for r in reversed(rewards):
        g = r + gamma * g
    return g


def td_update(
    q: float, reward: float, gamma: float, alpha: float, next_value: float, terminal: bool
) -> float:
    target = reward if terminal else reward + gamma * next_value
    return q + alpha * (target - q)


class QLearning(Generator):
    name = "q-learning"
    title = "Discounted returns and one Q-learning / SARSA update"
    description = (
        "The discounted return of a reward sequence, and one tabular temporal-difference update: Q-learning's "
        "max over the next state's actions versus SARSA's next action actually taken, with terminal states."
    )
    Params = QLearningParams
    topics = ("reinforcement-learning",)

    def make(self, rng: np.random.Generator, seed: int, params: QLearningParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "return":
            return self._return(rng, seed, params, s)
        return self._update(rng, seed, params, s, ask)

    def _return(self, rng: np.random.Generator, seed: int, params: QLearningParams, s: Scenario) -> Problem:
        for _ in range(MAX_DRAWS):
            n = int(rng.integers(4, 8))
            rewards = [float(r) for r in rng.choice(s.rewards, size=n)]
            gamma = float(rng.choice([0.5, 0.8, 0.9, 0.95, 0.99]))
            value = discounted_return(rewards, gamma)
            slips = [sum(rewards), gamma * value]
            if min(abs(value - x) for x in slips) >= MISTAKE_GAP and rewards[-1] != 0:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("step", *(str(t + 1) for t in range(n))),
            rows=(("reward", *(fmt(r) for r in rewards)),),
            title="rewards of one episode",
        )
        prompt = (
            f"{s.agent}. One episode yields the rewards below, r₁ first, and then {s.terminal}.\n\n"
            f"With discount factor **γ = {fmt(gamma)}**, what is the **discounted return G₀** from the start "
            "(r₁ is not discounted)? Answer to 3 decimals."
        )
        terms = " + ".join(f"{fmt(gamma)}^{t}·{_paren(r)}" if t else _paren(r) for t, r in enumerate(rewards))
        powers = [gamma**t * r for t, r in enumerate(rewards)]
        solution = "\n\n".join(
            [
                f"G₀ = Σ γ^k·r_(k+1) = {terms}",
                f"= {' + '.join(_paren(round(p, 4)) for p in powers)} = **{fmt(value)}**",
                f"Backwards is easier by hand: G = r + γ·G′ from the last reward. The plain sum is {fmt(sum(rewards))}; "
                f"discounting r₁ as well gives {fmt(gamma * value, 3)}. With γ = {fmt(gamma)} a reward k steps ahead "
                f"counts γ^k, so the horizon that matters is about 1/(1 − γ) = {fmt(1 / (1 - gamma), 1)} steps.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("G₀?", NumberAnswer(value, decimals=3)),),
            solution=solution,
            data={
                "ask": "return",
                "rewards": rewards,
                "gamma": gamma,
                "return": value,
                "mistakes": {"undiscounted": sum(rewards), "off_by_one": gamma * value},
            },
            table=table,
        )

    def _update(
        self, rng: np.random.Generator, seed: int, params: QLearningParams, s: Scenario, ask: str
    ) -> Problem:
        n_s, n_a = len(s.states), len(s.actions)
        for _ in range(MAX_DRAWS):
            q = np.round(rng.uniform(-2, 8, size=(n_s, n_a)), 1)
            state, action = int(rng.integers(n_s)), int(rng.integers(n_a))
            nxt = int(rng.integers(n_s))
            terminal = bool(rng.random() < 0.2)
            reward = float(rng.choice(s.rewards))
            alpha = float(rng.choice([0.1, 0.2, 0.25, 0.5]))
            gamma = float(rng.choice([0.9, 0.95, 0.99]))
            # ε-greedy: mostly a non-greedy next action, so Q-learning and SARSA differ.
            greedy = int(np.argmax(q[nxt]))
            if len(set(q[nxt].tolist())) < n_a:
                continue
            next_action = (
                greedy if rng.random() < 0.2 else int(rng.choice([a for a in range(n_a) if a != greedy]))
            )
            values = _values(q, state, action, reward, alpha, gamma, nxt, next_action, terminal, ask)
            value = values["right"]
            if min(abs(value - v) for k, v in values.items() if k != "right") >= MISTAKE_GAP:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("state", *s.actions),
            rows=tuple((name, *(fmt(float(v), 1) for v in q[i])) for i, name in enumerate(s.states)),
            title="current Q-table",
        )
        algorithm = "Q-learning" if ask == "q_update" else "SARSA"
        after = (
            f"{s.terminal.replace(' (the episode ends)', '')} in state **{s.states[nxt]}**, so **s′ is terminal**"
            if terminal
            else f"lands in state **{s.states[nxt]}**, where its ε-greedy policy then picks "
            f"**{s.actions[next_action]}**"
        )
        prompt = (
            f"{s.agent} with tabular **{algorithm}** (α = **{fmt(alpha)}**, γ = **{fmt(gamma)}**). In state "
            f"**{s.states[state]}** it takes **{s.actions[action]}**, receives reward **{fmt(reward)}**, and {after}.\n\n"
            f"What is Q({s.states[state]}, {s.actions[action]}) after this one {algorithm} update? Answer to 3 decimals."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"new Q({s.states[state]}, {s.actions[action]})?", NumberAnswer(value, decimals=3)),),
            solution=_update_solution(
                ask, s, q, state, action, reward, alpha, gamma, nxt, next_action, terminal, values
            ),
            data={
                "ask": ask,
                "q": q.tolist(),
                "state": state,
                "action": action,
                "reward": reward,
                "alpha": alpha,
                "gamma": gamma,
                "next_state": nxt,
                "next_action": next_action,
                "terminal": terminal,
                "value": value,
                "mistakes": {k: v for k, v in values.items() if k != "right"},
            },
            table=table,
        )


def _values(
    q: np.ndarray,
    state: int,
    action: int,
    reward: float,
    alpha: float,
    gamma: float,
    nxt: int,
    next_action: int,
    terminal: bool,
    ask: str,
) -> dict[str, float]:
    """The right answer ("right") and the slips that differ from it for this transition."""
    old = float(q[state, action])
    best_next, taken_next = float(q[nxt].max()), float(q[nxt, next_action])
    mine, theirs = (best_next, taken_next) if ask == "q_update" else (taken_next, best_next)
    right = td_update(old, reward, gamma, alpha, mine, terminal)
    slips = {
        "other_algorithm": td_update(old, reward, gamma, alpha, theirs, terminal),
        "replace": reward if terminal else reward + gamma * mine,
    }
    if terminal:
        slips["bootstrap_terminal"] = old + alpha * (reward + gamma * mine - old)
    else:
        slips["no_gamma"] = old + alpha * (reward + mine - old)
    return {"right": right, **{k: v for k, v in slips.items() if abs(v - right) > 1e-12}}


def _update_solution(
    ask: str,
    s: Scenario,
    q: np.ndarray,
    state: int,
    action: int,
    reward: float,
    alpha: float,
    gamma: float,
    nxt: int,
    next_action: int,
    terminal: bool,
    values: dict[str, float],
) -> str:
    old = float(q[state, action])
    sa = f"Q({s.states[state]}, {s.actions[action]})"
    if terminal:
        target_line = f"s′ is terminal, so there is no future value: target = r = {fmt(reward)}."
        target = reward
    elif ask == "q_update":
        best = int(np.argmax(q[nxt]))
        target = reward + gamma * float(q[nxt, best])
        target_line = (
            f"Q-learning bootstraps from the best action in s′ = {s.states[nxt]}: max = "
            f"Q({s.states[nxt]}, {s.actions[best]}) = {fmt(float(q[nxt, best]), 1)}, whatever the policy "
            f"does next. Target = {fmt(reward)} + {fmt(gamma)}·{_paren(float(q[nxt, best]))} = "
            f"{fmt(target)}."
        )
    else:
        target = reward + gamma * float(q[nxt, next_action])
        target_line = (
            f"SARSA bootstraps from the action actually taken next, {s.actions[next_action]}: "
            f"Q({s.states[nxt]}, {s.actions[next_action]}) = {fmt(float(q[nxt, next_action]), 1)}. "
            f"Target = {fmt(reward)} + {fmt(gamma)}·{_paren(float(q[nxt, next_action]))} = {fmt(target)}."
        )
    value = old + alpha * (target - old)
    lines = [
        target_line,
        f"TD error = target − {sa} = {fmt(target)} − {_paren(old)} = {fmt(target - old)}.",
        f"New {sa} = {fmt(old, 1)} + {fmt(alpha)}·{_paren(round(target - old, 4))} = **{fmt(value)}**",
    ]
    if terminal:
        lines.append(
            f"Bootstrapping from the terminal state's row anyway would give "
            f"{fmt(values.get('bootstrap_terminal', value), 3)}: after the episode ends there is nothing left to "
            "earn, whatever values that row holds."
        )
    else:
        other = "SARSA" if ask == "q_update" else "Q-learning"
        other_value = values.get("other_algorithm", value)
        lines.append(
            f"{other} would give {fmt(other_value, 3)}"
            + (
                " (the same here, since the action taken next is the greedy one)."
                if other_value == value
                else "."
            )
            + " Q-learning is off-policy (it learns the greedy policy while exploring); SARSA is on-policy (it "
            "learns the value of the ε-greedy policy it follows, exploration included)."
        )
    lines.append(
        f"Setting Q to the target itself ({fmt(target, 3)}) is the α = 1 update: it forgets "
        "everything learned before from this state-action pair."
    )
    return "\n\n".join(lines)


def _paren(value: float) -> str:
    text = fmt(value, 4)
    return f"({text})" if value < 0 else text
