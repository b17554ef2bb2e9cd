"""The ``quizzer`` command: parse options, build the objects, call them, print.

With no subcommand it opens the drill app on the built-in decks (and the user's own).
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from quizzer import __version__, paths
from quizzer.errors import QuizzerError, UsageError
from quizzer.sanitize import visible


class Context:
    """What every command needs: the database path, any extra deck paths, and the settings."""

    def __init__(self, db: Path | None, deck_paths: tuple[Path, ...], new_per_day: int | None = None,
                 day_start_hour: int | None = None) -> None:
        self.db_path = db or paths.default_db_path()
        self.deck_paths = deck_paths
        self._overrides = {"new_per_day": new_per_day, "day_start_hour": day_start_hour}

    @property
    def config(self):  # noqa: ANN201 - SessionConfig, imported lazily
        from quizzer.config import load_config

        return load_config(**self._overrides)

    def store(self):  # noqa: ANN201 - imported lazily to keep `quizzer --help` fast
        from quizzer.store import Store

        return Store(self.db_path, backup_dir=self.db_path.parent / "backups")

    def decks(self, extra: tuple[Path, ...] = ()):  # noqa: ANN201
        from quizzer.decks.sources import load_all

        return load_all([*self.deck_paths, *extra])


pass_context = click.make_pass_decorator(Context)


def _now() -> datetime:
    return datetime.now(UTC)


def _say(message: object = "", *, err: bool = False) -> None:
    """Print a line that may quote a file (a title, a file name, an error): every control character in it
    is shown as a visible stand-in (ESC -> ␛), so a deck or a file name cannot drive the terminal."""
    click.echo(visible(message), err=err)


_C1 = re.compile(r"[\x7f-\x9f]")


def _echo_json(value: Any) -> None:
    # json.dumps escapes C0 controls inside strings but leaves DEL and C1 (CSI \x9b) raw: escape them too.
    text = json.dumps(value, ensure_ascii=False, default=str)
    click.echo(_C1.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), envvar="QUIZZER_DB",
              help="Database file (default: quizzer.db in your data folder; env QUIZZER_DB).")
@click.option("--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra deck file or folder to load (repeatable).")
@click.option("--new-per-day", type=click.IntRange(0, 1000), default=None,
              help="New cards per study day (default 20, or new_per_day in the settings file).")
@click.option("--day-start-hour", type=click.IntRange(0, 23), default=None,
              help="Local hour a study day begins (default 4, or day_start_hour in the settings file).")
@click.version_option(__version__, prog_name="quizzer")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, deck_paths: tuple[Path, ...], new_per_day: int | None,
        day_start_hour: int | None) -> None:
    """Quizzer: spaced-repetition drills for ML interviews, with fresh generated problems.

    Run without a command to open the drill app.
    """
    ctx.obj = Context(db, deck_paths, new_per_day, day_start_hour)
    if ctx.invoked_subcommand is None:
        from quizzer.tui.launch import run_app

        run_app(ctx.obj.db_path, list(deck_paths), config=ctx.obj.config)


# -- decks -------------------------------------------------------------------------------------


@cli.group()
def decks() -> None:
    """List, lint and describe decks."""


@decks.command("lint")
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
def decks_lint(targets: tuple[Path, ...]) -> None:
    """Check deck files; print each problem as path:line:col: message. Exit 1 if any."""
    from quizzer.decks.loader import load_sources
    from quizzer.decks.sources import deck_sources

    sources = [(path, False) for path in targets] or deck_sources()
    collection = load_sources(sources)
    for issue in collection.issues:
        _say(str(issue))
    cards = sum(len(loaded.deck.cards) for loaded in collection.decks)
    summary = f"{len(collection.decks)} deck(s), {cards} card(s) OK"
    if collection.issues:
        _say(f"{summary}; {len(collection.issues)} problem(s).", err=True)
        sys.exit(1)
    _say(summary, err=True)


@decks.command("list")
@click.argument("targets", nargs=-1, metavar="[DECK]...")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of decks.")
@pass_context
def decks_list(obj: Context, targets: tuple[str, ...], as_json: bool) -> None:
    """Decks with their cards, due today and new counts (DECK: ids or paths, as in `drill`; default: all)."""
    from quizzer.session import all_deck_counts, study_day
    from quizzer.tui.launch import load_for, resolve_targets

    collection = load_for(list(obj.deck_paths), list(targets))
    # An unknown id or a path with no deck is an error (exit 1), as in `drill`.
    chosen = {deck.id for deck in resolve_targets(collection, list(targets))} if targets else None
    listed = [loaded for loaded in collection.decks if chosen is None or loaded.deck.id in chosen]
    today = study_day(_now(), obj.config.day_start_hour)
    rows = []
    with obj.store() as store:
        every = all_deck_counts(store, [loaded.deck for loaded in listed], today)
        for loaded in listed:
            counts = every[loaded.deck.id]
            rows.append({"id": loaded.deck.id, "title": loaded.deck.title, "cards": counts["total"],
                         "due": counts["due"], "new": counts["new"], "builtin": loaded.builtin,
                         "path": str(loaded.path)})
    for issue in collection.issues:
        _say(str(issue), err=True)
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        _say("No decks found.")
    else:
        width = max(len(row["id"]) for row in rows)
        _say(f"{'DECK':<{width}}  {'CARDS':>5}  {'DUE':>4}  {'NEW':>4}  TITLE")
        for row in rows:
            _say(f"{row['id']:<{width}}  {row['cards']:>5}  {row['due']:>4}  {row['new']:>4}  {row['title']}")
    _say(f"\nYour own decks are read from {paths.user_decks_dir()} (the data folder's decks/; "
         f"`import` writes there too, whatever --db says).")


@decks.command("audit")
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The figures, findings and duplicate pairs as one JSON object.")
def decks_audit(targets: tuple[Path, ...], as_json: bool) -> None:
    """Find answer cues: keys that are the longest option, lopsided lengths, words only the key repeats from
    the question, and near-duplicate cards. Exit 1 if the decks break the thresholds."""
    from quizzer.audit import audit, report_text
    from quizzer.decks.loader import load_sources
    from quizzer.decks.sources import deck_sources

    collection = load_sources([(path, False) for path in targets] or deck_sources())
    for issue in collection.issues:
        click.echo(str(issue), err=True)
    report = audit([loaded.deck for loaded in collection.decks], unreadable=[str(issue) for issue in collection.issues])
    if as_json:
        _echo_json(report.to_dict())
    else:
        click.echo(report_text(report))
    if report.failures():
        sys.exit(1)


@decks.command("schema")
def decks_schema() -> None:
    """Print the JSON Schema of the deck format (for YAML editors)."""
    from quizzer.decks.model import json_schema

    _say(json.dumps(json_schema(), indent=2))


# -- generators ----------------------------------------------------------------------------------


@cli.group()
def generators() -> None:
    """Procedural problem families."""


def _param_info(generator: Any) -> list[dict[str, Any]]:
    info = []
    for name, field in generator.Params.model_fields.items():
        info.append({"name": name, "type": _type_name(field.annotation), "default": field.get_default(),
                     "description": field.description or ""})
    return info


def _type_name(annotation: Any) -> str:
    """A param's type as a user writes it: ``binary | multiclass``, ``int``, ``float`` (never Optional[...])."""
    import types
    import typing

    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(str(value) for value in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


def _default_text(default: Any) -> str:
    """``None`` means the generator picks one at random for each instance."""
    return "any" if default is None else str(default)


@generators.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of families with their params.")
def generators_list(as_json: bool) -> None:
    """The registered families and their params."""
    from generators import registry

    rows = []
    for name in registry.names():
        generator = registry.get(name)
        rows.append({"name": name, "title": generator.title, "description": generator.description,
                     "params": _param_info(generator)})
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        click.echo(click.style(visible(row["name"]), bold=True) + visible(f"  {row['title']}"))
        _say(f"    {row['description']}")
        for param in row["params"]:
            _say(f"    --param {param['name']}=…  {param['type']} (default: {_default_text(param['default'])})")


def _parse_params(values: tuple[str, ...]) -> dict[str, Any]:
    import yaml

    params: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param takes key=value, got {value!r}")
        try:
            params[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            params[key.strip()] = raw
    return params


@cli.command()
@click.argument("name")
@click.option("--seed", type=int, default=None, help="First seed (default: random). Seeds S, S+1, … are used.")
@click.option("--count", type=click.IntRange(1, 10_000), default=1, show_default=True,
              help="How many instances to make (seeds S, S+1, …).")
@click.option("--param", "param_values", multiple=True, metavar="KEY=VALUE", help="A generator param (repeatable).")
@click.option("--answer", "answers", multiple=True, metavar="TEXT",
              help="Grade this answer as a user would type it (repeatable). Parts separated by ';'.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per instance, one per line.")
def generate(name: str, seed: int | None, count: int, param_values: tuple[str, ...], answers: tuple[str, ...],
             as_json: bool) -> None:
    """Show instances of generator NAME, with their solutions (and grade --answer)."""
    import random

    from pydantic import ValidationError

    from generators import registry
    from quizzer.answers import Unreadable
    from quizzer.grading import grade_parts

    try:
        generator = registry.get(name)
    except registry.UnknownGenerator as error:
        raise UsageError(str(error)) from None
    try:
        params = generator.Params.model_validate(_parse_params(param_values))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))
        raise UsageError(f"bad params for {name}: {problems}") from None
    first = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
    for offset in range(count):
        problem = generator.generate(first + offset, params)
        grades = []
        for text in answers:
            grade = grade_parts(problem.parts, text)
            if isinstance(grade, Unreadable):
                grades.append({"answer": text, "correct": False, "feedback": grade.message, "readable": False})
            else:
                grades.append({"answer": text, "correct": grade.correct, "feedback": grade.feedback})
        if as_json:
            record = problem.to_json()
            if answers:
                record["grades"] = grades
            _echo_json(record)
        else:
            import shutil

            from quizzer.render import markdown_text, problem_text

            # Rendered without colour: _say shows any control character from a file as a visible symbol.
            _say(problem_text(problem, width=min(100, shutil.get_terminal_size().columns)))
            for grade in grades:
                mark = "✓" if grade["correct"] else "✗"
                _say(f"{mark} {grade['answer']!r}: {markdown_text(grade['feedback'])}")
            if offset < count - 1:
                _say("\n" + "─" * 60 + "\n")


