"""The secgate Textual application: screens, styles and palette commands; no logic."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import WorkerState

from secgate_tui.app.controller import Controller
from secgate_tui.app.help import help_text
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.confirm_quit import ConfirmQuit
from secgate_tui.app.screens.info import InfoScreen
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.domain.text import printable

#: Worker groups whose work quitting would cut short, in words.
IN_FLIGHT = {
    "sync": "A sync from the trackers",
    "evidence": "Writing the evidence bundle",
    "publish": "Writing a record to the tracker",
}

_HERE = Path(__file__).parent
CSS_FILES = [
    _HERE / "app.tcss",
    *sorted((_HERE / "widgets").glob("*.tcss")),
    *sorted((_HERE / "screens").glob("*.tcss")),
]


class SecgateApp(App[int]):
    TITLE = "secgate"
    CSS_PATH = CSS_FILES  # type: ignore[assignment]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        controller: Controller,
        product: str,
        release: str | None,
        *,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.start = (product, release)
        #: Off in tests and snapshots, so screenshots do not depend on timing.
        self.cursor_blink = cursor_blink

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Save screenshot (the command palette's) writes beside the exported records,
        creating the folder.

        Textual's default is the user's Downloads folder, which a server or a CI
        runner usually lacks (the save then fails). Textual's own notification
        names the file it wrote.
        """
        directory = Path(path) if path else self.controller.ctx.records_dir / "screenshots"
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notify(
                f"could not create {printable(str(directory))}: "
                f"{printable(exc.strerror or str(exc))}",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return None
        return super().deliver_screenshot(filename, str(directory), time_format)

    def on_mount(self) -> None:
        # Hand the interpreter lock back to the event loop every millisecond
        # (default 5 ms), so a sync thread delays a key press by less.
        sys.setswitchinterval(0.001)
        self.push_screen(BoardScreen(self.controller, *self.start))

    async def action_quit(self) -> None:
        """q quits from the board and the reviews, never out of a dialog by accident, and
        asks first while a sync or an export is running."""
        screen = self.screen
        if isinstance(screen, PublishScreen):
            if screen.publishing:
                message = "Writing to the tracker: wait for the result, then close and quit."
            else:
                message = "Close this dialog first (escape), then q quits."
            self.notify(message, severity="warning")
            return
        if isinstance(screen, ConfirmQuit):
            return
        doing = self.work_in_flight()
        if doing is not None:

            def answered(quit_now: bool | None) -> None:
                if quit_now:
                    self.exit()

            self.push_screen(ConfirmQuit(doing), answered)
            return
        await super().action_quit()

    def work_in_flight(self) -> str | None:
        """What is running that quitting would cut short (None: nothing)."""
        for worker in self.workers:
            if worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
                doing = IN_FLIGHT.get(worker.group)
                if doing is not None:
                    return doing
        return None

    def action_help(self) -> None:
        if isinstance(self.screen, InfoScreen):
            return
        ctx = self.controller.ctx
        body = help_text(self.screen, ctx.records_dir, ctx.data_dir)
        self.push_screen(InfoScreen("secgate help (escape closes)", body, id="help"))

    @property
    def board(self) -> BoardScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                return screen
        return None

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        board = self.board
        if board is None:
            return
        yield SystemCommand(
            "Sync now", "Fetch the shown release from its trackers", board.action_sync_now
        )
        yield SystemCommand(
            "Authorize release", "Gate, record, post, read back", board.action_authorize
        )
        yield SystemCommand(
            "Approve release",
            "Sign the release's newest authorization record",
            board.action_approve,
        )
        yield SystemCommand(
            "Export evidence",
            "Write the release's evidence bundle for auditors",
            board.action_export_evidence,
        )
        yield SystemCommand(
            "Reviews", "Every product's periodic review and when it is due", board.action_reviews
        )
        yield SystemCommand(
            "History",
            "Every authorization and review record of the product, from the trackers",
            board.action_history,
        )
        yield SystemCommand(
            "Switch release…", "Pick a product and release", board.action_pick_release
        )
        products = self.controller.products()
        for product, name in products.items():
            for choice in self.controller.known_releases(product):
                state = "released" if choice.released else "upcoming"

                def open_release(p: str = choice.product, r: str = choice.release) -> None:
                    board.open(p, r)

                yield SystemCommand(
                    f"Open {product} {choice.release}", f"{name}, {state}", open_release
                )
