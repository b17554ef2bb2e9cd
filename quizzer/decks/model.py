"""The deck format as the app holds it: plain, frozen classes for a deck, its cards and their key points.

Plain classes rather than pydantic models, so that a start served from the parsed-deck cache never imports
pydantic (a fifth of the time to the first card): the validators live in :mod:`quizzer.decks.schema` and
run when a deck file is parsed, or when a card or deck is built here from data (``OpenCard(id=..., ...)``,
``Deck.model_validate(data)``), which is why building one from data still validates it exactly as before.
The cache rebuilds these objects from their own dumps with :func:`trusted`, without validating again, and
may leave a card's fields other than its id and kind to be parsed when first asked for (``__getattr__``).

Each class names its fields in order (``FIELDS``) and the defaults a deck file may leave out
(``DEFAULTS``); a test checks both against the validators. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from operator import attrgetter
from typing import Any, ClassVar, Literal, TypeVar

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
MAX_TEXT = 20_000
CARD_KINDS = ("open", "choice", "numeric", "generated")

R = TypeVar("R", bound="Record")
PENDING = "_content"  # where a cached card keeps its deck's unparsed content (quizzer.decks.cache)


class Record:
    """A frozen record of named fields: equality, a repr and a dump like pydantic's, and no validation.

    Instances are built by validating data (the constructor, :meth:`model_validate`) or from a trusted
    dump (:func:`trusted`); both go through the instance ``__dict__`` in one step.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ()
    DEFAULTS: ClassVar[dict[str, Any]] = {}  # the values a dump with ``exclude_defaults`` leaves out
    __hash__ = None  # type: ignore[assignment] - equal by value and holding lists, like the frozen models were

    def __init__(self, **data: Any) -> None:
        _set_dict(self, type(self).model_validate(data).__dict__)

    @classmethod
    def model_validate(cls: type[R], data: dict[str, Any]) -> R:
        """``data`` checked by the deck format's validators (raises ``pydantic.ValidationError``)."""
        from quizzer.decks import schema

        validated = getattr(schema, cls.__name__).model_validate(_dumped(data, False))  # records in data too
        return _rebuild(cls, validated.model_dump())

    def model_dump(
        self, *, mode: Literal["python", "json"] = "python", exclude_defaults: bool = False
    ) -> dict[str, Any]:
        """The fields as plain data (nested records too), in field order. Both modes give the same data:
        every field already holds JSON types."""
        defaults = self.DEFAULTS
        data: dict[str, Any] = {}
        for name in self.FIELDS:
            value = getattr(self, name)
            if exclude_defaults and name in defaults and value == defaults[name]:
                continue
            data[name] = _dumped(value, exclude_defaults)
        return data

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        get = attrgetter(*self.FIELDS)
        return get(self) == get(other)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"

    def __getattr__(self, name: str) -> Any:
        # Called only for an attribute the instance lacks: a field left at its default (not kept, see
        # _compact), or any field of a card served from the parsed-deck cache whose deck's content is not
        # parsed yet (quizzer.decks.cache): that parses it.
        if name in self.FIELDS:
            content = self.__dict__.get(PENDING)
            if content is not None:
                content.load()
            try:
                return self.__dict__[name]
            except KeyError:
                pass
            if name in self.DEFAULTS:
                default = self.DEFAULTS[name]
                return default.copy() if isinstance(default, list | dict) else default  # never shared
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def __rich_repr__(self) -> Iterator[tuple[str, Any]]:
        for name in self.FIELDS:
            yield name, getattr(self, name)


_new = object.__new__
_set_dict = Record.__dict__["__dict__"].__set__


def trusted(cls: type[R], fields: dict[str, Any]) -> R:
    """An instance of ``cls`` holding ``fields`` (a dump of one, nested records already rebuilt; fields at
    their default may be left out), without validating them again: what makes a cached start fast.
    ``fields`` becomes the instance's."""
    instance = _new(cls)
    _set_dict(instance, fields)
    return instance


