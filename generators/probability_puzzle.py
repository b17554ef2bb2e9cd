"""`probability-puzzle`: the classic interview puzzles (coupons, coin patterns, ruin, birthdays, dice) with
fresh numbers, so the answer cannot be remembered, only worked out.

| ask        | answer (exact, in fractions)                                        | mistakes the numbers are drawn to expose |
|------------|---------------------------------------------------------------------|-------------------------------------------|
| `coupon`   | expected draws to see all n equally likely types, n·H_n = Σ_j n/(n − j); or the further draws with j types in hand, n·H_(n−j); or the draws to see g of the n types, n·(H_n − H_(n−g)) | n, n·ln n, n²/2; with j in hand: n − j, starting over (n·H_n), a fresh collection of n − j types; for g of n: g, the whole collection, a collection of only g types |
| `pattern`  | expected flips (P(heads) = p ∈ {1/2, 1/3, 2/3, 1/4, 3/4}) until a 2- or 3-letter pattern first shows: Σ 1/P(first k letters) over every k where the first k letters equal the last k; after a head start of its first j letters, E[pattern] − E[those j letters] | 1/P(pattern) (overlaps ignored); the answer for the pattern with its last letter flipped (HH vs HT); the fair-coin Σ 2^k when p ≠ 1/2; after a head start: E − j, E itself, 1/P(the letters still to come) |
| `ruin`     | P(reach N before 0) from i, each ±1 step won with probability p: (1 − r^i)/(1 − r^N), r = q/p; i/N when p = 1/2 | i/N when p ≠ 1/2; p^(N−i) (winning every step); r flipped to p/q; the ruin probability 1 − answer |
| `birthday` | P(some value shared) among k items on d equally likely values: 1 − d·(d−1)···(d−k+1)/d^k; or the smallest k with that ≥ 1/4, 1/2, 3/4 or 9/10 | k/d; k²/d; 1 − (1 − 1/d)^k (a match with one fixed item); for the smallest k: the k each of those gives, and k ± 1 |
| `dice-max` | expected maximum (or minimum) of m ∈ {2, 3} fair s-sided dice, s ∈ {4, 6, 8, 10, 12, 20}: Σ_x P(max ≥ x) (Σ_x P(min ≥ x)), plus a tabletop bonus or a latency offset when the setting has one | one die's (s + 1)/2; the continuous s·m/(m + 1) (s/(m + 1) for the minimum); max and min swapped |

Every instance is drawn so that each slip lands at least a grading step (and a clear margin) away from the
answer. The pattern formula is the martingale ("fair casino") argument, which holds for any p, not only for a
fair coin (S.-Y. R. Li 1980, *A martingale approach to the study of occurrence of sequence patterns in
repeated experiments*, Ann. Probab.); the tests check it against the Markov chain's linear system. Feller, *An
Introduction to Probability Theory and Its Applications* vol. 1 (3rd ed.), ch. II (birthdays) and ch. XIV (the
classical ruin problem); Blitzstein & Hwang, *Introduction to Probability* (2nd ed., 2019), ch. 1 (birthdays),
ch. 2 (gambler's ruin by first-step analysis), ch. 4 (coupon collector, expectation as a sum of tail
probabilities); Ross, *A First Course in Probability* (10th ed.).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, article, far_from, fmt

Ask = Literal["coupon", "pattern", "ruin", "birthday", "dice-max"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

# Every slip lands at least this far from the answer (several grading steps at the stated decimals).
GAPS = {"coupon": 0.1, "pattern": 0.1, "ruin": 0.02, "birthday": 0.02, "dice-max": 0.05}
DECIMALS = {"coupon": 2, "pattern": 2, "ruin": 3, "birthday": 3, "dice-max": 3}


class ProbabilityPuzzleParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    """A coupon-collector setting: what is drawn, what counts as one type."""

    intro: str  # formatted with n
    already: str  # formatted with j: how many types are already in hand
    kind: str  # singular noun for one type
    goal: str  # formatted with n: the end of the collection
    partial: str  # formatted with g: holding g different types
    draw: str  # singular noun for one draw
    draws: str  # plural
    sizes: tuple[int, ...]


COLLECTIONS = (
    Collection(
        "You roll a fair {n}-sided die again and again.",
        "So far **{j}** different face{s} {have} come up.",
        "face",
        "every one of the {n} faces has come up",
        "{g} different faces have come up",
        "roll",
        "rolls",
        (4, 6, 8, 10, 12),
    ),
    Collection(
        "Each cereal box holds one of {n} toy types, every type equally likely and independent from box to box, "
        "and you keep buying boxes.",
        "You already own **{j}** different type{s}.",
        "type",
        "you own all {n} types",
        "you own {g} different types",
        "box",
        "boxes",
        tuple(range(3, 13)),
    ),
    Collection(
        "A cache is split into {n} shards, and a consistent hash sends each request to a shard uniformly at "
        "random, independently. A shard is warm once it has served one request.",
        "Right now **{j}** shard{s} {are} already warm.",
        "shard",
        "all {n} shards are warm",
        "{g} different shards are warm",
        "request",
        "requests",
        tuple(range(3, 13)),
    ),
    Collection(
        "A data loader draws each training example's class uniformly at random from {n} balanced classes, "
        "independently.",
        "The examples so far already cover **{j}** different class{es}.",
        "class",
        "every one of the {n} classes has appeared at least once",
        "{g} different classes have appeared",
        "example",
        "examples",
        tuple(range(3, 13)),
    ),
)


@dataclass(frozen=True, slots=True)
class Walk:
    """A gambler's-ruin setting: start, target and the per-step win probability, in its own words."""

    text: str  # formatted with i, N, p, q
    question: str  # formatted with i, N


