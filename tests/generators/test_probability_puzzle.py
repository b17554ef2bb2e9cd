"""probability-puzzle: every answer against an exact method written another way (for coupons inclusion-exclusion,
stage means by tail sums and a linear system; the pattern automaton's and the ruin walk's linear systems in numpy;
a log-sum for birthdays; all s^m rolls enumerated for dice) and against a seeded Monte-Carlo simulation; the slips
recomputed here from the instance's numbers and graded wrong; determinism, params, light import."""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from generators import Problem, get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

GEN = get("probability-puzzle")
ASKS = ("coupon", "pattern", "ruin", "birthday", "dice-max")
SEEDS = range(120)
pytestmark = pytest.mark.xdist_group("probability-puzzle")


def instances(ask: str) -> list[Problem]:
    return [generated(GEN, seed, {"ask": ask}) for seed in SEEDS]


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?(?:/\d+)?", text)


# ── independent exact references ───────────────────────────────────────────


def coupon_by_inclusion_exclusion(n: int) -> Fraction:
    """E[T] = Σ_t P(T > t), P(T > t) by inclusion-exclusion over which types are still missing after t draws:
    Σ_(k=1..n) (−1)^(k+1)·C(n, k)·Σ_t (1 − k/n)^t = Σ (−1)^(k+1)·C(n, k)·n/k."""
    return sum((Fraction((-1) ** (k + 1) * math.comb(n, k) * n, k) for k in range(1, n + 1)), Fraction(0))


def geometric_mean_by_tail_sum(success: float) -> float:
    """E[draws until the first success] = Σ_(t≥0) P(no success in t draws), summed numerically (not 1/p)."""
    return float(np.sum((1 - success) ** np.arange(5000)))


def coupon_by_linear_system(n: int, seen: int, goal: int) -> float:
    """Expected draws from 'seen distinct' to 'goal distinct' on the chain over the count of distinct types:
    t_j = 1 + (j/n)·t_j + ((n − j)/n)·t_(j+1), t_goal = 0, solved as one system."""
    size = goal - seen
    a, b = np.eye(size), np.ones(size)
    for row in range(size):
        j = seen + row
        a[row, row] -= j / n
        if row + 1 < size:
            a[row, row + 1] -= (n - j) / n
    return float(np.linalg.solve(a, b)[0])


def pattern_by_linear_system(pattern: str, p: float, start: int = 0) -> float:
    """Expected flips from the automaton on 'longest prefix of the pattern matched so far': (I − Q)·t = 1."""
    size = len(pattern)
    q = np.zeros((size, size))
    for state in range(size):
        for letter, prob in (("H", p), ("T", 1 - p)):
            seen = pattern[:state] + letter
            nxt = max(k for k in range(len(seen) + 1) if seen.endswith(pattern[:k]))
            if nxt < size:
                q[state, nxt] += prob
    return float(np.linalg.solve(np.eye(size) - q, np.ones(size))[start])


def ruin_by_linear_system(i: int, n: int, p: float) -> float:
    """x_0 = 0, x_N = 1, x_j = p·x_(j+1) + (1 − p)·x_(j−1) for 0 < j < N, solved as one system."""
    a, b = np.zeros((n + 1, n + 1)), np.zeros(n + 1)
    a[0, 0] = a[n, n] = 1.0
    b[n] = 1.0
    for j in range(1, n):
        a[j, j], a[j, j + 1], a[j, j - 1] = 1.0, -p, -(1 - p)
    return float(np.linalg.solve(a, b)[i])


def birthday_by_log_sum(d: int, k: int) -> float:
    return -math.expm1(sum(math.log1p(-j / d) for j in range(k)))


def dice_by_enumeration(m: int, s: int, extreme: str) -> Fraction:
    pick = max if extreme == "max" else min
    rolls = list(itertools.product(range(1, s + 1), repeat=m))
    return Fraction(sum(pick(roll) for roll in rolls), len(rolls))


# ── each answer against its reference, from the numbers as the prompt shows them ──