@cli.command()
@click.argument("deck_id")
@click.argument("card_id")
@click.option("--answer", required=True, metavar="TEXT", help="The answer, as you would type it in the drill.")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object: {"points": [{"text", "made", "close", "score", "matched", "must"}], "quality", '
                   '"correct", "unsure"}.')
@pass_context
def grade(obj: Context, deck_id: str, card_id: str, answer: str, as_json: bool) -> None:
    """Grade a typed ANSWER to open card CARD_ID of DECK_ID (an id or path) against the card's key points."""
    from quizzer import keypoints
    from quizzer.grading import QUALITY_MEANINGS
    from quizzer.tui.launch import load_for, resolve_targets

    deck = resolve_targets(load_for(list(obj.deck_paths), [deck_id]), [deck_id])[0]
    card = deck.card(card_id)
    if card is None:
        raise UsageError(f"deck {deck.id!r} has no card {card_id!r}.")
    if not keypoints.grades_typed_answers(card):
        raise UsageError(f"{deck.id}/{card_id} is not an open card with key points; only those grade typed answers.")
    verdict = keypoints.grade_answer(deck, card, answer)  # type: ignore[arg-type]
    if as_json:
        _echo_json(verdict.as_json())
        return
    for point in verdict.points:
        must = " (must)" if point.must else ""
        matched = f": {', '.join(point.matched)}" if point.matched else ""
        click.echo(f"{point.mark} {point.text}{must}  [{point.score:.2f}{matched}]")
    why = {"empty": "the answer is empty", "question": "the answer repeats the question",
           "other card": "the answer is about another card"}.get(verdict.refusal)
    if why:
        click.echo(f"No points credited: {why}.")
    if verdict.unsure:
        click.echo(f"{verdict.made}/{len(verdict.points)} points made; not sure: a must-point marked ? may be made in "
                   "other words. Compare with the card's back and grade it yourself.")
        return
    verdict_word = "correct" if verdict.correct else "not correct"
    click.echo(f"{verdict.made}/{len(verdict.points)} points made, {verdict_word}; "
               f"proposed quality {verdict.quality} ({QUALITY_MEANINGS[verdict.quality]}).")


