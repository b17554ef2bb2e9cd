"""One generated instance per (family, seed, params) per test process, shared by every test that reads it.

Generating is most of the generator tests' time: the answer contract reads 200 seeds of every family, a
shortcut check 300, and a family's own tests often read the same seeds again. Each of them builds and
checks the same deterministic instance (``test_deterministic`` in each family pins that a seed gives one
instance), so building it once per process proves the same. Tests treat a ``Problem`` as read-only.

pytest-xdist runs each worker in its own process with its own cache: tests that share a family's instances
carry ``pytest.mark.xdist_group(<family>)``, and ``--dist loadgroup`` (pyproject ``addopts``) sends a
group to one worker. Without xdist everything runs in one process and shares anyway.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from generators import Generator, Problem


@cache
def _generated(generator: Generator, seed: int, params: str) -> Problem:
    return generator.generate(seed, json.loads(params))


def generated(generator: Generator, seed: int, params: dict[str, Any] | None = None) -> Problem:
    """``generator.generate(seed, params)``, built once per process for each (generator, seed, params)."""
    return _generated(generator, seed, json.dumps(params or {}, sort_keys=True))
