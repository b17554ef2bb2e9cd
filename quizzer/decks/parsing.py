"""Parsing one deck's YAML into a validated :class:`Deck`, with errors located at file:line:column.

Split from :mod:`quizzer.decks.loader` so PyYAML and the validators load only when a file is really
parsed (a cache miss, ``decks lint``), not on every start. See the loader's docstring for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import ValidationError

from quizzer.decks.loader import MAX_DECK_BYTES, MAX_DEPTH, MAX_NODES, DeckFileError, DeckIssue
from quizzer.decks.model import Deck
from quizzer.sanitize import describe_control, first_control

try:  # The C composer is several times faster; PyYAML falls back to pure Python without libyaml.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_SAFE_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_scalar_constructor = yaml.constructor.SafeConstructor()

Path_ = tuple[str | int, ...]


class _Marks:
    """Finds where a value (or its key) starts in the composed YAML, for locating validation errors.

    The node graph is walked only when there is an error to report, so a clean deck pays nothing.
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def locate(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        node = self.root
        if node is None:
            return (1, 1)
        found = node.start_mark
        for depth, part in enumerate(loc):
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                        if key and depth == len(loc) - 1:
                            return (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                        child = value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
            ):
                child = node.value[part]
            if child is None:
                break
            node = child
            found = node.start_mark
        return (found.line + 1, found.column + 1)


_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Builder:
    """Turns composed YAML nodes into plain Python, refusing every non-standard tag."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.count = 0
        self.issues: list[DeckIssue] = []
        self.path: list[str | int] = []
        self.seen: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.depth = 0

    def issue(self, node: yaml.Node, message: str, extra: str | int | None = None) -> None:
        mark = node.start_mark
        path = [*self.path, extra] if extra is not None else self.path
        self.issues.append(DeckIssue(self.display, mark.line + 1, mark.column + 1, message, _dotted(path)))

    def control(self, node: yaml.ScalarNode, extra: str | int | None = None) -> bool:
        """Refuse a control character (ESC, CR, C1...) in a string: printed, it would drive the terminal.
        Reported where the character is when the scalar is plain or on one line, else where it starts."""
        index = first_control(node.value)
        if index < 0:
            return False
        mark = node.start_mark
        line, column = mark.line + 1, mark.column + 1
        if node.style is None and "\n" not in node.value[:index]:
            column += index
        path = [*self.path, extra] if extra is not None else self.path
        message = f"control character {describe_control(node.value[index])} is not allowed in deck text"
        self.issues.append(DeckIssue(self.display, line, column, message, _dotted(path)))
        return True

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            if tag == _STR:
                return None if self.control(node) else node.value
            if tag not in _SAFE_SCALAR_TAGS:
                self.issue(node, f"YAML tag {_short_tag(tag)} is not allowed in a deck")
                return None
            return _scalar_constructor.construct_object(node, deep=True)
        # A collection met a second time is an alias: charge its whole expanded size up front, so an
        # alias bomb is refused after one pass over its distinct nodes.
        if id(node) in self.seen:
            self.count += _expanded_size(node, self.sizes)
        self.seen.add(id(node))
        if self.count > MAX_NODES:
            raise _TooBig(node)
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(node)
        self.depth += 1
        try:
            return self._collection(node)
        finally:
            self.depth -= 1

    def _collection(self, node: yaml.Node) -> Any:
        path = self.path
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.issue(node, f"YAML tag {_short_tag(node.tag)} is not allowed in a deck")
                return None
            items = []
            for index, child in enumerate(node.value):
                path.append(index)
                items.append(self.build(child))
                path.pop()
            return items
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self.issue(node, f"YAML tag {_short_tag(node.tag)} is not allowed in a deck")
                return None
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SAFE_SCALAR_TAGS:
                    self.issue(key_node, "mapping keys must be plain words")
                    continue
                if self.control(key_node):
                    continue
                if key_node.value == "<<":
                    self.issue(key_node, "YAML merge keys (<<) are not supported in decks")
                    continue
                key = (
                    key_node.value
                    if key_node.tag == _STR
                    else str(_scalar_constructor.construct_object(key_node))
                )
                if key in result:
                    self.issue(key_node, f"duplicate key {key!r}", key)
                    continue
                path.append(key)
                result[key] = self.build(value_node)
                path.pop()
            return result
        self.issue(node, "unsupported YAML node")  # pragma: no cover
        return None


class _TooBig(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _TooDeep(_TooBig):
    """Deeper than any deck needs: refused before building it (and validating it) can recurse that far."""


def _expanded_size(root: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``root`` expands to, counting shared (aliased) nodes once per use.

    Memoised on node identity in ``sizes``, so it costs one pass over the *distinct* nodes.
    """
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        if children_done or not children:
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes[id(child)] for child in children))
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_MESSAGE_PATH = re.compile(r"^((?:[A-Za-z_]\w*|\[\d+\])(?:\.[A-Za-z_]\w*|\[\d+\])*): (.+)$", re.DOTALL)
_PATH_PART = re.compile(r"[A-Za-z_]\w*|\[\d+\]")


def _split_message_path(message: str) -> tuple[Path_, str]:
    """Validators name the field they complain about as a prefix ("answer: ..."); move it into the path."""
    match = _MESSAGE_PATH.match(message)
    if not match:
        return (), message
    parts: list[str | int] = []
    for token in _PATH_PART.findall(match.group(1)):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts), match.group(2)


_KIND_TAGS = {"open", "choice", "numeric", "generated"}


