"""sketches: Bloom filters simulated with a seeded hash family and optimised numerically with scipy, the best
whole k by brute force, Count-Min ceilings and HyperLogLog powers of two in exact decimal or integer
arithmetic; every slip graded wrong; determinism, params, light import."""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext

import numpy as np
import pytest

from generators import Problem, get
from generators.base import significant_text
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

pytestmark = pytest.mark.xdist_group("sketches")

GEN = get("sketches")
ASKS = ("bloom-fpr", "bloom-k", "bloom-bits", "count-min", "hll")
SEEDS = range(150)


def instances(ask: str, seeds: range = SEEDS) -> list[Problem]:
    return [generated(GEN, seed, {"ask": ask}) for seed in seeds]


# -- Bloom filters: a reference filter built from a seeded hash family ---------------------------------


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele, Lea & Flood 2014) on uint64 arrays: a well-mixed 64-bit hash."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def simulated_fpr(log2_m: int, n: int, k: int, filters: int, probes: int, seed: int) -> tuple[float, float]:
    """Mean false-positive rate over ``filters`` independent Bloom filters of 2^log2_m bits holding n random
    keys, k hash functions h_i(x) = top bits of splitmix64(x xor salt_i), each probed with fresh keys; and the
    standard error of that mean (from the spread across filters)."""
    rng = np.random.default_rng(seed)
    shift = np.uint64(64 - log2_m)
    rates = []
    for _ in range(filters):
        salts = rng.integers(0, 2**64, size=k, dtype=np.uint64)
        keys = rng.integers(0, 2**64, size=n + probes, dtype=np.uint64)
        positions = (splitmix64(keys[:, None] ^ salts[None, :]) >> shift).astype(np.int64)
        bits = np.zeros(2**log2_m, dtype=bool)
        bits[positions[:n].ravel()] = True
        rates.append(float(bits[positions[n:]].all(axis=1).mean()))
    return float(np.mean(rates)), float(np.std(rates, ddof=1) / math.sqrt(filters))


def exact_expected_fpr(m: int, n: int, k: int) -> float:
    """(1 − (1 − 1/m)^(kn))^k: the bit-independence model with the finite-m fill, not the e^(−kn/m) limit."""
    return (-math.expm1(k * n * math.log1p(-1 / m))) ** k


def test_bloom_fpr_matches_the_finite_m_model() -> None:
    for problem in instances("bloom-fpr"):
        d = problem.data
        # Finite m (≥ 400,000 bits) moves the rate by under 10⁻⁴ percentage points: 1% of the graded step.
        assert problem.expected == pytest.approx(100 * exact_expected_fpr(d["m"], d["n"], d["k"]), abs=1e-4)
        assert 0.3 <= problem.expected <= 30


def test_bloom_fpr_matches_a_simulated_filter() -> None:
    """The instance's k and bits per item at 2^16 bits: the simulated rate lies within 4 standard errors (and
    8% of its value, for the small-filter bias) of the formula the family uses."""
    checked = 0
    for problem in instances("bloom-fpr", range(6)):
        d = problem.data
        m_sim = 2**16
        n_sim = round(m_sim * d["n"] / d["m"])
        formula = (1 - math.exp(-d["k"] * n_sim / m_sim)) ** d["k"]
        mean, se = simulated_fpr(16, n_sim, d["k"], filters=8, probes=20_000, seed=problem.seed)
        assert abs(mean - formula) <= 4 * se + 0.02 * formula, (problem.seed, mean, formula, se)
        # The slips are far outside what the simulation measures.
        for slip in d["mistakes"].values():
            assert abs(slip / 100 - mean) > 8 * se, (problem.seed, slip)
        checked += 1
    assert checked == 6


def test_bloom_k_matches_scipy_and_brute_force() -> None:
    from scipy.optimize import minimize_scalar

    for problem in instances("bloom-k"):
        d = problem.data
        m, n = d["m"], d["n"]
        k_star, best = problem.expected
        if problem.seed < 60:
            found = minimize_scalar(
                lambda k, load=n / m: k * math.log1p(-math.exp(-k * load)),
                bounds=(0.5, 40),
                method="bounded",
                options={"xatol": 1e-9},
            )
            assert k_star == pytest.approx(found.x, abs=1e-5), problem.seed
        brute = min(range(1, 60), key=lambda k: (1 - math.exp(-k * n / m)) ** k)
        assert best == brute, problem.seed


