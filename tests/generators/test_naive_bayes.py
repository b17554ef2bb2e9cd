"""naive-bayes: posteriors and picks vs sklearn's MultinomialNB on rows that realise the counts; slips; grading."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, get
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("naive-bayes")
ROOT = Path(__file__).resolve().parents[2]


def fitted(data: dict, alpha: float):
    """MultinomialNB fitted on one row per training message: all of a class's word counts in its first row."""
    from sklearn.naive_bayes import MultinomialNB

    rows, labels = [], []
    for c, (counts, n) in enumerate(zip(data["counts"], data["messages"], strict=True)):
        rows.append(counts)
        rows.extend([[0] * len(counts)] * (n - 1))
        labels.extend([c] * n)
    return MultinomialNB(alpha=alpha, force_alpha=True).fit(np.array(rows), np.array(labels))


def sklearn_posterior(data: dict, alpha: float) -> np.ndarray:
    return fitted(data, alpha).predict_proba(np.array([data["message_counts"]]))[0]


def label(problem, part: int = 0) -> str:
    """The class name (the option's label) of a part's key."""
    answer = problem.parts[part].answer
    return next(o.label for o in answer.options if o.name == answer.correct)


def textbook_posterior(data: dict, alpha: float) -> list[float]:
    """P(c) · Π P(w | c)^k with plain floats, normalised."""
    v = len(data["words"])
    total = sum(data["messages"])
    scores = []
    for counts, n in zip(data["counts"], data["messages"], strict=True):
        score = n / total
        for count, k in zip(counts, data["message_counts"], strict=True):
            score *= ((count + alpha) / (sum(counts) + alpha * v)) ** k
        scores.append(score)
    return [s / sum(scores) for s in scores]


def test_posterior_matches_multinomial_nb() -> None:
    alphas = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "posterior"})
        d = problem.data
        target = d["classes"].index(d["target"])
        alphas.add(d["alpha"])
        assert problem.expected == pytest.approx(textbook_posterior(d, d["alpha"])[target], abs=1e-12)
        if seed < 80:
            assert problem.expected == pytest.approx(sklearn_posterior(d, d["alpha"])[target], abs=1e-9)
        assert 0.05 <= problem.expected <= 0.95
    assert alphas == {0.5, 1.0}


def test_alpha_param() -> None:
    for seed in range(20):
        problem = GEN.generate(seed, {"ask": "posterior", "alpha": 0.25})
        assert problem.data["alpha"] == 0.25 and "α = 0.25" in problem.prompt
        target = problem.data["classes"].index(problem.data["target"])
        assert problem.expected == pytest.approx(textbook_posterior(problem.data, 0.25)[target], abs=1e-12)


def test_class_matches_predict_and_prior_often_decides() -> None:
    traps = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "class"})
        d = problem.data
        post = textbook_posterior(d, d["alpha"])
        assert label(problem) == d["value"] == d["classes"][int(np.argmax(post))]
        if seed < 80:
            model = fitted(d, d["alpha"])
            assert d["classes"][int(model.predict(np.array([d["message_counts"]]))[0])] == label(problem)
        traps += d["likelihood_pick"] != d["value"]
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
    assert 60 <= traps <= 140  # the prior tips the decision in about half the instances


def test_zero_count_matches_unsmoothed_and_smoothed_models() -> None:
    flips = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "zero-count"})
        d = problem.data
        zeroed = d["classes"].index(d["zeroed"])
        raw = textbook_posterior(d, 0.0)
        assert raw[zeroed] == 0.0
        assert sum(p == 0 for p in raw) == 1
        smooth = textbook_posterior(d, 1.0)
        assert label(problem) == d["value"][0] == d["classes"][int(np.argmax(raw))]
        asked = d["classes"].index(d["asked"])
        assert problem.expected[1] == d["value"][1] == pytest.approx(smooth[asked], abs=1e-12)
        assert 0.05 <= problem.expected[1] <= 0.95
        if seed < 60:
            # sklearn cannot take α = 0 itself (0 × log 0 is nan); α → 0 shows the same veto.
            assert np.allclose(sklearn_posterior(d, 1e-12), raw, atol=1e-6)
            assert np.allclose(sklearn_posterior(d, 1.0), smooth, atol=1e-9)
        flips += int(np.argmax(smooth)) == zeroed
    assert 60 <= flips <= 140


def test_grading_posterior() -> None:
    for seed in range(50):
        problem = GEN.generate(seed, {"ask": "posterior"})
        value = problem.expected
        slips = [repr(s) for s in problem.data["slips"].values() if s is not None and not math.isnan(s)]
        assert_grades(problem, [repr(value), f"{value:.3f}", f"{value * 100:.1f}%"], [*slips, "0", "1"], seed)


def test_grading_choices() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "class"})
        others = [c for c in problem.data["classes"] if c != label(problem)]
        assert_grades(problem, [label(problem), problem.expected], others, seed)
        problem = GEN.generate(seed, {"ask": "zero-count"})
        answer = problem.parts[0].answer
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
        a, b = label(problem), problem.expected[1]
        wrong_a = next(c for c in problem.data["classes"] if c != a)
        no_prior = problem.data["slips"]["no_prior"]
        right = [f"{a}; {b!r}", f"{a}; {b:.3f}", f"{problem.expected[0]}; {b:.3f}"]
        wrong = [f"{a}; 0", f"{a}; {no_prior!r}", f"{wrong_a}; {b:.3f}", f"{a}; {b + 0.002:.4f}"]
        assert_grades(problem, right, wrong, seed)


def test_class_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "class"}, range(300))


def test_zero_count_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "zero-count"}, range(300), part=0)


def test_solution_shows_the_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        expected = problem.data["value"]
        if isinstance(expected, list):
            assert f"→ **{expected[0]}**" in problem.solution
            assert f"**{expected[1]:.4f}".rstrip("0").rstrip(".") in problem.solution
        elif isinstance(expected, str):
            assert f"predicts **{expected}**" in problem.solution
        else:
            assert f"**{expected:.4f}".rstrip("0").rstrip(".") in problem.solution


def test_deterministic_and_mixed() -> None:
    for seed in (0, 1, 250, 2**39):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {"posterior", "class", "zero-count"}
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"alpha": 0}, {"alpha": -1}, {"alpha": 3}, {"ask": "gaussian"}, {"classes": 2}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)
    assert GEN.Params.model_validate({"ask": "zero_count"}).ask == "zero-count"


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.naive_bayes, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_smoothing_is_called_laplace_only_at_alpha_one() -> None:
    """Regression: α = 0.5 was called 'add-α (Laplace)'; Laplace is α = 1, other α is Lidstone smoothing."""
    half = GEN.generate(3, {"ask": "posterior", "alpha": 0.5}).prompt
    one = GEN.generate(3, {"ask": "posterior", "alpha": 1}).prompt
    assert "Lidstone" in half and "Laplace" not in half
    assert "Laplace" in one and "Lidstone" not in one
