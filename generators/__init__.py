"""Procedurally generated problems: each family makes a fresh, seeded instance with a worked solution."""

import os

# Problems are tiny: one BLAS/OpenMP thread is fastest, and a spinning second thread on a busy machine
# made generation up to 50x slower. Users can still override these before starting Quizzer.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


from generators.base import (  # noqa: E402 - after the thread limits above
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
from generators.registry import UnknownGenerator, all_generators, get, is_registered, names  # noqa: E402

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
