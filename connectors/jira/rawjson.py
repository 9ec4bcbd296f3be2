"""Splitting a Jira page into its issues while keeping each issue's text as sent.

An issue's raw digest is the SHA-256 of its JSON exactly as Jira sent it:
taking it from the text costs nothing, whereas re-encoding every parsed issue
canonically was the largest single cost of a 20,000-issue sync.
"""

from __future__ import annotations

import hashlib
from typing import Any

from connectors import strictjson


def split_member(text: str | bytes, name: str) -> tuple[dict[str, Any], list[Any], list[str]]:
    """A JSON object's members, the array under ``name`` with each item's SHA-256.

    Raises:
        ValueError: the text is not one JSON object.
    """
    return strictjson.members_with_digests(text, name)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