WALKS = (
    Walk(
        "A gambler starts with £{i} and bets £1 a round on a game she wins with probability **{p}** (a win pays "
        "£1, a loss costs the £1). She stops as soon as she has **£{N}** or is broke.",
        "What is the probability that she reaches £{N} before going broke?",
    ),
    Walk(
        "A trader's position starts **{i} ticks** above its stop-loss, and its take-profit sits **{N} ticks** "
        "above the stop-loss. Each tick the price moves up one tick with probability **{p}** and down one otherwise, "
        "independently.",
        "What is the probability that the take-profit is hit before the stop-loss?",
    ),
    Walk(
        "A robot on a corridor of cells 0 to {N} starts in cell **{i}**. Each step it moves one cell towards the "
        "charger at cell **{N}** with probability **{p}** and one cell towards the stairwell at cell 0 otherwise.",
        "What is the probability that it reaches the charger before the stairwell?",
    ),
)
RUIN_P = (
    Fraction(1, 2),
    Fraction(2, 5),
    Fraction(9, 20),
    Fraction(12, 25),
    Fraction(13, 25),
    Fraction(11, 20),
    Fraction(3, 5),
)
PATTERN_P = (Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(1, 4), Fraction(3, 4))
PATTERNS = ("HH", "HT", "TH", "TT", *(a + b + c for a in "HT" for b in "HT" for c in "HT"))


@dataclass(frozen=True, slots=True)
class Space:
    """A birthday-problem setting: k items, each on one of d equally likely values."""

    intro: str  # formatted with d (and k for the probability question)
    items: str
    shared: str  # what a collision is: "share a birthday"
    sizes: tuple[int, ...]


SPACES = (
    Space(
        "Birthdays are spread uniformly over **{d}** days (ignore leap years and twins).",
        "people",
        "share a birthday",
        (365,),
    ),
    Space(
        "A hash table has **{d}** buckets, and a good hash sends each key to a bucket uniformly at random.",
        "keys",
        "land in the same bucket",
        (*range(50, 5001, 10), 64, 128, 256, 512, 1024, 2048, 4096, 8192),
    ),
    Space(
        "A service gives each new job a random ID drawn uniformly from **{d}** possible values.",
        "jobs",
        "get the same ID",
        (*range(10_000, 100_001, 1000), 32_768, 65_536),
    ),
)


class ProbabilityPuzzle(Generator):
    name = "probability-puzzle"
    title = "Classic probability puzzles with fresh numbers"
    description = (
        "Coupon collector, waiting time for a coin pattern (HH vs HT, biased coins), gambler's ruin, the "
        "birthday problem (as hash collisions too) and the expected maximum or minimum of dice, worked exactly."
    )
    Params = ProbabilityPuzzleParams
    topics = ("probability", "interview")

    def make(self, rng: np.random.Generator, seed: int, params: ProbabilityPuzzleParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        maker = {
            "coupon": _coupon,
            "pattern": _pattern,
            "ruin": _ruin,
            "birthday": _birthday,
            "dice-max": _dice,
        }[ask]
        for _ in range(MAX_DRAWS):
            drawn = maker(rng)
            if drawn is not None:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        prompt, value, mistakes, solution, data = drawn
        decimals = 0 if data.get("variant") == "smallest_k" else DECIMALS[ask]
        answer = NumberAnswer(value, tolerance=0) if decimals == 0 else NumberAnswer(value, decimals=decimals)
        shown = answer.shown()
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(data.pop("part"), answer),),
            solution=f"{solution}\n\nAnswer: **{shown}**",
            data={"ask": ask, **data, "value": value, "mistakes": mistakes},
        )


