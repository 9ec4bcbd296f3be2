"""The release at a glance: one line per category (and the unclassified items),
each with closed/total, a bar that shows what blocks, and its state; and, when
the release has an SBOM/VEX check, a line for it (settled findings of all).

The line under the cursor is the category whose items the board lists below;
enter moves to that list. Eight lines fit any terminal secgate supports, so no
category is ever below the fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from secgate_tui.app.render import bar
from secgate_tui.app.view_model import BoardState

UNCLASSIFIED = "unclassified"
UNCLASSIFIED_LABEL = "Unclassified (match no category rule)"
#: The seventh check's board (issue 14).
VULNERABILITIES = "board-vulnerabilities"
VULNERABILITIES_LABEL = "Vulnerability assessment"
#: The check blocks for its documents (stale, missing, for another release), not a finding.
BLOCKED = "BLOCKED"
LABEL_WIDTH = 28
OVERVIEW_BAR = 12


@dataclass(frozen=True)
class OverviewLine:
    """One category's line; ``board`` is the id of the board that lists its items."""

    board: str
    label: str
    closed: int
    total: int
    blocking: int
    state: str


def overview_lines(state: BoardState) -> tuple[OverviewLine, ...]:
    lines = []
    if state.unclassified:
        count = len(state.unclassified)
        lines.append(OverviewLine(UNCLASSIFIED, "Unclassified", 0, count, count, "blocking"))
    for view in state.categories:
        result = view.result
        if result.empty:
            status = "not applicable" if result.acknowledged else "EMPTY"
        else:
            status = "blocking" if result.blocking else "ok"
        lines.append(
            OverviewLine(
                f"board-{view.category.value}",
                view.category.title,
                result.closed,
                result.total,
                len(result.blocking),
                status,
            )
        )
    vulnerabilities = state.vulnerabilities
    if vulnerabilities is not None:
        blocking = vulnerabilities.blocking
        status = "ok" if vulnerabilities.passed else ("blocking" if blocking else BLOCKED)
        lines.append(
            OverviewLine(
                VULNERABILITIES,
                VULNERABILITIES_LABEL,
                vulnerabilities.settled,
                vulnerabilities.findings,
                blocking,
                status,
            )
        )
    return tuple(lines)


def _line(line: OverviewLine, selected: bool, focused: bool, matches: int | None) -> Text:
    text = Text("▶ " if selected else "  ", style="bold" if selected else "")
    text.append(line.label.ljust(LABEL_WIDTH)[:LABEL_WIDTH], style="bold" if selected else "")
    if line.board == UNCLASSIFIED:
        text.append(f"{line.total:>5} item(s)  ")
        text.append(" " * OVERVIEW_BAR)
    elif line.board == VULNERABILITIES:
        text.append(f"{f'{line.closed}/{line.total}':>7} settled ")
        # Blocked for its documents alone, the bar must not look done.
        blocking = line.blocking or int(line.state == BLOCKED)
        text.append_text(bar(line.closed, line.total, OVERVIEW_BAR, blocking=blocking))
    else:
        text.append(f"{f'{line.closed}/{line.total}':>7} closed  ")
        text.append_text(bar(line.closed, line.total, OVERVIEW_BAR, blocking=line.blocking))
    text.append("  ")
    if line.state == "blocking":
        text.append(f"{line.blocking} blocking", style="bold red")
    elif line.state == BLOCKED:
        text.append("BLOCKED (see its board)", style="bold red")
    elif line.state == "EMPTY":
        text.append("EMPTY: blocks", style="bold yellow")
    elif line.state == "ok":
        text.append("ok", style="green")
    else:
        text.append(line.state, style="dim")
    if matches is not None:
        text.append(f"  · {matches} match{'es' if matches != 1 else ''}", style="bold")
    if selected and focused:
        text.stylize("reverse")
    return text


class CategoryOverview(Static, can_focus=True):
    """Up and down choose a category; enter opens its item list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("home", "move(-100)", "First", show=False),
        Binding("end", "move(100)", "Last", show=False),
        Binding("enter", "open", "List items"),
    ]

    selected: reactive[int] = reactive(0, init=False)

    class Selected(Message):
        """The cursor is on another category: its items should be listed."""

        def __init__(self, board: str) -> None:
            super().__init__()
            self.board = board

    class Opened(Message):
        """Enter: move to the category's item list."""

        def __init__(self, board: str) -> None:
            super().__init__()
            self.board = board

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)
        self.lines: tuple[OverviewLine, ...] = ()
        #: Until the person moves the cursor, it follows the first line that blocks.
        self._moved = False
        #: Items matching the board's filter, per board (None: no filter).
        self.matches: dict[str, int] | None = None

    @property
    def board(self) -> str | None:
        """The board of the category under the cursor."""
        return self.lines[self.selected].board if self.lines else None

    def show(self, state: BoardState) -> None:
        lines = overview_lines(state)
        if lines == self.lines:
            return
        current = self.board
        self.lines = lines
        boards = [line.board for line in lines]
        if current in boards and self._moved:
            index = boards.index(current)
        else:
            # A first look goes where the release is blocked.
            index = next((n for n, line in enumerate(lines) if line.state != "ok"), 0)
        self.set_reactive(CategoryOverview.selected, index)
        self._paint()
        self.post_message(self.Selected(lines[index].board))

    def select(self, board: str) -> None:
        boards = [line.board for line in self.lines]
        if board in boards:
            self._moved = True
            self.selected = boards.index(board)

    def show_matches(self, matches: dict[str, int] | None) -> None:
        """Say how many items match the filter per category; go to the first that has any."""
        self.matches = matches
        board = self.board
        if matches and board is not None and not matches.get(board):
            first = next((line.board for line in self.lines if matches.get(line.board)), None)
            if first is not None:
                self.select(first)
        self._paint()

    def _paint(self) -> None:
        text = Text()
        for n, line in enumerate(self.lines):
            if n:
                text.append("\n")
            matches = None if self.matches is None else self.matches.get(line.board, 0)
            text.append_text(_line(line, n == self.selected, self.has_focus, matches))
        self.update(text)

    def watch_selected(self) -> None:
        self._paint()
        if self.lines:
            self.post_message(self.Selected(self.lines[self.selected].board))

    def action_move(self, delta: int) -> None:
        if self.lines:
            self._moved = True
            self.selected = max(0, min(len(self.lines) - 1, self.selected + delta))

    def action_open(self) -> None:
        if self.lines:
            self.post_message(self.Opened(self.lines[self.selected].board))

    def on_focus(self) -> None:
        self._paint()

    def on_blur(self) -> None:
        self._paint()
