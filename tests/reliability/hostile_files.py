"""Builders for hostile Anki packages, and a way to import one in a fresh process and measure it.

The packages are made by hand (not with genanki) so that each can break exactly one rule: a schema with
a huge column DEFAULT, a ``models`` JSON nested past any recursion limit, a member compressed with LZMA
whose header understates its size.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASIC_MODEL, CLOZE_MODEL = 1001, 1002
MODELS = json.dumps(
    {str(BASIC_MODEL): {"name": "Basic", "type": 0}, str(CLOZE_MODEL): {"name": "Cloze", "type": 1}}
)


def write_collection(
    path: Path, notes: list[tuple[str, int, str, str]], *, models: str = MODELS, tags_default: str = ""
) -> None:
    """A minimal Anki collection: ``col.models`` and a ``notes`` table of (guid, model id, tags, fields)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT)")
        conn.execute("INSERT INTO col (models) VALUES (?)", (models,))
        conn.execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, mid INTEGER, flds TEXT"
            + (")" if tags_default else ", tags TEXT)")
        )
        for guid, mid, tags, fields in notes:
            if tags_default:
                conn.execute("INSERT INTO notes (guid, mid, flds) VALUES (?, ?, ?)", (guid, mid, fields))
            else:
                conn.execute(
                    "INSERT INTO notes (guid, mid, tags, flds) VALUES (?, ?, ?, ?)", (guid, mid, tags, fields)
                )
        if tags_default:
            # A column added later: rows written before it are not rewritten, every read gets the DEFAULT.
            default = "'" + tags_default.replace("'", "''") + "'"
            conn.execute(f"ALTER TABLE notes ADD COLUMN tags TEXT NOT NULL DEFAULT {default}")
        conn.commit()
    finally:
        conn.close()


def write_package(package: Path, collection: Path, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(package, "w", compression=compression) as archive:
        archive.write(collection, "collection.anki2")
        archive.writestr("media", "{}")
    return package


def make_package(folder: Path, name: str, notes: list[tuple[str, int, str, str]], **options: str) -> Path:
    collection = folder / f"{name}.sqlite"
    write_collection(collection, notes, **options)
    package = write_package(folder / f"{name}.apkg", collection)
    collection.unlink()
    return package


def understated_bomb(
    package: Path, inflated: int, compression: int = zipfile.ZIP_LZMA, claimed: int = 4096
) -> Path:
    """An .apkg whose collection member unpacks to ``inflated`` bytes (an SQLite header, then zeros)
    while both of its zip headers claim ``claimed`` bytes."""
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(package, "w", compression=compression) as archive,
        archive.open("collection.anki2", "w") as member,
    ):
        member.write(b"SQLite format 3\x00")
        for _ in range(inflated // len(zeros)):
            member.write(zeros)
    data = bytearray(package.read_bytes())
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<L", data, local + 22, claimed)
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<L", data, central + 24, claimed)
    package.write_bytes(bytes(data))
    return package


MEASURE = """
import resource, sys, time
from pathlib import Path
from quizzer.errors import QuizzerError
from quizzer.exchange.anki_import import import_anki
start = time.perf_counter()
try:
    result = import_anki(Path(sys.argv[1]), "hostile")
    outcome = f"cards={result.cards} skipped={len(result.skipped)}"
    for reason in result.skipped[:3]:
        outcome += "\\n  " + reason
except QuizzerError as error:
    outcome = "error=" + error.message
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # Linux: the same high-water mark, read from the kernel's view of this process
    status = Path("/proc/self/status").read_text()
    peak_mb = max(peak_mb, int(status.split("VmHWM:")[1].split()[0]) / 1024)
except (OSError, IndexError, ValueError):
    pass
print(f"{elapsed:.3f} {peak_mb:.1f}")
print(outcome)
"""


# Linux hands a process the peak RSS of the one it was forked from (``ru_maxrss`` survives exec), and a
# test run is hundreds of MB: start the measured interpreter from a small one, so its peak is its own.
HOP = "import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', sys.argv[1], sys.argv[2]]))"


def measured_import(package: Path, timeout: float = 60) -> tuple[float, float, str]:
    """Import ``package`` in a fresh interpreter: (seconds, peak resident MB, what came out)."""
    done = subprocess.run(
        [sys.executable, "-c", HOP, MEASURE, str(package)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    first, _, outcome = done.stdout.partition("\n")
    seconds, peak = (float(value) for value in first.split())
    return seconds, peak, outcome
