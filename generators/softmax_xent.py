"""`softmax-xent`: softmax probabilities, cross-entropy loss, and the ln(K) sanity check.

Given a classifier's logits, ask the softmax probability of one class, or the mean cross-entropy
(natural log, as ``nn.CrossEntropyLoss`` with its default mean reduction) over a small batch; or ask
the loss a freshly initialised K-class model should start at, ln(K). Expected values are
``scipy.special.log_softmax``'s floats, computed without importing scipy; the tests check them against scipy,
``sklearn.metrics.log_loss`` and the textbook formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Field, Generator, NumberAnswer, Params, Part, Problem, Table, fmt, log_softmax
from generators.base import softmax as base_softmax

Ask = Literal["probability", "loss", "initial_loss"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    classes: tuple[str, ...]


SCENARIOS = (
    Scenario("A sentiment classifier rates product reviews on a 5-point scale", "review",
             ("very neg", "neg", "neutral", "pos", "very pos")),
    Scenario("An intent classifier routes customer-support chats", "chat",
             ("billing", "cancel", "shipping", "tech")),
    Scenario("A pet-photo classifier tells animals apart", "photo", ("cat", "dog", "rabbit")),
    Scenario("A news classifier tags articles by topic", "article",
             ("politics", "sport", "business", "science", "culture")),
    Scenario("A language-ID model labels short text snippets", "snippet", ("en", "de", "fr", "es")),
    Scenario("A land-cover model classifies satellite tiles", "tile", ("water", "forest", "crop", "urban")),
)


@dataclass(frozen=True, slots=True)
class InitScenario:
    context: str
    k: int


INIT_SCENARIOS = (
    InitScenario("You start training a ResNet on CIFAR-10 (10 classes)", 10),
    InitScenario("You start training a ResNet on CIFAR-100 (100 classes)", 100),
    InitScenario("You start training a ViT from scratch on ImageNet-1k (1,000 classes)", 1000),
    InitScenario("You start pre-training a small GPT with GPT-2's tokenizer (50,257-token vocabulary)", 50257),
    InitScenario("You start training a 5-class review-sentiment classifier", 5),
    InitScenario("You start fine-tuning a new head for the 37 Oxford-IIIT Pet breeds", 37),
    InitScenario("You start training a keyword-spotting model on the 35 Speech Commands words", 35),
    InitScenario("You start training a fine-grained bird classifier on CUB-200 (200 species)", 200),
)


class SoftmaxXentParams(Params):
    ask: Ask | None = None
    # Examples in the batch for ask="loss" (None: 1-3 by seed).
    batch_size: int | None = Field(default=None, ge=1, le=4)


def softmax(logits: np.ndarray) -> np.ndarray:
    """``scipy.special.softmax`` over the last axis (:func:`generators.base.softmax`: its floats, no scipy)."""
    return base_softmax(np.asarray(logits, dtype=float), axis=-1)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean over the batch of −ln softmax(logits)[label], by ``scipy.special.log_softmax``'s arithmetic."""
    log_p = log_softmax(np.asarray(logits, dtype=float), axis=-1)
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def _logits(rng: np.random.Generator, k: int) -> np.ndarray:
    """Logits with one decimal, a clear winner and a spread typical of a half-trained model."""
    while True:
        logits = np.round(rng.normal(0.0, 1.6, k), 1)
        top = np.sort(logits)[::-1]
        if top[0] - top[1] >= 0.2:
            return logits


