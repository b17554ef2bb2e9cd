"""Files from others are read only when they are regular files, and never past the reader's limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizzer.files import FileTooLarge, open_regular, read_regular


def test_a_regular_file_is_read_whole_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, 100) == b"x" * 100
    with pytest.raises(FileTooLarge) as caught:
        read_regular(path, 99)
    assert caught.value.size == 100 and "larger than 99 bytes" in str(caught.value)


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_anything_but_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    # A FIFO would block the read until a writer came; /dev/zero reports a size of 0 and never ends.
    path = tmp_path / "deck.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    for read in (lambda: read_regular(path, 1 << 20), lambda: open_regular(path).close()):
        with pytest.raises(OSError, match="not a regular file"):
            read()


def test_a_file_that_grows_after_it_was_looked_at_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "segment.jsonl"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat
    looks = []

    def fstat_then_grow(descriptor: int) -> os.stat_result:
        found = real_fstat(descriptor)
        looks.append(found.st_size)
        if len(looks) == 2:  # the size check: the file grows between it and the read
            with path.open("ab") as handle:
                handle.write(b"y" * 1000)
        return found

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    with pytest.raises(FileTooLarge) as caught:
        read_regular(path, 100)
    assert caught.value.size == 101  # what was read: one byte past the limit, not the 1,010 on disk


def _deck(path: Path) -> None:
    from quizzer.decks.loader import load_deck

    load_deck(path)


def _csv(path: Path) -> None:
    from quizzer.exchange.csv_import import import_csv

    import_csv(path, "imported")


def _anki(path: Path) -> None:
    from quizzer.exchange.anki_import import import_anki

    import_anki(path, "imported")


@pytest.mark.parametrize("read", [_deck, _csv, _anki], ids=["deck", "csv", "anki package"])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_deck_or_import_on_a_fifo_or_device_is_an_error_naming_the_file(
    tmp_path: Path, read: object, kind: str
) -> None:
    path = tmp_path / "shared.file"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(Exception, match="not a regular file") as caught:
        read(path)  # type: ignore[operator]
    assert "shared.file" in str(caught.value)
