"""`distillation`: temperature-softened softmax and the soft loss of knowledge distillation.

Teacher and student logits z over 3-5 classes and a temperature T (Hinton, Vinyals & Dean, 2015,
"Distilling the Knowledge in a Neural Network"). p_T = softmax(z / T); all logs natural (nats).

| ask             | answer                                              | mistakes the numbers are drawn to expose         |
|-----------------|-----------------------------------------------------|--------------------------------------------------|
| `soft_prob`     | p_T(teacher)[class], 3 decimals                     | T = 1; multiplying the logits by T               |
| `kl`            | KL(p_T(teacher) ‖ p_T(student))                     | KL at T = 1; the reversed KL                     |
| `cross_entropy` | H(p_T(teacher), p_T(student)) = −Σ p_t·ln p_s       | the KL (missing the teacher's entropy); T = 1    |
| `t2_kl`         | T²·KL(p_T(teacher) ‖ p_T(student)), the soft term   | without T²; divided by T²                        |

T² keeps the soft term's gradients on the same scale as the hard-label loss when T changes (the
gradients of the softened loss shrink as 1/T²). Values use ``scipy.special.log_softmax``'s arithmetic in numpy
(the same floats, without importing scipy); the tests use ``scipy.special.softmax`` and ``scipy.stats.entropy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt, log_softmax

Ask = Literal["soft_prob", "kl", "cross_entropy", "t2_kl"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.01


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    item: str
    classes: tuple[str, ...]


SCENARIOS = (
    Scenario(
        "A ResNet-152 teacher is distilled into a MobileNet student for a pet-photo app",
        "photo",
        ("cat", "dog", "rabbit", "hamster"),
    ),
    Scenario(
        "A BERT-large sentiment teacher is distilled into a small BiLSTM student",
        "review",
        ("negative", "neutral", "positive"),
    ),
    Scenario(
        "A large keyword-spotting teacher is distilled into a tiny on-device student",
        "audio clip",
        ("yes", "no", "stop", "go", "silence"),
    ),
    Scenario(
        "An ensemble of intent classifiers is distilled into one small model",
        "chat message",
        ("billing", "cancel", "shipping", "tech support"),
    ),
    Scenario(
        "A large traffic-sign classifier is distilled into an embedded student",
        "crop",
        ("stop", "yield", "speed 30", "speed 50", "no entry"),
    ),
)


class DistillationParams(Params):
    ask: Ask | None = None


def softened(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z / T) as exp of ``scipy.special.log_softmax``'s arithmetic (no scipy import)."""
    return np.exp(log_softmax(np.asarray(logits, dtype=float) / temperature, axis=None))


def kl(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum(p * (np.log(p) - np.log(q))))


def cross_entropy(p: np.ndarray, q: np.ndarray) -> float:
    return float(-np.sum(p * np.log(q)))


def _values(teacher: np.ndarray, student: np.ndarray, t: float) -> dict[str, float]:
    pt, ps = softened(teacher, t), softened(student, t)
    pt1, ps1 = softened(teacher, 1.0), softened(student, 1.0)
    return {
        "kl": kl(pt, ps),
        "kl_t1": kl(pt1, ps1),
        "kl_reversed": kl(ps, pt),
        "cross_entropy": cross_entropy(pt, ps),
        "cross_entropy_t1": cross_entropy(pt1, ps1),
        "t2_kl": t * t * kl(pt, ps),
        "kl_over_t2": kl(pt, ps) / (t * t),
    }


MISTAKES = {
    "kl": ("kl_t1", "kl_reversed"),
    "cross_entropy": ("kl", "cross_entropy_t1"),
    "t2_kl": ("kl", "kl_over_t2"),
}


