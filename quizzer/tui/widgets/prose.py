"""A prompt that is plain prose, shown as Textual's ``Markdown`` would show it, without the Markdown parser.

Loading Textual's Markdown widget imports markdown-it, linkify-it and pygments, and building its blocks is
slow too: about a fifth of a new user's time to the first card. Most prompts are a sentence or two of plain
words, perhaps with a **bold** phrase or some `code`, which the parser turns into paragraphs of text with
those two inline styles and nothing else. :func:`plain_paragraphs` says when that is certain (no other
character that could start Markdown syntax, HTML, an entity or a link; bold and code spans only in the
unambiguous forms of :data:`quizzer.tui.text.INLINE_SPAN`) and returns the paragraphs as Textual's Markdown
builds them; :class:`PlainMarkdown` lays them out with the Markdown widget's own styles. Anything else goes to
the real widget.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.content import Content, Span
from textual.widget import Widget
from textual.widgets import Static

from quizzer.tui.text import INLINE_SPAN

# Characters that can start inline syntax anywhere (emphasis, code, links, images, HTML, entities, escapes,
# tables, strikethrough), and the words linkify turns into links (URLs, e-mail addresses, domain names:
# any letter right after a dot, which also catches "e.g." and is fine: those prompts take the full path).
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]<>&|~#]|://|www\.|@|\.[^\W\d_]")
# Lines that would start a block: lists, quotes, headings, rules, setext underlines, fences, indented code,
# and a hard break (two spaces before the line's end).
_BLOCK_START = re.compile(r"^(?:[ ]{4}|[ ]*(?:[-+=>]|\d+[.)]))|[ ]{2}$", re.MULTILINE)


_PARAGRAPH_BREAK = re.compile(r"\n[ ]*\n")


def _printable(text: str) -> bool:
    return bool(text.strip()) and all(character.isprintable() or character == "\n" for character in text)


def plain_paragraphs(text: str) -> list[Content] | None:
    """The paragraphs Textual's Markdown would show for ``text``, when they are plain words with at most
    bold runs and code spans (styled ``.strong`` and ``.code_inline``, as Markdown styles them); else None.
    """
    if not _printable(text) or _BLOCK_START.search(text) is not None:
        return None
    found = []
    for block in _PARAGRAPH_BREAK.split(text):
        if block.strip():
            content = _inline(block)
            if content is None:
                return None
            found.append(content)
    return found


def _inline(block: str) -> Content | None:
    """One paragraph's text and spans, built as Textual's ``MarkdownBlock`` builds them from the parser's
    tokens (runs of white space in text become one space, line breaks too, the ends are trimmed)."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0

    def add_text(text: str) -> bool:
        nonlocal position
        if _INLINE_SYNTAX.search(text):
            return False
        text = _SPACES.sub(" ", text)
        parts.append(text)
        position += len(text)
        return True

    block = block.strip()
    end = 0
    for match in INLINE_SPAN.finditer(block):
        if not add_text(block[end : match.start()]):
            return None
        start, code, strong = position, match.group("code"), match.group("strong")
        if strong is not None:
            if not add_text(strong):
                return None
            spans.append(Span(start, position, ".strong"))
        else:
            if "  " in code or "|" in code:  # a run of spaces is kept in code; a pipe may make a table
                return None
            parts.append(code)
            position += len(code)
            spans.append(Span(start, position, ".code_inline"))
        end = match.end()
    if not add_text(block[end:]):
        return None
    return Content("".join(parts), spans=spans)


_SPACES = re.compile(r"\s+")


class PlainParagraph(Static):
    """One paragraph of :class:`PlainMarkdown`, its bold and code styled as a Markdown paragraph's are."""

    COMPONENT_CLASSES = {"strong", "code_inline"}  # the span styles ``.strong`` and ``.code_inline``
    DEFAULT_CSS = """
    PlainParagraph {
        &:dark > .code_inline {
            background: $warning 10%;
            color: $text-warning 95%;
        }
        &:light > .code_inline {
            background: $error 5%;
            color: $text-error 95%;
        }
        &:ansi > .code_inline {
            background: ansi_default !important;
        }
        & > .strong {
            text-style: bold;
        }
    }
    """


class PlainMarkdown(Widget):
    """Prose laid out exactly as Textual's ``Markdown`` lays out its paragraphs (same styles).

    ``paragraphs`` are :func:`plain_paragraphs` of ``markdown``, the card's text."""

    DEFAULT_CSS = """
    PlainMarkdown {
        height: auto;
        padding: 0 2 0 2;
        layout: vertical;
        color: $foreground;
        overflow-y: hidden;
    }
    PlainMarkdown > .paragraph {
        width: 1fr;
        height: auto;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, markdown: str, paragraphs: list[Content], *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.source = markdown  # as Markdown.source: what the card says
        self.paragraphs = paragraphs

    def compose(self) -> ComposeResult:
        for paragraph in self.paragraphs:
            yield PlainParagraph(paragraph, classes="paragraph", expand=True)
