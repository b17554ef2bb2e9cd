"""What every problem family shares: params, the Problem it produces, and how it is described."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, get_args, get_origin

if TYPE_CHECKING:
    import numpy as np
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo


class _Field:
    """What :func:`Field` gives: a param's default and the constraints its validator checks."""

    __slots__ = ("default", "constraints")

    def __init__(self, default: Any, constraints: dict[str, Any]) -> None:
        self.default = default
        self.constraints = constraints


def Field(default: Any = None, **constraints: Any) -> Any:  # noqa: N802 - pydantic's name, as families use it
    """``pydantic.Field`` for a family's params (``ge``, ``le``, ``gt``, ``lt``, ``description``...), without
    importing pydantic: the validator built from the params class (:meth:`Params.model_validate`) gets it."""
    return _Field(default, constraints)


def model_validator(*, mode: Literal["before", "after"]) -> Callable[[Any], Any]:
    """``pydantic.model_validator`` for a family's params, without importing pydantic: marks the method, and
    the validator built from the params class runs it as pydantic would (an ``after`` one gets the params and
    raises ``ValueError`` for a combination the family rejects)."""

    def mark(method: Any) -> Any:
        method.__params_validator__ = mode
        return method

    return mark


class _ParamsType(type):
    @property
    def model_fields(cls) -> dict[str, FieldInfo]:
        """The fields as pydantic describes them (annotation, default, description): for listings."""
        return cls._validator().model_fields


