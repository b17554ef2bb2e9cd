"""No control character from a file reaches the terminal: deck text refuses them with a located error,
and everything printed that came from a file (titles, file names, messages) is shown with visible
stand-ins instead."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_files import BASIC_MODEL, make_package

from quizzer.cli import cli, main
from quizzer.decks.loader import MAX_DEPTH, DeckFileError, load_sources, parse_deck
from quizzer.errors import UsageError
from quizzer.sanitize import strip_controls, visible

# Anything a terminal could obey: C0 except newline and tab, DEL, C1.
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
OSC_TITLE = "\x1b]0;pwned\x07"
GOOD = "id: good\ntitle: Good\ncards:\n  - {id: a, front: q, back: a}\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def assert_clean(text: str) -> None:
    assert not RAW.search(text), repr(RAW.search(text))


# -- the deck loader refuses control characters, with file:line:col: field: message ---------------


@pytest.mark.parametrize(
    ("yaml_text", "where", "char"),
    [
        ('id: d\ntitle: "Bad \\e]0;pwned\\a title"\ncards: []\n', "<deck>:2:8: title:", "U+001B (ESC)"),
        (
            'id: d\ntitle: T\ncards:\n  - {id: a, front: "\\e[2J", back: b}\n',
            "<deck>:4:20: cards[0].front:",
            "ESC",
        ),
        (
            'id: d\ntitle: T\ncards:\n  - id: a\n    front: q\n    back: "x\\x9b31m"\n',
            "<deck>:6:11: cards[0].back:",
            "U+009B (CSI)",
        ),
        ('id: d\ntitle: "carriage\\rreturn"\ncards: []\n', "<deck>:2:8: title:", "U+000D (CR)"),
        ('id: d\ntitle: "next\\Nline"\ncards: []\n', "<deck>:2:8: title:", "U+0085"),
    ],
)
def test_the_loader_refuses_control_characters_where_they_are(yaml_text: str, where: str, char: str) -> None:
    with pytest.raises(DeckFileError) as error:
        parse_deck(yaml_text)
    first = str(error.value).splitlines()[0]
    assert first.startswith(where) and char in first, first
    assert_clean(str(error.value))


def test_tabs_and_newlines_stay_allowed() -> None:
    deck = parse_deck('id: d\ntitle: "a\\tb"\ncards:\n  - {id: a, front: "line\\nnext", back: b}\n')
    assert deck.title == "a\tb" and deck.cards[0].front == "line\nnext"


def test_strip_and_show() -> None:
    assert strip_controls(f"a{OSC_TITLE}b\r\nc\rd\te\x9b") == "a]0;pwnedb\nc\nd\te"
    assert visible(f"a{OSC_TITLE}\x9b\n") == "a␛]0;pwned␇\\x9b\n"
    assert visible("a\nb\tc", one_line=True) == "a␊b␉c"


# -- 7. nesting below the parser's limit does not break the other decks ------------------------------


def test_a_deck_nested_990_deep_is_one_located_error_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text(
        "id: deep\ntitle: Deep\nx: " + "[" * 990 + "]" * 990 + "\ncards: []\n"
    )
    (tmp_path / "good.yaml").write_text(GOOD)
    collection = load_sources([(tmp_path, False)])
    assert [loaded.deck.id for loaded in collection.decks] == ["good"]
    assert [(issue.path, issue.line) for issue in collection.issues] == [(str(tmp_path / "deep.yaml"), 3)]
    assert f"nested more than {MAX_DEPTH} levels" in collection.issues[0].message
    code, out = run("--decks", str(tmp_path), "decks", "list")
    assert code == 0 and "good" in out and "recursion" not in out


def test_a_block_yaml_deck_nested_deep_is_refused(tmp_path: Path) -> None:
    lines = ["id: deep", "title: Deep", "cards: []", "x:"]
    lines += [" " * (2 * level) + "- " for level in range(1, 400)]
    with pytest.raises(DeckFileError, match="nested more than"):
        parse_deck("\n".join(lines) + "1\n")


# -- the output boundary: file names, titles and messages are shown, never obeyed --------------------


def test_decks_lint_shows_a_hostile_file_name_with_visible_escapes(tmp_path: Path) -> None:
    hostile = tmp_path / f"evil{OSC_TITLE}.yaml"
    hostile.write_text("id: evil\ntitle: [unclosed\n")
    code, out = run("decks", "lint", str(tmp_path))
    assert code == 1
    assert_clean(out)
    assert "evil␛]0;pwned␇.yaml" in out


def test_decks_list_never_prints_a_control_character(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text('id: bad\ntitle: "Bad \\e]52;c;Y3VybA==\\a"\ncards: []\n')
    (tmp_path / f"name{OSC_TITLE}.yaml").write_text(GOOD)
    code, out = run("--decks", str(tmp_path), "decks", "list")
    assert code == 0
    assert_clean(out)
    assert "good" in out and "control character" in out
    result = CliRunner().invoke(cli, ["--decks", str(tmp_path), "decks", "list", "--json"])
    assert_clean(result.stdout + result.stderr)
    rows = json.loads(result.stdout)
    assert any(row["path"].endswith(f"name{OSC_TITLE}.yaml") for row in rows)  # JSON keeps the data, escaped


def test_import_messages_never_print_a_control_character(tmp_path: Path) -> None:
    note = ("g", BASIC_MODEL, "", "\x1b]0;pwned\x07\x1fback")  # a front that is nothing but an escape
    package = make_package(tmp_path, f"pkg{OSC_TITLE}", [note, ("h", BASIC_MODEL, "", "ok\x1fback")])
    code, out = run("import", "anki", str(package), "--deck", "imp", "--out", str(tmp_path / "out.yaml"))
    assert code == 0, out
    assert_clean(out)
    assert_clean((tmp_path / "out.yaml").read_text())


def test_error_messages_are_shown_with_visible_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / f"rows{OSC_TITLE}.csv"
    table.write_text("\n\n")
    with pytest.raises(SystemExit):
        main(["import", "csv", str(table), "--deck", "x", "--out", str(tmp_path / "x.yaml")])
    err = capsys.readouterr().err
    assert_clean(err)
    assert "rows␛]0;pwned␇.csv" in err


def test_click_errors_quoting_a_path_are_shown_with_visible_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["import", "csv", str(tmp_path / f"missing{OSC_TITLE}.csv"), "--deck", "x"])
    err = capsys.readouterr().err
    assert_clean(err)
    assert "missing" in err


def test_an_unexpected_error_is_shown_with_visible_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError(f"boom {OSC_TITLE}")

    monkeypatch.setattr("quizzer.tui.launch.load_for", explode)
    with pytest.raises(SystemExit):
        main(["decks", "list"])
    err = capsys.readouterr().err
    assert_clean(err)
    assert "boom ␛]0;pwned␇" in err


def test_usage_errors_are_shown_with_visible_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise UsageError(f"no deck {OSC_TITLE}\x9b2J")

    monkeypatch.setattr("quizzer.tui.launch.load_for", refuse)
    with pytest.raises(SystemExit):
        main(["decks", "list"])
    assert_clean(capsys.readouterr().err)


def test_json_output_escapes_c1_controls(tmp_path: Path) -> None:
    (tmp_path / "c1\x9b2J.yaml").write_text(GOOD)
    code, out = run("--decks", str(tmp_path), "decks", "list", "--json")
    assert code == 0
    assert_clean(out)
    assert "\\u009b" in out
