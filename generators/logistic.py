"""`logistic`: read a fitted logistic-regression model.

Three questions on a small model with hand-readable coefficients: the probability for one example
(σ of the log-odds), the odds ratio for a change in one feature (e^(k·β)), and the decision at a
threshold other than 0.5, where "positive log-odds" is no longer the rule. Expected values are
``scipy.special.expit``'s floats on the instance's numbers (computed without importing scipy; a test compares
them); the tests check them against a hand-set
``sklearn.linear_model.LogisticRegression`` and the textbook formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Field,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    article,
    fmt,
)

Ask = Literal["probability", "odds_ratio", "decision"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    coef: tuple[float, float]  # the coefficient is drawn from this range (signed)
    values: tuple[int, int]  # integer values drawn from this range (0/1 for a binary feature)
    unit: str  # "one more support ticket" -> the phrase for a one-unit change
    steps: tuple[int, ...] = (1,)  # sizes of change to ask odds ratios for

    @property
    def binary(self) -> bool:
        return self.values == (0, 1)


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str  # "customer"
    positive: str  # "churn"
    negative: str
    intercept: tuple[float, float]
    features: tuple[Feature, ...]
    thresholds: tuple[float, ...]  # thresholds that make sense for the use case
    action: str  # what a positive decision triggers
    inaction: str  # what a negative decision means in practice


SCENARIOS = (
    Scenario(
        "A churn model scores subscribers for a retention campaign",
        "subscriber",
        "churn",
        "stay",
        (-1.5, -0.3),
        (
            Feature("tenure_months", (-0.08, -0.02), (1, 60), "one more month of tenure", (1, 6, 12)),
            Feature("support_tickets_90d", (0.2, 0.6), (0, 6), "one more support ticket", (1, 2, 3)),
            Feature("annual_plan", (-1.5, -0.4), (0, 1), "being on an annual plan"),
        ),
        (0.2, 0.3, 0.4),
        "send a retention offer",
        "send no offer this month",
    ),
    Scenario(
        "A credit model estimates the probability that a loan defaults",
        "applicant",
        "default",
        "repay",
        (-4.0, -2.5),
        (
            Feature(
                "debt_to_income_pct", (0.02, 0.06), (10, 60), "one more point of debt-to-income", (1, 5, 10)
            ),
            Feature("late_payments_12m", (0.3, 0.9), (0, 5), "one more late payment", (1, 2)),
            Feature("has_mortgage", (-0.6, -0.1), (0, 1), "having a mortgage"),
        ),
        (0.1, 0.2, 0.3),
        "decline the application",
        "approve the application",
    ),
    Scenario(
        "A hospital model predicts 30-day readmission at discharge",
        "patient",
        "readmission",
        "no readmission",
        (-4.0, -2.5),
        (
            Feature("age_years", (0.01, 0.04), (30, 90), "one more year of age", (1, 10)),
            Feature("prior_admissions", (0.2, 0.7), (0, 5), "one more prior admission", (1, 2)),
            Feature("diabetic", (0.2, 0.8), (0, 1), "being diabetic"),
        ),
        (0.2, 0.3, 0.5),
        "book a follow-up call",
        "discharge with no extra call",
    ),
    Scenario(
        "A spam filter uses a logistic regression on hand-crafted email features",
        "email",
        "spam",
        "ham",
        (-2.0, -0.5),
        (
            Feature("n_links", (0.1, 0.5), (0, 12), "one more link", (1, 3, 5)),
            Feature("exclamation_marks", (0.1, 0.4), (0, 8), "one more exclamation mark", (1, 2)),
            Feature("sender_in_contacts", (-3.0, -1.5), (0, 1), "the sender being in the contacts"),
        ),
        (0.7, 0.8, 0.9),
        "move it to the spam folder",
        "leave it in the inbox",
    ),
    Scenario(
        "A fraud model scores card transactions in real time",
        "transaction",
        "fraud",
        "legit",
        (-3.5, -2.0),
        (
            Feature("amount_hundreds", (0.1, 0.4), (0, 15), "one hundred more in amount", (1, 5)),
            Feature("foreign_merchant", (0.5, 1.5), (0, 1), "a foreign merchant"),
            Feature("txns_last_hour", (0.2, 0.6), (0, 6), "one more transaction in the last hour", (1, 2)),
        ),
        (0.1, 0.2, 0.3),
        "block the transaction for review",
        "let the payment through",
    ),
)


class LogisticParams(Params):
    ask: Ask | None = None
    # Decision threshold on the predicted probability (only used when ask is "decision").
    threshold: float | None = Field(default=None, gt=0.0, lt=1.0)


def log_odds(intercept: float, coefs: np.ndarray, x: np.ndarray) -> float:
    return float(intercept + np.dot(coefs, x))


def probability(intercept: float, coefs: np.ndarray, x: np.ndarray) -> float:
    """P(y = 1 | x) = σ(b₀ + b·x) = 1 / (1 + e^−z), as ``scipy.special.expit`` computes it.

    ``math.exp`` is the C library's exp, the one scipy's expit calls, so these are its floats (a test
    compares them); numpy's own exp differs in the last digit now and then. No scipy import: scipy.special
    costs a drill session about 27 MB.
    """
    z = log_odds(intercept, coefs, x)
    try:
        return 1.0 / (1.0 + math.exp(-z))
    except OverflowError:  # e^−z beyond the largest float: expit gives 0
        return 0.0


def odds_ratio(coef: float, change: float) -> float:
    """Odds multiply by e^(change·β) when the feature grows by ``change`` (others fixed)."""
    return float(np.exp(change * coef))


def _draw_model(rng: np.random.Generator, scenario: Scenario) -> tuple[float, np.ndarray]:
    intercept = round(float(rng.uniform(*scenario.intercept)), 2)
    coefs = np.array([_round_coef(float(rng.uniform(*f.coef))) for f in scenario.features])
    return intercept, coefs


def _round_coef(value: float) -> float:
    # Two significant decimals for big coefficients, three for small per-unit ones like 0.035.
    return round(value, 2) if abs(value) >= 0.1 else round(value, 3)


def _draw_example(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    return np.array([int(rng.integers(f.values[0], f.values[1] + 1)) for f in scenario.features], dtype=float)


class Logistic(Generator):
    name = "logistic"
    title = "Logistic regression: probabilities, odds ratios, thresholds"
    description = (
        "Read a fitted logistic regression: the probability for one example, the odds ratio for a change "
        "in a feature, and the decision at a threshold other than 0.5."
    )
    Params = LogisticParams
    topics = ("logistic-regression", "classification")

    def make(self, rng: np.random.Generator, seed: int, params: LogisticParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        intercept, coefs = _draw_model(rng, scenario)
        if ask == "odds_ratio":
            return self._odds_ratio(rng, seed, params, scenario, intercept, coefs)
        if ask == "decision":
            threshold = (
                params.threshold if params.threshold is not None else float(rng.choice(scenario.thresholds))
            )
            # Half the examples land on each side of the threshold in every scenario: only the numbers decide.
            want_positive = bool(rng.random() < 0.5)
            x = None
            for _ in range(100):
                x = _decision_example(rng, scenario, intercept, coefs, threshold, want_positive)
                if x is not None:
                    break
                intercept, coefs = _draw_model(rng, scenario)  # this model cannot reach that side: redraw it
            if x is None:  # pragma: no cover - every scenario reaches both sides of its thresholds
                raise RuntimeError("no example on the wanted side of the threshold")
            return self._decision(rng, seed, params, scenario, intercept, coefs, threshold, x)
        return self._probability(rng, seed, params, scenario, intercept, coefs)

    def _probability(
        self,
        rng: np.random.Generator,
        seed: int,
        params: LogisticParams,
        scenario: Scenario,
        intercept: float,
        coefs: np.ndarray,
    ) -> Problem:
        x = _draw_example(rng, scenario)
        for _ in range(50):  # keep p away from 0 and 1, where "0.00" would pass
            if 0.02 <= probability(intercept, coefs, x) <= 0.98:
                break
            x = _draw_example(rng, scenario)
        z = log_odds(intercept, coefs, x)
        value = probability(intercept, coefs, x)
        prompt = (
            f"{scenario.context}. The fitted coefficients (log-odds scale; positive class = **{scenario.positive}**) "
            f"and one {scenario.items}'s features are below.\n\n"
            f"What is the predicted probability of **{scenario.positive}** for this {scenario.items}? "
            "Answer to 3 decimals."
        )
        solution = "\n\n".join(
            [
                _log_odds_line(scenario, intercept, coefs, x, z),
                f"p = σ(z) = 1 / (1 + e^(−z)) = 1 / (1 + e^({fmt(-z, 3)})) = **{fmt(value)}**",
                "The coefficients add on the log-odds scale, never on the probability scale: a coefficient's effect "
                "on p depends on where the example already sits on the sigmoid.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"P({scenario.positive})?", answer=NumberAnswer(value, decimals=3)),),
            solution=solution,
            data=_data("probability", scenario, intercept, coefs, x, probability=value, log_odds=z),
            table=_table(scenario, intercept, coefs, x),
        )

    def _odds_ratio(
        self,
        rng: np.random.Generator,
        seed: int,
        params: LogisticParams,
        scenario: Scenario,
        intercept: float,
        coefs: np.ndarray,
    ) -> Problem:
        index = int(rng.integers(len(scenario.features)))
        feature = scenario.features[index]
        change = int(rng.choice(feature.steps))
        value = odds_ratio(float(coefs[index]), change)
        if feature.binary:
            what = f"for {article(scenario.items)} {scenario.items} with **{feature.name} = 1** compared with one with {feature.name} = 0"
        elif change == 1:
            what = f"for **{feature.unit}** ({feature.name} + 1)"
        else:
            what = f"when **{feature.name} increases by {change}**"
        prompt = (
            f"{scenario.context}. The fitted coefficients are below (log-odds scale; positive class = "
            f"**{scenario.positive}**).\n\n"
            f"Holding the other features fixed, by what factor are the **odds** of {scenario.positive} multiplied "
            f"{what}? Answer to 3 decimals (a factor below 1 means the odds fall)."
        )
        beta = float(coefs[index])
        percent = (value - 1) * 100
        solution = "\n\n".join(
            [
                f"The log-odds change by {change} × β = {change} × {_paren(beta)} = {fmt(change * beta, 4)}.",
                f"Odds ratio = e^({fmt(change * beta, 4)}) = **{fmt(value)}**, i.e. the odds "
                f"{'rise' if percent > 0 else 'fall'} by {fmt(abs(percent), 1)}%.",
                "An odds ratio is the same for every example, but the change in probability is not: it is largest "
                "near p = 0.5 and tiny in the tails. Odds ≈ probability only when p is small.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="odds ratio?", answer=NumberAnswer(value, decimals=3)),),
            solution=solution,
            data=_data(
                "odds_ratio",
                scenario,
                intercept,
                coefs,
                None,
                feature=feature.name,
                change=change,
                odds_ratio=value,
            ),
            table=_table(scenario, intercept, coefs, None),
        )

    def _decision(
        self,
        rng: np.random.Generator,
        seed: int,
        params: LogisticParams,
        scenario: Scenario,
        intercept: float,
        coefs: np.ndarray,
        threshold: float,
        x: np.ndarray,
    ) -> Problem:
        z = log_odds(intercept, coefs, x)
        p = probability(intercept, coefs, x)
        positive = p >= threshold
        cutoff = math.log(threshold / (1 - threshold))
        options = (
            Option(
                "positive",
                f"Predict {scenario.positive}: {scenario.action}",
                aliases=(scenario.positive, f"predict {scenario.positive}", scenario.action),
            ),
            Option(
                "negative",
                f"Predict {scenario.negative}: {scenario.inaction}",
                aliases=(scenario.negative, f"predict {scenario.negative}", scenario.inaction),
            ),
        )
        correct = "positive" if positive else "negative"
        wrong = "negative" if positive else "positive"
        trap = (z > 0) != positive
        feedback = {
            wrong: (
                f"p = σ({fmt(z, 3)}) = {fmt(p, 3)}, which is {'at or above' if positive else 'below'} the threshold "
                f"{fmt(threshold)}"
                + (
                    f"; the log-odds sign only decides at threshold 0.5 (here compare z with logit({fmt(threshold)}) = "
                    f"{fmt(cutoff, 3)})."
                    if trap
                    else "."
                )
            )
        }
        prompt = (
            f"{scenario.context}. The team will **{scenario.action}** when the predicted probability of "
            f"{scenario.positive} is at least **{fmt(threshold)}**. The coefficients (log-odds scale) and one "
            f"{scenario.items}'s features are below.\n\nWhat does the model decide for this {scenario.items}?"
        )
        solution = "\n\n".join(
            [
                _log_odds_line(scenario, intercept, coefs, x, z),
                f"p = σ({fmt(z, 3)}) = {fmt(p)}, {'≥' if positive else '<'} {fmt(threshold)}, so: "
                f"**predict {scenario.positive if positive else scenario.negative}**.",
                f"Shortcut: compare z with the threshold's log-odds, logit({fmt(threshold)}) = "
                f"ln({fmt(threshold)}/{fmt(1 - threshold)}) = {fmt(cutoff, 3)}. `LogisticRegression.predict` uses 0.5 "
                "(z > 0); any other threshold needs `predict_proba` (or `decision_function` compared with the logit).",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="decision?",
                    answer=ChoiceAnswer(options=options, correct=correct, feedback=feedback),
                ),
            ),
            solution=solution,
            data=_data(
                "decision",
                scenario,
                intercept,
                coefs,
                x,
                threshold=threshold,
                probability=p,
                log_odds=z,
                decision=correct,
            ),
            table=_table(scenario, intercept, coefs, x),
        )


def _decision_example(
    rng: np.random.Generator,
    scenario: Scenario,
    intercept: float,
    coefs: np.ndarray,
    threshold: float,
    want_positive: bool,
) -> np.ndarray | None:
    """An example on the wanted side of the threshold, clearly (no near-ties); None if this model has none.

    Half the time, when the wanted side allows it, the sign of the log-odds and the decision disagree (the
    classic mistake): below a threshold of 0.5 that is a positive with z < 0, above it a negative with z > 0.
    """
    trap_possible = (threshold < 0.5 and want_positive) or (threshold > 0.5 and not want_positive)
    want_trap = trap_possible and rng.random() < 0.5
    fallback = None
    for _ in range(200):
        x = _draw_example(rng, scenario)
        z = log_odds(intercept, coefs, x)
        p = probability(intercept, coefs, x)
        if abs(p - threshold) < 0.02 or (p >= threshold) != want_positive:
            continue
        fallback = x if fallback is None else fallback
        if not want_trap or (z > 0) != (p >= threshold):
            return x
    return fallback


def _log_odds_line(scenario: Scenario, intercept: float, coefs: np.ndarray, x: np.ndarray, z: float) -> str:
    terms = " + ".join(f"{_paren(float(b))} × {fmt(float(v))}" for b, v in zip(coefs, x, strict=True))
    return f"Log-odds z = b₀ + Σ bᵢ·xᵢ = {fmt(intercept, 3)} + {terms} = {fmt(z, 4)}"


def _paren(value: float) -> str:
    text = fmt(value, 3)
    return f"({text})" if value < 0 else text


def _table(scenario: Scenario, intercept: float, coefs: np.ndarray, x: np.ndarray | None) -> Table:
    headers = ("term", "coefficient") if x is None else ("term", "coefficient", f"this {scenario.items}")
    rows = [("intercept", fmt(intercept, 3), *(() if x is None else ("",)))]
    for i, feature in enumerate(scenario.features):
        row = (feature.name + (" (0/1)" if feature.binary else ""), fmt(float(coefs[i]), 3))
        rows.append(row if x is None else (*row, fmt(float(x[i]))))
    return Table(headers=headers, rows=tuple(rows), title=f"logistic regression for P({scenario.positive})")


def _data(
    ask: str, scenario: Scenario, intercept: float, coefs: np.ndarray, x: np.ndarray | None, **asked: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "ask": ask,
        "positive": scenario.positive,
        "features": [f.name for f in scenario.features],
        "intercept": intercept,
        "coefs": coefs.tolist(),
    }
    if x is not None:
        data["x"] = x.tolist()
    data.update(asked)
    return data
