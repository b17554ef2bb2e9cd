"""`kappa`: inter-annotator agreement from two annotators' agreement table — Cohen's κ.

Two annotators label the same n items (40–200) into 2 or 3 classes; the table counts the items by the pair
of labels given (annotator A on the rows, B on the columns). The questions:

| ask        | answer                                                     | mistakes the numbers are drawn to expose |
|------------|------------------------------------------------------------|-------------------------------------------|
| `observed` | pₒ = Σₖ nₖₖ / n, the share of items both label alike       | the largest diagonal cell alone; the disagreement 1 − pₒ |
| `expected` | pₑ = Σₖ p_A(k)·p_B(k), from each annotator's own label rates | 1/K (uniform guessing); the product of one class's margins only |
| `kappa`    | κ = (pₒ − pₑ) / (1 − pₑ)                                   | pₒ itself; pₒ − pₑ without rescaling; κ with 1/K as pₑ |
| `weighted` | 3 ordered classes: κ_w = 1 − Σ wᵢⱼ·Oᵢⱼ / Σ wᵢⱼ·Eᵢⱼ, linear wᵢⱼ = abs(i − j) or quadratic (i − j)² | unweighted κ; the other weighting |

Every mistake lands at least ``MISTAKE_GAP`` (ten times the 3-decimal tolerance) from the answer. Some 25–45 %
of the unweighted instances (35 % before the rejections) are drawn with one class dominating; among the
`kappa` ones, those with pₒ ≥ 0.85 and κ ≤ 0.5 (about one in five) are the kappa paradox (high raw
agreement, modest κ, because pₑ is high), and the solution says so. Cohen (1960), A Coefficient of Agreement for Nominal Scales; Cohen (1968), Weighted Kappa;
Feinstein & Cicchetti (1990), High Agreement but Low Kappa: I. The Problems of Two Paradoxes. The tests
recompute every answer with ``sklearn.metrics.cohen_kappa_score`` on label vectors rebuilt from the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["observed", "expected", "kappa", "weighted"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
WEIGHTINGS = ("linear", "quadratic")
ADVERBS = {"linear": "linearly", "quadratic": "quadratically"}
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.01  # every slip lands at least this far from the answer (the answer is graded to 0.001)
SKEWED_SHARE = 0.35  # share of 2/3-class instances where one class dominates (the paradox's ground)
PARADOX_AGREEMENT = 0.85  # pₒ at or above this...
PARADOX_KAPPA = 0.5  # ...with κ at or below this is the kappa paradox


@dataclass(frozen=True, slots=True)
class Scenario:
    who: str  # "Two content moderators"
    raters: tuple[str, str]  # ("Moderator A", "Moderator B")
    items: str  # plural noun for what is labelled
    binary: tuple[str, str]
    ordinal: tuple[str, str, str]  # in their natural order, lowest first
    common_binary: int  # the class that dominates a skewed binary instance
    common_ordinal: int  # the class that dominates a skewed 3-class instance
    scale: str = ""  # what the 3 ordered labels grade, said after them ("priority")


SCENARIOS = (
    Scenario(
        "Two content moderators",
        ("Moderator A", "Moderator B"),
        "user comments",
        ("toxic", "not toxic"),
        ("not toxic", "borderline", "toxic"),
        1,
        0,
    ),
    Scenario(
        "Two radiologists",
        ("Radiologist A", "Radiologist B"),
        "chest X-rays",
        ("nodule", "no nodule"),
        ("normal", "indeterminate", "suspicious"),
        1,
        0,
    ),
    Scenario(
        "Two crowd workers",
        ("Worker A", "Worker B"),
        "product reviews",
        ("positive", "negative"),
        ("negative", "neutral", "positive"),
        0,
        2,
    ),
    Scenario(
        "Two search-quality raters",
        ("Rater A", "Rater B"),
        "query–document pairs",
        ("relevant", "not relevant"),
        ("not relevant", "partly relevant", "highly relevant"),
        1,
        0,
    ),
    Scenario(
        "Two support leads",
        ("Lead A", "Lead B"),
        "support tickets",
        ("urgent", "routine"),
        ("low", "medium", "high"),
        1,
        0,
        "priority",
    ),
)


class KappaParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """The statistics of one agreement table (rows: annotator A, columns: annotator B)."""

    counts: np.ndarray  # K×K integer counts

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def rows(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    @property
    def cols(self) -> np.ndarray:
        return self.counts.sum(axis=0)

    @property
    def observed(self) -> float:
        return float(np.trace(self.counts)) / self.n

    @property
    def expected(self) -> float:
        return float(np.dot(self.rows, self.cols)) / self.n**2

    @property
    def kappa(self) -> float:
        return (self.observed - self.expected) / (1 - self.expected)

    def weighted(self, weighting: str) -> float:
        """κ_w = 1 − Σ w·O / Σ w·E with disagreement weights abs(i − j) or (i − j)², E = outer(rows, cols) / n."""
        observed, expected = self.weighted_sums(weighting)
        return 1 - observed / expected

    def weighted_sums(self, weighting: str) -> tuple[float, float]:
        """(Σ w·O, Σ w·E): observed and chance-expected weighted disagreement, in item counts."""
        w = weights(len(self.counts), weighting)
        chance = np.outer(self.rows, self.cols) / self.n
        return float((w * self.counts).sum()), float((w * chance).sum())


def weights(k: int, weighting: str) -> np.ndarray:
    """Disagreement weights: abs(i − j) (linear) or (i − j)² (quadratic); 0 on the diagonal."""
    steps = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    return steps if weighting == "linear" else steps**2


def _draw_counts(rng: np.random.Generator, k: int, skewed: bool, common: int, ordinal: bool) -> np.ndarray:
    """A table sampled from a simple model of two annotators: with probability ``a`` both give the item's
    class, otherwise B's label is drawn near it (adjacent classes likelier when ``ordinal``)."""
    n = int(rng.integers(40, 201)) if not skewed else int(rng.integers(100, 201))
    if skewed:
        top = rng.uniform(0.86, 0.95) if k == 2 else rng.uniform(0.72, 0.88)
        prevalence = np.full(k, (1 - top) / (k - 1))
        prevalence[common] = top
    else:
        prevalence = rng.dirichlet(np.full(k, 6.0))
    a = rng.uniform(0.2, 0.55) if skewed else rng.uniform(0.2, 0.75)
    closeness = rng.uniform(0.15, 0.5) if ordinal else 1.0
    steps = np.abs(np.subtract.outer(np.arange(k), np.arange(k)))
    noise = prevalence[None, :] * closeness**steps
    noise /= noise.sum(axis=1, keepdims=True)
    cells = a * np.diag(prevalence) + (1 - a) * prevalence[:, None] * noise
    return rng.multinomial(n, cells.ravel() / cells.sum()).reshape(k, k)


