"""The chance of recalling a card today, from a logistic model fitted to the learner's own review log.

One example per first ask of a card that had been reviewed before (a card's very first ask measures what
the learner knew before studying, not what they remembered; re-asks come minutes after the answer was
shown). The label is the grade: quality 3 or more. The features are what the log says about the card
just before the ask (:data:`FEATURES`): days since its last review, its SM-2 interval, easiness and
repetitions, its lapses, the ratio elapsed / interval, its own pass rate so far, its kind, and the
learner's first-ask accuracy on its deck over the 30 days before.

Why logistic regression: under the usual forgetting curves the log-odds of recall fall roughly linearly
in log(elapsed) for a given stability (for R = (1 + t/9S)^-1 exactly: logit R = log 9S - log t), so a
linear model on log-scaled features is the right shape, fits a few thousand rows in milliseconds, and
is calibrated by construction (its maximum-likelihood fit makes predicted and observed rates agree).

A model is only its coefficients on the raw features (:class:`RecallModel`), so it is stored as JSON:
the prior shipped in ``quizzer/data/recall_prior.json`` (fitted on simulated learners) and the user's
fitted model in the cache folder. The fitted model is blended with the prior in log-odds, weighted by
how much history there is (:func:`blend_weight`): the prior carries a learner with fewer than 200 first
asks and fades out by :data:`FULL_WEIGHT_ASKS`.

scikit-learn is imported only inside :func:`fit`; predicting needs numpy alone.
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FEATURE_VERSION = 2
FEATURES = (
    "log_elapsed",  # log(days since the card's last review, re-asks included; half a day if the same day)
    "log_interval",  # log(the SM-2 interval before the ask, at least 1)
    "easiness",
    "log_repetitions",  # log(1 + SM-2 repetitions: passes since the last lapse)
    "log_lapses",
    "overdue",  # elapsed / interval, capped at OVERDUE_CAP
    "card_logit",  # log-odds of the card's own smoothed first-ask pass rate
    "topic_logit",  # log-odds of the deck's smoothed first-ask accuracy over the 30 days before
    "kind_choice",
    "kind_numeric",
    "kind_generated",  # "open" is the baseline kind
)
OVERDUE_CAP = 10.0
SAME_DAY = 0.5  # days: an ask on the day of the last review is about half a day after it
TOPIC_DAYS = 30
# Beta priors that smooth a rate from few answers toward a typical one (about 80% right).
CARD_PRIOR = (1.6, 2.0)  # pseudo-passes, pseudo-asks
TOPIC_PRIOR = (4.0, 5.0)
# From this many examples on the prior no longer counts. Not 200: on simulated learners a model fitted on
# the first few hundred first asks has seen only short intervals and still predicts the longer ones worse
# than the prior (tests/benchmarks/bench_readiness.py prints the blend at 100-1,000 asks).
FULL_WEIGHT_ASKS = 1000
REGULARISATION = 0.1  # sklearn's C on standardised features
FORWARD_BLOCKS = 5
MIN_FIT_ASKS = 30  # below this (or with one class only) the prior alone is used
PRIOR_FILE = "recall_prior.json"


def _logit_rate(passes: float, asks: float, prior: tuple[float, float]) -> float:
    rate = (passes + prior[0]) / (asks + prior[1])
    return math.log(rate / (1.0 - rate))


@dataclass(slots=True)
class CardMemory:
    """What the log says about one card so far."""

    kind: str = "open"
    last_day: int | None = None  # ordinal of the last study day it was asked (re-asks included)
    easiness: float = 2.5
    interval: int = 0
    repetitions: int = 0
    lapses: int = 0
    asks: int = 0  # first asks
    passes: int = 0


@dataclass(slots=True)
class _TopicWindow:
    days: deque[list[int]] = field(default_factory=deque)  # [day, asks, passes], oldest first
    asks: int = 0
    passes: int = 0


@dataclass(slots=True)
class TopicHistory:
    """First asks per deck, for the 30-day topic accuracy: per-day counts and running sums, so each
    look-up is O(1) amortised. Days must be added, and asked about, in nondecreasing order (a log replay)."""

    windows: dict[str, _TopicWindow] = field(default_factory=lambda: defaultdict(_TopicWindow))

    def add(self, deck_id: str, day: int, passed: bool) -> None:
        window = self.windows[deck_id]
        if not window.days or window.days[-1][0] != day:
            window.days.append([day, 0, 0])
        window.days[-1][1] += 1
        window.days[-1][2] += passed
        window.asks += 1
        window.passes += passed

    def logit(self, deck_id: str, day: int) -> float:
        """Smoothed log-odds of first-ask accuracy on the deck over the TOPIC_DAYS study days before ``day``."""
        window = self.windows.get(deck_id)
        if window is None:
            return _logit_rate(0, 0, TOPIC_PRIOR)
        while window.days and window.days[0][0] < day - TOPIC_DAYS:
            _, asks, passes = window.days.popleft()
            window.asks -= asks
            window.passes -= passes
        asks, passes = window.asks, window.passes
        if window.days and window.days[-1][0] >= day:  # the day itself does not count
            asks -= window.days[-1][1]
            passes -= window.days[-1][2]
        return _logit_rate(passes, asks, TOPIC_PRIOR)


def feature_row(memory: CardMemory, day: int, topic_logit: float) -> list[float]:
    """The features of asking the card on study day ordinal ``day`` (see :data:`FEATURES`)."""
    elapsed = max(0, day - memory.last_day) if memory.last_day is not None else 0
    interval = max(memory.interval, 1)
    return [
        math.log(max(elapsed, SAME_DAY)),
        math.log(max(memory.interval, 1)),
        memory.easiness,
        math.log1p(memory.repetitions),
        math.log1p(memory.lapses),
        min(elapsed / interval, OVERDUE_CAP),
        _logit_rate(memory.passes, memory.asks, CARD_PRIOR),
        topic_logit,
        float(memory.kind == "choice"),
        float(memory.kind == "numeric"),
        float(memory.kind == "generated"),
    ]


def _day(value: Any) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(value)).toordinal()


@dataclass(slots=True)
class LogReplay:
    """The review log walked in order: one example per first ask of a card seen before, and the memory of
    every card at the end (to predict from)."""

    cards: dict[tuple[str, str], CardMemory] = field(default_factory=dict)
    topics: TopicHistory = field(default_factory=TopicHistory)
    rows: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # index of the example's review in the log
    first_asks: int = 0

    def add(self, review: Mapping[str, Any]) -> None:
        key = (review["deck_id"], review["card_id"])
        day = _day(review["study_day"])
        memory = self.cards.get(key)
        if memory is None:
            memory = self.cards[key] = CardMemory(kind=review.get("kind") or "open")
        passed = review["quality"] >= 3
        if not review["reask"]:
            self.first_asks += 1
            if memory.last_day is not None:
                if review.get("easiness_before") is not None:
                    memory.easiness = review["easiness_before"]
                    memory.interval = review["interval_before"]
                    memory.repetitions = review["repetitions_before"]
                self.rows.append(feature_row(memory, day, self.topics.logit(key[0], day)))
                self.labels.append(int(passed))
                self.days.append(day)
                self.keys.append(key)
                self.positions.append(self.first_asks - 1)
            if not passed and memory.repetitions > 0:
                memory.lapses += 1
            memory.asks += 1
            memory.passes += passed
            self.topics.add(key[0], day, passed)
        memory.last_day = day
        if review.get("easiness_after") is not None:
            memory.easiness = review["easiness_after"]
            memory.interval = review["interval_after"]
            memory.repetitions = review["repetitions_after"]
        memory.kind = review.get("kind") or memory.kind

    def snapshot(self) -> LogReplay:
        """The card memories and topic history as they are now (no examples), to predict from later."""
        return LogReplay(
            cards={key: replace(memory) for key, memory in self.cards.items()},
            topics=copy.deepcopy(self.topics),
        )

    def extend(self, reviews: Iterable[Mapping[str, Any]]) -> LogReplay:
        for review in reviews:
            self.add(review)
        return self

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.asarray(self.rows, dtype=float).reshape(-1, len(FEATURES)),
            np.asarray(self.labels, dtype=float),
        )

    def today_rows(self, day: int, keys: Iterable[tuple[str, str]]) -> np.ndarray:
        """Features for asking each of ``keys`` (all studied) on study day ordinal ``day``."""
        rows = [feature_row(self.cards[key], day, self.topics.logit(key[0], day)) for key in keys]
        return np.asarray(rows, dtype=float).reshape(-1, len(FEATURES))


def replay(reviews: Iterable[Mapping[str, Any]]) -> LogReplay:
    return LogReplay().extend(reviews)


# -- the model ------------------------------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


@dataclass(frozen=True, slots=True)
class RecallModel:
    """Logistic coefficients on the raw :data:`FEATURES`; ``examples`` is how many first asks it saw."""

    coef: tuple[float, ...]
    intercept: float
    examples: int = 0
    source: str = "fitted"
    # The mean and scale the coefficients were fitted on (the prior's standardise later fits).
    feature_mean: tuple[float, ...] = ()
    feature_scale: tuple[float, ...] = ()

    @property
    def standard(self) -> tuple[np.ndarray, np.ndarray] | None:
        if len(self.feature_mean) != len(FEATURES) or len(self.feature_scale) != len(FEATURES):
            return None
        return np.asarray(self.feature_mean), np.asarray(self.feature_scale)

    def logit(self, rows: np.ndarray) -> np.ndarray:
        return rows @ np.asarray(self.coef) + self.intercept

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return _sigmoid(self.logit(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature_version": FEATURE_VERSION,
            "features": list(FEATURES),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "examples": self.examples,
            "source": self.source,
            "feature_mean": list(self.feature_mean),
            "feature_scale": list(self.feature_scale),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecallModel:
        if data.get("feature_version") != FEATURE_VERSION or list(data.get("features", ())) != list(FEATURES):
            raise ValueError("recall model saved for other features")
        return cls(
            tuple(float(value) for value in data["coef"]),
            float(data["intercept"]),
            int(data.get("examples", 0)),
            str(data.get("source", "fitted")),
            tuple(float(value) for value in data.get("feature_mean", ())),
            tuple(float(value) for value in data.get("feature_scale", ())),
        )


@dataclass(frozen=True, slots=True)
class BlendedModel:
    """The fitted model and the prior, mixed in log-odds by ``weight`` (of the fitted model)."""

    fitted: RecallModel | None
    prior: RecallModel
    weight: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        if self.fitted is None or self.weight <= 0:
            return self.prior.predict(rows)
        return _sigmoid(self.weight * self.fitted.logit(rows) + (1 - self.weight) * self.prior.logit(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "fitted": None if self.fitted is None else self.fitted.to_dict(),
            "prior": self.prior.to_dict(),
            "weight": round(self.weight, 4),
        }


def fit(
    rows: np.ndarray,
    labels: np.ndarray,
    *,
    regularisation: float = REGULARISATION,
    standard: tuple[np.ndarray, np.ndarray] | None = None,
    source: str = "fitted",
) -> RecallModel:
    """Maximum-likelihood logistic regression (L2) on standardised features, returned on raw features.

    ``standard`` is the (mean, scale) to standardise with; the shipped prior's are used by
    :func:`fit_blended`. A learner's own spread is the wrong yardstick early on: in the first days every
    interval is 1 or 6, a feature that barely varies gets a tiny scale, and the penalty then lets its
    raw coefficient grow without bound, so the model extrapolates wildly to the longer intervals to come
    (measured on simulated learners: log loss 3-30 times the oracle's after 100 first asks)."""
    from sklearn.linear_model import LogisticRegression

    if standard is None:
        mean, scale = rows.mean(axis=0), rows.std(axis=0)
    else:
        mean, scale = np.asarray(standard[0], dtype=float), np.asarray(standard[1], dtype=float).copy()
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=regularisation, max_iter=1000)
    model.fit((rows - mean) / scale, labels)
    coef = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - np.dot(coef, mean))
    return RecallModel(
        tuple(float(value) for value in coef),
        intercept,
        len(labels),
        source,
        tuple(float(value) for value in mean),
        tuple(float(value) for value in scale),
    )