def _compact(cls: type[Record], fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without those at their default and without a card's ``kind`` (its class says it): an
    instance keeps only what is its own. A choice card's dict of 11 fields takes 632 bytes and one of 6 to
    10 fields 272, so at 20,000 cards this is about 4 MB of a session. Reads of a left-out field get the
    default (``Record.__getattr__``); dumps and equality are unchanged."""
    if "kind" in fields and fields["kind"] == getattr(cls, "kind", None):
        del fields["kind"]
    for name, default in cls.DEFAULTS.items():
        if name in fields and _same(fields[name], default):
            del fields[name]
    return fields


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default  # True == 1, but a 1 is not the default True


def _dumped(value: Any, exclude_defaults: bool) -> Any:
    if isinstance(value, Record):
        return value.model_dump(exclude_defaults=exclude_defaults)
    if isinstance(value, list):
        return [_dumped(item, exclude_defaults) for item in value]
    if isinstance(value, dict):
        return {key: _dumped(item, exclude_defaults) for key, item in value.items()}
    return value


def answers_of(answer: str | list[str]) -> list[str]:
    """A choice card's right options: its ``answer``, one option's text or a list of them."""
    return [answer] if isinstance(answer, str) else list(answer)


_CARD_FIELDS = ("id", "front", "back", "tags", "source")
_CARD_DEFAULTS: dict[str, Any] = {"back": None, "tags": [], "source": None}


class KeyPoint(Record):
    """One thing an interviewer listens for in a spoken answer to an open card."""

    FIELDS = ("text", "also", "must")
    DEFAULTS = {"also": [], "must": False}
    text: str  # the point, as a short statement
    also: list[str]  # other ways to say it: synonyms, notations
    must: bool  # without this point the answer is wrong


class OpenCard(Record):
    """Recall questions: typed answers are graded against ``points``; or reveal ``back`` and self-grade 0-5."""

    FIELDS = (*_CARD_FIELDS, "kind", "points")
    DEFAULTS = {"tags": [], "source": None, "kind": "open", "points": None}  # ``back`` is required
    id: str
    front: str
    back: str
    tags: list[str]
    source: str | None
    kind: Literal["open"] = "open"  # on the class: no card keeps it (_compact)
    points: list[KeyPoint] | None  # 2-5 key points a good answer makes, for grading typed answers


class ChoiceCard(Record):
    """Pick the right option(s). ``answer`` is an option's text, or a list when several are right."""

    FIELDS = (*_CARD_FIELDS, "kind", "options", "answer", "explanation", "shuffle", "aliases")
    DEFAULTS = {**_CARD_DEFAULTS, "explanation": None, "shuffle": True, "aliases": {}}
    id: str
    front: str
    back: str | None
    tags: list[str]
    source: str | None
    kind: Literal["choice"] = "choice"  # on the class: no card keeps it (_compact)
    options: list[str]
    answer: str | list[str]
    explanation: str | None
    shuffle: bool
    aliases: dict[str, list[str]]  # other names people type for an option

    @property
    def answers(self) -> list[str]:
        return answers_of(self.answer)


class NumericCard(Record):
    """Type a number; right when within ``tolerance`` (absolute) or ``rel_tolerance`` (relative)."""

    FIELDS = (*_CARD_FIELDS, "kind", "answer", "tolerance", "rel_tolerance", "unit", "explanation")
    DEFAULTS = {**_CARD_DEFAULTS, "tolerance": None, "rel_tolerance": None, "unit": "", "explanation": None}
    id: str
    front: str
    back: str | None
    tags: list[str]
    source: str | None
    kind: Literal["numeric"] = "numeric"  # on the class: no card keeps it (_compact)
    answer: float
    tolerance: float | None
    rel_tolerance: float | None
    unit: str
    explanation: str | None

    @property
    def whole(self) -> bool:
        """A whole number is asked for: an integral answer that its tolerance grades to the unit."""
        tolerance, rel_tolerance = self.effective_tolerance
        return self.answer == int(self.answer) and tolerance < 1 and abs(self.answer) * rel_tolerance < 1

    @property
    def effective_tolerance(self) -> tuple[float, float]:
        """(absolute, relative). Default: 0.005 for ratio-sized answers, else exact up to float noise."""
        if self.tolerance is None and self.rel_tolerance is None:
            if 0.02 <= abs(self.answer) <= 1:
                return 0.005, 0.0
            if abs(self.answer) < 0.02:
                return 0.0, 0.01
            return 0.0, 1e-9
        return self.tolerance or 0.0, self.rel_tolerance or 0.0


class GeneratedCard(Record):
    """A fresh problem from a registered generator each time the card comes up."""

    FIELDS = (*_CARD_FIELDS, "kind", "generator", "params")
    DEFAULTS = {**_CARD_DEFAULTS, "front": None, "params": {}}
    id: str
    front: str | None  # an optional lead-in shown above the generated prompt
    back: str | None
    tags: list[str]
    source: str | None
    kind: Literal["generated"] = "generated"  # on the class: no card keeps it (_compact)
    generator: str  # a registered generator name
    params: dict[str, Any]


AnyCard = OpenCard | ChoiceCard | NumericCard | GeneratedCard
CARD_CLASSES: dict[str, type[AnyCard]] = {
    "open": OpenCard,
    "choice": ChoiceCard,
    "numeric": NumericCard,
    "generated": GeneratedCard,
}


class Deck(Record):
    """One deck: a YAML file with an id, a title and its cards."""

    FIELDS = ("id", "title", "description", "tags", "cards")
    DEFAULTS = {"description": "", "tags": []}
    id: str
    title: str
    description: str
    tags: list[str]  # applied to every card of the deck
    cards: list[AnyCard]

    @classmethod
    def trusted(cls, data: dict[str, Any]) -> Deck:
        """A deck from its own complete dump (``model_dump()``), nested cards and key points included,
        without validating it again."""
        return _rebuild(cls, data)

    # Cached on the (frozen) instance: queues and counts ask for it on every refresh of the same decks. It
    # lives in the instance ``__dict__`` but is no field: dumps and equality ignore it.
    @cached_property
    def positions(self) -> dict[str, int]:
        """card id -> position in the deck (its keys are the deck's card ids)."""
        return dict(zip(map(_card_id, self.cards), range(len(self.cards)), strict=True))  # C loops

    def card(self, card_id: str) -> AnyCard | None:
        return next((card for card in self.cards if card.id == card_id), None)

    def card_tags(self, card: AnyCard) -> list[str]:
        return list(dict.fromkeys([*self.tags, *card.tags]))


_card_id = attrgetter("id")


def _rebuild(cls: type[R], data: dict[str, Any]) -> R:
    """``cls`` (a deck, a card or a key point) from a complete dump, its nested records rebuilt too."""
    if cls is Deck:
        data["cards"] = [_rebuild(CARD_CLASSES[card["kind"]], card) for card in data["cards"]]
    elif cls is OpenCard and data.get("points"):
        data["points"] = [trusted(KeyPoint, _compact(KeyPoint, point)) for point in data["points"]]
    return trusted(cls, _compact(cls, data))


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))


def json_schema() -> dict[str, Any]:
    """The deck format as JSON Schema (for editors), from the validators."""
    from quizzer.decks.schema import json_schema as schema

    return schema()
