"""`naive-bayes`: multinomial naive Bayes on a small word-count table, with add-α smoothing.

Training word counts per class and the number of training messages per class are given; a new message is
classified with P(c | message) ∝ P(c) · Π P(w | c)^(count of w), where P(w | c) = (N_wc + α) / (N_c + α·V).
The question is the posterior of one class, the class the model picks, or what a word never seen in one
class does without smoothing (that class's posterior is exactly 0, whatever the other words say) and with
it. Instances are drawn so that dropping the prior, dropping the smoothing, using α instead of α·V in the
denominator, or ignoring repeated words give other answers. The tests compare with
``sklearn.naive_bayes.MultinomialNB`` fitted on rows that realise the counts.
"""

from __future__ import annotations

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
    far_from,
    fmt,
)

Ask = Literal["posterior", "class", "zero-count"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str  # "email"
    classes: tuple[str, ...]
    words: tuple[str, ...]
    leaning: tuple[tuple[int, ...], ...]  # per class, per word: 1 if the word is typical of the class


SCENARIOS = (
    Scenario(
        "A mail filter sorts emails",
        "email",
        ("spam", "ham"),
        ("free", "win", "meeting", "offer", "report", "click"),
        ((1, 1, 0, 1, 0, 1), (0, 0, 1, 0, 1, 0)),
    ),
    Scenario(
        "A help desk routes tickets",
        "ticket",
        ("billing", "technical"),
        ("invoice", "refund", "error", "crash", "password", "charge"),
        ((1, 1, 0, 0, 0, 1), (0, 0, 1, 1, 1, 0)),
    ),
    Scenario(
        "A shop sorts product reviews",
        "review",
        ("positive", "negative"),
        ("great", "terrible", "love", "refund", "broken", "fast"),
        ((1, 0, 1, 0, 0, 1), (0, 1, 0, 1, 1, 0)),
    ),
    Scenario(
        "A news site tags short headlines",
        "headline",
        ("sport", "politics", "tech"),
        ("match", "vote", "goal", "minister", "app", "launch"),
        ((1, 0, 1, 0, 0, 0), (0, 1, 0, 1, 0, 1), (0, 0, 0, 0, 1, 1)),
    ),
    Scenario(
        "A clinic triages patient messages",
        "message",
        ("urgent", "routine"),
        ("pain", "bleeding", "appointment", "refill", "fever", "question"),
        ((1, 1, 0, 0, 1, 0), (0, 0, 1, 1, 0, 1)),
    ),
)


class NaiveBayesParams(Params):
    ask: Ask | None = None
    # Smoothing strength α for the posterior and class questions (None: 1 or 0.5 by seed).
    alpha: float | None = Field(default=None, gt=0, le=2)


@dataclass(frozen=True, slots=True)
class Model:
    counts: np.ndarray  # classes × words: how often each word occurs in each class's training messages
    messages: np.ndarray  # training messages per class (for the prior)

    @property
    def prior(self) -> np.ndarray:
        return self.messages / self.messages.sum()

    def likelihoods(self, alpha: float, denominator_alpha: float | None = None) -> np.ndarray:
        """P(w | c) = (N_wc + α) / (N_c + α·V); ``denominator_alpha`` lets a slip put α (not α·V) below."""
        v = self.counts.shape[1]
        below = alpha * v if denominator_alpha is None else denominator_alpha
        return (self.counts + alpha) / (self.counts.sum(axis=1, keepdims=True) + below)

    def scores(
        self,
        message: np.ndarray,
        alpha: float,
        *,
        use_prior: bool = True,
        denominator_alpha: float | None = None,
    ) -> np.ndarray:
        """Unnormalised P(c) · Π P(w | c)^count for each class (exact zeros stay zero)."""
        like = self.likelihoods(alpha, denominator_alpha)
        scores = np.prod(like**message, axis=1)
        return scores * self.prior if use_prior else scores

    def posterior(self, message: np.ndarray, alpha: float, **options: object) -> np.ndarray:
        scores = self.scores(message, alpha, **options)  # type: ignore[arg-type]
        return scores / scores.sum()


def _draw_model(rng: np.random.Generator, scenario: Scenario) -> Model:
    lean = np.array(scenario.leaning, dtype=float)
    counts = np.where(lean > 0, rng.integers(4, 16, lean.shape), rng.integers(0, 6, lean.shape))
    messages = rng.integers(10, 61, len(scenario.classes))
    return Model(counts.astype(float), messages.astype(float))


def _draw_message(rng: np.random.Generator, n_words: int) -> np.ndarray:
    message = np.zeros(n_words)
    for index in rng.choice(n_words, size=int(rng.integers(3, 6))):
        message[index] += 1
    return message


def _message_text(scenario: Scenario, message: np.ndarray, rng: np.random.Generator) -> str:
    words = [w for w, k in zip(scenario.words, message, strict=True) for _ in range(int(k))]
    return " ".join(str(w) for w in rng.permutation(words))


class NaiveBayes(Generator):
    name = "naive-bayes"
    title = "Naive Bayes with add-α (Laplace or Lidstone) smoothing"
    description = (
        "Multinomial naive Bayes on a small word-count table: a class posterior with add-α smoothing, the class "
        "it picks, and what a zero count does without smoothing."
    )
    Params = NaiveBayesParams
    topics = ("naive-bayes", "classification", "nlp")

    def make(self, rng: np.random.Generator, seed: int, params: NaiveBayesParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        alpha = params.alpha or float(rng.choice((1.0, 1.0, 0.5)))
        k = len(scenario.classes)
        target = int(rng.integers(k))  # the class the answer should be about (keeps keys balanced)
        asked = int(
            rng.integers(k)
        )  # zero-count: the class whose smoothed posterior is asked, unrelated to target
        want_trap = bool(rng.random() < 0.5)
        for _ in range(5000):
            model = _draw_model(rng, scenario)
            message = _draw_message(rng, len(scenario.words))
            if ask == "posterior" and _posterior_ok(model, message, alpha, target):
                return self._posterior(rng, seed, params, scenario, model, message, alpha, target)
            if ask == "class" and _class_ok(model, message, alpha, target, want_trap):
                return self._class(rng, seed, params, scenario, model, message, alpha)
            if ask == "zero-count":
                model = _with_zero(rng, scenario, model, message, target)
                if model is not None and _zero_ok(model, message, target, asked, want_trap):
                    return self._zero(rng, seed, params, scenario, model, message, target, asked)
        raise RuntimeError("no instance met the conditions")  # pragma: no cover - a few draws suffice

    def _intro(self, scenario: Scenario, alpha: float | None) -> str:
        v = len(scenario.words)
        smoothing = (
            f"It uses add-α smoothing ({'Laplace' if alpha == 1 else 'Lidstone'}) with **α = {fmt(alpha)}**: P(w | c) = (N_wc + α) / (N_c + α·V), "
            f"with N_c the total word count of class c and V = {v} (the vocabulary is exactly these {v} words). "
            if alpha is not None
            else f"The vocabulary is exactly these V = {v} words. "
        )
        return (
            f"{scenario.context} using a multinomial naive Bayes model trained on the word counts below (each "
            f"occurrence of a word in a new {scenario.items} counts, so a repeated word counts twice). The prior "
            f"P(c) is the share of training {scenario.items}s in each class. {smoothing}".rstrip()
        )

    def _posterior(
        self,
        rng: np.random.Generator,
        seed: int,
        params: NaiveBayesParams,
        scenario: Scenario,
        model: Model,
        message: np.ndarray,
        alpha: float,
        target: int,
    ) -> Problem:
        name = scenario.classes[target]
        text = _message_text(scenario, message, rng)
        post = model.posterior(message, alpha)
        value = float(post[target])
        prompt = (
            f"{self._intro(scenario, alpha)}\n\nA new {scenario.items} reads **“{text}”**. What is "
            f"P({name} | {scenario.items})? Answer to 3 decimals."
        )
        slips = _slips(model, message, alpha, target)
        lines = _working(scenario, model, message, alpha)
        lines.append(
            f"P({name} | {scenario.items}) = {float(model.scores(message, alpha)[target]):.4e} / "
            f"{float(model.scores(message, alpha).sum()):.4e} = **{fmt(value)}**"
        )
        lines.append(
            f"Slips: without the prior {fmt(slips['no_prior'], 3)}; with α in the denominator instead of α·V "
            f"{fmt(slips['alpha_not_alpha_v'], 3)}; counting each distinct word once {fmt(slips['no_repeats'], 3)}. "
            "In practice the products are computed as sums of logs, which is what `MultinomialNB` does."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"P({name} | {scenario.items})?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data=_data(
                "posterior",
                scenario,
                model,
                message,
                alpha,
                target=name,
                posterior=post.tolist(),
                value=value,
                slips=slips,
            ),
            table=_table(scenario, model),
        )

    def _class(
        self,
        rng: np.random.Generator,
        seed: int,
        params: NaiveBayesParams,
        scenario: Scenario,
        model: Model,
        message: np.ndarray,
        alpha: float,
    ) -> Problem:
        text = _message_text(scenario, message, rng)
        post = model.posterior(message, alpha)
        no_prior = model.posterior(message, alpha, use_prior=False)
        best, likelihood_best = int(np.argmax(post)), int(np.argmax(no_prior))
        options = _options(rng, scenario)
        feedback = {}
        for i, name in enumerate(scenario.classes):
            if i == best:
                continue
            note = (
                " It has the higher likelihood, but the prior is part of the posterior."
                if i == likelihood_best
                else ""
            )
            feedback[_key(i)] = (
                f"P({name} | {scenario.items}) = {fmt(float(post[i]), 3)}, below {fmt(float(post[best]), 3)} for {scenario.classes[best]}.{note}"
            )
        prompt = (
            f"{self._intro(scenario, alpha)}\n\nA new {scenario.items} reads **“{text}”**. Which class does the "
            "model predict?"
        )
        lines = _working(scenario, model, message, alpha)
        lines.append(
            "Posteriors: "
            + ", ".join(f"{c} {fmt(float(p), 4)}" for c, p in zip(scenario.classes, post, strict=True))
            + f". The model predicts **{scenario.classes[best]}**."
        )
        if likelihood_best != best:
            lines.append(
                f"On the likelihoods alone {scenario.classes[likelihood_best]} would win: the prior "
                f"({', '.join(f'{c} {fmt(float(p), 3)}' for c, p in zip(scenario.classes, model.prior, strict=True))}) "
                "tips the decision."
            )
        else:
            lines.append(
                "Here the prior and the likelihood agree; with fewer training examples of the winning "
                "class, the prior could have tipped it."
            )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="predicted class?",
                    answer=ChoiceAnswer(options=options, correct=_key(best), feedback=feedback),
                ),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "class",
                scenario,
                model,
                message,
                alpha,
                posterior=post.tolist(),
                likelihood_pick=scenario.classes[likelihood_best],
                value=scenario.classes[best],
            ),
            table=_table(scenario, model),
        )

    def _zero(
        self,
        rng: np.random.Generator,
        seed: int,
        params: NaiveBayesParams,
        scenario: Scenario,
        model: Model,
        message: np.ndarray,
        zeroed: int,
        asked: int,
    ) -> Problem:
        text = _message_text(scenario, message, rng)
        raw = model.posterior(message, 0.0)
        smooth = model.posterior(message, 1.0)
        raw_best, smooth_best = int(np.argmax(raw)), int(np.argmax(smooth))
        zero_words = [
            w for j, w in enumerate(scenario.words) if message[j] > 0 and model.counts[zeroed, j] == 0
        ]
        options = _options(rng, scenario)
        name, asked_name = scenario.classes[zeroed], scenario.classes[asked]
        raw_feedback = {
            _key(i): (
                f"P({name} | {scenario.items}) is exactly 0 without smoothing: “{zero_words[0]}” never occurs in "
                f"{name} training {scenario.items}s, so one factor of the product is 0."
                if i == zeroed
                else f"{c}'s unsmoothed posterior is {fmt(float(raw[i]), 3)}, below {fmt(float(raw[raw_best]), 3)}."
            )
            for i, c in enumerate(scenario.classes)
            if i != raw_best
        }
        prompt = (
            f"{self._intro(scenario, None)}\n\nA new {scenario.items} reads **“{text}”**.\n\n"
            "(a) With **no smoothing** (α = 0, plain relative frequencies), which class does the model predict?\n\n"
            f"(b) With **add-one smoothing** (α = 1: P(w | c) = (N_wc + 1) / (N_c + V)), what is "
            f"P({asked_name} | {scenario.items})? Answer to 3 decimals."
        )
        lines = [
            f"(a) “{', '.join(zero_words)}” has count 0 in {name}, so P({zero_words[0]} | {name}) = 0 and the whole "
            f"product for {name} is 0, however well the other words fit. Unsmoothed posteriors: "
            + ", ".join(f"{c} {fmt(float(p), 4)}" for c, p in zip(scenario.classes, raw, strict=True))
            + f" → **{scenario.classes[raw_best]}**.",
            "(b) With α = 1:",
            *_working(scenario, model, message, 1.0)[1:],
            f"P({asked_name} | {scenario.items}) = {float(model.scores(message, 1.0)[asked]):.4e} / "
            f"{float(model.scores(message, 1.0).sum()):.4e} = **{fmt(float(smooth[asked]))}**"
            f" (the model would now predict {scenario.classes[smooth_best]}).",
            "One unseen word vetoes a class without smoothing; add-α keeps every P(w | c) above 0, so the evidence "
            "from all the words is weighed"
            + (
                f", and here {name} goes from a veto to the most likely class."
                if smooth_best == zeroed
                else f"; here {name} stays behind, but no longer at exactly 0."
            ),
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="(a) α = 0?",
                    label="a",
                    answer=ChoiceAnswer(options=options, correct=_key(raw_best), feedback=raw_feedback),
                ),
                Part(
                    prompt=f"(b) P({asked_name} | {scenario.items}) with α = 1?",
                    label="b",
                    answer=NumberAnswer(float(smooth[asked]), decimals=3),
                ),
            ),
            solution="\n\n".join(lines),
            data=_data(
                "zero-count",
                scenario,
                model,
                message,
                1.0,
                zeroed=name,
                zero_words=zero_words,
                unsmoothed=raw.tolist(),
                smoothed=smooth.tolist(),
                smoothed_pick=scenario.classes[smooth_best],
                asked=asked_name,
                slips=_slips(model, message, 1.0, asked),
                value=[scenario.classes[raw_best], float(smooth[asked])],
            ),
            table=_table(scenario, model),
        )


