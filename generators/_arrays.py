"""Array helpers the families share."""

from __future__ import annotations

from typing import Any

import numpy as np


def distinct(values: Any, axis: int | None = None) -> np.ndarray:
    """``np.unique(values, axis=axis)``: the sorted distinct values (rows, along ``axis``), the same array.

    Asked for the values alone, ``np.unique`` first checks that they are not a masked array, and that check
    imports ``numpy.ma``: about 1.2 MB of a drill session and 14 ms of the first problem that needs it, for
    arrays that never are. Asked for the first indices too, it skips the check and sorts instead of hashing,
    which gives the same values.
    """
    return np.unique(values, return_index=True, axis=axis)[0]


def quantile(values: Any, q: Any) -> Any:
    """``np.quantile(values, q)`` of a 1-d array without NaNs (the default, linear method), the same floats.

    numpy's own interpolating branch picks its partition points with ``np.unique`` and so imports
    ``numpy.ma`` too (see :func:`distinct`). These are numpy's steps for that branch (``_quantile``,
    ``_get_indexes``, ``_lerp``) on a sorted copy; a test compares the two bit for bit on random inputs.
    """
    ordered = np.sort(np.asarray(values).ravel())
    n = ordered.size
    virtual = np.asarray((n - 1) * np.asarray(q, dtype=float))  # 0-d for one q, as numpy's
    previous = np.floor(virtual, out=np.empty_like(virtual))
    following = np.add(previous, 1, out=np.empty_like(virtual))
    beyond = virtual >= n - 1
    previous[beyond] = following[beyond] = -1
    before = virtual < 0
    previous[before] = following[before] = 0
    previous, following = previous.astype(np.intp), following.astype(np.intp)
    gamma = virtual - previous
    low, high = ordered[previous], ordered[following]
    step = high - low
    result = np.add(low, step * gamma, out=...)  # an array, even 0-d
    np.subtract(high, step * (1 - gamma), out=result, where=gamma >= 0.5, casting="unsafe")
    return result[()] if result.ndim == 0 else result


def median(values: Any) -> Any:
    """``np.median(values)`` of a 1-d array without NaNs, the same float: the mean of its one or two middle
    values, as numpy takes it. (numpy's own checks the result for NaNs with ``numpy.ma``; see :func:`distinct`.)
    """
    ordered = np.sort(np.asarray(values).ravel())
    return np.mean(ordered[(ordered.size - 1) // 2 : ordered.size // 2 + 1])
