"""A prompt that is plain prose, shown as Textual's ``Markdown`` would show it, without the Markdown parser.

Loading Textual's Markdown widget imports markdown-it, linkify-it and pygments: about a twentieth of the
app's start, before the first card. Most prompts are a sentence or two of plain words, which the parser
turns into paragraphs of text and nothing else; :func:`is_plain` says when that is certain (no character
that could start Markdown syntax, HTML, an entity or a link), and :class:`PlainMarkdown` lays those
paragraphs out with the Markdown widget's own styles. Anything else goes to the real widget.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

# Characters that can start inline syntax anywhere (emphasis, code, links, images, HTML, entities, escapes,
# tables, strikethrough), and the words linkify turns into links (URLs, e-mail addresses, domain names:
# any letter right after a dot, which also catches "e.g." and is fine: those prompts take the full path).
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]<>&|~#]|://|www\.|@|\.[^\W\d_]")
# Lines that would start a block: lists, quotes, headings, rules, setext underlines, fences, indented code,
# and a hard break (two spaces before the line's end).
_BLOCK_START = re.compile(r"^(?:[ ]{4}|[ ]*(?:[-+=>]|\d+[.)]))|[ ]{2}$", re.MULTILINE)


def is_plain(text: str) -> bool:
    """Whether Textual's Markdown would render ``text`` as paragraphs of its words and nothing else.

    Newlines are fine (they separate lines and paragraphs); tabs, carriage returns and other controls or
    unusual spaces are left to the real parser."""
    if not text.strip() or not all(character.isprintable() or character == "\n" for character in text):
        return False
    return _INLINE_SYNTAX.search(text) is None and _BLOCK_START.search(text) is None


def paragraphs(text: str) -> list[str]:
    """The paragraphs of plain ``text`` as Markdown shows them: blank lines separate them, and line breaks
    and runs of spaces inside one become single spaces."""
    return [" ".join(block.split()) for block in re.split(r"\n[ ]*\n", text) if block.strip()]


class PlainMarkdown(Widget):
    """Plain prose laid out exactly as Textual's ``Markdown`` lays out its paragraphs (same styles)."""

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

    def __init__(self, markdown: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.source = markdown  # as Markdown.source: what the card says

    def compose(self) -> ComposeResult:
        for paragraph in paragraphs(self.source):
            yield Static(Content(paragraph), classes="paragraph", expand=True)