def prior_model() -> RecallModel:
    """The model shipped with Quizzer, fitted on simulated learners (see ``tests/readiness``)."""
    text = resources.files("quizzer.data").joinpath(PRIOR_FILE).read_text(encoding="utf-8")
    return RecallModel.from_dict(json.loads(text))


def blend_weight(examples: int) -> float:
    """The fitted model's share: none below :data:`MIN_FIT_ASKS`, under 20% until 200 first asks, all
    from :data:`FULL_WEIGHT_ASKS` on."""
    if examples < MIN_FIT_ASKS:
        return 0.0
    return min(1.0, (examples - MIN_FIT_ASKS) / (FULL_WEIGHT_ASKS - MIN_FIT_ASKS))


def fit_blended(rows: np.ndarray, labels: np.ndarray, prior: RecallModel | None = None) -> BlendedModel:
    """The learner's model: fitted on their examples, leaning on the prior while they are few."""
    prior = prior or prior_model()
    weight = blend_weight(len(labels))
    if weight == 0 or len(set(labels.tolist())) < 2:
        return BlendedModel(None, prior, 0.0)
    return BlendedModel(fit(rows, labels, standard=prior.standard), prior, weight)


@dataclass(frozen=True, slots=True)
class LearnerModel:
    """The learner's blended model, and how well-calibrated such a model has been on their answers."""

    model: BlendedModel
    calibration: list[CalibrationBin]
    calibration_error: float | None

    def to_cache(self) -> dict[str, Any]:
        return {
            "fitted": None if self.model.fitted is None else self.model.fitted.to_dict(),
            "weight": self.model.weight,
            "calibration": [b.to_dict() for b in self.calibration],
            "calibration_error": self.calibration_error,
        }

    @classmethod
    def from_cache(cls, data: Mapping[str, Any], prior: RecallModel) -> LearnerModel:
        fitted = None if data["fitted"] is None else RecallModel.from_dict(data["fitted"])
        bins = [CalibrationBin(**b) for b in data["calibration"]]
        error = data["calibration_error"]
        return cls(
            BlendedModel(fitted, prior, float(data["weight"])), bins, None if error is None else float(error)
        )