def _clean_loc(loc: Iterable[str | int]) -> Path_:
    """Drop pydantic's union-member tags from a location: ('cards', 3, 'choice', 'answer') -> cards[3].answer."""
    parts = list(loc)
    cleaned: list[str | int] = []
    for index, part in enumerate(parts):
        after_card = index >= 2 and parts[index - 2] == "cards" and isinstance(parts[index - 1], int)
        if after_card and part in _KIND_TAGS:
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `quizzer decks schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_type":
        return _not_text(error.get("input"))
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not a slug (lowercase letters, digits and single dashes)"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _not_text(value: Any) -> str:
    """YAML reads ``2``, ``0.5``, ``yes`` or ``null`` as non-text: say so, and how to write it as text."""
    if isinstance(value, bool):
        return 'should be text, but YAML read a true/false value: put it in quotes (e.g. "yes")'
    if isinstance(value, int | float):
        return f'should be text, but YAML read the number {value}: put it in quotes, like "{value}"'
    if value is None:
        return "should be text, but it is empty (or null): write the text, in quotes if it looks like a value"
    return "should be text (a single value in quotes), not a list or a mapping"


def _validation_issues(error: ValidationError, builder: _Builder, marks: _Marks) -> list[DeckIssue]:
    issues: list[DeckIssue] = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(item["loc"])
        message = _describe(item)
        if item["type"] == "unknown_kind":
            loc = (*loc, "kind")
        extra, message = _split_message_path(message)
        loc = extra if extra and extra[0] == "cards" else (*loc, *extra)
        line, column = marks.locate(loc, key=item["type"] in ("extra_forbidden",))
        issues.append(DeckIssue(builder.display, line, column, message, _dotted(loc)))
    return issues


def _raw_card_issues(data: dict[str, Any], builder: _Builder, marks: _Marks) -> list[DeckIssue]:
    """Checks that need the whole deck or the registry, run on the raw data so they report even when
    other fields are broken: duplicate card ids, unknown generators and bad generator params."""
    from generators import registry

    cards = data.get("cards")
    if not isinstance(cards, list):
        return []
    issues: list[DeckIssue] = []
    seen: dict[str, int] = {}

    def add(loc: Path_, message: str, *, key: bool = False) -> None:
        line, column = marks.locate(loc, key=key)
        issues.append(DeckIssue(builder.display, line, column, message, _dotted(loc)))

    for index, card in enumerate(cards):
        if not isinstance(card, dict):
            continue
        base: Path_ = ("cards", index)
        card_id = card.get("id")
        if isinstance(card_id, str):
            if card_id in seen:
                add((*base, "id"), f"duplicate card id {card_id!r} (first used by cards[{seen[card_id]}])")
            else:
                seen[card_id] = index
        if card.get("kind") != "generated" or not isinstance(card.get("generator"), str):
            continue
        try:
            generator = registry.get(card["generator"])
        except registry.UnknownGenerator as unknown:
            add((*base, "generator"), str(unknown))
            continue
        params = card.get("params", {})
        if not isinstance(params, dict):
            continue  # the model reports the type
        try:
            generator.Params.model_validate(params)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                message = _describe(item)
                if item["type"] == "extra_forbidden":
                    fields = ", ".join(generator.Params.model_fields) or "none"
                    message = f"unknown param for {card['generator']} (its params: {fields})"
                add((*base, "params", *item["loc"]), message, key=item["type"] == "extra_forbidden")
    return issues


def parse_deck(text: str | bytes, display: str = "<deck>") -> Deck:
    """Parse and validate one deck's YAML text; raise :class:`DeckFileError` with located issues."""
    if len(text) > MAX_DECK_BYTES:
        raise DeckFileError(
            [DeckIssue(display, 1, 1, f"file is larger than {MAX_DECK_BYTES // 1024 // 1024} MB")]
        )
    if isinstance(text, bytes):
        if b"\x00" in text[:8192]:
            raise DeckFileError([DeckIssue(display, 1, 1, "this is a binary file, not a YAML deck")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DeckFileError([DeckIssue(display, 1, 1, f"not UTF-8 text (byte {error.start})")]) from None

    builder = _Builder(display)
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        raise DeckFileError([DeckIssue(display, line, column, f"YAML syntax: {problem}")]) from None
    except yaml.YAMLError as error:
        raise DeckFileError([DeckIssue(display, 1, 1, f"YAML error: {error}")]) from None

    if root is None:
        raise DeckFileError([DeckIssue(display, 1, 1, "the file is empty")])
    marks = _Marks(root)
    try:
        data = builder.build(root)
    except _TooBig as too_big:
        mark = too_big.node.start_mark
        message = (
            f"nested more than {MAX_DEPTH} levels deep"
            if isinstance(too_big, _TooDeep)
            else "the deck expands to too many values (alias bomb?)"
        )
        raise DeckFileError([DeckIssue(display, mark.line + 1, mark.column + 1, message)]) from None
    if not isinstance(data, dict):
        raise DeckFileError(
            [*builder.issues, DeckIssue(display, 1, 1, "a deck is a mapping with id, title and cards")]
        )

    issues = [*builder.issues, *_raw_card_issues(data, builder, marks)]
    try:
        deck = Deck.model_validate(data)
    except ValidationError as error:
        flagged = {issue.field for issue in issues}
        issues += [issue for issue in _validation_issues(error, builder, marks) if issue.field not in flagged]
    if issues:
        raise DeckFileError(sorted(issues, key=lambda issue: (issue.line, issue.column)))
    return deck