Drawn = tuple[str, float, dict[str, float], str, dict[str, object]]


# ── coupon ────────────────────────────────────────────────────────────────


def coupon_expectation(n: int, seen: int = 0, goal: int | None = None) -> Fraction:
    """E[further draws to hold ``goal`` (default all n) distinct types, holding ``seen`` now] =
    Σ_(j=seen..goal−1) n/(n − j): with j types in hand, a new one comes with probability (n − j)/n, so each
    stage is geometric with mean n/(n − j)."""
    top = n if goal is None else goal
    return sum((Fraction(n, n - j) for j in range(seen, top)), Fraction(0))


def _coupon(rng: np.random.Generator) -> Drawn | None:
    c = COLLECTIONS[int(rng.integers(len(COLLECTIONS)))]
    n = int(rng.choice(c.sizes))
    # The classic, a head start (some types in hand) or a partial goal (g of the n types), in 4 : 3 : 3.
    variant = str(
        rng.choice(
            ["full", "full", "full", "full", "head_start", "head_start", "head_start"] + ["partial"] * 3
        )
    )
    seen = int(rng.integers(1, n - 1)) if variant == "head_start" else 0
    goal = int(rng.integers(2, n)) if variant == "partial" else n
    exact = coupon_expectation(n, seen, goal)
    value = float(exact)
    missing = n - seen
    if variant == "full":
        mistakes = {"n": float(n), "n_ln_n": n * math.log(n), "n_squared_half": n * n / 2}
    elif variant == "head_start":
        mistakes = {
            "one_per_missing": float(missing),
            "from_scratch": float(coupon_expectation(n)),
            "smaller_collection": float(coupon_expectation(missing)),
        }
    else:
        mistakes = {
            "one_per_type": float(goal),
            "whole_collection": float(coupon_expectation(n)),
            "smaller_collection": float(coupon_expectation(goal)),
        }
    if not far_from(value, mistakes.values(), GAPS["coupon"]):
        return None
    plural = seen > 1
    where = (
        " "
        + c.already.format(
            j=seen,
            s="s" if plural else "",
            es="es" if plural else "",
            have="have" if plural else "has",
            are="are" if plural else "is",
        )
        if seen
        else ""
    )
    further = "further " if seen else ""
    target = c.partial.format(g=goal) if variant == "partial" else c.goal.format(n=n)
    prompt = (
        f"{c.intro.format(n=n)}{where}\n\nWhat is the **expected number of {further}{c.draws}** until "
        f"{target}? Answer to 2 decimals."
    )
    waits = " + ".join(f"{n}/{n - j}" for j in range(seen, goal))
    lines = [
        f"Split the wait into stages: with j different {c.kind}s seen so far, each {c.draw} brings a new one with "
        f"probability ({n} − j)/{n}, so that stage is geometric with mean {n}/({n} − j)."
        + (
            ""
            if not seen
            else " The stage j = 0 is already behind us."
            if seen == 1
            else f" The stages j = 0 to {seen - 1} are already behind us."
        )
        + (f" Only the stages j = 0 to {goal - 1} are needed." if variant == "partial" else ""),
    ]
    if variant == "partial":
        lines.append(
            f"E = {waits} = {n}·(H_{n} − H_{n - goal}) = {fmt(value, 4)}."
            if n - goal
            else f"E = {waits} = {fmt(value, 4)}."
        )
        lines.append(
            f"The first few new {c.kind}s come almost every {c.draw}; it is the last ones that are slow, which is "
            f"why {goal} {c.draws} is too few, but collecting only {goal} of {n} is far quicker than all "
            f"({fmt(mistakes['whole_collection'], 2)}). Pretending there are only {goal} {c.kind}s "
            f"({fmt(mistakes['smaller_collection'], 2)}) forgets that every {c.draw} is spread over all {n}."
        )
    else:
        lines.append(f"E = {waits} = {n}·H_{missing} = {n} × {fmt(value / n, 4)} = {fmt(value, 4)}.")
        if seen:
            lines.append(
                f"Each missing {c.kind} takes more than one {c.draw} on average, so {missing} {c.draws} is far too "
                f"few. Starting over from none ({fmt(mistakes['from_scratch'], 2)}) ignores the {seen} in hand; "
                f"treating the {missing} missing ones as a fresh collection of {missing} "
                f"({fmt(mistakes['smaller_collection'], 2)}) forgets that {article(c.draw)} {c.draw} can still land on the {seen} "
                "already seen."
            )
        else:
            lines.append(
                f"The last {c.kind} alone takes {n} {c.draws} on average: that is why {n} (one {c.draw} per "
                f"{c.kind}) is far too few. n·ln n = {fmt(n * math.log(n), 2)} is the large-n shape of n·H_n but "
                f"misses the ≈ 0.577·n (Euler's constant) term; n²/2 = {fmt(n * n / 2, 1)} has the wrong growth."
            )
    data: dict[str, object] = {
        "part": f"expected {further}{c.draws}?",
        "variant": variant,
        "n": n,
        "seen": seen,
        "goal": goal,
        "scenario": c.draw,
    }
    return prompt, value, mistakes, "\n\n".join(lines), data


