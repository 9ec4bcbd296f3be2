"""The record's "Security assessment of unresolved anomalies" as a table in each markup.

One row per issue that affects the release without being fixed in it and per
residual item (see ``domain.record_anomalies``). Every cell is untrusted text
and goes through :meth:`Dialect.text`; the table syntax around it is secgate's.
A markup this module has no table syntax for (a plugin's) gets one bullet per
row instead, so a record is never rendered with tracker text outside escaping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from secgate_tui.domain.model import Category
from secgate_tui.domain.record_anomalies import RecordAnomaly
from secgate_tui.domain.render.dialect import Dialect

HEADER = (
    "Key",
    "Found as",
    "Title",
    "Severity",
    "CWE",
    "Category",
    "Disposition",
    "Justification",
    "Compensating controls",
    "Target version",
    "Accepted by",
    "Accepted on",
    "Expires",
)
TITLE_LIMIT = 120
CELL_LIMIT = 200
NOT_STATED = "not stated"
#: What the issue asks for, word for word, when no compensating control is recorded.
NO_CONTROLS = "none stated"
ATTACHED = "in the attached record"

#: A pipe after an even number of backslashes (none included) still ends a cell.
_BARE_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def _cells(row: RecordAnomaly, justification_limit: int) -> list[tuple[str, int | None]]:
    justification = row.justification or NOT_STATED
    if justification_limit == 0 and row.justification:
        justification = ATTACHED
    return [
        (row.key, 80),
        ("affects the release" if row.affected else "residual item", None),
        (row.title, TITLE_LIMIT),
        (row.severity.value if row.severity else NOT_STATED, None),
        (", ".join(row.cwe) or NOT_STATED, CELL_LIMIT),
        (Category(row.category).title, None),
        (row.disposition.value, None),
        (justification, justification_limit or None),
        (row.compensating_controls or NO_CONTROLS, CELL_LIMIT),
        (row.target_version or NOT_STATED, CELL_LIMIT),
        (row.accepted_by or NOT_STATED, CELL_LIMIT),
        (row.accepted_on.strftime("%Y-%m-%dT%H:%M:%SZ") if row.accepted_on else NOT_STATED, None),
        (row.expires.isoformat() if row.expires else NOT_STATED, None),
    ]


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        # A bare pipe would end the cell, whatever the dialect's escaping leaves of it.
        return "| " + " | ".join(_BARE_PIPE.sub(r"\1\\|", c) or " " for c in cells) + " |"

    return [line(header), "|" + " --- |" * len(header), *(line(r) for r in rows)]


def _wiki(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    # Jira wiki: ||heading||; the dialect writes | in text as a character reference.
    return [
        "||" + "||".join(header) + "||",
        *("|" + "|".join(c or " " for c in r) + "|" for r in rows),
    ]


def _textile(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "|" + "|".join(f"_. {h}" for h in header) + "|",
        *("|" + "|".join(c or " " for c in r) + "|" for r in rows),
    ]


def _plain(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [" | ".join(header), *(" | ".join(r) for r in rows)]


_TABLES: dict[str, Callable[[Sequence[str], Sequence[Sequence[str]]], list[str]]] = {
    "markdown": _markdown,
    "jira-wiki": _wiki,
    "textile": _textile,
    "plain": _plain,
}


def anomaly_table(rows: Sequence[RecordAnomaly], d: Dialect, justification_limit: int) -> list[str]:
    """The section's lines below its heading (``justification_limit`` 0: justifications
    are left to the attached record, when the comment must be shortened)."""
    header = [d.text(h) for h in HEADER]
    cells = [
        [d.text(value, limit) for value, limit in _cells(row, justification_limit)] for row in rows
    ]
    table = _TABLES.get(d.name)
    if table is not None:
        return table(header, cells)
    return [
        d.bullet("; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True))) for row in cells
    ]
