"""generators._arrays against the numpy functions it stands in for: the same values, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from generators._arrays import distinct, median, quantile


def same(ours: object, numpys: object) -> bool:
    return (
        type(ours) is type(numpys)
        and np.asarray(ours).dtype == np.asarray(numpys).dtype
        and np.array_equal(np.asarray(ours), np.asarray(numpys))
    )


def test_quantile_is_numpys_linear_quantile_to_the_bit() -> None:
    rng = np.random.default_rng(16)
    for case in range(3000):
        size = int(rng.integers(1, 40))
        if case % 3:
            values = rng.normal(size=size) * 10.0 ** rng.integers(-3, 4)
        else:
            values = rng.integers(-5, 50, size=size)  # ties, and an integer array
        q = rng.random(size=int(rng.integers(1, 6))) if case % 2 else float(rng.random())
        if case % 7 == 0:
            q = [0.0, 0.2, 0.5, 1.0]  # both ends, and the cv-scheme family's quintile cuts
        assert same(quantile(values, q), np.quantile(values, q)), (values, q)


@pytest.mark.parametrize("axis", [None, 0])
def test_distinct_is_numpys_unique(axis: int | None) -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        shape = (int(rng.integers(1, 30)), 2) if axis == 0 else int(rng.integers(0, 30))
        values = rng.integers(-3, 4, size=shape).astype(float if rng.random() < 0.5 else int)
        assert same(distinct(values, axis=axis), np.unique(values, axis=axis))


def test_median_is_numpys_median_to_the_bit() -> None:
    rng = np.random.default_rng(8)
    for case in range(2000):
        size = int(rng.integers(1, 30))
        values = (
            rng.normal(size=size) * 10.0 ** rng.integers(-3, 4)
            if case % 2
            else rng.integers(-9, 9, size=size)
        )
        assert same(median(values), np.median(values)), values