# -- stats ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--deck", "deck_id", default=None, help="Only this deck.")
@click.option("--days", type=click.IntRange(1, 100_000), default=30, show_default=True,
              help="Window for recent figures.")
@click.option("--json", "as_json", is_flag=True, help="The same figures as one JSON object.")
@pass_context
def stats(obj: Context, deck_id: str | None, days: int, as_json: bool) -> None:
    """Your progress: reviews, streaks, retention, card states, weak topics, what is due, mock interviews."""
    from quizzer.interview import history_lines, past_rounds
    from quizzer.stats import compute, summary_text

    decks = [loaded.deck for loaded in obj.decks().decks]
    with obj.store() as store:
        figures = compute(store, decks, now=_now(), deck_id=deck_id, days=days,
                          day_start_hour=obj.config.day_start_hour)
        # Mock interviews span decks: every round is listed, whatever --deck says.
        rounds = past_rounds(store.interviews())
    if deck_id and figures.reviews == 0 and all(deck.id != deck_id for deck in decks):
        raise UsageError(f"no deck {deck_id!r}; known decks: {', '.join(deck.id for deck in decks) or 'none'}")
    if as_json:
        _echo_json({**figures.to_dict(), "interviews": [past.to_dict() for past in rounds]})
    else:
        _say(summary_text(figures))
        _say("\nMock interviews (newest last)")
        for line in history_lines(rounds):
            _say(f"  {line}")


