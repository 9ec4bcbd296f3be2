"""How the key screens look (pytest-textual-snapshot; textual is pinned exactly).

Deterministic by construction: a fixed clock, a sandbox seeded at a fixed
moment and not live, no cursor blink. After an intended change, refresh with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and read the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from secgate_tui.app.widgets.activities import ActivitiesPanel
from tests.tui.conftest import SIZE, AppFactory, Sandbox, settle
from tests.tui.test_authorize_identity import ship

Snap = Callable[..., bool]


def test_board_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=ready)


def test_board_small_terminal_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2.1"), terminal_size=(80, 24), run_before=ready)


def test_issue_detail_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def open_issue(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "enter", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=open_issue)


def test_authorization_dialog_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def prepare(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"2.0")
        await pilot.pause()

    assert snap_compare(make_app("ipc", "2.0"), terminal_size=SIZE, run_before=prepare)


def test_retrospective_authorization_dialog_snapshot(
    snap_compare: Snap, make_app: AppFactory, sandbox: Sandbox
) -> None:
    """A shipped release: the RETROSPECTIVE line, the reason field, refused until given."""
    ship(sandbox, "2.0", "2025-11-02")

    async def prepare(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.0"), terminal_size=SIZE, run_before=prepare)


def test_reviews_screen_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def reviews(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=reviews)


def test_help_screen_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def help_page(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=help_page)


def test_filtered_board_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def filtered(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"token", "enter")
        await pilot.pause()

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=filtered)


def test_reviews_small_terminal_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    """At 80x24 state, due date and days left stay on screen, DUE-SOON and OVERDUE coloured."""

    async def reviews(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=(80, 24), run_before=reviews)


def test_history_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def history(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"2.0", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # The "Exported" toast names a per-run temporary path; the history is the subject.
        pilot.app.clear_notifications()
        await pilot.press("h")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.0"), terminal_size=SIZE, run_before=history)


def test_activity_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    async def activity(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ActivitiesPanel).focus()
        await pilot.press("down", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.2"), terminal_size=SIZE, run_before=activity)


def test_authorized_board_snapshot(snap_compare: Snap, make_app: AppFactory) -> None:
    """After `a`, the board shows the release AUTHORIZED, by whom and when."""

    async def authorized(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"2.0", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # The "Exported" toast names a per-run temporary path; the board is the subject.
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app("ipc", "2.0"), terminal_size=SIZE, run_before=authorized)
