"""The one publish screen, for an authorization and for a review: success, gate
blocked, write-back failure, acknowledgements with their reasons."""

from __future__ import annotations

import threading
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, TextArea

from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.confirm_quit import ConfirmQuit
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.screens.reviews import ReviewsScreen
from secgate_tui.app.widgets.step_list import StepList
from secgate_tui.commands.context import Context
from secgate_tui.services.authorization import Step
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION
from tests.tui.conftest import (
    SIZE,
    AppFactory,
    Sandbox,
    clock,
    plain,
    run,
    settle,
    wait_until,
)


def records(sandbox: Sandbox) -> list[str]:
    """Authorization records posted to the tracker (seeded comments excluded)."""
    return [
        comment["body"]
        for issue in sandbox.load()["issues"].values()
        for comment in issue.get("comments", [])
        if "secgate-record" in comment["body"]
    ]


def text_of(app: object, selector: str) -> str:
    return plain(app.screen.query_one(selector))  # type: ignore[attr-defined]


def test_authorize_success_posts_reads_back_and_logs(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PublishScreen)
            assert "GATE PASS" in text_of(app, "#publish-verdict")
            assert "Security release authorization" in text_of(app, "#publish-preview")
            go = screen.query_one("#publish-go", Button)
            assert go.disabled
            await pilot.press(*"2.")  # not yet the release name
            assert go.disabled
            await pilot.press("0")
            assert not go.disabled
            await pilot.press("enter")
            await settle(pilot)
            result = text_of(app, "#publish-result")
            assert "AUTHORIZED" in result and "NOT AUTHORIZED" not in result
            assert "Tracker record: sandbox:IPC-" in result
            assert "Security-Release-Authorization_ipc_2.0_rev1_SEC-REC-SRA-" in result
            # The header now says how it ended, not what was about to happen.
            assert "AUTHORIZED" in text_of(app, "#publish-title")
            steps = screen.query_one(StepList).states
            assert all(steps[step][0] == "done" for step in AUTHORIZATION.steps)
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())
    assert len(records(sandbox)) == 1
    assert len(context.store.audit_entries("authorization", "ipc", "2.0")) == 1


def test_blocked_gate_offers_no_confirmation_and_writes_nothing(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PublishScreen)
            verdict = text_of(app, "#publish-verdict")
            assert "GATE BLOCKED" in verdict
            assert "System test findings: 2 of 6 item(s) block the release" in verdict
            field = screen.query_one("#publish-input", Input)
            # Neither a field nor a button to confirm what cannot be authorized.
            assert field.disabled and not screen.query_one("#publish-confirm").display
            assert field.region.area == 0
            assert screen.query_one("#publish-go", Button).region.area == 0
            await pilot.press(*"2.2", "enter")
            assert screen.query_one(StepList).states[Step.POST][0] == "pending"
            assert screen.query_one(StepList).states[Step.EVALUATE][0] == "failed"

    run(scenario())
    assert records(sandbox) == []
    assert context.store.audit_entries("authorization") == []


