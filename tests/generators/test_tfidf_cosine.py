"""tfidf-cosine: weights, cosines and query matches vs sklearn's TfidfVectorizer; slips; grading; shortcuts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import ChoiceAnswer, get
from tests.generators.grading_checks import assert_grades
from tests.generators.shortcuts import assert_no_shortcut

GEN = get("tfidf-cosine")
ROOT = Path(__file__).resolve().parents[2]


def vectorise(documents: list[str], **options: object):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(**options)
    matrix = vectorizer.fit_transform(documents).toarray()
    return vectorizer, matrix, list(vectorizer.get_feature_names_out())


@pytest.mark.parametrize("ask", ["weight", "raw-weight"])
def test_weight_matches_tfidf_vectorizer(ask: str) -> None:
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        norm = "l2" if ask == "weight" else None
        vectorizer, matrix, terms = vectorise(d["documents"], norm=norm)
        assert terms == d["terms"]
        assert np.allclose(vectorizer.idf_, d["idf"], atol=1e-12)
        assert problem.expected == pytest.approx(matrix[d["doc"], terms.index(d["term"])], abs=1e-12)
        if seed >= 60:  # the slip cross-check needs a second fit; fewer seeds keep the file fast
            continue
        # The unsmoothed slip is scikit-learn's smooth_idf=False.
        _, unsmoothed, _ = vectorise(d["documents"], norm=norm, smooth_idf=False)
        assert d["slips"]["unsmoothed"] == pytest.approx(
            unsmoothed[d["doc"], terms.index(d["term"])], abs=1e-12
        )


def test_cosine_matches_tfidf_vectorizer_and_sklearn_cosine() -> None:
    from sklearn.metrics.pairwise import cosine_similarity

    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "cosine"})
        d = problem.data
        i, j = d["pair"]
        _, matrix, _ = vectorise(d["documents"])
        assert problem.expected == pytest.approx(matrix[i] @ matrix[j], abs=1e-12)  # the rows are unit length
        if seed < 40:  # sklearn's input checks are slow-ish; 40 seeds suffice for these two
            assert problem.expected == pytest.approx(
                cosine_similarity(matrix[[i]], matrix[[j]])[0, 0], abs=1e-12
            )
            _, counts, _ = vectorise(d["documents"], use_idf=False, norm=None)
            assert d["counts_cosine"] == pytest.approx(
                cosine_similarity(counts[[i]], counts[[j]])[0, 0], abs=1e-12
            )
        assert 0.05 <= problem.expected <= 0.95


def test_most_similar_matches_tfidf_vectorizer() -> None:
    traps = 0
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "most-similar"})
        d = problem.data
        vectorizer, matrix, _ = vectorise(d["documents"])
        sims = matrix @ vectorizer.transform([" ".join(d["query"])]).toarray()[0]  # unit rows: dot = cosine
        assert np.allclose(sims, d["similarities"], atol=1e-12)
        assert problem.expected == f"D{int(np.argmax(sims)) + 1}"
        traps += d["count_best"] != d["best"]
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        assert set(answer.feedback) == {o.name for o in answer.options} - {answer.correct}
    assert 70 <= traps <= 130  # raw counts pick another document in about half the instances


@pytest.mark.parametrize("ask", ["weight", "raw-weight"])
def test_grading_weight(ask: str) -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": ask})
        value = problem.expected
        wrong = [repr(v) for v in problem.data["slips"].values()] + ["0"]
        assert_grades(problem, [repr(value), f"{value:.3f}"], wrong, seed)


def test_grading_cosine() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "cosine"})
        value = problem.expected
        wrong = [repr(problem.data["counts_cosine"]), f"{value + 0.002:.4f}", "0", "1"]
        assert_grades(problem, [repr(value), f"{value:.3f}", f"{value * 100:.2f}%"], wrong, seed)


def test_grading_most_similar() -> None:
    for seed in range(40):
        problem = GEN.generate(seed, {"ask": "most-similar"})
        answer = problem.parts[0].answer
        assert isinstance(answer, ChoiceAnswer)
        index = [o.name for o in answer.options].index(answer.correct)
        wrong = [f"D{k + 1}" for k in range(len(answer.options)) if k != index]
        assert_grades(problem, [answer.correct, str(index + 1)], wrong, seed)


def test_most_similar_has_no_shortcut() -> None:
    assert_no_shortcut(GEN, {"ask": "most-similar"}, range(300))


def test_formula_is_stated_and_solution_shows_answer() -> None:
    for seed in range(60):
        problem = GEN.generate(seed)
        assert "ln((1 + n) / (1 + df(t))) + 1" in problem.prompt
        value = problem.expected
        shown = f"**{value}**" if isinstance(value, str) else f"**{value:.4f}".rstrip("0").rstrip(".")
        assert shown in problem.solution


def test_documents_param_deterministic_and_mixed() -> None:
    for n in (3, 4):
        for seed in range(20):
            problem = GEN.generate(seed, {"documents": n})
            assert len(problem.data["documents"]) == n
            assert all(4 <= len(doc.split()) <= 8 for doc in problem.data["documents"])
    for seed in (0, 8, 555, 2**36):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {
        "weight",
        "raw-weight",
        "cosine",
        "most-similar",
    }
    json.dumps([GEN.generate(seed).to_json() for seed in range(30)])


def test_params_validation() -> None:
    for bad in ({"documents": 2}, {"documents": 5}, {"ask": "bm25"}, {"norm": "l1"}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.tfidf_cosine, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_weight_slip_names_which_plus_one_is_dropped() -> None:
    """Regression: 'dropping the + 1' was ambiguous; the smoothed idf has three of them."""
    solution = GEN.generate(8, {"ask": "weight"}).solution
    assert "dropping the + 1 gives" not in solution
    assert "dropping the final + 1 (idf = ln((1 + n)/(1 + df)))" in solution


def test_raw_count_feedback_does_not_say_only() -> None:
    """Regression: 'it comes first only on raw counts' overclaimed: other slips (no idf smoothing, log base)
    could also put that document first."""
    for seed in range(40):
        answer = GEN.generate(seed, {"ask": "most-similar"}).parts[0].answer
        for text in answer.feedback.values():
            assert "comes first only" not in text
