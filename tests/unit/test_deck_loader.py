from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest

from quizzer.decks import DeckFileError, load_deck, load_sources, parse_deck
from quizzer.decks.model import ChoiceCard, GeneratedCard, NumericCard, OpenCard, json_schema

BAD = Path(__file__).parent / "bad_decks"

# file -> (line, column, fragment of "field: message")
EXPECTED = {
    "typo-field.yaml": [(4, 5, "cards[0].front: required field is missing"), (5, 5, "cards[0].frnt: unknown field")],
    "answer-not-option.yaml": [(11, 13, "cards[1].answer: 'MCC' is not one of the options")],
    "duplicate-ids.yaml": [(7, 9, "cards[1].id: duplicate card id 'same'")],
    "duplicate-keys.yaml": [(7, 5, "cards[0].back: duplicate key 'back'")],
    "unknown-kind.yaml": [(5, 11, "cards[0].kind: kind must be one of")],
    "unknown-generator.yaml": [(6, 16, "cards[0].generator: unknown generator 'rm-rf'")],
    "bad-generator-param.yaml": [(7, 22, "cards[0].params.metric: Input should be"),
                                 (11, 14, "cards[1].params.colour: unknown param for confusion-matrix")],
    "one-option.yaml": [(7, 14, "cards[0].options: List should have at least 2 items")],
    "negative-tolerance.yaml": [(8, 16, "cards[0].tolerance: Input should be greater than or equal to 0")],
    "not-a-slug.yaml": [(1, 5, "id: '../../etc/passwd' is not a slug")],
    "python-tag.yaml": [(2, 8, "title: YAML tag !!python/object/apply:os.system is not allowed")],
    "syntax-error.yaml": [(6, 9, "YAML syntax")],
    "alias-bomb.yaml": [(None, None, "too many values")],
    "tolerance-accepts-zero.yaml": [(8, 16, "cards[0].tolerance: 0.005 is at least half the answer")],
    "empty.yaml": [(1, 1, "the file is empty")],
    "not-a-mapping.yaml": [(1, 1, "a deck is a mapping")],
    "binary-junk.yaml": [(1, 1, "binary file")],
    "not-utf8.yaml": [(1, 1, "not UTF-8")],
}


def test_corpus_is_complete() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in BAD.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_deck_gives_located_errors(name: str) -> None:
    path = BAD / name
    with pytest.raises(DeckFileError) as caught:
        load_deck(path, f"decks/{name}")
    lines = [str(issue) for issue in caught.value.issues]
    for line, column, fragment in EXPECTED[name]:
        prefix = f"decks/{name}:{line}:{column}: " if line else f"decks/{name}:"
        assert any(text.startswith(prefix) and fragment in text for text in lines), lines


