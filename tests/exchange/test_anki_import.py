"""Anki packages -> decks, and packages treated as the untrusted input they are."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from quizzer.decks import parse_deck
from quizzer.exchange import anki_import
from quizzer.exchange.anki_import import PackageError, cloze_cards, import_anki
from quizzer.exchange.deck_yaml import stable_id

BASIC = ("basic", ["What is <b>recall</b>?", "TP / (TP + FN)<br>also&nbsp;<i>sensitivity</i>"],
         ["Metrics::Classification", "exam_2024"], "guid-basic")
CLOZE = ("cloze", ["The {{c1::mean}} is pulled by {{c2::outliers::what?}}", "The <u>median</u> is robust"],
         ["stats"], "guid-cloze")


def cards_of(text: str) -> list[dict]:
    return yaml.safe_load(text)["cards"]


def test_basic_and_cloze_notes(make_apkg: Callable[..., Path]) -> None:
    package = make_apkg([BASIC, CLOZE, ("basic", ["Only a front", ""], [], "guid-empty")])
    imported = import_anki(package, "my-anki", title="My Anki")
    deck = parse_deck(imported.text)  # what `quizzer decks lint` checks
    assert (deck.id, deck.title, imported.cards) == ("my-anki", "My Anki", 3)
    assert cards_of(imported.text) == [
        {"id": stable_id("note", "guid-basic"), "front": "What is **recall**?",
         "back": "TP / (TP + FN)\nalso *sensitivity*", "tags": ["metrics-classification", "exam-2024"]},
        {"id": stable_id("note", "guid-cloze") + "-c1", "front": "The […] is pulled by outliers",
         "back": "The **mean** is pulled by outliers\n\nThe median is robust", "tags": ["stats"]},
        {"id": stable_id("note", "guid-cloze") + "-c2", "front": "The mean is pulled by [what?…]",
         "back": "The mean is pulled by **outliers**\n\nThe median is robust", "tags": ["stats"]},
    ]
    assert imported.skipped == ["'Only a front': nothing on the back"]


def test_ids_are_stable_and_unique(make_apkg: Callable[..., Path]) -> None:
    twin = ("basic", ["Another", "card"], [], "guid-basic")  # the same guid twice
    first = cards_of(import_anki(make_apkg([BASIC, twin], name="a.apkg"), "d").text)
    second = cards_of(import_anki(make_apkg([BASIC, twin], name="b.apkg"), "d").text)
    assert [card["id"] for card in first] == [card["id"] for card in second]
    assert [card["id"] for card in first] == [stable_id("note", "guid-basic"), stable_id("note", "guid-basic") + "-2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{c1::a}} and {{c1::b}}", [(1, "[…] and […]", "<b>a</b> and <b>b</b>")]),
        ("{{c2::x::hint}} {{c1::y}}", [(1, "x […]", "x <b>y</b>"), (2, "[hint…] y", "<b>x</b> y")]),
        ("no gaps", []),
    ],
)
def test_cloze_cards(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert cloze_cards(text) == expected


def test_scripts_and_media_are_not_carried_over(make_apkg: Callable[..., Path]) -> None:
    note = ("basic", ['Q<script>alert("x")</script><img src="evil.png"> [sound:a.mp3]', "A<style>p{}</style>"], [],
            "g")
    imported = import_anki(make_apkg([note]), "d")
    assert cards_of(imported.text)[0] == {"id": stable_id("note", "g"), "front": "Q[image]", "back": "A"}


def test_member_names_are_never_used_as_paths(make_apkg: Callable[..., Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    package = make_apkg([BASIC], extra={"../evil.txt": b"x", "/tmp/quizzer-evil.txt": b"x", "0": b"media"})
    assert import_anki(package, "d").cards == 1
    assert list(work.iterdir()) == [] and not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/quizzer-evil.txt").exists()


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.apkg"
    path.write_bytes(b"not a zip" * 100)
    with pytest.raises(PackageError, match="not an Anki package"):
        import_anki(path, "d")


def test_zip_without_a_collection(tmp_path: Path) -> None:
    path = tmp_path / "x.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PackageError, match="no Anki collection"):
        import_anki(path, "d")


def test_newest_format_asks_for_a_legacy_export(tmp_path: Path, make_apkg: Callable[..., Path]) -> None:
    only_new = tmp_path / "new.apkg"
    with zipfile.ZipFile(only_new, "w") as archive:
        archive.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd zstd")
    with pytest.raises(PackageError, match="Support older Anki versions"):
        import_anki(only_new, "d")
    # Newer Anki puts a stand-in collection beside it, whose one note asks to update Anki.
    notice = ("basic", ["Please update to the latest Anki version, then import the .colpkg/.apkg file again.", ""],
              [], "n")
    with pytest.raises(PackageError, match="Support older Anki versions"):
        import_anki(make_apkg([notice], extra={"collection.anki21b": b"zstd"}), "d")


def test_legacy_anki21_collection_is_preferred(make_apkg: Callable[..., Path]) -> None:
    package = make_apkg([BASIC], member="collection.anki21")
    assert import_anki(package, "d").cards == 1


def test_collection_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "x.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"garbage" * 1000)
    with pytest.raises(PackageError, match="not an SQLite database"):
        import_anki(path, "d")


def test_oversized_collection_is_refused(make_apkg: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    package = make_apkg([BASIC])
    monkeypatch.setattr(anki_import, "MAX_COLLECTION_BYTES", 10_000)
    with pytest.raises(PackageError, match="larger than"):
        import_anki(package, "d")


def test_zip_bomb_with_a_lying_size_is_not_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"SQLite format 3\x00" + bytes(20 * 1024 * 1024))
    data = bytearray(path.read_bytes())
    # Claim 1 KB uncompressed in both the local header and the central directory.
    struct.pack_into("<I", data, 22, 1024)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1024)
    path.write_bytes(bytes(data))
    with pytest.raises(PackageError, match="damaged"):
        import_anki(path, "d")


def test_too_many_notes(make_apkg: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    package = make_apkg([BASIC, CLOZE, ("basic", ["x", "y"], [], "third")])
    monkeypatch.setattr(anki_import, "MAX_NOTES", 2)
    with pytest.raises(PackageError, match="more than 2 notes"):
        import_anki(package, "d")


def test_bad_deck_id() -> None:
    from quizzer.errors import UsageError

    with pytest.raises(UsageError, match="slug"):
        import_anki(Path("unused.apkg"), "Not A Slug")


def test_huge_table_of_contents_is_refused_before_parsing(make_apkg: Callable[..., Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    package = make_apkg([BASIC], extra={f"media-{index}": b"" for index in range(200)})
    assert import_anki(package, "d").cards == 1
    monkeypatch.setattr(anki_import, "MAX_DIRECTORY_BYTES", 1000)
    with pytest.raises(PackageError, match="too many files"):
        import_anki(package, "d")


def test_zip64_directory_size_is_read(tmp_path: Path) -> None:
    path = tmp_path / "z64.zip"
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        archive.writestr("collection.anki2", b"x")
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    size = struct.unpack_from("<I", data, end + 12)[0]
    # Rewrite as a Zip64 archive: a Zip64 end record and locator before the classic end record.
    offset = struct.unpack_from("<I", data, end + 16)[0]
    zip64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    struct.pack_into("<I", data, end + 12, 0xFFFFFFFF)
    path.write_bytes(bytes(data[:end]) + zip64 + locator + bytes(data[end:]))
    assert anki_import._directory_size(path) == size
