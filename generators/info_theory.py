"""`info-theory`: entropy, cross-entropy and KL divergence of a model's distribution against the truth.

A scenario gives the true distribution P of an outcome with 3 or 4 values and a model's predicted
distribution Q, both as two-decimal probabilities. The questions:

| ask             | answer                                   | mistakes the numbers are drawn to expose        |
|-----------------|------------------------------------------|-------------------------------------------------|
| `entropy`       | H(P) = −Σ P·log P                        | H(Q) instead; the other log base                |
| `cross_entropy` | H(P, Q) = −Σ P·log Q                     | H(Q, P) (swapped); H(P) or KL alone; log base   |
| `kl`            | KL(P‖Q) = Σ P·log(P/Q)                   | KL(Q‖P) (swapped); the other log base           |
| `asymmetry`     | KL(P‖Q); KL(Q‖P) (two parts)             | the same number twice                           |

The unit (bits = log base 2, nats = natural log) is stated in the prompt. Values are numpy sums over the
probabilities *as shown*; the tests check them with ``scipy.stats.entropy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["entropy", "cross_entropy", "kl", "asymmetry"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws
Unit = Literal["bits", "nats"]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]

DECIMALS = 3
# Every mistake must land this far from the answer (several tolerances), so rounding never rescues it.
MISTAKE_GAP = 0.01


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # what is predicted
    truth: str  # where P comes from
    model: str  # what Q is
    outcomes: tuple[str, ...]


SCENARIOS = (
    Scenario(
        "A weather model forecasts tomorrow's sky for days like today",
        "the long-run frequencies on such days",
        "the model's forecast",
        ("sunny", "cloudy", "rain", "snow"),
    ),
    Scenario(
        'A language model predicts the next word after "the cat sat on the"',
        "the next-word frequencies in a large corpus",
        "the model's softmax output",
        ("mat", "sofa", "floor", "roof"),
    ),
    Scenario(
        "A recommender predicts which genre a user will stream next",
        "the share of the user's last 100 streams per genre",
        "the recommender's predicted probabilities",
        ("drama", "comedy", "documentary", "thriller"),
    ),
    Scenario(
        "A delivery app predicts which slot a customer will book",
        "the observed booking shares",
        "the app's predicted probabilities",
        ("morning", "afternoon", "evening"),
    ),
    Scenario(
        "An image classifier's average predicted class mix is compared with the test set",
        "the true class mix of the test set",
        "the mean of the classifier's softmax outputs",
        ("car", "truck", "bus", "bike"),
    ),
    Scenario(
        "A churn model predicts what a subscriber does at renewal",
        "the outcome shares among similar subscribers",
        "the model's predicted probabilities",
        ("renew", "downgrade", "cancel"),
    ),
    Scenario(
        "A sentiment model predicts the rating class of a review",
        "the rating shares in the labelled review set",
        "the model's average predicted probabilities",
        ("negative", "neutral", "positive"),
    ),
)


class InfoTheoryParams(Params):
    ask: Ask | None = None
    unit: Unit | None = None  # None: bits or nats by seed


def log_unit(x: np.ndarray, unit: str) -> np.ndarray:
    return np.log2(x) if unit == "bits" else np.log(x)


def entropy(p: np.ndarray, unit: str) -> float:
    """H(P) = −Σ p·log p."""
    return float(-np.sum(p * log_unit(p, unit)))


def cross_entropy(p: np.ndarray, q: np.ndarray, unit: str) -> float:
    """H(P, Q) = −Σ p·log q: the expected log-loss of predicting Q when outcomes follow P."""
    return float(-np.sum(p * log_unit(q, unit)))


def kl(p: np.ndarray, q: np.ndarray, unit: str) -> float:
    """KL(P‖Q) = Σ p·log(p/q) = H(P, Q) − H(P)."""
    return float(np.sum(p * log_unit(p / q, unit)))


def _distribution(rng: np.random.Generator, alpha: np.ndarray, floor: int) -> np.ndarray:
    """Whole percentages, each at least ``floor``, summing to exactly 100 (the largest absorbs rounding)."""
    for _ in range(MAX_DRAWS):
        percent = np.round(rng.dirichlet(alpha) * 100).astype(int)
        percent[np.argmax(percent)] += 100 - percent.sum()
        if percent.min() >= floor:
            return percent / 100
    else:
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


def _distributions(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """P and a model's Q near it, far enough apart that every mistake misses by ≥ MISTAKE_GAP in both units."""
    for _ in range(MAX_DRAWS):
        p = _distribution(rng, np.full(k, 2.5), floor=5)
        q = _distribution(rng, p * rng.uniform(6, 14), floor=4)
        gaps = [
            kl(p, q, "bits") * (1 - np.log(2)),  # KL in nats vs bits (the smaller unit gap)
            abs(kl(p, q, "nats") - kl(q, p, "nats")),
            abs(entropy(p, "nats") - entropy(q, "nats")),
            abs(cross_entropy(p, q, "nats") - cross_entropy(q, p, "nats")),
        ]
        if min(gaps) >= MISTAKE_GAP and kl(p, q, "nats") <= 0.6:
            return p, q
    else:
        raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


