from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizzer.decks import parse_deck
from quizzer.exchange import csv_import
from quizzer.exchange.csv_import import CsvError, import_csv
from quizzer.exchange.deck_yaml import stable_id

CASES = {
    "header by name, any order": (
        "tags,Back,Front\n\"stats, bayes\",B1,F1\n,B2,F2\n",
        [("F1", "B1", ["stats", "bayes"]), ("F2", "B2", None)]),
    "no header: front, back, tags": (
        "What is recall?,TP / (TP + FN),metrics recall\nWhat is 2+2?,4,\n",
        [("What is recall?", "TP / (TP + FN)", ["metrics", "recall"]), ("What is 2+2?", "4", None)]),
    "question/answer header, semicolons": (
        "question;answer\nQ1;A1\nQ2;\"multi\nline\"\n",
        [("Q1", "A1", None), ("Q2", "multi\nline", None)]),
    "tabs": ("front\tback\ttags\nF\tB\tT::Sub\n", [("F", "B", ["t-sub"])]),
    "Anki text export with header lines and HTML": (
        "#separator:tab\n#html:true\n#tags column:3\nWhat is <b>bias</b>?\tError<br>from assumptions\tml\n",
        [("What is **bias**?", "Error\nfrom assumptions", ["ml"])]),
    "UTF-8 with BOM and unicode": ("\ufefffront,back\nR²?,coefficient of determination\n",
                                   [("R²?", "coefficient of determination", None)]),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_import_csv(tmp_path: Path, text: str, expected: list[tuple[str, str, list[str] | None]]) -> None:
    path = tmp_path / "cards.csv"
    path.write_text(text, encoding="utf-8")
    imported = import_csv(path, "my-cards")
    deck = parse_deck(imported.text)  # passes `quizzer decks lint`
    assert deck.id == "my-cards" and deck.title == "My cards"
    assert [(card.front, card.back, card.tags or None) for card in deck.cards] == expected
    assert [card.id for card in deck.cards] == [stable_id("card", front) for front, _, _ in expected]


def test_rows_without_both_sides_are_reported_and_ids_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("front,back,id\nSame,one,\nSame,two,\nNo back,,\n,No front,\nGiven,x,My Card\n")
    imported = import_csv(path, "d", title="Mine")
    cards = yaml.safe_load(imported.text)["cards"]
    assert [card["id"] for card in cards] == [stable_id("card", "Same"), stable_id("card", "Same") + "-2", "my-card"]
    assert imported.skipped == ["row 4: no back", "row 5: no front"]
    assert yaml.safe_load(imported.text)["title"] == "Mine"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "no rows"), (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary"),  # UTF-16 with a BOM is read now
     (b"f\x00r\x00o\x00n\x00t\x00,\x00b\x00", "UTF-16"), (b"caf\xe9,x\n", "not UTF-8"),
     (b"front,back\nonly front,\n", "no row has both")],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CsvError, match=message):
        import_csv(path, "d")


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_text("front,back\n" + "q,a\n" * 100)
    monkeypatch.setattr(csv_import, "MAX_CSV_BYTES", 100)
    with pytest.raises(CsvError, match="larger than"):
        import_csv(path, "d")