def _values(table: Agreement, ask: str, weighting: str) -> tuple[float, dict[str, float]]:
    """The answer and the slips named in the module docstring, for this table."""
    k = len(table.counts)
    po, pe = table.observed, table.expected
    if ask == "observed":
        return po, {"largest_cell": float(np.diag(table.counts).max()) / table.n, "disagreement": 1 - po}
    if ask == "expected":
        one_class = {f"class_{i}_only": float(table.rows[i] * table.cols[i]) / table.n**2 for i in range(k)}
        return pe, {"uniform": 1 / k, **one_class}
    if ask == "kappa":
        uniform = 1 / k
        return table.kappa, {
            "observed": po,
            "unscaled": po - pe,
            "uniform_chance": (po - uniform) / (1 - uniform),
        }
    other = WEIGHTINGS[1 - WEIGHTINGS.index(weighting)]
    return table.weighted(weighting), {"unweighted": table.kappa, f"{other}_weights": table.weighted(other)}


def _draw(rng: np.random.Generator, ask: str, s: Scenario) -> tuple[Agreement, bool, str]:
    """A table whose answer is well inside (0, 1) and whose slips all miss it by ≥ MISTAKE_GAP, whether it
    was drawn skewed, and the weighting (for the `weighted` ask)."""
    for _ in range(MAX_DRAWS):
        k = 3 if ask == "weighted" else int(rng.choice([2, 2, 3]))
        skewed = ask != "weighted" and bool(rng.random() < SKEWED_SHARE)
        weighting = str(rng.choice(WEIGHTINGS))
        common = s.common_binary if k == 2 else s.common_ordinal
        table = Agreement(_draw_counts(rng, k, skewed, common, ordinal=k == 3))
        if min(*table.rows, *table.cols) < 2:
            continue  # a class one annotator (nearly) never uses: κ is defined but says little
        if not 0.05 <= table.kappa <= 0.95:
            continue
        value, slips = _values(table, ask, weighting)
        if min(abs(value - slip) for slip in slips.values()) >= MISTAKE_GAP:
            return table, skewed, weighting
    raise RuntimeError("no instance met the constraints: they contradict each other")  # pragma: no cover


