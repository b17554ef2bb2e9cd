"""The parser-free prompt path: only text that Textual's Markdown would show as plain paragraphs takes it."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from quizzer.decks.sources import load_all
from quizzer.tui.widgets.prose import is_plain, paragraphs


def markdown_paragraphs(text: str) -> list[str] | None:
    """The paragraphs Textual's Markdown (its "gfm-like" parser) makes of ``text``, as Textual joins their
    words; None when it makes anything else (a list, a heading, a link, emphasis, code...)."""
    found = []
    for token in MarkdownIt("gfm-like").parse(text):
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        if token.type != "inline" or any(child.type not in ("text", "softbreak") for child in token.children):
            return None
        words = "".join(re.sub(r"\s+", " ", c.content) if c.type == "text" else " " for c in token.children)
        found.append(words)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "What does SGD stand for?",
        "Two lines\nof one paragraph.",
        "First paragraph.\n\nSecond one, with 0.5 and 3 + 4 = 7 inside.",
        "  Leading spaces   and runs   of spaces.",
        "σ(z) ≈ 0.73 for z = 1: what is √d doing in attention?",
    ],
)
def test_plain_text_is_shown_as_markdown_would_show_it(text: str) -> None:
    assert is_plain(text)
    assert paragraphs(text) == markdown_paragraphs(text)


@pytest.mark.parametrize(
    "text",
    [
        "What is **bold** here?",
        "Call `fit` first.",
        "- a list item",
        "1. an ordered item",
        "# A heading",
        "> a quote",
        "    indented code",
        "See https://example.com for more.",
        "See scikit-learn.org for more.",
        "Mail me at a@b.co",
        "A | table",
        "x &amp; y",
        "<b>html</b>",
        "hard break  \nhere",
        "tab\there",
        "",
        "Title\n===",
        "Title\n---",
    ],
)
def test_anything_that_may_be_markdown_takes_the_real_parser(text: str) -> None:
    assert not is_plain(text)


def test_every_builtin_front_on_the_plain_path_renders_as_markdown_would() -> None:
    collection = load_all()
    fronts = [card.front for loaded in collection.decks for card in loaded.deck.cards if card.front]
    plain = [front for front in fronts if is_plain(front)]
    assert len(plain) > len(fronts) / 2  # the path is worth having: most prompts take it
    for front in plain:
        assert markdown_paragraphs(front) == paragraphs(front), front
