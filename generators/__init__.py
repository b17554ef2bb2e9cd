"""Procedurally generated problems: each family makes a fresh, seeded instance with a worked solution."""

from generators.base import (
    ChoiceAnswer,
    Figure,
    Generator,
    NumberAnswer,
    Option,
    Params,
    Part,
    Problem,
    Series,
    Table,
)
from generators.registry import UnknownGenerator, all_generators, get, is_registered, names

__all__ = [
    "ChoiceAnswer",
    "Figure",
    "Generator",
    "NumberAnswer",
    "Option",
    "Params",
    "Part",
    "Problem",
    "Series",
    "Table",
    "UnknownGenerator",
    "all_generators",
    "get",
    "is_registered",
    "names",
]
