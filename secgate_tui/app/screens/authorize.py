"""The authorization flow: verdict, record preview, acknowledgements, typed
confirmation, each protocol step as it happens, and the outcome.

Preparation (sync, evaluate, build) and commit (post, read back, log, export)
run in thread workers; their step events arrive as messages, so the screen
shows progress while the tracker is being written and read back.
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
from textual.widgets import Button, Checkbox, Footer, Input, Static

from secgate_tui.app.controller import Controller, UiError
from secgate_tui.app.render import safe, safe_block
from secgate_tui.app.view_model import BoardState
from secgate_tui.app.widgets.step_list import StepList
from secgate_tui.domain import Category
from secgate_tui.services.authorization import AuthorizationResult, Preparation
from secgate_tui.services.publish import PUBLISH_STEPS, StepEvent
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION

ACK_REASON = "acknowledged as not applicable in the secgate UI"
COMMIT_STEPS = PUBLISH_STEPS


class AuthorizeScreen(Screen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    class StepHappened(Message):
        def __init__(self, event: StepEvent) -> None:
            super().__init__()
            self.event = event

    class Prepared(Message):
        def __init__(self, preparation: Preparation | None, error: str | None) -> None:
            super().__init__()
            self.preparation = preparation
            self.error = error

    class Committed(Message):
        def __init__(self, result: AuthorizationResult | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, controller: Controller, state: BoardState) -> None:
        super().__init__()
        self.controller = controller
        self.product = state.product
        self.release = state.release
        self.empty = tuple(
            view.category
            for view in state.categories
            if view.result.empty and not view.result.acknowledged
        )
        self.preparation: Preparation | None = None
        self.busy = False
        self.authorized = False

    def compose(self) -> ComposeResult:
        title = Text(" Authorize ", style="bold reverse")
        title.append_text(safe(f"  {self.product} release {self.release}", 80, "bold"))
        yield Static(title, id="auth-title", markup=False)
        with VerticalScroll(id="auth-body"):
            yield Static(Text("Preparing: fresh sync and gate evaluation…"), id="auth-verdict")
            if self.empty:
                yield Static(
                    Text(
                        "Empty categories block until acknowledged as not applicable; the "
                        "acknowledgement and its reason go into the record:",
                        style="bold",
                    ),
                    markup=False,
                )
                for category in self.empty:
                    yield Checkbox(f"Not applicable: {category.title}", id=f"ack-{category.value}")
            yield StepList(AUTHORIZATION.steps, id="auth-steps")
            yield Static(Text(""), id="auth-confirm-label", markup=False)
            with Horizontal(id="auth-confirm"):
                yield Input(
                    placeholder=f"type {self.release} to confirm", id="auth-input", disabled=True
                )
                yield Button("Authorize", id="auth-go", variant="error", disabled=True)
            yield Static(Text(""), id="auth-result", markup=False)
            yield Static(Text("Record preview", style="bold"), markup=False)
            yield Static(Text("(built once the gate passes)", style="dim"), id="auth-record")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        self.run_prepare()

    # -- preparation --------------------------------------------------------------------

    def acks(self) -> dict[Category, str]:
        return {
            category: ACK_REASON
            for category in self.empty
            if self.query_one(f"#ack-{category.value}", Checkbox).value
        }

    def run_prepare(self) -> None:
        self.busy = True
        self.preparation = None
        self.query_one(StepList).reset()
        self.query_one("#auth-input", Input).disabled = True
        self.query_one("#auth-go", Button).disabled = True
        self._prepare(self.acks())

    @work(thread=True, exclusive=True, group="authorize", exit_on_error=False)
    def _prepare(self, acks: dict[Category, str]) -> None:
        def on_step(event: StepEvent) -> None:
            self.post_message(self.StepHappened(event))

        try:
            preparation = self.controller.prepare(self.product, self.release, acks, on_step)
        except UiError as exc:
            self.post_message(self.Prepared(None, exc.message))
            return
        self.post_message(self.Prepared(preparation, None))

    @on(StepHappened)
    def _step(self, message: StepHappened) -> None:
        self.query_one(StepList).record(message.event)

    @on(Checkbox.Changed)
    def _ack_changed(self) -> None:
        if not self.busy and not self.authorized:
            self.run_prepare()

    @on(Prepared)
    def _prepared(self, message: Prepared) -> None:
        self.busy = False
        verdict_view = self.query_one("#auth-verdict", Static)
        preparation = message.preparation
        if preparation is None:
            verdict_view.update(safe_block(message.error or "", "bold red"))
            return
        self.preparation = preparation
        verdict = preparation.verdict
        text = Text()
        if preparation.ready:
            text.append(" GATE PASS ", style="bold reverse green")
            text.append("  The record below will be posted to ")
            target = preparation.target or "a new record issue"
            text.append_text(safe(f"{preparation.tracker} {target}", 80))
            text.append(", read back and logged.")
        else:
            label = " GATE BLOCKED " if preparation.blocked else " CANNOT AUTHORIZE "
            text.append(label, style="bold reverse red")
            if preparation.failed_step is not None:
                text.append(f"  step '{preparation.failed_step.value}' failed", style="bold")
            text.append("  Nothing was written to any tracker.")
            reasons = verdict.reasons if preparation.blocked and verdict else (preparation.message,)
            for reason in reasons:
                text.append("\n • ")
                text.append_text(safe(reason, 300))
        verdict_view.update(text)
        record = self.query_one("#auth-record", Static)
        if preparation.ready:
            record.update(safe_block(preparation.rendered))
            prompt = Text("Type the release name ")
            prompt.append_text(safe(self.release, 40, "bold"))
            prompt.append(" and press enter (or the button) to authorize:")
            self.query_one("#auth-confirm-label", Static).update(prompt)
            field = self.query_one("#auth-input", Input)
            field.disabled = False
            field.focus()
        else:
            record.update(Text("(no record: the release cannot be authorized now)", style="dim"))

    # -- confirmation and commit -------------------------------------------------------

    @on(Input.Changed, "#auth-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#auth-go", Button).disabled = not self._confirmed()

    def _confirmed(self) -> bool:
        field = self.query_one("#auth-input", Input)
        return (
            self.preparation is not None
            and self.preparation.ready
            and not self.busy
            and not self.authorized
            and field.value == self.release
        )

    @on(Input.Submitted, "#auth-input")
    @on(Button.Pressed, "#auth-go")
    def _go(self) -> None:
        if not self._confirmed():
            self.notify(f"Type {self.release} exactly to confirm.", severity="warning")
            return
        assert self.preparation is not None
        self.busy = True
        self.query_one("#auth-input", Input).disabled = True
        self.query_one("#auth-go", Button).disabled = True
        for checkbox in self.query(Checkbox):
            checkbox.disabled = True
        self.query_one(StepList).reset(COMMIT_STEPS)
        self._commit(self.preparation)

    @work(thread=True, exclusive=True, group="authorize", exit_on_error=False)
    def _commit(self, preparation: Preparation) -> None:
        def on_step(event: StepEvent) -> None:
            self.post_message(self.StepHappened(event))

        try:
            result = self.controller.commit(preparation, on_step)
        except UiError as exc:
            self.post_message(self.Committed(None, exc.message))
            return
        self.post_message(self.Committed(result, None))

    @on(Committed)
    def _committed(self, message: Committed) -> None:
        self.busy = False
        view = self.query_one("#auth-result", Static)
        result = message.result
        if result is None:
            view.update(safe_block(f"NOT AUTHORIZED: {message.error}", "bold red"))
            return
        self.authorized = result.authorized
        text = Text()
        if result.authorized:
            text.append(" AUTHORIZED ", style="bold reverse green")
            text.append(" ")
            text.append_text(safe(result.message, 200))
            if result.comment is not None:
                text.append("\nTracker record: ")
                text.append_text(safe(result.comment.url or result.comment.key, 200, "underline"))
            for path in result.exports:
                text.append("\nExported: ")
                text.append_text(safe(str(path), 200))
            if result.failed_step is not None:
                text.append(f"\nStep '{result.failed_step.value}' needs attention.", style="bold")
        else:
            text.append(" NOT AUTHORIZED ", style="bold reverse red")
            if result.failed_step is not None:
                text.append(f"  step '{result.failed_step.value}' failed:", style="bold")
            text.append("\n")
            text.append_text(safe(result.message, 600))
            text.append("\nIt is safe to retry: press escape, then a.", style="dim")
        view.update(text)
        view.scroll_visible()

    def action_close(self) -> None:
        if self.busy and self.preparation is not None and not self.authorized:
            committing = any(
                self.query_one(StepList).states[step][0] == "started" for step in COMMIT_STEPS
            )
            if committing:
                self.notify("Writing to the tracker; wait for the result.", severity="warning")
                return
        self.dismiss(self.authorized)
