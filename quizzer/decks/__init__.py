"""Decks: the YAML format (model) and loading it with located errors (loader)."""

from quizzer.decks.loader import (
    DeckCollection,
    DeckFileError,
    DeckIssue,
    LoadedDeck,
    deck_files,
    load_deck,
    load_sources,
    parse_deck,
)
from quizzer.decks.model import AnyCard, ChoiceCard, Deck, GeneratedCard, NumericCard, OpenCard

__all__ = [
    "AnyCard",
    "ChoiceCard",
    "Deck",
    "DeckCollection",
    "DeckFileError",
    "DeckIssue",
    "GeneratedCard",
    "LoadedDeck",
    "NumericCard",
    "OpenCard",
    "deck_files",
    "load_deck",
    "load_sources",
    "parse_deck",
]
