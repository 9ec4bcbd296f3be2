"""Pick a product and release: every product's releases, grouped, newest known;
``/`` filters them by name."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from secgate_tui.app.render import safe
from secgate_tui.app.view_model import ReleaseChoice


class ReleasePicker(ModalScreen[ReleaseChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel"),
        Binding("slash", "filter", "Filter", key_display="/"),
    ]

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

    def _options(self, needle: str) -> tuple[list[Option | None], int]:
        """The grouped options whose release or product contains ``needle``."""
        options: list[Option | None] = []
        highlight = 0
        needle = needle.strip().casefold()
        for product, name in self.products.items():
            mine = [
                c
                for c in self.choices
                if c.product == product
                and (not needle or needle in c.release.casefold() or needle in product.casefold())
            ]
            if needle and not mine:
                continue
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
        return options, highlight

    def compose(self) -> ComposeResult:
        options, highlight = self._options("")
        with Vertical(id="picker"):
            yield Static(
                Text("Switch release  (enter to open, / to filter, escape to cancel)"),
                markup=False,
            )
            yield Input(placeholder="filter releases by name", id="picker-filter")
            option_list = OptionList(*options, id="picker-list")
            option_list.highlighted = highlight
            yield option_list

    def on_mount(self) -> None:
        field = self.query_one("#picker-filter", Input)
        field.display = False
        field.cursor_blink = getattr(self.app, "cursor_blink", True)
        self.query_one(OptionList).focus()

    def action_filter(self) -> None:
        field = self.query_one("#picker-filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        options, highlight = self._options(event.value)
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        enabled = [n for n, o in enumerate(options) if o is not None and not o.disabled]
        option_list.highlighted = highlight if highlight in enabled else next(iter(enabled), None)

    @on(Input.Submitted, "#picker-filter")
    def _filter_done(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        product, _, release = (event.option.id or "").partition("\x00")
        for choice in self.choices:
            if (choice.product, choice.release) == (product, release):
                self.dismiss(choice)
                return

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