def _key(index: int) -> str:
    """Options are named by the class's position in the table, so keys mean the same in every scenario."""
    return f"class-{index + 1}"


def _options(rng: np.random.Generator, scenario: Scenario) -> tuple[Option, ...]:
    return tuple(
        Option(_key(int(i)), scenario.classes[int(i)]) for i in rng.permutation(len(scenario.classes))
    )


def _slips(model: Model, message: np.ndarray, alpha: float, target: int) -> dict[str, float]:
    return {
        "no_prior": float(model.posterior(message, alpha, use_prior=False)[target]),
        "alpha_not_alpha_v": float(model.posterior(message, alpha, denominator_alpha=alpha)[target]),
        "no_repeats": float(model.posterior((message > 0).astype(float), alpha)[target]),
        "no_smoothing": float(model.posterior(message, 0.0)[target])
        if model.scores(message, 0.0).sum() > 0
        else float("nan"),
    }


def _posterior_ok(model: Model, message: np.ndarray, alpha: float, target: int) -> bool:
    value = float(model.posterior(message, alpha)[target])
    if not 0.05 <= value <= 0.95:
        return False
    slips = [s for s in _slips(model, message, alpha, target).values() if s == s]  # drop nan
    return far_from(value, slips, 0.005)


def _class_ok(model: Model, message: np.ndarray, alpha: float, target: int, want_trap: bool) -> bool:
    post = np.sort(model.posterior(message, alpha))
    best = int(np.argmax(model.posterior(message, alpha)))
    if best != target or post[-1] - post[-2] < 0.04:
        return False
    likelihood_best = int(np.argmax(model.posterior(message, alpha, use_prior=False)))
    return (likelihood_best != best) == want_trap


