"""wer: every answer recounted by a memoised recursion over suffixes, which also enumerates the (S, D, I) split
of every minimum alignment; the shown alignment rebuilds both sides; the slips graded wrong; determinism.

jiwer is not installed in the project's environment, and difflib's matching blocks are not a minimum edit
distance, so the independent reference is the textbook recurrence written here from the other end (suffixes,
recursion) than the generator's table over prefixes.
"""

from __future__ import annotations

from functools import cache
from itertools import zip_longest

import pytest

from generators import get
from generators.wer import ALIGNMENT_WIDTH, MISTAKE_GAP, align
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

GEN = get("wer")
ASKS = ("wer", "counts", "cer")
pytestmark = pytest.mark.xdist_group("wer")


def minimum_alignments(ref: tuple[str, ...], hyp: tuple[str, ...]) -> tuple[int, set[tuple[int, int, int]]]:
    """(edit distance, every (S, D, I) split of a minimum alignment), by recursion on what is left of both."""

    @cache
    def rest(i: int, j: int) -> tuple[int, frozenset[tuple[int, int, int]]]:
        if i == len(ref):
            return len(hyp) - j, frozenset({(0, 0, len(hyp) - j)})
        if j == len(hyp):
            return len(ref) - i, frozenset({(0, len(ref) - i, 0)})
        options = []
        cost, splits = rest(i + 1, j + 1)
        if ref[i] == hyp[j]:
            options.append((cost, splits))
        else:
            options.append((cost + 1, frozenset((s + 1, d, k) for s, d, k in splits)))
        cost, splits = rest(i + 1, j)
        options.append((cost + 1, frozenset((s, d + 1, k) for s, d, k in splits)))
        cost, splits = rest(i, j + 1)
        options.append((cost + 1, frozenset((s, d, k + 1) for s, d, k in splits)))
        best = min(cost for cost, _ in options)
        return best, frozenset().union(*(splits for cost, splits in options if cost == best))

    distance, splits = rest(0, 0)
    return distance, set(splits)


def position_mismatches(ref: list[str], hyp: list[str]) -> int:
    return sum(a != b for a, b in zip_longest(ref, hyp))


def tokens(problem_data: dict, key: str) -> tuple[str, ...]:
    text = problem_data[key]
    return tuple(text) if problem_data["ask"] == "cer" else tuple(text.split())


def check_against_reference(ask: str, seed: int) -> tuple[dict, int]:
    problem = generated(GEN, seed, {"ask": ask})
    d = problem.data
    ref, hyp = tokens(d, "reference"), tokens(d, "hypothesis")
    distance, splits = minimum_alignments(ref, hyp)
    assert splits == {(d["substitutions"], d["deletions"], d["insertions"])}, (seed, splits)
    assert d["edits"] == distance
    # The alignment shown rebuilds both sides and costs exactly the distance.
    steps = d["steps"]
    assert tuple(r for _, r, _ in steps if r is not None) == ref
    assert tuple(h for _, _, h in steps if h is not None) == hyp
    assert sum(op != "=" for op, _, _ in steps) == distance
    for op, r, h in steps:
        assert (op == "=") == (r == h) and (op == "D") == (h is None) and (op == "I") == (r is None)
    return d, distance


def test_wer_matches_reference() -> None:
    above_100 = insertions_only = 0
    for seed in range(150):
        problem = generated(GEN, seed, {"ask": "wer"})
        d, distance = check_against_reference("wer", seed)
        n = len(d["reference"].split())
        assert problem.expected == pytest.approx(100 * distance / n, abs=1e-9)
        assert d["insertions"] >= 1 and len(d["hypothesis"].split()) != n
        if problem.expected > 100:
            above_100 += 1
            assert n <= 4 and d["substitutions"] == d["deletions"] == 0
        else:
            assert 6 <= n <= 14
        assert 1 <= distance <= 5
        insertions_only += d["substitutions"] == d["deletions"] == 0
    assert 8 <= above_100 <= 45  # occasionally, not always
    assert 25 <= insertions_only <= 90


def test_counts_match_reference_and_differ_from_position_count() -> None:
    for seed in range(150):
        problem = generated(GEN, seed, {"ask": "counts"})
        d, distance = check_against_reference("counts", seed)
        assert problem.expected == distance
        naive = position_mismatches(d["reference"].split(), d["hypothesis"].split())
        assert naive >= distance + 2, seed
        assert d["mistakes"]["unaligned"] == naive
        assert 6 <= len(d["reference"].split()) <= 14


