"""Start the apps from the command line: load decks, open the store, run, and never show a traceback."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from quizzer import collector, paths
from quizzer.decks.loader import DeckCollection, LoadedDeck, load_sources
from quizzer.decks.model import Deck
from quizzer.decks.sources import deck_sources
from quizzer.errors import QuizzerError, UsageError
from quizzer.session import SessionConfig
from quizzer.store import Store

ALL = "*"


def _is_path(target: str) -> bool:
    return target != ALL and Path(target).exists()


def load_for(deck_paths: list[Path], drill: list[str] | None) -> DeckCollection:
    """Built-in, user and ``--decks`` decks, plus any paths named to drill (those first, so they win ids)."""
    targets = [Path(target) for target in drill or [] if _is_path(target)]
    return load_sources([*((path, False) for path in targets), *deck_sources(deck_paths)], paths.cache_dir())


def _under(loaded: LoadedDeck, path: Path) -> bool:
    file, root = loaded.path.resolve(), path.resolve()
    return file == root or root in file.parents


def resolve_targets(collection: DeckCollection, targets: list[str]) -> list[Deck]:
    """Deck ids or paths (or ``*`` for all) -> the decks to drill, in the order named, without repeats."""
    chosen: dict[str, Deck] = {}
    for target in targets:
        if target == ALL:
            matched = collection.decks
        elif _is_path(target):
            matched = [loaded for loaded in collection.decks if _under(loaded, Path(target))]
            if not matched:
                problems = [str(issue) for issue in collection.issues if _names(issue.path, Path(target))]
                detail = ("\n" + "\n".join(problems)) if problems else ""
                raise UsageError(f"{target} holds no deck that loads.{detail}")
        else:
            loaded = collection.by_id(target)
            if loaded is None:
                known = ", ".join(loaded.deck.id for loaded in collection.decks) or "none"
                raise UsageError(f"no deck with id or path {target!r}. Known decks: {known}")
            matched = [loaded]
        for loaded in matched:
            chosen.setdefault(loaded.deck.id, loaded.deck)
    if not chosen:
        raise UsageError("no decks to drill.")
    return list(chosen.values())


def _names(issue_path: str, target: Path) -> bool:
    issue = Path(issue_path).resolve()
    root = target.resolve()
    return issue == root or root in issue.parents


def _fail(error: QuizzerError) -> None:
    print(f"{error.title}: {error.message}", file=sys.stderr)
    raise SystemExit(1)


def run_app(
    db_path: Path,
    deck_paths: list[Path],
    drill: list[str] | None = None,
    *,
    headless: bool = False,
    weak: bool = False,
    config: SessionConfig | None = None,
) -> None:
    """Open the drill app: Home when ``drill`` is None, else straight into drilling those decks.

    With ``weak``, drill only the cards of the weakest topics of those decks (all decks when ``drill``
    is None); when nothing is weak yet, say so and return without opening the app.
    """
    # The collector waits until the first screen is painted (the screen resumes it); the decks, loaded now, and what
    # Textual builds then live as long as the app and are frozen out of its reach: its full passes (tens of ms at
    # 20,000 cards, at random moments of a drill) never rescan them.
    collector.pause()
    try:
        _run_app(db_path, deck_paths, drill, headless=headless, weak=weak, config=config)
    finally:
        collector.resume()


def _run_app(
    db_path: Path,
    deck_paths: list[Path],
    drill: list[str] | None,
    *,
    headless: bool,
    weak: bool,
    config: SessionConfig | None,
) -> None:
    collection = load_for(deck_paths, drill)
    try:
        decks = resolve_targets(collection, drill) if drill is not None else None
        store = Store(db_path, backup_dir=db_path.parent / "backups")
    except QuizzerError as error:
        _fail(error)
        return
    with store:
        cards = None
        config = config or SessionConfig()
        if weak:
            from quizzer.tui.weak_spots import decks_of, find_weak_cards  # only when asked

            cards, reason = find_weak_cards(
                store, decks or [loaded.deck for loaded in collection.decks], datetime.now(UTC), config
            )
            if not cards:
                print(reason)
                return
            decks = decks_of(cards)
        from quizzer.tui.app import QuizzerApp  # textual is imported only when the app really runs

        app = QuizzerApp(store, collection, drill=decks, drill_cards=cards, config=config)
        app.run(headless=headless)
    _after(app.crash_report)


def run_interview(
    db_path: Path,
    deck_paths: list[Path],
    targets: list[str],
    *,
    minutes: int,
    questions: int,
    config: SessionConfig | None = None,
    headless: bool = False,
) -> None:
    """Open the app straight into a mock interview over ``targets`` (deck ids or paths; all when empty).

    Decks that hold nothing a round can ask are reported here, before the app opens (exit 1).
    """
    from quizzer.interview import InterviewRequest, choose_questions

    collection = load_for(deck_paths, targets)
    config = config or SessionConfig()
    try:
        decks = resolve_targets(collection, targets or [ALL])
        store = Store(db_path, backup_dir=db_path.parent / "backups")
    except QuizzerError as error:
        _fail(error)
        return
    with store:
        try:
            choose_questions(store, decks, now=datetime.now(UTC), count=questions, seed=0, config=config)
        except QuizzerError as error:
            _fail(error)
            return
        from quizzer.tui.app import QuizzerApp

        request = InterviewRequest(decks, minutes, questions)
        app = QuizzerApp(store, collection, config=config, interview=request)
        app.run(headless=headless)
    _after(app.crash_report)


def run_preview(path: Path) -> None:
    """Preview a deck file (or folder) as users will see it; reloads on save; never opens the database."""
    from quizzer.tui.app import PreviewApp

    app = PreviewApp(path)
    app.run()
    _after(app.crash_report)


def _after(crash_report: str | None) -> None:
    if crash_report:
        print(crash_report, file=sys.stderr)
        raise SystemExit(2)
