"""A text page over the current screen (help, every reason the gate blocks);
escape closes it and the screen below keeps its layout."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class InfoScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_page", "Close"),
        Binding("q", "dismiss_page", "Close", show=False),
    ]

    def __init__(self, title: str, body: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-page"):
            yield Static(Text(self.title_text, style="bold"), id="info-title", markup=False)
            yield Static(self.body, id="info-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#info-page").focus()

    def action_dismiss_page(self) -> None:
        self.dismiss(None)
