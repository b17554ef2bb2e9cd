"""The drill loop without a screen: build the queue, present a card, grade, schedule, record.

Time and randomness come in from outside (``now``, ``seed``), so a session is reproducible in tests.
The UI calls :meth:`Session.prepare` for generated cards in a worker thread, since some families fit
scikit-learn models.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from quizzer.decks.model import CARD_CLASSES, AnyCard, ChoiceCard, Deck, GeneratedCard, NumericCard
from quizzer.sm2 import SESSION_PASS_QUALITY, SM2State, check_quality, step
from quizzer.store import DeckTally, ReviewRecord, Store

if TYPE_CHECKING:
    from generators import Problem
    from quizzer.answers import Unreadable
    from quizzer.grading import Grade

# The generators and the graders (and the pydantic answer models and the number parser's patterns they import)
# load when a card is first graded or a problem first generated: the first card is on screen before that.

DEFAULT_NEW_PER_DAY = 20
DEFAULT_DAY_START_HOUR = 4
# A missed card comes back after this many other cards (or at the end of a short queue).
REASK_GAP = 4
# A clock outside these moments is wrong; it is read as the nearest of them, so that a date far in the
# future (9999-12-31) still gives a study day that time-zone arithmetic and schedules can handle.
EARLIEST_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_CLOCK = datetime(9999, 12, 30, tzinfo=UTC)


def study_day(now: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> date:
    """The study day ``now`` belongs to: the local date, with the day starting at ``day_start_hour``.

    As in Anki, reviewing at 1 am still counts for the previous day when the day starts at 4 am.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = min(max(now, EARLIEST_CLOCK), LATEST_CLOCK).astimezone(tz)
    return (local - timedelta(hours=day_start_hour)).date()


@dataclass(frozen=True, slots=True)
class Today:
    """The current study day, and the latest study day already in the review log."""

    day: date
    latest_logged: date | None = None

    @property
    def clock_behind(self) -> bool:
        """The log holds answers from a later study day than the clock's: the clock went backwards
        (a flight west, a clock put right after running ahead). Nothing is changed; the UI says so."""
        return self.latest_logged is not None and self.latest_logged > self.day

    @property
    def notice(self) -> str | None:
        """A sentence for the UI when the clock looks wrong, else None."""
        if self.latest_logged is None or self.latest_logged <= self.day:
            return None
        return (
            f"Your clock says the study day is {self.day.isoformat()}, but answers were already recorded on "
            f"{self.latest_logged.isoformat()}. Check the date and time zone; cards are scheduled from the clock."
        )


def current_day(
    store: Store, now: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None
) -> Today:
    """Today, as the drill, the Home counts and the statistics all see it: the study day of the clock.

    The log is deliberately not a floor. Keeping the latest logged day ("the calendar never runs
    backwards") meant one answer given with the clock in 2030 froze every later session in 2030, and
    made the drill and the statistics disagree after a flight west. A clock behind the log cannot pull
    schedules earlier either: a passing answer before a card's due day leaves its schedule alone
    (:func:`quizzer.sm2.step`). What the log says is returned only so the UI can warn.
    """
    return Today(study_day(now, day_start_hour, tz), store.latest_study_day())


@dataclass(frozen=True, slots=True)
class SessionConfig:
    new_per_day: int = DEFAULT_NEW_PER_DAY
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    tz: tzinfo | None = None  # None: the system's local time zone
    limit: int | None = None  # at most this many cards (first asks) in the session
    # Open cards with key points: "type" an answer to grade, or "reveal" and self-grade.
    open_answers: str = "type"


@dataclass(slots=True)
class QueueItem:
    """One ask of a card in this session. A re-ask is a new item for the same card."""

    deck: Deck
    card: AnyCard
    reask: bool = False
    seed: int | None = None
    options: list[str] = field(default_factory=list)  # choice options in the order shown
    problem: Problem | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck.id, self.card.id)

    @property
    def kind(self) -> str:
        return self.card.kind

    @property
    def tags(self) -> list[str]:
        return self.deck.card_tags(self.card)


