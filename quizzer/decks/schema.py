"""The deck format's validators: pydantic models that check a deck file's data and describe it (JSON Schema).

They are used only when a deck file is parsed (a cache miss, ``decks lint``) or a deck is built in code:
what the app holds are the plain classes of :mod:`quizzer.decks.model` (same names, same fields), so a
start served from the parsed-deck cache never imports pydantic. ``model.Deck.model_validate`` (and each
plain class's constructor) runs the same-named model here and rebuilds its dump as the plain class; a
test checks that both sides list the same fields, in the same order, with the same defaults.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from quizzer.decks.model import CARD_KINDS, MAX_TEXT, SLUG_PATTERN, answers_of

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
TagName = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=60)]


class _Strict(BaseModel):
    # defer_build: the validators are built on first use (``decks lint`` of one file needs only some).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class _CardBase(_Strict):
    id: Slug = Field(description="Stable id, unique in the deck. It keys the review history: never change it.")
    front: Text = Field(description="The question, in Markdown.")
    back: Text | None = Field(default=None, description="The answer or notes shown after answering (Markdown).")
    tags: list[TagName] = Field(default_factory=list, description="Topic tags (slugs).")
    source: str | None = Field(default=None, max_length=500, description="Where the fact comes from.")

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class KeyPoint(_Strict):
    """One thing an interviewer listens for in a spoken answer to an open card."""

    text: Annotated[str, Field(min_length=3, max_length=300)] = Field(
        description="The point, as a short statement (e.g. 'L1 sets some coefficients exactly to zero')."
    )
    also: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=12,
        description="Other ways to say it: synonyms, notations ('lasso', 'absolute-value penalty').",
    )
    must: bool = Field(default=False, description="Without this point the answer is wrong.")


class OpenCard(_CardBase):
    """Recall questions: typed answers are graded against ``points``; or reveal ``back`` and self-grade 0-5."""

    kind: Literal["open"] = "open"
    back: Text = Field(description="The answer, in Markdown.")
    points: list[KeyPoint] | None = Field(
        default=None, min_length=2, max_length=5,
        description="2-5 key points a good answer makes, for grading typed answers.",
    )


class ChoiceCard(_CardBase):
    """Pick the right option(s). ``answer`` is an option's text, or a list when several are right."""

    kind: Literal["choice"]
    options: list[Text] = Field(min_length=2, max_length=8)
    answer: Text | list[Text]
    explanation: Text | None = Field(default=None, description="Why the answer is right and the others wrong.")
    shuffle: bool = Field(default=True, description="Shuffle the options each time the card is shown.")
    aliases: dict[Text, list[Text]] = Field(
        default_factory=dict,
        description="Other names people type for an option: {option text: [alias, ...]}, e.g. LOO for leave-one-out.",
    )

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[str]) -> list[str]:
        seen: set[str] = set()
        for option in options:
            key = option.casefold()
            if key in seen:
                raise ValueError(f"option {option!r} is listed twice")
            seen.add(key)
        return options

    @model_validator(mode="after")
    def _answer_among_options(self) -> ChoiceCard:
        answers = answers_of(self.answer)
        if not answers:
            raise ValueError("answer: give at least one right option")
        for answer in answers:
            if answer not in self.options:
                raise ValueError(f"answer: {answer!r} is not one of the options")
        if len(set(answers)) != len(answers):
            raise ValueError("answer: an option is listed twice")
        for option in self.aliases:
            if option not in self.options:
                raise ValueError(f"aliases: {option!r} is not one of the options")
        return self


class NumericCard(_CardBase):
    """Type a number; right when within ``tolerance`` (absolute) or ``rel_tolerance`` (relative)."""

    kind: Literal["numeric"]
    answer: float = Field(allow_inf_nan=False)
    tolerance: float | None = Field(default=None, ge=0, allow_inf_nan=False, description="Absolute tolerance.")
    rel_tolerance: float | None = Field(
        default=None, ge=0, lt=1, allow_inf_nan=False, description="Relative tolerance, e.g. 0.01 for 1%."
    )
    unit: str = Field(default="", max_length=40)
    explanation: Text | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("answer must be a number, not true/false")
        return value

    @model_validator(mode="after")
    def _tolerance_cannot_accept_zero(self) -> NumericCard:
        if self.answer != 0 and self.tolerance is not None and self.tolerance >= abs(self.answer) / 2:
            raise ValueError(
                f"tolerance: {self.tolerance} is at least half the answer {self.answer}; "
                "it would accept wildly wrong numbers (use rel_tolerance for small answers)"
            )
        return self


class GeneratedCard(_CardBase):
    """A fresh problem from a registered generator each time the card comes up."""

    kind: Literal["generated"]
    front: Text | None = Field(default=None, description="Optional lead-in shown above the generated prompt.")
    generator: Slug = Field(description="A registered generator name (see `quizzer generators list`).")
    params: dict[str, Any] = Field(default_factory=dict, description="Params for the generator.")


def _card_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind", "open")
        return kind if kind in CARD_KINDS else None
    return getattr(value, "kind", None)


Card = Annotated[
    Annotated[OpenCard, Tag("open")]
    | Annotated[ChoiceCard, Tag("choice")]
    | Annotated[NumericCard, Tag("numeric")]
    | Annotated[GeneratedCard, Tag("generated")],
    Discriminator(
        _card_kind,
        custom_error_type="unknown_kind",
        custom_error_message="kind must be one of: open, choice, numeric, generated",
    ),
]


class Deck(_Strict):
    """One deck: a YAML file with an id, a title and its cards."""

    id: Slug = Field(description="Deck id: lowercase letters, digits and single dashes.")
    title: Text
    description: str = Field(default="", max_length=MAX_TEXT)
    tags: list[TagName] = Field(default_factory=list, description="Tags applied to every card of the deck.")
    cards: list[Card] = Field(min_length=1, max_length=20_000)

    @model_validator(mode="after")
    def _unique_card_ids(self) -> Deck:
        seen: set[str] = set()
        for index, card in enumerate(self.cards):
            if card.id in seen:
                raise ValueError(f"cards[{index}].id: duplicate card id {card.id!r}")
            seen.add(card.id)
        return self


def json_schema() -> dict[str, Any]:
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Quizzer deck"
    return schema
