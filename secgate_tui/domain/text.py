"""Untrusted tracker text made safe to show in a terminal.

Issue titles can carry ANSI escape sequences, other control characters and
bidirectional overrides that would repaint, hide or reorder what a release
manager reads. They are shown as visible escapes instead.
"""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline included: a title is one line), DEL, and
# the Unicode bidi controls that can reorder text on screen.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int | None = None) -> str:
    """One safe line: control characters escaped, optionally truncated with an ellipsis."""
    safe = _UNSAFE.sub(_escape, text)
    if limit is not None and len(safe) > limit:
        return safe[: max(0, limit - 1)] + "…"
    return safe
