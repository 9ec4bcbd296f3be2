"""The one screen that publishes a record of any kind: prepare, preview, typed
confirmation, each protocol step as it happens, and the result.

The kind's own inputs (acknowledgements, conclusions) come from a
:class:`~secgate_tui.app.screens.publish_flows.PublishFlow` and sit above the
rest. Preparing and publishing run in thread workers; their step events arrive
as messages, so the screen shows progress while the tracker is written and
read back. Nothing is written before the confirmation is typed, and no
confirmation is offered unless the record is ready.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Static, TextArea

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe, safe_block
from secgate_tui.app.screens.publish_flows import Outcome, PublishFlow, state_lines
from secgate_tui.app.widgets.step_list import StepList
from secgate_tui.domain import Verdict
from secgate_tui.domain.text import printable
from secgate_tui.services.publish import PUBLISH_STEPS, Prepared, Step, StepEvent

_COUNT = re.compile(r"^(\d+) issue")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def sync_wording(detail: str, verdict: Verdict) -> str:
    """The sync step's count as the board counts it: the issues in the release's gate
    (categories and unclassified), and how many fetched issues are outside it."""
    in_gate = sum(c.total for c in verdict.categories) + len(verdict.unclassified)
    found = _COUNT.match(detail)
    if found is None:
        return detail
    fetched = int(found.group(1))
    text = f"{plural(fetched, 'issue')} fetched, {in_gate} in the gate (as the board counts)"
    if fetched > in_gate:
        text += f"; {fetched - in_gate} outside the security scope"
    return text


class PublishScreen(Screen[bool]):
    """Dismissed with True once the record is published (read back and logged)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    class StepHappened(Message):
        def __init__(self, event: StepEvent) -> None:
            super().__init__()
            self.event = event

    class PrepareEnded(Message):
        def __init__(self, prepared: Prepared[Any] | None, request: Any, error: str) -> None:
            super().__init__()
            self.prepared = prepared
            self.request = request
            self.error = error

    class PublishEnded(Message):
        def __init__(self, outcome: Outcome | None, error: str) -> None:
            super().__init__()
            self.outcome = outcome
            self.error = error

    def __init__(self, controller: Controller, flow: PublishFlow) -> None:
        super().__init__()
        self.controller = controller
        self.flow = flow
        self.prepared: Prepared[Any] | None = None
        self.request: Any = None
        self.busy = False
        self.publishing = False
        self.done = False
        #: The sync step's own words ("N issue(s)") once it is done.
        self.synced = ""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="publish-title", markup=False)
        with VerticalScroll(id="publish-body"):
            yield from self.flow.compose_inputs()
            initial = "Preparing…" if self.flow.auto_prepare else "Nothing prepared yet."
            yield Static(Text(initial), id="publish-verdict", markup=False)
            yield StepList(self.flow.kind.steps, id="publish-steps")
            yield Static(Text(""), id="publish-confirm-label", markup=False)
            with Horizontal(id="publish-confirm"):
                yield Input(
                    placeholder=f"type {self.flow.confirmation} to confirm",
                    id="publish-input",
                    disabled=True,
                )
                yield Button(self.flow.label, id="publish-go", variant="error", disabled=True)
            yield Static(Text(""), id="publish-result", markup=False)
            yield Static(Text(""), id="publish-preview", markup=False)
        yield Footer()

    def _title(self, outcome: Text | None = None) -> Text:
        title = Text(f" {self.flow.label} ", style="bold reverse")
        title.append_text(safe(f"  {self.flow.heading}", 80, "bold"))
        if outcome is not None:
            title.append("  ")
            title.append_text(outcome)
        return title

    def on_mount(self) -> None:
        blink = getattr(self.app, "cursor_blink", True)
        for field in self.query(Input):
            field.cursor_blink = blink
        for area in self.query(TextArea):
            area.cursor_blink = blink
        self._show_confirmation(False)
        self.flow.show_inputs(self)
        if self.flow.auto_prepare:
            self.run_prepare()

    def _show_confirmation(self, shown: bool) -> None:
        """No confirmation field or button unless the record is ready to publish."""
        self.query_one("#publish-confirm").display = shown
        self.query_one("#publish-confirm-label").display = shown
        field = self.query_one("#publish-input", Input)
        field.disabled = not shown
        self.query_one("#publish-go", Button).disabled = True
        if shown:
            field.focus()

    # -- prepare ------------------------------------------------------------------------

    @on(Checkbox.Changed)
    @on(Input.Submitted)
    @on(Button.Pressed)
    def _input_event(self, message: Message) -> None:
        if self.flow.prepares_on(message):
            message.stop()
            if not self.busy and not self.done:
                self.run_prepare()

    def run_prepare(self) -> None:
        verdict = self.query_one("#publish-verdict", Static)
        try:
            request = self.flow.request(self)
        except UiError as exc:
            self.prepared = None
            self._show_confirmation(False)
            verdict.update(self._not_prepared(exc.message))
            return
        self.busy = True
        self.prepared = None
        self.synced = ""
        self._show_confirmation(False)
        self.query_one(StepList).reset()
        verdict.update(Text("Preparing (nothing is written)…"))
        self._prepare(request)

    @work(thread=True, exclusive=True, group="publish", exit_on_error=False)
    def _prepare(self, request: Any) -> None:
        def on_step(event: StepEvent) -> None:
            self.post_message(self.StepHappened(event))

        try:
            prepared = self.flow.prepare(self.controller, request, on_step)
        except UiError as exc:
            self.post_message(self.PrepareEnded(None, request, exc.message))
            return
        self.post_message(self.PrepareEnded(prepared, request, ""))

    @on(StepHappened)
    def _step(self, message: StepHappened) -> None:
        event = message.event
        if event.step is Step.SYNC and event.state == "done":
            self.synced = event.detail
        self.query_one(StepList).record(event)

    def _not_prepared(self, error: str) -> Text:
        text = Text(" NOT PREPARED ", style="bold reverse red")
        text.append("  Nothing was written to any tracker.\n")
        text.append_text(safe(error, 600))
        return text

    @on(PrepareEnded)
    def _prepared(self, message: PrepareEnded) -> None:
        self.busy = False
        self.flow.show_inputs(self)  # e.g. the reason a shipped release needs
        verdict = self.query_one("#publish-verdict", Static)
        preview = self.query_one("#publish-preview", Static)
        prepared = message.prepared
        if prepared is None:
            verdict.update(self._not_prepared(message.error))
            preview.update(Text(""))
            return
        self.prepared, self.request = prepared, message.request
        verdict.update(self._verdict(prepared))
        if self.synced and prepared.verdict is not None and prepared.verdict.categories:
            # The count the board shows, and what the sync fetched besides.
            detail = sync_wording(self.synced, prepared.verdict)
            self.query_one(StepList).record(StepEvent(step=Step.SYNC, state="done", detail=detail))
        if not prepared.ready:
            preview.update(Text("(no record: nothing can be published now)", style="dim"))
            return
        heading = Text("Record preview\n", style="bold")
        heading.append_text(safe_block(prepared.preview))
        preview.update(heading)
        prompt = Text("Type ")
        prompt.append_text(safe(self.flow.confirmation, 40, "bold"))
        prompt.append(f" and press enter (or the button) to {self.flow.label.lower()}:")
        self.query_one("#publish-confirm-label", Static).update(prompt)
        self._show_confirmation(True)

    def _verdict(self, prepared: Prepared[Any]) -> Text:
        text = Text()
        if prepared.ready:
            label = " GATE PASS " if prepared.verdict is not None else " READY "
            text.append(label, style="bold reverse green")
            target = prepared.target or "a new record issue"
            text.append("  The record below will be posted to ")
            text.append_text(safe(f"{target} in {prepared.tracker}", 80))
            text.append(", read back, logged and exported.")
            if prepared.earlier:
                text.append(
                    "\nThe same record is already in the tracker: it is read back and "
                    "logged; nothing is posted."
                )
            for warning in prepared.warnings:
                text.append("\n")
                text.append_text(safe(f"warning: {warning}", 300, "yellow"))
            text.append_text(self.flow.confirm_note(prepared))
            return text
        if prepared.blocked and prepared.verdict is not None and not prepared.verdict.passed:
            text.append(" GATE BLOCKED ", style="bold reverse red")
            reasons: tuple[str, ...] = prepared.verdict.reasons or (prepared.message,)
        elif prepared.blocked:
            # The gate passes but the approval policy refuses this signer.
            text.append(" REFUSED ", style="bold reverse red")
            reasons = (prepared.message,)
        else:
            text.append(" NOT PREPARED ", style="bold reverse red")
            reasons = (prepared.message,)
        if prepared.failed_step is not None:
            text.append(f"  step '{prepared.failed_step.value}' failed", style="bold")
        text.append("  Nothing was written to any tracker.")
        for reason in reasons:
            text.append("\n • ")
            text.append_text(safe(reason, 300))
        return text

    # -- confirm and publish --------------------------------------------------------------

    @on(Input.Changed, "#publish-input")
    def _typed(self) -> None:
        self.query_one("#publish-go", Button).disabled = not self._confirmed()

    def _confirmed(self) -> bool:
        return (
            self.prepared is not None
            and self.prepared.ready
            and not self.busy
            and not self.done
            and self.query_one("#publish-input", Input).value == self.flow.confirmation
        )

    @on(Input.Submitted, "#publish-input")
    @on(Button.Pressed, "#publish-go")
    def _go(self, message: Message) -> None:
        message.stop()
        if not self._confirmed():
            self.notify(f"Type {self.flow.confirmation} exactly to confirm.", severity="warning")
            return
        assert self.prepared is not None
        try:
            current = self.flow.request(self)
        except UiError:
            current = None
        if current != self.request:
            # Inputs changed since the preview: what is confirmed must be what was shown.
            self.notify("The inputs changed since the preview: prepared again.")
            self.run_prepare()
            return
        self.busy = self.publishing = True
        self.query_one("#publish-input", Input).disabled = True
        self.query_one("#publish-go", Button).disabled = True
        for widget in self.query(
            "Checkbox, .publish-ack Input, .publish-field, TextArea, #review-prepare"
        ):
            widget.disabled = True
        self.query_one(StepList).reset(PUBLISH_STEPS)
        self._publish(self.prepared)

    @work(thread=True, exclusive=True, group="publish", exit_on_error=False)
    def _publish(self, prepared: Prepared[Any]) -> None:
        def on_step(event: StepEvent) -> None:
            self.post_message(self.StepHappened(event))

        try:
            # A signature is made in here, at the confirmation (before anything is posted).
            outcome = self.flow.publish(self.controller, prepared, on_step)
        except UiError as exc:
            self.post_message(self.PublishEnded(None, exc.message))
            return
        self.post_message(self.PublishEnded(outcome, ""))

    @on(PublishEnded)
    def _published(self, message: PublishEnded) -> None:
        self.busy = self.publishing = False
        outcome = message.outcome
        published = outcome.published if outcome is not None else None
        self.done = published is not None and published.done
        view = self.query_one("#publish-result", Static)
        if outcome is None:
            name, style = self.flow.not_done_label, "bold reverse red"
        else:
            name, style = self.flow.result_label(outcome)
        label = Text(f" {name} ", style=style)
        self.query_one("#publish-title", Static).update(self._title(label))
        text = label.copy()
        if published is None:
            text.append(" ")
            text.append_text(safe(message.error, 600))
        elif self.done:
            text.append(" ")
            text.append_text(safe(published.message, 200))
            if published.comment is not None:
                text.append("\nTracker record: ")
                text.append_text(
                    safe(published.comment.url or published.comment.key, 200, "underline")
                )
            for path in published.exports:
                text.append("\nExported: ")
                text.append_text(safe(str(path), 400))
            for note in published.notes:
                text.append("\n")
                text.append_text(safe(note, 300, "yellow"))
            text.append_text(self.flow.result_lines(published))
            assert outcome is not None
            text.append_text(state_lines(outcome.state))
        else:
            if published.failed_step is not None:
                text.append(f"  step '{published.failed_step.value}' failed:", style="bold")
            text.append("\n")
            text.append_text(safe(published.message, 600))
        if not self.done:
            text.append("\nIt is safe to retry: press escape and start again.", style="dim")
        view.update(text)
        view.scroll_visible()
        if published is not None and published.exports:
            # Where the files went, also once the result has scrolled away.
            self.notify(
                "\n".join(printable(str(path)) for path in published.exports),
                title="Exported",
                timeout=12,
                markup=False,
            )

    def action_close(self) -> None:
        if self.publishing:
            self.notify("Writing to the tracker; wait for the result.", severity="warning")
            return
        self.dismiss(self.done)
