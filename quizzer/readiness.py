"""Am I ready? Predicted recall per deck, tag and generator family, from the learner's own review log.

Every studied card gets the chance of recalling it today from :mod:`quizzer.recall_model` (fitted to
the learner's first asks, leaning on the shipped prior while there are fewer than 200). A topic's
readiness is the mean over its studied cards; cards never studied are counted apart, not as zeros, so
"metrics 86% · 12 of 59 cards not yet studied" says both how well the studied part is held and how much
is left. The trend is the same figure as it would have been computed at the end of each of the last
four weeks (the log up to that day, the current model). "What to study this week" ranks decks by how
much an hour of study would raise the interview-weighted share of the deck one would recall.

The log is read through ``Store.reviews()`` once; everything after :func:`load` is plain functions on
plain data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from quizzer.decks.model import Deck, GeneratedCard
from quizzer.recall_model import (
    FEATURE_VERSION,
    BlendedModel,
    CalibrationBin,
    LearnerModel,
    LogReplay,
    cached_learner_model,
    learner_model,
)
from quizzer.session import DEFAULT_DAY_START_HOUR, current_day
from quizzer.store import Store

TREND_WEEKS = 4
HOUR_OF_STUDY = 60  # answers in an hour, at about a minute each
AFTER_STUDY = 0.9  # recall right after a card is studied or reviewed: what SM-2's intervals aim to keep
INTERVIEW_TAG = "interview"
STUDY_PICKS = 5
MIN_GAIN = 0.005  # half a point: below it an hour on the deck changes nothing worth listing

DEFINITIONS: dict[str, str] = {
    "predicted_recall": "The chance of recalling a card if asked today, from a logistic model fitted to your own "
    "first asks of cards you had seen before (graded 3 or more = recalled). Below 200 such asks it is blended "
    "with a prior model fitted on simulated learners.",
    "readiness": "The mean predicted recall over a topic's studied cards (cards with at least one answer). "
    "Cards never studied are counted apart ('not yet studied').",
    "trend": "Readiness as it would have been computed at the end of each of the last 4 weeks: the log up to "
    "that day, the current model.",
    "calibration": "Your first asks of cards seen before, cut into bins of predicted recall, each with the share "
    "you actually recalled. Each answer is predicted by a model fitted only on your answers before it (the log "
    "in 5 runs; the first run by the prior), as it would have been shown at the time.",
    "study_this_week": "Decks ranked by the gain of an hour of study (60 answers, each bringing a card to about 90% "
    "recall; unstudied cards count as 0 before): the rise in the share of the deck you would recall, times "
    "the deck's interview-tagged cards (how often interviews ask the topic).",
}


@dataclass(frozen=True, slots=True)
class TopicReadiness:
    """Readiness of one deck, tag or generator family."""

    kind: str  # "deck", "tag" or "generator"
    name: str
    cards: int
    studied: int
    readiness: float | None  # mean predicted recall over studied cards
    trend: tuple[tuple[date, float | None], ...] = ()  # (end of week, readiness then), oldest first
    interview_cards: int = 0

    @property
    def not_studied(self) -> int:
        return self.cards - self.studied

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "cards": self.cards,
            "studied": self.studied,
            "not_studied": self.not_studied,
            "readiness": _round(self.readiness),
            "trend": [{"week_end": end.isoformat(), "readiness": _round(value)} for end, value in self.trend],
            "interview_cards": self.interview_cards,
        }


@dataclass(frozen=True, slots=True)
class StudyPick:
    """A deck worth an hour this week, and why."""

    deck: str
    score: float  # interview-weighted gain: interview cards × rise in the share of the deck recalled
    gain: float  # rise in the share of the deck recalled after an hour (unstudied cards count as 0)
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "score": round(self.score, 3),
            "gain": round(self.gain, 4),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    today: date
    examples: int  # first asks of cards seen before: what the model was fitted on
    learner: LearnerModel
    decks: list[TopicReadiness]
    tags: list[TopicReadiness]
    generators: list[TopicReadiness]
    study: list[StudyPick]
    predictions: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    @property
    def model(self) -> BlendedModel:
        return self.learner.model

    @property
    def calibration(self) -> list[CalibrationBin]:
        return self.learner.calibration

    @property
    def calibration_error(self) -> float | None:
        return self.learner.calibration_error

    def to_dict(self) -> dict[str, Any]:
        fitted = self.model.fitted
        return {
            "today": self.today.isoformat(),
            "model": {
                "examples": self.examples,
                "fitted_weight": round(self.model.weight, 4),
                "prior": self.model.prior.source,
                "fitted": None if fitted is None else fitted.to_dict(),
            },
            "decks": [topic.to_dict() for topic in self.decks],
            "tags": [topic.to_dict() for topic in self.tags],
            "generators": [topic.to_dict() for topic in self.generators],
            "calibration": {
                "bins": [b.to_dict() for b in self.calibration if b.count],
                "expected_calibration_error": _round(self.calibration_error),
            },
            "study_this_week": [pick.to_dict() for pick in self.study],
            "definitions": DEFINITIONS,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


# -- the computation ------------------------------------------------------------------------------


def _predict_on(replayed: LogReplay, model: BlendedModel, day: int) -> dict[tuple[str, str], float]:
    keys = [key for key, memory in replayed.cards.items() if memory.last_day is not None]
    if not keys:
        return {}
    return dict(zip(keys, model.predict(replayed.today_rows(day, keys)).tolist(), strict=True))


def _groups(decks: Iterable[Deck]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(kind, name) -> the (deck id, card id) of its cards, in deck order."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for deck in decks:
        for card in deck.cards:
            key = (deck.id, card.id)
            groups[("deck", deck.id)].append(key)
            for tag in deck.card_tags(card):
                groups[("tag", tag)].append(key)
            if isinstance(card, GeneratedCard):
                groups[("generator", card.generator)].append(key)
    return groups


def study_gain(recall: Sequence[float], not_studied: int, *, answers: int = HOUR_OF_STUDY) -> float:
    """The rise in the share of a deck recalled after ``answers`` answers spent where they help most:
    each brings a card (recall ``p``, or 0 if never studied) to :data:`AFTER_STUDY`."""
    total = len(recall) + not_studied
    if not total:
        return 0.0
    gains = sorted([max(0.0, AFTER_STUDY - p) for p in recall] + [AFTER_STUDY] * not_studied, reverse=True)
    return sum(gains[:answers]) / total


def study_this_week(
    topics: Sequence[TopicReadiness],
    predictions: Mapping[tuple[str, str], float],
    members: Mapping[tuple[str, str], Sequence[tuple[str, str]]],
    *,
    limit: int = STUDY_PICKS,
) -> list[StudyPick]:
    """Decks ranked by interview cards × :func:`study_gain`; decks without interview cards are left out."""
    picks = []
    for topic in topics:
        if not topic.interview_cards:
            continue
        recall = [predictions[key] for key in members[("deck", topic.name)] if key in predictions]
        gain = study_gain(recall, topic.not_studied)
        if gain < MIN_GAIN:
            continue
        weak = sum(p < 0.7 for p in recall)
        held = "nothing studied yet" if topic.readiness is None else f"{topic.readiness:.0%} predicted recall"
        reason = (
            f"{held}; {topic.not_studied} of {topic.cards} cards not yet studied, {weak} below 70%; "
            f"{topic.interview_cards} interview cards; an hour could add {gain * 100:.1f} points"
        )
        picks.append(StudyPick(topic.name, topic.interview_cards * gain, gain, reason))
    picks.sort(key=lambda pick: (-pick.score, pick.deck))
    return picks[:limit]


def compute(
    reviews: Iterable[Mapping[str, Any]],
    decks: Sequence[Deck],
    today: date,
    *,
    learner: LearnerModel | None = None,
    deck_id: str | None = None,
    fit_learner: Callable[[LogReplay], LearnerModel] | None = None,
) -> Readiness:
    """Readiness of ``decks`` (or only ``deck_id``) on study day ``today`` from the review log (oldest
    first, as ``Store.reviews()`` gives it). ``learner`` is used as given; without it one is fitted on
    the log by ``fit_learner(replayed)`` (default: :func:`quizzer.recall_model.learner_model`, uncached)."""
    ends = [today - timedelta(weeks=weeks) for weeks in range(TREND_WEEKS - 1, 0, -1)]
    replayed = LogReplay()
    snapshots: list[tuple[date, LogReplay]] = []
    for review in reviews:
        day = review["study_day"]
        day = day if isinstance(day, date) else date.fromisoformat(day)
        while len(snapshots) < len(ends) and day > ends[len(snapshots)]:
            snapshots.append((ends[len(snapshots)], replayed.snapshot()))
        replayed.add(review)
    while len(snapshots) < len(ends):
        snapshots.append((ends[len(snapshots)], replayed.snapshot()))
    if learner is None:
        learner = (fit_learner or learner_model)(replayed)
    model = learner.model

    predictions = _predict_on(replayed, model, today.toordinal())
    past = [(end, _predict_on(snapshot, model, end.toordinal())) for end, snapshot in snapshots]
    chosen = [deck for deck in decks if deck_id is None or deck.id == deck_id]
    members = _groups(chosen)
    interview = {
        deck.id: sum(INTERVIEW_TAG in deck.card_tags(card) for card in deck.cards) for deck in chosen
    }

    by_kind: dict[str, list[TopicReadiness]] = {"deck": [], "tag": [], "generator": []}
    for (kind, name), keys in members.items():
        studied = [predictions[key] for key in keys if key in predictions]
        trend = [(end, _mean([then[key] for key in keys if key in then])) for end, then in past]
        trend.append((today, _mean(studied)))
        by_kind[kind].append(
            TopicReadiness(
                kind,
                name,
                len(keys),
                len(studied),
                _mean(studied),
                tuple(trend),
                interview.get(name, 0) if kind == "deck" else 0,
            )
        )
    for topics in by_kind.values():
        topics.sort(
            key=lambda t: (t.readiness is None, t.readiness if t.readiness is not None else 0, t.name)
        )

    return Readiness(
        today=today,
        examples=len(replayed.labels),
        learner=learner,
        decks=by_kind["deck"],
        tags=by_kind["tag"],
        generators=by_kind["generator"],
        study=study_this_week(by_kind["deck"], predictions, members),
        predictions=predictions,
    )


def load(
    store: Store,
    decks: Sequence[Deck],
    now: datetime,
    *,
    deck_id: str | None = None,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
    tz: tzinfo | None = None,
    cache_dir: Path | None = None,
) -> Readiness:
    """:func:`compute` on the store's log as of ``now``. With ``cache_dir`` the fitted model is kept
    there as JSON, keyed by the database, the review count and the last review id, so a repeated
    ``quizzer readiness`` does not refit (nor import scikit-learn)."""
    today = current_day(store, now, day_start_hour, tz).day
    reviews = list(store.reviews())
    cache_file = None if cache_dir is None else cache_dir / "recall-model.json"
    last_id = reviews[-1]["id"] if reviews else 0
    database = hashlib.sha256(str(Path(store.path).resolve()).encode()).hexdigest()[:16]
    key = f"v{FEATURE_VERSION}:{database}:{len(reviews)}:{last_id}"
    return compute(
        reviews,
        decks,
        today,
        deck_id=deck_id,
        fit_learner=lambda replayed: cached_learner_model(replayed, cache_file, key),
    )


# -- text -----------------------------------------------------------------------------------------

_SPARKS = "▁▂▃▄▅▆▇█"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _spark(values: Sequence[float | None], *, span: float = 0.05) -> str:
    """Bars scaled to the row's own range (at least ``span`` wide), so a move of a few points shows;
    the percentages beside it give the level."""
    known = [value for value in values if value is not None]
    if not known:
        return "·" * len(values)
    top = max(known)
    bottom = min(min(known), top - span)
    return "".join(
        "·" if value is None else _SPARKS[min(7, int((value - bottom) / (top - bottom) * 7.999))]
        for value in values
    )


def topic_line(topic: TopicReadiness) -> str:
    """'metrics 86% · 12 of 59 cards not yet studied'."""
    text = f"{topic.name} {_percent(topic.readiness)}"
    if topic.not_studied:
        text += f" · {topic.not_studied} of {topic.cards} cards not yet studied"
    return text


def _topic_rows(topics: Sequence[TopicReadiness]) -> list[str]:
    lines = []
    for topic in topics:
        trend = [value for _, value in topic.trend]
        studied = f"{topic.studied} of {topic.cards}"
        lines.append(
            f"  {topic.name[:30]:<30} {_percent(topic.readiness):>5}   {studied:<12} "
            f"{_spark(trend)}  {' '.join(_percent(value) for value in trend)}"
        )
    return lines


def summary_text(result: Readiness, *, rows: int = 10) -> str:
    model = result.model
    if model.fitted is None:
        source = f"the prior ({model.prior.source}); {result.examples} of your first asks so far"
    else:
        source = (
            f"fitted on {result.examples} of your first asks, weight {model.weight:.0%} (rest: the prior)"
        )
    lines = [
        f"Readiness — predicted recall if asked today (study day {result.today.isoformat()})",
        f"Model: {source}",
        "",
        f"  {'deck':<30} {'ready':>5}   {'studied':<12} last {TREND_WEEKS} weeks",
    ]
    lines += _topic_rows(result.decks)
    for heading, topics in (("Weakest tags", result.tags), ("Generator families", result.generators)):
        studied = [topic for topic in topics if topic.readiness is not None]
        if studied:
            lines += ["", f"  {heading:<30} {'ready':>5}   {'studied':<12} last {TREND_WEEKS} weeks"]
            lines += _topic_rows(studied[:rows])
    if result.calibration:
        lines += [
            "",
            "Calibration on your answers (each predicted from the answers before it): predicted recall vs recalled",
        ]
        for b in result.calibration:
            if b.count:
                lines.append(
                    f"  {b.low:.1f}–{b.high:.1f}  predicted {_percent(b.predicted):>4}  "
                    f"recalled {_percent(b.actual):>4}  ({b.count} answer{'' if b.count == 1 else 's'})"
                )
        lines.append(f"  expected calibration error {result.calibration_error:.3f}")
    lines += ["", "What to study this week"]
    if result.study:
        lines += [f"  {rank}. {pick.deck}: {pick.reason}" for rank, pick in enumerate(result.study, 1)]
    else:
        lines.append("  nothing: no deck with interview cards has anything left to gain")
    return "\n".join(lines)
