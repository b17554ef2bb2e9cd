"""bleu: clipped precision, brevity penalty and BLEU-2 vs a separate from-scratch implementation; slips; grading.

nltk is not installed in the project's environment, so the independent check is the textbook algorithm
(Papineni et al., 2002) written here without the generator's helpers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generators import get
from tests.generators.grading_checks import assert_grades

GEN = get("bleu")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ["precision-1", "precision-2", "brevity-penalty", "bleu-2"]


def windows(words: list[str], n: int) -> list[str]:
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def modified_precision(candidate: list[str], references: list[list[str]], n: int) -> float:
    grams = windows(candidate, n)
    matched = 0
    for gram in set(grams):
        most_in_one_reference = max(windows(ref, n).count(gram) for ref in references)
        matched += min(grams.count(gram), most_in_one_reference)
    return matched / len(grams)


def textbook_bleu_2(candidate: list[str], references: list[list[str]]) -> tuple[float, float, float, float]:
    p1 = modified_precision(candidate, references, 1)
    p2 = modified_precision(candidate, references, 2)
    c = len(candidate)
    lengths = sorted(len(ref) for ref in references)
    r = min(lengths, key=lambda length: abs(length - c))  # sorted, so a tie goes to the shorter
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return p1, p2, bp, bp * math.exp(0.5 * math.log(p1) + 0.5 * math.log(p2))


@pytest.mark.parametrize("ask", ASKS)
@pytest.mark.parametrize("references", [1, 2])
def test_values_match_textbook(ask: str, references: int) -> None:
    for seed in range(120):
        problem = GEN.generate(seed, {"ask": ask, "references": references})
        d = problem.data
        refs = [r.split() for r in d["references"]]
        assert len(refs) == references
        p1, p2, bp, bleu = textbook_bleu_2(d["candidate"].split(), refs)
        expected = {"precision-1": p1, "precision-2": p2, "brevity-penalty": bp, "bleu-2": bleu}[ask]
        assert problem.expected == pytest.approx(expected, abs=1e-12)
        assert 0 < problem.expected < 1
        if ask in ("precision-1", "precision-2"):
            # Clipping must matter in every precision instance: that is the point of the question.
            n = int(ask[-1])
            grams = windows(d["candidate"].split(), n)
            unclipped = sum(any(g in windows(r, n) for r in refs) for g in grams) / len(grams)
            assert d["slips"]["unclipped"] == pytest.approx(unclipped, abs=1e-12)
            assert abs(unclipped - problem.expected) >= 0.005


def test_two_reference_brevity_slip_uses_the_other_length() -> None:
    seen = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "brevity-penalty", "references": 2})
        d = problem.data
        c = len(d["candidate"].split())
        lengths = [len(r.split()) for r in d["references"]]
        if "other_reference" in d["slips"] and len(set(lengths)) == 2:
            seen += 1
            far = max(lengths, key=lambda length: abs(length - c))
            assert d["slips"]["other_reference"] == pytest.approx(min(1.0, math.exp(1 - far / c)), abs=1e-12)
    assert seen >= 100


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": ask})
        value = problem.expected
        wrong = [repr(v) for v in problem.data["slips"].values()] + [f"{value + 0.002:.4f}", "1", "0"]
        assert_grades(problem, [repr(value), f"{value:.3f}"], wrong, seed)


def test_fraction_answers_are_accepted() -> None:
    from fractions import Fraction

    for seed in range(30):
        problem = GEN.generate(seed, {"ask": "precision-1"})
        fraction = Fraction(problem.expected).limit_denominator(20)
        assert_grades(problem, [f"{fraction.numerator}/{fraction.denominator}"], [], seed)


def test_solution_and_definitions() -> None:
    for seed in range(80):
        problem = GEN.generate(seed)
        assert "exp(1 − r/c)" in problem.prompt and "maximum over the references" in problem.prompt
        assert f"**{problem.expected:.4f}".rstrip("0").rstrip(".") in problem.solution


def test_deterministic_and_mixed() -> None:
    for seed in (0, 2, 77, 2**38):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == set(ASKS)
    assert {len(GEN.generate(seed).data["references"]) for seed in range(60)} == {1, 2}
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"references": 3}, {"references": 0}, {"ask": "rouge"}, {"n": 4}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "bleu_2"}).ask == "bleu-2"


def test_import_is_light() -> None:
    code = "import generators.bleu, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
