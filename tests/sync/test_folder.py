"""Damaged segments are skipped and read once whole; a folder that is not a sync folder is refused; a folder
that cannot be written loses nothing."""

from __future__ import annotations

import errno
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sync_support import START, answer, snapshot

import quizzer.sync as sync_module
from quizzer.store import Store
from quizzer.sync import MARKER, SyncError, sync


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Store, Store, Path]:
    """Device one has sent three reviews; device two has not synced yet."""
    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    for minute, card in enumerate(["a", "b", "c"]):
        answer(one, card, 4, START + timedelta(minutes=minute))
    folder = tmp_path / "sync"
    sync(one, folder)
    return one, two, folder


def segment_of(store: Store, folder: Path) -> Path:
    (path,) = (folder / store.device_id).iterdir()
    return path


@pytest.mark.parametrize("cut", ["mid-line", "line boundary", "header only", "empty"])
def test_a_truncated_segment_is_skipped_then_read_once_whole(
    pair: tuple[Store, Store, Path], cut: str
) -> None:
    one, two, folder = pair
    segment = segment_of(one, folder)
    whole = segment.read_bytes()
    lines = whole.split(b"\n")
    partial = {
        "mid-line": whole[: len(whole) - 40],
        "line boundary": b"\n".join(lines[:3]) + b"\n",
        "header only": lines[0] + b"\n",
        "empty": b"",
    }[cut]
    segment.write_bytes(partial)  # as a sync tool mid-copy leaves it
    report = sync(two, folder)
    assert report.received == 0 and two.total_reviews() == 0
    assert [path for path, _why in report.skipped] == [segment]
    assert "will be read once it is whole" in report.warnings()[0]
    segment.write_bytes(whole)
    report = sync(two, folder)
    assert (report.received, report.skipped) == (3, [])
    assert snapshot(two) == snapshot(one)


@pytest.mark.parametrize(
    "damage",
    [
        "garbage bytes",
        "not json",
        "wrong field type",
        "wrong sequence",
        "bad quality",
        "header of another device",
        "extra field",
    ],
)
def test_a_malformed_segment_is_skipped_and_the_rest_is_read(
    pair: tuple[Store, Store, Path], damage: str
) -> None:
    one, two, folder = pair
    good = segment_of(one, folder)
    answer(one, "d", 5, START + timedelta(days=1))
    sync(one, folder)  # a second, intact segment
    header, *rows = good.read_text(encoding="utf-8").splitlines()
    columns = json.loads(header)["columns"]
    first = json.loads(rows[0])  # one review: its values in the order of the header's columns
    if damage == "garbage bytes":
        good.write_bytes(os.urandom(300) + b"\n")
    elif damage == "not json":
        good.write_text("\n".join([header, "{oops", *rows[1:]]) + "\n", encoding="utf-8")
    else:
        if damage == "wrong field type":
            first[columns.index("quality")] = "5"
        elif damage == "wrong sequence":
            first[columns.index("seq")] = 7
        elif damage == "bad quality":
            first[columns.index("quality")] = 9
        elif damage == "extra field":
            first.append("edited by hand")
        elif damage == "header of another device":
            header = header.replace(one.device_id, "0123456789abcdef")
        good.write_text("\n".join([header, json.dumps(first), *rows[1:]]) + "\n", encoding="utf-8")
    report = sync(two, folder)
    assert [path for path, _why in report.skipped] == [good]
    assert report.received == 1  # the intact segment
    assert set(two.card_states()) == {("deck", "d")}
    # Skipped again on the next sync (reported each time), never half inserted.
    assert [path for path, _why in sync(two, folder).skipped] == [good]
    assert two.total_reviews() == 1


def as_version_1(segment: Path) -> None:
    """Rewrite a segment as format version 1 wrote it: no columns in the header, one object per review."""
    header, *rows = segment.read_text(encoding="utf-8").splitlines()
    meta = json.loads(header)
    columns = meta.pop("columns")
    meta["version"] = 1
    objects = [json.dumps(dict(zip(columns, json.loads(row), strict=True))) for row in rows]
    segment.write_text("\n".join([json.dumps(meta), *objects]) + "\n", encoding="utf-8")


def test_a_version_1_folder_is_still_read_and_its_marker_upgraded_on_the_next_write(
    pair: tuple[Store, Store, Path],
) -> None:
    one, two, folder = pair
    as_version_1(segment_of(one, folder))
    (folder / MARKER).write_text(
        json.dumps({"format": "quizzer-sync", "version": 1}) + "\n", encoding="utf-8"
    )
    assert sync(one, folder).skipped == []  # its own version 1 segment passes the copied-file check
    report = sync(two, folder)
    assert (report.received, report.skipped) == (3, [])
    assert snapshot(two) == snapshot(one)
    assert json.loads((folder / MARKER).read_text(encoding="utf-8"))["version"] == 1  # nothing written yet
    answer(two, "d", 4, START + timedelta(days=1))
    assert sync(two, folder).sent == 1
    assert json.loads((folder / MARKER).read_text(encoding="utf-8"))["version"] == sync_module.FORMAT_VERSION
    assert sync(one, folder).received == 1
    assert snapshot(two) == snapshot(one)


def test_stray_files_and_temporary_names_are_ignored(pair: tuple[Store, Store, Path]) -> None:
    one, two, folder = pair
    directory = folder / one.device_id
    (directory / ".000000000004-000000000009.jsonl.123.tmp").write_text("half", encoding="utf-8")
    (directory / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "README").write_text("shared folder", encoding="utf-8")
    report = sync(two, folder)
    assert (report.received, report.skipped) == (3, [])


