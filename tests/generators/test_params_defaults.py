"""Default params are made and dumped without pydantic's validator, and that changes nothing.

A card that sets no params (almost every card) used to validate ``{}`` at each generation; building a family's
validator is what first imports ``importlib.metadata`` and scans every installed distribution for pydantic
plugins, a few MB of a drill session's peak memory. ``Params.defaults`` and ``Params.as_json`` skip that for
the built-in families; these tests hold them to what pydantic gives, field value by field value.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Literal, get_args, get_origin

import pytest
from pydantic import ValidationError

from generators import Params, get, names
from tests.generators.family_checks import ROOT


def _values(annotation: Any) -> list[Any]:
    """Every value a Literal field (through Optional) can take, plus None when it is optional."""
    found: list[Any] = []
    stack = [annotation]
    while stack:
        current = stack.pop()
        if get_origin(current) is Literal:
            found.extend(get_args(current))
        elif current is type(None):
            found.append(None)
        else:
            stack.extend(get_args(current))
    return found


@pytest.mark.parametrize("name", names())
def test_defaults_equal_the_validated_empty_params_and_dump_alike(name: str) -> None:
    params_type = get(name).Params
    made, validated = params_type.defaults(), params_type.model_validate({})
    assert type(made) is params_type
    assert made == validated
    assert made.as_json() == validated.model_dump(mode="json") == made.model_dump(mode="json")
    # The dump is of the same field values: a problem's params read the same either way.
    assert list(made.as_json()) == list(params_type.model_fields)


@pytest.mark.parametrize("name", names())
def test_as_json_equals_pydantic_json_dump_for_every_literal_value(name: str) -> None:
    """Each Literal value of each field, set alone (a combination a family rejects is skipped): the plain
    dump and pydantic's are the same dict, with the same types (an int stays an int, a float a float)."""
    params_type = get(name).Params
    checked = 0
    for field_name, info in params_type.model_fields.items():
        for value in _values(info.annotation):
            try:
                params = params_type.model_validate({field_name: value})
            except ValidationError:
                continue
            dumped, expected = params.as_json(), params.model_dump(mode="json")
            assert dumped == expected
            assert [type(v) for v in dumped.values()] == [type(v) for v in expected.values()]
            checked += 1
    assert checked or not any(_values(info.annotation) for info in params_type.model_fields.values())


def test_every_built_in_field_is_a_json_scalar_so_the_plain_dump_applies() -> None:
    """The shortcut falls back to pydantic for anything else; for the built-ins it must actually apply."""
    for name in names():
        for info in get(name).Params.model_fields.values():
            assert info.default is None or type(info.default) in (str, bool, int, float), (name, info)
            assert info.default_factory is None, name


def test_non_scalar_and_plugin_params_still_go_through_pydantic() -> None:
    class Custom(Params):  # defined here, outside the generators package: treated like a plugin's
        sizes: tuple[int, ...] = (1, 2)
        rate: float = 0.5

    assert Custom.defaults().as_json() == {"sizes": [1, 2], "rate": 0.5}  # pydantic's JSON mode: a list
    with pytest.raises(ValidationError):

        class Required(Params):
            count: int

        Required.defaults()  # the validator reports the missing field, as model_validate({}) always did


def test_a_generated_problem_with_default_params_builds_no_pydantic_validator() -> None:
    """What the shortcut is for, in a fresh interpreter: generating and grading a card with no params loads
    neither pydantic, its plugin lookup nor ``importlib.metadata`` (set params still validate as before)."""
    code = textwrap.dedent(
        """
        import sys
        from generators import get
        from quizzer.grading import grade_parts
        problem = get("bootstrap-oob").generate(4, {})
        grade_parts(problem.parts, "1")
        assert problem.params == {"ask": None, "n": None}, problem.params
        loaded = {"pydantic", "pydantic.plugin._loader", "importlib.metadata"} & set(sys.modules)
        assert not loaded, loaded
        get("bootstrap-oob").generate(4, {"n": 10})
        assert "pydantic.plugin._loader" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_generated_instances_are_unchanged_by_the_shortcut() -> None:
    """Same seed, same problem, whether the empty params come as {}, None or validated by pydantic."""
    for name in names():
        generator = get(name)
        for seed in (0, 1, 12345):
            validated = generator.generate(seed, generator.Params.model_validate({})).to_json()
            assert generator.generate(seed, {}).to_json() == validated, (name, seed)
            assert generator.generate(seed, None).to_json() == validated, (name, seed)
