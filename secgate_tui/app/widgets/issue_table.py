"""A category board's item list: key, title, status, age and why each item blocks
(or how it was dispositioned), on the cheap line-rendered table of :mod:`.line_table`."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from secgate_tui.app.render import age, safe
from secgate_tui.app.view_model import BLOCKING, CLOSED, RESIDUAL, IssueRow
from secgate_tui.app.widgets import line_table
from secgate_tui.app.widgets.line_table import GAP, LineTable

__all__ = ["COLUMN_NAMES", "GAP", "IssueTable", "Widths", "header_text"]

#: Column widths: key, title, status, age, reason.
Widths = tuple[int, int, int, int, int]


#: The last column says why an item blocks, or how a closed one was dispositioned.
COLUMN_NAMES = ("Key", "Title", "Status", "Age", "Why it blocks / disposition")
#: How the last column is painted per kind of row (view_model's BLOCKING, RESIDUAL, CLOSED).
REASON_STYLE = {BLOCKING: "red", RESIDUAL: "yellow", CLOSED: "dim"}


def header_text(widths: Widths) -> Text:
    return line_table.header_text(COLUMN_NAMES, widths, right=("Age",))


class IssueTable(LineTable[IssueRow]):
    """Rows of a category's items; enter (or a click) chooses one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "choose", "Open issue")]

    class Chosen(Message):
        def __init__(self, row: IssueRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__((8, 20, 12, 4, 20), id=id)

    def cells(self, index: int) -> tuple[Text, Text, Text, Text, Text]:
        """Row ``index`` as shown: every tracker string made inert and cropped."""
        row = self.rows[index]
        key, title, status, age_width, reason = self.widths
        return (
            safe(row.key, key),
            safe(row.title, title),
            safe(row.status, status),
            Text(age(row.age_days).rjust(age_width)),
            safe(row.reason, reason, REASON_STYLE.get(row.kind, "")),
        )

    def chosen(self, row: IssueRow) -> None:
        self.post_message(self.Chosen(row))