# ── pattern ───────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Flips:
    """A coin-pattern setting; patterns are worked in H/T and shown in the setting's own two letters."""

    intro: str  # formatted with coin (the P(heads) phrase)
    heads: str  # how H is written
    tails: str  # how T is written
    flip: str
    flips: str


FLIPS = (
    Flips("You flip {coin} (H = heads, T = tails)", "H", "T", "flip", "flips"),
    Flips(
        "A random bit generator emits independent bits, each 1 with {coin} (and 0 otherwise)",
        "1",
        "0",
        "bit",
        "bits",
    ),
)


def _letter_p(letter: str, p: Fraction) -> Fraction:
    return p if letter == "H" else 1 - p


def pattern_expectation(pattern: str, p: Fraction) -> Fraction:
    """Σ 1/P(first k letters) over each k where the pattern's first k letters equal its last k (k = its length
    always counts): the fair-casino martingale argument, valid for any P(heads)."""
    total = Fraction(0)
    for k in range(1, len(pattern) + 1):
        if pattern[:k] == pattern[-k:]:
            total += 1 / math.prod((_letter_p(x, p) for x in pattern[:k]), start=Fraction(1))
    return total


def _p_text(p: Fraction) -> str:
    return f"{p.numerator}/{p.denominator}"


def _overlap_lines(pattern: str, p: Fraction, show: Callable[[str], str], flips: str) -> list[str]:
    """The overlap formula worked for one pattern: one line per k, then the sum."""
    lines, terms = [], []
    for k in range(1, len(pattern) + 1):
        head, tail = pattern[:k], pattern[-k:]
        prob = math.prod((_letter_p(x, p) for x in head), start=Fraction(1))
        if head == tail:
            factors = "·".join(_p_text(_letter_p(x, p)) for x in head)
            terms.append(float(1 / prob))
            lines.append(
                f"k = {k}: first {k} = last {k} = {show(head)}, term 1/({factors}) = {fmt(float(1 / prob), 4)}."
            )
        else:
            lines.append(f"k = {k}: first {k} = {show(head)} but last {k} = {show(tail)}, no term.")
    total = float(pattern_expectation(pattern, p))
    sums = f"{' + '.join(fmt(t, 4) for t in terms)} = " if len(terms) > 1 else ""
    lines.append(f"E[{flips} to {show(pattern)}] = {sums}{fmt(total, 4)}.")
    return lines


