from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.answers import Number, Unreadable, matches, read_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.75", 0.75), (".75", 0.75), ("75%", 0.75), ("3/4", 0.75), ("7.5e-1", 0.75), ("  0.75  ", 0.75),
     ("75 %", 0.75), ("-2", -2.0), ("−2.5", -2.5), ("1,000", 1000.0), ("0,75", 0.75), ("+4", 4.0),
     ("1E3", 1000.0), ("~0.5", 0.5), ("3 / 4", 0.75),
     # Powers of ten as a solution writes them, or by hand.
     ("5.63×10^22", 5.63e22), ("5.63 x 10^22", 5.63e22), ("5.63*10**22", 5.63e22), ("5.63 · 10²²", 5.63e22),
     ("2.5×10⁻³", 0.0025), ("10^-3", 0.001), ("-10^3", -1000.0), ("1.2×10^9 FLOPs", 1.2e9)],
)
def test_reads_what_people_type(text: str, value: float) -> None:
    number = read_number(text)
    assert isinstance(number, Number)
    assert number.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "0.7.5", "1/0", "nan", "inf", "1e999", "3/4/5", "%", "--1", "x" * 500, "5×10^", "x10^3",
     "5×10^999", "5×2^3"],
)
def test_junk_is_unreadable(text: str) -> None:
    result = read_number(text)
    assert isinstance(result, Unreadable)
    assert result.message


@pytest.mark.parametrize(("text", "right"), [("0.67", True), ("67%", True), ("2/3", True), ("0.6", False), ("0.66", False), ("0.665", True)])
def test_default_ratio_tolerance(text: str, right: bool) -> None:
    number = read_number(text)
    assert isinstance(number, Number)
    assert matches(number, 2 / 3, tolerance=0.005) is right


def test_percent_means_hundredths_unless_the_answer_is_in_percent() -> None:
    number = read_number("36.8%")
    assert isinstance(number, Number)
    assert matches(number, 0.368, tolerance=0.005)
    assert not matches(number, 36.8, tolerance=0.05)  # x% is always x/100 ...
    assert matches(number, 36.8, tolerance=0.05, in_percent=True)  # ... unless the answer's unit is %
    slip = read_number("0.55%")
    assert isinstance(slip, Number)
    assert not matches(slip, 0.5498, tolerance=0.001)


@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    result = read_number(text)
    assert isinstance(result, Number | Unreadable)


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_round_trips_floats(value: float) -> None:
    result = read_number(repr(value))
    assert isinstance(result, Number)
    assert result.value == value


def test_float_slack_is_relative_to_the_answer() -> None:
    """Exactly typed numbers pass through binary floats with a hair of error; that slack must not grow into a
    tolerance for tiny answers: 3.9e-8 is not 4e-8 at 1% (a fixed 1e-9 slack accepted it)."""
    from quizzer.answers import within

    assert within(0.1 + 0.2, 0.3)
    assert within(4e-8, 0.04 * 1e-6, rel_tolerance=0.01)
    assert not within(3.9e-8, 4e-8, rel_tolerance=0.01)
    assert not within(4.1e-8, 4e-8, rel_tolerance=0.01)
    assert within(0.0, 1e-17)  # an answer computed as float noise around 0
    assert within(1e6 + 1e-4, 1e6)  # 1e-10 relative


def test_the_input_hint_says_what_to_type() -> None:
    """One decimal is "1 decimal"; a percentage answer is typed as the percentage (0.75 there means 0.75%), so its
    hint does not offer 0.75 or 3/4 as forms."""
    from generators.base import NumberAnswer
    from quizzer.grading import answer_hint

    assert answer_hint(NumberAnswer(44.4, unit="%", decimals=1)).startswith("A percentage to 1 decimal, e.g. 44.4")
    assert answer_hint(NumberAnswer(0.778, decimals=3)).startswith("A number to 3 decimals (0.75, 75%, 3/4 work)")
    assert answer_hint(NumberAnswer(4e-8, significant=1)).startswith("A number to 1 significant figure (")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("$210", 210.0, "$"), ("210 €", 210.0, "€"), ("66.75€", 66.75, "€"), ("1050 rows", 1050.0, "rows"),
     ("87.46 mg/L", 87.46, "mg/L"), ("1.2e9 FLOP/s", 1.2e9, "FLOP/s"), ("5 tokens per second", 5.0, "tokens per second")],
)
def test_a_unit_around_the_number_is_read_and_set_aside(text: str, value: float, unit: str) -> None:
    """A unit before or after the number, a rate among them ("mg/L" was unreadable, so was "66.75 €"), is not
    part of the number; a bare fraction stays a fraction."""
    number = read_number(text)
    assert isinstance(number, Number) and number.value == pytest.approx(value) and number.unit == unit
    fraction = read_number("3/4")
    assert isinstance(fraction, Number) and fraction.value == 0.75 and fraction.unit == ""


def test_a_percent_sign_is_the_unit_of_an_answer_in_percentage_points() -> None:
    """A lift of 0.123 percentage points typed as "0.123%" is right (it was read as 0.00123 and graded wrong)."""
    from generators.base import NumberAnswer
    from quizzer.grading import answer_hint, grade_number

    for typed in ("0.123%", "0.123 pp", "0.123"):
        grade = grade_number(typed, 0.123, 0.001, 0.0, unit="pp")
        assert not isinstance(grade, Unreadable) and grade.correct, typed
    wrong = grade_number("12.3%", 0.123, 0.001, 0.0, unit="pp")
    assert not isinstance(wrong, Unreadable) and not wrong.correct
    assert answer_hint(NumberAnswer(0.123, unit="pp", decimals=3)).startswith("Percentage points to 3 decimals")
