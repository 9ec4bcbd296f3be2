"""Markdown: GitLab Flavored Markdown and Redmine's common_mark formatter.

CommonMark lets a backslash make any ASCII punctuation literal, including the
characters that start HTML, links, emphasis, code spans and tables.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from secgate_tui.domain.render.dialect import Dialect

_ESCAPE = str.maketrans({c: "\\" + c for c in string.punctuation})


class Markdown(Dialect):
    name = "markdown"

    def escape(self, text: str) -> str:
        return text.translate(_ESCAPE)

    def heading(self, text: str) -> str:
        return f"### {text}"

    def bullet(self, text: str, level: int = 1) -> str:
        return "  " * (level - 1) + "- " + text

    def strong(self, text: str) -> str:
        return f"**{text}**"

    def verbatim(self, lines: Sequence[str]) -> list[str]:
        # The armoured JSON holds no backtick, so a three-backtick fence cannot end early.
        return ["```text", *lines, "```"]

    def paragraph(self, text: str) -> str:
        return text + "\n"