def is_paradox(table: Agreement) -> bool:
    """High raw agreement with modest κ (Feinstein & Cicchetti 1990)."""
    return table.observed >= PARADOX_AGREEMENT and table.kappa <= PARADOX_KAPPA


class Kappa(Generator):
    name = "kappa"
    title = "Inter-annotator agreement: Cohen's κ"
    description = (
        "Two annotators' agreement table: observed agreement, the chance agreement κ subtracts, Cohen's κ "
        "(with skewed instances where high raw agreement hides a modest κ) and linearly or quadratically "
        "weighted κ for ordered classes."
    )
    Params = KappaParams
    topics = ("annotator-agreement", "cohens-kappa", "metrics")

    def make(self, rng: np.random.Generator, seed: int, params: KappaParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        table, skewed, weighting = _draw(rng, ask, s)
        k = len(table.counts)
        classes = s.binary if k == 2 else s.ordinal
        value, slips = _values(table, ask, weighting)
        a, b = s.raters
        shown = Table(
            headers=(f"{a} ↓ / {b} →", *classes),
            rows=tuple((c, *(str(int(v)) for v in table.counts[i])) for i, c in enumerate(classes)),
            title=f"rows: {a}'s label · columns: {b}'s label",
        )
        intro = (
            f"{s.who} each label the same **{table.n}** {s.items} as "
            f"{', '.join(classes[:-1])} or {classes[-1]}{f' {s.scale}' if k == 3 and s.scale else ''}. The table counts the {s.items} by the pair of "
            f"labels they got ({a} on the rows, {b} on the columns)."
        )
        if ask == "observed":
            question = f"What is the **observed agreement** pₒ between {a} and {b}? Answer to 3 decimals."
            label = "pₒ?"
        elif ask == "expected":
            question = (
                "What is the **agreement expected by chance**, pₑ, that Cohen's κ subtracts for these two "
                "annotators? Answer to 3 decimals."
            )
            label = "pₑ?"
        elif ask == "kappa":
            question = f"What is **Cohen's κ** between {a} and {b}? Answer to 3 decimals."
            label = "κ?"
        else:
            rule = "|i − j|" if weighting == "linear" else "(i − j)²"
            order = " < ".join(classes)
            question = (
                f"The classes are ordered ({order}), so a clash two steps apart is worse than a near miss. "
                f"What is the **{ADVERBS[weighting]} weighted** Cohen's κ, with disagreement weight {rule} for labels "
                "in positions i and j? Answer to 3 decimals."
            )
            label = "weighted κ?"
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=(Part(label, NumberAnswer(value, decimals=3)),),
            solution=_solution(ask, table, classes, weighting, value, slips),
            data={
                "ask": ask,
                "classes": list(classes),
                "counts": table.counts.tolist(),
                "n": table.n,
                "skewed": skewed,
                "weighting": weighting if ask == "weighted" else None,
                "observed": table.observed,
                "expected": table.expected,
                "kappa": table.kappa,
                "value": value,
                "paradox": is_paradox(table),
                "mistakes": slips,
            },
            table=shown,
        )


def _margins(table: Agreement, classes: tuple[str, ...]) -> str:
    n = table.n
    a_rates = ", ".join(
        f"{c} {int(r)}/{n} = {fmt(r / n, 4)}" for c, r in zip(classes, table.rows, strict=True)
    )
    b_rates = ", ".join(
        f"{c} {int(r)}/{n} = {fmt(r / n, 4)}" for c, r in zip(classes, table.cols, strict=True)
    )
    return f"Label rates (row and column totals over n = {n}): A: {a_rates}; B: {b_rates}."


def _observed_line(table: Agreement) -> str:
    diagonal = " + ".join(str(int(v)) for v in np.diag(table.counts))
    return f"pₒ = diagonal / n = ({diagonal}) / {table.n} = {int(np.trace(table.counts))}/{table.n} = {fmt(table.observed, 4)}"


def _expected_line(table: Agreement) -> str:
    n = table.n
    terms = " + ".join(
        f"{fmt(r / n, 4)}·{fmt(c / n, 4)}" for r, c in zip(table.rows, table.cols, strict=True)
    )
    return f"pₑ = Σₖ p_A(k)·p_B(k) = {terms} = {fmt(table.expected, 4)}"


