"""`bleu`: sentence BLEU by hand: clipped n-gram precision, the brevity penalty, BLEU-2.

A machine-translated (or generated) candidate sentence is scored against one or two human references.
The question is the modified (clipped) unigram or bigram precision, the brevity penalty
BP = exp(1 − r/c) when the candidate is not longer than the closest reference, or sentence BLEU-2 with
uniform weights, BP · (p₁ · p₂)^(1/2), without smoothing. The prompt states the definitions. Candidates are
made from a reference with repeated, dropped and swapped words, so that unclipped counts, a forgotten
brevity penalty, the wrong reference length or an arithmetic mean give different answers. The tests check
against a separate from-scratch implementation.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, far_from, fmt

Ask = Literal["precision-1", "precision-2", "brevity-penalty", "bleu-2"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    references: tuple[str, str]
    fillers: tuple[str, ...]  # words a system might wrongly produce


SCENARIOS = (
    Scenario(
        "A French-to-English system translates a caption",
        ("the cat is sitting on the mat", "there is a cat on the mat"),
        ("a", "big", "is", "under"),
    ),
    Scenario(
        "A German-to-English system translates an email line",
        ("the meeting was moved to next monday", "the meeting has been postponed until monday"),
        ("is", "on", "the", "week"),
    ),
    Scenario(
        "A summariser rewrites a sentence from a paper",
        ("the model was trained on the new data", "we trained the model on the new dataset"),
        ("a", "is", "old", "with"),
    ),
    Scenario(
        "A Spanish-to-English system translates a request",
        ("please send me the report by friday", "send the report to me by friday please"),
        ("a", "on", "the", "your"),
    ),
    Scenario(
        "A Dutch-to-English system translates a complaint",
        ("the train to the city was late again", "again the city train was late"),
        ("is", "very", "a", "bus"),
    ),
    Scenario(
        "A Japanese-to-English system translates a news line",
        ("the price of the house went up last year", "last year the house price rose"),
        ("a", "high", "is", "home"),
    ),
    Scenario(
        "An Italian-to-English system translates a sentence from a novel",
        ("she read the book in one day", "she finished the book in a single day"),
        ("a", "the", "whole", "has"),
    ),
)

DEFINITIONS = (
    "Definitions (sentence-level BLEU, no smoothing): the **modified n-gram precision** pₙ counts each candidate "
    "n-gram at most as many times as it occurs in a single reference (the maximum over the references), divided "
    "by the number of n-grams in the candidate. With c the candidate length and r the length of the reference "
    "closest in length to it (the shorter one on a tie), the **brevity penalty** is BP = 1 if c > r, else "
    "exp(1 − r/c). **BLEU-2** = BP · (p₁ · p₂)^(1/2)."
)


class BleuParams(Params):
    ask: Ask | None = None
    # Number of references (None: 1 or 2 by seed).
    references: Literal[1, 2] | None = None


def ngrams(tokens: tuple[str, ...], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def clipped_precision(
    candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...], n: int
) -> tuple[int, int]:
    """(clipped matches, candidate n-grams): each n-gram counts at most its largest count in one reference."""
    counts = ngrams(candidate, n)
    ceiling: Counter[tuple[str, ...]] = Counter()
    for ref in references:
        ceiling |= ngrams(ref, n)  # | keeps the maximum count
    return sum(min(c, ceiling[g]) for g, c in counts.items()), sum(counts.values())


def unclipped_precision(candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...], n: int) -> float:
    seen = set().union(*(ngrams(ref, n) for ref in references))
    counts = ngrams(candidate, n)
    return sum(c for g, c in counts.items() if g in seen) / sum(counts.values())


def closest_length(candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...]) -> int:
    return min((len(ref) for ref in references), key=lambda r: (abs(r - len(candidate)), r))


def brevity_penalty(c: int, r: int) -> float:
    return 1.0 if c > r else math.exp(1 - r / c)


@dataclass(frozen=True, slots=True)
class Score:
    """Everything BLEU-2 needs for one candidate, and what the usual slips give."""

    matches: tuple[int, int]
    totals: tuple[int, int]
    unclipped: tuple[float, float]
    c: int
    r: int
    other_r: int | None  # the other reference's length, when there are two

    @property
    def precisions(self) -> tuple[float, float]:
        return (self.matches[0] / self.totals[0], self.matches[1] / self.totals[1])

    @property
    def bp(self) -> float:
        return brevity_penalty(self.c, self.r)

    @property
    def bleu(self) -> float:
        p1, p2 = self.precisions
        return self.bp * math.sqrt(p1 * p2)

    def slips(self, ask: str) -> dict[str, float]:
        p1, p2 = self.precisions
        if ask in ("precision-1", "precision-2"):
            return {"unclipped": self.unclipped[int(ask[-1]) - 1]}
        if ask == "brevity-penalty":
            found = {"inverted": math.exp(1 - self.c / self.r), "ratio": self.c / self.r}
            if self.other_r is not None:
                found["other_reference"] = brevity_penalty(self.c, self.other_r)
            return found
        return {
            "no_brevity_penalty": math.sqrt(p1 * p2),
            "arithmetic_mean": self.bp * (p1 + p2) / 2,
            "unclipped": self.bp * math.sqrt(self.unclipped[0] * self.unclipped[1]),
        }


def score(candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...]) -> Score:
    m1, t1 = clipped_precision(candidate, references, 1)
    m2, t2 = clipped_precision(candidate, references, 2)
    r = closest_length(candidate, references)
    others = [len(ref) for ref in references if len(ref) != r]
    return Score(
        matches=(m1, m2),
        totals=(t1, t2),
        unclipped=(
            unclipped_precision(candidate, references, 1),
            unclipped_precision(candidate, references, 2),
        ),
        c=len(candidate),
        r=r,
        other_r=others[0] if others else None,
    )


def _draw_candidate(
    rng: np.random.Generator, scenario: Scenario, references: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """A reference, edited the way systems go wrong: a word repeated, words dropped, a word swapped."""
    words = list(references[int(rng.integers(len(references)))])
    if rng.random() < 0.7:  # repeat a word or a pair of words, which only clipping catches
        start = int(rng.integers(len(words) - 1))
        repeat = words[start : start + int(rng.integers(1, 3))]
        for _ in range(int(rng.integers(1, 3))):
            at = int(rng.integers(len(words) + 1))
            words[at:at] = repeat
    for _ in range(int(rng.integers(0, 4))):
        if len(words) > 4:
            del words[int(rng.integers(len(words)))]
    if rng.random() < 0.6:
        words[int(rng.integers(len(words)))] = str(rng.choice(scenario.fillers))
    return tuple(words)


class Bleu(Generator):
    name = "bleu"
    title = "BLEU: clipped precision and brevity penalty"
    description = (
        "Sentence BLEU by hand for a short candidate and one or two references: modified (clipped) unigram or "
        "bigram precision, the brevity penalty, and BLEU-2 with uniform weights."
    )
    Params = BleuParams
    topics = ("nlp", "evaluation", "machine-translation")

    def make(self, rng: np.random.Generator, seed: int, params: BleuParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        n_refs = params.references or int(rng.integers(1, 3))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        order = rng.permutation(2)
        references = tuple(tuple(scenario.references[int(i)].split()) for i in order[:n_refs])
        for _ in range(3000):
            candidate = _draw_candidate(rng, scenario, references)
            if ask in ("brevity-penalty", "bleu-2") and len(candidate) >= closest_length(
                candidate, references
            ):
                continue  # cheap check first: these asks need a candidate shorter than its reference
            result = score(candidate, references)
            if _instance_ok(result, ask):
                return self._problem(seed, params, ask, scenario, candidate, references, result)
        raise RuntimeError("no candidate met the conditions")  # pragma: no cover - a few draws suffice

    def _problem(
        self,
        seed: int,
        params: BleuParams,
        ask: str,
        scenario: Scenario,
        candidate: tuple[str, ...],
        references: tuple[tuple[str, ...], ...],
        result: Score,
    ) -> Problem:
        what = {
            "precision-1": ("the **modified unigram precision p₁**", 3),
            "precision-2": ("the **modified bigram precision p₂**", 3),
            "brevity-penalty": ("the **brevity penalty BP**", 3),
            "bleu-2": ("the sentence **BLEU-2** score", 3),
        }[ask]
        refs = "the reference" if len(references) == 1 else "the two references"
        prompt = (
            f"{scenario.context}. Its output (the candidate) and {refs} are below, already lower-cased and split "
            f"into words.\n\n{DEFINITIONS}\n\nWhat is {what[0]} of the candidate? Answer to {what[1]} decimals."
        )
        value = {
            "precision-1": result.precisions[0],
            "precision-2": result.precisions[1],
            "brevity-penalty": result.bp,
            "bleu-2": result.bleu,
        }[ask]
        lines = _solution(ask, candidate, references, result)
        slips = result.slips(ask)
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=ask.replace("-", " ") + "?", answer=NumberAnswer(value, decimals=3)),),
            solution="\n\n".join(lines),
            data={
                "ask": ask,
                "candidate": " ".join(candidate),
                "references": [" ".join(r) for r in references],
                "precisions": list(result.precisions),
                "brevity_penalty": result.bp,
                "bleu_2": result.bleu,
                "value": value,
                "slips": slips,
            },
            table=Table(
                headers=("", "words", "length"),
                rows=(
                    ("candidate", " ".join(candidate), str(len(candidate))),
                    *(
                        (
                            f"reference {i + 1}" if len(references) > 1 else "reference",
                            " ".join(r),
                            str(len(r)),
                        )
                        for i, r in enumerate(references)
                    ),
                ),
                title="candidate and references",
            ),
        )


def _precision_line(
    n: int, candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...], result: Score
) -> str:
    counts = ngrams(candidate, n)
    ceiling: Counter[tuple[str, ...]] = Counter()
    for ref in references:
        ceiling |= ngrams(ref, n)
    items = []
    for gram, count in counts.items():
        text = " ".join(gram)
        if ceiling[gram] == 0:
            items.append(f"“{text}” 0 (no match)")
        elif count > ceiling[gram]:
            items.append(f"“{text}” {count} clipped to {ceiling[gram]}")
        else:
            items.append(f"“{text}” {count}")
    where = "the reference" if len(references) == 1 else "one reference"
    return (
        f"{'Unigrams' if n == 1 else 'Bigrams'} of the candidate, each counted at most as often as it occurs in "
        f"{where}: {', '.join(items)}. p{'₁' if n == 1 else '₂'} = {result.matches[n - 1]} / "
        f"{result.totals[n - 1]} = {fmt(result.precisions[n - 1], 4)}."
    )


def _solution(
    ask: str, candidate: tuple[str, ...], references: tuple[tuple[str, ...], ...], result: Score
) -> list[str]:
    slips = result.slips(ask)
    lines: list[str] = []
    if ask in ("precision-1", "precision-2", "bleu-2"):
        for n in (1, 2) if ask == "bleu-2" else (int(ask[-1]),):
            lines.append(_precision_line(n, candidate, references, result))
    if ask in ("brevity-penalty", "bleu-2"):
        lengths = ", ".join(str(len(r)) for r in references)
        penalty = (
            f"c = {result.c} > r, so BP = 1."
            if result.c > result.r
            else f"BP = exp(1 − {result.r}/{result.c}) = {fmt(result.bp, 4)}."
        )
        lines.append(
            f"Candidate length c = {result.c}; reference length{'s' if len(references) > 1 else ''} "
            f"{lengths}, closest r = {result.r}. {penalty}"
        )
    if ask == "bleu-2":
        p1, p2 = result.precisions
        lines.append(
            f"BLEU-2 = {fmt(result.bp, 4)} × √({fmt(p1, 4)} × {fmt(p2, 4)}) = **{fmt(result.bleu)}**"
        )
        lines.append(
            f"Without the brevity penalty it would be {fmt(slips['no_brevity_penalty'], 3)}; with an arithmetic "
            f"mean of p₁ and p₂, {fmt(slips['arithmetic_mean'], 3)}; with unclipped precisions, "
            f"{fmt(slips['unclipped'], 3)}. The geometric mean is why one zero n-gram precision sends "
            "unsmoothed BLEU to 0."
        )
    elif ask == "brevity-penalty":
        lines.append(f"Brevity penalty = **{fmt(result.bp)}**")
        extra = (
            f"; using the other reference's length ({result.other_r}) gives "
            f"{fmt(slips['other_reference'], 3)}"
            if "other_reference" in slips
            else ""
        )
        lines.append(
            f"Flipping the ratio, exp(1 − c/r), gives {fmt(slips['inverted'], 3)}{extra}. Precision alone rewards "
            "short, safe outputs; the penalty is what stops a two-word candidate from scoring well."
        )
    else:
        n = int(ask[-1])
        lines.append(f"p{'₁' if n == 1 else '₂'} = **{fmt(result.precisions[n - 1])}**")
        lines.append(
            f"Without clipping it would be {fmt(slips['unclipped'], 3)}: a candidate could then score well by "
            "repeating a common word or phrase, which is exactly what clipping is for."
        )
    return lines


def _instance_ok(result: Score, ask: str) -> bool:
    p1, p2 = result.precisions
    if not 4 <= result.c <= 10 or p2 == 0:
        return False
    value = {"precision-1": p1, "precision-2": p2, "brevity-penalty": result.bp, "bleu-2": result.bleu}[ask]
    if ask in ("brevity-penalty", "bleu-2") and result.c >= result.r:
        return False  # ask about the penalty only when there is one
    if value >= 0.999:
        return False
    return far_from(value, result.slips(ask).values(), 0.005)
