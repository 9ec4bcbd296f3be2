"""Asked when q is pressed while work is in flight (a sync, an export): quit anyway?

y quits, n or escape stays. A write-back to a tracker happens only inside the
publish dialog, which refuses q until its result is in.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class ConfirmQuit(ModalScreen[bool]):
    """Dismissed with True to quit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit anyway"),
        Binding("n,escape", "answer(False)", "Stay"),
        Binding("q", "answer(False)", "Stay", show=False),
    ]

    def __init__(self, doing: str) -> None:
        super().__init__(id="confirm-quit")
        self.doing = doing

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-quit-box"):
            text = Text("Quit while work is in flight?\n", style="bold")
            text.append(f"{self.doing} is running. Quitting stops it; nothing half-written ")
            text.append("is kept as a result, and the next start syncs again.\n\n")
            text.append("y", style="bold")
            text.append(" quit anyway    ")
            text.append("n", style="bold")
            text.append(" / escape: stay")
            yield Static(text, id="confirm-quit-text", markup=False)
        yield Footer()

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)
