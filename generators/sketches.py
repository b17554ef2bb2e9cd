"""`sketches`: Bloom filters, Count-Min and HyperLogLog sized by hand.

The conventions are deck 40's (``bloom-fp-rate``, ``bloom-optimal-k``, ``bloom-bits-per-item``,
``count-min-dimensions``, ``hyperloglog-registers``) and each prompt states the one it relies on: a Bloom
filter's false-positive rate is the standard approximation p ≈ (1 − e^(−kn/m))^k (bits taken as independent),
Count-Min takes w = ⌈e/ε⌉ and d = ⌈ln(1/δ)⌉, HyperLogLog's relative standard error is 1.04/√m with m a power
of two.

| ask          | answer                                                              | mistakes the numbers are drawn to expose |
|--------------|---------------------------------------------------------------------|-------------------------------------------|
| `bloom-fpr`  | p = (1 − e^(−kn/m))^k, in % to 2 decimals                           | e^(−kn/m) alone; (kn/m)^k (no collisions); 1 − e^(−kn/m) (the share of bits set, no k-th power); n/m for kn/m |
| `bloom-k`    | k* = (m/n)·ln 2 to 2 decimals; the best whole k (both neighbours compared, their rates ≥ 0.3% apart) | k = m/n; (m/n)·log₁₀ 2; the whole k: the other neighbour of k*, and round(m/n) |
| `bloom-bits` | bits per item m/n = −ln p / (ln 2)² (1 decimal); the filter's size for n items in MB (3 significant figures) | −log₂ p = −ln p / ln 2 (that is the optimal k, not the bits); −ln p (no (ln 2)²); −log₁₀ p / (ln 2)²; bits for bytes (no ÷ 8); MiB for MB |
| `count-min`  | w = ⌈e/ε⌉, d = ⌈ln(1/δ)⌉ and w·d counters (whole numbers)           | width ⌈1/ε⌉; depth ⌈log₂(1/δ)⌉ or ⌈log₁₀(1/δ)⌉; e/ε rounded to nearest when that rounds down |
| `hll`        | registers for a target error: the smallest power of two m with 1.04/√m ≤ target (whole number); or the error 1.04/√m of a given m = 2^b (b 6–13), in % to 2 decimals | 1/√m (no 1.04), which in half the target instances settles on a smaller power of two; ⌈(1.04/target)²⌉ not rounded up to a power of two (never itself the answer); the power of two below; 1.04/√b for the index bits b; 1.04/m |

−log₂ p and −ln p / ln 2 are one number (log₂(1/p) is the optimal k for the target, a common stand-in for
the bits). With a clear gap between the neighbours' rates, round(k*) is the best whole k (the exceptions sit
in a window of k* just below each half, 0.035 wide at 2.5 and narrowing to 0.006 at 14.5, where the two rates
differ by a hair); the solution still
compares both neighbours, as a filter's designer should. Every slip lands at least ``MISTAKE_STEPS`` units of
the answer's last stated digit away (whole numbers: at least 1), so a slip is graded wrong. Count-Min ε is a round share (given directly or as an over-count among N
events), δ a round probability, and neither e/ε nor ln(1/δ) is within 10⁻⁶ of a whole number, so the ceilings
are not at the mercy of floating point. Sources: Bloom 1970; Broder & Mitzenmacher 2004 (the approximation
and the optimal k); Cormode & Muthukrishnan 2005 (Count-Min); Flajolet et al. 2007 (HyperLogLog). The tests
simulate Bloom filters with a seeded hash family, recompute k* and the bits per item with scipy's optimisers
(no closed form), brute-force the best whole k, and check the ceilings and powers of two in exact decimal or
integer arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, far_from, fmt, significant_text

Ask = Literal["bloom-fpr", "bloom-k", "bloom-bits", "count-min", "hll"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_STEPS = 3  # a slip lands at least this many units of the answer's last stated digit away
LN2 = math.log(2)
TRAP_SHARE = 0.5  # share of `hll` target instances where dropping the 1.04 settles on a smaller power of two
ABSOLUTE_SHARE = 0.5  # share of `count-min` instances that give the over-count in events, not ε

ITEM_COUNTS = (100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000)
TARGET_FPR_PER_MILLION = (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 10)
SIZE_ITEMS = (2_000_000, 10_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000)
EPSILONS = (
    "0.01",
    "0.005",
    "0.002",
    "0.001",
    "0.0005",
    "0.0002",
    "0.0001",
    "0.00005",
    "0.00002",
    "0.00001",
)
DELTAS = ("0.1", "0.05", "0.02", "0.01", "0.005", "0.002", "0.001", "0.0001", "0.00001")
STREAM_TOTALS = (10_000_000, 50_000_000, 100_000_000, 200_000_000, 500_000_000, 1_000_000_000)


@dataclass(frozen=True, slots=True)
class BloomUse:
    setting: str  # "A web crawler keeps a Bloom filter of the URLs it has fetched"
    items: str  # plural of what is stored: "URLs"
    false_positive: str  # what a false positive costs here


@dataclass(frozen=True, slots=True)
class CountUse:
    setting: str
    events: str  # plural: "search queries"
    item: str  # what is counted: "query"


@dataclass(frozen=True, slots=True)
class DistinctUse:
    setting: str
    items: str  # plural: "user IDs"


BLOOM_USES = (
    BloomUse(
        "A web crawler keeps a Bloom filter of the URLs it has already fetched, so it never fetches a page twice",
        "URLs",
        "a new URL is taken for a seen one and never crawled",
    ),
    BloomUse(
        "A cache front-end asks a Bloom filter whether a key may be cached before it calls the cache servers",
        "cached keys",
        "a lookup goes to the cache servers for a key that is not there",
    ),
    BloomUse(
        "A key-value store keeps a Bloom filter per on-disk file, to skip reading files that lack a key",
        "keys",
        "a file is read from disk for a key it does not hold",
    ),
    BloomUse(
        "A sign-up form checks a Bloom filter of taken usernames before it queries the user database",
        "usernames",
        "a free username is reported as maybe taken and checked in the database",
    ),
)
COUNT_USES = (
    CountUse(
        "A search engine counts queries per day in a Count-Min sketch to find heavy hitters",
        "queries",
        "query",
    ),
    CountUse(
        "A network monitor counts packets per source IP in a Count-Min sketch to spot heavy senders",
        "packets",
        "source IP",
    ),
    CountUse(
        "A social app counts hashtag uses in a Count-Min sketch to find trending hashtags",
        "hashtag uses",
        "hashtag",
    ),
)
DISTINCT_USES = (
    DistinctUse("An analytics service counts distinct users per day with HyperLogLog", "user IDs"),
    DistinctUse("A CDN counts distinct client IPs per hour with HyperLogLog", "client IPs"),
    DistinctUse(
        "An ad platform counts the distinct devices a campaign reached with HyperLogLog", "device IDs"
    ),
)


class SketchesParams(Params):
    ask: Ask | None = None


def bloom_fpr(m: int, n: int, k: int) -> float:
    """The standard approximation (1 − e^(−kn/m))^k: each bit is set with probability 1 − e^(−kn/m) after n
    insertions of k hashes, and a fresh item is a false positive when all k of its bits are set."""
    return (1 - math.exp(-k * n / m)) ** k


def best_whole_k(m: int, n: int) -> int:
    """The whole k with the smaller false-positive rate of the two around k* = (m/n)·ln 2 (the rate, as a
    function of k, falls to k* and rises after it)."""
    low = max(1, math.floor(m / n * LN2))
    return min((low, low + 1), key=lambda k: bloom_fpr(m, n, k))


def bits_per_item(p: float) -> float:
    """m/n = −ln p / (ln 2)² for a target rate p with the optimal (real-valued) k."""
    return -math.log(p) / LN2**2


def next_power_of_two(x: float) -> int:
    """The smallest power of two ≥ x."""
    power = 1
    while power < x:
        power *= 2
    return power


def _pct(p: float, digits: int = 2) -> str:
    return f"{100 * p:.{digits}f}%"


def _int(value: int) -> str:
    return f"{value:,}"


def _significant(value: float, digits: int = 3) -> str:
    """:func:`significant_text` with thousands separators: 1,020 for 1017.8."""
    whole, point, fraction = significant_text(value, digits).partition(".")
    return f"{int(whole):,}{point}{fraction}"


class Sketches(Generator):
    name = "sketches"
    title = "Sketches sized by hand: Bloom filters, Count-Min, HyperLogLog"
    description = (
        "A Bloom filter's false-positive rate, optimal number of hashes and bits per item; a Count-Min sketch's "
        "width, depth and counters for an error bound; HyperLogLog's registers for a target error, or its error."
    )
    Params = SketchesParams
    topics = ("sketches", "data-scale", "probability")

    def make(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        if ask == "bloom-fpr":
            return self._bloom_fpr(rng, seed, params)
        if ask == "bloom-k":
            return self._bloom_k(rng, seed, params)
        if ask == "bloom-bits":
            return self._bloom_bits(rng, seed, params)
        if ask == "count-min":
            return self._count_min(rng, seed, params)
        return self._hll(rng, seed, params)

    # -- Bloom filters --------------------------------------------------------------------------------

    def _bloom_fpr(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        use = BLOOM_USES[int(rng.integers(len(BLOOM_USES)))]
        for _ in range(MAX_DRAWS):
            n = int(rng.choice(ITEM_COUNTS))
            ratio = int(rng.integers(8, 33)) / 2  # 4 to 16 bits per item, in halves
            m = int(n * ratio)
            optimal = ratio * LN2
            k = int(rng.integers(max(2, round(optimal) - 3), round(optimal) + 4))
            value = 100 * bloom_fpr(m, n, k)
            fill = -math.expm1(-k * n / m)
            slips = {
                "empty_bit": 100 * math.exp(-k * n / m),
                "no_collisions": 100 * (k * n / m) ** k,
                "no_power": 100 * fill,
                "no_k_in_load": 100 * (-math.expm1(-n / m)) ** k,
            }
            if 0.3 <= value <= 30 and far_from(value, slips.values(), MISTAKE_STEPS * 0.01):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        prompt = (
            f"{use.setting}. It has **m = {_int(m)} bits**, **k = {k} hash functions**, and holds "
            f"**n = {_int(n)} {use.items}**. A false positive here means {use.false_positive}.\n\n"
            "Using the standard approximation p ≈ (1 − e^(−kn/m))^k (bits taken as independent), what is the "
            "filter's false-positive rate? Answer in %, to 2 decimals."
        )
        x = k * n / m
        solution = "\n\n".join(
            [
                f"Load: kn/m = {k}·{_int(n)} / {_int(m)} = {fmt(x)}. After n insertions a given bit is still 0 "
                f"with probability e^(−kn/m) = e^(−{fmt(x)}) = {fmt(math.exp(-x))}, so it is set with probability "
                f"1 − {fmt(math.exp(-x))} = {fmt(fill)}.",
                f"A fresh item is a false positive when all k = {k} of its bits are set: p = {fmt(fill)}^{k} = "
                f"{fmt(value / 100, 6)} = **{value:.2f}%**",
                f"Stopping before the k-th power gives {slips['no_power']:.2f}% (the share of bits set); e^(−kn/m) "
                f"alone is {slips['empty_bit']:.2f}% (the share still 0); (kn/m)^k = {slips['no_collisions']:.2f}% "
                "forgets that hashes collide on bits already set. Here m/n = "
                f"{fmt(m / n)} bits per item, for which the best k is about {fmt(m / n * LN2, 2)}.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("false-positive rate (%)?", NumberAnswer(value, decimals=2, unit="%")),),
            solution=solution,
            data={"ask": "bloom-fpr", "m": m, "n": n, "k": k, "fpr_pct": value, "mistakes": slips},
        )

    def _bloom_k(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        use = BLOOM_USES[int(rng.integers(len(BLOOM_USES)))]
        for _ in range(MAX_DRAWS):
            n = int(rng.choice(ITEM_COUNTS))
            ratio = int(rng.integers(40, 201)) / 10  # 4.0 to 20.0 bits per item
            m = int(round(n * ratio))
            optimal = m / n * LN2
            best = best_whole_k(m, n)
            low = math.floor(optimal)
            rates = (bloom_fpr(m, n, low), bloom_fpr(m, n, low + 1))
            clear = abs(rates[0] - rates[1]) >= 0.003 * min(rates)  # the comparison is not a knife-edge
            slips = {"m_over_n": m / n, "log10": m / n * math.log10(2)}
            if clear and low >= 1 and far_from(optimal, slips.values(), MISTAKE_STEPS * 0.01):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        other = low + 1 if best == low else low
        whole_slips = {"other_neighbour": other, "round_m_over_n": round(m / n)}
        whole_slips = {key: value for key, value in whole_slips.items() if value != best}
        prompt = (
            f"{use.setting}. It gets **m = {_int(m)} bits** for **n = {_int(n)} {use.items}**. Take the "
            "false-positive rate as the standard approximation p ≈ (1 − e^(−kn/m))^k for k hash functions.\n\n"
            "1. Which k minimises it, as a real number? Answer to 2 decimals.\n"
            "2. A filter needs a whole number of hash functions: which whole k gives the lowest rate? "
            "Answer as a whole number.\n\nSeparate the two answers with ';'."
        )
        solution = "\n\n".join(
            [
                f"Bits per item m/n = {_int(m)} / {_int(n)} = {fmt(m / n)}. Setting the derivative of "
                "k·ln(1 − e^(−kn/m)) to zero gives e^(−kn/m) = 1/2: half the bits set. So "
                f"k* = (m/n)·ln 2 = {fmt(m / n)} × 0.6931 = **{optimal:.2f}**",
                f"The rate falls to k* and rises after it, so the best whole k is one of its neighbours: "
                f"k = {low} gives ({fmt(-math.expm1(-low * n / m))})^{low} = {significant_text(100 * rates[0], 4)}%, "
                f"k = {low + 1} gives ({fmt(-math.expm1(-(low + 1) * n / m))})^{low + 1} = "
                f"{significant_text(100 * rates[1], 4)}%. The lower is **k = {best}**",
                f"k = m/n = {fmt(m / n)} forgets the ln 2 and fills the filter with too many set bits; "
                f"(m/n)·log₁₀ 2 = {fmt(slips['log10'], 2)} uses the wrong logarithm. At k*, p = (1/2)^k* ≈ "
                f"0.6185^(m/n).",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("optimal k (real)?", NumberAnswer(optimal, decimals=2)),
                Part("best whole k?", NumberAnswer(best, tolerance=0)),
            ),
            solution=solution,
            data={
                "ask": "bloom-k",
                "m": m,
                "n": n,
                "k_star": optimal,
                "best_k": best,
                "mistakes": slips,
                "whole_mistakes": whole_slips,
            },
        )

    def _bloom_bits(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        use = BLOOM_USES[int(rng.integers(len(BLOOM_USES)))]
        for _ in range(MAX_DRAWS):
            per_million = int(rng.choice(TARGET_FPR_PER_MILLION))
            n = int(rng.choice(SIZE_ITEMS))
            p = per_million / 1_000_000
            bits = bits_per_item(p)
            megabytes = n * bits / 8 / 1e6
            slips = {"log2": -math.log2(p), "ln_only": -math.log(p), "log10": -math.log10(p) / LN2**2}
            size_slips = {"bits_not_bytes": n * bits / 1e6, "mebibytes": n * bits / 8 / 2**20}
            size_step = 10.0 ** (math.floor(math.log10(megabytes)) - 2)
            if far_from(bits, slips.values(), MISTAKE_STEPS * 0.1) and far_from(
                megabytes, size_slips.values(), MISTAKE_STEPS * size_step
            ):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        target = fmt(100 * p, 6) + "%"
        prompt = (
            f"{use.setting}. It must hold **n = {_int(n)} {use.items}** with a false-positive rate of "
            f"**p = {target}**, using the optimal (real-valued) number of hash functions under the standard "
            "approximation p ≈ (1 − e^(−kn/m))^k.\n\n"
            "1. How many bits per stored item (m/n) does it need? Answer to 1 decimal.\n"
            "2. How large is the filter in MB (1 MB = 1,000,000 bytes), from the unrounded bits per item? "
            "Answer to 3 significant figures.\n\nSeparate the two answers with ';'."
        )
        solution = "\n\n".join(
            [
                "With the optimal k = (m/n)·ln 2 half the bits are set, so p = (1/2)^k = (1/2)^((m/n)·ln 2). "
                "Solving for m/n: m/n = −ln p / (ln 2)² = 1.44·log₂(1/p).",
                f"m/n = −ln {fmt(p, 6)} / 0.4805 = {fmt(-math.log(p))} / 0.4805 = **{bits:.1f}** bits per item "
                f"({fmt(bits)} unrounded), with k = {fmt(bits * LN2, 2)}, so about {round(bits * LN2)} hashes in practice.",
                f"Size: {_int(n)} × {fmt(bits)} bits = {_int(round(n * bits))} bits; ÷ 8 = "
                f"{_int(round(n * bits / 8))} bytes = **{_significant(megabytes)} MB**",
                f"−log₂ p = {fmt(slips['log2'], 2)} is the optimal number of hashes, not the bits; −ln p alone = "
                f"{fmt(slips['ln_only'], 2)} drops the (ln 2)²; forgetting ÷ 8 gives "
                f"{_significant(size_slips['bits_not_bytes'])} MB. Each tenfold cut in p costs "
                "about 4.8 more bits per item, whatever the items are.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("bits per item?", NumberAnswer(bits, decimals=1)),
                Part("size in MB?", NumberAnswer(megabytes, significant=3)),
            ),
            solution=solution,
            data={
                "ask": "bloom-bits",
                "p": p,
                "n": n,
                "bits_per_item": bits,
                "megabytes": megabytes,
                "mistakes": slips,
                "size_mistakes": size_slips,
            },
        )

    # -- Count-Min ------------------------------------------------------------------------------------

    def _count_min(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        use = COUNT_USES[int(rng.integers(len(COUNT_USES)))]
        absolute = bool(rng.random() < ABSOLUTE_SHARE)
        for _ in range(MAX_DRAWS):
            eps_text, delta_text = str(rng.choice(EPSILONS)), str(rng.choice(DELTAS))
            eps, delta = float(eps_text), float(delta_text)
            total = int(rng.choice(STREAM_TOTALS))
            bound = round(eps * total)
            if absolute and bound < 100:
                continue
            width, depth = math.e / eps, math.log(1 / delta)
            if min(abs(width - round(width)), abs(depth - round(depth))) < 1e-6:
                continue  # pragma: no cover - the listed ε and δ never land there
            w, d = math.ceil(width), math.ceil(depth)
            slips = {
                "one_over_eps": (math.ceil(1 / eps), d),
                "log2_depth": (w, math.ceil(math.log2(1 / delta))),
                "log10_depth": (w, math.ceil(math.log10(1 / delta))),
                "rounded_width": (round(width), d),
            }
            slips = {key: s for key, s in slips.items() if s != (w, d)}
            if "log2_depth" in slips and "one_over_eps" in slips:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        if absolute:
            bound_text = (
                f"over-count any {use.item} by at most **{_int(bound)}** in a day of **N = {_int(total)} "
                f"{use.events}** (so ε = {_int(bound)} / {_int(total)})"
            )
        else:
            bound_text = f"over-count any {use.item} by at most **ε = {eps_text}** of the stream total N"
        prompt = (
            f"{use.setting}. It must {bound_text}, failing with probability at most **δ = {delta_text}**. "
            "Size it with the usual bounds w = ⌈e/ε⌉ counters per row and d = ⌈ln(1/δ)⌉ rows.\n\n"
            "1. The width w?\n2. The depth d?\n3. The number of counters w·d?\n\n"
            "Answer each as a whole number, separated by ';'."
        )
        eps_line = f"ε = {_int(bound)} / {_int(total)} = {eps_text}. " if absolute else f"ε = {eps_text}. "
        solution = "\n\n".join(
            [
                eps_line + f"Width w = ⌈e/ε⌉ = ⌈2.71828 / {eps_text}⌉ = ⌈{fmt(width, 2)}⌉ = **{_int(w)}**",
                f"Depth d = ⌈ln(1/δ)⌉ = ⌈ln {fmt(1 / delta)}⌉ = ⌈{fmt(depth, 3)}⌉ = **{d}**",
                f"Counters w·d = {_int(w)} × {d} = **{_int(w * d)}**",
                f"A width of 1/ε = {_int(math.ceil(1 / eps))} drops the e; a depth of ⌈log₂(1/δ)⌉ = "
                f"{math.ceil(math.log2(1 / delta))} uses the wrong logarithm. The bound is one-sided: with "
                f"probability ≥ 1 − δ the estimate exceeds the true count by at most εN"
                + (f" = {_int(bound)} {use.events}" if absolute else "")
                + ", and it never under-counts.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part("width w?", NumberAnswer(w, tolerance=0)),
                Part("depth d?", NumberAnswer(d, tolerance=0)),
                Part("counters?", NumberAnswer(w * d, tolerance=0)),
            ),
            solution=solution,
            data={
                "ask": "count-min",
                "epsilon": eps_text,
                "delta": delta_text,
                "stated_as_count": absolute,
                "total": total,
                "bound": bound,
                "width": w,
                "depth": d,
                "counters": w * d,
                "mistakes": {key: [sw, sd, sw * sd] for key, (sw, sd) in slips.items()},
            },
        )

    # -- HyperLogLog ----------------------------------------------------------------------------------

    def _hll(self, rng: np.random.Generator, seed: int, params: SketchesParams) -> Problem:
        use = DISTINCT_USES[int(rng.integers(len(DISTINCT_USES)))]
        if rng.random() < 0.5:
            return self._hll_registers(rng, seed, params, use)
        return self._hll_error(rng, seed, params, use)

    def _hll_registers(
        self, rng: np.random.Generator, seed: int, params: SketchesParams, use: DistinctUse
    ) -> Problem:
        trap = bool(rng.random() < TRAP_SHARE)
        for _ in range(MAX_DRAWS):
            target_bp = int(rng.integers(40, 501))  # the target error in basis points: 0.40% to 5.00%
            target = target_bp / 10_000
            needed = (1.04 / target) ** 2
            m = next_power_of_two(needed)
            without = next_power_of_two((1 / target) ** 2)
            if (without != m) == trap and math.ceil(needed) != m and abs(needed - round(needed)) > 1e-6:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        slips = {"not_power_of_two": math.ceil(needed), "power_below": m // 2, "no_1_04": without}
        slips = {
            key: value for key, value in slips.items() if value != m
        }  # a slip that lands on m is no slip
        prompt = (
            f"{use.setting}. Its relative standard error is ≈ 1.04/√m for m registers, and m must be a power "
            f"of two. What is the smallest m that gives a standard error of at most **{target_bp / 100:.2f}%**? "
            "Answer as a whole number."
        )
        error = 1.04 / math.sqrt(m)
        solution = "\n\n".join(
            [
                f"1.04/√m ≤ {fmt(target, 4)} ⟺ √m ≥ 1.04 / {fmt(target, 4)} = {fmt(1.04 / target, 2)} ⟺ "
                f"m ≥ {fmt(needed, 1)}.",
                f"The next power of two is 2^{int(math.log2(m))} = **{_int(m)}** (error 1.04/√{_int(m)} = "
                f"{_pct(error, 3)}); 2^{int(math.log2(m)) - 1} = {_int(m // 2)} gives "
                f"{_pct(1.04 / math.sqrt(m // 2), 3)}, over the target of {_pct(target, 3)}.",
                (
                    f"Dropping the 1.04 (error 1/√m) asks only m ≥ {fmt((1 / target) ** 2, 1)} and settles on "
                    f"{_int(without)}, which misses the target."
                    if without != m
                    else f"Dropping the 1.04 (error 1/√m) asks m ≥ {fmt((1 / target) ** 2, 1)}, which here lands "
                    "on the same power of two by luck."
                )
                + f" With 6-bit registers the sketch takes {fmt(m * 6 / 8 / 1024, 2)} KiB, whatever the number "
                f"of distinct {use.items}.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("registers m?", NumberAnswer(m, tolerance=0)),),
            solution=solution,
            data={
                "ask": "hll",
                "variant": "registers",
                "target": target,
                "registers": m,
                "mistakes": slips,
            },
        )

    def _hll_error(
        self, rng: np.random.Generator, seed: int, params: SketchesParams, use: DistinctUse
    ) -> Problem:
        b = int(rng.integers(6, 14))  # index bits: 64 to 8,192 registers, so 1/√m misses by ≥ 0.04%
        m = 2**b
        value = 104 / math.sqrt(m)
        slips = {"no_1_04": 100 / math.sqrt(m), "index_bits": 104 / math.sqrt(b), "no_sqrt": 104 / m}
        prompt = (
            f"{use.setting}: the first **b = {b} bits** of each hash pick one of **m = 2^{b} = {_int(m)} "
            "registers**. Using the standard error ≈ 1.04/√m, how accurate is a day's count? Answer as the "
            "relative standard error in %, to 2 decimals."
        )
        solution = "\n\n".join(
            [
                f"√m = √{_int(m)} = {fmt(math.sqrt(m), 2)}; 1.04 / {fmt(math.sqrt(m), 2)} = {fmt(value / 100, 6)} "
                f"= **{value:.2f}%**",
                f"Dropping the 1.04 gives {slips['no_1_04']:.2f}%; taking m as the {b} index bits gives "
                f"{slips['index_bits']:.2f}%. Each extra index bit doubles m and divides the error by √2; for "
                f"1,000,000 distinct {use.items} the estimate's standard deviation is about "
                f"{_int(round(10_000 * value))}.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("standard error (%)?", NumberAnswer(value, decimals=2, unit="%")),),
            solution=solution,
            data={
                "ask": "hll",
                "variant": "error",
                "index_bits": b,
                "registers": m,
                "error_pct": value,
                "mistakes": slips,
            },
        )
