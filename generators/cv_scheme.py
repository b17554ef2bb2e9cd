"""`cv-scheme`: pick the validation scheme a scenario needs, and see what the others would do to it.

Nine scenarios, each with one defensible best answer. The prompt's words are the same for all of them
(nouns come from a domain drawn independently of the scenario); a data sheet states every fact that can
decide the scheme (rows, ids and rows per id, dates, target and positives, use, tuning, fit cost) for every
scenario, so the values decide, not keywords:

============================  =========================  =========================================
scenario                      right answer               why the obvious alternatives fail
============================  =========================  =========================================
``time_ordered``              ``TimeSeriesSplit``        shuffled folds train on the future
``grouped`` (numeric target)  ``GroupKFold``             a patient's rows land on both sides
``imbalanced``                ``StratifiedKFold``        folds with (almost) no positives
``grouped_imbalanced``        ``StratifiedGroupKFold``   leakage, or lopsided positive rates
``tiny`` (numeric target)     ``LeaveOneOut``            estimates that swing with the shuffle
``tuning``                    ``nested``                 the tuned score is optimistic
``big``                       ``holdout``                k fits of many hours buy nothing
``plain`` (numeric target)    ``KFold``                  one holdout is noisy, LOO is costly
``grouped_time`` (panel)      ``TimeSeriesSplit``        groups repeat, but the future is the leak
============================  =========================  =========================================

The grader builds the scenario's synthetic data (from ``data_seed``, with :func:`build_dataset`),
runs *every* option's scikit-learn splitter on it and puts what it measured into the feedback of each
wrong option, so the numbers change with every instance. The splitters are scikit-learn's as
:mod:`generators._splits` reproduces them in numpy (the same folds and error messages, without importing
scikit-learn; the tests compare them). Splitter conventions (the tests rebuild
them independently): shuffled splitters use ``random_state=split_seed``; ``holdout`` is
``ShuffleSplit(n_splits=1, test_size=0.2, random_state=split_seed)`` (what ``train_test_split``
does); ``nested`` is an outer (Stratified)KFold with ``split_seed`` around an inner one with
``split_seed + 1`` (stratified for class targets, as scikit-learn's ``cv=5`` default is).
Draws whose measured failure would not show (KFold happens to spread positives evenly, the tuned
score happens not to be optimistic...) are redrawn from the same rng, so instances stay deterministic
per seed; after ``MAX_REDRAWS`` a fixed-seed stream known to verify is used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from generators import _splits
from generators._arrays import distinct, quantile
from generators.base import ChoiceAnswer, Field, Generator, Option, Params, Part, Problem, Table, fmt

Scenario = Literal[
    "time_ordered",
    "grouped",
    "imbalanced",
    "grouped_imbalanced",
    "tiny",
    "tuning",
    "big",
    "plain",
    "grouped_time",
]
SCENARIOS: tuple[str, ...] = Scenario.__args__  # type: ignore[attr-defined]

OPTIONS: dict[str, str] = {
    "KFold": "KFold (shuffled k folds)",
    "StratifiedKFold": "StratifiedKFold (the same class mix in every fold)",
    "GroupKFold": "GroupKFold (whole groups per fold)",
    "StratifiedGroupKFold": "StratifiedGroupKFold (whole groups, balanced classes)",
    "TimeSeriesSplit": "TimeSeriesSplit (train on the past, test on the next block)",
    "LeaveOneOut": "LeaveOneOut (one row per test fold)",
    "nested": "Nested CV (an inner CV tunes, an outer CV scores)",
    "holdout": "A single random holdout (train_test_split, 20% test)",
}
RIGHT: dict[str, str] = {
    "time_ordered": "TimeSeriesSplit",
    "grouped": "GroupKFold",
    "imbalanced": "StratifiedKFold",
    "grouped_imbalanced": "StratifiedGroupKFold",
    "tiny": "LeaveOneOut",
    "tuning": "nested",
    "big": "holdout",
    "plain": "KFold",
    "grouped_time": "TimeSeriesSplit",
}
HOLDOUT_TEST_SIZE = 0.2
RESHUFFLES = 10  # how many reshuffles / redraws measure the spread of an estimate
FRESH_ROWS = 2000  # new rows that give the "true" accuracy of a tuned model
KNN_GRID = tuple(range(1, 40, 2))  # k values tuned in the `tuning` scenario
MAX_REDRAWS = 12
SORT_BLOCK = 256  # rows of a k-NN distance matrix sorted at a time


class CVSchemeParams(Params):
    scenario: Scenario | None = None
    n_splits: int = Field(default=5, ge=3, le=10)


# -- the scenario's data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dataset:
    """The synthetic data a scenario describes. Rows are in time order for ``time_ordered``."""

    scenario: str
    n_rows: int
    target: str  # "binary", "multiclass" or "continuous"
    y: np.ndarray | None = None  # None for `big`: nothing there is run on the rows themselves
    groups: np.ndarray | None = None
    X: np.ndarray | None = None  # features, for the scenarios that fit a model
    story: dict[str, Any] = field(default_factory=dict)  # numbers and words for the prompt

    @property
    def n_groups(self) -> int | None:
        return None if self.groups is None else len(distinct(self.groups))

    @property
    def positives(self) -> int | None:
        return int(self.y.sum()) if self.target == "binary" and self.y is not None else None


def _time_ordered(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(400, 901))
    t = np.arange(n)
    phase = rng.uniform(0, 2 * np.pi)
    logit = rng.uniform(-1.6, -0.8) + 1.2 * np.sin(2 * np.pi * t / 365 + phase) + rng.uniform(0, 1) * t / n
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return Dataset("time_ordered", n, "binary", y, story={"unit": "days"})


def _grouped_time(rng: np.random.Generator, k: int) -> Dataset:
    """A panel: one row per group per day, rows in date order; the model forecasts the same groups' next day.

    The number of days is a multiple of k + 1, so TimeSeriesSplit's blocks (n // (k + 1) rows each) are whole
    days: no day has rows on both sides of a split.
    """
    groups_n = int(rng.integers(8, 21))
    days = (k + 1) * int(rng.integers(max(2, 60 // (k + 1)), 120 // (k + 1) + 1))
    day = np.repeat(np.arange(days), groups_n)
    group = np.tile(np.arange(groups_n), days)
    level = rng.normal(0, 0.8, groups_n)
    phase = rng.uniform(0, 2 * np.pi)
    logit = -1.0 + level[group] + np.sin(2 * np.pi * day / 30 + phase) + 1.5 * day / days
    y = (rng.random(len(day)) < 1 / (1 + np.exp(-logit))).astype(int)
    return Dataset("grouped_time", len(day), "binary", y, group, story={"unit": "days", "days": days})


def _grouped(rng: np.random.Generator, k: int) -> Dataset:
    g = int(rng.integers(max(40, 4 * k), 121))
    sizes = rng.integers(2, 13, g)
    groups = rng.permutation(np.repeat(np.arange(g), sizes))  # rows arrive in no particular order
    base = rng.normal(0, 1, g)
    y = base[groups] + rng.normal(0, 0.5, len(groups))
    return Dataset("grouped", len(groups), "continuous", y, groups)


def _imbalanced(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(400, 1501))
    positives = int(rng.integers(2 * k, 4 * k + 1))
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, positives, replace=False)] = 1
    return Dataset("imbalanced", n, "binary", y)


def _grouped_imbalanced(rng: np.random.Generator, k: int) -> Dataset:
    g = int(rng.integers(max(50, 8 * k), 121))
    sizes = rng.integers(3, 16, g)
    high_risk = rng.random(g) < 0.1  # a few groups hold most positives: what makes folds lopsided
    risk = np.where(high_risk, rng.uniform(0.3, 0.6, g), rng.uniform(0.0, 0.015, g))
    groups = rng.permutation(np.repeat(np.arange(g), sizes))
    y = (rng.random(len(groups)) < risk[groups]).astype(int)
    return Dataset("grouped_imbalanced", len(groups), "binary", y, groups)


def _tiny(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(max(14, 2 * k + 4), 31))
    X = rng.uniform(0, 1, size=(n, 2))
    y = 40 + 25 * X[:, 0] - 12 * X[:, 1] + rng.normal(0, rng.uniform(3, 6), n)
    return Dataset("tiny", n, "continuous", y, X=X)


def _tuning(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(120, 201))
    X = rng.normal(size=(n, 10))
    y = (0.3 * X[:, 0] + rng.normal(size=n) > 0).astype(
        int
    )  # weak signal: the setting where tuning fools you
    return Dataset("tuning", n, "binary", y, X=X)


def _big(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(300, 3001)) * 1000
    return Dataset(
        "big",
        n,
        "binary",
        story={"hours": int(rng.integers(2, 13)), "accuracy": round(float(rng.uniform(0.85, 0.95)), 2)},
    )


def _plain(rng: np.random.Generator, k: int) -> Dataset:
    n = int(rng.integers(800, 2501))
    X = rng.normal(size=(n, 8))
    y = X @ rng.normal(0, 1, 8) + rng.normal(0, rng.uniform(1.0, 2.0), n)
    return Dataset("plain", n, "continuous", y, X=X, story={"seconds": int(rng.integers(10, 61))})


BUILDERS: dict[str, Callable[[np.random.Generator, int], Dataset]] = {
    "time_ordered": _time_ordered,
    "grouped": _grouped,
    "imbalanced": _imbalanced,
    "grouped_imbalanced": _grouped_imbalanced,
    "tiny": _tiny,
    "tuning": _tuning,
    "big": _big,
    "plain": _plain,
    "grouped_time": _grouped_time,
}


@dataclass(frozen=True, slots=True)
class Domain:
    """Who the rows are about. Drawn independently of the scenario: the nouns must not give the answer away."""

    org: str
    who: str  # plural
    row: str  # one row
    rows: str
    numeric: str  # a numeric target, with its unit
    event: str  # a binary target ("had ...")
    site: str  # one place whose days a time series covers


DOMAINS = (
    Domain(
        "A hospital network",
        "patients",
        "visit",
        "visits",
        "systolic blood pressure (mmHg)",
        "an adverse event",
        "one ward",
    ),
    Domain(
        "A streaming service",
        "users",
        "session",
        "sessions",
        "minutes watched",
        "a cancelled subscription",
        "one region",
    ),
    Domain(
        "A manufacturer",
        "parts",
        "inspection",
        "inspections",
        "weld strength (MPa)",
        "a defect found later",
        "one plant",
    ),
    Domain("A retailer", "customers", "order", "orders", "basket value (€)", "a chargeback", "one store"),
)


def build_dataset(scenario: str, data_seed: int, n_splits: int) -> Dataset:
    """The scenario's data, rebuilt from its seed (the problem's ``data`` carries ``data_seed``).

    The domain (who the rows are about) is drawn first from the same seed, for every scenario alike.
    """
    rng = np.random.default_rng(data_seed)
    domain = DOMAINS[int(rng.integers(len(DOMAINS)))]
    ds = BUILDERS[scenario](rng, n_splits)
    story = {
        "who": domain.who,
        "row": domain.row,
        "rows": domain.rows,
        "numeric": domain.numeric,
        "event": domain.event,
        "site": domain.site,
        "org": domain.org,
        "span": int(rng.integers(60, 400)),
        **ds.story,
    }
    return Dataset(ds.scenario, ds.n_rows, ds.target, ds.y, ds.groups, ds.X, story)


# -- running the splitters -----------------------------------------------------------------------

Split = tuple[np.ndarray, np.ndarray]


class _Rerun(Sequence[Split]):
    """Leave-one-out's splits, made again on every pass instead of held: n folds of n - 1 training rows each
    would hold n² indices at once (6.5 MB for 900 rows, a drill session's memory peak)."""

    def __init__(self, make: Callable[[], Iterator[Split]], count: int) -> None:
        self.make, self.count = make, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Split]:
        return self.make()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        position = range(self.count)[index]  # negative indices and bounds, as a tuple's
        return next(itertools.islice(self.make(), position, None))


