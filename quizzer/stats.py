"""Progress over time, computed from the review log. Pure functions over rows; no UI."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from quizzer.decks.model import Deck
from quizzer.session import study_day
from quizzer.store import Store


def summary(store: Store, decks: list[Deck], *, now: datetime, deck_id: str | None = None, days: int = 30,
            day_start_hour: int = 4) -> dict[str, Any]:
    """The headline figures: totals, recent activity, accuracy, and what is due."""
    today = study_day(now, day_start_hour)
    since = (today - timedelta(days=days - 1)).toordinal()
    where, args = ("WHERE c.deck_id = ?", [deck_id]) if deck_id else ("", [])
    conn = store.conn
    total, first_asks, correct, graded, passed, ms = conn.execute(
        f"""SELECT COUNT(*), SUM(1 - r.reask), SUM(r.correct = 1), SUM(r.correct IS NOT NULL),
                   SUM(r.quality >= 3), SUM(r.response_ms)
            FROM reviews r JOIN cards c ON c.key = r.card_key {where}""", args).fetchone()
    recent = conn.execute(
        f"""SELECT COUNT(*), SUM(r.quality >= 3) FROM reviews r JOIN cards c ON c.key = r.card_key
            {where + (' AND' if where else 'WHERE')} r.study_day >= ?""", [*args, since]).fetchone()
    per_day = conn.execute(
        f"""SELECT r.study_day, COUNT(*) FROM reviews r JOIN cards c ON c.key = r.card_key
            {where + (' AND' if where else 'WHERE')} r.study_day >= ? GROUP BY r.study_day""", [*args, since]).fetchall()
    chosen = [deck for deck in decks if deck_id is None or deck.id == deck_id]
    states = store.card_states([deck.id for deck in chosen])
    card_total = sum(len(deck.cards) for deck in chosen)
    seen = sum(1 for deck in chosen for card in deck.cards if (deck.id, card.id) in states)
    due_today = sum(1 for deck in chosen for card in deck.cards
                    if (state := states.get((deck.id, card.id))) and state.state.due and state.state.due <= today)
    total = total or 0
    return {
        "total_reviews": total,
        "first_reviews": first_asks or 0,
        "reasks": total - (first_asks or 0),
        "auto_graded": graded or 0,
        "auto_graded_correct": correct or 0,
        "accuracy": round((correct or 0) / graded, 4) if graded else None,
        "pass_rate": round((passed or 0) / total, 4) if total else None,
        "time_spent_s": round((ms or 0) / 1000, 1),
        "window_days": days,
        "reviews_in_window": recent[0] or 0,
        "pass_rate_in_window": round(recent[1] / recent[0], 4) if recent[0] else None,
        "reviews_per_day": {str(datetime.fromordinal(day).date()): count for day, count in sorted(per_day)},
        "cards": {"total": card_total, "seen": seen, "new": card_total - seen, "due_today": due_today},
        "deck": deck_id,
        "today": today.isoformat(),
    }


def summary_text(figures: dict[str, Any]) -> str:
    cards = figures["cards"]
    accuracy = figures["accuracy"]
    lines = [
        f"Reviews: {figures['total_reviews']} in all, {figures['reviews_in_window']} in the last "
        f"{figures['window_days']} days",
        f"Auto-graded accuracy: {'—' if accuracy is None else f'{accuracy:.0%}'}"
        f" ({figures['auto_graded_correct']}/{figures['auto_graded']})",
        f"Cards: {cards['seen']} seen of {cards['total']}, {cards['new']} new, {cards['due_today']} due today",
        f"Time spent: {figures['time_spent_s'] / 60:.0f} min",
    ]
    return "\n".join(lines)