def test_coupon_matches_three_references() -> None:
    variants = []
    for problem in instances("coupon"):
        d = problem.data
        n, seen, goal = d["n"], d["seen"], d["goal"]
        variants.append(d["variant"])
        assert any(
            f"{n}{unit}" in problem.prompt
            for unit in ("-sided", " toy types", " shards", " balanced classes")
        )
        assert (f"**{seen}**" in problem.prompt) == (seen > 0)
        assert f" {goal} different " in problem.prompt if d["variant"] == "partial" else goal == n
        stages = sum(geometric_mean_by_tail_sum((n - j) / n) for j in range(seen, goal))
        assert problem.expected == pytest.approx(stages, abs=1e-9)
        assert problem.expected == pytest.approx(coupon_by_linear_system(n, seen, goal), abs=1e-9)
        if d["variant"] == "full":
            assert problem.expected == pytest.approx(float(coupon_by_inclusion_exclusion(n)), abs=1e-9)
    assert {v: variants.count(v) >= 20 for v in ("full", "head_start", "partial")} == dict.fromkeys(
        ("full", "head_start", "partial"), True
    )


def test_pattern_matches_the_automaton() -> None:
    fair = biased = overlapping = head_starts = bits = 0
    for problem in instances("pattern"):
        d = problem.data
        pattern, start = d["pattern"], d["start"]
        shown = pattern.translate(str.maketrans("HT", "10")) if "bit" in problem.prompt else pattern
        assert d["shown"] == shown and f"**{shown}**" in problem.prompt
        if start:
            assert f"came out **{shown[:start]}**" in problem.prompt
        p = Fraction(d["p_text"])
        if p == Fraction(1, 2):
            assert "a fair coin" in problem.prompt or "probability **1/2**" in problem.prompt
            fair += 1
        else:
            assert f"**{d['p_text']}**" in problem.prompt
            biased += 1
        # The automaton is in state `start` after reading the pattern's first `start` letters.
        assert problem.expected == pytest.approx(pattern_by_linear_system(pattern, float(p), start), abs=1e-9)
        overlapping += any(pattern[:k] == pattern[-k:] for k in range(1, len(pattern)))
        head_starts += start > 0
        bits += shown != pattern
    assert fair >= 10 and biased >= 40 and overlapping >= 40 and 20 <= head_starts <= 70 and bits >= 30


def test_fair_coin_classics() -> None:
    """HH 6 vs HT 4, HHH 14, HTH 10, HHT 8: the numbers every write-up of the puzzle quotes."""
    from generators.probability_puzzle import pattern_expectation

    half = Fraction(1, 2)
    assert [pattern_expectation(x, half) for x in ("HH", "HT", "HHH", "HTH", "HHT")] == [6, 4, 14, 10, 8]


def test_textbook_values() -> None:
    """A d6 takes 14.7 rolls to show every face; the max of two d6 is 161/36; a fair walk from 3 to 10 wins 3/10."""
    from generators.probability_puzzle import coupon_expectation, dice_expectation, ruin_probability

    assert coupon_expectation(6) == Fraction(147, 10)
    assert dice_expectation(2, 6, "max") == Fraction(161, 36)
    assert dice_expectation(2, 6, "min") == Fraction(91, 36)
    assert ruin_probability(3, 10, Fraction(1, 2)) == Fraction(3, 10)


def test_ruin_matches_the_linear_system() -> None:
    fair = 0
    for problem in instances("ruin"):
        d = problem.data
        i, n, p = d["i"], d["N"], d["p"]
        assert str(i) in numbers(problem.prompt) and str(n) in numbers(problem.prompt)
        assert f"**{p:g}**" in problem.prompt
        assert problem.expected == pytest.approx(ruin_by_linear_system(i, n, p), abs=1e-9)
        fair += p == 0.5
    assert 10 <= fair <= 50


def test_birthday_matches_the_log_sum() -> None:
    variants = set()
    for problem in instances("birthday"):
        d = problem.data
        variants.add(d["variant"])
        assert f"{d['d']:,}" in problem.prompt
        if d["variant"] == "probability":
            assert f"**{d['k']}**" in problem.prompt
            assert problem.expected == pytest.approx(birthday_by_log_sum(d["d"], d["k"]), abs=1e-9)
        else:
            k, target = d["k"], d["target"]
            assert problem.expected == k
            assert f"at least **{target:.0%}**" in problem.prompt
            assert birthday_by_log_sum(d["d"], k - 1) < target <= birthday_by_log_sum(d["d"], k)
    assert variants == {"probability", "smallest_k"}


