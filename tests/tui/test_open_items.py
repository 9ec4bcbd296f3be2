"""Residual and closed items, and required activities, can be opened (issue 17): their
dispositions and justifications, and each activity's evidence with its age against
its maximum, are visible in the UI, not only counted."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from secgate_tui.app.screens.activity_detail import ActivityDetailScreen
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.issue_detail import IssueDetailScreen
from secgate_tui.app.view_model import CLOSED, RESIDUAL
from secgate_tui.app.widgets.activities import ActivitiesPanel
from tests.tui.conftest import SIZE, AppFactory, Sandbox, plain, run, settle, show_category


def test_a_residual_item_opens_with_its_disposition_and_justification(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board = await show_category(pilot, "system-test-findings")
            rows = board.table.rows
            kinds = [row.kind for row in rows]
            assert RESIDUAL in kinds and CLOSED in kinds, kinds
            assert kinds == sorted(kinds, key=[RESIDUAL, CLOSED].index)  # residual first
            residual = kinds.index(RESIDUAL)
            board.table.focus()
            board.table.cursor_row = residual
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, IssueDetailScreen)
            standing = plain(app.screen.query_one("#detail-blocks", Static))
            assert standing.startswith("Residual item in System test findings"), standing
            justification = plain(app.screen.query_one("#detail-justification", Static))
            assert justification == app.screen.issue.justification != ""
            assert app.screen.issue.disposition.value == "deferred"
            await pilot.press("escape")
            board.table.cursor_row = kinds.index(CLOSED)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, IssueDetailScreen)
            standing = plain(app.screen.query_one("#detail-blocks", Static))
            assert "Closed in System test findings with an accepted disposition" in standing

    run(scenario())


def test_the_item_list_says_what_blocks_and_how_the_rest_was_dispositioned(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board = await show_category(pilot, "system-test-findings")
            reasons = [row.reason for row in board.table.rows if row.kind == RESIDUAL]
            assert reasons and all(
                r.startswith("deferred (residual): verbose error") for r in reasons
            ), reasons
            columns = plain(board.query_one(".board-columns", Static))
            assert "Why it blocks / disposition" in columns

    run(scenario())


def text_of(widget: Static) -> str:
    """A Static's renderable (a table) as the plain text it shows."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def open_activity(pilot: object, name: str) -> ActivityDetailScreen:
    app = pilot.app  # type: ignore[attr-defined]
    panel = app.screen.query_one(ActivitiesPanel)
    panel.focus()
    panel.selected = [a.name for a in panel.activities].index(name)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ActivityDetailScreen)
    return app.screen  # type: ignore[no-any-return]


def test_an_activity_opens_with_its_evidence_title_date_link_and_age(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_activity(pilot, "Penetration test")
            fields = text_of(screen.query_one("#activity-fields", Static))
            assert "IPC-3 in tracker 'sandbox'" in fields
            assert screen.issue is not None and screen.issue.title in fields
            assert "Evidence date  2026-02-18T10:00:00Z" in fields, fields
            assert "12 days" in fields  # evaluated 2026-03-02
            assert screen.issue.url in fields
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())


def test_an_unreachable_tracker_makes_an_activity_unknown_never_missing(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            sandbox.set_faults(unavailable=True)
            await pilot.press("s")
            await settle(pilot)
            panel = plain(app.screen.query_one(ActivitiesPanel))
            assert "unknown (tracker unreachable)" in panel, panel
            assert ": missing" not in panel, panel
            screen = await open_activity(pilot, "Penetration test")
            fields = text_of(screen.query_one("#activity-fields", Static))
            assert "unknown (tracker unreachable)" in fields, fields
            assert "missing" not in fields

    run(scenario())
