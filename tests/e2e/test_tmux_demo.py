"""End to end in a real terminal: tmux runs ``secgate --demo``; we type and read the screen.

This is what a person sees: the real console script, a real pseudo-terminal
(120x40), key presses through tmux, and the screen read back with
``capture-pane``. tmux has its own server socket here, so a developer's tmux is
never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secgate_tui.domain import Category

TMUX = shutil.which("tmux")
SECGATE = Path(sys.executable).parent / "secgate"
#: Generous: the first start seeds the demo and imports textual on a busy CI box.
TIMEOUT = 90.0

if TMUX is None and os.environ.get("CI"):
    raise RuntimeError("tmux is required for the terminal end-to-end test (apt-get install tmux)")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, socket: str, session: str, config: Path) -> None:
        self.socket = socket
        self.session = session
        self.config = config

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session).stdout

    def press(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(0.05)  # a person types; Textual reads keys one by one

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"did not see {texts!r} within {timeout} s; the screen was:\n{screen}")

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session).returncode == 0


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    socket = f"secgate-e2e-{os.getpid()}"
    config = tmp_path / "tmux.conf"
    # Without a client attached, tmux sizes windows by default-size.
    config.write_text("set -g default-size 120x40\nset -g status off\n")
    term = Terminal(socket, "demo", config)
    # -u: a test runner may export COLUMNS/LINES, which Textual would obey.
    env = f"-u COLUMNS -u LINES SECGATE_DATA_DIR={tmp_path} TERM=xterm-256color"
    started = term.tmux(
        "new-session", "-d", "-s", "demo", "-x", "120", "-y", "40",
        f"env {env} {SECGATE} --demo",  # Textual draws on stderr: no redirection
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    try:
        yield term
    finally:
        term.tmux("kill-server")


def test_demo_in_a_real_terminal(terminal: Terminal) -> None:
    # The first release still in development opens, synced from the demo tracker.
    screen = terminal.wait_for("BLOCKED", "release 2.2", "Last sync:", "IPC-103")
    # Every category's line and the authorization state are on screen at 120x40,
    # without scrolling (the state is read from the tracker after the board loads).
    for category in Category:
        assert category.title in screen, category.title
    screen = terminal.wait_for("Authorization:  NONE")
    assert "Required activities" in screen and "Next review" in screen
    assert "r Release" in screen and "a Authorize" in screen  # the footer's bindings

    # Switch release with the picker: two releases up is 2.0, which passes.
    terminal.press("r")
    terminal.wait_for("Switch release")
    terminal.press("Up", "Up", "Enter")
    screen = terminal.wait_for("release 2.0", "PASS")
    assert "BLOCKED" not in screen

    # Authorize it: the demo release manager's key signs at the confirmation, and the
    # board then says AUTHORIZED, read back from the tracker.
    # 2.0 shipped before secgate: the dialog asks why it is authorized only now
    # (the reason field has the focus), then shows the gate and the signer.
    terminal.press("a")
    terminal.wait_for("RETROSPECTIVE: the tracker shows this release shipped on")
    terminal.type("secgate was introduced after 2.0 shipped")
    terminal.press("Enter")
    screen = terminal.wait_for("GATE PASS", "You sign: Signed by")
    terminal.type("2.0")
    terminal.press("Enter")
    # The result's header (the state line below it may be scrolled out of view).
    terminal.wait_for("AUTHORIZED  ipc 2.0: record")
    terminal.press("Escape")
    screen = terminal.wait_for("Authorization:  AUTHORIZED", "release 2.0")
    for category in Category:
        assert category.title in screen, category.title

    # Back to 2.2 and open the first blocking item.
    terminal.press("r")
    terminal.wait_for("Switch release")
    terminal.press("Down", "Down", "Enter")
    terminal.wait_for("release 2.2", "BLOCKED", "IPC-103")
    terminal.press("Enter", "Enter")  # the overview's first blocking line, then its item
    screen = terminal.wait_for("Disposition", "Justification", "esc Back")
    assert "IPC-103" in screen and "Blocks: Unclassified" in screen

    # Back to the board; start the authorization: the gate is blocked, nothing written.
    terminal.press("Escape")
    terminal.wait_for("Last sync:", "a Authorize")
    terminal.press("a")
    screen = terminal.wait_for("Protocol steps", "GATE BLOCKED")
    assert "Nothing was written to any tracker" in screen
    assert "✘ evaluate" in screen and "· post" in screen

    terminal.press("Escape")
    terminal.wait_for("Last sync:")
    terminal.press("q")
    deadline = time.monotonic() + 20
    while terminal.alive() and time.monotonic() < deadline:
        if "Quit while work is in flight" in terminal.screen():
            terminal.press("y")  # a periodic sync was running at that moment
        time.sleep(0.2)
    assert not terminal.alive(), "secgate did not quit on q"
