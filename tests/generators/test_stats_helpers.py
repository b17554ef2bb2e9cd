"""generators._stats against scipy, bit for bit: the normal cdf, sf, quantile and the erf/erfc under them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special
from scipy.stats import norm

from generators import _stats
from tests.generators.family_checks import assert_import_is_light


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(16)
    special_points = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        math.sqrt(2),
        -math.sqrt(2),
        8.0,
        -8.0,
        11.3,
        26.6,
        38.0,
        -38.0,
        40.0,
    ]
    return np.concatenate([rng.normal(0, 2, 4000), rng.uniform(-40, 40, 2000), special_points])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (_stats.erf, special.erf),
        (_stats.erfc, special.erfc),
        (_stats.norm_cdf, norm.cdf),
        (_stats.norm_sf, norm.sf),
    ],
    ids=["erf", "erfc", "cdf", "sf"],
)
def test_same_floats_as_scipy(ours, theirs) -> None:
    xs = _inputs()
    expected = theirs(xs)
    got = np.array([ours(float(x)) for x in xs])
    mismatched = xs[got != expected]
    assert mismatched.size == 0, mismatched[:5]


def test_ppf_same_floats_as_scipy() -> None:
    rng = np.random.default_rng(61)
    qs = np.concatenate(
        [
            rng.uniform(0, 1, 4000),
            10.0 ** rng.uniform(-300, -1, 1000),  # both tail approximations (z below and above 8)
            1 - 10.0 ** rng.uniform(-16, -1, 1000),
            [0.5, 0.8, 0.9, 0.95, 0.975, 0.995, 0.13533528323661269189, 1 - 0.13533528323661269189, 1e-300],
        ]
    )
    expected = norm.ppf(qs)
    got = np.array([_stats.norm_ppf(float(q)) for q in qs])
    assert np.array_equal(got, expected), qs[got != expected][:5]


def test_edges_match_scipy() -> None:
    assert _stats.norm_ppf(0.0) == -math.inf and _stats.norm_ppf(1.0) == math.inf
    assert math.isnan(_stats.norm_ppf(1.5)) and math.isnan(_stats.norm_ppf(-0.1))
    assert math.isnan(_stats.norm_cdf(math.nan)) and math.isnan(_stats.erfc(math.nan))
    assert _stats.norm_sf(40.0) == norm.sf(40.0) == 0.0
    assert _stats.erfc(-30.0) == special.erfc(-30.0) == 2.0
    assert _stats.norm_cdf(math.inf) == 1.0 and _stats.norm_cdf(-math.inf) == 0.0


def test_import_is_light() -> None:
    assert_import_is_light("generators._stats")