class Params(metaclass=_ParamsType):
    """Base of every generator's params: unknown keys are errors, every field has a default, frozen.

    A family declares its params as a pydantic model would (annotated fields with defaults, :func:`Field`
    constraints, :func:`model_validator` methods), but the class is plain: a drill session makes problems
    from params every card leaves at their defaults, and a pydantic model class would cost the session
    pydantic itself (about 8 MB of its peak memory). The pydantic model is built from the class the first
    time params are validated (a deck that sets them, ``quizzer decks lint``, ``quizzer generate --param``)
    and checks them exactly as before: the same errors, the same coercions (an int given for a float field
    becomes a float).

    Choice values may be spelled with dashes or underscores (``mape-zero`` / ``mape_zero``): families differ
    in which they use, and a deck author should not have to remember which.
    """

    _fields: ClassVar[dict[str, Any]] = {}  # name -> a plain default or a _Field, in declaration order
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls._fields)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if name.startswith("_") or "ClassVar" in str(annotation):
                continue
            # A field without a default (a plugin's: the built-in families give every field one) is required.
            fields[name] = cls.__dict__.get(name, _Field(..., {}))
        cls._fields = fields
        defaults = {name: _default_of(spec) for name, spec in fields.items()}
        cls._defaults = {name: default for name, default in defaults.items() if default is not ...}
        for name, default in cls._defaults.items():
            setattr(cls, name, default)  # not the _Field: the class reads as its defaults

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """``data`` (a mapping) checked and coerced by the family's pydantic model; raises
        ``pydantic.ValidationError``."""
        if isinstance(data, cls):
            return data
        validated = cls._validator().model_validate(data)
        return cls._made({name: getattr(validated, name) for name in cls._fields})

    @classmethod
    def defaults(cls) -> Self:
        """The params of a card that sets none: every field at its default, as ``model_validate({})`` gives.

        Made without the validator for the built-in families: there is no input to check, and their own
        validators only reject combinations of set fields, which the defaults never are (a test checks this
        equals the validated empty params for every built-in family). A plugin's params may validate or fill
        in anything, so they go through the validator.
        """
        if not _built_in(cls):
            return cls.model_validate({})
        return cls._made(dict(cls._defaults))

    @classmethod
    def _made(cls, values: dict[str, Any]) -> Self:
        made = object.__new__(cls)
        made.__dict__.update(values)
        return made

    @classmethod
    def _validator(cls) -> type[BaseModel]:
        """The pydantic model of these params, built on first need (and kept on the class)."""
        built = cls.__dict__.get("_pydantic")
        if built is None:
            built = _pydantic_model(cls)
            type.__setattr__(cls, "_pydantic", built)
        return built

    def model_dump(self, *, mode: Literal["python", "json"] = "python") -> dict[str, Any]:
        """The field values by name, in declaration order. In JSON mode as pydantic dumps them; read straight
        off the fields when each is a JSON scalar (a built-in family's always are, checked by a test), so that
        making a problem never builds the pydantic model."""
        values = {name: getattr(self, name) for name in self._fields}
        if mode == "json" and not all(map(_json_scalar, values.values())):
            return self._validator().model_construct(**values).model_dump(mode="json")
        return values

    def as_json(self) -> dict[str, Any]:
        """``model_dump(mode="json")``: what a problem records of its params."""
        return self.model_dump(mode="json")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash((type(self), *self.model_dump().values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.model_dump().items())
        return f"{type(self).__name__}({fields})"


def _default_of(spec: Any) -> Any:
    """A field's default: a plain value, :func:`Field`'s, or that of a ``pydantic.Field`` a plugin used."""
    if isinstance(spec, _Field):
        return spec.default
    if type(spec).__name__ == "FieldInfo":
        return spec.get_default(call_default_factory=True)
    return spec


def _pydantic_model(cls: type[Params]) -> type[BaseModel]:
    """The pydantic model that validates ``cls``'s params: its fields with their annotations (resolved in the
    family's module), defaults and constraints, extra keys forbidden, frozen, the dash/underscore fix-up
    and the family's own model validators, under the class's name (which error messages show)."""
    from typing import get_type_hints

    from pydantic import ConfigDict, create_model
    from pydantic import Field as PydanticField
    from pydantic import model_validator as pydantic_validator

    hints = get_type_hints(cls)
    definitions: dict[str, Any] = {}
    for name, spec in cls._fields.items():
        if isinstance(spec, _Field):
            spec = PydanticField(spec.default, **spec.constraints)
        definitions[name] = (hints[name], spec)
    validators: dict[str, Any] = {
        "_either_separator": pydantic_validator(mode="before")(classmethod(_either_separator))
    }
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            mode = getattr(member, "__params_validator__", None)
            if mode is not None:
                validators[name] = pydantic_validator(mode=mode)(member)
            elif type(member).__name__ == "PydanticDescriptorProxy":  # a plugin's own pydantic validator
                validators[name] = member
    return create_model(  # type: ignore[call-overload, no-any-return]
        cls.__name__,
        __config__=ConfigDict(extra="forbid", frozen=True),
        __module__=cls.__module__,
        __validators__=validators,
        **definitions,
    )


def _either_separator(model: type[BaseModel], data: Any) -> Any:
    """A choice value spelled with the other separator (``mape_zero`` for ``mape-zero``) made the one its
    field allows."""
    if not isinstance(data, dict):
        return data
    fixed = dict(data)
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None or not isinstance(value, str):
            continue
        allowed = _literal_strings(field.annotation)
        if value in allowed:
            continue
        for candidate in (value.replace("_", "-"), value.replace("-", "_")):
            if candidate in allowed:
                fixed[key] = candidate
                break
    return fixed


def _built_in(cls: type) -> bool:
    """One of this package's families (the equivalence tests cover exactly these)."""
    return cls.__module__.startswith("generators.")


def _json_scalar(value: Any) -> bool:
    """Dumped as itself in pydantic's JSON mode: None, a str, a bool, an int or a finite float."""
    kind = type(value)
    return value is None or kind in (str, bool, int) or (kind is float and math.isfinite(value))


def _literal_strings(annotation: Any) -> set[str]:
    """The string values of the Literal types inside ``annotation`` (through Optional and unions)."""
    found: set[str] = set()
    stack = [annotation]
    while stack:
        current = stack.pop()
        if get_origin(current) is Literal:
            found.update(value for value in get_args(current) if isinstance(value, str))
        else:
            stack.extend(get_args(current))
    return found


@dataclass(frozen=True, slots=True)
class NumberAnswer:
    """A numeric answer, graded at the precision the prompt states.

    ``decimals=N`` ("to N decimals") accepts what rounds or truncates to the right N decimals: anything
    within 10⁻ᴺ of ``value``. ``significant=S`` ("to S significant figures") accepts anything within one unit
    of the S-th significant digit. Without either, ``tolerance`` (absolute) or ``rel_tolerance`` applies, for
    answers whose prompt states its own rule ("a whole number": ``tolerance=0``). ``unit`` is shown after
    the number; ``%`` means the value itself is in percent.
    """

    value: float
    tolerance: float = 0.005
    rel_tolerance: float = 0.0
    unit: str = ""
    decimals: int | None = None
    significant: int | None = None

    @property
    def tolerances(self) -> tuple[float, float]:
        """(absolute, relative) tolerance in force."""
        if self.decimals is not None:
            return 10.0**-self.decimals, 0.0
        if self.significant is not None and self.value != 0:
            return 10.0 ** (math.floor(math.log10(abs(self.value))) - self.significant + 1), 0.0
        return self.tolerance, self.rel_tolerance

    @property
    def whole(self) -> bool:
        """A whole number is asked for (a count, a size, an amount in whole units)."""
        if self.decimals is not None:
            return self.decimals == 0
        return (
            self.significant is None
            and self.value == int(self.value)
            and self.tolerance < 1
            and (self.rel_tolerance == 0 or abs(self.value) * self.rel_tolerance < 1)
        )

    def shown(self) -> str:
        """The expected value as the prompt asked for it: at the stated decimals or significant figures."""
        if self.decimals is not None:
            text = f"{self.value:.{self.decimals}f}"
        elif self.significant is not None:
            text = significant_text(self.value, self.significant)
        else:
            text = fmt(self.value, 6) if self.value != int(self.value) else str(int(self.value))
        return f"{text} {self.unit}".strip() if self.unit and self.unit != "%" else text + self.unit

    def to_json(self) -> float:
        return self.value


def significant_text(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant figures, in plain notation (0.00833, 1250, 0.5, 1020 for 1017.8)."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = digits - 1 - exponent  # negative for digits left of the point: 1017.8 to 3 figures is 1020
    rounded = round(value, decimals)
    if abs(rounded) >= 10 ** (exponent + 1):  # rounding carried into a new digit: 99.96 -> 100, not 100.0
        decimals -= 1
    if decimals > 0:
        return f"{rounded:.{decimals}f}"
    # From the shortest text that reads back as the float: int() of 5.63e22 would spell out its binary
    # approximation (56299999999999996854272) where 563 and twenty zeros are meant.
    return f"{Decimal(repr(rounded)).to_integral_value():f}"


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # machine name, e.g. "high_bias" or "StratifiedKFold"
    label: str = ""  # what the user reads; defaults to the name
    value: float | None = None  # the number the option stands for (a threshold, a MAPE), typed any way
    aliases: tuple[str, ...] = ()  # other names people type for it ("LOO", "overfitting")

    @property
    def text(self) -> str:
        return self.label or self.name


@dataclass(frozen=True, slots=True)
class ChoiceAnswer:
    """Pick one option. ``feedback`` holds, per wrong option name, what actually goes wrong with it."""

    options: tuple[Option, ...]
    correct: str
    feedback: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return self.correct


Answer = NumberAnswer | ChoiceAnswer


@dataclass(frozen=True, slots=True)
class Part:
    """One question of a problem. Most problems have one part; some ask a follow-up."""

    prompt: str
    answer: Answer
    label: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A line plot for the UI to draw in the terminal (a learning curve, a schedule...)."""

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    y_range: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """One instance of a family: everything needed to ask, grade and explain it."""

    generator: str
    seed: int
    params: dict[str, Any]
    prompt: str
    parts: tuple[Part, ...]
    solution: str
    data: dict[str, Any] = field(default_factory=dict)
    table: Table | None = None
    figure: Figure | None = None

    @property
    def expected(self) -> Any:
        """The expected answer: a number or option name, or a list with the first part first."""
        values = [part.answer.to_json() for part in self.parts]
        return values[0] if len(values) == 1 else values

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": self.generator,
            "seed": self.seed,
            "params": self.params,
            "prompt": self.prompt,
            "data": to_jsonable(self.data),
            "expected": to_jsonable(self.expected),
            "solution": self.solution,
        }


class Generator:
    """A problem family. Subclasses set the class attributes and implement ``make``.

    ``generate`` is deterministic in (seed, params): it seeds a fresh numpy Generator and never
    touches global random state, so a logged seed reproduces the exact problem on any machine.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[Params]] = Params
    topics: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int, params: Params | dict[str, Any] | None = None) -> Problem:
        if not isinstance(params, Params):
            params = self.Params.model_validate(params) if params else self.Params.defaults()
        import numpy as np  # here, not at import: loading decks must not wait for numpy

        rng = np.random.default_rng(seed_sequence(self.name, seed))
        return self.make(rng, seed, params)

    def make(self, rng: np.random.Generator, seed: int, params: Any) -> Problem:  # pragma: no cover
        raise NotImplementedError

    def problem(self, seed: int, params: Params, **fields: Any) -> Problem:
        return Problem(generator=self.name, seed=seed, params=params.as_json(), **fields)


