"""The probability-puzzles deck: every numeric answer recomputed exactly (fractions, linear systems, closed forms)
from the numbers in its front and confirmed by a seeded simulation within a few standard errors; the keys of the
choice cards and the figures the open backs quote are checked the same way."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["puzzles"]
DICE = range(1, 7)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def close_to_simulation(exact: float, draws: np.ndarray, sigmas: float = 4.0) -> None:
    """A seeded simulation agrees with the exact value within a few standard errors of its mean."""
    standard_error = float(draws.std(ddof=1)) / math.sqrt(draws.size)
    assert abs(float(draws.mean()) - exact) <= sigmas * standard_error + 1e-12, (float(draws.mean()), exact)


def pattern_wait(pattern: str, p_heads: float) -> float:
    """Expected flips until `pattern` first appears, by first-step analysis on the longest matched prefix."""
    k = len(pattern)
    a, b = np.eye(k), np.ones(k)  # unknowns e_0 … e_(k−1); e_k = 0
    for state in range(k):
        for face, prob in (("H", p_heads), ("T", 1 - p_heads)):
            text = pattern[:state] + face
            nxt = next(j for j in range(min(k, len(text)), -1, -1) if text.endswith(pattern[:j]))
            if nxt < k:
                a[state, nxt] -= prob
    return float(np.linalg.solve(a, b)[0])


def simulated_pattern_waits(pattern: str, p_heads: float, runs: int, seed: int) -> np.ndarray:
    generator = rng(seed)
    waits = np.empty(runs)
    for run in range(runs):
        text = ""
        while not text.endswith(pattern):
            text += "H" if generator.random() < p_heads else "T"
        waits[run] = len(text)
    return waits


def hh_biased() -> float:
    exact = pattern_wait("HH", 0.6)
    assert exact == pytest.approx((1 + 0.6) / 0.6**2)
    close_to_simulation(exact, simulated_pattern_waits("HH", 0.6, 20_000, 1))
    return exact


def two_sixes() -> float:
    p = Fraction(1, 6)
    exact = (1 - p**2) / ((1 - p) * p**2)
    generator = rng(2)
    waits = np.empty(5_000)
    for run in range(waits.size):
        rolls, previous_six = 0, False
        while True:
            rolls += 1
            six = generator.integers(1, 7) == 6
            if six and previous_six:
                break
            previous_six = six
        waits[run] = rolls
    close_to_simulation(float(exact), waits)
    return float(exact)


def three_faces() -> float:
    exact = sum(Fraction(6, 6 - k) for k in range(3))
    generator = rng(3)
    rolls = generator.integers(1, 7, size=(40_000, 40))
    waits = np.array([next(i + 1 for i in range(40) if len(set(row[: i + 1])) == 3) for row in rolls])
    close_to_simulation(float(exact), waits)
    return float(exact)


def records() -> float:
    exact = sum(Fraction(1, k) for k in range(1, 11))
    values = rng(4).random((40_000, 10))
    counts = (values == np.maximum.accumulate(values, axis=1)).sum(axis=1)
    close_to_simulation(float(exact), counts)
    return float(exact)


def runs() -> float:
    exact = 1 + Fraction(9, 2)
    flips = rng(5).integers(0, 2, size=(40_000, 10))
    counts = 1 + (np.diff(flips, axis=1) != 0).sum(axis=1)
    close_to_simulation(float(exact), counts)
    return float(exact)


def derangement_four() -> float:
    perms = list(itertools.permutations(range(4)))
    exact = Fraction(sum(all(p[i] != i for i in range(4)) for p in perms), len(perms))
    assert exact == Fraction(9, 24)
    assert round(1 / math.e, 3) != round(float(exact), 3)  # the 1/e shortcut misses the third decimal
    return float(exact)


def no_shared_birthday(people: int) -> Fraction:
    return math.prod((Fraction(365 - i, 365) for i in range(people)), start=Fraction(1))


def birthday_thirty() -> float:
    exact = float(1 - no_shared_birthday(30))
    assert round(1 - math.exp(-math.comb(30, 2) / 365), 3) == 0.696  # the pair approximation quoted
    days = rng(6).integers(0, 365, size=(20_000, 30))
    shared = np.array([len(set(row)) < 30 for row in days], dtype=float)
    close_to_simulation(exact, shared)
    return exact


def boy_tuesday() -> float:
    kinds = [(sex, day) for sex in "BG" for day in range(7)]
    families = list(itertools.product(kinds, repeat=2))
    given = [f for f in families if ("B", 1) in f]
    both = [f for f in given if f[0][0] == f[1][0] == "B"]
    assert (len(given), len(both)) == (27, 13)
    return len(both) / len(given)


def ruin_biased() -> float:
    r = 0.51 / 0.49
    exact = (1 - r**50) / (1 - r**100)
    assert exact == pytest.approx(1 / (1 + r**50))
    # The same value from first-step analysis: P_i = 0.49·P_(i+1) + 0.51·P_(i−1), P_0 = 0, P_100 = 1.
    a, b = np.zeros((101, 101)), np.zeros(101)
    a[0, 0], a[100, 100], b[100] = 1, 1, 1
    for i in range(1, 100):
        a[i, i], a[i, i + 1], a[i, i - 1] = 1, -0.49, -0.51
    assert float(np.linalg.solve(a, b)[50]) == pytest.approx(exact)
    return exact


def walk_hit() -> float:
    generator = rng(7)
    hits = np.empty(20_000)
    for run in range(hits.size):
        position = 3
        while 0 < position < 10:
            position += 1 if generator.random() < 0.5 else -1
        hits[run] = position == 10
    close_to_simulation(0.3, hits)
    return 3 / 10


def range_of_five() -> float:
    exact = Fraction(5, 6) - Fraction(1, 6)
    values = rng(8).random((100_000, 5))
    close_to_simulation(float(exact), values.max(axis=1) - values.min(axis=1))
    return float(exact)


def stick_longer_piece() -> float:
    exact = 2 * math.log(2) - 1
    generator = rng(9)
    n = 200_000
    first = generator.random(n)
    longer = np.maximum(first, 1 - first)
    cut = generator.random(n) * longer
    pieces = np.stack([1 - longer, cut, longer - cut], axis=1)
    close_to_simulation(exact, (pieces.max(axis=1) < 0.5).astype(float))
    # The classic two independent cuts give 1/4, the trap the explanation names.
    xy = np.sort(generator.random((n, 2)), axis=1)
    classic = np.stack([xy[:, 0], xy[:, 1] - xy[:, 0], 1 - xy[:, 1]], axis=1)
    close_to_simulation(0.25, (classic.max(axis=1) < 0.5).astype(float))
    return exact


def max_two_dice() -> float:
    exact = Fraction(sum(max(a, b) for a in DICE for b in DICE), 36)
    assert exact == Fraction(161, 36)
    assert sum(1 - Fraction(k - 1, 6) ** 2 for k in DICE) == exact  # the tail-sum route of the open card
    return float(exact)


def dice_sum_ten() -> float:
    count = sum(a + b + c == 10 for a in DICE for b in DICE for c in DICE)
    multisets = list(itertools.combinations_with_replacement(DICE, 3))
    assert (count, len(multisets), sum(sum(m) == 10 for m in multisets)) == (27, 56, 6)
    return count / 216


def bus_two_gaps() -> float:
    gaps = np.array([5.0, 15.0])
    exact = float((gaps**2).mean() / (2 * gaps.mean()))
    generator = rng(10)
    timeline = generator.choice(gaps, size=200_000)
    ends = np.cumsum(timeline)
    arrivals = generator.random(100_000) * ends[-1]
    waits = ends[np.searchsorted(ends, arrivals)] - arrivals
    close_to_simulation(exact, waits)
    return exact


def thinning() -> float:
    exact = math.exp(-12 * 0.25 * 0.5)
    generator = rng(11)
    calls = generator.poisson(12 * 0.5, size=100_000)
    sales = generator.binomial(calls, 0.25)
    close_to_simulation(exact, (sales == 0).astype(float))
    return exact


def coin_posterior() -> float:
    prior = Fraction(1, 2)
    double = prior / (prior + prior * Fraction(1, 2) ** 3)
    assert double == Fraction(8, 9)
    exact = double + (1 - double) * Fraction(1, 2)
    assert exact == Fraction(17, 18)
    return float(exact)


def third_head_fifth() -> float:
    flips = list(itertools.product("HT", repeat=5))
    hits = sum(seq.count("H") == 3 and seq[4] == "H" for seq in flips)
    assert math.comb(5, 3) / 32 == 0.3125  # the binomial slip
    return hits / 32


def rand7_calls() -> float:
    exact = Fraction(2 * 25, 21)
    generator = rng(12)
    calls = np.empty(20_000)
    for run in range(calls.size):
        used = 0
        while True:
            used += 2
            if 5 * (generator.integers(1, 6) - 1) + generator.integers(1, 6) <= 21:
                break
        calls[run] = used
    close_to_simulation(float(exact), calls)
    assert float(2 * (1 + Fraction(4, 25))) == pytest.approx(2.32)
    return float(exact)


def von_neumann_flips() -> float:
    p = Fraction(3, 10)
    exact = 2 / (2 * p * (1 - p))
    assert exact == 1 / (p * (1 - p))
    generator = rng(13)
    flips = np.empty(20_000)
    for run in range(flips.size):
        used = 0
        while True:
            used += 2
            if (generator.random() < 0.3) != (generator.random() < 0.3):
                break
        flips[run] = used
    close_to_simulation(float(exact), flips)
    return float(exact)


def pi_points_millions() -> float:
    n = math.pi * (4 - math.pi) / 0.001**2
    # The slip of the explanation: the proportion's own error, without the factor 4.
    assert (math.pi / 4) * (1 - math.pi / 4) / 0.001**2 / 1e6 == pytest.approx(0.17, abs=0.01)
    points = rng(14).random((1_000_000, 2))
    inside = ((points**2).sum(axis=1) <= 1).astype(float) * 4
    assert float(inside.std()) / math.sqrt(1e6) == pytest.approx(
        math.sqrt(math.pi * (4 - math.pi) / 1e6), rel=0.01
    )
    return n / 1e6


RECOMPUTE = {
    "hh-biased-coin": hh_biased,
    "two-sixes-in-a-row": two_sixes,
    "three-distinct-faces": three_faces,
    "expected-records": records,
    "expected-runs": runs,
    "derangement-four": derangement_four,
    "birthday-thirty": birthday_thirty,
    "boy-tuesday": boy_tuesday,
    "gamblers-ruin-biased": ruin_biased,
    "symmetric-walk-hit": walk_hit,
    "expected-range-uniforms": range_of_five,
    "stick-break-longer-piece": stick_longer_piece,
    "max-two-dice": max_two_dice,
    "dice-sum-ten": dice_sum_ten,
    "bus-wait-two-gaps": bus_two_gaps,
    "poisson-thinning": thinning,
    "coin-posterior-next-head": coin_posterior,
    "third-head-on-fifth": third_head_fifth,
    "rand7-expected-calls": rand7_calls,
    "von-neumann-coin": von_neumann_flips,
    "monte-carlo-pi-points": pi_points_millions,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def choice_key(card_id: str) -> str:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard) and isinstance(card.answer, str)
    return card.answer


def test_hh_takes_six_and_ht_four_with_a_fair_coin() -> None:
    assert pattern_wait("HH", 0.5) == pytest.approx(6.0)
    assert pattern_wait("HT", 0.5) == pytest.approx(4.0)
    assert choice_key("hh-vs-ht-trap").startswith("HH takes 6 flips on average and HT takes 4")


def test_monty_hall_informed_and_random_hosts() -> None:
    """Exact enumeration: an informed host makes switching win 2/3; a host opening at random, given a goat, 1/2."""
    informed = Fraction(0)
    goat_shown = switch_wins = Fraction(0)
    for car in (1, 2, 3):
        informed += Fraction(1, 3) * (car != 1)
        for opened in (2, 3):
            weight = Fraction(1, 3) * Fraction(1, 2)
            if opened != car:
                goat_shown += weight
                switch_wins += weight * (car != 1)
    assert informed == Fraction(2, 3)
    assert switch_wins / goat_shown == Fraction(1, 2)
    assert choice_key("monty-random-host") == "1/2"


def test_bertrand_box() -> None:
    boxes = [("G", "G"), ("S", "S"), ("G", "S")]
    draws = [(box, i) for box in boxes for i in range(2)]  # each equally likely
    gold = [(box, i) for box, i in draws if box[i] == "G"]
    assert Fraction(sum(box[1 - i] == "G" for box, i in gold), len(gold)) == Fraction(2, 3)
    assert choice_key("bertrand-box") == "2/3"


def test_at_least_one_boy_and_at_least_one_six() -> None:
    families = list(itertools.product("BG", repeat=2))
    with_boy = [f for f in families if "B" in f]
    assert Fraction(with_boy.count(("B", "B")), len(with_boy)) == Fraction(1, 3)
    assert choice_key("at-least-one-boy") == "1/3"
    rolls = [(a, b) for a in DICE for b in DICE if 6 in (a, b)]
    assert Fraction(rolls.count((6, 6)), len(rolls)) == Fraction(1, 11)
    assert Fraction(sum(a + b == 7 for a, b in rolls), len(rolls)) == Fraction(2, 11)
    assert choice_key("both-six-given-one") == "1/11"


def secretary_success(n: int, rejected: int) -> float:
    return rejected / n * sum(1 / i for i in range(rejected, n))


def test_secretary_cutoff_for_a_hundred() -> None:
    best = max(range(1, 100), key=lambda r: secretary_success(100, r))
    assert best == 37 and round(secretary_success(100, best), 3) == 0.371
    assert round(secretary_success(100, 50), 2) == 0.35
    assert choice_key("secretary-hundred").startswith("About 0.37, rejecting the first 37")


def test_memoryless_bus_wait() -> None:
    gaps = rng(15).exponential(10.0, 400_000)
    remaining = gaps[gaps > 7] - 7
    close_to_simulation(10.0, remaining)
    assert choice_key("poisson-memoryless-bus").startswith("10 minutes")


def test_von_neumann_output_is_fair() -> None:
    p = Fraction(3, 10)
    assert p * (1 - p) == (1 - p) * p and p**2 + (1 - p) ** 2 != Fraction(1, 2)
    assert round(1 / (0.1 * 0.9)) == 11  # "about 11 at p = 0.1" in the open card
    assert choice_key("von-neumann-why-fair").startswith("HT and TH both have probability p(1 − p)")


def test_figures_quoted_in_open_backs() -> None:
    assert round(float(1 - no_shared_birthday(23)), 3) == 0.507
    assert round(float(1 - no_shared_birthday(22)), 3) < 0.5
    assert math.comb(23, 2) == 253 and round(math.exp(-253 / 365), 2) == 0.50
    assert round(6 * sum(1 / k for k in range(1, 7)), 1) == 14.7
    # St Petersburg: capped at 2^20 the expectation is 20 + 1; log utility is worth a sure 4.
    capped = sum(Fraction(1, 2**k) * min(2**k, 2**20) for k in range(1, 200))
    assert round(float(capped), 6) == 21.0
    log_utility = sum(math.log(2**k) / 2**k for k in range(1, 200))
    assert log_utility == pytest.approx(2 * math.log(2)) and math.exp(log_utility) == pytest.approx(4.0)
    # Derangements: from n = 6 on the no-fixed-point probability is 0.368 to 3 decimals.
    for n in range(6, 12):
        assert round(sum((-1) ** k / math.factorial(k) for k in range(n + 1)), 3) == 0.368
    # Gambler's ruin: a fair walk from 50 between 0 and 100 lasts 2,500 bets on average (first-step analysis:
    # D_i = 1 + (D_(i−1) + D_(i+1))/2 with D_0 = D_100 = 0).
    a, b = np.eye(101), np.zeros(101)
    for i in range(1, 100):
        a[i, i - 1] = a[i, i + 1] = -0.5
        b[i] = 1.0
    assert float(np.linalg.solve(a, b)[50]) == pytest.approx(2500.0)
