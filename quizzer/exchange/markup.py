"""Card text between Quizzer's Markdown and the HTML of Anki fields."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Raw HTML in a deck is shown as text, never passed through; javascript: links are refused.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    """Block Markdown -> simple HTML (paragraphs, emphasis, lists, code, tables)."""
    return _markdown().render(text).strip()


def markdown_inline_html(text: str) -> str:
    """One line of Markdown -> HTML without a surrounding paragraph."""
    return _markdown().renderInline(text).strip()


_BLOCK = {"p", "div", "ul", "ol", "table", "tr", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_SKIP = {"script", "style", "head", "title", "template", "object", "iframe", "svg", "math"}
_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_SOUND = re.compile(r"\[sound:[^\]]*\]")


class _TextParser(HTMLParser):
    """Collects the text of an HTML fragment with light Markdown for emphasis, breaks and list items.
    Nothing is fetched or run: scripts, styles and embedded objects are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or "image"
            self.parts.append(f"[{alt}]")
        elif tag in _MARKS:
            self.parts.append(_MARKS[tag])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _MARKS:
            if self.parts and self.parts[-1] == _MARKS[tag]:
                self.parts.pop()  # emphasis around nothing
            else:
                self.parts.append(_MARKS[tag])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_markdown(html: str) -> str:
    """An Anki field (HTML) -> plain text with light Markdown. Sound tags are dropped, images named."""
    parser = _TextParser()
    parser.feed(_SOUND.sub("", html))
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ").replace("\r\n", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip()
