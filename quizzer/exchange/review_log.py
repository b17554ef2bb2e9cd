"""The review log out as CSV or JSON: one row per answer, oldest first, as ``Store.reviews()`` gives it."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quizzer.errors import UsageError

COLUMNS = (
    "id", "deck_id", "card_id", "reviewed_at", "study_day", "quality", "answer", "correct", "response_ms", "kind",
    "seed", "reask", "easiness_before", "interval_before", "repetitions_before", "due_before", "easiness_after",
    "interval_after", "repetitions_after", "due_after",
)
FORMATS = (".csv", ".json")


def export_reviews(rows: Iterable[dict[str, Any]], out: Path) -> int:
    """Stream ``rows`` to ``out`` (.csv or .json by its suffix), atomically; return how many."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{out}: write the review log to a .csv or .json file.")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    count = 0
    try:
        partial.unlink(missing_ok=True)  # a leftover of a killed export: start fresh, with our mode
        # 0600 like the database: the log holds every answer typed.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            if suffix == ".csv":
                writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
                writer.writeheader()
                for row in rows:
                    writer.writerow({key: _csv_value(value) for key, value in row.items()})
                    count += 1
            else:
                handle.write("[")
                for row in rows:
                    handle.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
                    count += 1
                handle.write("\n]\n")
        os.replace(partial, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UsageError(f"Cannot write {out}: {error.strerror or error}") from None
    return count


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    """A cell as written. Text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``,
    ``@``, or a leading tab / CR) gets a ``'`` in front, the usual neutraliser; numbers stay numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
