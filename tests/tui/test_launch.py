"""Starting the app from the command line: which decks `quizzer drill` picks, and start-up errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tui_support import CHOICE_DECK, CONFIG, NOW, NUMERIC_DECK, OPEN_DECK, SEED, Clock

from quizzer.decks.loader import load_sources
from quizzer.decks.model import PENDING, Deck
from quizzer.errors import UsageError
from quizzer.session import Session
from quizzer.store import Store
from quizzer.tui import launch
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.drill import DrillScreen

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "numbers.yaml").write_text(NUMERIC_DECK, encoding="utf-8")
    (folder / "choices.yaml").write_text(CHOICE_DECK, encoding="utf-8")
    (tmp_path / "recall.yaml").write_text(OPEN_DECK, encoding="utf-8")
    return folder


def test_drill_targets_by_id_path_folder_and_all(deck_dir: Path) -> None:
    recall = deck_dir.parent / "recall.yaml"
    collection = launch.load_for([deck_dir], [str(recall)])
    ids = lambda decks: [deck.id for deck in decks]  # noqa: E731
    assert ids(launch.resolve_targets(collection, ["numbers"])) == ["numbers"]
    assert ids(launch.resolve_targets(collection, [str(recall)])) == ["recall"]
    assert ids(launch.resolve_targets(collection, [str(deck_dir), "numbers"])) == ["choices", "numbers"]
    assert {"recall", "numbers", "choices", "evaluation-metrics"} <= set(
        ids(launch.resolve_targets(collection, ["*"]))
    )
    with pytest.raises(UsageError, match="no deck with id or path 'nope'"):
        launch.resolve_targets(collection, ["nope"])


def test_drill_of_a_broken_file_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(NUMERIC_DECK.replace("kind: numeric", "kind: numerik"), encoding="utf-8")
    collection = launch.load_for([], [str(broken)])
    with pytest.raises(UsageError, match=r"broken\.yaml:5:"):
        launch.resolve_targets(collection, [str(broken)])


def test_run_app_drill_path_skips_home(
    deck_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[QuizzerApp] = []
    monkeypatch.setattr(QuizzerApp, "run", lambda self, *a, **k: started.append(self))
    launch.run_app(tmp_path / "db" / "q.db", [], drill=[str(deck_dir / "numbers.yaml")])
    assert [deck.id for deck in started[0].drill or []] == ["numbers"]
    launch.run_app(tmp_path / "db" / "q.db", [], drill=None)
    assert started[1].drill is None


def test_bad_database_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder_as_db = tmp_path / "db"
    folder_as_db.mkdir()
    with pytest.raises(SystemExit) as exit_:
        launch.run_app(folder_as_db, [])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Database error" in err and "is a folder" in err and "Traceback" not in err


def test_unknown_deck_id_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        launch.run_app(tmp_path / "q.db", [], drill=["no-such-deck"])
    assert exit_.value.code == 1
    assert "no deck with id or path 'no-such-deck'" in capsys.readouterr().err


def test_start_up_does_not_import_scikit_learn() -> None:
    """Loading every built-in deck and building the app must not import sklearn (first card fast)."""
    code = (
        "import sys\n"
        "from quizzer.tui import launch\n"
        "from quizzer.tui.app import QuizzerApp\n"
        "collection = launch.load_for([], None)\n"
        "assert collection.decks, collection.issues\n"
        "print('sklearn' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False", result.stderr


def test_textual_stays_inside_quizzer_tui() -> None:
    code = (
        "import sys\n"
        "import quizzer.cli, quizzer.session, quizzer.stats, quizzer.decks.sources, quizzer.render\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False", result.stderr


def parsed(decks: list[Deck]) -> list[str]:
    """The decks whose cards' content has been parsed (a cached deck's cards hold ids and kinds until then)."""
    return [deck.id for deck in decks if not any(PENDING in card.__dict__ for card in deck.cards)]


def test_a_cached_session_parses_only_the_decks_of_the_cards_it_asks(deck_dir: Path, tmp_path: Path) -> None:
    """Building the queue needs ids and kinds; a card's content is parsed when its item is made."""
    cache = tmp_path / "cache"
    fresh = [loaded.deck for loaded in load_sources([(deck_dir, False)], cache).decks]  # fills the cache
    decks = [loaded.deck for loaded in load_sources([(deck_dir, False)], cache).decks]
    store = Store(tmp_path / "q.db")
    session = Session(store, decks, now=NOW, seed=SEED, config=CONFIG)
    assert parsed(decks) == []
    item = session.next()
    assert item is not None and parsed(decks) == [item.deck.id]
    same = Session(store, fresh, now=NOW, seed=SEED, config=CONFIG)  # the same queue, parsed up front
    first = same.next()
    assert first is not None and (item.deck.id, item.card.id) == (first.deck.id, first.card.id)
    shown = [(queued.deck.id, queued.card.id, queued.options) for queued in session.queue]
    assert shown == [(queued.deck.id, queued.card.id, queued.options) for queued in same.queue]
    assert decks == fresh


async def test_the_app_parses_the_other_decks_once_its_first_card_is_shown(
    deck_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load_sources([(deck_dir, False)], cache)  # a first launch fills the cache
    collection = load_sources([(deck_dir, False)], cache)
    decks = [loaded.deck for loaded in collection.decks]
    app = QuizzerApp(
        Store(tmp_path / "q.db"), collection, drill=decks, clock=Clock(), seed=SEED, config=CONFIG
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, DrillScreen) and app.screen.panel is not None
        assert sorted(parsed(decks)) == sorted(deck.id for deck in decks)
