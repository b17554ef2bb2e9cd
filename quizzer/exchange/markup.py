"""Card text between Quizzer's Markdown and the HTML of Anki fields."""

from __future__ import annotations

import html
import re
from functools import cache
from typing import TYPE_CHECKING

from quizzer.sanitize import strip_controls

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
_SOUND = re.compile(r"\[sound:[^\]\n]{0,1000}\]")
# One tag from "<": a name, then attributes where a quoted value may hold ">". Every alternative is
# possessive, so a failed match costs one pass to the end of the text and nothing is tried twice.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*+)((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>""")
_OPENING = re.compile(r"<[A-Za-z/!?]")  # where markup may start; any other "<" is text
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


class _Text:
    """Collects the text of an HTML fragment with light Markdown for emphasis, breaks and list items.
    Nothing is fetched or run: scripts, styles and embedded objects are dropped."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skipping = 0

    def start(self, tag: str, attrs: str) -> None:
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
            match = _ALT.search(attrs)
            alt = next((group for group in match.groups() if group), "") if match else ""
            self.parts.append(f"[{html.unescape(alt) or 'image'}]")
        elif tag in _MARKS:
            self.parts.append(_MARKS[tag])

    def end(self, tag: str) -> None:
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

    def data(self, text: str) -> None:
        if text and not self.skipping:
            self.parts.append(html.unescape(text))


def _walk(source: str, into: _Text) -> None:
    """One left-to-right pass over ``source``: every character is looked at a bounded number of times.

    The standard library's ``HTMLParser`` rescans an unfinished tag on every chunk (quadratic on
    ``"<a " * 20000``) and asserts on ``<![`` junk; Anki fields are small fragments that need far less.
    Like a browser, a tag, comment or declaration left open at the end swallows the rest of the text.
    """
    position, length = 0, len(source)
    while position < length:
        found = _OPENING.search(source, position)
        if found is None:
            into.data(source[position:])
            return
        opening = found.start()
        into.data(source[position:opening])
        following = source[opening + 1]
        if source.startswith("<!--", opening):
            close = source.find("-->", opening + 4)
            if close < 0:
                return
            position = close + 3
        elif following in "!?":  # a declaration, CDATA or processing instruction: dropped
            close = source.find(">", opening + 2)
            if close < 0:
                return
            position = close + 1
        else:
            match = _TAG.match(source, opening)
            if match is None:
                if following == "/" and not source[opening + 2: opening + 3].isalpha():
                    into.data("</")  # "</" not starting a tag is text
                    position = opening + 2
                    continue
                return  # an unfinished tag runs to the end of the text
            name = match.group(2).lower()
            if match.group(1):
                into.end(name)
            else:
                into.start(name, match.group(3))
                if match.group(3).rstrip().endswith("/") and name in _SKIP:
                    into.end(name)  # <svg/> opens nothing
            position = match.end()


def html_to_markdown(source: str) -> str:
    """An Anki field (HTML) -> plain text with light Markdown. Sound tags are dropped, images named."""
    collected = _Text()
    _walk(_SOUND.sub("", source), collected)
    text = "".join(collected.parts).replace("\xa0", " ").replace("\r\n", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return strip_controls(text.strip())
