"""`probability-puzzle`: the classic interview puzzles (coupons, coin patterns, ruin, birthdays, dice) with
fresh numbers, so the answer cannot be remembered, only worked out.

| ask        | answer (exact, in fractions)                                        | mistakes the numbers are drawn to expose |
|------------|---------------------------------------------------------------------|-------------------------------------------|
| `coupon`   | expected draws to see all n equally likely types: n·H_n = Σ n/(n − j) | n; n·ln n; n²/2 |
| `pattern`  | expected flips (P(heads) = p) until a 2- or 3-letter pattern first shows: Σ 1/P(first k letters) over every k where the first k letters equal the last k | 1/P(pattern) (overlaps ignored); the answer for the pattern with its last letter flipped (HH vs HT); the fair-coin Σ 2^k when p ≠ 1/2 |
| `ruin`     | P(reach N before 0) from i, winning each ±1 step with probability p: (1 − r^i)/(1 − r^N), r = q/p; i/N when p = 1/2 | i/N when p ≠ 1/2; p^(N−i) (winning every step); r flipped to p/q; the ruin probability 1 − answer |
| `birthday` | P(some value shared) among k items on d equally likely values: 1 − d·(d−1)···(d−k+1)/d^k; or the smallest k with that ≥ 1/2 | k/d; k²/d; 1 − (1 − 1/d)^k (a match with one fixed item); for the smallest k: the k those give (d/2, √(d/2), ≈0.69·d) |
| `dice-max` | expected maximum (or minimum) of m fair s-sided dice: Σ_x P(max ≥ x) (Σ_x P(min ≥ x)) | one die's (s + 1)/2; the continuous s·m/(m + 1) (s/(m + 1) for the minimum); max and min swapped |

Every instance is drawn so that each slip lands at least a grading step (and a clear margin) away from the
answer. The pattern formula is the martingale ("fair casino") argument, which holds for any p, not only for a
fair coin (Li 1980, *A martingale approach to the study of occurrence of sequence patterns*); the tests check
it against the Markov chain's linear system. Feller, *An Introduction to Probability Theory and Its
Applications* vol. 1 (3rd ed.), §II.3 (birthdays), §IX.3 (coupons), §XIV.2 (ruin); Blitzstein & Hwang,
*Introduction to Probability* (2nd ed., 2019), ch. 2 and 4; Ross, *A First Course in Probability* (10th ed.).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, fmt

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
    draw: str  # singular noun for one draw
    draws: str  # plural
    sizes: tuple[int, ...]


COLLECTIONS = (
    Collection(
        "You roll a fair {n}-sided die until every face has come up at least once.",
        "roll",
        "rolls",
        (4, 6, 8, 10, 12),
    ),
    Collection(
        "Each cereal box holds one of {n} toy types, every type equally likely and independent from box to box. "
        "You buy boxes until you own every type.",
        "box",
        "boxes",
        tuple(range(3, 13)),
    ),
    Collection(
        "A cache is split into {n} shards, and a consistent hash sends each request to a shard uniformly at "
        "random, independently. A shard is warm once it has served one request.",
        "request",
        "requests",
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
        "above the stop-loss. Each tick the price moves up one with probability **{p}** and down one otherwise, "
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
        (100, 256, 500, 1000, 1024, 4096),
    ),
    Space(
        "A service gives each new job a random ID drawn uniformly from **{d:,}** possible values.",
        "jobs",
        "get the same ID",
        (10_000, 65_536, 100_000),
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


def _far(value: float, mistakes: dict[str, float], gap: float) -> bool:
    return all(abs(value - slip) >= gap for slip in mistakes.values())


# ── coupon ────────────────────────────────────────────────────────────────


def coupon_expectation(n: int) -> Fraction:
    """E[draws] = Σ_(j=0..n−1) n/(n − j): after j types, a new one comes with probability (n − j)/n."""
    return sum((Fraction(n, n - j) for j in range(n)), Fraction(0))


def _coupon(rng: np.random.Generator) -> Drawn | None:
    c = COLLECTIONS[int(rng.integers(len(COLLECTIONS)))]
    n = int(rng.choice(c.sizes))
    exact = coupon_expectation(n)
    value = float(exact)
    mistakes = {"n": float(n), "n_ln_n": n * math.log(n), "n_squared_half": n * n / 2}
    if not _far(value, mistakes, GAPS["coupon"]):
        return None
    kind = "face" if c.draw == "roll" else "type" if c.draw == "box" else "shard"
    prompt = (
        f"{c.intro.format(n=n)}\n\nWhat is the **expected number of {c.draws}** until every one of the {n} "
        f"{kind}s has appeared? Answer to 2 decimals."
    )
    waits = " + ".join(f"{n}/{n - j}" for j in range(n))
    harmonic = value / n
    solution = "\n\n".join(
        [
            f"Split the wait into stages: with j {kind}s already seen, each {c.draw} is new with probability "
            f"({n} − j)/{n}, so that stage is geometric with mean {n}/({n} − j).",
            f"E = {waits} = {n}·H_{n} = {n} × {fmt(harmonic, 4)} = {fmt(value, 4)}.",
            f"The last {kind} alone takes {n} {c.draws} on average: that is why {n} (one {c.draw} per {kind}) is "
            f"far too few. n·ln n = {fmt(n * math.log(n), 2)} is the large-n shape of n·H_n but misses the "
            f"≈ 0.577·n (Euler's constant) term; n²/2 = {fmt(n * n / 2, 1)} has the wrong growth.",
        ]
    )
    data: dict[str, object] = {"part": f"expected {c.draws}?", "n": n, "scenario": c.draw}
    return prompt, value, mistakes, solution, data


# ── pattern ───────────────────────────────────────────────────────────────


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


def _pattern(rng: np.random.Generator) -> Drawn | None:
    pattern = str(rng.choice(PATTERNS))
    p = PATTERN_P[int(rng.integers(len(PATTERN_P)))]
    exact = pattern_expectation(pattern, p)
    value = float(exact)
    flipped = pattern[:-1] + ("T" if pattern[-1] == "H" else "H")
    whole = math.prod((_letter_p(x, p) for x in pattern), start=Fraction(1))
    mistakes = {
        "no_overlaps": float(1 / whole),
        "flipped_pattern": float(pattern_expectation(flipped, p)),
    }
    if p != Fraction(1, 2):
        mistakes["fair_coin"] = float(pattern_expectation(pattern, Fraction(1, 2)))
    mistakes = {k: v for k, v in mistakes.items() if abs(v - value) > 1e-12}
    if not _far(value, mistakes, GAPS["pattern"]):
        return None
    coin = "a fair coin" if p == Fraction(1, 2) else f"a biased coin with P(heads) = **{_p_text(p)}**"
    prompt = (
        f"You flip {coin} (H = heads, T = tails) until the sequence **{pattern}** first appears in consecutive "
        "flips.\n\nWhat is the **expected number of flips**, the last flip of the pattern included? Answer to 2 "
        "decimals."
    )
    q = 1 - p
    lines = [
        f"P(H) = {_p_text(p)}, P(T) = {_p_text(q)}. Picture a new gambler joining before every flip with 1 unit, "
        f"betting everything at fair odds on the next letter of {pattern}, and leaving at the first loss. Every bet "
        "is fair, so the expected stakes paid in (1 per flip: E[flips]) equal the expected winnings held when the "
        f"pattern completes. The gambler who joined k flips before the end still holds 1/P(first k letters) exactly "
        f"when the first k letters of {pattern} equal its last k.",
    ]
    terms = []
    for k in range(1, len(pattern) + 1):
        head, tail = pattern[:k], pattern[-k:]
        prob = math.prod((_letter_p(x, p) for x in head), start=Fraction(1))
        if head == tail:
            factors = "·".join(_p_text(_letter_p(x, p)) for x in head)
            terms.append(float(1 / prob))
            lines.append(
                f"k = {k}: first {k} = last {k} = {head}, term 1/({factors}) = {fmt(float(1 / prob), 4)}."
            )
        else:
            lines.append(f"k = {k}: first {k} = {head} but last {k} = {tail}, no term.")
    lines.append(f"E = {' + '.join(fmt(t, 4) for t in terms)} = {fmt(value, 4)}.")
    lines.append(
        f"Ignoring the overlaps gives 1/P({pattern}) = {fmt(float(1 / whole), 4)}, right only for a pattern that "
        f"cannot restart inside itself. {flipped} needs {fmt(float(pattern_expectation(flipped, p)), 4)} flips: "
        "a failed attempt at one pattern can be the start of the next attempt for one and not for the other, "
        "which is the HH-vs-HT puzzle."
        + (
            f" The fair-coin shortcut Σ 2^k gives {fmt(mistakes['fair_coin'], 4)}, wrong for this coin."
            if "fair_coin" in mistakes
            else ""
        )
    )
    data: dict[str, object] = {
        "part": "expected flips?",
        "pattern": pattern,
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
    if not _far(value, mistakes, GAPS["ruin"]):
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
            f"P_{i} = (1 − {fmt(float(r), 4)}^{i})/(1 − {fmt(float(r), 4)}^{n}) = "
            f"{fmt(float(1 - r**i), 4)}/{fmt(float(1 - r**n), 4)} = {fmt(value, 4)}.",
            f"The fair-game answer i/N = {fmt(i / n, 3)} ignores the drift, which compounds over a long walk; "
            f"using p/q for r gives {fmt(mistakes['ratio_flipped'], 3)}, the answer for the other side.",
        ]
    lines.append(
        f"Winning all {n - i} steps in a row, p^{n - i} = {fmt(mistakes['all_wins'], 4)}, is only one of the "
        f"paths there; {fmt(1 - value, 3)} is the probability of the other end."
    )
    data: dict[str, object] = {"part": f"P(reach {n} first)?", "i": i, "N": n, "p": float(p)}
    return prompt, value, mistakes, "\n\n".join(lines), data


# ── birthday ──────────────────────────────────────────────────────────────


def no_match(d: int, k: int) -> Fraction:
    """P(all k values distinct) = d·(d − 1)···(d − k + 1)/d^k, in integers (no gcd until the end)."""
    return Fraction(math.perm(d, k), d**k)


def smallest_k(d: int) -> int:
    """The smallest k with P(some value shared) ≥ 1/2: 2·d(d − 1)···(d − k + 1) ≤ d^k, walked up in integers."""
    falling, power, k = 1, 1, 0
    while 2 * falling > power:
        falling *= d - k
        power *= d
        k += 1
    return k


def _half_by_squares(d: int) -> int:
    """The smallest k with k²/d ≥ 1/2 (2k² ≥ d), in integers."""
    k = math.isqrt(d // 2)
    while 2 * k * k < d:
        k += 1
    return k


def _birthday(rng: np.random.Generator) -> Drawn | None:
    s = SPACES[int(rng.integers(len(SPACES)))]
    d = int(rng.choice(s.sizes))
    d_text = f"{d:,}"
    if rng.random() < 0.5:
        k = _birthday_k(rng, d)
        exact = 1 - no_match(d, k)
        value = float(exact)
        if not 0.05 <= value <= 0.95:
            return None
        mistakes = {"k_over_d": k / d, "k_squared_over_d": k * k / d, "fixed_item": 1 - (1 - 1 / d) ** k}
        if not _far(value, mistakes, GAPS["birthday"]):
            return None
        prompt = (
            f"{s.intro.format(d=d)} There are **{k}** {s.items}.\n\nWhat is the probability that at least two "
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
    k = smallest_k(d)
    mistakes = {
        "k_over_d": float(-(-d // 2)),
        "k_squared_over_d": float(_half_by_squares(d)),
        "fixed_item": float(math.ceil(math.log(2) / -math.log1p(-1 / d))),
    }
    if not _far(float(k), mistakes, 1):
        return None
    prompt = (
        f"{s.intro.format(d=d)}\n\nWhat is the **smallest number of {s.items}** for which the probability that "
        f"at least two {s.shared} is at least 1/2? Answer as a whole number."
    )
    below, at = float(1 - no_match(d, k - 1)), float(1 - no_match(d, k))
    lines = [
        "P(shared among k) = 1 − d·(d − 1)···(d − k + 1)/d^k grows with k; walk k up until it passes 1/2.",
        f"With d = {d_text}: k = {k - 1} gives {fmt(below, 4)}, k = {k} gives {fmt(at, 4)}. So k = {k}.",
        f"Rule of thumb: k ≈ 1.18·√d = {fmt(1.1774 * math.sqrt(d), 1)}, because the {k}·{k - 1}/2 pairs each "
        f"match with probability 1/d. Solving k/d ≥ 1/2 gives {int(mistakes['k_over_d']):,}, a match with one "
        f"fixed item {int(mistakes['fixed_item']):,}, and k²/d ≥ 1/2 gives {int(mistakes['k_squared_over_d']):,}.",
    ]
    data = {"part": f"smallest number of {s.items}?", "variant": "smallest_k", "d": d, "k": k}
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
    exact = dice_expectation(m, s, extreme)
    value = float(exact)
    continuous = s * m / (m + 1) if extreme == "max" else s / (m + 1)
    mistakes = {"one_die": (s + 1) / 2, "continuous": continuous, "swapped": s + 1 - value}
    if not _far(value, mistakes, GAPS["dice-max"]):
        return None
    word = "maximum" if extreme == "max" else "minimum"
    count = {2: "two", 3: "three"}[m]
    prompt = (
        f"You roll {count} fair {s}-sided dice (faces 1 to {s}) and keep the **{word}** of the {count} "
        f"faces.\n\nWhat is its **expected value**? Answer to 3 decimals."
    )
    if extreme == "max":
        rule = f"P(max ≥ x) = 1 − P(all {m} dice ≤ x − 1) = 1 − ((x − 1)/{s})^{m}"
        first = [1 - Fraction(x - 1, s) ** m for x in (1, 2, s)]
    else:
        rule = f"P(min ≥ x) = P(all {m} dice ≥ x) = (({s} − x + 1)/{s})^{m}"
        first = [Fraction(s - x + 1, s) ** m for x in (1, 2, s)]
    lines = [
        f"For a variable on 1..{s}, E = Σ_(x=1..{s}) P(it ≥ x). Here {rule}.",
        f"x = 1: {fmt(float(first[0]), 4)}, x = 2: {fmt(float(first[1]), 4)}, …, x = {s}: "
        f"{fmt(float(first[2]), 4)}; the {s} terms sum to {fmt(value, 4)}.",
        f"One die alone averages {fmt((s + 1) / 2, 2)}; the {word} of {m} is pulled "
        f"{'up' if extreme == 'max' else 'down'}. The continuous-uniform formula "
        f"{'s·m/(m + 1)' if extreme == 'max' else 's/(m + 1)'} = {fmt(continuous, 3)} treats each die as uniform "
        f"on the interval [0, {s}], not on the faces 1..{s}; by symmetry E[{'min' if extreme == 'max' else 'max'}] = {s + 1} − "
        f"{fmt(value, 4)} = {fmt(s + 1 - value, 4)}.",
    ]
    data: dict[str, object] = {"part": f"expected {word}?", "m": m, "s": s, "extreme": extreme}
    return prompt, value, mistakes, "\n\n".join(lines), data