def _with_zero(
    rng: np.random.Generator, scenario: Scenario, model: Model, message: np.ndarray, zeroed: int
) -> Model | None:
    """The same model with one of the message's words never seen in class ``zeroed`` (and seen elsewhere).

    The unseen word is one atypical of that class ("meeting" never in spam), as happens with real data.
    """
    present = np.flatnonzero(message > 0)
    atypical = [int(j) for j in present if scenario.leaning[zeroed][int(j)] == 0]
    if not atypical:
        return None
    word = int(rng.choice(atypical))
    counts = model.counts.copy()
    counts[zeroed, word] = 0
    others = [c for c in range(counts.shape[0]) if c != zeroed]
    if np.any(counts[others][:, present] == 0):  # only one class may be vetoed
        return None
    return Model(counts, model.messages)


def _zero_ok(model: Model, message: np.ndarray, zeroed: int, asked: int, want_flip: bool) -> bool:
    raw = model.posterior(message, 0.0)
    smooth = model.posterior(message, 1.0)
    if np.sort(raw)[-1] - np.sort(raw)[-2] < 0.04 or not 0.05 <= smooth[asked] <= 0.95:
        return False
    slips = [v for k, v in _slips(model, message, 1.0, asked).items() if k != "no_smoothing"]
    if any(abs(smooth[asked] - v) < 0.005 for v in slips):
        return False
    flip = int(np.argmax(smooth)) == zeroed  # smoothing hands the decision back to the vetoed class
    return flip == want_flip


