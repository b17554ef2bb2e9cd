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
        with partial.open("w", encoding="utf-8", newline="") as handle:
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


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value
