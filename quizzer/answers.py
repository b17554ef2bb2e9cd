"""Read numbers the way people type them: ``0.75``, ``.75``, ``75%``, ``3/4``, ``7.5e-1``, ``1,000``.

``read_number`` never raises: junk comes back as a :class:`Unreadable` with a message to show.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_INPUT = 200

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_PLAIN = re.compile(rf"^({_NUMBER})(%?)$", re.IGNORECASE)
_FRACTION = re.compile(rf"^({_NUMBER})/({_NUMBER})(%?)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_UNICODE_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "٫": ".", "⁄": "/", "∕": "/"})

UNREADABLE_HINT = "Could not read that as a number. Try 0.75, .75, 75%, 3/4 or 7.5e-1."


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from text. ``percent`` is True when the user typed a % sign."""

    value: float
    percent: bool = False
    text: str = ""


@dataclass(frozen=True, slots=True)
class Unreadable:
    text: str
    message: str = UNREADABLE_HINT


def read_number(text: object) -> Number | Unreadable:
    """Parse ``text`` into a :class:`Number`; anything else is :class:`Unreadable` (never an exception)."""
    if not isinstance(text, str):
        return Unreadable(repr(text))
    if len(text) > MAX_INPUT:
        return Unreadable(text[:MAX_INPUT], "That answer is too long to be a number.")
    cleaned = text.strip().translate(_UNICODE_MINUS)
    cleaned = cleaned.lstrip("~≈").strip()
    cleaned = re.sub(r"\s+", "", cleaned)
    if not cleaned:
        return Unreadable(text, "Type a number first.")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif _DECIMAL_COMMA.match(cleaned):
        cleaned = cleaned.replace(",", ".")

    value: float | None = None
    percent = False
    if match := _PLAIN.match(cleaned):
        value = float(match.group(1))
        percent = bool(match.group(2))
    elif match := _FRACTION.match(cleaned):
        numerator, denominator = float(match.group(1)), float(match.group(2))
        if denominator == 0:
            return Unreadable(text, "That fraction divides by zero.")
        value = numerator / denominator
        percent = bool(match.group(3))
    if value is None or not math.isfinite(value):
        return Unreadable(text)
    if percent:
        value /= 100
    return Number(value=value, percent=percent, text=text.strip())


def within(given: float, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> bool:
    """True when ``given`` is within the absolute or the relative tolerance of ``expected``."""
    if not (math.isfinite(given) and math.isfinite(expected)):
        return False
    gap = abs(given - expected)
    # A hair of slack for numbers that were typed exactly but travelled through binary floats.
    slack = 1e-9 * max(1.0, abs(expected))
    return gap <= tolerance + slack or gap <= rel_tolerance * abs(expected) + slack


def matches(number: Number, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> bool:
    """Does a typed number match ``expected``? ``67%`` matches 0.67, and also 67 when the answer is in percent."""
    if within(number.value, expected, tolerance, rel_tolerance):
        return True
    return number.percent and within(number.value * 100, expected, tolerance, rel_tolerance)


def format_number(value: float, digits: int = 4) -> str:
    """A short human form of ``value``: integers without decimals, others to ``digits`` significant digits."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}"
