"""Recording a product's periodic review: conclusions, preview, confirmation, write-back.

The reviewer answers the standard's three questions (and may add improvement
actions) in the conclusions text, the same TOML as `secgate review record
--conclusions FILE`. Preparing gathers the period's figures and shows the
record exactly as it will be written; nothing is written until the product id
is typed to confirm. Writing, read-back, logging and export run in a worker
and report each step.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static, TextArea

from secgate_tui.app.controller import Controller, UiError
from secgate_tui.app.render import safe, safe_block
from secgate_tui.services.review import PreparedReview, RecordedReview

TEMPLATE = """\
# Answer each question "yes" or "no"; a "no" needs a comment saying what fell short.
complete   = { answer = "yes", comment = "" }
efficient  = { answer = "yes", comment = "" }
resolution = { answer = "yes", comment = "" }
summary = ""
participants = []

# Improvement actions (optional), each with a title, an owner and a due date:
# [[actions]]
# title = "Add a triage deadline for security defects"
# owner = "qa.lead"
# due = 2027-03-01
"""


class RecordReviewScreen(Screen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    class Prepared(Message):
        def __init__(self, prepared: PreparedReview | None, text: str, error: str) -> None:
            super().__init__()
            self.prepared = prepared
            self.text = text
            self.error = error

    class Progress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Recorded(Message):
        def __init__(self, done: RecordedReview | None, error: str) -> None:
            super().__init__()
            self.done = done
            self.error = error

    def __init__(self, controller: Controller, product: str) -> None:
        super().__init__()
        self.controller = controller
        self.product = product
        self.prepared: PreparedReview | None = None
        self.busy = False
        self.recorded = False
        self.steps: list[str] = []

    def compose(self) -> ComposeResult:
        title = Text(" Record review ", style="bold reverse")
        title.append_text(safe(f"  {self.product}: the reviewer's conclusions", 80, "bold"))
        yield Static(title, id="review-title", markup=False)
        with VerticalScroll(id="review-body"):
            yield TextArea(TEMPLATE, language=None, id="review-conclusions")
            yield Button("Prepare (nothing is written)", id="review-prepare", variant="primary")
            yield Static(Text(""), id="review-status", markup=False)
            with Horizontal(id="review-confirm"):
                yield Input(
                    placeholder=f"type {self.product} to write the record",
                    id="review-input",
                    disabled=True,
                )
                yield Button("Record", id="review-go", variant="error", disabled=True)
            yield Static(Text(""), id="review-result", markup=False)
            yield Static(Text(""), id="review-preview", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        self.query_one(TextArea).cursor_blink = getattr(self.app, "cursor_blink", True)

    # -- prepare ------------------------------------------------------------------

    @on(Button.Pressed, "#review-prepare")
    def _prepare_pressed(self) -> None:
        if self.busy or self.recorded:
            return
        self.busy = True
        self.prepared = None
        self.query_one("#review-input", Input).disabled = True
        self.query_one("#review-go", Button).disabled = True
        self.query_one("#review-status", Static).update(
            Text("Gathering the period's figures from the trackers…")
        )
        self._prepare(self.query_one(TextArea).text)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _prepare(self, conclusions: str) -> None:
        try:
            prepared, text = self.controller.prepare_review(self.product, conclusions)
        except UiError as exc:
            self.post_message(self.Prepared(None, "", exc.message))
            return
        self.post_message(self.Prepared(prepared, text, ""))

    @on(Prepared)
    def _prepared(self, message: Prepared) -> None:
        self.busy = False
        status = self.query_one("#review-status", Static)
        if message.prepared is None:
            status.update(safe_block(f"Not prepared: {message.error}", "bold red"))
            return
        self.prepared = prepared = message.prepared
        text = Text("Ready: the record below will be written to ", style="bold")
        text.append_text(safe(f"{prepared.tracker} {prepared.target}", 80, "bold"))
        text.append(", read back, logged and exported.")
        if prepared.earlier:
            text.append(
                "\nThe same conclusions are already recorded: the earlier record is read "
                "back and logged; nothing is posted."
            )
        for warning in prepared.warnings:
            text.append("\n")
            text.append_text(safe(f"warning: {warning}", 300, "yellow"))
        status.update(text)
        self.query_one("#review-preview", Static).update(safe_block(message.text))
        field = self.query_one("#review-input", Input)
        field.disabled = False
        field.focus()

    # -- record -------------------------------------------------------------------

    @on(Input.Changed, "#review-input")
    def _typed(self) -> None:
        self.query_one("#review-go", Button).disabled = not self._confirmed()

    def _confirmed(self) -> bool:
        return (
            self.prepared is not None
            and not self.busy
            and not self.recorded
            and self.query_one("#review-input", Input).value == self.product
        )

    @on(Input.Submitted, "#review-input")
    @on(Button.Pressed, "#review-go")
    def _go(self) -> None:
        if not self._confirmed():
            self.notify(f"Type {self.product} exactly to confirm.", severity="warning")
            return
        assert self.prepared is not None
        self.busy = True
        self.query_one("#review-input", Input).disabled = True
        self.query_one("#review-go", Button).disabled = True
        self._record(self.prepared)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _record(self, prepared: PreparedReview) -> None:
        def progress(text: str) -> None:
            self.post_message(self.Progress(text))

        try:
            done = self.controller.record_review(prepared, progress)
        except UiError as exc:
            self.post_message(self.Recorded(None, exc.message))
            return
        self.post_message(self.Recorded(done, ""))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.steps.append(message.text)
        text = Text()
        for step in self.steps:
            text.append("• ")
            text.append_text(safe(step, 200))
            text.append("\n")
        self.query_one("#review-result", Static).update(text)

    @on(Recorded)
    def _recorded(self, message: Recorded) -> None:
        self.busy = False
        view = self.query_one("#review-result", Static)
        done = message.done
        text = Text()
        for step in self.steps:
            text.append("• ")
            text.append_text(safe(step, 200))
            text.append("\n")
        if done is None:
            text.append(" NOT RECORDED ", style="bold reverse red")
            text.append(" ")
            text.append_text(safe(message.error, 600))
            text.append("\nIt is safe to prepare and record again.", style="dim")
        else:
            self.recorded = True
            ref, record = done.comment, done.record
            assert ref is not None and record is not None, "a recorded review names its comment"
            text.append(" RECORDED ", style="bold reverse green")
            text.append_text(safe(f" review {record.record_id}: {ref.url or ref.key}", 200))
            for path in done.exports:
                text.append("\nExported: ")
                text.append_text(safe(str(path), 200))
            text.append(f"\nNext review due: {record.next_due.isoformat()}")
        view.update(text)
        view.scroll_visible()

    def action_close(self) -> None:
        if self.busy and self.prepared is not None:
            self.notify("Writing to the tracker; wait for the result.", severity="warning")
            return
        self.dismiss(self.recorded)
