"""Redmine's textile formatter.

Textile has no general escape character; numeric character references are
rendered as the character, so every character that starts textile markup,
HTML, Redmine links (``#12``, ``r3``, ``commit:``, ``[[wiki]]``) or mentions
(``@user``) is written as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from secgate_tui.domain.render.dialect import Dialect, entities

_SPECIALS = "&<>\"'*_+-^~@%|![]{}()#=:;\\`$"


class Textile(Dialect):
    name = "textile"

    def escape(self, text: str) -> str:
        return entities(text, _SPECIALS)

    def heading(self, text: str) -> str:
        return f"h3. {text}\n"

    def bullet(self, text: str, level: int = 1) -> str:
        return "*" * level + " " + text

    def strong(self, text: str) -> str:
        return f"*{text}*"

    def verbatim(self, lines: Sequence[str]) -> list[str]:
        # <pre> ends at "</pre>"; the armoured JSON holds no "<".
        return ["<pre>", *lines, "</pre>"]

    def paragraph(self, text: str) -> str:
        return text + "\n"
