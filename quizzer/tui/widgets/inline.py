"""Inline Markdown (``**bold**``, ``*italic*``, ```code```) as Textual ``Content``, for one-line labels.

Labels such as option texts and part prompts come from decks and generators; a full Markdown widget is too
heavy for them, and showing ``**w_price**`` raw reads badly. The text is never parsed as Textual markup: each
piece becomes a plain span with a style, so ``[b]`` or ``[@click=…]`` in a deck stays literal text.
"""

from __future__ import annotations

import re

from textual.content import Content

# One pass, left to right, no nesting and no backtracking across markers: linear in the label's length.
_INLINE = re.compile(r"\*\*(?P<bold>[^*\n]+?)\*\*|`(?P<code>[^`\n]+)`|(?<![\w*])\*(?P<em>[^*\n]+?)\*(?![\w*])")


def inline_markdown(text: str) -> Content:
    """``text`` with its inline Markdown emphasis rendered as styles; everything else verbatim."""
    pieces: list[str | tuple[str, str]] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
        if match.group("bold") is not None:
            pieces.append((match.group("bold"), "bold"))
        elif match.group("code") is not None:
            pieces.append((match.group("code"), "bold $accent"))
        else:
            pieces.append((match.group("em"), "italic"))
        position = match.end()
    pieces.append(text[position:])
    return Content.assemble(*pieces)
