"""Read numbers the way people type them: ``0.75``, ``.75``, ``75%``, ``3/4``, ``7.5e-1``, ``7.5×10^-1``,
``1,000``, ``$210``.

``read_number`` never raises: junk comes back as a :class:`Unreadable` with a message to show. The rules
(documented for users in ``docs/deck-format.md``, "How answers are read"):

- ``x%`` always means x/100, except where the answer itself is in percent (its unit is ``%``), where the
  sign is just the unit;
- a unit typed before or after the number is ignored: ``$210``, ``210 €``, ``210 dollars``, ``1050 rows``,
  ``87.5 mg/L``;
- a comma is a thousands separator when it is followed by groups of three digits (``1,000``,
  ``12,345.6``) and a decimal comma otherwise (``0,75``); ``0,531`` (a leading 0) is a decimal comma;
  ``1,234`` alone could be either and gets a hint, not a grade.
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
_AMBIGUOUS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2},(?!000$)\d{3}$")  # 1,234: 1234 or 1.234? (1,000 is plain)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_LEADING_ZERO_COMMA = re.compile(r"^[+-]?0,\d+$")
# A unit around the number: "$210", "210 dollars", "1050 rows", "€ 3.5". Letters only (so "e" of an exponent
# never counts), at most a few words.
_CURRENCY = "$€£¥"
_UNIT_WORD = r"[^\W\d_][^\W\d]*(?:/[^\W\d_][^\W\d]*)?"  # "rows", "m²", and a rate: "mg/L", "FLOP/s"
_UNIT_WORDS = re.compile(rf"^(?P<number>.*?[\d%.])\s*(?P<unit>{_UNIT_WORD}(?:\s+{_UNIT_WORD}){{0,2}})$")
_UNICODE_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "٫": ".", "⁄": "/", "∕": "/"})
# Powers of ten as written by hand or copied from a solution: 5.6×10^22, 5.6*10**22, 5.6 x 10²², 10^-3.
_SUPERSCRIPT_POWER = re.compile(r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TIMES_TEN = re.compile(
    r"^(?:(?P<mantissa>[+-]?(?:\d+(?:\.\d*)?|\.\d+))[×x*·⋅])?(?P<sign>[+-]?)10(?:\^|\*\*)(?P<exponent>[+-]?\d+)(?P<percent>%?)$",
    re.IGNORECASE,
)

UNREADABLE_HINT = "Could not read that as a number. Try 0.75, .75, 75%, 3/4, 7.5e-1 or 7.5×10^-1."


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from text. ``percent`` is True when the user typed a % sign."""

    value: float
    percent: bool = False
    text: str = ""
    unit: str = ""  # a unit typed with the number ("dollars", "$", "rows"), ignored when grading


@dataclass(frozen=True, slots=True)
class Unreadable:
    text: str
    message: str = UNREADABLE_HINT


def read_number(text: object, *, whole: bool = False) -> Number | Unreadable:
    """Parse ``text`` into a :class:`Number`; anything else is :class:`Unreadable` (never an exception).

    ``whole``: a whole number is expected (a count, an amount), so ``1,234`` can only mean 1234.
    """
    if not isinstance(text, str):
        return Unreadable(repr(text))
    if len(text) > MAX_INPUT:
        return Unreadable(text[:MAX_INPUT], "That answer is too long to be a number.")
    cleaned = text.strip().translate(_UNICODE_MINUS)
    # Superscript powers first: ²² would otherwise read as a unit word, as letters do.
    cleaned = _SUPERSCRIPT_POWER.sub(lambda match: "10^" + match.group(1).translate(_SUPERSCRIPTS), cleaned)
    cleaned = cleaned.lstrip("~≈").strip()
    unit = ""
    if cleaned and cleaned[0] in _CURRENCY:
        unit, cleaned = cleaned[0], cleaned[1:].strip()
    elif cleaned and cleaned[-1] in _CURRENCY:  # "66.75 €", as the sign is written after the amount in much of Europe
        unit, cleaned = cleaned[-1], cleaned[:-1].strip()
    elif (match := _UNIT_WORDS.match(cleaned)) and match.group("unit").casefold() not in ("e", "nan", "inf"):
        unit, cleaned = match.group("unit"), match.group("number").strip()
    cleaned = _as_e_notation(re.sub(r"\s+", "", cleaned))
    if not cleaned:
        return Unreadable(text, "Type a number first.")
    if _LEADING_ZERO_COMMA.match(cleaned):
        cleaned = cleaned.replace(",", ".")
    elif _AMBIGUOUS_COMMA.match(cleaned) and not whole:
        return Unreadable(text, f"Is {cleaned} a thousands separator or a decimal comma? Type it without the "
                                "comma (1234 or 1.234).")
    elif _THOUSANDS.match(cleaned):
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
    return Number(value=value, percent=percent, text=text.strip(), unit=unit)


def _as_e_notation(text: str) -> str:
    """``5.6×10^22`` (or ``*10**22``, ``x10^22``; ``10^-3`` alone) as ``5.6e22``; any other text unchanged."""
    match = _TIMES_TEN.match(text)
    if match is None:
        return text
    mantissa = match.group("mantissa") or match.group("sign") + "1"
    return f"{mantissa}e{match.group('exponent')}{match.group('percent')}"


def within(given: float, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> bool:
    """True when ``given`` is within the absolute or the relative tolerance of ``expected``."""
    if not (math.isfinite(given) and math.isfinite(expected)):
        return False
    gap = abs(given - expected)
    # A hair of slack, relative to the answer, for numbers that were typed exactly but travelled through binary
    # floats (a fixed 1e-9 would be 2.5% of a 4e-8 learning rate); the floor covers an answer computed as 1e-17
    # where the truth is 0.
    slack = 1e-9 * max(abs(expected), 1e-6)
    return gap <= tolerance + slack or gap <= rel_tolerance * abs(expected) + slack


def matches(number: Number, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0,
            *, in_percent: bool = False) -> bool:
    """Does a typed number match ``expected``? ``67%`` is 0.67 and matches 0.67 only.

    When the answer itself is in percent (``in_percent``: its unit is ``%``), the sign is just the unit, so
    ``8.8%`` and ``8.8`` both match 8.8.
    """
    return within(typed_value(number, in_percent=in_percent), expected, tolerance, rel_tolerance)


def typed_value(number: Number, *, in_percent: bool = False) -> float:
    """The value the user meant, in the answer's own unit."""
    return number.value * 100 if number.percent and in_percent else number.value


def percent_slip(number: Number, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> str:
    """A hint when ``x%`` is wrong but ``x`` would be right: "0.55% is 0.0055; did you mean 55%?"."""
    if not number.percent or not within(number.value * 100, expected, tolerance, rel_tolerance):
        return ""
    return (f"{format_number(number.value * 100)}% is {format_number(number.value)}; "
            f"did you mean {format_number(number.value * 10_000)}%?")


def plural(count: int, noun: str) -> str:
    """``count`` with its noun, in the plural unless it is 1: "1 decimal", "3 decimals", "0 days"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def format_number(value: float, digits: int = 4) -> str:
    """A short human form of ``value``: integers without decimals, others to ``digits`` significant digits."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}"
