"""Where Quizzer keeps its files: the user's data and cache directories, overridable."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "quizzer"
DB_ENV = "QUIZZER_DB"
DATA_ENV = "QUIZZER_DATA_DIR"
CACHE_ENV = "QUIZZER_CACHE_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The database in use: ``QUIZZER_DB`` if set, else ``quizzer.db`` in the user data dir."""
    override = os.environ.get(DB_ENV)
    return Path(override).expanduser() if override else data_dir() / "quizzer.db"


def user_decks_dir() -> Path:
    """The user's own decks: YAML files dropped here are loaded beside the built-in ones."""
    return data_dir() / "decks"


def builtin_decks_dir() -> Path:
    """The decks shipped with Quizzer (inside the wheel, or ``decks/`` in a source checkout)."""
    packaged = Path(__file__).parent / "builtin_decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "decks"
