"""The release at a glance: every category on one screen, bars that show what
blocks, every reason, one cursor, and help."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import bar
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.info import InfoScreen
from secgate_tui.app.screens.issue_detail import IssueDetailScreen
from secgate_tui.app.screens.picker import ReleasePicker
from secgate_tui.app.widgets.category_board import CategoryBoard
from secgate_tui.app.widgets.issue_table import IssueTable
from secgate_tui.domain import Category
from secgate_tui.services.context import Context
from tests.tui.conftest import SIZE, AppFactory, banner_text, plain, run, settle, show_category


def screen_text(app: object) -> str:
    """What the terminal shows, as lines of text."""
    svg = app.export_screenshot()  # type: ignore[attr-defined]
    import html
    import re

    return html.unescape(" ".join(re.findall(r">([^<>]*)</text>", svg))).replace("\xa0", " ")


def test_every_category_is_on_screen_at_120x40_and_80x24(make_app: AppFactory) -> None:
    for size in (SIZE, (80, 24)):

        async def scenario(size: tuple[int, int] = size) -> None:
            app = make_app("ipc", "2.2")
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                shown = screen_text(app)
                for category in Category:
                    assert category.title in shown, (size, category.title)
                assert "Unclassified" in shown
                assert "4/6 closed" in shown and "2 blocking" in shown
                # The chosen category lists its items under the overview.
                assert "IPC-103" in shown

        run(scenario())


def test_choosing_a_category_lists_its_items_and_enter_opens_one(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down")  # from the unclassified line to system test findings
            boards = [b for b in app.screen.query(CategoryBoard) if b.display]
            assert [b.id for b in boards] == ["board-system-test-findings"]
            await pilot.press("enter", "down", "enter")
            assert isinstance(app.screen, IssueDetailScreen)
            assert app.screen.issue.key == "IPC-94"

    run(scenario())


def test_a_bar_is_never_full_or_green_while_something_blocks() -> None:
    blocked = bar(5, 5, 20, blocking=1)
    assert "░" in blocked.plain
    assert str(blocked.style) == "red"
    assert all("green" not in str(span.style) for span in blocked.spans)
    passed: Text = bar(5, 5, 20)
    assert passed.plain == "█" * 20 and str(passed.style) == "green"


def test_the_why_line_counts_what_it_does_not_name_and_w_lists_all(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BoardScreen) and screen.state is not None
            reasons = screen.state.verdict.reasons
            assert len(reasons) > 2
            why = banner_text(app).split("Why: ", 1)[1]
            named = [r for r in reasons if r in why]
            assert f"and {len(reasons) - len(named)} more (w lists all)" in why
            await pilot.press("w")
            assert isinstance(app.screen, InfoScreen)
            page = plain(app.screen.query_one("#info-body", Static))
            assert all(reason in page for reason in reasons)
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())


def test_only_the_focused_list_shows_a_cursor_row(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board = await show_category(pilot, "system-test-findings")
            table = board.table
            cursor = table.get_component_rich_style("table--cursor")
            assert not table.has_focus
            assert cursor not in [seg.style for seg in table.render_line(0)]
            table.focus()
            await pilot.pause()
            assert any(
                seg.style is not None and cursor.bgcolor == seg.style.bgcolor
                for seg in table.render_line(0)
            )
            assert all(not t.has_focus for t in app.screen.query(IssueTable) if t is not table)

    run(scenario())


def test_question_mark_and_f1_open_help_and_escape_closes_it(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for key in ("question_mark", "f1"):
                await pilot.press(key)
                assert isinstance(app.screen, InfoScreen) and app.screen.id == "help"
                page = plain(app.screen.query_one("#info-body", Static))
                assert "a          Authorize" in page and "STALE" in page
                assert "Exported copies:" in page
                await pilot.press("escape")
                assert isinstance(app.screen, BoardScreen)

    run(scenario())


def test_a_release_no_tracker_knows_is_an_error_and_not_remembered(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "9.9")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReleasePicker)  # offered at once
            await pilot.press("escape")
            banner = banner_text(app)
            assert "ERROR" in banner and "matches no version" in banner
            assert "EMPTY" not in screen_text(app)
            board = app.screen
            assert isinstance(board, BoardScreen) and board.state is None
            await pilot.press("a")
            assert isinstance(app.screen, BoardScreen)  # nothing to authorize

    run(scenario())
    assert context.store.get_meta("tui.last") is None


def test_slash_filters_the_items_by_key_or_title_and_says_so(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"TOKEN", "enter")
            note = plain(app.screen.query_one("#filter-note", Static))
            assert "FILTER" in note and "'TOKEN': 2 of 36" in note
            findings = app.screen.query_one("#board-system-test-findings", CategoryBoard)
            assert findings.display  # the overview went to the category with the match
            rows = findings.table.rows
            assert rows[0].key == "IPC-94" and len(rows) == 2  # the blocking one first
            assert all("token" in row.title.casefold() for row in rows)
            await pilot.press("slash", *["backspace"] * 5, *"ipc-93", "enter")
            assert [row.key for row in findings.table.rows] == ["IPC-93"]
            await pilot.press("ctrl+l")
            assert not app.screen.query_one("#filter-note", Static).display
            assert [row.key for row in findings.table.rows][:2] == ["IPC-93", "IPC-94"]

    run(scenario())


def test_slash_filters_the_release_picker_by_name(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r", "slash", *"5.4", "enter", "enter")
            await settle(pilot)
            board = app.screen
            assert isinstance(board, BoardScreen)
            assert (board.product, board.release) == ("dms", "5.4")

    run(scenario())
