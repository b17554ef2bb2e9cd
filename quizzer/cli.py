"""The ``quizzer`` command: parse options, build the objects, call them, print.

With no subcommand it opens the drill app on the built-in decks (and the user's own).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from quizzer import __version__, paths
from quizzer.errors import QuizzerError, UsageError


class Context:
    """What every command needs: the database path and any extra deck paths."""

    def __init__(self, db: Path | None, deck_paths: tuple[Path, ...]) -> None:
        self.db_path = db or paths.default_db_path()
        self.deck_paths = deck_paths

    def store(self):  # noqa: ANN201 - imported lazily to keep `quizzer --help` fast
        from quizzer.store import Store

        return Store(self.db_path, backup_dir=self.db_path.parent / "backups")

    def decks(self, extra: tuple[Path, ...] = ()):  # noqa: ANN201
        from quizzer.decks.sources import load_all

        return load_all([*self.deck_paths, *extra])


pass_context = click.make_pass_decorator(Context)


def _now() -> datetime:
    return datetime.now(UTC)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), envvar="QUIZZER_DB",
              help="Database file (default: quizzer.db in your data folder; env QUIZZER_DB).")
@click.option("--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra deck file or folder to load (repeatable).")
@click.version_option(__version__, prog_name="quizzer")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, deck_paths: tuple[Path, ...]) -> None:
    """Quizzer: spaced-repetition drills for ML interviews, with fresh generated problems.

    Run without a command to open the drill app.
    """
    ctx.obj = Context(db, deck_paths)
    if ctx.invoked_subcommand is None:
        from quizzer.tui.launch import run_app

        run_app(ctx.obj.db_path, list(deck_paths))


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
        click.echo(str(issue))
    cards = sum(len(loaded.deck.cards) for loaded in collection.decks)
    summary = f"{len(collection.decks)} deck(s), {cards} card(s) OK"
    if collection.issues:
        click.echo(f"{summary}; {len(collection.issues)} problem(s).", err=True)
        sys.exit(1)
    click.echo(summary, err=True)


@decks.command("list")
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON array of decks.")
@pass_context
def decks_list(obj: Context, targets: tuple[Path, ...], as_json: bool) -> None:
    """Decks with their cards, due today and new counts."""
    from quizzer.session import deck_counts, study_day

    collection = obj.decks(targets)
    today = study_day(_now())
    rows = []
    with obj.store() as store:
        for loaded in collection.decks:
            counts = deck_counts(store, loaded.deck, today)
            rows.append({"id": loaded.deck.id, "title": loaded.deck.title, "cards": counts["total"],
                         "due": counts["due"], "new": counts["new"], "builtin": loaded.builtin,
                         "path": str(loaded.path)})
    for issue in collection.issues:
        click.echo(str(issue), err=True)
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("No decks found.")
        return
    width = max(len(row["id"]) for row in rows)
    click.echo(f"{'DECK':<{width}}  {'CARDS':>5}  {'DUE':>4}  {'NEW':>4}  TITLE")
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['cards']:>5}  {row['due']:>4}  {row['new']:>4}  {row['title']}")


@decks.command("schema")
def decks_schema() -> None:
    """Print the JSON Schema of the deck format (for YAML editors)."""
    from quizzer.decks.model import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


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
    text = str(annotation).replace("typing.", "")
    return text.removeprefix("<class '").removesuffix("'>")


@generators.command("list")
@click.option("--json", "as_json", is_flag=True)
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
        click.echo(click.style(row["name"], bold=True) + f"  {row['title']}")
        click.echo(f"    {row['description']}")
        for param in row["params"]:
            click.echo(f"    --param {param['name']}=…  ({param['type']}, default {param['default']!r})")


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
@click.option("--count", type=click.IntRange(1, 10_000), default=1, show_default=True)
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
            from quizzer.render import problem_text

            click.echo(problem_text(problem))
            for grade in grades:
                mark = "✓" if grade["correct"] else "✗"
                click.echo(f"{mark} {grade['answer']!r}: {grade['feedback']}")
            if offset < count - 1:
                click.echo("\n" + "─" * 60 + "\n")


# -- stats ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--deck", "deck_id", default=None, help="Only this deck.")
@click.option("--days", type=click.IntRange(1, 100_000), default=30, show_default=True,
              help="Window for recent figures.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def stats(obj: Context, deck_id: str | None, days: int, as_json: bool) -> None:
    """Your progress: reviews, retention, weak topics, what is due."""
    from quizzer.stats import summary, summary_text

    collection = obj.decks()
    with obj.store() as store:
        figures = summary(store, [loaded.deck for loaded in collection.decks], now=_now(), deck_id=deck_id, days=days)
    if as_json:
        _echo_json(figures)
    else:
        click.echo(summary_text(figures))


# -- drilling -------------------------------------------------------------------------------------


@cli.command()
@click.argument("targets", nargs=-1)
@pass_context
def drill(obj: Context, targets: tuple[str, ...]) -> None:
    """Start drilling these decks at once (deck ids or paths; default: all)."""
    from quizzer.tui.launch import run_app

    run_app(obj.db_path, list(obj.deck_paths), drill=list(targets) or ["*"])


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def preview(path: Path) -> None:
    """Show a deck's cards as users will see them, without touching your schedule; reloads on save."""
    from quizzer.tui.launch import run_preview

    run_preview(path)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning errors into messages (never a traceback)."""
    try:
        cli.main(args=argv, prog_name="quizzer", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except QuizzerError as error:
        click.echo(f"{error.title}: {error.message}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        os._exit(0)
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        log = paths.cache_dir() / "crash.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {datetime.now(UTC).isoformat()} quizzer {__version__}\n")
                handle.write(traceback.format_exc())
            where = f" Details were saved to {log}."
        except OSError:
            where = ""
        click.echo(f"Quizzer hit an unexpected error: {error}.{where}", err=True)
        sys.exit(2)