def _working(scenario: Scenario, model: Model, message: np.ndarray, alpha: float) -> list[str]:
    v = len(scenario.words)
    used = [j for j in range(v) if message[j] > 0]
    lines = ["Message counts: " + ", ".join(f"{scenario.words[j]} ×{int(message[j])}" for j in used) + "."]
    for c, name in enumerate(scenario.classes):
        n_c = int(model.counts[c].sum())
        factors = " · ".join(
            f"(({int(model.counts[c, j])} + {fmt(alpha)})/({n_c} + {fmt(alpha * v)}))^{int(message[j])}"
            if message[j] > 1
            else f"({int(model.counts[c, j])} + {fmt(alpha)})/({n_c} + {fmt(alpha * v)})"
            for j in used
        )
        score = float(model.scores(message, alpha)[c])
        lines.append(
            f"{name}: P(c) = {int(model.messages[c])}/{int(model.messages.sum())} = {fmt(float(model.prior[c]), 4)}; "
            f"score = {fmt(float(model.prior[c]), 4)} · {factors} = {score:.4e}"
        )
    return lines


def _table(scenario: Scenario, model: Model) -> Table:
    rows = [
        (word, *(str(int(model.counts[c, j])) for c in range(len(scenario.classes))))
        for j, word in enumerate(scenario.words)
    ]
    rows.append(("all words (N_c)", *(str(int(model.counts[c].sum())) for c in range(len(scenario.classes)))))
    rows.append((f"training {scenario.items}s", *(str(int(m)) for m in model.messages)))
    return Table(
        headers=("word", *scenario.classes), rows=tuple(rows), title="training word counts per class"
    )


def _data(
    ask: str, scenario: Scenario, model: Model, message: np.ndarray, alpha: float, **asked: object
) -> dict[str, object]:
    return {
        "ask": ask,
        "classes": list(scenario.classes),
        "words": list(scenario.words),
        "counts": model.counts.astype(int).tolist(),
        "messages": model.messages.astype(int).tolist(),
        "message_counts": message.astype(int).tolist(),
        "alpha": alpha,
        **asked,
    }
