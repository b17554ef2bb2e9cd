"""Which families import scipy or scikit-learn to make a problem: an explicit list that should only shrink.

Importing scikit-learn costs a drill session about 90 MB of memory and scipy.stats about 70 MB, more than
everything else a 1,000-answer session holds (issue 16's peak-RSS row). A family that needs them only for a
formula computes it with numpy in the library's own steps and keeps the library in its tests; the families
below still fit models or call library routines at generation time. The test fails in both directions: a
light family that starts importing them, and a family listed here that no longer does (take it off).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from generators import names
from tests.generators.family_checks import ROOT, assert_generation_is_light

# family -> what it still uses while making a problem
HEAVY = {
    "bias-variance": "LinearRegression, KNeighborsRegressor and DecisionTreeRegressor fits",
    "regularisation-path": "sklearn.linear_model.lasso_path and Ridge",
    "kmeans-step": "sklearn.metrics.silhouette_samples",
    "ab-test": "scipy.stats.norm",
}


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in names() if name not in HEAVY],
)
def test_family_makes_problems_without_scipy_or_sklearn(name: str) -> None:
    assert_generation_is_light(name, seeds=40)


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in HEAVY])
def test_listed_family_still_needs_them(name: str) -> None:
    code = (
        f"import sys; from generators import get; g = get({name!r})\n"
        "for seed in range(40): g.generate(seed)\n"
        "print(bool({'scipy', 'sklearn'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip() == "True", f"{name} no longer imports scipy or sklearn: take it off HEAVY"


def test_the_list_names_registered_families() -> None:
    assert set(HEAVY) <= set(names())
