"""Tracker text in the board's error notifications is shown as text, never as markup."""

from __future__ import annotations

from secgate_tui.app.screens.board import BoardScreen
from tests.tui.conftest import SIZE, AppFactory, run, settle

HOSTILE = "tracker said: [link=https://evil.example]click[/link] [reverse]x[/reverse]"


def test_an_error_from_below_is_notified_as_plain_text(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            board = app.screen
            assert isinstance(board, BoardScreen)
            board.post_message(BoardScreen.Problem(HOSTILE))
            await pilot.pause()
            [shown] = [n for n in app._notifications if n.message == HOSTILE]
            assert shown.markup is False

    run(scenario())
