"""The SQLite store: migrations and the review log."""

from quizzer.store.store import CardState, DeckTally, ReviewRecord, Store, from_ms, to_ms

__all__ = ["CardState", "DeckTally", "ReviewRecord", "Store", "from_ms", "to_ms"]