@cli.command()
@click.option("--deck", "deck_id", default=None, help="Only this deck (the model still learns from every deck).")
@click.option("--json", "as_json", is_flag=True, help="The same figures as one JSON object.")
@pass_context
def readiness(obj: Context, deck_id: str | None, as_json: bool) -> None:
    """Am I ready? Predicted recall per deck, tag and family, its trend, calibration, what to study."""
    from quizzer import readiness as ready

    decks = [loaded.deck for loaded in obj.decks().decks]
    if deck_id and all(deck.id != deck_id for deck in decks):
        raise UsageError(f"no deck {deck_id!r}; known decks: {', '.join(deck.id for deck in decks) or 'none'}")
    with obj.store() as store:
        result = ready.load(store, decks, _now(), deck_id=deck_id, day_start_hour=obj.config.day_start_hour,
                            cache_dir=paths.cache_dir())
    if as_json:
        _echo_json(result.to_dict())
    else:
        click.echo(ready.summary_text(result))


# -- data in and out ------------------------------------------------------------------------------


def _pick_decks(obj: Context, deck_ids: tuple[str, ...]) -> list[Any]:
    collection = obj.decks()
    for issue in collection.issues:
        _say(str(issue), err=True)
    decks = [loaded.deck for loaded in collection.decks]
    if not deck_ids:
        return decks
    by_id = {deck.id: deck for deck in decks}
    unknown = [deck_id for deck_id in deck_ids if deck_id not in by_id]
    if unknown:
        raise UsageError(f"no deck {', '.join(map(repr, unknown))}; known decks: {', '.join(by_id) or 'none'}")
    return [by_id[deck_id] for deck_id in dict.fromkeys(deck_ids)]


@cli.group()
def export() -> None:
    """Write decks or your review log to other formats."""


@export.command("anki")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("deck_ids", nargs=-1, metavar="[DECK]...")
@pass_context
def export_anki(obj: Context, out: Path, deck_ids: tuple[str, ...]) -> None:
    """Write the static cards of these decks (default: all) to the Anki package OUT (.apkg)."""
    from quizzer.exchange.anki_export import export_anki as write_package

    if out.suffix.lower() != ".apkg":
        raise UsageError(f"{out}: an Anki package ends in .apkg")
    result = write_package(_pick_decks(obj, deck_ids), out, now=_now())
    skipped = f"; {result.skipped_generated} generated card(s) left out" if result.skipped_generated else ""
    _say(f"Wrote {result.notes} note(s) from {result.decks} deck(s) to {out}{skipped}.")


@export.command("reviews")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--deck", "deck_id", default=None, help="Only this deck's reviews.")
@pass_context
def export_reviews(obj: Context, out: Path, deck_id: str | None) -> None:
    """Write the whole review log to OUT (.csv or .json), oldest first."""
    from quizzer.exchange.review_log import export_reviews as write_log

    with obj.store() as store:
        count = write_log(store.reviews(deck_id), out)
    _say(f"Wrote {count} review(s) to {out}.")


