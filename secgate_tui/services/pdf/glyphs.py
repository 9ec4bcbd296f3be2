"""Tracker text made safe to draw: every character is a glyph or its code point.

Titles are untrusted. A control character, an unassigned or private code point,
or a bidirectional override (which could visually reorder a line, as in
"Trojan Source") is written as ``<U+XXXX>``; so is any character none of the
embedded fonts can draw, so nothing becomes an empty box or silently
disappears. The PDF layout never interprets text as markup: it is drawn as
given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Set
from typing import Final

#: Formatting characters that change the visual order of text.
BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cs", "Co", "Cn"})
#: Scripts written right to left: text holding them goes through the shaping engine.
_RTL: Final = frozenset({"R", "AL"})


def code_point(char: str) -> str:
    return f"<U+{ord(char):04X}>"


class Glyphs:
    """What the embedded fonts can draw (the union of their character maps)."""

    def __init__(self, drawable: Set[int]) -> None:
        self.drawable = drawable
        self._cache: dict[str, str] = {}

    def visible(self, text: str) -> str:
        """``text`` with every character a font can draw kept, and any other as its code point.

        Whitespace of any kind becomes a plain space, except line feeds, which mark lines.
        """
        cache = self._cache
        out = []
        for char in text:
            shown = cache.get(char)
            if shown is None:
                shown = cache[char] = self._shown(char)
            out.append(shown)
        return "".join(out)

    def _shown(self, char: str) -> str:
        if char == "\n":
            return char
        if char in ("\t", "\r") or unicodedata.category(char) in ("Zs", "Zl", "Zp"):
            return " "
        if char in BIDI_CONTROLS or unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return code_point(char)
        return char if ord(char) in self.drawable else code_point(char)


def needs_shaping(text: str) -> bool:
    """Whether ``text`` holds right-to-left script (Arabic, Hebrew, …) that needs shaping."""
    return any(unicodedata.bidirectional(char) in _RTL for char in text)
