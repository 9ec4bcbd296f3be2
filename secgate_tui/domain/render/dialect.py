"""What a markup must provide to render a record: escaping and a few constructs.

Untrusted text (titles, justifications, keys, names) always goes through
:meth:`Dialect.text` first: whitespace collapsed to one line, control and bidi
characters made visible, truncated, then escaped for the markup. Line starts
are always secgate's own (a bullet, a heading), so tracker text can never begin
a line, open a block or pose as a marker.

Dialects are looked up by name in a registry (:func:`dialect`): a connector
declares its ``markup`` by name, and a plugin that brings a markup of its own
registers a :class:`Dialect` for it with :func:`register_dialect` when its
module is imported (the connector registry refuses a connector whose markup
no dialect renders).
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

    def readable(self) -> Dialect:
        """This markup as record formats from 3 on escape it: only what would change the
        rendering, where it would. Older formats keep this dialect's own escaping byte
        for byte (their comments are re-rendered to be adopted and verified); a dialect
        whose escaping is already minimal (or invisible once rendered) returns itself.
        """
        return self


def entities(text: str, specials: str) -> str:
    """Replace each special character by a numeric character reference."""
    return "".join(f"&#{ord(c)};" if c in specials else c for c in text)


class UnknownDialectError(LookupError):
    """No dialect is registered under a markup name."""


_REGISTRY: dict[str, Dialect] = {}


def register_dialect(dialect: Dialect) -> None:
    """Make ``dialect`` available under ``dialect.name``.

    Registering the same class again is harmless (a plugin module imported
    twice); a different dialect under a taken name is refused, so a plugin
    cannot silently change how another tracker's records are escaped.

    Raises:
        ValueError: the name is empty or taken by a different dialect.
    """
    name = getattr(dialect, "name", "")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{type(dialect).__name__} has no markup name")
    known = _REGISTRY.get(name)
    if known is not None and type(known) is not type(dialect):
        raise ValueError(
            f"markup '{name}' is already rendered by {type(known).__name__}; "
            f"{type(dialect).__name__} cannot take it over"
        )
    _REGISTRY[name] = dialect


def dialect(markup: str) -> Dialect:
    """The dialect registered for a markup name.

    Raises:
        UnknownDialectError: nothing renders this markup; a record is never
            rendered in a guessed markup (tracker text would go unescaped).
    """
    found = _REGISTRY.get(markup)
    if found is None:
        names = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownDialectError(
            f"no markup dialect named '{markup}' is registered (known: {names})"
        )
    return found


def dialect_names() -> list[str]:
    """Every registered markup name, sorted."""
    return sorted(_REGISTRY)
