"""Records rendered as tracker comments, one dialect per markup, and read back out.

Pure: text in, text out. :func:`dialect` maps a connector's ``markup`` to its
dialect; :mod:`.block` owns the machine block every dialect wraps.
"""

from __future__ import annotations

from secgate_tui.domain.render.block import (
    BlockError,
    Extracted,
    attachment_name,
    block_lines,
    extract,
    marker_line,
    marker_prefix,
)
from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.render.jira_wiki import JiraWiki
from secgate_tui.domain.render.markdown import Markdown
from secgate_tui.domain.render.plain import Plain
from secgate_tui.domain.render.record import RecordTooLargeError, Rendered, render_record
from secgate_tui.domain.render.textile import Textile

_DIALECTS: dict[str, Dialect] = {d.name: d for d in (Plain(), JiraWiki(), Markdown(), Textile())}


def dialect(markup: str) -> Dialect:
    """The dialect of a markup name; unknown markups get plain text (escapes nothing away)."""
    return _DIALECTS.get(markup, _DIALECTS["plain"])


__all__ = [
    "BlockError",
    "Dialect",
    "Extracted",
    "RecordTooLargeError",
    "Rendered",
    "attachment_name",
    "block_lines",
    "dialect",
    "extract",
    "marker_line",
    "marker_prefix",
    "render_record",
]
