"""Pick a product and release: every product's releases, grouped, newest known."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from secgate_tui.app.render import safe
from secgate_tui.app.view_model import ReleaseChoice


class ReleasePicker(ModalScreen[ReleaseChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(
        self,
        choices: list[ReleaseChoice],
        products: dict[str, str],
        current: tuple[str, str | None],
    ) -> None:
        super().__init__()
        self.choices = choices
        self.products = products
        self.current = current

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        highlight = 0
        for product, name in self.products.items():
            mine = [c for c in self.choices if c.product == product]
            if options:
                options.append(None)
            options.append(Option(safe(f"{name} ({product})", style="bold"), disabled=True))
            if not mine:
                options.append(Option(Text("  releases not known yet", style="dim"), disabled=True))
            for choice in mine:
                label = Text("  ")
                label.append_text(safe(choice.release, 30))
                label.append("  released" if choice.released else "  upcoming", style="dim")
                if (choice.product, choice.release) == self.current:
                    label.append("  (shown)", style="italic")
                    highlight = len(options)
                options.append(Option(label, id=f"{choice.product}\x00{choice.release}"))
        with Vertical(id="picker"):
            yield Static(Text("Switch release  (enter to open, escape to cancel)"), markup=False)
            option_list = OptionList(*options, id="picker-list")
            option_list.highlighted = highlight
            yield option_list

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        product, _, release = (event.option.id or "").partition("\x00")
        for choice in self.choices:
            if (choice.product, choice.release) == (product, release):
                self.dismiss(choice)
                return

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
