"""``generators.base.Params``: a plain class that validates through a pydantic model built on first need.

The families declare their params as pydantic models would; what a deck, ``decks lint`` or ``generate
--param`` gets from them is pydantic's own validation, errors and coercions. These tests hold the plain
class to that. (That making problems from default params imports no pydantic is held by
``test_generation_memory`` and ``test_params_defaults``.)
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generators import get
from generators.base import Field, Params


def errors(name: str, params: dict) -> list[tuple[tuple, str, str]]:
    with pytest.raises(ValidationError) as caught:
        get(name).Params.model_validate(params)
    assert (
        caught.value.title == type(get(name).Params.defaults()).__name__
    )  # messages name the family's params
    return [(error["loc"], error["type"], error["msg"]) for error in caught.value.errors()]


def test_constraints_unknown_keys_types_and_family_validators_are_pydantics() -> None:
    assert errors("cv-scheme", {"n_splits": 2}) == [
        (("n_splits",), "greater_than_equal", "Input should be greater than or equal to 3")
    ]
    assert errors("cv-scheme", {"folds": 5})[0][:2] == (("folds",), "extra_forbidden")
    assert errors("naive-bayes", {"alpha": "x"})[0][:2] == (("alpha",), "float_parsing")
    assert errors("gradient-step", {"optimiser": "sgd", "ask": "state"}) == [
        ((), "value_error", "Value error, plain SGD keeps no state; use ask='weight' or another optimiser")
    ]


def test_validated_params_are_coerced_and_either_separator_is_accepted() -> None:
    alpha = get("naive-bayes").Params.model_validate({"alpha": 1}).alpha
    assert alpha == 1.0 and type(alpha) is float  # pydantic's lax coercion of an int for a float field
    assert get("regression-metrics").Params.model_validate({"ask": "mape_zero"}).ask == "mape-zero"


def test_params_are_frozen_equal_by_value_hashable_and_read_like_a_model() -> None:
    scheme = get("cv-scheme").Params
    five, four = scheme.model_validate({"n_splits": 5}), scheme.model_validate({"n_splits": 4})
    assert five == scheme.defaults() and five != four and hash(five) == hash(scheme.defaults())
    assert len({five, four, scheme.defaults()}) == 2
    with pytest.raises(AttributeError):
        five.n_splits = 3  # type: ignore[misc]
    assert repr(four) == "CVSchemeParams(scenario=None, n_splits=4)"
    assert four.model_dump() == four.as_json() == {"scenario": None, "n_splits": 4}
    assert list(scheme.model_fields) == ["scenario", "n_splits"]
    assert scheme.model_fields["n_splits"].get_default() == 5


def test_a_subclass_declares_fields_with_field_and_inherits_its_parents() -> None:
    class Base(Params):
        size: int = Field(3, ge=1, description="how many")

    class Child(Base):
        rate: float = 0.5

    assert Child.defaults().model_dump() == {"size": 3, "rate": 0.5}
    assert Child.model_validate({"size": 2}).size == 2
    with pytest.raises(ValidationError):
        Child.model_validate({"size": 0})
    assert Child.model_fields["size"].description == "how many"


def test_a_plugins_params_written_with_pydantics_own_field_and_validators_still_validate() -> None:
    import pydantic

    class Plugin(Params):
        n: int = pydantic.Field(3, ge=1)
        name: str = "a"

        @pydantic.field_validator("name")
        @classmethod
        def _lower(cls, value: str) -> str:
            if value != value.lower():
                raise ValueError("lower case only")
            return value

    assert Plugin.defaults().model_dump() == {"n": 3, "name": "a"} and Plugin.model_validate({"n": 2}).n == 2
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Plugin.model_validate({"n": 0})
    with pytest.raises(ValidationError, match="lower case only"):
        Plugin.model_validate({"name": "X"})
