"""A safe YAML reader for scenario files, and cutting user input short in messages.

:func:`read_yaml` parses with libyaml (PyYAML's C parser when built) and composes plain Python
values itself, refusing what is unsafe or ambiguous: aliases repeating more than
:data:`MAX_ALIAS_VALUES` values, nesting deeper than :data:`MAX_DEPTH`, a key given twice,
integers with a leading zero, non-standard tags. Linear in the file's size.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterator
from typing import Any

import yaml

from followon.errors import did_you_mean

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "SHOWN_CHARS",
    "YamlRefused",
    "clip",
    "clip_inputs",
    "clip_words",
    "hint",
    "read_yaml",
]

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists a scenario file may use (a scenario needs about 7)."""

MAX_ALIAS_VALUES = 10_000
"""Values that aliases (``*name``) may repeat in all; a "billion laughs" file repeats 10⁹."""

TOO_DEEP = f"values are nested more than {MAX_DEPTH} levels deep; a scenario needs fewer than 10"

SHOWN_CHARS = 80
"""Characters of user input an error message shows at most (longer input is cut with …)."""

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL, _MERGE = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = SHOWN_CHARS
_SHORT.maxlevel = 2


def hint(value: str, allowed: Any) -> str:
    """``did_you_mean`` for input short enough to be a near miss."""
    return did_you_mean(value, allowed) if len(value) <= SHOWN_CHARS else ""


def clip_inputs(message: str, values: Any) -> str:
    """Cut the long text values a message quotes to :data:`SHOWN_CHARS` characters."""
    for value in values:
        for text in (value, repr(value)) if isinstance(value, str) else ():
            if len(text) > SHOWN_CHARS:
                message = message.replace(text, clip(text))
    return message


def clip_words(message: str) -> str:
    """Cut every run of more than :data:`SHOWN_CHARS` non-space characters (quoted input)."""
    return _LONG_WORD.sub(lambda m: clip(m[0]), message)


_LONG_WORD = re.compile(rf"\S{{{SHOWN_CHARS + 1},}}")


def clip(value: object, limit: int = SHOWN_CHARS) -> str:
    """Return user input as text of at most ``limit`` characters (cut with …)."""
    text = value if isinstance(value, str) else _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tag(tag: str) -> str:
    return clip(tag.replace("tag:yaml.org,2002:", "!!"))


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit types, except timestamps: dates stay text for pydantic (with a path)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = dict(_Resolver.yaml_implicit_resolvers)
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_CONSTRUCT = yaml.constructor.SafeConstructor()


