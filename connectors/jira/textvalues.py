"""The text of Jira field values: ADF trees, options, users, versions, plain strings. Pure."""

from __future__ import annotations

from typing import Any


def adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format tree (or a v2 string as is)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_text(child) for child in node)
    if not isinstance(node, dict):
        return str(node)
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    inner = adf_text(node.get("content"))
    if kind == "doc":
        return inner.rstrip("\n")
    if kind in ("paragraph", "heading", "codeBlock", "blockquote", "listItem", "rule"):
        return inner + "\n"
    return inner


def named(value: Any) -> str | None:
    """The display text of a Jira value: option, user, priority, plain string."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for attr in ("value", "displayName", "name", "key", "id"):
            if value.get(attr):
                return str(value[attr])
        if value.get("type") == "doc":
            return adf_text(value) or None
        return None
    if isinstance(value, list):
        names = [n for n in (named(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def values(value: Any) -> list[str]:
    """Each item of a multi-value field (versions, options, labels) as text; one for a single."""
    items = value if isinstance(value, list) else [value]
    return [text.strip() for text in map(named, items) if text and text.strip()]