@export.command("decks")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("deck_ids", nargs=-1, metavar="[DECK]...")
@click.option("--force", is_flag=True, help="Replace deck files already in FOLDER.")
@pass_context
def export_decks(obj: Context, folder: Path, deck_ids: tuple[str, ...], force: bool) -> None:
    """Write these decks (default: all) as YAML files <id>.yaml into FOLDER."""
    from quizzer.exchange.deck_yaml import deck_yaml, write_text

    decks = _pick_decks(obj, deck_ids)
    clashes = [folder / f"{deck.id}.yaml" for deck in decks if (folder / f"{deck.id}.yaml").exists()]
    if clashes and not force:
        raise UsageError(f"{clashes[0]} already exists; use --force to replace it.")
    for deck in decks:
        write_text(folder / f"{deck.id}.yaml", deck_yaml(deck), force=force)
    _say(f"Wrote {len(decks)} deck(s) to {folder}.")


@cli.group("import")
def import_() -> None:
    """Make a Quizzer deck from an Anki package or a CSV file."""


def _import_options(command: Any) -> Any:
    command = click.option("--force", is_flag=True, help="Replace the deck file if it exists.")(command)
    command = click.option("--out", type=click.Path(path_type=Path), default=None,
                           help="Deck file or folder to write (default: your deck folder).")(command)
    command = click.option("--title", default=None, help="Deck title (default: from the id).")(command)
    command = click.option("--deck", "deck_id", required=True, help="Id of the new deck (a slug).")(command)
    return command


def _save_import(obj: Context, imported: Any, deck_id: str, out: Path | None, force: bool) -> None:
    from quizzer.exchange.deck_yaml import destination, write_text

    target = destination(deck_id, out, paths.user_decks_dir())
    owner = obj.decks().by_id(deck_id)
    if owner is not None and owner.path.resolve() != target.resolve():
        raise UsageError(f"deck id {deck_id!r} is already used by {owner.path}; choose another --deck.")
    write_text(target, imported.text, force=force)
    _say(f"Imported {imported.cards} card(s) into {target} (deck {deck_id}).")
    if imported.skipped:
        _say(f"{len(imported.skipped)} note(s) or row(s) left out:", err=True)
        for reason in imported.skipped[:10]:
            _say(f"  {reason}", err=True)
        if len(imported.skipped) > 10:
            _say(f"  … and {len(imported.skipped) - 10} more", err=True)


@import_.command("anki")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_import_options
@pass_context
def import_anki(obj: Context, package: Path, deck_id: str, title: str | None, out: Path | None,
                force: bool) -> None:
    """Turn the basic and cloze notes of an Anki PACKAGE (.apkg) into a deck of open cards."""
    from quizzer.exchange.anki_import import import_anki as read_package

    _save_import(obj, read_package(package, deck_id, title=title), deck_id, out, force)


@import_.command("csv")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_import_options
@pass_context
def import_csv(obj: Context, table: Path, deck_id: str, title: str | None, out: Path | None, force: bool) -> None:
    """Turn a CSV file with front, back and tags columns into a deck of open cards."""
    from quizzer.exchange.csv_import import import_csv as read_table

    _save_import(obj, read_table(table, deck_id, title=title), deck_id, out, force)


@cli.group()
def db() -> None:
    """Look after the database."""


@db.command("backup")
@click.argument("target", required=False, type=click.Path(path_type=Path))
@pass_context
def db_backup(obj: Context, target: Path | None) -> None:
    """Copy the database consistently (even while drilling) to TARGET (default: backups/ beside it)."""
    from quizzer.errors import StoreError

    if not obj.db_path.exists():
        raise StoreError(f"There is no database at {obj.db_path} yet: nothing to back up.")
    stamp = f"{obj.db_path.stem}-{_now():%Y%m%dT%H%M%S}.db"
    if target is None:
        target = obj.db_path.parent / "backups" / stamp
        target.parent.mkdir(mode=0o700, exist_ok=True)  # our own folder; a folder the user names must exist
    elif target.is_dir():
        target = target / stamp
    elif not target.parent.is_dir():
        # A typo in a path must not silently grow a tree of folders somewhere unexpected.
        raise UsageError(f"the folder {target.parent} does not exist: create it first, or back up into "
                         "an existing folder.")
    with obj.store() as store:
        reviews = store.total_reviews()
        store.backup(target)
    _say(f"Backed up {reviews} review(s) to {target}.")


@cli.command("sync")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="What was sent, received and skipped, as one JSON object.")
@click.option("--new-device", is_flag=True,
              help="Give this database its own device id first (for a database file copied from another machine).")