def test_bloom_bits_matches_a_numerical_solve() -> None:
    """Bits per item solved with brentq: the r for which the lowest rate over real k (found by minimize_scalar)
    is the target p. No closed form involved."""
    from scipy.optimize import brentq, minimize_scalar

    def lowest_log_rate(r: float) -> float:
        found = minimize_scalar(
            lambda k: k * math.log1p(-math.exp(-k / r)),
            bounds=(0.1, 80),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return float(found.fun)

    for problem in instances("bloom-bits", range(40)):
        d = problem.data
        r = brentq(lambda r, log_p: lowest_log_rate(r) - log_p, 1, 60, args=(math.log(d["p"]),), xtol=1e-10)
        bits, megabytes = problem.expected
        assert bits == pytest.approx(r, abs=1e-5), problem.seed
        assert megabytes == pytest.approx(d["n"] * r / 8 / 10**6, rel=1e-6), problem.seed


# -- Count-Min and HyperLogLog: exact arithmetic --------------------------------------------------------


def test_count_min_ceilings_in_exact_decimals() -> None:
    stated_as_count = set()
    with localcontext() as ctx:
        ctx.prec = 60
        e = Decimal(1).exp()
        for problem in instances("count-min"):
            d = problem.data
            eps, delta = Decimal(d["epsilon"]), Decimal(d["delta"])
            w, depth, counters = problem.expected
            assert (w - 1) * eps < e <= w * eps, problem.seed  # w is the smallest with w·ε ≥ e
            assert e ** (depth - 1) < 1 / delta <= e**depth, problem.seed  # d the smallest with e^d ≥ 1/δ
            assert counters == w * depth
            if d["stated_as_count"]:
                assert Decimal(d["bound"]) / Decimal(d["total"]) == eps
                assert f"{d['bound']:,}" in problem.prompt and f"{d['total']:,}" in problem.prompt
            else:
                assert f"ε = {d['epsilon']}" in problem.prompt
            stated_as_count.add(d["stated_as_count"])
    assert stated_as_count == {True, False}


def test_hll_registers_and_error_in_integers() -> None:
    variants, traps = set(), 0
    for problem in instances("hll"):
        d = problem.data
        variants.add(d["variant"])
        m = d["registers"]
        assert m & (m - 1) == 0, problem.seed  # a power of two
        if d["variant"] == "registers":
            basis_points = round(d["target"] * 10_000)
            # 1.04/√m ≤ bp/10⁴ ⟺ 1.0816·10⁸ ≤ m·bp²; the power of two below must fail it.
            assert m * basis_points**2 >= 108_160_000, problem.seed
            assert (m // 2) * basis_points**2 < 108_160_000, problem.seed
            assert problem.expected == m
            assert {"not_power_of_two", "power_below"} <= set(d["mistakes"]), problem.seed
            assert f"{basis_points / 100:.2f}%" in problem.prompt
            # Dropping the 1.04: the smallest power of two with 10⁸ ≤ m·bp².
            without = next(2**j for j in range(40) if 2**j * basis_points**2 >= 100_000_000)
            traps += without != m
        else:
            with localcontext() as ctx:
                ctx.prec = 40
                exact = Decimal(104) / Decimal(m).sqrt()
            assert problem.expected == pytest.approx(float(exact), abs=1e-9)
            assert m == 2 ** d["index_bits"]
    assert variants == {"registers", "error"}
    registers = sum(p.data["variant"] == "registers" for p in instances("hll"))
    assert 0.3 * registers <= traps <= 0.7 * registers  # about half the targets punish dropping the 1.04


# -- grading ----------------------------------------------------------------------------------------------


def right_and_wrong(problem: Problem) -> tuple[list[str], list[str]]:
    d, expected = problem.data, problem.expected
    ask = d["ask"]
    if ask == "bloom-fpr":
        right = [f"{expected:.2f}", f"{expected:.2f}%", repr(expected)]
        wrong = [f"{v:.2f}" for v in d["mistakes"].values()]
    elif ask == "bloom-k":
        k_star, best = expected
        right = [f"{k_star:.2f}; {best}", f"{k_star:.3f}; {best}"]
        wrong = [f"{v:.2f}; {best}" for v in d["mistakes"].values()]
        wrong += [f"{k_star:.2f}; {v}" for v in d["whole_mistakes"].values()]
    elif ask == "bloom-bits":
        bits, megabytes = expected
        right = [f"{bits:.1f}; {float(f'{megabytes:.3g}'):,g}", f"{bits:.2f}; {megabytes:.4f}"]
        # A slip in the bits carries into the size, as it would for a learner.
        wrong = [f"{v:.1f}; {significant_text(d['n'] * v / 8 / 1e6, 3)}" for v in d["mistakes"].values()]
        wrong += [f"{bits:.1f}; {significant_text(v, 3)}" for v in d["size_mistakes"].values()]
    elif ask == "count-min":
        w, depth, counters = expected
        right = [f"{w}; {depth}; {counters}", f"{w:,}; {depth}; {counters:,}"]
        wrong = ["; ".join(str(x) for x in slip) for slip in d["mistakes"].values()]
    elif d["variant"] == "registers":
        right = [str(expected), f"{expected:,}"]
        wrong = [str(v) for v in d["mistakes"].values()]
    else:
        right = [f"{expected:.2f}", f"{expected:.2f}%"]
        wrong = [f"{v:.2f}" for v in d["mistakes"].values()]
    return right, wrong


@pytest.mark.parametrize("ask", ASKS)
def test_grading_right_forms_and_every_slip(ask: str) -> None:
    for problem in instances(ask, range(100)):
        right, wrong = right_and_wrong(problem)
        assert len(wrong) >= 2, (problem.seed, wrong)
        assert_grades(problem, right, wrong, problem.seed)


def test_count_min_slips_always_include_the_two_named() -> None:
    for problem in instances("count-min"):
        assert {"one_over_eps", "log2_depth"} <= set(problem.data["mistakes"]), problem.seed


def test_solution_shows_each_answer_in_bold() -> None:
    for seed in range(100):
        problem = generated(GEN, seed)
        d, expected = problem.data, problem.expected
        ask = d["ask"]
        if ask == "bloom-fpr" or (ask == "hll" and d["variant"] == "error"):
            shown = [f"**{expected:.2f}%**"]
        elif ask == "bloom-k":
            shown = [f"**{expected[0]:.2f}**", f"**k = {expected[1]}**"]
        elif ask == "bloom-bits":
            shown = [f"**{expected[0]:.1f}**"]
            # The size in bold, at 3 significant figures (1,020 for 1017.8, not 1018).
            (size,) = re.findall(r"\*\*([\d,.]+) MB\*\*", problem.solution)
            assert float(size.replace(",", "")) == float(f"{expected[1]:.3g}"), (seed, size)
        elif ask == "count-min":
            shown = [f"**{value:,}**" for value in expected]
        else:
            shown = [f"**{expected:,}**"]
        for text in shown:
            assert text in problem.solution, (seed, text)


def test_prompts_state_the_convention_and_precision() -> None:
    for seed in range(100):
        problem = generated(GEN, seed)
        ask = problem.data["ask"]
        if ask.startswith("bloom"):
            assert "p ≈ (1 − e^(−kn/m))^k" in problem.prompt
        elif ask == "count-min":
            assert "w = ⌈e/ε⌉" in problem.prompt and "d = ⌈ln(1/δ)⌉" in problem.prompt
        else:
            assert "1.04/√m" in problem.prompt
        assert "*" not in problem.prompt.replace("**", "")  # no stray markup


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "minhash"}, {"m": 1024}, {"ask": "bloom"}])
    assert GEN.Params.model_validate({"ask": "bloom_fpr"}).ask == "bloom-fpr"
    assert GEN.Params.model_validate({"ask": "count_min"}).ask == "count-min"


def test_import_is_light() -> None:
    assert_import_is_light("generators.sketches")
