"""regularisation-path: Lasso KKT conditions and Ridge's closed form, answers read off the paths, grading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.regularisation_path import _data, fit_paths, lasso_alpha_max
from tests.generators.grading_checks import assert_grades

GEN = get("regularisation-path")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("first-zero", "zero-count", "keeps-both")


def test_paths_satisfy_textbook_optimality() -> None:
    """Lasso: KKT conditions of (1/2n)||y − Xb||² + α||b||₁; Ridge: b = (XcᵀXc + αI)⁻¹ Xcᵀ(y − ȳ)."""
    for seed in range(60):
        rng = np.random.default_rng(seed)
        x, y = _data(rng)
        paths = fit_paths(x, y, rng)
        n = len(y)
        xc, yc = x - x.mean(axis=0), y - y.mean()
        for alpha, coef in zip(paths.lasso_alphas, paths.lasso, strict=True):
            gradient = xc.T @ (yc - xc @ coef) / n
            active = coef != 0
            assert np.allclose(gradient[active], alpha * np.sign(coef[active]), atol=2e-3 * alpha + 1e-3)
            assert np.all(np.abs(gradient[~active]) <= alpha * (1 + 1e-3) + 1e-3)
        for alpha, coef in zip(paths.ridge_alphas, paths.ridge, strict=True):
            closed = np.linalg.solve(xc.T @ xc + alpha * np.eye(x.shape[1]), xc.T @ yc)
            assert np.allclose(coef, closed, rtol=1e-6, atol=1e-8)
        # Above alpha_max every Lasso coefficient is zero; just below it one is not.
        assert np.all(np.abs(xc.T @ yc / n) <= lasso_alpha_max(x, y) + 1e-12)


def read_answer(data: dict) -> object:
    lasso = np.array(data["lasso_coef"])
    ridge = np.array(data["ridge_coef"])
    names = data["features"]
    if data["ask"] == "first-zero":
        row = next(i for i in range(len(lasso)) if (lasso[i] == 0).any())
        (feature,) = np.flatnonzero(lasso[row] == 0)
        return names[feature]
    if data["ask"] == "zero-count":
        row = data["lasso_alphas"].index(data["lasso_alpha"])
        return [int((lasso[row] == 0).sum()), int((ridge[-1] == 0).sum())]
    row = data["lasso_alphas"].index(data["lasso_alpha"])
    assert (lasso[row, 0] == 0) != (lasso[row, 1] == 0)  # Lasso has dropped exactly one of the pair
    ridge_row = data["ridge_alphas"].index(data["ridge_alpha"])
    assert ridge[ridge_row, 0] != 0 and ridge[ridge_row, 1] != 0
    return "ridge"


@pytest.mark.parametrize("ask", ASKS)
def test_answers_read_off_the_paths(ask: str) -> None:
    for seed in range(70):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        assert problem.expected == read_answer(d)
        assert np.all(np.array(d["ridge_coef"]) != 0)  # Ridge never zeroes a coefficient
        assert not (np.array(d["lasso_coef"][0]) == 0).any()  # nothing is zero at the smallest Lasso alpha
        assert d["correlation"] > 0.75
        # The table shows exact zeros as "0" and nothing else as "0".
        lasso_rows = [row for row in problem.table.rows if row[0] == "Lasso"]
        for row, coef in zip(lasso_rows, d["lasso_coef"], strict=True):
            assert [cell == "0" for cell in row[2:]] == [c == 0 for c in coef]


@pytest.mark.parametrize("ask", ASKS)
def test_grading_and_determinism(ask: str) -> None:
    for seed in range(12):
        problem = GEN.generate(seed, {"ask": ask})
        assert problem.to_json() == GEN.generate(seed, {"ask": ask}).to_json()
        json.dumps(problem.to_json())
        if ask == "zero-count":
            lasso_zeros, ridge_zeros = problem.expected
            right = [f"{lasso_zeros}; {ridge_zeros}", f"{lasso_zeros}.0; {ridge_zeros}"]
            wrong = [f"{lasso_zeros}; 1", f"{lasso_zeros + 1}; {ridge_zeros}"]
        else:
            answer = problem.parts[0].answer
            names = [o.name for o in answer.options]
            index = names.index(problem.expected)
            right = [problem.expected, str(index + 1), answer.options[index].text, "abcd"[index]]
            wrong = [n for n in names if n != problem.expected]
            assert set(answer.feedback) <= set(wrong) and answer.feedback
        assert_grades(problem, right, wrong, seed)


def test_seeds_vary_and_mix() -> None:
    problems = [GEN.generate(seed) for seed in range(30)]
    assert len({(p.prompt, json.dumps(p.data)) for p in problems}) == 30
    assert {p.data["ask"] for p in problems} == set(ASKS)


def test_bad_params_rejected() -> None:
    for bad in ({"ask": "elastic-net"}, {"alpha": 1.0}):
        with pytest.raises(ValidationError):
            GEN.generate(1, bad)


def test_import_does_not_import_sklearn() -> None:
    code = "import generators.regularisation_path, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
