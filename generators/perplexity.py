"""`perplexity`: perplexity and cross-entropy from a language model's per-token probabilities.

A short sentence is shown with the probability the model gave each token (given the tokens before it). The
question is the perplexity, exp of the mean negative log-likelihood; the cross-entropy per token in bits or
nats; the perplexity behind a reported loss (e^loss for nats, 2^loss for bits); or which of two models has
the lower perplexity on the same sentence. Instances are drawn so that the usual slips land elsewhere: the
inverse of the mean probability, the mean of the inverse probabilities, 1/Π p without the n-th root, and
mixing log bases; in the comparison, the model with the higher *average* probability loses about half the
time. The tests recompute the values with ``scipy.stats.gmean`` and a plain-Python loop over the tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import (
    ChoiceAnswer,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Table,
    far_from,
    fmt,
)

Ask = Literal["perplexity", "bits", "nats", "from-loss", "compare"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    model: str  # "A small English language model"
    text: str  # "a caption"
    tokens: tuple[str, ...]

    @property
    def context(self) -> str:
        return f"{self.model} scores {self.text}"


SCENARIOS = (
    Scenario("A small English language model", "a caption", ("the", "cat", "sat", "on", "the", "mat")),
    Scenario("A chatbot's language model", "a user's message", ("I", "would", "like", "a", "coffee")),
    Scenario("A finance-news language model", "a headline", ("stocks", "fell", "sharply", "on", "Monday")),
    Scenario("A support-desk language model", "a ticket", ("please", "reset", "my", "password")),
    Scenario(
        "A language model trained on ML papers",
        "a sentence",
        ("the", "model", "overfits", "the", "training", "data"),
    ),
    Scenario(
        "A sports-commentary language model", "a line of commentary", ("she", "scored", "a", "late", "goal")
    ),
    Scenario("A code model", "a line of Python", ("for", "i", "in", "range", "(", "n", ")")),
)


class PerplexityParams(Params):
    ask: Ask | None = None


def nll(probs: np.ndarray) -> np.ndarray:
    return -np.log(probs)


def perplexity(probs: np.ndarray) -> float:
    """exp of the mean negative log-likelihood per token (the inverse geometric mean of the probabilities)."""
    return float(np.exp(nll(probs).mean()))


def perplexity_slips(probs: np.ndarray) -> dict[str, float]:
    mean_nats = float(nll(probs).mean())
    return {
        "inverse_mean_probability": float(1 / probs.mean()),
        "mean_inverse_probability": float((1 / probs).mean()),
        "no_root": float(np.exp(nll(probs).sum())),
        "two_to_nats": float(2**mean_nats),
        "e_to_bits": float(np.exp(mean_nats / math.log(2))),
    }


def _draw_probs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly plausible tokens (0.05-0.9), now and then a surprising one (0.01-0.05); two decimals."""
    probs = np.where(rng.random(n) < 0.2, rng.uniform(0.01, 0.05, n), rng.uniform(0.05, 0.9, n))
    return np.clip(np.round(probs, 2), 0.01, 0.99)