def _pattern(rng: np.random.Generator) -> Drawn | None:
    setting = FLIPS[int(rng.integers(len(FLIPS)))]
    pattern = str(rng.choice(PATTERNS))
    p = PATTERN_P[int(rng.integers(len(PATTERN_P)))]
    # A head start in about one instance in three: the first j flips already spell the pattern's first j letters.
    start = int(rng.integers(1, len(pattern))) if rng.random() < 1 / 3 else 0
    table = str.maketrans({"H": setting.heads, "T": setting.tails})

    def show(letters: str) -> str:
        return letters.translate(table)

    full = pattern_expectation(pattern, p)
    exact = full - pattern_expectation(pattern[:start], p) if start else full
    value = float(exact)
    flipped = pattern[:-1] + ("T" if pattern[-1] == "H" else "H")
    whole = math.prod((_letter_p(x, p) for x in pattern), start=Fraction(1))
    if start:
        rest = math.prod((_letter_p(x, p) for x in pattern[start:]), start=Fraction(1))
        mistakes = {
            "minus_done": float(full) - start,
            "ignore_head_start": float(full),
            "rest_in_a_row": float(1 / rest),
        }
    else:
        mistakes = {
            "no_overlaps": float(1 / whole),
            "flipped_pattern": float(pattern_expectation(flipped, p)),
        }
        if p != Fraction(1, 2):
            mistakes["fair_coin"] = float(pattern_expectation(pattern, Fraction(1, 2)))
    mistakes = {k: v for k, v in mistakes.items() if abs(v - value) > 1e-12}
    if not far_from(value, mistakes.values(), GAPS["pattern"]):
        return None
    unfair = "coin" if setting.heads == "H" else "generator"
    coin = (
        ("a fair coin" if setting.heads == "H" else "probability **1/2**")
        if p == Fraction(1, 2)
        else (
            f"a biased coin with P(heads) = **{_p_text(p)}**"
            if setting.heads == "H"
            else f"probability **{_p_text(p)}**"
        )
    )
    shown = show(pattern)
    if start:
        question = (
            f"The first {f'{start} {setting.flips}' if start > 1 else setting.flip} came out **{show(pattern[:start])}**. "
            f"What is the **expected number of further {setting.flips}** until **{shown}** first appears in consecutive "
            f"{setting.flips} (counting from now)? Answer to 2 decimals."
        )
    else:
        question = (
            f"What is the **expected number of {setting.flips}** until **{shown}** first appears in consecutive "
            f"{setting.flips}, its last {setting.flip} included? Answer to 2 decimals."
        )
    prompt = f"{setting.intro.format(coin=coin)}.\n\n{question}"
    q = 1 - p
    lines = [
        f"P({setting.heads}) = {_p_text(p)}, P({setting.tails}) = {_p_text(q)}. Picture a new gambler joining before "
        f"every {setting.flip} with 1 unit, betting everything at fair odds on the next letter of {shown}, and "
        f"leaving at the first loss. Every bet is fair, so the expected stakes paid in (1 per {setting.flip}: the "
        "expected waiting time) equal the expected winnings held when the pattern completes. The gambler who "
        f"joined k {setting.flips} before the end still holds 1/P(first k letters) exactly when the first k "
        f"letters of {shown} equal its last k.",
        *_overlap_lines(pattern, p, show, setting.flips),
    ]
    if start:
        head = pattern[:start]
        done = f"{start} {setting.flips}" if start > 1 else f"1 {setting.flip}"
        lines += [
            f"{shown} cannot appear before {show(head)} has, and the first {done} are exactly "
            f"the first time {show(head)} appears, so E[further] = E[{setting.flips} to {shown}] − E[{setting.flips} to {show(head)}].",
            *_overlap_lines(head, p, show, setting.flips),
            f"E[further] = {fmt(float(full), 4)} − {fmt(float(full - exact), 4)} = {fmt(value, 4)}.",
            f"Subtracting only the {done} already made gives {fmt(mistakes.get('minus_done', value), 4)}: "
            f"reaching {show(head)} from scratch takes {fmt(float(full - exact), 4)} on average, not {start}, and that whole wait is "
            "what the head start saves.",
        ]
    else:
        lines.append(
            f"Ignoring the overlaps gives 1/P({shown}) = {fmt(float(1 / whole), 4)}, right only for a pattern that "
            f"cannot restart inside itself. {show(flipped)} needs {fmt(float(pattern_expectation(flipped, p)), 4)} "
            f"{setting.flips}: a failed attempt at one pattern can be the start of the next attempt for one and "
            "not for the other, which is the HH-vs-HT puzzle."
            + (
                f" The fair-coin shortcut Σ 2^k gives {fmt(mistakes['fair_coin'], 4)}, wrong for this "
                f"{unfair}, whose letters are not equally likely."
                if "fair_coin" in mistakes
                else ""
            )
        )
    data: dict[str, object] = {
        "part": f"expected {'further ' if start else ''}{setting.flips}?",
        "pattern": pattern,
        "shown": shown,
        "start": start,
        "p_heads": float(p),
        "p_text": _p_text(p),
        "flipped": flipped,
    }
    return prompt, value, mistakes, "\n\n".join(lines), data


# ── ruin ──────────────────────────────────────────────────────────────────


def ruin_probability(i: int, n: int, p: Fraction) -> Fraction:
    """P(hit N before 0 from i), each step +1 with probability p: i/N for a fair walk, else
    (1 − r^i)/(1 − r^N) with r = q/p."""
    if p == Fraction(1, 2):
        return Fraction(i, n)
    r = (1 - p) / p
    return (1 - r**i) / (1 - r**n)


def _decimal_text(p: Fraction) -> str:
    return fmt(float(p), 4)


