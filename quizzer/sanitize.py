"""Text from files is data, never terminal commands.

Decks, CSV files and Anki packages travel between strangers. A control character in them (ESC starting
an ANSI/OSC sequence, a C1 CSI, a bare CR) would be obeyed by the terminal when the text is printed:
retitling it, wiping the screen or filling the clipboard (OSC 52). Two defences, both here:

- on the way in, imports drop every C0/C1 control except newline and tab (:func:`strip_controls`) and the
  deck loader refuses them with a located error (:func:`first_control`);
- on the way out, anything that came from a file -- a title, a file name, an error message quoting a
  value -- goes through :func:`visible`, which shows each control as a harmless printable escape.
"""

from __future__ import annotations

import re

# C0 controls except tab (\x09) and newline (\x0a), DEL, and the C1 block (U+0080-U+009F).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # for one-line output: newline and tab too


def first_control(text: str) -> int:
    """The index of the first forbidden control character in ``text``, or -1."""
    match = CONTROL.search(text)
    return -1 if match is None else match.start()


def strip_controls(text: str) -> str:
    """Imported text without control characters: CRLF and lone CR become newlines, the rest go."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ESC -> ␛, NUL -> ␀, CR -> ␍
    if code == 0x7F:
        return "␡"
    return f"\\x{code:02x}"  # C1 has no pictures: \x9b


def visible(text: object, *, one_line: bool = False) -> str:
    """``text`` safe to print: each control character shown as a printable stand-in.

    Newline and tab are kept unless ``one_line`` (a file name or a table cell must not break the line).
    """
    value = str(text)
    pattern = _ANY_CONTROL if one_line else CONTROL
    return pattern.sub(_picture, value) if pattern.search(value) else value


def describe_control(char: str) -> str:
    """How a refused character is named in an error: ``U+001B (ESC)``."""
    names = {
        0x1B: "ESC",
        0x07: "BEL",
        0x08: "BS",
        0x0D: "CR",
        0x00: "NUL",
        0x7F: "DEL",
        0x9B: "CSI",
        0x9D: "OSC",
    }
    code = ord(char)
    name = names.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")
