from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from quizzer.decks import load_deck
from quizzer.decks.cache import DeckChangedError, load_content, load_deck_cached
from quizzer.decks.model import PENDING

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


def cached_twice(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A deck file and a cache holding it (the first load fills the cache)."""
    deck_file = tmp_path / "lazy.yaml"
    deck_file.write_text(text)
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    return deck_file, cache


def damage_content(cache: Path) -> None:
    """Keep the cache entry's head line and make its content line unreadable."""
    (entry,) = (cache / "decks").iterdir()
    entry.write_bytes(entry.read_bytes().split(b"\n")[0] + b"\n{not json")


LAZY = (
    "id: lazy\ntitle: Lazy\ntags: [t]\ncards:\n"
    "  - {id: a, front: 'Q one?', back: A one., tags: [x], source: S}\n"
    "  - {id: b, kind: choice, front: 'Q two?', options: [Yes please, No thanks], answer: Yes please}\n"
    "  - {id: c, kind: numeric, front: 'Q three?', answer: 3}\n"
)


def test_a_cached_deck_holds_ids_and_kinds_until_a_card_is_looked_at(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    fresh = load_deck(deck_file)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    assert cached.id == "lazy" and cached.title == "Lazy" and cached.tags == ["t"]
    assert list(cached.positions) == ["a", "b", "c"]
    assert [type(card) for card in cached.cards] == [type(card) for card in fresh.cards]
    assert all(set(card.__dict__) == {"id", PENDING} for card in cached.cards)
    assert [card.kind for card in cached.cards] == ["open", "choice", "numeric"]  # the class's
    assert cached.cards[1].options == [
        "Yes please",
        "No thanks",
    ]  # any field of any card parses the deck's content
    assert all(PENDING not in card.__dict__ for card in cached.cards)
    assert cached == fresh
    with pytest.raises(AttributeError):
        cached.cards[0].no_such_field  # noqa: B018 - the lookup is the test


def test_a_field_at_its_default_is_not_kept_but_reads_as_it_and_still_parses_the_content(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    assert cached.cards[2].unit == ""  # a default, but read before the content: it parses it
    assert all(PENDING not in card.__dict__ for card in cached.cards)
    for card in (*cached.cards, *load_deck(deck_file).cards):  # from the cache and from the file alike
        kept = set(card.__dict__)
        assert kept == {name for name, value in card.model_dump().items() if name not in card.DEFAULTS
                        or value != card.DEFAULTS[name]} - {"kind"}
    choice = cached.cards[1]
    assert set(choice.__dict__) == {"id", "front", "options", "answer"}
    choice.aliases["yes please"] = ["y"]  # a default read is the reader's own copy
    assert choice.aliases == {} and load_deck(deck_file).cards[1].aliases == {}
    assert choice.model_dump()["shuffle"] is True and choice.back is None


def test_load_content_parses_every_deck_still_waiting(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    load_content([cached, load_deck(deck_file)])
    assert all(PENDING not in card.__dict__ for card in cached.cards)
    assert cached == load_deck(deck_file)


def test_damaged_content_is_read_from_the_deck_file_again(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    damage_content(cache)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    assert cached == load_deck(deck_file)


def test_a_deck_whose_cards_changed_before_its_content_was_read_says_so(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    damage_content(cache)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    deck_file.write_text(LAZY.replace("id: c,", "id: d,"))
    with pytest.raises(DeckChangedError, match="lazy.yaml changed"):
        cached.cards[0].front  # noqa: B018


def test_threads_asking_for_content_at_once_parse_it_once(tmp_path: Path) -> None:
    many = "".join(f"  - {{id: n{i}, front: 'Q {i}?', back: A.}}\n" for i in range(300))
    deck_file, cache = cached_twice(tmp_path, LAZY.replace("cards:\n", "cards:\n" + many))
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    barrier = threading.Barrier(4)
    seen: list[list[str]] = []

    def read() -> None:
        barrier.wait()
        seen.append([card.front for card in reversed(cached.cards)])

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and all(fronts == seen[0] for fronts in seen)
    assert cached == load_deck(deck_file)


def test_a_deck_file_broken_before_its_content_was_read_says_it_changed(tmp_path: Path) -> None:
    deck_file, cache = cached_twice(tmp_path, LAZY)
    damage_content(cache)
    cached = load_deck_cached(deck_file, "lazy.yaml", cache, load_deck)
    deck_file.write_text("id: [broken")
    with pytest.raises(DeckChangedError, match="Restart Quizzer"):
        cached.cards[0].front  # noqa: B018
