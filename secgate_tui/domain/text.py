"""Untrusted tracker text made safe to show in a terminal, a comment or an export.

Issue titles can carry ANSI escape sequences, other control characters,
bidirectional overrides and invisible characters that would repaint, hide,
reorder or disguise what a release manager reads ("PUMP-1\\u200b23" displays as
PUMP-123). Wherever a person reads tracker text it is shown with those
characters as visible escapes instead. The canonical JSON of a record is not
passed through here: it keeps the tracker's bytes, because its digest does.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Every character of these Unicode categories is escaped: controls (Cc: C0, C1
# and DEL, tab and newline included: a title is one line), format characters
# (Cf: zero-width space / joiners, soft hyphen, BOM, bidi controls, tag
# characters, invisible operators), line and paragraph separators (Zl, Zp),
# lone surrogates (Cs), unassigned code points (Cn: what a newer Unicode may
# make invisible) and private use (Co: no agreed glyph).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn", "Co"})
# Characters that render as blank although their category says "letter".
_BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0"})
# A fast pre-check: text without any character outside printable ASCII needs
# only the ASCII controls escaped.
_ASCII_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def is_unsafe(char: str) -> bool:
    """True for a character that must not reach a reader raw."""
    return unicodedata.category(char) in _ESCAPED_CATEGORIES or char in _BLANK_LETTERS


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, limit: int | None = None) -> str:
    """One safe line: control and invisible characters escaped, optionally truncated."""
    if text.isascii():
        safe = _ASCII_UNSAFE.sub(lambda m: _escape(m.group()), text)
    else:
        safe = "".join(_escape(c) if is_unsafe(c) else c for c in text)
    if limit is not None and len(safe) > limit:
        return safe[: max(0, limit - 1)] + "…"
    return safe


def unsafe_characters(text: str) -> list[str]:
    """The escaped form of each unsafe character in ``text`` (empty when it is clean);
    for refusing identifiers such as issue keys, which must be what they look like."""
    # The only unsafe ASCII characters are the controls (Cc): a sync checks
    # 20,000 keys, nearly all printable ASCII, without a category lookup each.
    if text.isascii() and _ASCII_UNSAFE.search(text) is None:
        return []
    return [_escape(c) for c in text if is_unsafe(c)]


def without_userinfo(url: str) -> str:
    """``url`` without any ``user:password@`` (for every URL secgate writes: a
    tracker may answer with links that carry credentials)."""
    # No "@", no userinfo (its only delimiter), so nothing to take out: the
    # common case, decided without parsing one URL per issue of a sync.
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
