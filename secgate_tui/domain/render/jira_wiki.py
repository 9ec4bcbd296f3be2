"""Jira wiki markup (what ``jira.add_comment`` sends to REST v2).

A backslash escape is unreliable in Jira (``\\\\`` is a line break), so every
character with a meaning in wiki markup, icons, mentions or macros becomes a
numeric character reference, which Jira renders as the character itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from secgate_tui.domain.render.dialect import Dialect, entities

_SPECIALS = "&<>\\{}[]*_?-+^~|!#@:()%;'\"`="


class JiraWiki(Dialect):
    name = "jira-wiki"

    def escape(self, text: str) -> str:
        return entities(text, _SPECIALS)

    def heading(self, text: str) -> str:
        return f"h3. {text}"

    def bullet(self, text: str, level: int = 1) -> str:
        return "*" * level + " " + text

    def strong(self, text: str) -> str:
        return f"*{text}*"

    def verbatim(self, lines: Sequence[str]) -> list[str]:
        # {noformat} ends only at the literal "{noformat}", which the armoured
        # JSON cannot contain (braces inside strings are \u escapes).
        return ["{noformat}", *lines, "{noformat}"]
