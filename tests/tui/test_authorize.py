"""The authorization flow in the UI: success, gate blocked, write-back failure."""

from __future__ import annotations

from textual.widgets import Button, Checkbox, Input

from secgate_tui.app.screens.authorize import AuthorizeScreen
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.widgets.step_list import StepList
from secgate_tui.commands.context import Context
from secgate_tui.services.authorization import Step
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION
from tests.tui.conftest import SIZE, AppFactory, Sandbox, plain, run, settle


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
        app = make_app("ipc", "2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AuthorizeScreen)
            assert "GATE PASS" in text_of(app, "#auth-verdict")
            assert "Security release authorization" in text_of(app, "#auth-record")
            go = screen.query_one("#auth-go", Button)
            assert go.disabled
            await pilot.press(*"2.")  # not yet the release name
            assert go.disabled
            await pilot.press("1")
            assert not go.disabled
            await pilot.press("enter")
            await settle(pilot)
            result = text_of(app, "#auth-result")
            assert "AUTHORIZED" in result and "NOT AUTHORIZED" not in result
            assert "Tracker record: sandbox:IPC-" in result
            assert "Security-Release-Authorization_ipc_2.1.md" in result
            steps = screen.query_one(StepList).states
            assert all(steps[step][0] == "done" for step in AUTHORIZATION.steps)
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())
    assert len(records(sandbox)) == 1
    assert len(context.store.audit_entries("authorization", "ipc", "2.1")) == 1


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
            assert isinstance(screen, AuthorizeScreen)
            verdict = text_of(app, "#auth-verdict")
            assert "GATE BLOCKED" in verdict
            assert "System test findings: 2 of 6 item(s) block the release" in verdict
            assert screen.query_one("#auth-input", Input).disabled
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
            assert "GATE PASS" in text_of(app, "#auth-verdict")
            sandbox.edit(lambda data: data["faults"].update(fail_post=True))
            await pilot.press(*"2.0", "enter")
            await settle(pilot)
            result = text_of(app, "#auth-result")
            assert "NOT AUTHORIZED" in result
            assert "step 'post' failed" in result
            assert "failed during post" in result
            screen = app.screen
            assert isinstance(screen, AuthorizeScreen)
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
            assert "GATE BLOCKED" in text_of(app, "#auth-verdict")
            checkbox = app.screen.query_one("#ack-system-test-findings", Checkbox)
            checkbox.value = True
            await settle(pilot)
            assert "GATE PASS" in text_of(app, "#auth-verdict")
            assert "acknowledged as not applicable" in text_of(app, "#auth-record")
            await pilot.press(*"2.2.1", "enter")
            await settle(pilot)
            assert "AUTHORIZED" in text_of(app, "#auth-result")

    run(scenario())
    entries = context.store.audit_entries("authorization", "ipc", "2.2.1")
    assert len(entries) == 1
