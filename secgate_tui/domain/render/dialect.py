"""What a markup must provide to render a record: escaping and a few constructs.

Untrusted text (titles, justifications, keys, names) always goes through
:meth:`Dialect.text` first: whitespace collapsed to one line, control and bidi
characters made visible, truncated, then escaped for the markup. Line starts
are always secgate's own (a bullet, a heading), so tracker text can never begin
a line, open a block or pose as a marker.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence

from secgate_tui.domain.text import printable

_SPACE = re.compile(r"\s+")


class Dialect(ABC):
    name: str

    def text(self, value: str, limit: int | None = None) -> str:
        """Untrusted text as one safe, escaped line."""
        return self.escape(printable(_SPACE.sub(" ", value).strip(), limit))

    @abstractmethod
    def escape(self, text: str) -> str:
        """Make every character literal in this markup (input is one printable line)."""

    @abstractmethod
    def heading(self, text: str) -> str:
        """A section heading (``text`` already escaped)."""

    @abstractmethod
    def bullet(self, text: str, level: int = 1) -> str:
        """A list item (``text`` already escaped)."""

    @abstractmethod
    def strong(self, text: str) -> str: ...

    @abstractmethod
    def verbatim(self, lines: Sequence[str]) -> list[str]:
        """A verbatim block around ASCII lines that contain no markup closer."""

    def paragraph(self, text: str) -> str:
        return text


def entities(text: str, specials: str) -> str:
    """Replace each special character by a numeric character reference."""
    return "".join(f"&#{ord(c)};" if c in specials else c for c in text)
