"""The parser-free prompt path: only text that Textual's Markdown would show as paragraphs of words, bold runs
and code spans takes it, and it shows them exactly as Markdown does."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock

from quizzer.decks.sources import load_all
from quizzer.tui.widgets.prose import PlainMarkdown, plain_paragraphs

INLINE = {"text", "softbreak", "strong_open", "strong_close", "code_inline"}


def markdown_paragraphs(text: str) -> list[Content] | None:
    """The paragraphs Textual's Markdown (its "gfm-like" parser) makes of ``text``, built by Textual's own
    ``MarkdownBlock`` code; None when it makes anything else (a list, a heading, a link, emphasis...)."""
    found = []
    for token in MarkdownIt("gfm-like").parse(text):
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        if token.type != "inline" or any(child.type not in INLINE for child in token.children or []):
            return None
        found.append(MarkdownBlock._token_to_content(None, token))  # type: ignore[arg-type] - self is unused
    return found


def shown(paragraphs: list[Content] | None) -> list[tuple[str, list[tuple[int, int, str]]]] | None:
    if paragraphs is None:
        return None
    return [(p.plain, [(span.start, span.end, str(span.style)) for span in p.spans]) for p in paragraphs]


@pytest.mark.parametrize(
    "text",
    [
        "What does SGD stand for?",
        "Two lines\nof one paragraph.",
        "First paragraph.\n\nSecond one, with 0.5 and 3 + 4 = 7 inside.",
        "  Leading spaces   and runs   of spaces.",
        "σ(z) ≈ 0.73 for z = 1: what is √d doing in attention?",
        "What is **bold** here?",
        "Call `fit` first.",
        "Why does **the fit step 2** fail?",
        "**Two** bold **runs**, and `code[0] * 2` beside them.",
        "x**intra**word and `a<b>&c`.",
        "Bold across\n**a line break** and `code` at a line's start:\n`x`",
        "**Bold** first.\n\nThen `code`.",
    ],
)
def test_plain_text_is_shown_as_markdown_would_show_it(text: str) -> None:
    paragraphs = plain_paragraphs(text)
    assert paragraphs is not None
    assert shown(paragraphs) == shown(markdown_paragraphs(text))


@pytest.mark.parametrize(
    "text",
    [
        "What is *emphasis* here?",
        "What is __bold__ here?",
        "What is ***both*** here?",
        "A ** spaced** run.",
        "A **(parenthesised)** run.",
        "A **run ending in a bracket(X)**.",
        "A **bold run\u00a0**",  # not printable
        "A **run with *emphasis* inside**.",
        "A **run with `code` inside**.",
        "Code with ``two backticks``.",
        "Code with ` a space at its ends `.",
        "Code with `two  spaces`.",
        "Code with `a | pipe`.",
        "Code across `a\nline`.",
        "An unclosed **run.",
        "An unclosed `span.",
        "**Bold** and a link: https://example.com",
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
def test_anything_else_that_may_be_markdown_takes_the_real_parser(text: str) -> None:
    assert plain_paragraphs(text) is None


def test_every_builtin_front_on_the_plain_path_renders_as_markdown_would() -> None:
    collection = load_all()
    fronts = [card.front for loaded in collection.decks for card in loaded.deck.cards if card.front]
    plain = {front: plain_paragraphs(front) for front in fronts}
    taken = [front for front, paragraphs in plain.items() if paragraphs is not None]
    assert len(taken) > 0.8 * len(fronts)  # the path is worth having: most prompts take it
    assert any(paragraphs and paragraphs[0].spans for paragraphs in plain.values())
    for front in taken:
        assert shown(plain[front]) == shown(markdown_paragraphs(front)), front


class One(App[None]):
    def __init__(self, widget_for: object) -> None:
        super().__init__()
        self.widget_for = widget_for

    def compose(self) -> ComposeResult:
        yield self.widget_for()  # type: ignore[operator]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_bold_and_code_look_exactly_as_in_textual_markdown(theme: str) -> None:
    text = "Why does **fitting 2** fail when `y.fit(X)` has\none class?\n\nA **second** paragraph, `x[0]`."
    paragraphs = plain_paragraphs(text)
    assert paragraphs is not None
    screens = []
    for make in (lambda: PlainMarkdown(text, paragraphs), lambda: Markdown(text)):
        app = One(make)
        async with app.run_test(size=(50, 10)) as pilot:
            app.theme = theme
            await pilot.pause()
            screens.append(app.export_screenshot())
    plain, markdown = screens
    assert "y.fit(X)" in plain
    assert plain == markdown