class Perplexity(Generator):
    name = "perplexity"
    title = "Perplexity and cross-entropy of a language model"
    description = (
        "Per-token probabilities of a short sentence: perplexity (exp of the mean NLL), cross-entropy in bits "
        "or nats, perplexity from a reported loss, and which of two models has the lower perplexity."
    )
    Params = PerplexityParams
    topics = ("nlp", "language-models", "evaluation")

    def make(self, rng: np.random.Generator, seed: int, params: PerplexityParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "from-loss":
            return self._from_loss(rng, seed, params, scenario)
        if ask == "compare":
            return self._compare(rng, seed, params, scenario)
        n = len(scenario.tokens)
        for _ in range(1000):
            probs = _draw_probs(rng, n)
            if ask == "perplexity" and _perplexity_ok(probs):
                return self._perplexity(seed, params, scenario, probs)
            if ask in ("bits", "nats") and _entropy_ok(probs, ask):
                return self._entropy(seed, params, scenario, probs, ask)
        raise RuntimeError("no probabilities met the conditions")  # pragma: no cover

    def _intro(self, scenario: Scenario) -> str:
        return (
            f"{scenario.context}. The table gives the probability the model assigned to each token, given the "
            "tokens before it."
        )

    def _perplexity(
        self, seed: int, params: PerplexityParams, scenario: Scenario, probs: np.ndarray
    ) -> Problem:
        value = perplexity(probs)
        n = len(probs)
        losses = nll(probs)
        prompt = (
            f"{self._intro(scenario)}\n\nWhat is the model's **perplexity** on this text ({n} tokens)? "
            "Answer to 2 decimals."
        )
        slips = perplexity_slips(probs)
        lines = [
            "Per-token negative log-likelihood −ln p: "
            + ", ".join(f"{fmt(float(x), 4)}" for x in losses)
            + ".",
            f"Mean NLL = {fmt(float(losses.sum()), 4)} / {n} = {fmt(float(losses.mean()), 4)} nats per token.",
            f"Perplexity = e^{fmt(float(losses.mean()), 4)} = **{fmt(value, 4)}**",
            "Equivalently (Π p)^(−1/n), the inverse geometric mean of the probabilities: the model is as unsure as "
            f"if it chose uniformly among {fmt(value, 1)} tokens at each step.",
            f"Slips: 1 / mean(p) = {fmt(slips['inverse_mean_probability'], 2)}; mean(1/p) = "
            f"{fmt(slips['mean_inverse_probability'], 2)}; 1 / Π p without the n-th root = "
            f"{fmt(slips['no_root'], 2)}; 2^(mean NLL in nats) = {fmt(slips['two_to_nats'], 2)}. One unlikely token "
            "pulls the geometric mean down far more than the arithmetic mean.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="perplexity?", answer=NumberAnswer(value, decimals=2)),),
            solution="\n\n".join(lines),
            data={
                "ask": "perplexity",
                "tokens": list(scenario.tokens),
                "probs": probs.tolist(),
                "value": value,
                "slips": slips,
            },
            table=_table(scenario, {"p": probs}),
        )

    def _entropy(
        self, seed: int, params: PerplexityParams, scenario: Scenario, probs: np.ndarray, unit: str
    ) -> Problem:
        n = len(probs)
        base = 2.0 if unit == "bits" else math.e
        log_name = "log₂" if unit == "bits" else "ln"
        losses = -np.log(probs) / math.log(base)
        value = float(losses.mean())
        other = float(losses.mean() * (math.log(2) if unit == "bits" else 1 / math.log(2)))
        prompt = (
            f"{self._intro(scenario)}\n\nWhat is the model's **cross-entropy** on this text, as the mean per "
            f"token, in **{unit}**? Answer to 3 decimals."
        )
        ppl = perplexity(probs)
        lines = [
            f"Per-token −{log_name} p: " + ", ".join(fmt(float(x), 4) for x in losses) + ".",
            f"Mean = {fmt(float(losses.sum()), 4)} / {n} = **{fmt(value, 4)} {unit} per token**",
            f"In {'nats' if unit == 'bits' else 'bits'} it would be {fmt(other, 3)} (1 nat = 1/ln 2 ≈ 1.4427 bits). "
            f"Either way the perplexity is the same: {'2' if unit == 'bits' else 'e'}^{fmt(value, 4)} = "
            f"{fmt(ppl, 2)}.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"cross-entropy in {unit}?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data={
                "ask": unit,
                "tokens": list(scenario.tokens),
                "probs": probs.tolist(),
                "value": value,
                "other_unit": other,
                "sum": float(losses.sum()),
                "perplexity": ppl,
            },
            table=_table(scenario, {"p": probs}),
        )

    def _from_loss(
        self, rng: np.random.Generator, seed: int, params: PerplexityParams, scenario: Scenario
    ) -> Problem:
        unit = str(rng.choice(("nats", "bits")))
        loss = round(float(rng.uniform(1.5, 4.5 if unit == "nats" else 6.0)), 2)
        value = float(math.exp(loss) if unit == "nats" else 2**loss)
        wrong_base = float(2**loss if unit == "nats" else math.exp(loss))
        how = (
            "`nn.CrossEntropyLoss` (natural log, mean over tokens)"
            if unit == "nats"
            else "a toolkit that reports the mean cross-entropy in bits per token"
        )
        prompt = (
            f"{scenario.model} reports a validation loss of **{fmt(loss, 2)}** per token, "
            f"computed with {how}.\n\nWhat perplexity does that loss correspond to? Answer to 1 decimal."
        )
        base = "e" if unit == "nats" else "2"
        lines = [
            f"Perplexity = {base}^(mean cross-entropy) when the loss is in {unit}.",
            f"{base}^{fmt(loss, 2)} = **{fmt(value, 2)}**",
            f"Using the other base gives {fmt(wrong_base, 2)}: always check which log the loss was computed with "
            "before comparing perplexities across papers or toolkits.",
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt="perplexity?", answer=NumberAnswer(value, decimals=1)),),
            solution="\n\n".join(lines),
            data={"ask": "from-loss", "unit": unit, "loss": loss, "value": value, "wrong_base": wrong_base},
        )

    def _compare(
        self, rng: np.random.Generator, seed: int, params: PerplexityParams, scenario: Scenario
    ) -> Problem:
        n = len(scenario.tokens)
        want_trap = bool(rng.random() < 0.5)
        names = ("A", "B")
        for _ in range(5000):
            a, b = _draw_probs(rng, n), _draw_probs(rng, n)
            ppl = (perplexity(a), perplexity(b))
            means = (float(a.mean()), float(b.mean()))
            if abs(math.log(ppl[0] / ppl[1])) < 0.05 or abs(means[0] - means[1]) < 0.02:
                continue
            trap = (ppl[0] < ppl[1]) != (means[0] > means[1])
            if trap == want_trap:
                break
        else:  # pragma: no cover - both kinds turn up within a few dozen draws
            raise RuntimeError("no pair of models met the conditions")
        best = 0 if ppl[0] < ppl[1] else 1
        options = tuple(Option(f"model-{x}", f"Model {x}") for x in names)
        other = 1 - best
        feedback = {
            f"model-{names[other]}": (
                f"Model {names[other]}'s perplexity is {fmt(ppl[other], 2)}, higher than Model {names[best]}'s "
                f"{fmt(ppl[best], 2)}"
                + (
                    f", even though its average probability ({fmt(means[other], 3)}) is the higher one: perplexity "
                    "averages log-probabilities, so its least likely tokens cost it more."
                    if means[other] > means[best]
                    else "."
                )
            )
        }
        prompt = (
            f"Two language models, A and B, score the same text ({scenario.text}). The table gives the probability "
            "each assigned to every token, given the tokens before it.\n\nWhich model has the **lower perplexity** on this text?"
        )
        lines = [
            f"Model A: mean −ln p = {fmt(float(nll(a).mean()), 4)}, perplexity e^that = {fmt(ppl[0], 3)}.",
            f"Model B: mean −ln p = {fmt(float(nll(b).mean()), 4)}, perplexity = {fmt(ppl[1], 3)}.",
            f"Lower perplexity: **Model {names[best]}**.",
            f"The average probabilities are A {fmt(means[0], 3)} and B {fmt(means[1], 3)}"
            + (
                ": here the higher average belongs to the *worse* model, because a few near-zero probabilities "
                "dominate the mean log-likelihood."
                if means[other] > means[best]
                else "; here they agree with perplexity, but they need not: a single near-zero probability can "
                "outweigh many confident tokens."
            ),
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="lower perplexity?",
                    answer=ChoiceAnswer(options=options, correct=f"model-{names[best]}", feedback=feedback),
                ),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "compare",
                "tokens": list(scenario.tokens),
                "probs_a": a.tolist(),
                "probs_b": b.tolist(),
                "perplexities": list(ppl),
                "mean_probs": list(means),
                "best": names[best],
            },
            table=_table(scenario, {"Model A": a, "Model B": b}),
        )


def _perplexity_ok(probs: np.ndarray) -> bool:
    value = perplexity(probs)
    return far_from(value, perplexity_slips(probs).values(), 0.05)


def _entropy_ok(probs: np.ndarray, unit: str) -> bool:
    losses = -np.log(probs) / (math.log(2) if unit == "bits" else 1.0)
    value = losses.mean()
    other = value * (math.log(2) if unit == "bits" else 1 / math.log(2))
    log10 = float((-np.log10(probs)).mean())
    return far_from(value, (other, losses.sum(), log10), 0.01)


def _table(scenario: Scenario, columns: dict[str, np.ndarray]) -> Table:
    headers = ("#", "token", *(f"p ({name})" if name != "p" else "p(token | before)" for name in columns))
    rows = tuple(
        (str(i + 1), f"`{token}`", *(fmt(float(c[i]), 2) for c in columns.values()))
        for i, token in enumerate(scenario.tokens)
    )
    return Table(headers=headers, rows=rows, title="per-token probabilities")
