"""Splitting a Jira page into its issues while keeping each issue's text as sent.

An issue's raw digest is the SHA-256 of its JSON exactly as Jira sent it:
taking it from the text costs nothing, whereas re-encoding every parsed issue
canonically was the largest single cost of a 20,000-issue sync.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from connectors import strictjson

_DECODER = strictjson.DECODER
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _array(text: str, index: int, items: list[Any], sums: list[str]) -> int:
    """Items of the array at ``index`` (a "["); returns the index after its "]"."""
    index = _skip(text, index + 1)
    if text[index : index + 1] == "]":
        return index + 1
    while True:
        item, end = _DECODER.raw_decode(text, index)
        items.append(item)
        sums.append(hashlib.sha256(text[index:end].encode("utf-8")).hexdigest())
        index = _skip(text, end)
        separator = text[index : index + 1]
        if separator == "]":
            return index + 1
        if separator != ",":
            raise ValueError("malformed JSON array")
        index = _skip(text, index + 1)


def split_member(text: str, name: str) -> tuple[dict[str, Any], list[Any], list[str]]:
    """A JSON object's members, the array under ``name`` with each item's SHA-256.

    Raises:
        ValueError: the text is not one JSON object.
    """
    members: dict[str, Any] = {}
    items: list[Any] = []
    sums: list[str] = []
    index = _skip(text, 0)
    if text[index : index + 1] != "{":
        raise ValueError("not a JSON object")
    index = _skip(text, index + 1)
    if text[index : index + 1] != "}":
        while True:
            key, index = _DECODER.raw_decode(text, index)
            if not isinstance(key, str):
                raise ValueError("malformed JSON object")
            index = _skip(text, index)
            if text[index : index + 1] != ":":
                raise ValueError("malformed JSON object")
            index = _skip(text, index + 1)
            if key == name and text[index : index + 1] == "[":
                index = _array(text, index, items, sums)
                members[key] = items
            else:
                members[key], index = _DECODER.raw_decode(text, index)
            index = _skip(text, index)
            separator = text[index : index + 1]
            if separator == "}":
                break
            if separator != ",":
                raise ValueError("malformed JSON object")
            index = _skip(text, index + 1)
    if text[index + 1 :].strip():
        raise ValueError("text after the JSON object")
    return members, items, sums


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
