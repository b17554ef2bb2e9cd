from __future__ import annotations

import os
from pathlib import Path

from quizzer.decks import load_deck
from quizzer.decks.cache import load_deck_cached

ROOT = Path(__file__).resolve().parents[2]


def test_cache_hit_equals_fresh_parse(tmp_path: Path) -> None:
    for path in sorted((ROOT / "decks").glob("*.yaml")):
        fresh = load_deck(path)
        first = load_deck_cached(path, str(path), tmp_path, load_deck)
        second = load_deck_cached(path, str(path), tmp_path, load_deck)
        assert first == fresh
        assert second.model_dump() == fresh.model_dump()
        assert [type(c) for c in second.cards] == [type(c) for c in fresh.cards]
    assert len(list((tmp_path / "decks").glob("*.json"))) == len(list((ROOT / "decks").glob("*.yaml")))


def test_changed_file_is_parsed_again(tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text("id: d\ntitle: One\ncards:\n  - {id: a, front: q, back: a}\n")
    assert load_deck_cached(deck, "d.yaml", tmp_path / "cache", load_deck).title == "One"
    deck.write_text("id: d\ntitle: Two\ncards:\n  - {id: a, front: q, back: a}\n")
    os.utime(deck, ns=(1, 1))
    assert load_deck_cached(deck, "d.yaml", tmp_path / "cache", load_deck).title == "Two"


def test_corrupt_cache_entry_is_ignored(tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text("id: d\ntitle: One\ncards:\n  - {id: a, front: q, back: a}\n")
    load_deck_cached(deck, "d.yaml", tmp_path / "cache", load_deck)
    for entry in (tmp_path / "cache" / "decks").iterdir():
        entry.write_text("{not json")
    assert load_deck_cached(deck, "d.yaml", tmp_path / "cache", load_deck).title == "One"


def test_key_points_survive_the_cache(tmp_path: Path) -> None:
    from quizzer.decks.cache import load_deck_cached
    from quizzer.decks.model import KeyPoint

    deck_file = tmp_path / "points.yaml"
    deck_file.write_text(
        "id: points\ntitle: Points\ncards:\n  - id: l1\n    front: What does L1 do?\n    back: Zeroes some weights.\n"
        "    points:\n      - {text: some weights become exactly zero, also: [sparse], must: true}\n"
        "      - {text: the penalty sums absolute values}\n"
    )
    cache = tmp_path / "cache"
    fresh = load_deck_cached(deck_file, "points.yaml", cache, load_deck)
    cached = load_deck_cached(deck_file, "points.yaml", cache, load_deck)
    assert cached == fresh
    point = cached.cards[0].points[0]
    assert isinstance(point, KeyPoint) and point.must and point.also == ["sparse"]
