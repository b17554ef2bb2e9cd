"""pca-variance: numpy values vs sklearn PCA on data realising each instance, and closed forms; grading."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from generators.pca_variance import realise
from quizzer.grading import grade_parts

GEN = get("pca-variance")
ROOT = Path(__file__).resolve().parents[2]


def variances(data: dict) -> list[float]:
    """Component variances as the user reads them: eigenvalues, or s² (the 1/(n − 1) cancels in ratios)."""
    if "singular_values" in data:
        return [s * s for s in data["singular_values"]]
    return data["eigenvalues"]


def sklearn_pca(data: dict, seed: int):
    """Fit sklearn's PCA on a data set whose covariance has exactly the instance's spectrum."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    values = np.array(data["eigenvalues"]) if "eigenvalues" in data else \
        np.array(data["singular_values"]) ** 2 / (data["n_samples"] - 1)
    p = len(values)
    rotation, _ = np.linalg.qr(rng.normal(size=(p, p)))
    cov = rotation @ np.diag(values) @ rotation.T
    x = realise((cov + cov.T) / 2, data.get("n_samples", 120), seed)
    return PCA(svd_solver="full").fit(x), x


def test_ratio_matches_formula() -> None:
    kinds = set()
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "ratio"})
        d = problem.data
        v = variances(d)
        if "component" in d:
            expected = v[d["component"] - 1] / sum(v)
            kinds.add("single")
        else:
            expected = sum(v[: d["first"]]) / sum(v)
            kinds.add(d["first"])
        assert problem.expected == pytest.approx(expected, rel=1e-12)
        if d["standardised"] and "eigenvalues" in d:
            assert sum(d["eigenvalues"]) == pytest.approx(d["p"])  # as the solution claims
    assert kinds == {"single", 1, 2, 3}


@pytest.mark.parametrize("target", [None, 0.9, 0.95, 0.99])
def test_n_components_matches_formula_and_sklearn(target: float | None) -> None:
    from sklearn.decomposition import PCA

    for seed in range(200):
        params = {"ask": "n_components"} | ({"target": target} if target else {})
        problem = GEN.generate(seed, params)
        d = problem.data
        if target:
            assert d["target"] == target
        v = variances(d)
        running, m = 0.0, 0
        while running / sum(v) < d["target"]:
            running += v[m]
            m += 1
        assert problem.expected == m
        cumulative = np.cumsum(v) / sum(v)
        assert np.min(np.abs(cumulative[:-1] - d["target"])) >= 0.003 - 1e-9  # no near-ties
        if seed < 15:
            fitted, x = sklearn_pca(d, seed)
            assert PCA(n_components=d["target"], svd_solver="full").fit(x).n_components_ == problem.expected
            assert np.allclose(fitted.explained_variance_ratio_, np.array(v) / sum(v), atol=1e-6)


def test_sklearn_pca_reproduces_the_shown_spectrum() -> None:
    for seed in range(40):
        d = GEN.generate(seed, {"ask": "ratio"}).data
        fitted, _ = sklearn_pca(d, seed)
        if "singular_values" in d:
            assert np.allclose(fitted.singular_values_, d["singular_values"], rtol=1e-9)
        else:
            assert np.allclose(fitted.explained_variance_, d["eigenvalues"], rtol=1e-9)


def test_correlated_pair_matches_closed_form_and_sklearn() -> None:
    from sklearn.decomposition import PCA

    for seed in range(250):
        problem = GEN.generate(seed, {"ask": "correlated_pair"})
        d = problem.data
        (a, c), (_, b) = d["matrix"]
        lam1 = (a + b) / 2 + math.sqrt(((a - b) / 2) ** 2 + c * c)
        assert problem.expected == pytest.approx(lam1 / (a + b), rel=1e-12)
        if d["standardised"]:
            assert problem.expected == pytest.approx((1 + abs(c)) / 2, rel=1e-12)
        if seed < 30:
            x = realise(np.array(d["matrix"]), 100, seed)
            ratio = PCA(svd_solver="full").fit(x).explained_variance_ratio_[0]
            assert problem.expected == pytest.approx(ratio, rel=1e-9)


def test_deterministic_and_varied() -> None:
    for seed in (0, 4, 64, 2**41):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    assert len({json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(60)}) >= 58
    assert {GEN.generate(seed).data["ask"] for seed in range(40)} == {"ratio", "n_components", "correlated_pair"}
    assert any("singular_values" in GEN.generate(seed).data for seed in range(40))


def test_params_validation() -> None:
    for bad in ({"target": 0.8}, {"ask": "tsne"}, {"n_components": 2}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    value = problem.expected
    if problem.data["ask"] == "n_components":
        forms, wrongs = [str(value), f"{value}.0"], [str(value + 1), str(value - 1)]
    else:
        forms = [repr(value), f"{value:.3f}", f"{value * 100:.1f}%"]
        wrongs = [f"{value + 0.02:.3f}"]
    for text in forms:
        assert grade_parts(problem.parts, text).correct, text
    for text in wrongs:
        assert not grade_parts(problem.parts, text).correct, text


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.pca_variance, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
