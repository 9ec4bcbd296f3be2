"""The product's history: every authorization and review record, as ``secgate records``
lists them, read from the trackers (so it works on a machine that never authorized).

One row per record (newest first) with its state (AUTHORIZED, PENDING,
SUPERSEDED, LEGACY-UNSIGNED; SIGNED-OFF for a review, …), when, by whom and where; the
highlighted record's signatures and missing roles are spelled out below. A
tracker that cannot be read is named: the list is then incomplete, and says so.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe
from secgate_tui.services.records_listing import ListedRecord, Listing

COLUMNS = ("State", "Kind", "Release", "At (UTC)", "By", "Signed", "Where", "Record")
_STATE_STYLE = {
    "authorized": "bold reverse green",
    "signed-off": "bold reverse green",
    "recorded": "green",
    "pending": "bold reverse yellow",
    "superseded": "dim",
}


def state_badge(state: str) -> Text:
    return Text(f" {state.upper()} ", style=_STATE_STYLE.get(state, "bold reverse red"))


def details(record: ListedRecord) -> Text:
    """The highlighted record in words: its id, each signature, the roles still missing."""
    text = Text()
    text.append_text(safe(f"{record.kind} record {record.record_id}", 200, "bold"))
    text.append_text(safe(f" on {record.where}", 200))
    if record.kind == "authorization" and not record.signatures:
        text.append("\n  no signature", style="dim")
    for signature in record.signatures:
        text.append("\n  signed by ")
        text.append_text(
            safe(f"{signature['name']} ({signature['role']}) {signature['signed_at']}", 200)
        )
        if not signature["valid"]:
            text.append("  INVALID", style="bold red")
    if record.missing_roles:
        text.append("\n  missing: ", style="bold")
        text.append_text(safe(", ".join(record.missing_roles), 200, "bold"))
    return text


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("s", "reload", "Read again"),
    ]

    class Read(Message):
        def __init__(self, listing: Listing | None, error: str) -> None:
            super().__init__()
            self.listing = listing
            self.error = error

    def __init__(self, controller: Controller, product: str, release: str | None) -> None:
        super().__init__()
        self.controller = controller
        self.product = product
        self.release = release
        self.records: list[ListedRecord] = []

    def compose(self) -> ComposeResult:
        title = Text(" History ", style="bold reverse")
        title.append_text(
            safe(f"  authorization and review records of {self.product}, from the trackers", 200)
        )
        yield Static(title, id="history-title", markup=False)
        table: DataTable[Text] = DataTable(cursor_type="row", id="history-table")
        yield table
        yield Static(Text("Reading the records from the trackers…"), id="history-details")
        yield Static(Text(""), id="history-notes", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name)
        self.read_records()

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def read_records(self) -> None:
        try:
            listing = self.controller.history(self.product)
        except UiError as exc:
            self.post_message(self.Read(None, exc.message))
            return
        self.post_message(self.Read(listing, ""))

    @on(Read)
    def _read(self, message: Read) -> None:
        notes = self.query_one("#history-notes", Static)
        if message.listing is None:
            self.query_one("#history-details", Static).update(Text(""))
            notes.update(safe(message.error, 600, "bold red"))
            return
        listing = message.listing
        self.records = sorted(listing.records, key=lambda r: r.at, reverse=True)
        table = self.query_one(DataTable)
        table.clear()
        for record in self.records:
            mark = "◀ " if record.release and record.release == self.release else ""
            valid = sum(1 for s in record.signatures if s["valid"])
            table.add_row(
                state_badge(record.state),
                Text(record.kind),
                safe(mark + record.release if record.release else "—", 24),
                Text(record.at),
                safe(record.by, 30),
                Text(str(valid) if record.kind == "authorization" else "—"),
                safe(record.where, 30),
                Text(record.record_id),
            )
        text = Text()
        if not self.records:
            text.append("No record in the trackers yet.\n", style="dim")
        for problem in listing.problems:
            text.append_text(safe(f"incomplete: {problem}", 300, "yellow"))
            text.append("\n")
        text.append("s reads again; ? says where the exported copies are", style="dim")
        notes.update(text)
        self._show_details()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_details()

    def _show_details(self) -> None:
        table = self.query_one(DataTable)
        view = self.query_one("#history-details", Static)
        if 0 <= table.cursor_row < len(self.records):
            view.update(details(self.records[table.cursor_row]))
        else:
            view.update(Text(""))

    def action_reload(self) -> None:
        self.query_one("#history-details", Static).update(Text("Reading again…"))
        self.read_records()
