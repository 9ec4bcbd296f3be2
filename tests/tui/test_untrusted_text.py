"""Tracker text is shown literally: markup, actions, escapes and long lines stay inert."""

from __future__ import annotations

from rich.text import Text

from secgate_tui.app.screens.issue_detail import IssueDetailScreen
from tests.tui.conftest import NOW, SIZE, AppFactory, Sandbox, plain, run, settle, show_category

HOSTILE = {
    "IPC-93": "[bold red]PWNED[/bold red] [@click=app.quit]click me[/]",
    "IPC-94": "\u202eevil \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "IPC-95": "שלום עולם e\u0301\u0301\u0301 " + "long " * 2000,
}


def test_hostile_titles_are_shown_literally_and_cannot_act(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    for key, title in HOSTILE.items():
        sandbox.set_issue(key, title=title, updated=NOW.isoformat())

    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            findings = await show_category(pilot, "system-test-findings")
            table = findings.table
            titles = [table.cells(i)[1] for i in range(table.row_count)]
            assert all(isinstance(title, Text) for title in titles)
            shown = [title.plain for title in titles]
            assert shown[0].startswith("[bold red]PWNED[/bold red] [@click=app.q")
            assert titles[0].spans == []  # no style came from the title
            assert "\x1b" not in shown[1] and "\\x1b[31mred" in shown[1]
            assert shown[1].startswith("\\u202eevil")  # the bidi override is made visible
            # Clicking the title cell must not run the embedded action.
            await pilot.click(table, offset=(20, 0))
            await pilot.pause()
            assert app.is_running

            await pilot.press("enter")  # the clicked row opens
            assert isinstance(app.screen, IssueDetailScreen)
            title = plain(app.screen.query_one("#detail-title"))  # type: ignore[arg-type]
            assert "[bold red]PWNED[/bold red] [@click=app.quit]click me[/]" in title
            await pilot.press("escape")

            implementation = await show_category(pilot, "implementation")
            long_table = implementation.table
            assert long_table.virtual_size.width <= implementation.size.width
            implementation.table.focus()
            await pilot.press("enter")
            assert isinstance(app.screen, IssueDetailScreen)
            assert app.screen.issue.key == "IPC-95"
            detail = plain(app.screen.query_one("#detail-title"))  # type: ignore[arg-type]
            assert "שלום עולם e\u0301\u0301\u0301" in detail
            assert len(detail) < 500  # the 10 KB title is cut, not laid out
            assert app.is_running

    run(scenario())