def test_cer_matches_reference() -> None:
    for seed in range(100):
        problem = generated(GEN, seed, {"ask": "cer"})
        d, distance = check_against_reference("cer", seed)
        assert problem.expected == pytest.approx(100 * distance / len(d["reference"]), abs=1e-9)
        words, _ = minimum_alignments(tuple(d["reference"].split()), tuple(d["hypothesis"].split()))
        assert d["mistakes"]["word_level"] == pytest.approx(100 * words / len(d["reference"].split()))
        assert d["mistakes"]["hypothesis_length"] == pytest.approx(100 * distance / len(d["hypothesis"]))


def test_known_pairs() -> None:
    """The deck's worked example (wer-by-hand) and its definition card's 300%, and a pair where a substitution
    pair and a deletion plus an insertion tie (two (S, D, I) splits), which the family never draws."""
    deck = align(
        tuple(["remind", "me", "to", "call", "my", "mum", "at", "six", "tonight"]),
        tuple(["remind", "me", "call", "my", "mom", "at", "six", "to", "night"]),
    )
    assert (deck.count("S"), deck.count("D"), deck.count("I"), deck.edits) == (2, 1, 1, 4)
    assert round(100 * deck.edits / 9, 1) == 44.4
    short = align(("yes",), tuple(["yes", "yes", "i", "guess"]))
    assert short.edits == 3 and 100 * short.edits / 1 == 300
    tie = align(("a", "b"), ("b", "c"))
    assert tie.edits == 2 and not tie.one_split
    assert minimum_alignments(("a", "b"), ("b", "c"))[1] == {(2, 0, 0), (0, 1, 1)}


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = generated(GEN, seed, {"ask": ask})
        value = problem.expected
        right = [repr(value), f"{value:.1f}"] + ([f"{value:.1f}%"] if ask != "counts" else [str(int(value))])
        mistakes = problem.data["mistakes"]
        wrong = [f"{v:.1f}" if ask != "counts" else str(int(v)) for v in mistakes.values()]
        assert wrong
        assert_grades(problem, right, wrong, seed)
        # Every slip kept is a clear margin away, not a rounding neighbour.
        gap = 1 if ask == "counts" else MISTAKE_GAP
        assert all(abs(v - value) >= gap for v in mistakes.values()), (seed, mistakes)


def test_wer_slips_are_the_named_mistakes() -> None:
    for seed in range(60):
        problem = generated(GEN, seed, {"ask": "wer"})
        d = problem.data
        n, m = len(d["reference"].split()), len(d["hypothesis"].split())
        slips = d["mistakes"]
        assert slips["hypothesis_length"] == pytest.approx(100 * d["edits"] / m)
        assert slips["substitutions_only"] == pytest.approx(100 * d["substitutions"] / n)
        assert slips["no_insertions"] == pytest.approx(100 * (d["substitutions"] + d["deletions"]) / n)
        assert ("capped" in slips) == (problem.expected > 100)


def test_solution_shows_alignment_and_answer() -> None:
    for seed in range(60):
        problem = generated(GEN, seed)
        d = problem.data
        shown = f"**{int(problem.expected)}**" if d["ask"] == "counts" else f"**{problem.expected:.1f}%**"
        assert shown in problem.solution, seed
        assert "```\nREF  " in problem.solution and "\nHYP  " in problem.solution
        lines = problem.solution.split("```")[1].strip("\n").splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("REF  ")]  # one block per screenful
        marks = "".join(lines[i + 2] if i + 2 < len(lines) else "" for i in starts)
        assert sorted(marks.replace(" ", "")) == sorted(op for op, _, _ in d["steps"] if op != "=")
        assert all(len(line) <= ALIGNMENT_WIDTH for line in lines)
        if d["ask"] != "cer":  # the reference rows, read block by block, are the whole reference
            shown_ref = [word for i in starts for word in lines[i].split()[1:]]
            assert shown_ref == ["*" if r is None else r for _, r, _ in d["steps"]]


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "mer"}, {"ask": "wer", "n": 3}])
    assert GEN.Params.model_validate({"ask": "counts"}).ask == "counts"


def test_import_is_light() -> None:
    assert_import_is_light("generators.wer")
