"""The user's settings: a small TOML file, overridable on the command line.

    # ~/.config/quizzer/config.toml  (or the file named by QUIZZER_CONFIG)
    new_per_day = 20        # new cards introduced per study day (0-1000)
    day_start_hour = 4      # local hour at which a study day begins (0-23), as in Anki
    open_answers = "type"   # open cards with key points: "type" an answer and have it graded, or "reveal"
    sync_dir = "~/Sync/quizzer"  # a folder a sync tool shares between your devices (see `quizzer sync`)
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

from quizzer.errors import QuizzerError
from quizzer.session import DEFAULT_DAY_START_HOUR, DEFAULT_NEW_PER_DAY, SessionConfig

CONFIG_ENV = "QUIZZER_CONFIG"
LIMITS = {"new_per_day": (0, 1000), "day_start_hour": (0, 23)}
CHOICES = {"open_answers": ("type", "reveal")}
PATHS = ("sync_dir",)


class ConfigError(QuizzerError):
    title = "Settings error"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("quizzer", appauthor=False)) / "config.toml"


def load_config(
    path: Path | None = None, *, new_per_day: int | None = None, day_start_hour: int | None = None
) -> SessionConfig:
    """Settings from the file (missing file: defaults), then the command-line overrides."""
    path = path or config_path()
    values: dict[str, int] = {"new_per_day": DEFAULT_NEW_PER_DAY, "day_start_hour": DEFAULT_DAY_START_HOUR}
    open_answers = "type"
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read it ({error}).") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error}") from None
        for key, value in data.items():
            if key in PATHS:
                _path_setting(path, key, value)
            elif key in CHOICES:
                open_answers = _chosen(path, key, value)
            else:
                values[key] = _checked(path, key, value)
    for key, value in (("new_per_day", new_per_day), ("day_start_hour", day_start_hour)):
        if value is not None:
            values[key] = _checked(Path("command line"), key, value)
    return SessionConfig(
        new_per_day=values["new_per_day"], day_start_hour=values["day_start_hour"], open_answers=open_answers
    )


def load_sync_dir(path: Path | None = None) -> Path | None:
    """The ``sync_dir`` setting (``~`` expanded), or None when it is not set. Kept apart from
    :func:`load_config`: only syncing needs it, and the session settings do not carry it."""
    path = path or config_path()
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it ({error}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    if "sync_dir" not in data:
        return None
    return _path_setting(path, "sync_dir", data["sync_dir"])


def _path_setting(path: Path, key: str, value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a folder path in quotes, got {value!r}.")
    return Path(value).expanduser()


def _chosen(path: Path, key: str, value: object) -> str:
    if value not in CHOICES[key]:
        options = " or ".join(repr(option) for option in CHOICES[key])
        raise ConfigError(f"{path}: {key} must be {options}, got {value!r}.")
    return str(value)


def _checked(path: Path, key: str, value: object) -> int:
    if key not in LIMITS:
        raise ConfigError(f"{path}: unknown setting {key!r}; known: {', '.join([*LIMITS, *CHOICES, *PATHS])}.")
    low, high = LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{path}: {key} must be a whole number from {low} to {high}, got {value!r}.")
    return value
