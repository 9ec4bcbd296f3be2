"""A table in each markup, for record sections whose cells are already escaped.

Every cell must have gone through :meth:`Dialect.text`; the table syntax around
the cells is secgate's. A markup without a table syntax here (a plugin's) gets
one bullet per row, each cell named by its column, so nothing is rendered
outside escaping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from secgate_tui.domain.render.dialect import Dialect

#: A pipe after an even number of backslashes (none included) still ends a cell.
_BARE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")

Rows = Sequence[Sequence[str]]


def _markdown(header: Sequence[str], rows: Rows) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        # A bare pipe would end the cell, whatever the dialect's escaping leaves of it.
        return "| " + " | ".join(_BARE_PIPE.sub(r"\1\\|", c) or " " for c in cells) + " |"

    return [line(header), "|" + " --- |" * len(header), *(line(r) for r in rows)]


def _wiki(header: Sequence[str], rows: Rows) -> list[str]:
    return [
        "||" + "||".join(header) + "||",
        *("|" + "|".join(c or " " for c in r) + "|" for r in rows),
    ]


def _textile(header: Sequence[str], rows: Rows) -> list[str]:
    return [
        "|" + "|".join(f"_. {h}" for h in header) + "|",
        *("|" + "|".join(c or " " for c in r) + "|" for r in rows),
    ]


def _plain(header: Sequence[str], rows: Rows) -> list[str]:
    return [" | ".join(header), *(" | ".join(r) for r in rows)]


_TABLES: dict[str, Callable[[Sequence[str], Rows], list[str]]] = {
    "markdown": _markdown,
    "jira-wiki": _wiki,
    "textile": _textile,
    "plain": _plain,
}


def markup_table(header: Sequence[str], rows: Rows, d: Dialect) -> list[str]:
    """The table's lines (``header`` and ``rows`` escaped by ``d`` already)."""
    table = _TABLES.get(d.name)
    if table is not None:
        return table(header, rows)
    return [
        d.bullet("; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True))) for row in rows
    ]
