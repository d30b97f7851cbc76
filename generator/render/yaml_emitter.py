"""A small block-style YAML emitter for template data (dicts, lists, strings,
numbers, booleans), several times faster than PyYAML's Python representer.

Strings are written plain only when PyYAML's own resolver reads them back as
the same string; anything else is a JSON string (valid YAML double-quoted).
Multi-line strings (buildspecs) are literal blocks. `build` checks that every
YAML file reads back as its JSON twin, so a mistake here cannot ship.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import yaml

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
# Conservative plain scalars: no indicator first, no ": ", " #", quotes or flow characters.
_PLAIN = re.compile(r"[A-Za-z0-9_./$()][A-Za-z0-9_ ./:$(){}@=+,*?^|\\<>;!&%'\"~-]*")
_INDENT = "  "
# Characters YAML cannot carry raw in a quoted scalar (unprintable, or line breaks in
# YAML 1.1), besides the C0 controls json.dumps escapes.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _quoted(text: str) -> str:
    """A JSON string is a YAML double-quoted scalar; escape what YAML cannot carry raw."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


def _plain_reads_back(text: str) -> bool:
    if ": " in text or text.endswith((" ", ":")) or " #" in text:
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


@lru_cache(maxsize=8192)
def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and _plain_reads_back(text):
        return text
    return _quoted(text)


def scalar(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return _string(str(value))


_NOT_IN_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\t\r]|" + _UNPRINTABLE.pattern)


def _block(text: str, pad: str) -> list[str]:
    """A literal block header suffix and its lines, or [] when a block cannot hold text."""
    if _NOT_IN_BLOCK.search(text) or any(line != line.rstrip(" ") for line in text.split("\n")):
        return []
    body = text[:-1] if text.endswith("\n") else text
    if body.endswith("\n") or not body:
        return []  # keep-chomping edge cases: use a quoted string instead
    chomp = "" if text.endswith("\n") else "-"
    # YAML takes a block's indentation from its first non-empty line (YAML 1.2, 8.1.1.1):
    # when that line starts with a space, the indentation must be given.
    indicator = "2" if body.lstrip("\n").startswith(" ") else ""
    lines = [f"|{indicator}{chomp}"]
    lines += [pad + line if line else "" for line in body.split("\n")]
    return lines


def _value_lines(value: Any, pad: str) -> tuple[str, list[str]]:
    """(what follows `key:` or `-` on the same line, the lines below it)."""
    if isinstance(value, dict):
        return ("", _mapping(value, pad + _INDENT)) if value else (" {}", [])
    if isinstance(value, list):
        return ("", _sequence(value, pad)) if value else (" []", [])
    if isinstance(value, str) and "\n" in value:
        block = _block(value, pad + _INDENT)
        if block:
            return " " + block[0], block[1:]
    return " " + scalar(value), []


def _mapping(data: dict[Any, Any], pad: str) -> list[str]:
    lines = []
    for key, value in data.items():
        head, body = _value_lines(value, pad)
        lines.append(f"{pad}{scalar(key)}:{head}")
        lines += body
    return lines


def _sequence(items: list[Any], pad: str) -> list[str]:
    """Sequences under a mapping key are not indented further (PyYAML's style)."""
    lines = []
    for item in items:
        if isinstance(item, (dict, list)) and item:
            inner = (
                _mapping(item, pad + _INDENT)
                if isinstance(item, dict)
                else _sequence(item, pad + _INDENT)
            )
            lines.append(f"{pad}- {inner[0][len(pad) + len(_INDENT) :]}")
            lines += inner[1:]
        else:
            head, body = _value_lines(item, pad)
            lines.append(f"{pad}-{head}")
            lines += body
    return lines


def dump(data: dict[str, Any]) -> str:
    return "\n".join(_mapping(data, "")) + "\n" if data else "{}\n"
