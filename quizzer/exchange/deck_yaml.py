"""Decks as YAML text, card ids for imported cards, and writing deck files safely."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from quizzer.decks.loader import MAX_DECK_BYTES, DeckFileError, parse_deck
from quizzer.decks.model import Deck
from quizzer.errors import DeckError, UsageError

_FIRST_KEYS = ("id", "kind", "front", "back")


class _DeckDumper(yaml.SafeDumper):
    """Readable decks: multi-line text as ``|`` blocks, short lists of words inline."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    inline = all(isinstance(item, str) and "\n" not in item for item in value) and sum(map(len, value)) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=inline)


_DeckDumper.add_representer(str, _represent_str)
_DeckDumper.add_representer(list, _represent_list)


def card_data(card: Any) -> dict[str, Any]:
    """A card as the mapping a deck file holds: defaults left out, id and kind first."""
    data = card.model_dump(mode="json", exclude_defaults=True)
    if card.kind != "open":
        data["kind"] = card.kind
    ordered = {key: data[key] for key in _FIRST_KEYS if key in data}
    ordered.update((key, value) for key, value in data.items() if key not in ordered)
    return ordered


def deck_data(deck: Deck) -> dict[str, Any]:
    data: dict[str, Any] = {"id": deck.id, "title": deck.title}
    if deck.description:
        data["description"] = deck.description
    if deck.tags:
        data["tags"] = list(deck.tags)
    data["cards"] = [card_data(card) for card in deck.cards]
    return data


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=110)


def deck_yaml(deck: Deck) -> str:
    """The deck as YAML that loads back to an equal deck."""
    return to_yaml(deck_data(deck))


def validated_yaml(data: dict[str, Any], display: str) -> tuple[str, Deck]:
    """Serialise a deck mapping and check it the way ``quizzer decks lint`` will."""
    text = to_yaml(data)
    if len(text.encode("utf-8")) > MAX_DECK_BYTES:
        raise DeckError(f"{display}: the deck would be larger than {MAX_DECK_BYTES // 1024 // 1024} MB; "
                        "import it in parts.")
    try:
        deck = parse_deck(text, display)
    except DeckFileError as error:  # a bug here, not the user's: say what failed
        raise DeckError("the imported deck does not validate:\n" + str(error)) from None
    return text, deck


# -- ids and tags ----------------------------------------------------------------------------------


def slugify(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII words joined by single dashes ('' when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def tag_slugs(tags: Iterable[str]) -> list[str]:
    """Anki / CSV tags as deck tags: ``Stats::Bayes`` -> ``stats-bayes``; empty ones dropped."""
    return list(dict.fromkeys(slug for tag in tags if (slug := slugify(tag))))


def stable_id(prefix: str, key: str) -> str:
    """A card id that depends only on ``key`` (an Anki note guid, or the front of a CSV card)."""
    return f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"


def unique(card_id: str, used: dict[str, int]) -> str:
    """``card_id``, or ``card_id-2``, ``-3``, ... if taken. ``used`` maps each id given out to the next
    suffix worth trying, so a package of 50,000 notes with one guid costs linear time, not quadratic."""
    if card_id not in used:
        used[card_id] = 2
        return card_id
    number = used[card_id]
    while (candidate := f"{card_id}-{number}") in used:
        number += 1
    used[card_id] = number + 1
    used[candidate] = 2
    return candidate


def title_from_id(deck_id: str) -> str:
    return deck_id.replace("-", " ").capitalize()


# -- files -----------------------------------------------------------------------------------------


def destination(deck_id: str, out: Path | None, decks_dir: Path) -> Path:
    """Where an imported deck goes: ``out`` (a file, or a folder to put ``<id>.yaml`` in) or the user's
    deck folder."""
    if out is None:
        return decks_dir / f"{deck_id}.yaml"
    if out.is_dir() or (not out.suffix and not out.exists()):
        return out / f"{deck_id}.yaml"
    if out.suffix not in (".yaml", ".yml"):
        raise UsageError(f"{out}: a deck file ends in .yaml or .yml")
    return out


def write_text(path: Path, text: str, *, force: bool = False) -> Path:
    """Write atomically (a temporary file renamed into place); never overwrite unless ``force``."""
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to replace it, or choose another path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UsageError(f"Cannot write {path}: {error.strerror or error}") from None
    return path