def test_birthday_classic() -> None:
    from generators.probability_puzzle import no_match, smallest_k

    assert smallest_k(365) == 23
    assert float(1 - no_match(365, 23)) == pytest.approx(0.507297, abs=1e-6)


def test_dice_match_enumeration() -> None:
    extremes, shifted = set(), 0
    for problem in instances("dice-max"):
        d = problem.data
        s, base = d["s"], d["base"]
        extremes.add(d["extreme"])
        assert (
            f"fair {s}-sided dice" in problem.prompt
            or f"fair d{s} " in problem.prompt
            or f"from {base + 1} to {base + s}," in problem.prompt
        )
        assert (f"**+{base}**" in problem.prompt or f"from {base + 1} " in problem.prompt) == (base > 0)
        words = (
            ("maximum", "highest", "slowest") if d["extreme"] == "max" else ("minimum", "lowest", "fastest")
        )
        assert any(f"**{word}**" in problem.prompt for word in words)
        reference = base + dice_by_enumeration(d["m"], s, d["extreme"])
        assert problem.expected == pytest.approx(float(reference), abs=1e-9)
        shifted += base > 0
    assert extremes == {"max", "min"} and 40 <= shifted <= 110


# ── Monte Carlo: a few instances of each ask within 4 standard errors ───────


def simulate(problem: Problem, rng: np.random.Generator, trials: int) -> np.ndarray:
    """One outcome per trial (a count, or 0/1 for a probability) of the instance's experiment."""
    d = problem.data
    if d["ask"] == "coupon":
        n = d["n"]
        seen, draws, done = np.zeros((trials, n), bool), np.zeros(trials), np.zeros(trials, bool)
        seen[:, : d["seen"]] = True  # the types already in hand
        while not done.all():
            active = np.flatnonzero(~done)
            seen[active, rng.integers(n, size=active.size)] = True
            draws[active] += 1
            done[active] = seen[active].sum(axis=1) >= d["goal"]
        return draws
    if d["ask"] == "pattern":
        pattern = d["pattern"]
        target = int(pattern.replace("H", "1").replace("T", "0"), 2)
        mask = (1 << len(pattern)) - 1
        start = d["start"]
        prefix = int(pattern[:start].replace("H", "1").replace("T", "0") or "0", 2)
        window, flips, done = np.full(trials, prefix, np.int64), np.zeros(trials), np.zeros(trials, bool)
        while not done.all():
            active = np.flatnonzero(~done)
            heads = rng.random(active.size) < d["p_heads"]
            window[active] = ((window[active] << 1) | heads) & mask
            flips[active] += 1
            done[active] = (start + flips[active] >= len(pattern)) & (window[active] == target)
        return flips  # further flips, after the head start
    if d["ask"] == "ruin":
        position = np.full(trials, d["i"])
        while ((position > 0) & (position < d["N"])).any():
            active = np.flatnonzero((position > 0) & (position < d["N"]))
            position[active] += np.where(rng.random(active.size) < d["p"], 1, -1)
        return (position == d["N"]).astype(float)
    if d["ask"] == "birthday":
        k = d["k"]
        values = np.sort(rng.integers(d["d"], size=(trials, k)), axis=1)
        return (np.diff(values, axis=1) == 0).any(axis=1).astype(float)
    rolls = d["base"] + rng.integers(1, d["s"] + 1, size=(trials, d["m"]))
    return (rolls.max(axis=1) if d["extreme"] == "max" else rolls.min(axis=1)).astype(float)


@pytest.mark.parametrize("ask", ASKS)
def test_monte_carlo_agrees(ask: str) -> None:
    rng = np.random.default_rng(2026)
    for problem in instances(ask)[:3]:
        outcomes = simulate(problem, rng, 4000)
        if ask == "birthday" and problem.data["variant"] == "smallest_k":
            truth = birthday_by_log_sum(problem.data["d"], problem.data["k"])
        else:
            truth = problem.expected
        error = outcomes.std(ddof=1) / math.sqrt(outcomes.size)
        assert abs(outcomes.mean() - truth) <= 4 * error, (problem.seed, outcomes.mean(), truth, error)


