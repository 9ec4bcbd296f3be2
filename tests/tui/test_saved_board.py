"""A start paints the last session's board at once, without claiming a verdict."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from textual.widgets import Static

from secgate_tui.app.controller import Controller
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.view_model import BoardState
from secgate_tui.app.widgets.category_board import CategoryBoard
from tests.tui.conftest import SIZE, AppFactory, banner_text, run, settle, wait_until


def test_saved_board_round_trips_without_issues(controller: Controller) -> None:
    assert controller.saved_board("ipc", "2.2") is None
    state = controller.load("ipc", "2.2")
    saved = controller.saved_board("ipc", "2.2")
    assert saved is not None and saved.provisional and saved.issues == {}
    assert replace(saved, provisional=False) == state


def test_start_shows_saved_board_as_checking_until_evaluated(
    controller: Controller, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller.sync("ipc", "2.0")
    controller.load("ipc", "2.0")  # an earlier session: the gate passed then
    release = threading.Event()
    real_load = controller.load

    def slow_load(*args: object, **kwargs: object) -> BoardState:
        release.wait(30)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(controller, "load", slow_load)

    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            try:
                await wait_until(pilot, lambda: "CHECKING" in banner_text(app), 10)
                banner = banner_text(app)
                assert "PASS then" in banner
                assert " PASS " not in banner  # no verdict is claimed
                boards = app.screen.query(CategoryBoard)
                headers = [str(b.query_one(".board-header", Static).content) for b in boards]
                assert any("5/5 closed" in header for header in headers)
                await pilot.press("a")  # authorization waits for the evaluated board
                assert not isinstance(app.screen, PublishScreen)
            finally:
                release.set()
            await settle(pilot)
            assert banner_text(app).startswith(" PASS ")

    run(scenario())
