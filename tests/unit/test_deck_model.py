"""The app's plain deck classes against the validators they mirror (quizzer.decks.schema)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from quizzer.decks import model, schema
from quizzer.decks.loader import load_deck

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["KeyPoint", "OpenCard", "ChoiceCard", "NumericCard", "GeneratedCard", "Deck"]


def schema_defaults(cls: type[Any]) -> dict[str, Any]:
    defaults = {}
    for name, field in cls.model_fields.items():
        if field.default_factory is not None:
            defaults[name] = field.default_factory()
        elif field.default is not PydanticUndefined:
            defaults[name] = field.default
    return defaults


@pytest.mark.parametrize("name", CLASSES)
def test_each_plain_class_has_the_validators_fields_in_order_and_their_defaults(name: str) -> None:
    plain, validated = getattr(model, name), getattr(schema, name)
    assert tuple(validated.model_fields) == plain.FIELDS
    assert schema_defaults(validated) == plain.DEFAULTS


def test_every_builtin_deck_dumps_as_the_validators_dump_it() -> None:
    for path in sorted((ROOT / "decks").glob("*.yaml")):
        deck = load_deck(path)
        assert isinstance(deck, model.Deck)
        validated = schema.Deck.model_validate(deck.model_dump())
        assert deck.model_dump() == validated.model_dump()
        for card, checked in zip(deck.cards, validated.cards, strict=True):
            assert type(card).__name__ == type(checked).__name__
            assert card.model_dump(mode="json", exclude_defaults=True) == checked.model_dump(
                mode="json", exclude_defaults=True
            )


def test_building_a_card_from_data_still_validates_it() -> None:
    card = model.NumericCard(id="n", kind="numeric", front=" How many? ", answer=3)
    assert card.front == "How many?" and card.answer == 3.0 and isinstance(card.answer, float)
    with pytest.raises(ValidationError):
        model.OpenCard(id="Not A Slug", front="q", back="a")
    with pytest.raises(ValidationError):
        model.ChoiceCard(id="c", kind="choice", front="q", options=["a", "b"], answer="c")
    with pytest.raises(ValidationError):
        model.Deck.model_validate({"id": "d", "title": "D", "cards": []})


def test_a_deck_can_be_validated_from_cards_already_built() -> None:
    card = model.OpenCard(id="a", front="q", back="a", points=[{"text": "one point"}, {"text": "two points"}])
    deck = model.Deck.model_validate({"id": "d", "title": "D", "cards": [card]})
    assert deck.cards == [card]
    assert isinstance(deck.cards[0].points[0], model.KeyPoint)


def test_records_are_frozen_and_compare_by_value() -> None:
    first = model.OpenCard(id="a", front="q", back="a")
    assert first == model.OpenCard(id="a", front="q", back="a")
    assert first != model.OpenCard(id="a", front="q", back="b")
    assert first != model.ChoiceCard(id="a", kind="choice", front="q", options=["a", "b"], answer="a")
    with pytest.raises(AttributeError):
        first.front = "changed"  # type: ignore[misc]
    assert (
        repr(first) == "OpenCard(id='a', front='q', back='a', tags=[], source=None, kind='open', points=None)"
    )


def test_the_deck_classes_and_the_cache_do_not_import_pydantic() -> None:
    code = (
        "import sys\n"
        "import quizzer.decks.model, quizzer.decks.cache, quizzer.decks.loader\n"
        "assert 'pydantic' not in sys.modules, 'pydantic'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