def test_python_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = Path("/tmp/quizzer-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(DeckFileError):
        load_deck(BAD / "python-tag.yaml")
    assert not marker.exists()


def test_alias_bomb_is_fast_and_bounded() -> None:
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(DeckFileError):
        load_deck(BAD / "alias-bomb.yaml")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 5
    assert peak < 200 * 1024 * 1024


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as handle:
        handle.write("id: big\ntitle: Big\ncards:\n")
        line = "  - {id: c, front: " + "x" * 1000 + ", back: y}\n"
        for _ in range(51 * 1024):
            handle.write(line)
    start = time.perf_counter()
    with pytest.raises(DeckFileError, match="larger than"):
        load_deck(big)
    assert time.perf_counter() - start < 1


def test_one_broken_deck_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("id: good\ntitle: Good\ncards:\n  - {id: a, front: q, back: a}\n")
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: Bad\ncards:\n  - {id: a, frnt: q, back: a}\n")
    collection = load_sources([(tmp_path, False)])
    assert [d.deck.id for d in collection.decks] == ["good"]
    assert len(collection.issues) == 2
    assert all("bad.yaml:4:" in str(issue) for issue in collection.issues)


def test_same_deck_id_twice_is_reported(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("id: same\ntitle: T\ncards:\n  - {id: a, front: q, back: a}\n")
    collection = load_sources([(tmp_path, False)])
    assert len(collection.decks) == 1
    assert "already used" in str(collection.issues[0])


GOOD = """
id: classification-metrics
title: Classification metrics
tags: [metrics]
cards:
  - id: precision-definition
    front: What does precision measure?
    back: Of everything flagged positive, the share that really is.
    tags: [precision]
    source: "001 course, stage 05"
  - id: metric-for-screening
    kind: choice
    front: Which metric for screening?
    options: [Accuracy, Recall, Specificity]
    answer: Recall
    explanation: Missing a sick patient is the costly error.
  - id: two-right
    kind: choice
    front: Which are threshold-free?
    options: [ROC-AUC, PR-AUC, F1]
    answer: [ROC-AUC, PR-AUC]
  - id: oob-share
    kind: numeric
    front: OOB share for large n?
    answer: 0.368
    tolerance: 0.005
  - id: cm-precision
    kind: generated
    generator: confusion-matrix
    params: {metric: precision}
"""


def test_good_deck_loads_every_kind() -> None:
    deck = parse_deck(GOOD, "good.yaml")
    kinds = [type(card) for card in deck.cards]
    assert kinds == [OpenCard, ChoiceCard, ChoiceCard, NumericCard, GeneratedCard]
    assert deck.card_tags(deck.cards[0]) == ["metrics", "precision"]
    assert deck.cards[2].answers == ["ROC-AUC", "PR-AUC"]


@pytest.mark.parametrize(
    ("answer", "tolerance", "expected"),
    [(0.368, None, (0.005, 0.0)), (0.005, None, (0.0, 0.01)), (128, None, (0.0, 1e-9)), (128, 0, (0.0, 0.0))],
)
def test_numeric_default_tolerance(answer: float, tolerance: float | None, expected: tuple[float, float]) -> None:
    card = NumericCard(id="n", kind="numeric", front="q", answer=answer, tolerance=tolerance)
    assert card.effective_tolerance == expected


def test_schema_describes_every_kind() -> None:
    schema = json_schema()
    text = str(schema)
    for kind in ("open", "choice", "numeric", "generated"):
        assert f"'{kind}'" in text
    assert schema["required"] == ["id", "title", "cards"]


def test_builtin_decks_are_clean() -> None:
    from quizzer.paths import builtin_decks_dir

    collection = load_sources([(builtin_decks_dir(), True)])
    assert collection.issues == []
    assert len(collection.decks) >= 12
    assert all(re.fullmatch(r"[a-z0-9-]+", d.deck.id) for d in collection.decks)


def test_a_file_reached_twice_loads_once_silently(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("id: d\ntitle: D\ncards:\n  - {id: a, front: q, back: a}\n")
    collection = load_sources([(tmp_path, False), (tmp_path / "d.yaml", False)])
    assert [loaded.deck.id for loaded in collection.decks] == ["d"]
    assert collection.issues == []


@pytest.mark.parametrize(
    ("generator", "params"),
    [("regression-metrics", "{ask: mape_zero}"), ("ab-test", "{ask: sample-size}"), ("bias-variance", "{model: deep_tree}")],
)
def test_generator_choices_accept_dashes_or_underscores(generator: str, params: str) -> None:
    deck = parse_deck(f"id: g\ntitle: G\ncards:\n  - {{id: a, kind: generated, generator: {generator}, params: {params}}}\n")
    assert deck.cards[0].params


def test_misspelled_generator_choice_is_still_an_error() -> None:
    with pytest.raises(DeckFileError, match="params.ask"):
        parse_deck("id: g\ntitle: G\ncards:\n  - {id: a, kind: generated, generator: ab-test, params: {ask: sample-sise}}\n")