@pass_context
def sync_command(obj: Context, folder: Path | None, as_json: bool, new_device: bool) -> None:
    """Sync your reviews with your other devices through FOLDER (default: sync_dir in the settings file).

    FOLDER is one that Syncthing, Dropbox, a git repository or a network share keeps in step between
    devices. An empty folder is made a sync folder; any other folder is refused. A database file copied
    between machines shares their device id, which sync detects and refuses: run it once with
    --new-device on the copy (best right after copying) and it gets an id of its own, keeping every review.
    """
    from quizzer.config import load_sync_dir
    from quizzer.sync import sync

    folder = folder or load_sync_dir()
    if folder is None:
        raise UsageError("Name the sync folder (quizzer sync FOLDER) or set sync_dir in the settings file.")
    with obj.store() as store:
        report = sync(store, folder, new_device=new_device)
    if as_json:
        _echo_json(report.as_json())
    else:
        if report.created:
            click.echo(f"Made {report.folder} a Quizzer sync folder.")
        if report.device_change():
            click.echo(report.device_change())
        click.echo(report.summary())
        for line in report.warnings():
            click.echo(line, err=True)


# -- drilling -------------------------------------------------------------------------------------


@cli.command()
@click.argument("targets", nargs=-1)
@click.option("--weak", is_flag=True,
              help="Only the cards of your weakest topics and generator families (last 30 days).")
@pass_context
def drill(obj: Context, targets: tuple[str, ...], weak: bool) -> None:
    """Start drilling these decks at once (deck ids or paths; default: all)."""
    from quizzer.tui.launch import run_app

    run_app(obj.db_path, list(obj.deck_paths), drill=list(targets) or ["*"], weak=weak, config=obj.config)


@cli.command()
@click.option("--minutes", type=click.IntRange(1, 240), default=30, show_default=True,
              help="Length of the round; each question's target time is the minutes over the questions.")
@click.option("--deck", "deck_ids", multiple=True, metavar="DECK",
              help="Draw only from this deck (an id or a path; repeatable; default: all decks).")
@click.option("--questions", type=click.IntRange(1, 50), default=None,
              help="How many questions (default: about one per 3 minutes, kept to 10-12).")
@pass_context
def interview(obj: Context, minutes: int, deck_ids: tuple[str, ...], questions: int | None) -> None:
    """A timed mock interview: explain-it questions typed and graded against key points, generated
    problems and judgement calls, weighted towards your weak topics and the cards tagged `interview`.

    Every answer goes into your review log as it is given. The report at the end shows each answer, its
    verdict, the key points missed and the time taken, a score per topic and what to study next; `quizzer
    stats` lists the scores over time. A round ended early keeps its answers and is listed as abandoned.
    """
    from quizzer.interview import default_questions
    from quizzer.tui.launch import run_interview

    run_interview(obj.db_path, list(obj.deck_paths), list(deck_ids), minutes=minutes,
                  questions=questions or default_questions(minutes), config=obj.config)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def preview(path: Path) -> None:
    """Show a deck's cards as users will see them, without touching your schedule; reloads on save."""
    from quizzer.tui.launch import run_preview

    run_preview(path)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning errors into messages (never a traceback).

    Run as the program (``argv`` None: the console script, ``python -m quizzer``), the process ends with
    ``os._exit`` once the output is flushed: every command has closed its database and files by then, and
    tearing down the interpreter's objects (all the decks) would only delay the prompt. Called with
    ``argv`` (tests, embedding), it returns or raises ``SystemExit`` as usual.
    """
    if argv is not None:
        _main(argv)
        return
    try:
        _main(None)
        code = 0
    except SystemExit as exit_:
        code = _exit_status(exit_.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: nothing more can be said
        pass
    os._exit(code)


def _exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` gives at normal interpreter exit (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _main(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="quizzer", standalone_mode=False)
    except click.exceptions.Abort:
        _say("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.message = visible(error.message)  # it may quote a path or a value from a file
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except QuizzerError as error:
        _say(f"{error.title}: {error.message}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        os._exit(0)
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        log = paths.cache_dir() / "crash.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            # 0600: the log holds the text that crashed (a deck's, an answer's), like the database does.
            descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(descriptor, 0o600)  # a log left by an older version may be 0644
            with open(descriptor, "a", encoding="utf-8") as handle:
                handle.write(f"--- {datetime.now(UTC).isoformat()} quizzer {__version__}\n")
                handle.write(traceback.format_exc())
            where = f" Details were saved to {log}."
        except OSError:
            where = ""
        _say(f"Quizzer hit an unexpected error: {error}.{where}", err=True)
        sys.exit(2)