class YamlRefused(Exception):
    """A YAML construct a scenario file may not use; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Merge:
    """The merge key ``<<`` (its value's keys fill in the keys the mapping does not set)."""


class _Frame:
    """A mapping or list being read: its items so far and how many values it expands to."""

    __slots__ = ("anchor", "items", "key", "key_line", "line", "lines", "merges", "size")

    def __init__(self, items: dict[Any, Any] | list[Any], anchor: str | None, line: int) -> None:
        self.items, self.anchor, self.line, self.size = items, anchor, line, 1
        self.key: Any = _Frame  # _Frame: expecting a key
        self.key_line = line
        self.lines: dict[Any, int] = {}
        self.merges: list[dict[Any, Any]] = []

    def add(self, value: Any, size: int, line: int) -> None:
        self.size += size
        items = self.items
        if self.key is _Frame and isinstance(items, dict):
            if isinstance(value, (dict, list)):
                raise YamlRefused(line, "a key must be a single value, not a list or a mapping")
            self.key, self.key_line = value, line
            return
        if isinstance(value, _Merge):
            raise YamlRefused(line, "'<<' is YAML's merge key; quote it to write the text '<<'")
        if isinstance(items, list):
            items.append(value)
        else:
            key, self.key = self.key, _Frame
            if isinstance(key, _Merge):
                merged = value if isinstance(value, list) else [value]
                if not all(isinstance(m, dict) for m in merged):
                    raise YamlRefused(self.key_line, "'<<' merges a mapping or a list of mappings")
                self.merges.extend(merged)
                return
            if key in self.lines:
                raise YamlRefused(
                    self.key_line,
                    f"key '{clip(key)}' is given twice (lines {self.lines[key]} and "
                    f"{self.key_line}); keep one",
                )
            self.lines[key] = self.key_line
            items[key] = value

    def value(self) -> dict[Any, Any] | list[Any]:
        items = self.items
        if isinstance(items, dict) and self.merges:
            for merged in self.merges:  # explicit keys win, then the first merged mapping
                for k, v in merged.items():
                    items.setdefault(k, v)
        return items


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    text, tag = event.value, event.tag
    plain = tag is None and event.implicit[0]
    if plain:
        resolvers = _IMPLICIT.get(text[:1])
        if resolvers is None:  # a letter no implicit type starts with: text (most keys)
            return text
        if _DECIMAL.fullmatch(text):
            return int(text)
        if text[:1] in "+-0" and _LEADING_ZERO.fullmatch(text):
            raise YamlRefused(line, _leading_zero(text))
        tag = next((t for t, regexp in resolvers if regexp.match(text)), _STR)
    elif tag is None or tag == "!":
        tag = _STR
    elif tag == _INT and _LEADING_ZERO.fullmatch(text):
        raise YamlRefused(line, _leading_zero(text))
    if tag == _STR:
        return text
    if tag == _MERGE:
        return _Merge()
    if tag == _NULL:
        return None
    node = yaml.ScalarNode(tag, text)
    if tag == _INT:
        return _CONSTRUCT.construct_yaml_int(node)
    if tag == _FLOAT:
        return _CONSTRUCT.construct_yaml_float(node)
    if tag == _BOOL:
        return _CONSTRUCT.construct_yaml_bool(node)
    raise YamlRefused(line, f"the tag {_tag(tag)} is not supported here")


def _leading_zero(text: str) -> str:
    return (
        f"{clip(text)} has a leading zero, which YAML may read as an octal number; write "
        f"{int(text.replace('_', ''))} (or quote it, '{clip(text)}', if it is text)"
    )


def read_yaml(text: str) -> Any:
    """Parse one YAML document into plain Python values, refusing what is unsafe or ambiguous.

    The YAML 1.1 types of ``yaml.safe_load`` (dates stay text), with limits: nesting up to
    :data:`MAX_DEPTH`, aliases repeating at most :data:`MAX_ALIAS_VALUES` values in all (so
    a "billion laughs" file fails at once), no key given twice in a mapping, no integer with
    a leading zero (``030`` is octal 24 in YAML 1.1), only the standard tags.

    Raises
    ------
    YamlRefused
        With the 1-based line.
    yaml.YAMLError
        Not YAML.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int] | None] = {}  # None: the anchored value is still open
    repeated = 0
    documents = 0
    root: Any = None
    events: Iterator[Any] = yaml.parse(text, Loader=loader)
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
            line = event.start_mark.line + 1
            if kind is yaml.ScalarEvent:
                value, size = _scalar(event, line), 1
                if event.anchor is not None:
                    anchors[event.anchor] = (value, size)
            else:
                name = event.anchor
                if name not in anchors:
                    raise YamlRefused(line, f"alias *{clip(name)} is not defined before its use")
                target = anchors[name]
                if target is None:
                    raise YamlRefused(line, f"alias *{clip(name)} is used inside its own value")
                value, size = target
                repeated += size
                if repeated > MAX_ALIAS_VALUES:
                    raise YamlRefused(
                        line,
                        f"aliases (*{clip(name)}) repeat more than {MAX_ALIAS_VALUES:,} "
                        "values; write the values out",
                    )
            if stack:
                stack[-1].add(value, size, line)
            elif isinstance(value, _Merge):
                raise YamlRefused(line, "'<<' is YAML's merge key; quote it to write the text '<<'")
            else:
                root = value
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            line = event.start_mark.line + 1
            mapping = kind is yaml.MappingStartEvent
            if event.tag not in (None, "!", _MAP if mapping else _SEQ):
                raise YamlRefused(line, f"the tag {_tag(event.tag)} is not supported here")
            if len(stack) >= MAX_DEPTH:
                raise YamlRefused(line, TOO_DEEP)
            if event.anchor is not None:
                anchors[event.anchor] = None
            stack.append(_Frame({} if mapping else [], event.anchor, line))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            value = frame.value()
            if frame.anchor is not None:
                anchors[frame.anchor] = (value, frame.size)
            if stack:
                stack[-1].add(value, frame.size, frame.line)
            else:
                root = value
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlRefused(
                    event.start_mark.line + 1,
                    "a second YAML document ('---'); a scenario file holds one mapping",
                )
    return root