@dataclass(frozen=True, slots=True)
class Run:
    """An option's splits on the data, or the error scikit-learn raises there."""

    splits: Sequence[Split] = ()
    error: str = ""

    @property
    def tests(self) -> list[np.ndarray]:
        return [test for _, test in self.splits]


def make_splitter(option: str, n_splits: int, split_seed: int, target: str) -> Any:
    """The splitter behind an option (for ``nested``: the outer splitter): scikit-learn's, as
    :mod:`generators._splits` reproduces it without importing scikit-learn (the tests compare the two)."""
    stratified = target in ("binary", "multiclass")
    match option:
        case "KFold":
            return _splits.KFold(n_splits, shuffle=True, random_state=split_seed)
        case "StratifiedKFold":
            return _splits.StratifiedKFold(n_splits, shuffle=True, random_state=split_seed)
        case "GroupKFold":
            return _splits.GroupKFold(n_splits)
        case "StratifiedGroupKFold":
            return _splits.StratifiedGroupKFold(n_splits, shuffle=True, random_state=split_seed)
        case "TimeSeriesSplit":
            return _splits.TimeSeriesSplit(n_splits)
        case "LeaveOneOut":
            return _splits.LeaveOneOut()
        case "holdout":
            return _splits.ShuffleSplit(n_splits=1, test_size=HOLDOUT_TEST_SIZE, random_state=split_seed)
        case "nested":
            kind = _splits.StratifiedKFold if stratified else _splits.KFold
            return kind(n_splits, shuffle=True, random_state=split_seed)
    raise ValueError(f"unknown option {option!r}")


def inner_splitter(n_splits: int, split_seed: int, target: str) -> Any:
    return make_splitter("nested", n_splits, split_seed + 1, target)


