"""One closure board: a category's closed/total, its bar and what still blocks."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from secgate_tui.app.render import bar, safe
from secgate_tui.app.view_model import CategoryView, IssueRow
from secgate_tui.app.widgets.issue_table import GAP, IssueTable, Widths, header_text

STATUS, AGE, MIN_TEXT = 12, 4, 12
#: Keys differ per tracker (PROJ-12, group/app#34, #123): as wide as needed, within bounds.
MIN_KEY, MAX_KEY = 7, 24
#: At most this many rows are visible at once; the list scrolls the rest.
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
        #: The rows before the filter, and the filter ("" when none).
        self._all: tuple[IssueRow, ...] = ()
        self._filter = ""
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label), classes="board-header", markup=False)
        yield Static(Text(""), classes="board-note", markup=False)
        yield Static(Text(""), classes="board-columns", markup=False)
        yield IssueTable()

    @property
    def table(self) -> IssueTable:
        return self.query_one(IssueTable)

    def _header(self, closed: int, total: int, blocking: int) -> Text:
        head = Text(self.label, style="bold")
        head.append(f"   {closed}/{total} closed  ")
        head.append_text(bar(closed, total, blocking=blocking))
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
        state = ""
        if result.empty:
            state = "-not-applicable" if result.acknowledged else "-empty"
        elif result.blocking:
            state = "-blocking"
        self._set_state(state)
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
        self._all = view.rows
        self.show_rows(self.filtered())

    def show_unclassified(self, rows: tuple[IssueRow, ...]) -> None:
        header = self.query_one(".board-header", Static)
        header.update(Text(f"{self.label}   {len(rows)} blocking", style="bold red"))
        self.query_one(".board-note", Static).display = False
        self._set_state("-blocking")
        self._all = rows
        self.show_rows(self.filtered())

    def filtered(self) -> tuple[IssueRow, ...]:
        """The rows whose key or title contain the filter (case-insensitive)."""
        if not self._filter:
            return self._all
        needle = self._filter.casefold()
        return tuple(
            row
            for row in self._all
            if needle in row.key.casefold() or needle in row.title.casefold()
        )

    def set_filter(self, text: str) -> tuple[int, int]:
        """Show only the matching rows; returns (shown, all)."""
        self._filter = text.strip()
        shown = self.filtered()
        self.show_rows(shown)
        return len(shown), len(self._all)

    def _set_state(self, state: str) -> None:
        # One class change, not three: each one restyles the board's widgets.
        wanted = f"board {state}".strip()
        if set(wanted.split()) != set(self.classes):
            self.set_classes(wanted)

    def show_rows(self, rows: tuple[IssueRow, ...], *, force: bool = False) -> None:
        if rows == self._rows and not force:
            return
        self._rows = rows
        table = self.table
        columns = self.query_one(".board-columns", Static)
        table.display = columns.display = bool(rows)
        # An explicit height: "auto" is not recomputed when rows arrive before layout.
        table.styles.height = min(len(rows), MAX_VISIBLE_ROWS)
        widths = self._fit(rows)
        columns.update(header_text(widths))
        selected = self._selected_key()
        cursor = 0
        if selected is not None:
            cursor = next((n for n, row in enumerate(rows) if (row.source, row.key) == selected), 0)
        table.set_rows(rows, widths, cursor)

    def _selected_key(self) -> tuple[str, str] | None:
        """The item under the cursor, so a refresh keeps the person's place."""
        table = self.table
        if not 0 <= table.cursor_row < table.row_count:
            return None
        row = table.rows[table.cursor_row]
        return row.source, row.key

    def _fit(self, rows: tuple[IssueRow, ...]) -> Widths:
        """Column widths for the board's width; title and reason share what is left."""
        # Keys: measured on the first rows only, so 20,000 rows cost nothing here.
        longest = max((len(row.key) for row in rows[:500]), default=0)
        key = max(MIN_KEY, min(MAX_KEY, longest))
        # The screen tells each board its width: layout has not run when rows first arrive.
        width = self._width or 80
        # Borders, padding, the gaps between five columns, the scrollbar.
        rest = width - 2 - 2 - (key + STATUS + AGE + 4 * GAP) - 2
        title = max(MIN_TEXT, rest * 11 // 20)
        return key, title, STATUS, AGE, max(MIN_TEXT, rest - title)

    def set_width(self, width: int) -> None:
        """Re-lay the columns for a new board width (the terminal was resized)."""
        if width != self._width:
            self._width = width
            if self._rows is not None:
                self.show_rows(self._rows, force=True)

    @on(IssueTable.Chosen)
    def _chosen(self, event: IssueTable.Chosen) -> None:
        event.stop()
        self.post_message(self.IssueChosen(event.row.source, event.row.key))