class InfoTheory(Generator):
    name = "info-theory"
    title = "Entropy, cross-entropy and KL divergence"
    description = (
        "A model's predicted distribution against the true one over 3-4 outcomes: the entropy of the truth, "
        "the cross-entropy, KL(P‖Q) and its asymmetry, in bits or nats."
    )
    Params = InfoTheoryParams
    topics = ("information-theory", "loss-functions", "probability")

    def make(self, rng: np.random.Generator, seed: int, params: InfoTheoryParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        unit = params.unit or str(rng.choice(UNITS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        p, q = _distributions(rng, len(scenario.outcomes))
        values = {
            "entropy_p": entropy(p, unit),
            "entropy_q": entropy(q, unit),
            "cross_entropy_pq": cross_entropy(p, q, unit),
            "cross_entropy_qp": cross_entropy(q, p, unit),
            "kl_pq": kl(p, q, unit),
            "kl_qp": kl(q, p, unit),
        }
        intro = f"{scenario.context}. **P** is the truth ({scenario.truth}); **Q** is {scenario.model}."
        precision = f"Answer in **{unit}**, to {DECIMALS} decimals."
        if ask == "entropy":
            question = f"What is the **entropy H(P)** of the true distribution? {precision}"
            parts = (Part("H(P)?", NumberAnswer(values["entropy_p"], decimals=DECIMALS, unit=unit)),)
        elif ask == "cross_entropy":
            question = (
                f"What is the **cross-entropy H(P, Q)**, the model's expected log-loss when outcomes "
                f"follow P? {precision}"
            )
            parts = (Part("H(P, Q)?", NumberAnswer(values["cross_entropy_pq"], decimals=DECIMALS, unit=unit)),)
        elif ask == "kl":
            question = (
                f"What is the **KL divergence KL(P‖Q)** of the model from the truth (the extra "
                f"log-loss paid for predicting Q when outcomes follow P)? {precision}"
            )
            parts = (Part("KL(P‖Q)?", NumberAnswer(values["kl_pq"], decimals=DECIMALS, unit=unit)),)
        else:
            question = (
                f"1. What is **KL(P‖Q)**?\n2. What is **KL(Q‖P)**?\n\n{precision} Separate the two "
                "answers with ';'."
            )
            parts = (
                Part("KL(P‖Q)?", NumberAnswer(values["kl_pq"], decimals=DECIMALS, unit=unit)),
                Part("KL(Q‖P)?", NumberAnswer(values["kl_qp"], decimals=DECIMALS, unit=unit)),
            )
        table = Table(
            headers=("outcome", "P (truth)", "Q (model)"),
            rows=tuple(
                (name, f"{a:.2f}", f"{b:.2f}") for name, a, b in zip(scenario.outcomes, p, q, strict=True)
            ),
            title="two distributions over the same outcomes",
        )
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, unit, scenario.outcomes, p, q, values),
            data={
                "ask": ask,
                "unit": unit,
                "outcomes": list(scenario.outcomes),
                "p": p.tolist(),
                "q": q.tolist(),
                **values,
            },
            table=table,
        )


def _solution(
    ask: str, unit: str, outcomes: tuple[str, ...], p: np.ndarray, q: np.ndarray, values: dict[str, float]
) -> str:
    log = "log₂" if unit == "bits" else "ln"
    other = "nats" if unit == "bits" else "bits"
    factor = np.log(2) if unit == "bits" else 1 / np.log(2)

    def terms_table(header: str, terms: np.ndarray, describe: str) -> str:
        rows = [f"| outcome | P | Q | {header} |", "|---|---|---|---|"]
        rows += [
            f"| {name} | {a:.2f} | {b:.2f} | {fmt(float(t))} |"
            for name, a, b, t in zip(outcomes, p, q, terms, strict=True)
        ]
        return "\n".join(rows) + f"\n\n{describe} = {' + '.join(_paren(float(t)) for t in terms)}"

    if ask == "entropy":
        terms = -p * log_unit(p, unit)
        body = [
            f"H(P) = −Σ P·{log} P, one term per outcome:",
            terms_table(f"−P·{log} P", terms, "H(P)") + f" = **{fmt(values['entropy_p'])} {unit}**",
            f"Q plays no part: the model's distribution has H(Q) = {fmt(values['entropy_q'])} {unit}, a "
            f"different number. In {other} the same entropy is {fmt(values['entropy_p'] * factor)}: "
            f"1 bit = ln 2 ≈ 0.693 nats. The maximum for {len(p)} outcomes is {log} {len(p)} = "
            f"{fmt(float(log_unit(np.array([len(p)]), unit)[0]))} {unit} (uniform).",
        ]
    elif ask == "cross_entropy":
        terms = -p * log_unit(q, unit)
        body = [
            f"H(P, Q) = −Σ P·{log} Q: weight the model's log-probabilities by how often each outcome really "
            "happens.",
            terms_table(f"−P·{log} Q", terms, "H(P, Q)") + f" = **{fmt(values['cross_entropy_pq'])} {unit}**",
            f"It splits as H(P) + KL(P‖Q) = {fmt(values['entropy_p'])} + {fmt(values['kl_pq'])}: the entropy "
            "of the truth is a floor no model can beat, and KL is what this model adds on top. Swapping the "
            f"arguments, H(Q, P) = {fmt(values['cross_entropy_qp'])} {unit}, answers a different question.",
        ]
    else:
        terms = p * log_unit(p / q, unit)
        body = [
            f"KL(P‖Q) = Σ P·{log}(P / Q), weighted by the truth P:",
            terms_table(f"P·{log}(P/Q)", terms, "KL(P‖Q)") + f" = **{fmt(values['kl_pq'])} {unit}**",
        ]
        reverse = q * log_unit(q / p, unit)
        swapped = (
            f"KL(Q‖P) = Σ Q·{log}(Q / P) = {' + '.join(_paren(float(t)) for t in reverse)} = "
            f"{'**' if ask == 'asymmetry' else ''}{fmt(values['kl_qp'])} {unit}"
            f"{'**' if ask == 'asymmetry' else ''}"
        )
        body += [
            swapped,
            "KL is not symmetric: each direction weights the log-ratios by a different distribution. "
            "KL(P‖Q) (the truth first) is the one minimised by fitting Q with cross-entropy or maximum "
            "likelihood, since H(P, Q) = H(P) + KL(P‖Q) and H(P) is fixed. Negative terms are normal; the sum "
            f"never is. In {other}, KL(P‖Q) = {fmt(values['kl_pq'] * factor)}.",
        ]
    return "\n\n".join(body)


def _paren(value: float) -> str:
    text = fmt(value)
    return f"({text})" if value < 0 else text