def _ruin(rng: np.random.Generator) -> Drawn | None:
    w = WALKS[int(rng.integers(len(WALKS)))]
    # p = 1/2 in about one instance in five: its answer is i/N, a mistake everywhere else.
    p = Fraction(1, 2) if rng.random() < 0.2 else RUIN_P[int(rng.integers(1, len(RUIN_P)))]
    n = int(rng.integers(4, 21))
    i = int(rng.integers(1, n))
    exact = ruin_probability(i, n, p)
    value = float(exact)
    if not 0.03 <= value <= 0.97:
        return None
    mistakes = {"all_wins": float(p ** (n - i)), "ruin_instead": float(1 - exact)}
    if p != Fraction(1, 2):
        mistakes["fair_i_over_n"] = i / n
        mistakes["ratio_flipped"] = float(ruin_probability(i, n, 1 - p))
    if not far_from(value, mistakes.values(), GAPS["ruin"]):
        return None
    q = 1 - p
    prompt = f"{w.text.format(i=i, N=n, p=_decimal_text(p))}\n\n{w.question.format(i=i, N=n)} Answer to 3 decimals."
    if p == Fraction(1, 2):
        lines = [
            "With p = 1/2 the walk is a fair game (a martingale), so its expected position never changes: "
            f"P(top)·{n} + P(bottom)·0 = {i}.",
            f"P(reach {n} first) = i/N = {i}/{n} = {fmt(value, 4)}.",
        ]
    else:
        r = q / p
        lines = [
            f"Let P_j be the probability of reaching {n} first from j: P_j = p·P_(j+1) + q·P_(j−1), with P_0 = 0 "
            f"and P_{n} = 1. Its solution is P_j = (1 − r^j)/(1 − r^{n}) with r = q/p.",
            f"Here p = {_decimal_text(p)}, q = {_decimal_text(q)}, r = q/p = {fmt(float(r), 4)}.",
            (
                f"P_{i} = (1 − {fmt(float(r), 4)}^{i})/(1 − {fmt(float(r), 4)}^{n}) = "
                f"{fmt(float(1 - r**i), 4)}/{fmt(float(1 - r**n), 4)} = {fmt(value, 4)}."
                if r < 1
                else f"P_{i} = ({fmt(float(r), 4)}^{i} − 1)/({fmt(float(r), 4)}^{n} − 1) = "
                f"{fmt(float(r**i - 1), 4)}/{fmt(float(r**n - 1), 4)} = {fmt(value, 4)} (the same ratio, both signs "
                "flipped, since r > 1)."
            ),
            f"The fair-game answer i/N = {fmt(i / n, 3)} ignores the drift, which compounds over a long walk; "
            f"using p/q for r gives {fmt(mistakes['ratio_flipped'], 3)}, the answer for a walk with p and q "
            "swapped.",
        ]
    steps = f"all {n - i} remaining steps in a row" if n - i > 1 else "the one remaining step at once"
    lines.append(
        f"Winning {steps}, p^{n - i} = {fmt(mistakes['all_wins'], 4)}, is only one of the paths there; "
        f"{fmt(1 - value, 3)} is the probability of the other end."
    )
    data: dict[str, object] = {"part": f"P(reach {n} first)?", "i": i, "N": n, "p": float(p)}
    return prompt, value, mistakes, "\n\n".join(lines), data


# ── birthday ──────────────────────────────────────────────────────────────


def no_match(d: int, k: int) -> Fraction:
    """P(all k values distinct) = d·(d − 1)···(d − k + 1)/d^k, in integers (no gcd until the end)."""
    return Fraction(math.perm(d, k), d**k)


def smallest_k(d: int, target: Fraction = Fraction(1, 2)) -> int:
    """The smallest k with P(some value shared) ≥ target, i.e. d(d − 1)···(d − k + 1)/d^k ≤ 1 − target, walked
    up in integers."""
    num, den = target.numerator, target.denominator
    falling, power, k = 1, 1, 0
    while falling * den > (den - num) * power:
        falling *= d - k
        power *= d
        k += 1
    return k


def _squares_reach(d: int, target: Fraction) -> int:
    """The smallest k with k²/d ≥ target, in integers."""
    k = math.isqrt(int(target * d))
    while k * k < target * d:
        k += 1
    return k


TARGETS = (
    Fraction(1, 4),
    Fraction(1, 2),
    Fraction(1, 2),
    Fraction(3, 4),
    Fraction(9, 10),
)  # 1/2, the classic, twice


