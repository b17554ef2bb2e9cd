"""A family that stopped importing scipy or scikit-learn still makes, seed for seed, the instances it made
with them: the deck history depends on seeds, and a learner's card must not change under them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from generators import Generator
from tests.generators.instances import generated


def assert_same_instances_as_library(
    generator: Generator,
    cases: Iterable[tuple[int, Mapping[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    library: Mapping[str, Callable[..., Any]],
) -> None:
    """Each (seed, params) case gives the same instance (prompt, table, figure, parts with their tolerances
    and options, solution, data at full precision) when ``library`` puts the scipy / scikit-learn calls back
    in place of the family module's numpy ports (module-level names → the library function they stand for).

    The family's own instances come from the per-process cache (instances.py), shared with its other tests.
    """
    module = sys.modules[type(generator).__module__]
    cases = [(seed, dict(params)) for seed, params in cases]
    ours = [generated(generator, seed, params).to_json() for seed, params in cases]
    for name, function in library.items():
        assert hasattr(module, name), f"{module.__name__} has no {name} to replace"
        monkeypatch.setattr(module, name, function)
    theirs = [generator.generate(seed, params).to_json() for seed, params in cases]
    differ = [case for case, a, b in zip(cases, ours, theirs, strict=True) if a != b]
    assert not differ, f"{len(differ)} of {len(cases)} instances differ, first: {differ[:3]}"