def test_a_folder_that_is_not_a_sync_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    with Store(tmp_path / "q.db") as store:
        answer(store, "a", 5, START)
        with pytest.raises(SyncError, match="not a Quizzer sync folder"):
            sync(store, folder)
    assert sorted(path.name for path in folder.iterdir()) == ["cat.jpg"]


def test_an_empty_or_hidden_only_folder_becomes_a_sync_folder(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    (folder / ".git").mkdir(parents=True)
    with Store(tmp_path / "q.db") as store:
        answer(store, "a", 5, START)
        report = sync(store, folder)
    assert report.created and report.sent == 1
    assert json.loads((folder / MARKER).read_text(encoding="utf-8")) == {
        "format": "quizzer-sync",
        "version": sync_module.FORMAT_VERSION,
    }


@pytest.mark.parametrize(
    "marker",
    [
        json.dumps({"format": "quizzer-sync", "version": sync_module.FORMAT_VERSION + 1}),
        '{"format": "other", "version": 1}',
        "not json",
    ],
)
def test_a_newer_or_foreign_marker_is_refused(tmp_path: Path, marker: str) -> None:
    folder = tmp_path / "sync"
    folder.mkdir()
    (folder / MARKER).write_text(marker, encoding="utf-8")
    with Store(tmp_path / "q.db") as store:
        answer(store, "a", 5, START)
        with pytest.raises(SyncError):
            sync(store, folder)
    assert [path.name for path in folder.iterdir()] == [MARKER]


def test_a_read_only_folder_loses_nothing(
    pair: tuple[Store, Store, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two, folder = pair
    answer(two, "z", 5, START + timedelta(hours=2))
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() == 0:  # root writes through permission bits: make the file system refuse instead

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(sync_module, "_write_atomically", refuse)
    try:
        with pytest.raises(SyncError, match="were not sent; they stay in the database") as caught:
            sync(two, folder)
        assert "The 3 reviews received were kept" in caught.value.message
        assert caught.value.report is not None and caught.value.report.received == 3
        assert two.total_reviews() == 4  # its own answer and the three received
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        monkeypatch.undo()
    report = sync(two, folder)
    assert (report.sent, report.received) == (1, 0)
    assert sync(one, folder).received == 1
    assert snapshot(one) == snapshot(two)


@pytest.mark.parametrize("first", ["original", "copy"])
def test_a_copied_database_file_is_detected_not_mixed(tmp_path: Path, first: str) -> None:
    folder = tmp_path / "sync"
    with Store(tmp_path / "original.db") as original:
        answer(original, "a", 5, START)
        sync(original, folder)
    shutil.copy(tmp_path / "original.db", tmp_path / "copy.db")  # the second machine starts from a copy
    stores = {"original": Store(tmp_path / "original.db"), "copy": Store(tmp_path / "copy.db")}
    answer(stores["original"], "b", 5, START + timedelta(days=1))
    answer(stores["copy"], "c", 2, START + timedelta(days=1))
    second = "copy" if first == "original" else "original"
    sync(stores[first], folder)
    counts = {name: store.total_reviews() for name, store in stores.items()}
    with pytest.raises(SyncError, match="share the device id"):
        sync(stores[second], folder)
    assert {name: store.total_reviews() for name, store in stores.items()} == counts  # nothing mixed in
    assert ("deck", "c") in stores["copy"].card_states() and ("deck", "b") in stores["original"].card_states()


def test_a_segment_larger_than_its_reviews_can_be_is_skipped_unread(
    pair: tuple[Store, Store, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two, folder = pair
    good = segment_of(one, folder)
    whole = good.read_bytes()
    # Three reviews may take three lines' worth; a file padded past that (a hostile or damaged file) is not
    # read into memory at all.
    limit = sync_module._size_limit(3)
    with good.open("ab") as handle:
        handle.truncate(limit + 1)
    read = []
    real_fdopen = os.fdopen

    def fdopen(descriptor: int, *args: object, **kwargs: object) -> object:
        handle = real_fdopen(descriptor, *args, **kwargs)  # type: ignore[call-overload]
        if os.fstat(descriptor).st_ino == good.stat().st_ino:
            real_read = handle.read
            handle.read = lambda *size: read.append(size) or real_read(*size)
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    report = sync(two, folder)
    assert read == [] and report.received == 0
    [(path, why)] = report.skipped
    assert path == good and "too large" in why
    monkeypatch.undo()
    good.write_bytes(whole)
    assert sync(two, folder).received == 3


def test_a_long_typed_answer_is_logged_cut_to_the_limit_and_syncs(tmp_path: Path) -> None:
    from quizzer.store.store import MAX_ANSWER_CHARS

    one, two = Store(tmp_path / "one.db"), Store(tmp_path / "two.db")
    answer(one, "a", 4, START, text="\x1b" * (MAX_ANSWER_CHARS * 3))  # escaped as 6 bytes each in a segment
    sync(one, tmp_path / "sync")
    assert sync(two, tmp_path / "sync").received == 1
    [row] = two.reviews()
    assert row["answer"] == "\x1b" * MAX_ANSWER_CHARS


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_segment_that_is_no_regular_file_is_skipped_without_blocking(
    pair: tuple[Store, Store, Path], kind: str
) -> None:
    """A segment name on a FIFO (a read would wait for a writer forever), on a link to /dev/zero (it reports
    no size and never ends) or on a folder is reported and skipped; the real segment is still read."""
    one, two, folder = pair
    strange = folder / one.device_id / f"{4:012d}-{4:012d}.jsonl"
    if kind == "fifo":
        os.mkfifo(strange)
    elif kind == "device":
        strange.symlink_to("/dev/zero")
    else:
        strange.mkdir()
    report = sync(two, folder)
    assert report.received == 3
    [(path, why)] = report.skipped
    assert path == strange and "not a regular file" in why