def forward_predictions(
    rows: np.ndarray, labels: np.ndarray, prior: RecallModel, blocks: int = FORWARD_BLOCKS
) -> np.ndarray:
    """Each example predicted by a model fitted only on the examples before it (the log cut into
    ``blocks`` runs of equal length; the first run by the prior alone): the predictions the learner would
    have been shown at the time, for calibration that is not judged on the answers it was fitted to."""
    predicted = np.empty(len(labels))
    bounds = np.linspace(0, len(labels), blocks + 1).astype(int)
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        if end > start:
            model = fit_blended(rows[:start], labels[:start], prior)
            predicted[start:end] = model.predict(rows[start:end])
    return predicted


def learner_model(replayed: LogReplay, prior: RecallModel | None = None) -> LearnerModel:
    """:func:`fit_blended` on the whole replayed log, with the forward calibration of such fits."""
    prior = prior or prior_model()
    rows, labels = replayed.matrix()
    model = fit_blended(rows, labels, prior)
    if not len(labels):
        return LearnerModel(model, [], None)
    forward = forward_predictions(rows, labels, prior)
    return LearnerModel(model, calibration_bins(forward, labels), expected_calibration_error(forward, labels))


def cached_learner_model(replayed: LogReplay, cache_file: Path | None, key: str) -> LearnerModel:
    """:func:`learner_model`, reusing the one saved in ``cache_file`` under ``key`` (the database, review
    count and last review id: any new answer refits). The cache is JSON; a broken or stale file is
    ignored and rewritten."""
    prior = prior_model()
    if cache_file is not None:
        try:
            saved = json.loads(cache_file.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                return LearnerModel.from_cache(saved, prior)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    learner = learner_model(replayed, prior)
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps({"key": key, **learner.to_cache()}), encoding="utf-8")
        except OSError:
            pass  # a read-only cache only costs a refit next time
    return learner


# -- evaluation -----------------------------------------------------------------------------------


def log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    p = np.clip(probabilities, 1e-6, 1 - 1e-6)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float | None  # mean predicted recall in the bin
    actual: float | None  # share actually recalled

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "predicted": None if self.predicted is None else round(self.predicted, 4),
            "actual": None if self.actual is None else round(self.actual, 4),
        }


def calibration_bins(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    """Predictions cut into equal-width bins of predicted recall, each with its observed recall."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    result = []
    for position in range(bins):
        members = index == position
        count = int(members.sum())
        result.append(
            CalibrationBin(
                round(float(edges[position]), 2),
                round(float(edges[position + 1]), 2),
                count,
                float(probabilities[members].mean()) if count else None,
                float(labels[members].mean()) if count else None,
            )
        )
    return result


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Σ over bins of (share of predictions in the bin) × |mean predicted − observed rate|."""
    total = len(labels)
    return sum(
        b.count / total * abs(b.predicted - b.actual)  # type: ignore[operator]
        for b in calibration_bins(probabilities, labels, bins)
        if b.count
    )