class Distillation(Generator):
    name = "distillation"
    title = "Knowledge distillation: softened softmax and the soft loss"
    description = (
        "Teacher and student logits and a temperature T: the softened teacher probabilities, the KL divergence "
        "and cross-entropy between softened distributions, and the T²-scaled soft loss."
    )
    Params = DistillationParams
    topics = ("deep-learning", "distillation", "loss-functions")

    def make(self, rng: np.random.Generator, seed: int, params: DistillationParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        k = len(s.classes)
        for _ in range(MAX_DRAWS):
            teacher = np.round(rng.normal(0, 2.5, k), 1)
            teacher[int(rng.integers(k))] += 3  # a confident teacher: soft targets are where T matters
            teacher = np.round(teacher, 1)
            student = np.round(teacher * rng.uniform(0.3, 0.8) + rng.normal(0, 1.2, k), 1)
            t = float(rng.choice([2, 3, 4, 5]))
            values = _values(teacher, student, t)
            if ask == "soft_prob":
                pt = softened(teacher, t)
                index = int(rng.integers(k))
                value = float(pt[index])
                slips = (float(softened(teacher, 1.0)[index]), float(softened(teacher, 1 / t)[index]))
                if value >= 0.03 and min(abs(value - x) for x in slips) >= MISTAKE_GAP:
                    break
            else:
                value = values[ask]
                if min(abs(value - values[m]) for m in MISTAKES[ask]) >= MISTAKE_GAP and values["kl"] >= 0.02:
                    break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("logit", *s.classes),
            rows=(
                ("teacher", *(fmt(float(v), 1) for v in teacher)),
                ("student", *(fmt(float(v), 1) for v in student)),
            ),
            title=f"logits for one {s.item}",
        )
        intro = f"{s.context}. For one {s.item} the two models output the logits below; the temperature is **T = {fmt(t)}**."
        definition = "p_T = softmax(z / T) for logits z; use natural logs."
        data: dict[str, object] = {
            "ask": ask,
            "classes": list(s.classes),
            "teacher": teacher.tolist(),
            "student": student.tolist(),
            "temperature": t,
            **values,
        }
        if ask == "soft_prob":
            name = s.classes[index]
            question = (
                f"What probability does the teacher's **softened** softmax (temperature T) give to class "
                f"**{name}**? p_T = softmax(z / T) for logits z. Answer to 3 decimals."
            )
            parts = (Part(f"p_T(teacher)[{name}]?", NumberAnswer(value, decimals=3)),)
            data |= {"index": index, "soft_prob": value, "prob_t1": slips[0], "prob_times_t": slips[1]}
        elif ask == "kl":
            question = (
                f"What is the soft-target **KL divergence KL(p_T(teacher) ‖ p_T(student))**? {definition} "
                "Answer to 3 decimals."
            )
            parts = (Part("KL?", NumberAnswer(value, decimals=3)),)
        elif ask == "cross_entropy":
            question = (
                f"What is the soft-target **cross-entropy H(p_T(teacher), p_T(student))** = "
                f"−Σ p_T(teacher)·ln p_T(student)? {definition} Answer to 3 decimals."
            )
            parts = (Part("soft cross-entropy?", NumberAnswer(value, decimals=3)),)
        else:
            question = (
                "Following Hinton et al. (2015), who scale the soft-target loss by T², the student's loss includes "
                f"the soft term **T²·KL(p_T(teacher) ‖ p_T(student))**. What is its value? {definition} Answer to 3 decimals."
            )
            parts = (Part("T²·KL?", NumberAnswer(value, decimals=3)),)
        data["mistakes"] = (
            {"t1": slips[0], "times_t": slips[1]}
            if ask == "soft_prob"
            else {m: values[m] for m in MISTAKES[ask]}
        )
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=_solution(ask, s, teacher, student, t, values, index if ask == "soft_prob" else None),
            data=data,
            table=table,
        )


def _solution(
    ask: str,
    s: Scenario,
    teacher: np.ndarray,
    student: np.ndarray,
    t: float,
    values: dict[str, float],
    index: int | None,
) -> str:
    pt, ps = softened(teacher, t), softened(student, t)
    scaled = teacher / t
    if ask == "soft_prob":
        assert index is not None
        exps = np.exp(scaled)
        p1 = softened(teacher, 1.0)
        return "\n\n".join(
            [
                f"Divide the teacher's logits by T = {fmt(t)}: {', '.join(fmt(float(v), 3) for v in scaled)}.",
                f"Exponentials: {', '.join(fmt(float(e), 4) for e in exps)}; sum = {fmt(float(exps.sum()), 4)}.",
                f"p_T[{s.classes[index]}] = {fmt(float(exps[index]), 4)} / {fmt(float(exps.sum()), 4)} = "
                f"**{fmt(float(pt[index]))}**",
                f"At T = 1 the same class gets {fmt(float(p1[index]), 3)}. Raising T flattens the distribution "
                f"(the teacher's top class goes from {fmt(float(p1.max()), 3)} to {fmt(float(pt.max()), 3)}), exposing "
                "how the teacher ranks the wrong classes: the 'dark knowledge' the student learns from.",
            ]
        )
    rows = [
        "| class | p_T teacher | p_T student | p_t·ln(p_t / p_s) | −p_t·ln p_s |",
        "|---|---|---|---|---|",
    ]
    for name, a, b in zip(s.classes, pt, ps, strict=True):
        rows.append(
            f"| {name} | {fmt(float(a))} | {fmt(float(b))} | {fmt(float(a * np.log(a / b)))} | "
            f"{fmt(float(-a * np.log(b)))} |"
        )
    lines = [
        f"Soften both with T = {fmt(t)} (divide the logits by T, then softmax):",
        "\n".join(rows),
    ]
    kl_value, ce = values["kl"], values["cross_entropy"]
    entropy = ce - kl_value
    if ask == "kl":
        lines.append(f"KL(p_T(teacher) ‖ p_T(student)) = sum of the fourth column = **{fmt(kl_value)}**")
        lines.append(
            f"At T = 1 the KL is {fmt(values['kl_t1'], 3)}; the reversed KL(student ‖ teacher) is "
            f"{fmt(values['kl_reversed'], 3)}. Distillation uses the teacher as the reference distribution, "
            "like any cross-entropy against targets."
        )
    elif ask == "cross_entropy":
        lines.append(f"H(p_T(teacher), p_T(student)) = sum of the last column = **{fmt(ce)}**")
        lines.append(
            f"It equals the teacher's entropy {fmt(entropy, 3)} plus the KL {fmt(kl_value, 3)}. The entropy "
            "does not depend on the student, so minimising either gives the same gradients; only the "
            f"reported number differs. At T = 1 the cross-entropy would be {fmt(values['cross_entropy_t1'], 3)}."
        )
    else:
        lines.append(
            f"KL = sum of the fourth column = {fmt(kl_value)}; soft term = T²·KL = {fmt(t * t)}·"
            f"{fmt(kl_value)} = **{fmt(values['t2_kl'])}**"
        )
        lines.append(
            "The gradient of the softened loss with respect to the student's logits shrinks like 1/T², so "
            "multiplying by T² keeps the soft and hard-label terms balanced when you change T. "
            f"Without it the term is {fmt(kl_value, 3)}; dividing by T² instead gives "
            f"{fmt(values['kl_over_t2'], 3)}."
        )
    return "\n\n".join(lines)
