"""Fixtures for the app's Pilot and snapshot tests (the async test runner and `store` are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from tui_support import AppFactory, app_factory

from quizzer.store import Store


@pytest.fixture
def make_app(store: Store) -> AppFactory:
    return app_factory(store)
