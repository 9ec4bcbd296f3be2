"""One closure board: a category's closed/total, its bar and what still blocks."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from secgate_tui.app.render import age, bar, safe
from secgate_tui.app.view_model import CategoryView, IssueRow

#: Fixed widths so a 10 KB title cannot widen the table; title and reason share the rest.
STATUS, AGE, MIN_TEXT = 12, 4, 12
#: Keys differ per tracker (PROJ-12, group/app#34, #123): as wide as needed, within bounds.
MIN_KEY, MAX_KEY = 7, 24
#: At most this many rows are visible at once; the table scrolls the rest.
MAX_VISIBLE_ROWS = 9


class CategoryBoard(Vertical):
    """A category's board; the unclassified board reuses it with ``label``."""

    class IssueChosen(Message):
        """The person pressed enter on an item."""

        def __init__(self, source: str, key: str) -> None:
            super().__init__()
            self.source = source
            self.key = key

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="board")
        self.label = label
        self._view: CategoryView | None = None
        self._rows: tuple[IssueRow, ...] | None = None
        self._widths = (0, 0, 0)
        self._shown_rows: tuple[IssueRow, ...] = ()
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label), classes="board-header", markup=False)
        yield Static(Text(""), classes="board-note", markup=False)
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=False)
        yield table

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one(DataTable)

    def _header(self, closed: int, total: int, blocking: int) -> Text:
        head = Text(self.label, style="bold", no_wrap=True, overflow="ellipsis")
        head.append(f"   {closed}/{total} closed  ")
        head.append_text(bar(closed, total))
        if total:
            head.append(f" {round(100 * closed / total)}%")
        if blocking:
            head.append(f"   {blocking} blocking", style="bold red")
        return head

    def show(self, view: CategoryView) -> None:
        """Update from a category view; an unchanged view costs nothing."""
        if view == self._view:
            return
        self._view = view
        result = view.result
        header = self.query_one(".board-header", Static)
        note = self.query_one(".board-note", Static)
        header.update(self._header(result.closed, result.total, len(result.blocking)))
        self.set_class(result.empty and not result.acknowledged, "-empty")
        self.set_class(result.empty and result.acknowledged, "-not-applicable")
        self.set_class(bool(result.blocking), "-blocking")
        if result.empty and result.acknowledged:
            note.update(safe(f"Not applicable: {result.not_applicable_reason}"))
        elif result.empty:
            note.update(
                Text(
                    "EMPTY: no issue in this category. This blocks until it is acknowledged "
                    "as not applicable (press a to authorize and acknowledge it).",
                    style="bold",
                )
            )
        elif not result.blocking:
            residual = len(result.residual)
            extra = f" ({residual} residual, justified)" if residual else ""
            note.update(Text(f"All {result.total} closed with an accepted disposition{extra}."))
        else:
            note.update(Text(""))
        note.display = result.empty or not result.blocking
        self.show_rows(view.rows)

    def show_unclassified(self, rows: tuple[IssueRow, ...]) -> None:
        self.display = bool(rows)
        header = self.query_one(".board-header", Static)
        header.update(Text(f"{self.label}   {len(rows)} blocking", style="bold red"))
        self.query_one(".board-note", Static).display = False
        self.set_class(True, "-blocking")
        self.show_rows(rows)

    def show_rows(self, rows: tuple[IssueRow, ...], *, force: bool = False) -> None:
        if rows == self._rows and not force:
            return
        self._rows = rows
        table = self.table
        table.display = bool(rows)
        # An explicit height: "auto" is not recomputed when rows arrive before
        # the first layout.
        table.styles.height = min(len(rows), MAX_VISIBLE_ROWS) + 1
        key = max(MIN_KEY, min(MAX_KEY, max((len(row.key) for row in rows), default=0)))
        title, reason = self._fit(key)
        selected = self._selected_key()
        self._shown_rows = rows
        if (key, title, reason) != self._widths or not table.columns:
            self._widths = (key, title, reason)
            table.clear(columns=True)
            table.add_column("Key", width=key, key="key")
            table.add_column("Title", width=title, key="title")
            table.add_column("Status", width=STATUS, key="status")
            table.add_column("Age", width=AGE, key="age")
            table.add_column("Why it blocks", width=reason, key="reason")
        else:
            table.clear()
        table.add_rows(
            (
                safe(row.key, key),
                safe(row.title, title),
                safe(row.status, STATUS),
                Text(age(row.age_days), justify="right"),
                safe(row.reason, reason),
            )
            for row in rows
        )
        if selected is not None:
            for index, row in enumerate(rows):
                if (row.source, row.key) == selected:
                    table.move_cursor(row=index, animate=False)
                    break

    def _selected_key(self) -> tuple[str, str] | None:
        """The item under the cursor, so a refresh keeps the person's place."""
        table = self.table
        shown = self._shown_rows
        if not table.row_count or not 0 <= table.cursor_row < len(shown):
            return None
        row = shown[table.cursor_row]
        return row.source, row.key

    def _fit(self, key: int) -> tuple[int, int]:
        """Widths of the title and reason columns for the board's current width."""
        # The screen tells each board its width: layout has not run when rows first arrive.
        width = self._width or 80
        # Borders, one cell of padding each side of five columns, the scrollbar.
        rest = width - 2 - (key + STATUS + AGE + 5 * 2) - 2
        title = max(MIN_TEXT, rest * 11 // 20)
        return title, max(MIN_TEXT, rest - title)

    def set_width(self, width: int) -> None:
        """Re-lay the columns for a new board width (the terminal was resized)."""
        self._width = width
        if self._rows is not None and self._fit(self._widths[0]) != self._widths[1:]:
            self.show_rows(self._rows, force=True)

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._shown_rows):
            row = self._shown_rows[event.cursor_row]
            self.post_message(self.IssueChosen(row.source, row.key))
