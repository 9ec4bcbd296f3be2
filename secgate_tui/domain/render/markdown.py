"""Markdown: GitLab Flavored Markdown and Redmine's common_mark formatter.

CommonMark lets a backslash make any ASCII punctuation literal, including the
characters that start HTML, links, emphasis, code spans and tables.

:class:`Markdown` (formats 1 and 2) escapes every punctuation mark, which keeps
tracker text literal but makes the Markdown hard to read as plain text
(``2026\\-12\\-07T12\\:11\\:26``). :class:`ReadableMarkdown` (format 3 on, and
every export header) escapes only what would change the rendering, where it
would: emphasis, code, links, HTML and entities anywhere; a list, heading or
quote marker only where the text starts; the references and mentions GitLab and
Redmine turn into links or notifications (``#12``, ``@user``, ``!3``, ``%m``, ``~l``).
"""

from __future__ import annotations

import re
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

    def readable(self) -> Dialect:
        return READABLE


_PUNCTUATION = re.escape(string.punctuation)
_INLINE = re.compile(
    # Always: emphasis, code spans, links and images, raw HTML and autolinks,
    # strikethrough (GFM) and the GitLab label reference.
    r"[*`\[\]<~]"
    # A backslash that would escape what follows (or the secgate text after this).
    rf"|\\(?=[{_PUNCTUATION}]|$)"
    # Underscores emphasise unless inside a word.
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"
    # An entity or numeric character reference.
    r"|&(?=#?[A-Za-z0-9]+;)"
    # References and mentions: #12, !3 (merge request), @user, %milestone.
    r"|[#!](?=[0-9])|[@%](?=[A-Za-z0-9_\"])"
)
# What makes a line a heading, quote, list item or thematic break when text starts it.
# A dash before only dashes and spaces would make "- --" (a list item holding "--")
# a thematic break.
_BLOCK_START = re.compile(r"^(?:[#>]|[-+=](?=\s|$)|-(?=[-\s]*$)|\d{1,9}(?=[.)](?:\s|$)))")


class ReadableMarkdown(Markdown):
    """Markdown that reads as plain text: escapes only where the rendering would change."""

    def escape(self, text: str) -> str:
        escaped = _INLINE.sub(lambda m: "\\" + m.group(), text)
        start = _BLOCK_START.match(escaped)
        if start is None:
            return escaped
        if start.group()[0].isdigit():
            # "1. x" starts an ordered list: escape the delimiter after the number.
            end = start.end()
            return escaped[:end] + "\\" + escaped[end:]
        return "\\" + escaped

    def readable(self) -> Dialect:
        return self


READABLE = ReadableMarkdown()