def _birthday(rng: np.random.Generator) -> Drawn | None:
    probability = bool(rng.random() < 0.5)
    # 365 days give one smallest k per target, so that question mostly uses the hash and ID spaces.
    s = SPACES[int(rng.choice(len(SPACES), p=None if probability else [0.2, 0.4, 0.4]))]
    d = int(rng.choice(s.sizes))
    d_text = f"{d:,}"
    if probability:
        k = _birthday_k(rng, d)
        exact = 1 - no_match(d, k)
        value = float(exact)
        if not 0.05 <= value <= 0.95:
            return None
        mistakes = {"k_over_d": k / d, "k_squared_over_d": k * k / d, "fixed_item": 1 - (1 - 1 / d) ** k}
        if not far_from(value, mistakes.values(), GAPS["birthday"]):
            return None
        prompt = (
            f"{s.intro.format(d=d_text)} There are **{k}** {s.items}.\n\nWhat is the probability that at least two "
            f"of them {s.shared}? Answer to 3 decimals (exactly, not an approximation)."
        )
        pairs = k * (k - 1) // 2
        lines = [
            f"Complement: all {k} distinct. The first may take any value, the second must avoid 1, the third 2, "
            f"and so on: P(distinct) = ({d_text}/{d_text})·({d - 1:,}/{d_text})···({d - k + 1:,}/{d_text}) = "
            f"{fmt(float(1 - exact), 4)}.",
            f"P(shared) = 1 − {fmt(float(1 - exact), 4)} = {fmt(value, 4)}.",
            f"There are C({k}, 2) = {pairs:,} pairs, each matching with probability 1/{d_text}: that is why it "
            f"is far more than k/d = {fmt(k / d, 3)} or a match with one fixed item, 1 − (1 − 1/d)^k = "
            f"{fmt(mistakes['fixed_item'], 3)}; k²/d = {fmt(k * k / d, 3)} counts ordered pairs, each item "
            f"with itself included, and can pass 1. 1 − e^(−{pairs:,}/{d_text}) = {fmt(1 - math.exp(-pairs / d), 3)} is the usual "
            "approximation.",
        ]
        data: dict[str, object] = {"part": "P(some value shared)?", "variant": "probability", "d": d, "k": k}
        return prompt, value, mistakes, "\n\n".join(lines), data
    target = TARGETS[int(rng.integers(len(TARGETS)))]
    share = f"{float(target):.0%}"
    k = smallest_k(d, target)
    log_odds = -math.log(1 - float(target))
    mistakes = {
        "k_over_d": float(math.ceil(target * d)),
        "k_squared_over_d": float(_squares_reach(d, target)),
        "fixed_item": float(math.ceil(log_odds / -math.log1p(-1 / d))),
    }
    if not far_from(float(k), mistakes.values(), 1):
        return None
    prompt = (
        f"{s.intro.format(d=d_text)}\n\nWhat is the **smallest number of {s.items}** for which the probability "
        f"that at least two {s.shared} is at least **{share}**? Answer as a whole number."
    )
    below, at = float(1 - no_match(d, k - 1)), float(1 - no_match(d, k))
    lines = [
        f"P(shared among k) = 1 − d·(d − 1)···(d − k + 1)/d^k grows with k; walk k up until it reaches {share}.",
        f"With d = {d_text}: k = {k - 1} gives {fmt(below, 4)}, k = {k} gives {fmt(at, 4)}. So k = {k}.",
        f"Rule of thumb: k ≈ √(2d·ln(1/(1 − {fmt(float(target), 2)}))) = {fmt(math.sqrt(2 * d * log_odds), 1)}, "
        f"because the k(k − 1)/2 pairs each match with probability 1/d. Solving k/d ≥ {fmt(float(target), 2)} "
        f"gives {int(mistakes['k_over_d']):,}, a match with one fixed item {int(mistakes['fixed_item']):,}, and "
        f"k²/d ≥ {fmt(float(target), 2)} gives {int(mistakes['k_squared_over_d']):,}.",
    ]
    data = {
        "part": f"smallest number of {s.items}?",
        "variant": "smallest_k",
        "d": d,
        "target": float(target),
        "k": k,
    }
    return prompt, float(k), mistakes, "\n\n".join(lines), data


def _birthday_k(rng: np.random.Generator, d: int) -> int:
    """A k whose collision probability is between a few percent and about 0.9: around 0.3·√d to 2.1·√d."""
    root = math.sqrt(d)
    return int(rng.integers(max(3, int(0.35 * root)), int(2.1 * root) + 1))


# ── dice ──────────────────────────────────────────────────────────────────


def dice_expectation(m: int, s: int, extreme: str) -> Fraction:
    """E[max] = Σ_(x=1..s) P(max ≥ x) = Σ (1 − ((x − 1)/s)^m); E[min] = Σ P(min ≥ x) = Σ ((s − x + 1)/s)^m."""
    if extreme == "max":
        return sum((1 - Fraction(x - 1, s) ** m for x in range(1, s + 1)), Fraction(0))
    return sum((Fraction(s - x + 1, s) ** m for x in range(1, s + 1)), Fraction(0))