# ── the slips, recomputed here, are graded wrong; the answer at its precision is right ──


def slips(problem: Problem) -> list[float]:
    d = problem.data
    if d["ask"] == "coupon":
        n, seen, goal = d["n"], d["seen"], d["goal"]
        if d["variant"] == "partial":
            return [goal, float(coupon_by_inclusion_exclusion(n)), float(coupon_by_inclusion_exclusion(goal))]
        if seen == 0:
            return [n, n * math.log(n), n * n / 2]
        return [
            n - seen,
            float(coupon_by_inclusion_exclusion(n)),
            float(coupon_by_inclusion_exclusion(n - seen)),
        ]
    if d["ask"] == "pattern":
        pattern, p, start = d["pattern"], d["p_heads"], d["start"]
        if start:
            full = pattern_by_linear_system(pattern, p)
            rest = math.prod(p if x == "H" else 1 - p for x in pattern[start:])
            return [x for x in (full - start, full, 1 / rest) if abs(x - problem.expected) > 1e-9]
        whole = math.prod(p if x == "H" else 1 - p for x in pattern)
        flipped = pattern[:-1] + ("T" if pattern[-1] == "H" else "H")
        found = [1 / whole, pattern_by_linear_system(flipped, p)]
        if p != 0.5:
            found.append(sum(2.0**k for k in range(1, len(pattern) + 1) if pattern[:k] == pattern[-k:]))
        return [x for x in found if abs(x - problem.expected) > 1e-9]
    if d["ask"] == "ruin":
        i, n, p = d["i"], d["N"], d["p"]
        found = [p ** (n - i), 1 - problem.expected]
        if p != 0.5:
            found += [i / n, ruin_by_linear_system(i, n, 1 - p)]
        return found
    if d["ask"] == "birthday":
        size = d["d"]
        if d["variant"] == "probability":
            k = d["k"]
            return [k / size, k * k / size, 1 - (1 - 1 / size) ** k]
        target = d["target"]
        ks = np.arange(1, 4 * size + 1)  # a match with one fixed item reaches 90% only near k = 2.3·d
        fixed = int(ks[np.argmax(1 - (1 - 1 / size) ** ks >= target)])
        by_squares = int(ks[np.argmax(ks * ks / size >= target)])
        return [math.ceil(target * size), by_squares, fixed, problem.expected + 1, problem.expected - 1]
    m, s, base = d["m"], d["s"], d["base"]
    continuous = s * m / (m + 1) if d["extreme"] == "max" else s / (m + 1)
    return [base + (s + 1) / 2, base + continuous, 2 * base + s + 1 - problem.expected]


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for problem in instances(ask)[:60]:
        answer = problem.parts[0].answer
        decimals = answer.decimals if answer.decimals is not None else 0
        right = [repr(problem.expected), answer.shown()]
        wrong = [f"{x:.{decimals}f}" for x in slips(problem)]
        assert wrong
        assert sorted(slips(problem)) == pytest.approx(sorted(_listed(problem)), abs=1e-9), problem.seed
        assert_grades(problem, right, wrong, problem.seed)


def _listed(problem: Problem) -> list[float]:
    """The mistakes the family records, plus the off-by-one answers this file adds for the smallest k."""
    listed = list(problem.data["mistakes"].values())
    if problem.data.get("variant") == "smallest_k":
        listed += [problem.expected + 1, problem.expected - 1]
    return listed


def test_precision_is_stated() -> None:
    for ask in ASKS:
        for problem in instances(ask)[:30]:
            answer = problem.parts[0].answer
            if answer.decimals is None:
                assert "Answer as a whole number." in problem.prompt and answer.tolerance == 0
            else:
                assert f"Answer to {answer.decimals} decimals" in problem.prompt


def test_solution_ends_with_the_answer() -> None:
    for seed in range(60):
        problem = generated(GEN, seed)
        assert problem.solution.endswith(f"**{problem.parts[0].answer.shown()}**"), seed


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "monty-hall"}, {"n": 6}, {"ask": 3}])
    assert GEN.Params.model_validate({"ask": "dice_max"}).ask == "dice-max"


def test_import_is_light() -> None:
    assert_import_is_light("generators.probability_puzzle")
