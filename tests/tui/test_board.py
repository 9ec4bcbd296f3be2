"""The board: what a release manager sees, live updates, stale data, navigation."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.issue_detail import IssueDetailScreen
from secgate_tui.app.screens.picker import ReleasePicker
from secgate_tui.app.screens.reviews import ReviewsScreen
from secgate_tui.app.view_model import BLOCKING
from secgate_tui.app.widgets.activities import ActivitiesPanel
from secgate_tui.app.widgets.category_board import CategoryBoard
from secgate_tui.app.widgets.issue_table import IssueTable
from secgate_tui.app.widgets.review_badge import ReviewBadge
from secgate_tui.commands.context import Context
from tests.tui.conftest import (
    NOW,
    SIZE,
    AppFactory,
    Sandbox,
    banner_text,
    clock,
    plain,
    run,
    settle,
    show_category,
    wait_until,
)


def board(app: object, category: str) -> CategoryBoard:
    return app.screen.query_one(f"#board-{category}", CategoryBoard)  # type: ignore[attr-defined]


def keys(table: IssueTable) -> list[str]:
    """The items that block (listed first; residual and closed items follow)."""
    return [row.key for row in table.rows if row.kind == BLOCKING]


def test_board_shows_verdict_boards_activities_and_review(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            banner = banner_text(app)
            assert "BLOCKED" in banner
            assert "12 items block" in banner
            assert "Last sync: 2026-03-02T12:00:00Z" in banner
            findings = board(app, "system-test-findings")
            assert keys(findings.table) == ["IPC-93", "IPC-94"]
            assert "4/6 closed" in plain(findings.query_one(".board-header"))  # type: ignore[arg-type]
            assert app.screen.query_one("#unclassified", CategoryBoard).display
            activities = plain(app.screen.query_one(ActivitiesPanel))
            assert "Threat model" in activities and "complete" in activities
            review = app.screen.query_one(ReviewBadge)
            assert "(20 days left)" in plain(review)
            assert not review.has_class("-overdue")

    run(scenario())


def test_empty_category_stands_out_and_blocks(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2.1")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            empty = board(app, "system-test-findings")
            assert empty.has_class("-empty")
            assert "EMPTY" in plain(empty.query_one(".board-note"))  # type: ignore[arg-type]
            assert not board(app, "requirements").has_class("-empty")
            assert "BLOCKED" in banner_text(app)
            assert "1 reason blocks" in banner_text(app)
            assert "items block" not in banner_text(app)

    run(scenario())


def test_enter_opens_issue_detail_and_escape_returns(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board(app, "system-test-findings").table.focus()
            await pilot.press("down", "enter")
            assert isinstance(app.screen, IssueDetailScreen)
            assert app.screen.issue.key == "IPC-94"
            opened: list[str] = []
            app.screen.opener = opened.append  # type: ignore[method-assign]
            await pilot.press("o")  # a sandbox link is no web page: nothing opens
            assert opened == []
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())


def test_browser_key_opens_only_web_links(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BoardScreen) and screen.state is not None
            issue = screen.state.issues[("sandbox", "IPC-93")]
            detail = IssueDetailScreen(
                issue.model_copy(update={"url": "https://tracker.example/IPC-93"}), screen.state
            )
            opened: list[str] = []
            detail.opener = opened.append  # type: ignore[method-assign]
            await app.push_screen(detail)
            await pilot.press("o")
            assert opened == ["https://tracker.example/IPC-93"]

    run(scenario())


def test_switch_release_with_the_picker(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            assert isinstance(app.screen, ReleasePicker)
            await pilot.press("up", "up", "enter")  # 2.2 -> 2.1 -> 2.0
            await settle(pilot)
            assert "release 2.0" in banner_text(app)
            assert "PASS" in banner_text(app)
            assert keys(board(app, "implementation").table) == []  # nothing blocks

            await pilot.press("r")
            await pilot.press("end", "enter")  # the last release listed: dms 5.5
            await settle(pilot)
            assert "Dialysis Monitoring Suite (dms) release 5.5" in banner_text(app)
            assert "BLOCKED" in banner_text(app)
            review = app.screen.query_one(ReviewBadge)
            assert review.has_class("-overdue") and "OVERDUE" in plain(review)

    run(scenario())


def test_switch_release_from_the_command_palette(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.press(*"Open dms 5.4")
            await wait_until(pilot, lambda: _palette_ready(app), 5)
            await pilot.press("enter")
            await settle(pilot)
            assert "(dms) release 5.4" in banner_text(app)
            assert "PASS" in banner_text(app)

    run(scenario())


def _palette_ready(app: object) -> bool:
    from textual.command import CommandList

    try:
        found = app.screen.query_one(CommandList)  # type: ignore[attr-defined]
    except Exception:
        return False
    return bool(found.option_count)


def test_live_update_after_the_tracker_changes(make_app: AppFactory, sandbox: Sandbox) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "IPC-93" in keys(board(app, "system-test-findings").table)
            # An engineer closes IPC-93 in the tracker; nobody touches the UI.
            sandbox.set_issue(
                "IPC-93",
                status="Done",
                closed=True,
                resolution="Fixed",
                updated=NOW.isoformat(),
                closed_at=NOW.isoformat(),
            )
            findings = board(app, "system-test-findings")
            await wait_until(pilot, lambda: keys(findings.table) == ["IPC-94"], 15)
            assert "5/6 closed" in plain(findings.query_one(".board-header"))  # type: ignore[arg-type]
            assert "11 items block" in banner_text(app)

    run(scenario())


def test_unreachable_tracker_keeps_data_marks_stale_and_blocks(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "PASS" in banner_text(app)
            total = plain(board(app, "requirements").query_one(".board-header"))  # type: ignore[arg-type]
            sandbox.set_faults(unavailable=True)
            await pilot.press("s")
            await settle(pilot)
            banner = banner_text(app)
            assert "BLOCKED" in banner and "PASS" not in banner
            assert "STALE" in banner and "unavailable" in banner
            # The last data stays on screen.
            assert plain(board(app, "requirements").query_one(".board-header")) == total  # type: ignore[arg-type]
            sandbox.set_faults()
            await pilot.press("s")
            await settle(pilot)
            assert "PASS" in banner_text(app) and "STALE" not in banner_text(app)

    run(scenario())


def test_reviews_screen_lists_every_product(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("v")
            assert isinstance(app.screen, ReviewsScreen)
            await settle(pilot)  # the trackers' review records have been read
            table = app.screen.query_one(DataTable)
            cells = [table.get_row_at(i) for i in range(table.row_count)]
            rows = [[str(cell).strip() for cell in row] for row in cells]
            due_ipc = (NOW.date() - timedelta(days=345) + timedelta(days=365)).isoformat()
            # No review record in the demo tracker yet: the config's last_review counts.
            assert rows[0][0] == "ipc" and rows[0][6] == "config" and rows[0][2] == due_ipc
            assert rows[0][3] == "20" and rows[0][1] == "DUE-SOON"
            assert rows[1][0] == "dms" and rows[1][3] == "-35" and rows[1][1] == "OVERDUE"
            # Both states are coloured, and at 80 columns state, due date and days left
            # are on screen whatever the free-text columns hold.
            assert "yellow" in str(cells[0][1].style) and "red" in str(cells[1][1].style)
            columns = list(table.columns.values())
            assert sum(column.get_render_width(table) for column in columns[:4]) <= 80
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())


def test_small_terminal_keeps_banner_boards_and_footer(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert screen.has_class("-narrow")
            table = (await show_category(pilot, "system-test-findings")).table
            assert table.virtual_size.width <= table.size.width + 1
            assert table.size.height == len(table.rows)  # every item in view
            assert "BLOCKED" in banner_text(app)
            await pilot.resize_terminal(150, 40)  # wide enough for the side panel
            await settle(pilot)
            assert not screen.has_class("-narrow")

    run(scenario())


def test_sync_in_a_child_process_updates_the_board(context: Context, sandbox: Sandbox) -> None:
    """The real UI syncs in a child process (keys stay responsive); same result."""
    controller = Controller(context, clock, sync_process=True)
    controller.releases("ipc")

    async def scenario() -> None:
        app = SecgateApp(controller, "ipc", "2.2", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Last sync: 2026-03-02T12:00:00Z" in banner_text(app)
            sandbox.set_issue("IPC-94", status="Done", closed=True, resolution="Fixed")
            await pilot.press("s")
            await settle(pilot)
            findings = board(app, "system-test-findings").table
            assert keys(findings) == ["IPC-93"]
            findings.focus()
            await pilot.press("enter")  # the issue came from the child as text
            assert isinstance(app.screen, IssueDetailScreen)
            assert app.screen.issue.key == "IPC-93" and app.screen.issue.status == "To Do"
            await pilot.press("escape")
            sandbox.set_faults(unavailable=True)
            await pilot.press("s")
            await settle(pilot)
            assert "STALE" in banner_text(app) and "unavailable" in banner_text(app)

    try:
        run(scenario())
    finally:
        controller.close()