class SoftmaxXent(Generator):
    name = "softmax-xent"
    title = "Softmax and cross-entropy"
    description = (
        "Softmax probabilities from logits, the mean cross-entropy loss of a small batch (natural log), and "
        "the ln(K) loss a freshly initialised K-class model should start at."
    )
    Params = SoftmaxXentParams
    topics = ("deep-learning", "loss-functions", "classification")

    def make(self, rng: np.random.Generator, seed: int, params: SoftmaxXentParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS, p=[0.4, 0.4, 0.2]))
        if ask == "initial_loss":
            return self._initial(rng, seed, params)
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "probability":
            return self._probability(rng, seed, params, scenario)
        return self._loss(rng, seed, params, scenario)

    def _probability(self, rng: np.random.Generator, seed: int, params: SoftmaxXentParams,
                     scenario: Scenario) -> Problem:
        k = len(scenario.classes)
        logits = _logits(rng, k)
        probs = softmax(logits)
        # Ask a class with p >= 0.03, so that answering "0" is never within tolerance.
        candidates = np.flatnonzero(probs >= 0.03)
        index = int(rng.choice(candidates))
        value = float(probs[index])
        name = scenario.classes[index]
        exps = np.exp(logits)
        prompt = (
            f"{scenario.context}. For one {scenario.items} the final layer outputs the logits below.\n\n"
            f"What probability does the softmax give to class **{name}**? Answer to 3 decimals."
        )
        terms = " + ".join(fmt(float(e), 3) for e in exps)
        solution = "\n\n".join([
            "softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ).",
            f"Exponentials: {', '.join(f'e^({fmt(float(z), 1)}) = {fmt(float(e), 3)}' for z, e in zip(logits, exps, strict=True))}.",
            f"Sum = {terms} = {fmt(float(exps.sum()), 3)}.",
            f"P({name}) = {fmt(float(exps[index]), 3)} / {fmt(float(exps.sum()), 3)} = **{fmt(value)}**",
            "Softmax only sees differences between logits: adding the same constant to all of them changes "
            "nothing, which is why implementations subtract the max before exponentiating.",
        ])
        table = Table(headers=("class", *scenario.classes),
                      rows=(("logit", *(fmt(float(z), 1) for z in logits)),),
                      title=f"logits for one {scenario.items}")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"P({name})?", answer=NumberAnswer(value, decimals=3)),),
            solution=solution,
            data={"ask": "probability", "classes": list(scenario.classes), "logits": logits.tolist(),
                  "class": name, "probability": value},
            table=table,
        )

    def _loss(self, rng: np.random.Generator, seed: int, params: SoftmaxXentParams, scenario: Scenario) -> Problem:
        k = len(scenario.classes)
        n = params.batch_size or int(rng.integers(1, 4))
        logits = np.array([_logits(rng, k) for _ in range(n)])
        probs = softmax(logits)
        # Mostly the true class is the model's favourite, sometimes not: a confident mistake costs a lot.
        labels = np.array([int(np.argmax(row)) if rng.random() < 0.6 else int(rng.integers(k)) for row in logits])
        value = cross_entropy(logits, labels)
        per_example = -np.log(probs[np.arange(n), labels])
        which = "this example" if n == 1 else f"this batch of {n}"
        prompt = (
            f"{scenario.context}. Below are the logits and true labels for {which}.\n\n"
            f"What is the **cross-entropy loss**{'' if n == 1 else ' (mean over the batch, as `nn.CrossEntropyLoss` reports it)'}? "
            "Use the natural log. Answer to 3 decimals."
        )
        lines = ["Cross-entropy for one example = −ln softmax(z)[true class] = −z_true + ln Σⱼ e^(zⱼ)."]
        for i in range(n):
            true = scenario.classes[labels[i]]
            lse = float(np.log(np.exp(logits[i]).sum()))
            lines.append(f"Example {i + 1} (true: {true}): ln Σ e^z = {fmt(lse, 4)}; p({true}) = "
                         f"{fmt(float(probs[i, labels[i]]), 4)}; loss = −({fmt(float(logits[i, labels[i]]), 1)}) + "
                         f"{fmt(lse, 4)} = {fmt(float(per_example[i]), 4)}")
        if n > 1:
            lines.append(f"Mean = ({' + '.join(fmt(float(v), 4) for v in per_example)}) / {n} = **{fmt(value)}**")
        else:
            lines.append(f"Loss = **{fmt(value)}**")
        lines.append("Only the true class's probability enters the loss, and −ln p blows up as p → 0: one confident "
                     "mistake can dominate a batch's mean.")
        table = Table(
            headers=("example", *scenario.classes, "true label"),
            rows=tuple((str(i + 1), *(fmt(float(z), 1) for z in logits[i]), scenario.classes[labels[i]])
                       for i in range(n)),
            title="logits and true labels",
        )
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="cross-entropy loss?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data={"ask": "loss", "classes": list(scenario.classes), "logits": logits.tolist(),
                  "labels": [scenario.classes[y] for y in labels], "label_indices": labels.tolist(), "loss": value},
            table=table,
        )

    def _initial(self, rng: np.random.Generator, seed: int, params: SoftmaxXentParams) -> Problem:
        scenario = INIT_SCENARIOS[int(rng.integers(len(INIT_SCENARIOS)))]
        k = scenario.k
        # At a good initialisation all logits are (nearly) equal: softmax is uniform whatever the label.
        value = cross_entropy(np.zeros((1, k)), np.array([0]))
        prompt = (
            f"{scenario.context}, with softmax + cross-entropy and a standard initialisation (small random "
            "weights, zero biases in the last layer).\n\n"
            "Roughly what loss should the very first batch show if the initialisation is healthy? "
            "Use the natural log. Answer to 2 decimals."
        )
        solution = "\n\n".join([
            f"With near-equal logits the softmax is uniform: every class gets 1/{k:,}.",
            f"Cross-entropy = −ln(1/{k:,}) = ln({k:,}) = **{fmt(value, 3)}**",
            "Karpathy's classic sanity check: if step 0 shows a much larger loss, the last layer is confidently "
            "wrong at init (init scale too large, or a last-layer bias to fix); much smaller is suspicious too (a "
            "mis-wired loss, or labels leaking into the inputs).",
        ])
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="initial loss?", answer=NumberAnswer(value, decimals=2)),),
            solution=solution,
            data={"ask": "initial_loss", "n_classes": k, "loss": value, "ln_k": math.log(k)},
        )