class ItemQueue:
    """The session's queue of :class:`QueueItem`, made as they are first looked at.

    A session of 3,800 due cards asks one first; making every item up front (option shuffles, problem
    seeds) came before it. First asks are made strictly in queue order from the session's seeded generator
    and re-asks from a generator of their own, so every first ask gets exactly the options and seed it got
    when all were made at the start, whenever re-asks come. Supports what a ``deque`` was used for.
    """

    def __init__(
        self, make: Callable[[Deck, AnyCard], QueueItem], pending: Iterable[tuple[Deck, AnyCard]]
    ) -> None:
        self._make = make
        self._made: deque[QueueItem] = deque()
        self._pending: deque[tuple[Deck, AnyCard]] = deque(pending)

    def _fill(self, count: int) -> None:
        made, pending = self._made, self._pending
        while len(made) < count and pending:
            made.append(self._make(*pending.popleft()))

    def make_all(self) -> None:
        self._fill(len(self))

    def __len__(self) -> int:
        return len(self._made) + len(self._pending)

    def __bool__(self) -> bool:
        return bool(self._made or self._pending)

    def __iter__(self) -> Iterator[QueueItem]:
        self.make_all()
        return iter(self._made)

    def __getitem__(self, index: int) -> QueueItem:
        if index < 0:
            self.make_all()
        else:
            self._fill(index + 1)
        return self._made[index]

    def __contains__(self, item: object) -> bool:
        return item in self._made  # an item not made yet cannot be held by anyone

    def popleft(self) -> QueueItem:
        self._fill(1)
        return self._made.popleft()

    def remove(self, item: QueueItem) -> None:
        self._made.remove(item)

    def insert(self, index: int, item: QueueItem) -> None:
        self._fill(index)
        self._made.insert(index, item)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What recording an answer did: the review written, and whether the card comes back."""

    record: ReviewRecord
    requeued: bool


@dataclass(slots=True)
class SessionStats:
    answered: int = 0
    correct: int = 0
    graded: int = 0  # auto-graded answers (correct is known)
    reasks: int = 0
    seconds: float = 0.0
    missed: list[tuple[str, str]] = field(default_factory=list)


def _only_own(tally: DeckTally, deck: Deck) -> bool:
    """Every card row the database holds for ``deck`` is a card the deck has (none left by an edit)."""
    return tally.rows == len(tally.ids) and all(map(deck.positions.__contains__, tally.ids))


def all_deck_counts(store: Store, decks: list[Deck], today: date) -> dict[str, dict[str, int]]:
    """Due today / new (never reviewed) / total for each deck, from one grouped scan of the due index.

    Only the decks' own cards count: the database may still hold cards a deck no longer has, and such a
    deck (rare) is counted card by card.
    """
    ids = list(dict.fromkeys(deck.id for deck in decks))
    tallies = store.deck_tallies(ids, today)
    unscheduled = store.unscheduled_ids(ids) if any(t.rows != t.scheduled for t in tallies.values()) else {}
    counts = {}
    for deck in decks:
        tally = tallies.get(deck.id)
        card_ids = deck.positions
        if tally is None:
            due, new = 0, len(card_ids)
        elif _only_own(tally, deck):
            due, new = tally.due, len(card_ids) - tally.scheduled
        else:  # rows of cards the deck no longer has: count only its own
            answered = {card_id for card_id in tally.ids if card_id in card_ids}
            answered -= unscheduled.get(deck.id, set())
            new = len(card_ids) - len(answered)
            due = sum(1 for _, card_id, _ in store.due_rows([deck.id], today) if card_id in card_ids)
        counts[deck.id] = {"due": due, "new": new, "total": len(deck.cards)}
    return counts


# The order kinds take turns in among new cards: a first session samples every kind, and a generated
# problem (the headline feature) comes second, after a card that appears at once.
NEW_KIND_ORDER = ("open", "generated", "choice", "numeric")
# "Study more" (Anki's custom study): this many cards beyond the day's limit per press.
STUDY_MORE_CARDS = 10


_T = TypeVar("_T")


def _round_robin(lanes: Iterable[Iterable[_T]]) -> Iterator[_T]:
    """One from each lane that still has one, in turn, until all are empty (lazily: taking the first few
    reads only the start of each lane)."""
    active = [iter(lane) for lane in lanes]
    while active:
        still = []
        for lane in active:
            for item in lane:
                yield item
                still.append(lane)
                break
        active = still


class _Listed:
    """New cards already known (a list), asked for one kind at a time as :class:`_NewCards` are."""

    def __init__(self, cards: list[AnyCard]) -> None:
        self.cards = cards

    def of_kind(self, kind: str) -> Iterator[AnyCard]:
        return (card for card in self.cards if card.kind == kind)


class _NewCards:
    """A deck's new cards (those without a schedule), its answered ids read from the store only when a kind
    of card the deck has is first asked for.

    The day's allowance of new cards (20) comes from the first few decks in each kind's turn, so at 20,000
    cards in 200 decks most decks are never read: reading every deck's ids up front cost more than the rest
    of building the session.
    """

    def __init__(self, store: Store, deck: Deck) -> None:
        self._store = store
        self._deck = deck

    @cached_property
    def _kinds(self) -> set[str]:
        return {card.kind for card in self._deck.cards}

    @cached_property
    def _new(self) -> list[AnyCard]:
        scheduled = self._store.scheduled_card_ids(self._deck.id)
        return [card for card in self._deck.cards if card.id not in scheduled]

    def of_kind(self, kind: str) -> Iterator[AnyCard]:
        if kind not in self._kinds:
            return  # a deck is read only for a kind of card it has
        for card in self._new:
            if card.kind == kind:
                yield card


def _of_kind(deck: Deck, cards: _Listed | _NewCards, kind: str) -> Iterator[tuple[Deck, AnyCard]]:
    # A generator function: nothing of ``cards`` is looked at before the lane's first turn.
    for card in cards.of_kind(kind):
        yield deck, card


def _interleaved(
    decks: list[Deck], fresh: Sequence[_Listed | _NewCards], kinds: Iterable[str]
) -> Iterator[tuple[Deck, AnyCard]]:
    """The order of :func:`interleave_new`, produced lazily; ``kinds``: every kind ``fresh`` may hold."""
    order = [*NEW_KIND_ORDER, *sorted(set(kinds) - set(NEW_KIND_ORDER))]
    # A deck without new cards of a kind gives an empty lane, which the round robin drops on its first turn.
    lanes = [
        _round_robin([_of_kind(deck, cards, kind) for deck, cards in zip(decks, fresh, strict=True)])
        for kind in order
    ]
    return _round_robin(lanes)


def interleave_new(decks: list[Deck], fresh: list[list[AnyCard]]) -> list[tuple[Deck, AnyCard]]:
    """New cards in the order they are introduced: kinds take turns (open, generated, choice, numeric),
    and within a kind the decks take turns; each deck's own order is kept within a kind.

    Interleaving only by deck served twenty open and choice cards on day one and never a generated
    problem, because decks tend to open with definitions.
    """
    kinds = {card.kind for cards in fresh for card in cards}
    return list(_interleaved(decks, [_Listed(cards) for cards in fresh], kinds))


def _split(
    store: Store, decks: list[Deck], today: date
) -> tuple[
    list[tuple[int, int, int, Deck, AnyCard]], list[tuple[int, int, int, Deck, AnyCard]], list[list[AnyCard]]
]:
    """(due, not yet due, new per deck): due and learned entries are (due ordinal, position, deck index, deck, card)."""
    index = store.schedule_index([deck.id for deck in decks])
    limit_day = today.toordinal()
    due: list[tuple[int, int, int, Deck, AnyCard]] = []
    ahead: list[tuple[int, int, int, Deck, AnyCard]] = []
    fresh: list[list[AnyCard]] = []
    for deck_index, deck in enumerate(decks):
        reviewed = index[deck.id]
        new: list[AnyCard] = []
        for position, card in enumerate(deck.cards):
            when = reviewed.get(card.id)
            if when is None:
                new.append(card)
            else:
                (due if when <= limit_day else ahead).append((when, position, deck_index, deck, card))
        fresh.append(new)
    # Most overdue (or soonest due) first; ties are spread across decks by position then deck.
    due.sort(key=lambda entry: entry[:3])
    ahead.sort(key=lambda entry: entry[:3])
    return due, ahead, fresh


def build_queue(
    store: Store, decks: list[Deck], today: date, new_per_day: int, limit: int | None = None
) -> list[tuple[Deck, AnyCard]]:
    """Due cards first (most overdue first), then new cards up to today's remaining allowance, the kinds
    and the decks taking turns (:func:`interleave_new`).

    Read from the ``cards_due`` index: only the due rows come back, not every reviewed card; the new cards
    are worked out only when the allowance (and ``limit``) leaves room for them, and only as many as fit.
    """
    deck_index: dict[str, tuple[int, dict[str, int]]] = {}
    for index, deck in enumerate(decks):
        if deck.id not in deck_index:
            deck_index[deck.id] = (index, deck.positions)
    due: list[tuple[int, int, int]] = []  # (due ordinal, position, deck index): plain ints sort in C
    for deck_id, card_id, when in store.due_rows(list(deck_index), today):
        index, positions = deck_index[deck_id]
        position = positions.get(card_id)
        if position is not None:  # the database may still hold cards the deck no longer has
            due.append((when, position, index))
    # Most overdue first; ties are spread across decks by position then deck.
    due.sort()
    queue: list[tuple[Deck, AnyCard]] = [
        (decks[index], decks[index].cards[position]) for _, position, index in due
    ]
    if limit is not None and len(queue) >= limit:
        return queue[:limit]
    allowance = max(0, new_per_day - store.new_cards_introduced(today))
    if allowance:
        fresh: dict[str, _NewCards] = {}  # one per deck id: a deck named twice is read once
        lanes = [fresh.setdefault(deck.id, _NewCards(store, deck)) for deck in decks]
        queue += islice(_interleaved(decks, lanes, CARD_CLASSES), allowance)
    return queue[:limit] if limit is not None else queue


def study_more_queue(
    store: Store, decks: list[Deck], today: date, count: int = STUDY_MORE_CARDS
) -> tuple[list[tuple[Deck, AnyCard]], str]:
    """Cards for "study more" once the day's are done (Anki's custom study), and what they are.

    New cards beyond the daily limit when any are left; otherwise learned cards that are not due yet,
    soonest due first (reviewing ahead: they are rescheduled from today, as in Anki).
    """
    due, ahead, fresh = _split(store, decks, today)
    if due:
        return [(deck, card) for *_, deck, card in due][:count], "due cards"
    new = interleave_new(decks, fresh)
    if new:
        return new[:count], "new cards beyond today's limit"
    return [(deck, card) for *_, deck, card in ahead][:count], "learned cards ahead of their due date"


class Session:
    """A drill session over some decks. Drive it with ``next`` / ``prepare`` / ``grade`` / ``record``."""

    def __init__(
        self,
        store: Store,
        decks: list[Deck],
        *,
        now: datetime,
        seed: int,
        config: SessionConfig | None = None,
        cards: list[tuple[Deck, AnyCard]] | None = None,
    ) -> None:
        self.store = store
        self.decks = decks
        self.config = config or SessionConfig()
        self.clock: Today = current_day(store, now, self.config.day_start_hour, self.config.tz)
        # The study day of the latest answer (or of the start): each answer is scheduled on its own day.
        self.today = self.clock.day
        # Only a queue built here honours the daily new-card limit; a given list (weak spots) is drilled as is.
        self._limit_new = cards is None
        self.random = random.Random(seed)
        # Re-asks draw their options and seeds from here: were they drawn from ``self.random``, a re-ask would
        # first have to make every first ask still in the queue (3,800 on a big day: ~10 ms on one answer).
        self.reask_random = random.Random(f"{seed}:re-ask")
        chosen = (
            cards
            if cards is not None
            else build_queue(store, decks, self.today, self.config.new_per_day, self.config.limit)
        )
        self.queue = ItemQueue(self._item, chosen)
        self.total_first_asks = len(self.queue)
        self.stats = SessionStats()
        self.current: QueueItem | None = None

    # -- queue -------------------------------------------------------------------------------

    def _item(self, deck: Deck, card: AnyCard, reask: bool = False) -> QueueItem:
        item = QueueItem(deck, card, reask=reask)
        draw = self.reask_random if reask else self.random
        if isinstance(card, GeneratedCard):
            item.seed = draw.randrange(2**31)
        elif isinstance(card, ChoiceCard):
            item.options = list(card.options)
            if card.shuffle:
                draw.shuffle(item.options)
        return item

    @property
    def remaining(self) -> int:
        return len(self.queue)

    @property
    def done(self) -> int:
        return self.stats.answered

    def next(self) -> QueueItem | None:
        """The next item to ask (it stays current until recorded), or None when the session is over.

        A new card is offered only while the database says today's new-card limit is not reached:
        another terminal may have introduced cards since this queue was built.
        """
        while self.current is None and self.queue:
            item = self.queue.popleft()
            if self._limit_new and not item.reask and self._new_limit_reached(item):
                self._drop_new_cards()
                continue
            self.current = item
        return self.current

    def _new_limit_reached(self, item: QueueItem) -> bool:
        if not self.store.state(item.deck.id, item.card.id).is_new:
            return False
        return self.store.new_cards_introduced(self.today) >= self.config.new_per_day

    def _drop_new_cards(self) -> None:
        """Take every first ask of a never-answered card out of the queue (the day's limit is reached)."""
        index = self.store.schedule_index([deck.id for deck in self.decks])
        kept = [item for item in self.queue if item.reask or item.card.id in index.get(item.deck.id, {})]
        self.queue = ItemQueue(self._item, [])
        for item in kept:
            self.queue.insert(len(self.queue), item)

    def peek(self) -> QueueItem | None:
        """The item after the current one, so its problem can be prepared in the background."""
        return self.queue[0] if self.queue else None

    # -- asking ------------------------------------------------------------------------------

    @staticmethod
    def prepare(item: QueueItem) -> Problem | None:
        """Generate the problem of a generated card (idempotent; may be slow, run it in a worker)."""
        card = item.card
        if isinstance(card, GeneratedCard) and item.problem is None:
            from generators import registry

            generator = registry.get(card.generator)
            item.problem = generator.generate(item.seed or 0, card.params)
        return item.problem

    def grade(self, item: QueueItem, text: str) -> Grade | Unreadable:
        """Grade the user's typed answer for an auto-graded card. Unreadable input is not a wrong answer."""
        from quizzer.grading import grade_choice_card, grade_numeric_card, grade_parts

        card = item.card
        if isinstance(card, NumericCard):
            return grade_numeric_card(card, text)
        if isinstance(card, ChoiceCard):
            return grade_choice_card(card, text, item.options)
        if isinstance(card, GeneratedCard):
            problem = self.prepare(item)
            assert problem is not None
            return grade_parts(problem.parts, text)
        from quizzer.answers import Unreadable

        return Unreadable(text, "Open cards are graded by you: reveal the answer, then press 0-5.")

    # -- recording ---------------------------------------------------------------------------

    def record(
        self,
        item: QueueItem,
        quality: int,
        *,
        now: datetime,
        answer: str | None = None,
        correct: bool | None = None,
        response_ms: int | None = None,
    ) -> Outcome:
        """Schedule and commit one answer. Returns once the review is durably in the database.

        The answer belongs to the study day of ``now`` (not of the session's start: a session running
        past 4 am answers on the new day), and is scheduled from the card's state as the database holds
        it at that moment (another terminal may have answered the card since this one showed it).
        """
        check_quality(quality)
        day = study_day(now, self.config.day_start_hour, self.config.tz)
        reask = item.reask

        def schedule(before: SM2State) -> SM2State:
            return before if reask else step(before, quality, day)

        draft = ReviewRecord(
            deck_id=item.deck.id,
            card_id=item.card.id,
            reviewed_at=now,
            study_day=day,
            quality=quality,
            before=SM2State(),  # read inside the write transaction, see ReviewRecord.schedule
            after=SM2State(),
            kind=item.kind,
            answer=answer,
            correct=correct,
            response_ms=response_ms,
            seed=item.seed,
            reask=item.reask,
            schedule=schedule,
        )
        # Raises StoreError without touching the queue: the user may retry.
        _row_id, record = self.store.record_logged(draft)
        before = record.before
        self.today = day

        if item is self.current:
            self.current = None
        elif item in self.queue:
            self.queue.remove(item)
        self._count(item, quality, correct, response_ms)
        requeued = quality < SESSION_PASS_QUALITY
        if requeued:
            self.queue.insert(min(REASK_GAP, len(self.queue)), self._item(item.deck, item.card, reask=True))
        first_review = not reask and before.is_new
        if (
            self._limit_new
            and first_review
            and self.store.new_cards_introduced(day) >= self.config.new_per_day
        ):
            # The answer is kept (an answer is never lost), but no further new card is offered today.
            self._drop_new_cards()
        return Outcome(record, requeued)

    def skip(self, item: QueueItem) -> None:
        """Drop an item without recording anything (e.g. its problem could not be generated).

        The card's schedule is untouched, so it comes up again in a later session.
        """
        if item is self.current:
            self.current = None
        elif item in self.queue:
            self.queue.remove(item)

    def _count(self, item: QueueItem, quality: int, correct: bool | None, response_ms: int | None) -> None:
        stats = self.stats
        stats.answered += 1
        stats.reasks += item.reask
        if response_ms:
            stats.seconds += response_ms / 1000
        passed = correct if correct is not None else quality >= 3
        if correct is not None or item.kind == "open":
            stats.graded += 1
            stats.correct += bool(passed)
        if not passed and item.key not in stats.missed:
            stats.missed.append(item.key)

    def next_due(self) -> date | None:
        """When the next card of these decks is due after this session (for the summary)."""
        states = self.store.card_states([deck.id for deck in self.decks])
        dates = [s.state.due for s in states.values() if s.state.due is not None and s.state.due > self.today]
        return min(dates) if dates else None


__all__ = [
    "DEFAULT_DAY_START_HOUR",
    "DEFAULT_NEW_PER_DAY",
    "Outcome",
    "QueueItem",
    "Session",
    "SessionConfig",
    "SessionStats",
    "STUDY_MORE_CARDS",
    "Today",
    "all_deck_counts",
    "build_queue",
    "current_day",
    "interleave_new",
    "study_more_queue",
    "study_day",
]