def _solution(
    ask: str,
    table: Agreement,
    classes: tuple[str, ...],
    weighting: str,
    value: float,
    slips: dict[str, float],
) -> str:
    k = len(classes)
    po, pe = table.observed, table.expected
    answer = f"**{value:.3f}**"
    if ask == "observed":
        lines = [
            f"The annotators agree on the diagonal cells. {_observed_line(table)} ≈ {answer}",
            f"Counting only the largest agreeing cell gives {fmt(slips['largest_cell'], 3)}: agreement on every "
            f"class counts. {fmt(1 - po, 3)} is the disagreement 1 − pₒ. Raw agreement ignores chance: two "
            f"annotators guessing independently with these label rates would already agree {fmt(pe, 3)} of the "
            "time, which is what Cohen's κ corrects for.",
        ]
    elif ask == "expected":
        lines = [
            "Chance agreement is the agreement of two annotators who label independently, each at their own "
            "label rates: for each class, the probability both pick it is p_A(k)·p_B(k).",
            _margins(table, classes),
            f"{_expected_line(table)} ≈ {answer}",
            f"1/K = {fmt(1 / k, 3)} would be chance for annotators guessing uniformly, but these annotators do "
            "not use the classes equally often. Stopping at one class's product (e.g. "
            f"{fmt(slips['class_0_only'], 3)} for {classes[0]}) forgets that they can also agree by chance on "
            "every other class.",
        ]
    elif ask == "kappa":
        uniform = (po - 1 / k) / (1 - 1 / k)
        lines = [
            _margins(table, classes),
            _observed_line(table) + ".",
            _expected_line(table) + ".",
            f"κ = (pₒ − pₑ) / (1 − pₑ) = ({fmt(po, 4)} − {fmt(pe, 4)}) / (1 − {fmt(pe, 4)}) = "
            f"{fmt(po - pe, 4)} / {fmt(1 - pe, 4)} = {fmt(value, 4)} ≈ {answer}",
            f"κ is the share of the possible agreement beyond chance that was achieved. pₒ − pₑ = "
            f"{fmt(po - pe, 3)} is not rescaled by the room above chance, 1 − pₑ; taking 1/K = {fmt(1 / k, 3)} as "
            f"pₑ gives {fmt(uniform, 3)}, because it ignores how often each annotator uses each class.",
        ]
        if is_paradox(table):
            lines.append(
                f"This is the **kappa paradox** (Feinstein & Cicchetti 1990): raw agreement is {fmt(po, 3)}, yet κ "
                f"is only {value:.3f}, because one class dominates both annotators' labels, so chance alone "
                f"already agrees {fmt(pe, 3)} of the time and most of the observed agreement is expected. Report "
                "κ with the label rates (or per-class agreement), not pₒ alone."
            )
    else:
        w = weights(k, weighting)
        observed_sum, expected_sum = table.weighted_sums(weighting)
        chance = np.outer(table.rows, table.cols) / table.n
        off = [(i, j) for i in range(k) for j in range(k) if i != j]
        o_terms = " + ".join(f"{fmt(w[i, j])}·{int(table.counts[i, j])}" for i, j in off)
        e_terms = " + ".join(f"{fmt(w[i, j])}·{fmt(chance[i, j], 2)}" for i, j in off)
        other = WEIGHTINGS[1 - WEIGHTINGS.index(weighting)]
        lines = [
            f"{weighting.capitalize()} disagreement weights: 0 on the diagonal, {fmt(w[0, 1])} one step apart, "
            f"{fmt(w[0, 2])} two steps apart (only their ratio matters).",
            f"Row totals (A) {', '.join(str(int(r)) for r in table.rows)}; column totals (B) "
            f"{', '.join(str(int(c)) for c in table.cols)}; chance-expected count of cell (i, j) = row i × "
            f"column j / {table.n}.",
            f"Observed weighted disagreement Σ w·O = {o_terms} = {fmt(observed_sum, 4)}.",
            f"Chance weighted disagreement Σ w·E = {e_terms} = {fmt(expected_sum, 4)}.",
            f"κ_w = 1 − Σ w·O / Σ w·E = 1 − {fmt(observed_sum, 4)} / {fmt(expected_sum, 4)} = {fmt(value, 4)} ≈ "
            f"{answer}",
            f"Unweighted κ = {fmt(table.kappa, 3)} counts a near miss as fully wrong; {other} weights give "
            f"{fmt(slips[f'{other}_weights'], 3)}. Quadratic weights forgive near misses more than linear ones "
            "(quadratically weighted κ is close to an intraclass correlation).",
        ]
    return "\n\n".join(lines)
