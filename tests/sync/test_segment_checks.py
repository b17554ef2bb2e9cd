"""The column-wise check of a segment's reviews accepts exactly the rows the row-by-row check accepts."""

from __future__ import annotations

import random

import pytest

from quizzer.sync import _COLUMNS, _NAMES, _check_row, _rows_valid

GOOD = [
    7,
    "deck",
    "c1",
    1_777_885_200_000,
    1_777_885_200_000,
    739_740,
    4,
    None,
    None,
    4000,
    "open",
    None,
    False,
    250,
    0,
    0,
    None,
    250,
    1,
    1,
    739_741,
]
ODD_VALUES = [True, False, 0, 3, -1, 6, 1.5, "", "x", None, [], {}]


def rows_with(cell: int, value: object, count: int = 5) -> list[list[object]]:
    rows = [list(GOOD) for _ in range(count)]
    for seq, row in enumerate(rows, start=1):
        row[0] = seq
    rows[count // 2][cell] = value
    return rows


def test_the_sample_row_is_valid() -> None:
    assert len(GOOD) == len(_NAMES) == 3 + len(_COLUMNS)
    assert _rows_valid(rows_with(1, "deck"), 1)


@pytest.mark.parametrize("cell", range(len(_NAMES)))
def test_one_changed_value_is_judged_as_the_row_check_judges_it(cell: int) -> None:
    for value in ODD_VALUES:
        rows = rows_with(cell, value)
        row_by_row = all(
            _check_row(dict(zip(_NAMES, row, strict=True)), seq) is None
            for seq, row in enumerate(rows, start=1)
        )
        assert _rows_valid(rows, 1) == row_by_row, (_NAMES[cell], value)


def test_rows_of_the_wrong_shape_or_numbering_are_refused() -> None:
    rng = random.Random(1)
    rows = rows_with(1, "deck")
    assert not _rows_valid(rows, 2)  # numbered from 1, expected from 2
    assert not _rows_valid([*rows[:2], rows[2][:-1], *rows[3:]], 1)
    assert not _rows_valid([*rows[:2], dict(zip(_NAMES, rows[2], strict=True)), *rows[3:]], 1)
    shuffled = rows[:]
    while shuffled == rows:
        rng.shuffle(shuffled)
    assert not _rows_valid(shuffled, 1)