def test_write_back_failure_names_the_step_and_does_not_authorize(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert "GATE PASS" in text_of(app, "#publish-verdict")
            sandbox.edit(lambda data: data["faults"].update(fail_post=True))
            await pilot.press(*"2.0", "enter")
            await settle(pilot)
            result = text_of(app, "#publish-result")
            assert "NOT AUTHORIZED" in result
            assert "step 'post' failed" in result
            assert "failed during post" in result
            screen = app.screen
            assert isinstance(screen, PublishScreen)
            assert screen.query_one(StepList).states[Step.POST][0] == "failed"
            assert screen.query_one(StepList).states[Step.LOG][0] == "pending"

    run(scenario())
    assert records(sandbox) == []
    assert context.store.audit_entries("authorization") == []


def test_acknowledging_an_empty_category_lets_the_gate_pass(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert "GATE BLOCKED" in text_of(app, "#publish-verdict")
            reason = app.screen.query_one("#reason-system-test-findings", Input)
            reason.value = "no system test in a patch release"
            checkbox = app.screen.query_one("#ack-system-test-findings", Checkbox)
            checkbox.value = True
            await settle(pilot)
            assert "GATE PASS" in text_of(app, "#publish-verdict")
            assert "no system test in a patch release" in text_of(app, "#publish-preview")
            await pilot.press(*"2.2.1", "enter")
            await settle(pilot)
            assert "AUTHORIZED" in text_of(app, "#publish-result")

    run(scenario())
    entries = context.store.audit_entries("authorization", "ipc", "2.2.1")
    assert len(entries) == 1


def test_a_reason_changed_after_the_preview_is_prepared_again_not_published(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            app.screen.query_one("#ack-system-test-findings", Checkbox).value = True
            await settle(pilot)
            app.screen.query_one("#reason-system-test-findings", Input).value = "later reason"
            await pilot.press(*"2.2.1", "enter")
            await settle(pilot)
            assert "later reason" in text_of(app, "#publish-preview")
            assert "AUTHORIZED" not in text_of(app, "#publish-result")

    run(scenario())
    assert records(sandbox) == []


NO_WITHOUT_COMMENT = 'complete = { answer = "no" }\nefficient = { answer = "yes" }\n'


def review_comments(sandbox: Sandbox) -> list[str]:
    issue = sandbox.load()["issues"]["IPC-6"]
    return [c["body"] for c in issue.get("comments", []) if "secgate-review" in c["body"]]


async def press_prepare(pilot: Pilot[int], screen: PublishScreen) -> None:
    """Click Prepare the way a person does: once the button is back up and enabled.

    A Textual button ignores clicks during its press effect (0.2 s after the
    previous click); a test that clicks again at machine speed would be ignored
    and then wait for a preparation that never started.
    """
    button = screen.query_one("#review-prepare", Button)
    await wait_until(pilot, lambda: not button.has_class("-active") and not button.disabled, 5)
    await pilot.click("#review-prepare")
    await settle(pilot)


def test_record_a_review_then_the_schedule_counts_it(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("v")
            await settle(pilot)
            await pilot.press("n")  # the highlighted row: ipc
            screen = app.screen
            assert isinstance(screen, PublishScreen) and screen.flow.confirmation == "ipc"

            # A bad answer is explained and nothing is prepared.
            screen.query_one(TextArea).text = NO_WITHOUT_COMMENT
            await press_prepare(pilot, screen)
            assert "NOT PREPARED" in text_of(app, "#publish-verdict")
            assert screen.prepared is None
            assert not screen.query_one("#publish-confirm").display

            screen.query_one(TextArea).load_text(
                'complete = { answer = "yes", comment = "", explanation = "as is" }\n'
                'efficient = { answer = "yes", comment = "", explanation = "as is" }\n'
                'resolution = { answer = "yes", comment = "", explanation = "as is" }\n'
            )
            await press_prepare(pilot, screen)
            assert "READY" in text_of(app, "#publish-verdict")
            assert review_comments(sandbox) == []  # preparing writes nothing
            await pilot.press(*"ipc", "enter")
            await settle(pilot)
            result = text_of(app, "#publish-result")
            assert "RECORDED" in result and "NOT RECORDED" not in result
            assert "Next review due: 2027-03-02" in result
            assert "RECORDED" in text_of(app, "#publish-title")

            await pilot.press("escape")
            await settle(pilot)
            reviews = app.screen
            assert isinstance(reviews, ReviewsScreen)
            table = reviews.query_one(DataTable)
            row = [str(cell).strip() for cell in table.get_row_at(0)]
            assert row[4] == "2026-03-02" and row[6].startswith("tracker")
            assert row[1] == "OK" and row[2] == "2027-03-02"

    run(scenario())
    assert len(review_comments(sandbox)) == 1
    assert len(context.store.audit_entries()) == 1


def test_q_does_not_quit_out_of_the_publish_dialog(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, PublishScreen)
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, PublishScreen)

    run(scenario())


def test_the_sync_step_counts_as_the_board_does(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, PublishScreen)
            prepared = app.screen.prepared
            assert prepared is not None and prepared.verdict is not None
            verdict = prepared.verdict
            in_gate = sum(c.total for c in verdict.categories) + len(verdict.unclassified)
            steps = text_of(app, "#publish-steps")
            assert f", {in_gate} in the gate (as the board counts)" in steps, steps
            assert "issue(s)" not in steps

    run(scenario())


class HeldSync(Controller):
    """A tracker that answers only when the test says so: a sync stays in flight."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.go = threading.Event()
        self.go.set()

    def refresh(self, product: str, release: str, *, full: bool = False) -> Any:
        self.go.wait(timeout=30)
        return super().refresh(product, release, full=full)


def test_q_asks_before_quitting_while_a_sync_is_in_flight(context: Context) -> None:
    controller = HeldSync(context, clock)
    controller.releases("ipc")

    async def scenario() -> None:
        app = SecgateApp(controller, "ipc", "2.2", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("q")  # nothing in flight: q quits at once
            assert not app.is_running
        app = SecgateApp(controller, "ipc", "2.2", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            controller.go.clear()
            await pilot.press("s")  # a sync starts and waits for the tracker
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmQuit)
            assert "A sync from the trackers is running" in text_of(app, "#confirm-quit-text")
            await pilot.press("n")
            assert isinstance(app.screen, BoardScreen) and app.is_running
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmQuit)
            controller.go.set()
            await pilot.press("y")
            await pilot.pause()
            assert not app.is_running

    run(scenario())
