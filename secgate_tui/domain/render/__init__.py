"""Records rendered as tracker comments, one dialect per markup, and read back out.

Pure: text in, text out. :func:`dialect` looks a connector's ``markup`` name up
in the dialect registry (built-ins registered here, plugins through
:func:`register_dialect`); :mod:`.block` owns the machine block every dialect wraps.
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
from secgate_tui.domain.render.dialect import (
    Dialect,
    UnknownDialectError,
    dialect,
    dialect_names,
    register_dialect,
)
from secgate_tui.domain.render.jira_wiki import JiraWiki
from secgate_tui.domain.render.markdown import Markdown
from secgate_tui.domain.render.plain import Plain
from secgate_tui.domain.render.record import RecordTooLargeError, Rendered, render_record
from secgate_tui.domain.render.textile import Textile

for _builtin in (Plain(), JiraWiki(), Markdown(), Textile()):
    register_dialect(_builtin)


__all__ = [
    "BlockError",
    "Dialect",
    "Extracted",
    "RecordTooLargeError",
    "Rendered",
    "UnknownDialectError",
    "attachment_name",
    "block_lines",
    "dialect",
    "dialect_names",
    "extract",
    "marker_line",
    "marker_prefix",
    "register_dialect",
    "render_record",
]
