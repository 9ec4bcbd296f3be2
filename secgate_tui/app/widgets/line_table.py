"""A list of rows that costs the same for 9 rows or 20,000: the boards' tables.

Textual's DataTable measures every cell when rows are added (about a
millisecond a row), which would freeze the UI for seconds on a release with
thousands of open items. This list renders only the lines on screen (the Line
API), with fixed column widths, so a refresh of any size is cheap. A subclass
says what its cells are and what choosing a row means (the category boards'
issues, the vulnerability board's findings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowT = TypeVar("RowT")
GAP = 2


def header_text(names: Sequence[str], widths: Sequence[int], right: Sequence[str] = ()) -> Text:
    """The column names over a table, each cut to its column (``right`` ones right-aligned)."""
    line = Text(style="bold")
    for name, width in zip(names, widths, strict=True):
        name = name[:width]
        line.append(name.rjust(width) if name in right else name.ljust(width))
        line.append(" " * GAP)
    return line


class LineTable(ScrollView, Generic[RowT], can_focus=True):
    """Rows with a cursor; enter (or a double click) chooses one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1000000000)", "First", show=False),
        Binding("end", "move(1000000000)", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"table--cursor"}

    cursor_row: reactive[int] = reactive(0, init=False)

    def __init__(self, widths: tuple[int, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[RowT, ...] = ()
        self.widths = widths
        # Rendered lines by (row, width, cursor here, focused, style): a repaint
        # (after a key, or when a dialog closes) re-renders only lines that changed.
        self._lines: dict[tuple[int, int, bool, bool, Style], Strip] = {}

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: tuple[RowT, ...], widths: tuple[int, ...], cursor: int = 0) -> None:
        self.rows = rows
        self.widths = widths
        self.virtual_size = Size(sum(widths) + GAP * (len(widths) - 1), len(rows))
        self.set_reactive(LineTable.cursor_row, max(0, min(cursor, len(rows) - 1)))
        self._lines.clear()
        self.refresh()

    def cells(self, index: int) -> Sequence[Text]:
        """Row ``index`` as shown, one cell per column: tracker text made inert."""
        raise NotImplementedError

    def chosen(self, row: RowT) -> None:
        """Enter on ``row``: the subclass posts its message."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        # Only the focused list shows its cursor: one highlighted row on screen
        # is one selection, never one per list.
        at_cursor = index == self.cursor_row and self.has_focus
        cache_key = (index, width, at_cursor, self.has_focus, base)
        cached = self._lines.get(cache_key)
        if cached is not None:
            return cached
        if len(self._lines) > 4000:
            self._lines.clear()
        line = Text(no_wrap=True, overflow="ellipsis")
        for cell, cell_width in zip(self.cells(index), self.widths, strict=True):
            cell.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append_text(cell)
            line.append(" " * GAP)
        style = base
        if at_cursor:
            style = base + self.get_component_rich_style("table--cursor")
        segments = list(Segment.apply_style(line.render(self.app.console), style))
        strip = self._lines[cache_key] = Strip(segments).crop_extend(0, width, style)
        return strip

    # -- the cursor --------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        else:
            # Only the two lines whose highlight changed: a key press then
            # costs two lines of rendering, not the whole list.
            width = self.size.width
            self.refresh(
                Region(0, old - top, width, 1),
                Region(0, new - top, width, 1),
            )
            return
        self.refresh()

    def action_move(self, delta: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(len(self.rows) - 1, self.cursor_row + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height))

    def action_choose(self) -> None:
        if 0 <= self.cursor_row < len(self.rows):
            self.chosen(self.rows[self.cursor_row])

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.cursor_row = index
            if event.chain >= 2:
                self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