def run(
    option: str,
    ds: Dataset,
    n_splits: int,
    split_seed: int,
    *,
    y: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> Run:
    """Run the option's splitter on the data (``groups`` only reaches the group-aware splitters)."""
    splitter = make_splitter(option, n_splits, split_seed, ds.target)
    labels = ds.y if y is None else y
    X = np.empty((ds.n_rows, 0))
    try:
        if option == "LeaveOneOut":
            next(splitter.split(X, labels))  # raises here, as it would when the splits are taken
            return Run(_Rerun(lambda: splitter.split(X, labels), ds.n_rows))
        if option in ("GroupKFold", "StratifiedGroupKFold"):
            splits = splitter.split(X, labels, groups)
        else:
            splits = splitter.split(X, labels)
        return Run(tuple(splits))
    except ValueError as error:
        return Run(error=str(error))


def error_of(option: str, ds: Dataset, n_splits: int, split_seed: int) -> str:
    """What scikit-learn says (its message, reproduced) when the option is run as is on this data (no groups,
    numeric target...)."""
    return run(option, ds, n_splits, split_seed, groups=ds.groups).error


# -- measurements (the tests recount each of these independently) ---------------------------------


def leaked_groups(splits: Sequence[Split], groups: np.ndarray) -> list[tuple[int, int]]:
    """Per fold: (test groups that also have rows in training, test groups)."""
    out = []
    for train, test in splits:
        test_groups = distinct(groups[test])
        out.append((int(np.isin(test_groups, groups[train]).sum()), len(test_groups)))
    return out


def straddling_groups(splits: Sequence[Split], groups: np.ndarray) -> int:
    """Groups that had rows on both sides of at least one split."""
    seen: set[int] = set()
    for train, test in splits:
        seen.update(set(groups[train].tolist()) & set(groups[test].tolist()))  # np.intersect1d loads numpy.ma
    return len(seen)


def test_positives(splits: Sequence[Split], y: np.ndarray) -> list[int]:
    return [int(y[test].sum()) for _, test in splits]


def future_scored(splits: Sequence[Split]) -> list[int]:
    """Per fold: test rows (rows are in time order) scored by a model that trained on a later row."""
    return [int((test < train.max()).sum()) for train, test in splits]


def nested_fits(n_splits: int, settings: int = 1) -> int:
    """Fits of nested CV: per outer fold, inner folds x settings, plus the refit on the outer train."""
    return n_splits * (n_splits * settings + 1)


# -- text helpers ----------------------------------------------------------------------------------


def _count(n: int) -> str:
    return f"{n:,}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _list(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values)


def _worst(values: Sequence[tuple[int, int]]) -> int:
    """Index of the fold with the most leaked groups."""
    return max(range(len(values)), key=lambda i: values[i][0])


def _duration(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{fmt(hours, 1)} h"
    if hours < 24 * 365:
        return f"{fmt(hours / 24, 1)} days" if hours < 240 else f"{hours / 24:,.0f} days"
    return f"{hours / (24 * 365):,.0f} years"


def _no_groups(option: str, ds: Dataset, k: int, seed: int, what: str) -> str:
    """A group splitter on data whose ids never repeat: it buys nothing, and scikit-learn's word on it."""
    who = ds.story.get("who", "ids")
    if option == "GroupKFold":
        reduces = "is plain KFold without the shuffle, guarding against nothing"
    elif ds.target == "continuous":
        reduces = "has nothing to guard, and no classes to balance either: the target is a number"
    else:
        reduces = "is StratifiedKFold with extra bookkeeping"
    return (
        f"There are no groups to keep together here ({what}): with the {who[:-1]} ids as groups, every group is "
        f"one row, so it {reduces}; called without groups, "
        f"scikit-learn stops with `ValueError: {error_of(option, ds, k, seed)}`"
    )


# -- analyses: one per scenario -------------------------------------------------------------------


@dataclass
class Analysis:
    feedback: dict[str, str]
    why: list[str]  # the solution's case for the right answer
    measured: dict[str, Any]  # compact numbers for `data`


def _leak_sentence(name: str, run_: Run, groups: np.ndarray, who: str) -> tuple[str, dict[str, Any]]:
    leaks = leaked_groups(run_.splits, groups)
    i = _worst(leaks)
    total = straddling_groups(run_.splits, groups)
    n_groups = len(distinct(groups))
    if len(leaks) == 1:
        text = f"{name} put rows of {leaks[0][0]} of its {leaks[0][1]} test {who} into training too"
    else:
        text = (
            f"{name} put rows of {leaks[i][0]} of {leaks[i][1]} test {who} into training (fold {i + 1}); over "
            f"all {len(leaks)} folds, {total} of {n_groups} {who} had rows on both sides"
        )
    return text, {"leaked_per_fold": [a for a, _ in leaks], "straddling": total}


def _analyse_time(ds: Dataset, k: int, seed: int) -> Analysis:
    unit = ds.story["unit"]
    months = np.arange(ds.n_rows) // 30
    runs = {
        o: run(o, ds, k, seed)
        for o in ("KFold", "StratifiedKFold", "TimeSeriesSplit", "LeaveOneOut", "nested", "holdout")
    }
    runs["GroupKFold"] = run("GroupKFold", ds, k, seed, groups=months)
    runs["StratifiedGroupKFold"] = run("StratifiedGroupKFold", ds, k, seed, groups=months)
    measured: dict[str, Any] = {}
    feedback: dict[str, str] = {}
    for option, r in runs.items():
        scored = future_scored(r.splits)
        folds = sum(1 for s in scored if s)
        tested = sum(len(t) for t in r.tests)
        measured[option] = (
            {"future_scored_per_fold": scored} if option != "LeaveOneOut" else {"future_folds": folds}
        )
        if option == "TimeSeriesSplit":
            continue
        share = f"{_count(sum(scored))} of {_count(tested)} test {unit} ({_pct(sum(scored), tested)})"
        if option == "LeaveOneOut":
            feedback[option] = (
                f"LeaveOneOut trains on the future in {_count(folds)} of {_count(len(scored))} folds "
                f"(every {unit[:-1]} but the last) and needs {_count(len(scored))} fits."
            )
        elif option == "holdout":
            train, test = r.splits[0]
            feedback[option] = (
                f"The shuffled holdout scores {share} with a model that trained on later {unit}: "
                f"its training set runs to {unit[:-1]} {train.max() + 1}, its test set starts on "
                f"{unit[:-1]} {test.min() + 1}."
            )
        else:
            i = int(np.argmax(scored))
            train, test = r.splits[i]
            name = {"nested": "Nested CV's outer loop (shuffled folds)"}.get(option, option)
            prefix = (
                "There are no natural groups here; even with each month as a group, "
                if "Group" in option
                else ""
            )
            feedback[option] = (
                f"{prefix}{name} trains on the future in {folds} of {len(scored)} folds: {share} were "
                f"scored by a model that had seen later {unit} (fold {i + 1} trains up to "
                f"{unit[:-1]} {train.max() + 1} but tests from {unit[:-1]} {test.min() + 1})."
            )
    tss = runs["TimeSeriesSplit"].splits
    windows = "; ".join(
        f"fold {i + 1}: train {unit} 1–{tr.max() + 1}, test {te.min() + 1}–{te.max() + 1}"
        for i, (tr, te) in enumerate(tss)
    )
    why = [
        f"Rows are {ds.n_rows} consecutive {unit}, and production always predicts the next one. "
        f"TimeSeriesSplit trains only on the past: {windows}.",
        f"Checked on every fold: 0 test {unit} were scored by a model that saw a later {unit[:-1]}; "
        f"KFold did that to {_pct(sum(measured['KFold']['future_scored_per_fold']), ds.n_rows)} of its test "
        f"{unit}, and the future leaks trends and seasons into the score.",
    ]
    return Analysis(feedback, why, measured)


def future_scored_by_date(splits: Sequence[Split], dates: np.ndarray) -> list[int]:
    """Per fold: test rows dated before the latest training row (scored by a model that saw their future)."""
    return [int((dates[test] < dates[train].max()).sum()) for train, test in splits]


def _analyse_grouped_time(ds: Dataset, k: int, seed: int) -> Analysis:
    assert ds.groups is not None and ds.y is not None
    who, days = ds.story["who"], ds.story["days"]
    n_groups = ds.n_groups or 0
    dates = np.arange(ds.n_rows) // n_groups
    runs = {
        o: run(o, ds, k, seed) for o in ("KFold", "StratifiedKFold", "TimeSeriesSplit", "nested", "holdout")
    }
    runs["GroupKFold"] = run("GroupKFold", ds, k, seed, groups=ds.groups)
    runs["StratifiedGroupKFold"] = run("StratifiedGroupKFold", ds, k, seed, groups=ds.groups)
    measured: dict[str, Any] = {}
    feedback: dict[str, str] = {}
    for option, r in runs.items():
        scored = future_scored_by_date(r.splits, dates)
        measured[option] = {"future_scored_per_fold": scored}
        if option == "TimeSeriesSplit":
            continue
        tested = sum(len(t) for t in r.tests)
        folds = sum(1 for v in scored if v)
        share = f"{_count(sum(scored))} of {_count(tested)} test rows ({_pct(sum(scored), tested)})"
        name = {
            "nested": "Nested CV's outer loop (shuffled folds)",
            "holdout": "The shuffled holdout",
        }.get(option, option)
        if "Group" in option:
            unseen = [len(distinct(ds.groups[test])) for _, test in r.splits]
            feedback[option] = (
                f"{name} tests on {who} it never trained on ({_list(unseen)} per fold), but the model will forecast "
                f"the same {n_groups} {who} it knows; and it trains on the future in {folds} of {len(scored)} "
                f"folds: {share} were scored by a model that had seen later days."
            )
        else:
            feedback[option] = (
                f"{name} trains on the future in {folds} of {len(scored)} folds: {share} were scored by a model "
                "that had seen later days of the same series."
            )
    feedback["LeaveOneOut"] = (
        f"Every fold but those on the last day trains on later days: {_count(ds.n_rows - n_groups)} of "
        f"{_count(ds.n_rows)} folds score a row with a model that saw its future, and it needs "
        f"{_count(ds.n_rows)} fits."
    )
    measured["LeaveOneOut"] = {"future_folds": ds.n_rows - n_groups}
    tss = runs["TimeSeriesSplit"].splits
    windows = "; ".join(
        f"fold {i + 1}: train days 1–{dates[tr].max() + 1}, test days {dates[te].min() + 1}–{dates[te].max() + 1}"
        for i, (tr, te) in enumerate(tss)
    )
    why = [
        f"{_count(ds.n_rows)} rows are {n_groups} {who} × {days} days, in date order, and the model forecasts the "
        f"next day for the same {who}. The {who} repeat, but that is not the danger here: production trains on "
        "every one of them. The danger is the future.",
        f"TimeSeriesSplit trains only on past days, every {who[:-1]} included: {windows}. Its blocks are whole "
        f"days ({_count(ds.n_rows // (k + 1))} rows each), so 0 test rows were scored by a model that saw a later "
        f"day; KFold did that to {_pct(sum(measured['KFold']['future_scored_per_fold']), ds.n_rows)} of its test "
        "rows.",
    ]
    return Analysis(feedback, why, measured)


def _analyse_grouped(ds: Dataset, k: int, seed: int) -> Analysis:
    assert ds.groups is not None and ds.y is not None
    who, rows = ds.story["who"], ds.story["rows"]
    feedback: dict[str, str] = {}
    measured: dict[str, Any] = {}
    for option in ("KFold", "TimeSeriesSplit", "nested", "holdout"):
        text, measured[option] = _leak_sentence(
            {"nested": "Nested CV's outer KFold", "holdout": "The random holdout"}.get(option, option),
            run(option, ds, k, seed),
            ds.groups,
            who,
        )
        feedback[option] = text + "."
    feedback["TimeSeriesSplit"] = (
        "The dates do not matter here: the model scores new "
        f"{who}, not the next day. " + feedback["TimeSeriesSplit"]
    )
    quintiles = np.searchsorted(quantile(ds.y, [0.2, 0.4, 0.6, 0.8]), ds.y)
    text, measured["StratifiedKFold"] = _leak_sentence(
        "Stratifying on quintiles of the target instead",
        run("StratifiedKFold", ds, k, seed, y=quintiles),
        ds.groups,
        who,
    )
    feedback["StratifiedKFold"] = (
        f"The target is a number: scikit-learn stops with `ValueError: "
        f"{error_of('StratifiedKFold', ds, k, seed)}` {text}."
    )
    feedback["StratifiedGroupKFold"] = (
        f"It would keep {who} whole, but the target is a number, with no classes to "
        f"balance: scikit-learn stops with `ValueError: "
        f"{error_of('StratifiedGroupKFold', ds, k, seed)}`"
    )
    multi = int((np.bincount(ds.groups) > 1).sum())
    loo_leaks = int(np.isin(ds.groups, np.flatnonzero(np.bincount(ds.groups) > 1)).sum())
    feedback["LeaveOneOut"] = (
        f"Each left-out row's {who[:-1]} still has other {rows} in training: {_count(loo_leaks)} "
        f"of {_count(ds.n_rows)} folds leak ({multi} {who} have 2+ {rows}), and it costs "
        f"{_count(ds.n_rows)} fits."
    )
    measured["LeaveOneOut"] = {"leaking_folds": loo_leaks}
    gkf = run("GroupKFold", ds, k, seed, groups=ds.groups)
    sizes = [len(distinct(ds.groups[te])) for _, te in gkf.splits]
    measured["GroupKFold"] = {
        "leaked_per_fold": [a for a, _ in leaked_groups(gkf.splits, ds.groups)],
        "test_groups_per_fold": sizes,
    }
    why = [
        f"{_count(ds.n_rows)} {rows} come from {ds.n_groups} {who}, and the model is for {who} it has not seen. "
        f"GroupKFold keeps every {who[:-1]}'s {rows} on one side: its test folds hold {_list(sizes)} {who}, and "
        f"0 {who} appear on both sides (checked on every fold).",
        f"Row-level splits let the model recognise a {who[:-1]} it has already seen: "
        f"KFold split {measured['KFold']['straddling']} of {ds.n_groups} {who}, so its score measures "
        f"memory of {who}, not generalisation to new ones. The target is numeric, so there is nothing to "
        "stratify.",
    ]
    return Analysis(feedback, why, measured)


def _analyse_imbalanced(ds: Dataset, k: int, seed: int) -> Analysis:
    assert ds.y is not None
    y, p, n = ds.y, ds.positives or 0, ds.n_rows
    pos = {
        o: test_positives(run(o, ds, k, seed).splits, y)
        for o in ("KFold", "StratifiedKFold", "TimeSeriesSplit", "holdout")
    }
    singles = run("GroupKFold", ds, k, seed, groups=np.arange(n))
    pos["GroupKFold"] = test_positives(singles.splits, y)
    measured: dict[str, Any] = {o: {"test_positives": v} for o, v in pos.items()}

    def spread(option: str) -> str:
        values = pos[option]
        zero = [i + 1 for i, v in enumerate(values) if v == 0]
        if zero:
            return f"fold {zero[0]} has no positives at all, so its recall is undefined"
        low = int(np.argmin(values))
        return f"fold {low + 1} scores recall on just {values[low]}, so one miss moves it by {1 / values[low]:.2f}"

    skf = _list(pos["StratifiedKFold"])
    tss_first = len(run("TimeSeriesSplit", ds, k, seed).splits[0][0])
    inner = _inner_positives(ds, k, seed)
    measured["nested"] = {"min_inner_test_positives": inner}
    holdout = pos["holdout"][0]
    feedback = {
        "KFold": f"KFold's test folds hold {_list(pos['KFold'])} positives (StratifiedKFold: {skf}): {spread('KFold')}.",
        "GroupKFold": (
            _no_groups("GroupKFold", ds, k, seed, f"one {ds.story['row']} per {ds.story['who'][:-1]}")
            + f" With each row as its own group it still ignores the label: its test folds hold "
            f"{_list(pos['GroupKFold'])} positives."
        ),
        "StratifiedGroupKFold": (
            _no_groups(
                "StratifiedGroupKFold", ds, k, seed, f"one {ds.story['row']} per {ds.story['who'][:-1]}"
            )
            + " Balancing the classes needs only StratifiedKFold."
        ),
        "TimeSeriesSplit": (
            f"The dates do not matter (nothing is forecast), yet TimeSeriesSplit's first fold "
            f"trains on only "
            f"{tss_first} of {_count(n)} rows, and its test folds hold "
            f"{_list(pos['TimeSeriesSplit'])} positives."
        ),
        "LeaveOneOut": (
            f"{_count(n)} fits, and {_count(n - p)} of {_count(n)} test folds ({_pct(n - p, n)}) contain no "
            "positive, so per-fold recall or AUC is undefined for almost all of them."
        ),
        "nested": (
            f"Nothing is tuned here: nested CV costs {nested_fits(k)} fits instead of {k}, and its inner test "
            f"folds hold as few as {inner} positives."
        ),
        "holdout": (
            f"The 20% holdout holds {holdout} of the {p} positives"
            + (
                ": its recall is undefined."
                if holdout == 0
                else f": recall moves in steps of {1 / holdout:.2f}, from one split you can't repeat."
            )
        ),
    }
    why = [
        f"{p} of {_count(n)} rows are positive ({_pct(p, n)}). StratifiedKFold deals the positives out evenly: "
        f"{skf} per test fold, so every fold can score recall, precision and AUC.",
        f"Plain KFold left it to chance: {_list(pos['KFold'])}. The rows are independent (no groups, no time "
        "order), so stratification is the only constraint.",
    ]
    return Analysis(feedback, why, measured)


def _inner_positives(ds: Dataset, k: int, seed: int) -> int:
    """Fewest positives in any inner test fold of nested CV."""
    assert ds.y is not None
    fewest = ds.n_rows
    for train, _ in run("nested", ds, k, seed).splits:
        inner = inner_splitter(k, seed, ds.target).split(np.empty((len(train), 0)), ds.y[train])
        fewest = min([fewest, *(int(ds.y[train][test].sum()) for _, test in inner)])
    return fewest


def _rates(splits: Sequence[Split], y: np.ndarray) -> list[float]:
    return [float(y[test].mean()) for _, test in splits]


def _analyse_grouped_imbalanced(ds: Dataset, k: int, seed: int) -> Analysis:
    assert ds.groups is not None and ds.y is not None
    who, rows = ds.story["who"], ds.story["rows"]
    gkf, sgkf = (
        run("GroupKFold", ds, k, seed, groups=ds.groups),
        run("StratifiedGroupKFold", ds, k, seed, groups=ds.groups),
    )
    measured: dict[str, Any] = {}
    feedback: dict[str, str] = {}
    for option in ("KFold", "StratifiedKFold", "TimeSeriesSplit", "nested", "holdout"):
        name = {
            "nested": "Nested CV's outer StratifiedKFold",
            "holdout": "The random holdout",
            "StratifiedKFold": "StratifiedKFold balances the classes but",
        }.get(option, option)
        text, measured[option] = _leak_sentence(name, run(option, ds, k, seed), ds.groups, who)
        feedback[option] = text + "."
    loo_leaks = int(np.isin(ds.groups, np.flatnonzero(np.bincount(ds.groups) > 1)).sum())
    feedback["LeaveOneOut"] = (
        f"Every left-out row's {who[:-1]} has other {rows} in training ({_count(loo_leaks)} of "
        f"{_count(ds.n_rows)} folds leak), and {_count(ds.n_rows - (ds.positives or 0))} "
        "test folds hold no positive."
    )
    measured["LeaveOneOut"] = {"leaking_folds": loo_leaks}
    g_rates, s_rates = _rates(gkf.splits, ds.y), _rates(sgkf.splits, ds.y)
    g_pos, s_pos = test_positives(gkf.splits, ds.y), test_positives(sgkf.splits, ds.y)
    measured["GroupKFold"] = {"test_positives": g_pos, "test_rates": g_rates}
    measured["StratifiedGroupKFold"] = {"test_positives": s_pos, "test_rates": s_rates}
    feedback["GroupKFold"] = (
        f"It keeps {who} whole but ignores the label: its test folds' positive rates run from "
        f"{_pct(min(g_rates), 1)} to {_pct(max(g_rates), 1)} ({_list(g_pos)} positives), against "
        f"{_pct(min(s_rates), 1)}–{_pct(max(s_rates), 1)} for StratifiedGroupKFold."
    )
    rate = float(ds.y.mean())
    why = [
        f"{_count(ds.n_rows)} {rows} from {ds.n_groups} {who}, {_pct(rate, 1)} positive, and a few {who} hold "
        f"most positives. The model is for {who} it has not seen, so {who} must stay whole, and the rare class "
        "must reach every fold.",
        f"StratifiedGroupKFold does both: 0 {who} on both sides, and test-fold positive rates of "
        f"{_pct(min(s_rates), 1)}–{_pct(max(s_rates), 1)} ({_list(s_pos)} positives). GroupKFold alone gave "
        f"{_pct(min(g_rates), 1)}–{_pct(max(g_rates), 1)}; StratifiedKFold alone split "
        f"{measured['StratifiedKFold']['straddling']} {who} across train and test.",
    ]
    return Analysis(feedback, why, measured)


# The model stand-ins below (least squares, k-NN) are numpy: they are fitted hundreds of times per
# instance, and sklearn's input validation would make that ~20x slower. The tests check that they
# match LinearRegression and KNeighborsClassifier exactly.


def ols_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    """Ordinary least squares with an intercept (what ``LinearRegression`` fits)."""
    design = np.column_stack([np.ones(len(X_train)), X_train])
    coef = np.linalg.lstsq(design, y_train, rcond=None)[0]
    return coef[0] + X_test @ coef[1:]


def _mse(X: np.ndarray, y: np.ndarray, splits: Sequence[Split]) -> float:
    """Pooled mean squared error of out-of-fold least-squares predictions."""
    errors = np.concatenate([y[test] - ols_predict(X[train], y[train], X[test]) for train, test in splits])
    return float(np.mean(errors**2))


def _r2(X: np.ndarray, y: np.ndarray, splits: Sequence[Split]) -> float:
    """Mean over splits of the test-fold R² of least squares (``LinearRegression().score``)."""
    scores = []
    for train, test in splits:
        residual = y[test] - ols_predict(X[train], y[train], X[test])
        scores.append(1 - (residual**2).sum() / ((y[test] - y[test].mean()) ** 2).sum())
    return float(np.mean(scores))


def _analyse_tiny(ds: Dataset, k: int, seed: int, rng: np.random.Generator) -> Analysis:
    assert ds.X is not None and ds.y is not None
    n = ds.n_rows
    loo = _mse(ds.X, ds.y, run("LeaveOneOut", ds, k, seed).splits)
    seeds = [int(s) for s in rng.integers(2**31, size=RESHUFFLES)]
    kfold = [_mse(ds.X, ds.y, run("KFold", ds, k, s).splits) for s in seeds]
    holdout = [_mse(ds.X, ds.y, run("holdout", ds, k, s).splits) for s in seeds]
    train_k = n - math.ceil(n / k)
    tss = run("TimeSeriesSplit", ds, k, seed).splits
    outer_train = run("nested", ds, k, seed).splits[0][0]
    inner = inner_splitter(k, seed, ds.target).split(np.empty((len(outer_train), 0)))
    inner_train = min(len(tr) for tr, _ in inner)
    n_test = len(run("holdout", ds, k, seed).splits[0][1])
    measured = {
        "LeaveOneOut": {"mse": loo},
        "KFold": {"mse_range": [min(kfold), max(kfold)]},
        "holdout": {"mse_range": [min(holdout), max(holdout)], "test_rows": n_test},
        "reshuffle_seeds": seeds,
    }
    no_groups = f"one {ds.story['row']} per {ds.story['who'][:-1]}"
    feedback = {
        "KFold": (
            f"Each KFold model trains on at most {train_k} of the {n} rows, and the estimate depends on the "
            f"shuffle: over {RESHUFFLES} reshuffles its MSE ranged {fmt(min(kfold), 1)}–{fmt(max(kfold), 1)}."
        ),
        "StratifiedKFold": (
            f"The target is a number: scikit-learn stops with `ValueError: "
            f"{error_of('StratifiedKFold', ds, k, seed)}`"
        ),
        "GroupKFold": _no_groups("GroupKFold", ds, k, seed, no_groups),
        "StratifiedGroupKFold": _no_groups("StratifiedGroupKFold", ds, k, seed, no_groups),
        "TimeSeriesSplit": (
            f"The dates do not matter (nothing is forecast), and TimeSeriesSplit's first fold trains "
            f"on only "
            f"{len(tss[0][0])} rows (a 3-coefficient model), its last on {len(tss[-1][0])}."
        ),
        "nested": (
            f"Nothing is tuned: nested CV's inner models see only {inner_train} of {n} rows, and it needs "
            f"{nested_fits(k)} fits for no benefit."
        ),
        "holdout": (
            f"A 20% holdout tests on {n_test} rows: over {RESHUFFLES} random holdouts the MSE ranged "
            f"{fmt(min(holdout), 1)}–{fmt(max(holdout), 1)}."
        ),
    }
    why = [
        f"With only {n} rows every training row counts and fits are instant. LeaveOneOut fits {n} models on "
        f"{n - 1} rows each and gives one number, MSE = {fmt(loo, 1)}, that no shuffle can change.",
        f"5-fold-style splits waste rows and wobble: KFold ranged {fmt(min(kfold), 1)}–{fmt(max(kfold), 1)} over "
        f"{RESHUFFLES} reshuffles, a holdout {fmt(min(holdout), 1)}–{fmt(max(holdout), 1)}.",
    ]
    return Analysis(feedback, why, measured)


def _knn_accuracy(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    exclude_self: bool = False,
) -> np.ndarray:
    """Accuracy of k-NN for every k in ``KNN_GRID`` from one neighbour search (majority vote, odd k: no ties).

    With ``exclude_self`` (X_test is X_train) each row's own entry is dropped: exact leave-one-out.
    """
    # |a|² − 2a·b + |b|², the two sums done in place on the product: the same floats as the plain expression
    # without its three test x train temporaries, and the rows sorted a block at a time (the fresh rows'
    # search was a drill session's memory peak).
    distances = 2 * X_test @ X_train.T
    np.subtract((X_test**2).sum(axis=1)[:, None], distances, out=distances)
    distances += (X_train**2).sum(axis=1)[None, :]
    if exclude_self:
        np.fill_diagonal(distances, np.inf)
    neighbours = np.concatenate(
        [
            np.argsort(distances[start : start + SORT_BLOCK], axis=1, kind="stable")[:, : KNN_GRID[-1]]
            for start in range(0, len(distances), SORT_BLOCK)
        ]
    )
    ks = np.array(KNN_GRID)
    votes = np.cumsum(y_train[neighbours], axis=1)[:, ks - 1]
    return ((votes * 2 > ks) == y_test[:, None]).mean(axis=0)


def _grid_cv(X: np.ndarray, y: np.ndarray, splits: Sequence[Split]) -> np.ndarray:
    """Mean CV accuracy of every k in the grid over the given splits, summed exactly as ``GridSearchCV`` does.

    Accuracy on small folds is discrete, so two values of k often tie; ``GridSearchCV`` then takes the one its
    float means rank first (the first in parameter order when the means are bitwise equal). Its means come
    from one contiguous row of fold scores per candidate; averaging a (folds x grid) array down its columns
    adds in another order and can break a tie the other way in the last bit, so the layout is copied too.
    """
    per_fold = np.array([_knn_accuracy(X[tr], y[tr], X[te], y[te]) for tr, te in splits])
    return np.ascontiguousarray(per_fold.T).mean(axis=1)


@dataclass(frozen=True, slots=True)
class Tuning:
    best: dict[str, float]  # best-of-grid score per scheme, the number you'd be tempted to report
    fresh: float  # accuracy on fresh rows of the model tuned with StratifiedKFold on all rows
    nested: float
    chosen_k: int


def tuning_numbers(ds: Dataset, k: int, seed: int, X_fresh: np.ndarray, y_fresh: np.ndarray) -> Tuning:
    assert ds.X is not None and ds.y is not None
    X, y = ds.X, ds.y
    best: dict[str, float] = {}
    for option in ("KFold", "StratifiedKFold", "holdout"):
        best[option] = float(_grid_cv(X, y, run(option, ds, k, seed).splits).max())
    best["LeaveOneOut"] = float(_knn_accuracy(X, y, X, y, exclude_self=True).max())
    skf = _grid_cv(X, y, run("StratifiedKFold", ds, k, seed).splits)
    chosen = int(np.argmax(skf))
    fresh = float(_knn_accuracy(X, y, X_fresh, y_fresh)[chosen])
    outer_scores = []
    for train, test in run("nested", ds, k, seed).splits:
        inner = inner_splitter(k, seed, ds.target).split(np.empty((len(train), 0)), y[train])
        pick = int(np.argmax(_grid_cv(X[train], y[train], list(inner))))
        outer_scores.append(_knn_accuracy(X[train], y[train], X[test], y[test])[pick])
    return Tuning(best, fresh, float(np.mean(outer_scores)), KNN_GRID[chosen])


def tuning_shows(numbers: Tuning) -> bool:
    """Every best-of-grid score we quote is optimistic, and nested CV lands closer to the truth.

    Selection bias is an average effect; a single draw can hide it, so such draws are redrawn.
    """
    optimism = numbers.best["StratifiedKFold"] - numbers.fresh
    return (
        optimism >= 0.03
        and abs(numbers.nested - numbers.fresh) <= optimism - 0.02
        and all(best - numbers.fresh >= 0.01 for best in numbers.best.values())
    )


def _analyse_tuning(ds: Dataset, k: int, seed: int, numbers: Tuning) -> Analysis:
    n, grid = ds.n_rows, len(KNN_GRID)
    fresh = numbers.fresh

    def optimistic(option: str, subject: str, where: str = "the same folds that picked k") -> str:
        value = numbers.best[option]
        return (
            f"{subject} reports the best of {grid} scores from {where}: {value:.3f}, but the tuned model "
            f"scores {fresh:.3f} on {FRESH_ROWS:,} fresh rows ({value - fresh:+.3f}, optimistic)."
        )

    no_groups = f"one {ds.story['row']} per {ds.story['who'][:-1]}"
    tss_first = len(run("TimeSeriesSplit", ds, k, seed).splits[0][0])
    feedback = {
        "KFold": optimistic("KFold", "KFold"),
        "StratifiedKFold": optimistic("StratifiedKFold", "StratifiedKFold"),
        "GroupKFold": _no_groups("GroupKFold", ds, k, seed, no_groups),
        "StratifiedGroupKFold": _no_groups("StratifiedGroupKFold", ds, k, seed, no_groups),
        "TimeSeriesSplit": (
            f"The dates do not matter (nothing is forecast), and its first fold trains on only "
            f"{tss_first} of {n} rows"
            + (f", fewer than the largest k ({KNN_GRID[-1]}) in the grid" if tss_first < KNN_GRID[-1] else "")
            + ". Picking k and reporting on the same folds carries the selection bias measured for "
            f"KFold ({numbers.best['KFold'] - fresh:+.3f})."
        ),
        "LeaveOneOut": (
            f"{_count(n * grid)} fits ({n} folds x {grid} settings), and the bias stays: "
            + optimistic("LeaveOneOut", "it")
        ),
        "holdout": optimistic("holdout", "One holdout both picks k and", "that one test set"),
    }
    measured = {o: {"best_of_grid": v} for o, v in numbers.best.items()}
    measured["nested"] = {"estimate": numbers.nested}
    why = [
        f"You tune k over {grid} values on {n} rows. The best of {grid} noisy CV scores is biased upwards: "
        f"StratifiedKFold's best was {numbers.best['StratifiedKFold']:.3f}, while the model it picked "
        f"(k = {numbers.chosen_k}) scores {fresh:.3f} on {FRESH_ROWS:,} fresh rows.",
        f"Nested CV tunes inside each outer training set and scores on an outer fold that took no part in the "
        f"choice: {numbers.nested:.3f}, {abs(numbers.nested - fresh):.3f} from the fresh-data truth. Cost: "
        f"{nested_fits(k, grid):,} fits instead of {k * grid}.",
    ]
    return Analysis(feedback, why, measured)


def _analyse_big(ds: Dataset, k: int, seed: int) -> Analysis:
    n, hours, acc = ds.n_rows, ds.story["hours"], ds.story["accuracy"]
    n_test = math.ceil(HOLDOUT_TEST_SIZE * n)
    half_width = 1.96 * math.sqrt(acc * (1 - acc) / n_test)
    first = n // (k + 1) + n % (k + 1)  # TimeSeriesSplit's first training block
    no_groups = f"one {ds.story['row']} per {ds.story['who'][:-1]}"
    feedback = {
        "KFold": (
            f"{k} training runs ({_duration(k * hours)} instead of {_duration(hours)}) to tighten an estimate "
            f"that one holdout already pins to ±{half_width:.4f}."
        ),
        "StratifiedKFold": (
            f"{k} training runs ({_duration(k * hours)}); with {_count(n_test)} test rows even a "
            f"random holdout's class mix is within a fraction of a percent of the whole."
        ),
        "GroupKFold": _no_groups("GroupKFold", ds, k, seed, no_groups),
        "StratifiedGroupKFold": (
            f"There are no groups to keep together here ({no_groups}), and it would need "
            f"{k} training runs ({_duration(k * hours)}) anyway."
        ),
        "TimeSeriesSplit": (
            f"The dates do not matter (nothing is forecast); it needs {k} runs ({_duration(k * hours)}) and its "
            f"first fold trains on only {_count(first)} rows."
        ),
        "LeaveOneOut": f"{_count(n)} training runs of {hours} h each: {_duration(n * hours)}.",
        "nested": (
            f"Nothing is tuned (the settings are fixed), yet nested CV needs {nested_fits(k)} runs: "
            f"{_duration(nested_fits(k) * hours)}."
        ),
    }
    measured = {
        "holdout": {"test_rows": n_test, "ci95_half_width": half_width},
        "fits": {"KFold": k, "LeaveOneOut": n, "nested": nested_fits(k), "holdout": 1},
    }
    why = [
        f"With {_count(n)} i.i.d. rows, a 20% holdout has {_count(n_test)} test rows: at accuracy ≈ {acc} its "
        f"95% interval is ±1.96·√({acc}·{fmt(1 - acc, 2)}/{_count(n_test)}) = ±{half_width:.4f}.",
        f"One training run ({hours} h) buys that; {k}-fold CV would cost {_duration(k * hours)} to shrink an "
        "interval that is already far smaller than any difference worth acting on.",
    ]
    return Analysis(feedback, why, measured)


@dataclass(frozen=True, slots=True)
class Spread:
    kfold: tuple[float, float]  # min, max of the KFold R² over reshuffles
    holdout: tuple[float, float]  # min, max of a holdout's R² over redraws
    seeds: tuple[int, ...]  # the split seeds of the reshuffles / redraws


def plain_spread(ds: Dataset, k: int, seeds: Sequence[int]) -> Spread:
    """R² of a least-squares stand-in: KFold's mean over reshuffles vs one holdout over redraws."""
    assert ds.X is not None and ds.y is not None
    kfold = [_r2(ds.X, ds.y, run("KFold", ds, k, s).splits) for s in seeds]
    holdout = [_r2(ds.X, ds.y, run("holdout", ds, k, s).splits) for s in seeds]
    return Spread((min(kfold), max(kfold)), (min(holdout), max(holdout)), tuple(seeds))


def _analyse_plain(ds: Dataset, k: int, seed: int, spread: Spread) -> Analysis:
    n, seconds = ds.n_rows, ds.story["seconds"]
    tss = run("TimeSeriesSplit", ds, k, seed).splits
    n_test = len(run("holdout", ds, k, seed).splits[0][1])
    no_groups = f"one {ds.story['row']} per {ds.story['who'][:-1]}"
    k_lo, k_hi = spread.kfold
    h_lo, h_hi = spread.holdout
    feedback = {
        "StratifiedKFold": (
            f"The target is a number: scikit-learn stops with `ValueError: "
            f"{error_of('StratifiedKFold', ds, k, seed)}`"
        ),
        "GroupKFold": _no_groups("GroupKFold", ds, k, seed, no_groups),
        "StratifiedGroupKFold": _no_groups("StratifiedGroupKFold", ds, k, seed, no_groups),
        "TimeSeriesSplit": (
            f"The dates do not matter (nothing is forecast); its folds train on {len(tss[0][0])} to "
            f"{len(tss[-1][0])} rows, so it averages models far weaker than the one you'll ship."
        ),
        "LeaveOneOut": (
            f"{_count(n)} fits of {seconds} s: {_duration(n * seconds / 3600)}, against "
            f"{_duration(k * seconds / 3600)} for {k}-fold."
        ),
        "nested": (
            f"Nothing is tuned: nested CV needs {nested_fits(k)} fits "
            f"({_duration(nested_fits(k) * seconds / 3600)}) for no benefit."
        ),
        "holdout": (
            f"One split of {n_test} test rows is noisy: over {RESHUFFLES} random holdouts R² ranged "
            f"{h_lo:.3f}–{h_hi:.3f}, against {k_lo:.3f}–{k_hi:.3f} for {k}-fold CV's mean "
            "(measured with a least-squares stand-in)."
        ),
    }
    measured = {
        "KFold": {"r2_range": [k_lo, k_hi]},
        "holdout": {"r2_range": [h_lo, h_hi], "test_rows": n_test},
        "reshuffle_seeds": list(spread.seeds),
    }
    why = [
        f"{_count(n)} independent {ds.story['rows']} (one per {ds.story['who'][:-1]}), a numeric target and nothing "
        "to tune: plain "
        f"{k}-fold CV uses every row for testing once, for {k} fits ({_duration(k * seconds / 3600)}).",
        f"Its estimate is steady: over {RESHUFFLES} reshuffles the {k}-fold R² stayed within "
        f"{k_lo:.3f}–{k_hi:.3f}, while single holdouts ranged {h_lo:.3f}–{h_hi:.3f} (least-squares stand-in).",
    ]
    return Analysis(feedback, why, measured)


# -- choosing an instance whose failures show -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instance:
    ds: Dataset
    data_seed: int
    split_seed: int
    analysis: Analysis


def _seeds(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(2**62)), int(rng.integers(2**31))


def _shows(scenario: str, ds: Dataset, k: int, seed: int) -> bool:
    """Does this draw show the scenario's failure clearly? (cheap checks before the full analysis)"""
    if scenario == "imbalanced":
        kfold = test_positives(run("KFold", ds, k, seed).splits, ds.y)  # type: ignore[arg-type]
        skf = test_positives(run("StratifiedKFold", ds, k, seed).splits, ds.y)  # type: ignore[arg-type]
        return min(kfold) == 0 or min(kfold) <= min(skf) - 2
    if scenario == "grouped_imbalanced":
        g = _rates(run("GroupKFold", ds, k, seed, groups=ds.groups).splits, ds.y)  # type: ignore[arg-type]
        s = _rates(run("StratifiedGroupKFold", ds, k, seed, groups=ds.groups).splits, ds.y)  # type: ignore[arg-type]
        return (max(g) - min(g)) >= 2 * (max(s) - min(s)) and min(g) <= 0.6 * float(ds.y.mean())  # type: ignore[union-attr]
    return True


FALLBACK_SEED = 4242  # streams FALLBACK_SEED + offset; the tests check they verify for every scenario and k


def _attempt(rng: np.random.Generator, scenario: str, k: int) -> Instance | None:
    """One draw of data and splits; None unless every failure the text claims really shows."""
    data_seed, split_seed = _seeds(rng)
    ds = build_dataset(scenario, data_seed, k)
    if not _shows(scenario, ds, k, split_seed):
        return None
    analysis = _analyse(scenario, ds, k, split_seed, rng)
    return None if analysis is None else Instance(ds, data_seed, split_seed, analysis)


def build_instance(rng: np.random.Generator, scenario: str, k: int) -> Instance:
    """Draw until the scenario's failures show (capped; then a fixed-seed stream known to verify)."""
    for _ in range(MAX_REDRAWS):
        instance = _attempt(rng, scenario, k)
        if instance is not None:
            return instance
    return fallback(scenario, k)


def fallback(scenario: str, k: int) -> Instance:
    for offset in range(100):
        instance = _attempt(np.random.default_rng(FALLBACK_SEED + offset), scenario, k)
        if instance is not None:
            return instance
    raise RuntimeError(f"no verified {scenario} instance for k = {k}")  # pragma: no cover


def _analyse(scenario: str, ds: Dataset, k: int, seed: int, rng: np.random.Generator) -> Analysis | None:
    match scenario:
        case "time_ordered":
            return _analyse_time(ds, k, seed)
        case "grouped_time":
            return _analyse_grouped_time(ds, k, seed)
        case "grouped":
            return _analyse_grouped(ds, k, seed)
        case "imbalanced":
            return _analyse_imbalanced(ds, k, seed)
        case "grouped_imbalanced":
            return _analyse_grouped_imbalanced(ds, k, seed)
        case "tiny":
            return _analyse_tiny(ds, k, seed, rng)
        case "big":
            return _analyse_big(ds, k, seed)
        case "tuning":
            X_fresh, y_fresh = _fresh_rows(rng)
            numbers = tuning_numbers(ds, k, seed, X_fresh, y_fresh)
            return _analyse_tuning(ds, k, seed, numbers) if tuning_shows(numbers) else None
        case "plain":
            spread = plain_spread(ds, k, [int(s) for s in rng.integers(2**31, size=RESHUFFLES)])
            clear = (spread.holdout[1] - spread.holdout[0]) >= 2 * (spread.kfold[1] - spread.kfold[0])
            return _analyse_plain(ds, k, seed, spread) if clear else None
    raise ValueError(f"unknown scenario {scenario!r}")


def _fresh_rows(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """New rows from the `tuning` scenario's process (same generating rule as ``_tuning``)."""
    X = rng.normal(size=(FRESH_ROWS, 10))
    return X, (0.3 * X[:, 0] + rng.normal(size=FRESH_ROWS) > 0).astype(int)


# -- the prompt -------------------------------------------------------------------------------------


def _prompt(ds: Dataset, k: int) -> str:
    """The same words for every scenario: what decides the scheme is in the data sheet's values."""
    s = ds.story
    return (
        f"{s['org']} asks you to validate a model. The data sheet below describes the rows, the {s['who']} "
        "they come from, the target, how the model will be used, what is tuned and what one fit costs.\n\n"
        f"Which validation scheme should you use? (k = {k} wherever a scheme has folds.)"
    )


def _sheet(ds: Dataset) -> list[tuple[str, str]]:
    """Every fact that can decide the scheme, for every scenario: the tempting ones are there too (dates on
    rows that are not forecast, an id column with one row per id, a binary target that is not rare)."""
    s, n, scenario = ds.story, ds.n_rows, ds.scenario
    who, rows, row = s["who"], s["rows"], s["row"]
    if scenario == "grouped_time":
        days = s["days"]
        sheet = [
            ("rows", f"{_count(n)} {rows}: one per {who[:-1]} per day"),
            (who, f"{_count(ds.n_groups or 0)} distinct, {days} {rows} each"),
            ("dates", f"{days} consecutive days, rows in date order, with lagged values as features"),
        ]
    elif scenario == "time_ordered":
        sheet = [
            ("rows", f"{_count(n)} days, one row per day"),
            (who, f"all from {s['site']}: one time series, with lagged values as features"),
            ("dates", f"{_count(n)} consecutive days, in date order"),
        ]
    else:
        per = {"grouped": "2–12", "grouped_imbalanced": "3–15"}.get(scenario, "1")
        sheet = [
            ("rows", f"{_count(n)} {rows}"),
            (who, f"{_count(ds.n_groups or n)} distinct, {per} {row if per == '1' else rows} each"),
            ("dates", f"spread over {s['span']} days, rows in no particular order"),
        ]
    if scenario == "grouped_time":
        target = f"{s['event']} that day (yes/no): {_pct(ds.y.mean(), 1)} of rows positive"  # type: ignore[union-attr]
    elif scenario == "time_ordered":
        target = f"whether {s['site']} runs over capacity that day: {_pct(ds.y.mean(), 1)} of days"  # type: ignore[union-attr]
    elif ds.target == "continuous":
        target = f"{s['numeric']}, a number"
    elif scenario == "big":
        target = f"{s['event']} (yes/no), about half positive"
    else:
        target = (
            f"{s['event']} (yes/no): {ds.positives} of {_count(n)} positive ({_pct(ds.positives or 0, n)})"
        )
    used = {
        "time_ordered": "the next day, from the days before it",
        "grouped_time": f"the next day, for the same {_count(ds.n_groups or 0)} {who}",
        "grouped": f"{who} it has never seen",
        "grouped_imbalanced": f"{who} it has never seen",
    }.get(scenario, f"new {who}, one {row} each")
    model = {
        "tiny": "linear regression on 2 features (3 coefficients)",
        "tuning": "k-nearest neighbours, 10 features",
        "big": "a deep network on the raw data",
    }.get(scenario, "gradient boosting, 10 features")
    tuned = (
        f"k, chosen from {len(KNN_GRID)} values (1, 3, …, {KNN_GRID[-1]})"
        if scenario == "tuning"
        else "nothing: settings fixed in advance"
    )
    cost = {
        "tiny": "about 1 ms",
        "tuning": "about 1 ms",
        "plain": f"about {s.get('seconds')} s",
        "big": f"about {s.get('hours')} h, on the only GPU",
    }.get(scenario, "a few seconds")
    need = {
        "tiny": "the best estimate of its prediction error",
        "big": f"its accuracy (about {s.get('accuracy')}, from a pilot run)",
        "imbalanced": "cross-validated recall and AUC",
        "grouped_imbalanced": "cross-validated recall and AUC",
        "tuning": "an honest accuracy for the tuned model",
        "plain": "a dependable R²",
    }.get(scenario, "an honest error estimate")
    return [
        *sheet,
        ("target", target),
        ("model", model),
        ("used on", used),
        ("tuned", tuned),
        ("one fit takes", cost),
        ("you need", need),
    ]


# -- the family ------------------------------------------------------------------------------------


class CVScheme(Generator):
    name = "cv-scheme"
    title = "Choose the cross-validation scheme"
    description = (
        "A scenario (time order, repeated groups, rare positives, a tiny or a huge dataset, tuning) -> KFold, "
        "StratifiedKFold, GroupKFold, StratifiedGroupKFold, TimeSeriesSplit, LeaveOneOut, nested CV or a "
        "holdout. Wrong picks are run with scikit-learn on the scenario's data and the damage is measured."
    )
    Params = CVSchemeParams
    topics = ("cross-validation", "model-selection", "leakage")

    def make(self, rng: np.random.Generator, seed: int, params: CVSchemeParams) -> Problem:
        scenario = params.scenario or str(rng.choice(SCENARIOS))
        k = params.n_splits
        instance = build_instance(rng, scenario, k)
        ds, analysis = instance.ds, instance.analysis
        right = RIGHT[scenario]
        options = tuple(Option(name, label) for name, label in OPTIONS.items())
        feedback = {name: analysis.feedback[name] for name in OPTIONS if name != right}
        return self.problem(
            seed,
            params,
            prompt=_prompt(ds, k),
            parts=(
                Part(
                    prompt="Which validation scheme?",
                    answer=ChoiceAnswer(options, right, feedback),
                    label="scheme",
                ),
            ),
            solution=_solution(right, analysis, feedback),
            data=_data(instance, k),
            table=_table(ds),
        )


def _solution(right: str, analysis: Analysis, feedback: dict[str, str]) -> str:
    lines = [f"**{OPTIONS[right]}**.", *analysis.why, "Measured on this data, the other schemes:"]
    lines.append("\n".join(f"- **{name}**: {text}" for name, text in feedback.items()))
    lines.append(
        "Interview insight: the split must mimic deployment. Ask what will be new at prediction time "
        "(future dates, unseen groups, rare cases) and make the test fold new in exactly that way."
    )
    return "\n\n".join(lines)


def _table(ds: Dataset) -> Table:
    return Table(headers=("", "value"), rows=tuple(_sheet(ds)), title="the data sheet")


def _data(instance: Instance, k: int) -> dict[str, Any]:
    ds = instance.ds
    return {
        "scenario": ds.scenario,
        "n_rows": ds.n_rows,
        "n_groups": ds.n_groups,
        "target": ds.target,
        "positive_rate": None if ds.positives is None else ds.positives / ds.n_rows,
        "time_ordered": ds.scenario == "time_ordered",
        "n_splits": k,
        "data_seed": instance.data_seed,
        "split_seed": instance.split_seed,
        "measured": instance.analysis.measured,
    }
