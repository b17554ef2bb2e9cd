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
from tests.generators.instances import generated
from tests.generators.library_paths import assert_same_instances_as_library

GEN = get("regularisation-path")
ROOT = Path(__file__).resolve().parents[2]
ASKS = ("first-zero", "zero-count", "keeps-both")
# The default-params instances are shared with the answer contract, the per-ask ones with the shortcut
# checks: one worker builds each once (instances.py).
pytestmark = pytest.mark.xdist_group("regularisation-path")


def sklearn_lasso_path(x: np.ndarray, y: np.ndarray, alphas: np.ndarray, max_iter: int):
    """The family's Lasso path as scikit-learn computes it (what it called before generators._regress)."""
    from sklearn.linear_model import lasso_path

    fitted_alphas, coefs, _ = lasso_path(x, y, alphas=alphas, max_iter=max_iter)
    return fitted_alphas, coefs


def sklearn_ridge_coefs(x: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import Ridge

    return Ridge(alpha=alphas).fit(x, np.tile(y[:, None], len(alphas))).coef_


def test_instances_same_as_with_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    """200 seeds (every question, each instance several Lasso paths): the instance, every coefficient in its
    data included, is the one scikit-learn's lasso_path and Ridge make. The family's own instances are the
    answer contract's (built once per worker, instances.py)."""
    assert {generated(GEN, seed).data["ask"] for seed in range(200)} == set(ASKS)
    library = {"lasso_path": sklearn_lasso_path, "ridge_coefs": sklearn_ridge_coefs}
    assert_same_instances_as_library(GEN, [(seed, {}) for seed in range(200)], monkeypatch, library)


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
    """The answer read off the path the way a learner would, without the generator's helpers."""
    lasso = np.array(data["lasso_coef"])
    names = data["features"]
    if data["ask"] == "first-zero":
        row = next(i for i in range(len(lasso)) if (lasso[i] == 0).any())
        (feature,) = np.flatnonzero(lasso[row] == 0)
        return f"column_{feature + 1}", f"`{names[feature]}`"
    row = data["lasso_alphas"].index(data["lasso_alpha"])
    if data["ask"] == "zero-count":
        return int((lasso[row] == 0).sum())
    a, b = data["pair"]
    both = [i for i in range(len(lasso)) if lasso[i, a] != 0 and lasso[i, b] != 0]
    # both non-zero up to some alpha and never again after it (zeros are never undone)
    assert both == list(range(len(both))) and both
    largest = data["lasso_alphas"][both[-1]]
    shown = sorted(data["shown_alphas"])
    return ("smallest", "second", "third", "largest")[shown.index(largest)], f"alpha = {largest:g}"


@pytest.mark.parametrize("ask", ASKS)
def test_answers_read_off_the_paths(ask: str) -> None:
    for seed in range(70):
        problem = GEN.generate(seed, {"ask": ask})
        d = problem.data
        expected = read_answer(d)
        if ask == "zero-count":
            assert problem.expected == expected
        else:
            name, text = expected
            answer = problem.parts[0].answer
            assert problem.expected == name
            assert next(o.text for o in answer.options if o.name == name) == text
        assert np.all(np.array(d["ridge_coef"]) != 0)  # Ridge never zeroes a coefficient
        assert not (np.array(d["lasso_coef"][0]) == 0).any()  # nothing is zero at the smallest Lasso alpha
        a, b = d["pair"]
        assert d["correlation"] > 0.75
        assert f"`{d['features'][a]}` and `{d['features'][b]}` are strongly correlated" in problem.prompt
        # The table shows exact zeros as "0" and nothing else as "0".
        lasso_rows = [row for row in problem.table.rows if row[0] == "Lasso"]
        for row, coef in zip(lasso_rows, d["lasso_coef"], strict=True):
            assert [cell == "0" for cell in row[2:]] == [c == 0 for c in coef]
        assert list(problem.table.headers[2:]) == d["features"]


def test_pair_correlation_is_the_shown_columns() -> None:
    """Rebuild X the way make() does and check the correlation quoted belongs to the named pair."""
    from generators.regularisation_path import _data

    for seed in range(40):
        rng = np.random.default_rng(seed)
        x, _ = _data(rng)
        order = rng.permutation(4)
        shuffled = x[:, order]
        a, b = int(np.flatnonzero(order == 0)[0]), int(np.flatnonzero(order == 1)[0])
        assert np.corrcoef(shuffled[:, a], shuffled[:, b])[0, 1] > 0.75
        others = [j for j in range(4) if j not in (a, b)]
        assert abs(np.corrcoef(shuffled[:, others[0]], shuffled[:, others[1]])[0, 1]) < 0.3


@pytest.mark.parametrize("ask", ASKS)
def test_grading_and_determinism(ask: str) -> None:
    for seed in range(12):
        problem = GEN.generate(seed, {"ask": ask})
        assert problem.to_json() == GEN.generate(seed, {"ask": ask}).to_json()
        json.dumps(problem.to_json())
        if ask == "zero-count":
            zeros = problem.expected
            right = [f"{zeros}", f"{zeros}.0"]
            wrong = [f"{zeros + 1}", f"{abs(zeros - 1)}"]
        else:
            answer = problem.parts[0].answer
            names = [o.name for o in answer.options]
            index = names.index(problem.expected)
            right = [problem.expected, str(index + 1), answer.options[index].text, "abcd"[index]]
            wrong = [n for n in names if n != problem.expected]
            assert set(answer.feedback) == set(wrong)
        assert_grades(problem, right, wrong, seed)
        shown = problem.expected if ask == "zero-count" else problem.parts[0].answer.options[index].text
        assert f"**{shown}**" in problem.solution


@pytest.mark.parametrize("ask", ["first-zero", "keeps-both"])
def test_no_shortcut(ask: str) -> None:
    # Each ask builds only its own 300 instances: a module fixture that built both made every xdist worker
    # that ran either case pay for the two.
    from tests.generators.shortcuts import assert_no_shortcut

    assert_no_shortcut(GEN, {"ask": ask}, range(300))


def test_zero_count_varies() -> None:
    counts = [GEN.generate(seed, {"ask": "zero-count"}).expected for seed in range(60)]
    assert set(counts) == {0, 1, 2, 3}
    assert max(counts.count(c) for c in set(counts)) <= 0.45 * len(counts)


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