def _dice(rng: np.random.Generator) -> Drawn | None:
    m = int(rng.choice([2, 3]))
    s = int(rng.choice([4, 6, 8, 10, 12, 20]))
    extreme = "max" if rng.random() < 0.6 else "min"
    scenario = int(rng.choice(3, p=[0.2, 0.4, 0.4]))  # the plain roll has the fewest instances
    # A tabletop bonus, or replica latencies on base + 1..base + s ms: the shift moves the answer and every slip
    # alike.
    base = (
        int(rng.integers(0, 9))
        if scenario == 1
        else int(rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100]))
    )
    base = 0 if scenario == 0 else base
    exact = dice_expectation(m, s, extreme)
    value = base + float(exact)
    continuous = s * m / (m + 1) if extreme == "max" else s / (m + 1)
    mistakes = {
        "one_die": base + (s + 1) / 2,
        "continuous": base + continuous,
        "swapped": base + s + 1 - float(exact),
    }
    if not far_from(value, mistakes.values(), GAPS["dice-max"]):
        return None
    word = "maximum" if extreme == "max" else "minimum"
    other = "min" if extreme == "max" else "max"
    count = {2: "two", 3: "three"}[m]
    if scenario == 0:
        setting = f"You roll {count} fair {s}-sided dice (faces 1 to {s}) and keep the **{word}** of the {count} faces."
        question = "What is its **expected value**?"
    elif scenario == 1:
        keep = "highest" if extreme == "max" else "lowest"
        bonus = f", then add your **+{base}** bonus to it" if base else ""
        setting = (
            f"A tabletop game's rule has you roll {count} fair d{s} (faces 1 to {s}) and keep only the **{keep}** "
            f"of them{bonus}."
        )
        question = "What is the **expected result**?"
    else:
        rule = (
            "waits for every reply, so it takes as long as the **slowest** one"
            if extreme == "max"
            else "uses the first reply, so it takes as long as the **fastest** one"
        )
        setting = (
            f"A request is sent to {count} replicas at once; each replies after a whole number of milliseconds "
            f"drawn uniformly from {base + 1} to {base + s}, independently of the others. The client {rule}."
        )
        question = "What is the request's **expected latency** in ms?"
    prompt = f"{setting}\n\n{question} Answer to 3 decimals."
    if extreme == "max":
        rule = f"P(max ≥ x) = 1 − P(all {m} ≤ x − 1) = 1 − ((x − 1)/{s})^{m}"
        first = [1 - Fraction(x - 1, s) ** m for x in (1, 2, s)]
    else:
        rule = f"P(min ≥ x) = P(all {m} ≥ x) = (({s} − x + 1)/{s})^{m}"
        first = [Fraction(s - x + 1, s) ** m for x in (1, 2, s)]
    lines = []
    if base:
        lines.append(
            f"The result is {base} + the {word} of {m} values uniform on 1..{s} (adding the same {base} to every "
            f"value adds it to their {word}), so work on 1..{s} and add {base} at the end."
        )
    lines += [
        f"For a variable on 1..{s}, E = Σ_(x=1..{s}) P(it ≥ x). Here {rule}.",
        f"x = 1: {fmt(float(first[0]), 4)}, x = 2: {fmt(float(first[1]), 4)}, …, x = {s}: "
        f"{fmt(float(first[2]), 4)}; the {s} terms sum to {fmt(float(exact), 4)}"
        + (f", and {base} + {fmt(float(exact), 4)} = {fmt(value, 4)}." if base else "."),
        f"A single one averages {fmt(base + (s + 1) / 2, 2)}; the {word} of {m} is pulled "
        f"{'up' if extreme == 'max' else 'down'}. The continuous-uniform formula "
        f"{'s·m/(m + 1)' if extreme == 'max' else 's/(m + 1)'} = {fmt(continuous, 3)} treats each as uniform on the "
        f"interval [0, {s}], not on the whole numbers 1..{s}; by symmetry E[{other}] = "
        f"{s + 1} − {fmt(float(exact), 4)} = {fmt(s + 1 - float(exact), 4)}"
        + (f" (plus {base})." if base else "."),
    ]
    data: dict[str, object] = {
        "part": f"expected {word}?",
        "m": m,
        "s": s,
        "extreme": extreme,
        "scenario": scenario,
        "base": base,
    }
    return prompt, value, mistakes, "\n\n".join(lines), data
