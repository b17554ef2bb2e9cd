"""Checks every problem family's tests repeat: determinism and variety, params validation, lazy imports.

The family-specific checks (the independent recomputation, the mistakes graded wrong) stay in each test file;
these are the shapes that were otherwise copied into every one of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generators import Generator, Problem

ROOT = Path(__file__).resolve().parents[2]


def assert_deterministic_and_mixed(
    generator: Generator, asks: Iterable[str], seeds: Iterable[int] = range(60), field: str = "ask"
) -> list[Problem]:
    """One seed always gives the same JSON-able problem; different seeds give different data; drawing the
    question from the rng (no params) reaches every value of ``field`` in ``asks``. Returns the problems."""
    for seed in (0, 5, 77, 2**40):
        first = generator.generate(seed).to_json()
        assert first == generator.generate(seed).to_json(), seed
        json.dumps(first)
    problems = [generator.generate(seed) for seed in seeds]
    distinct = {json.dumps(p.to_json()["data"], sort_keys=True) + p.prompt for p in problems}
    assert len(distinct) == len(problems)
    assert {p.data[field] for p in problems} == set(asks)
    return problems


def assert_params_rejected(generator: Generator, bad: Iterable[Mapping[str, Any]]) -> None:
    """Each of these params (an unknown key or value, a bad combination) fails validation."""
    for params in bad:
        with pytest.raises(ValidationError):
            generator.Params.model_validate(dict(params))


def assert_import_is_light(module: str) -> None:
    """Importing the family's module in a fresh interpreter loads neither scipy nor scikit-learn."""
    code = f"import {module}, sys; assert 'scipy' not in sys.modules and 'sklearn' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def assert_generation_is_light(name: str, cases: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Making the family's problem for each (seed, params) of ``cases`` in a fresh interpreter loads neither
    scikit-learn nor scipy (about 90 MB of a drill session): the params name every question a family asks, which
    its default draws over a few seeds may not reach."""
    code = (
        f"import sys; from generators import get; g = get({name!r})\n"
        f"for seed, params in {[(seed, dict(params)) for seed, params in cases]!r}: g.generate(seed, params)\n"
        "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