def scored_rows_table(labels: Any, scores: Any, item: str, positive: str, negative: str, title: str) -> Table:
    """Rows of a scored sample, best score first: number, score, actual class (1 = ``positive``)."""
    names = {1: positive, 0: negative}
    return Table(
        headers=(item, "Score", "Actual"),
        rows=tuple(
            (str(i + 1), f"{s:.2f}", names[int(v)])
            for i, (s, v) in enumerate(zip(scores, labels, strict=True))
        ),
        title=title,
    )


def seed_sequence(name: str, seed: int) -> list[int]:
    """Mix the family name into the seed so two families given the same seed don't share a stream."""
    return [abs(int(seed)) % (2**63), int(seed) < 0, *name.encode("utf-8")]


def to_jsonable(value: Any) -> Any:
    """numpy scalars/arrays and tuples -> plain JSON types."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def softmax(x: Any, axis: int | None = -1) -> np.ndarray:
    """``scipy.special.softmax``, the same numpy operations in the same order (so the same floats), without
    importing scipy: scipy.special costs a drill session about 27 MB. The tests compare them bit for bit."""
    import numpy as np

    x = np.asarray(x)
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def log_softmax(x: Any, axis: int | None = -1) -> np.ndarray:
    """``scipy.special.log_softmax`` (see :func:`softmax`): x − max − log Σ exp(x − max), a non-finite max
    taken as 0 as scipy does."""
    import numpy as np

    x = np.asarray(x)
    top = np.max(x, axis=axis, keepdims=True)
    shifted = x - np.where(np.isfinite(top), top, 0)
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def far_from(value: float, slips: Iterable[float], gap: float) -> bool:
    """Is every slip at least ``gap`` from ``value``? Families draw again until it is, so that a slip typed at the
    answer's stated precision grades wrong."""
    return all(abs(value - slip) >= gap for slip in slips)


def article(noun: str) -> str:
    """The indefinite article a prompt puts before ``noun``: "a recipe", "an article"."""
    return "an" if noun[0] in "aeiou" else "a"


def fmt(value: float, digits: int = 4) -> str:
    """Round for display in prompts and solutions (trailing zeros dropped)."""
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
