"""Plain text (the sandbox): nothing is markup, so escaping is only printability."""

from __future__ import annotations

from collections.abc import Sequence

from secgate_tui.domain.render.dialect import Dialect


class Plain(Dialect):
    name = "plain"

    def escape(self, text: str) -> str:
        return text

    def heading(self, text: str) -> str:
        return f"== {text} =="

    def bullet(self, text: str, level: int = 1) -> str:
        return "  " * level + "- " + text

    def strong(self, text: str) -> str:
        return text

    def verbatim(self, lines: Sequence[str]) -> list[str]:
        return ["----", *lines, "----"]
