from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Iterator
from pathlib import Path

# One BLAS/OpenMP thread per test process, as ``generators/__init__.py`` sets for the app. That only works
# if it runs before numpy loads, and in a test session some test module imports numpy first: the suite then
# ran with two BLAS and two OpenMP threads in each of the two xdist workers on a 2-core machine, spinning
# against each other. This file is imported before any test module, so the limit holds for every test.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402 - after the thread limits above

from quizzer.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data or cache folders."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("QUIZZER_CACHE_DIR", str(base / "cache"))
    monkeypatch.delenv("QUIZZER_DB", raising=False)
    monkeypatch.setenv("QUIZZER_CONFIG", str(base / "config" / "config.toml"))  # no user settings leak in
    os.environ.setdefault("NO_COLOR", "1")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot drives the app from a coroutine) without an asyncio plugin."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "quizzer.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened
