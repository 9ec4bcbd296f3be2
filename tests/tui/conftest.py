"""A demo sandbox frozen in time, so Pilot runs and snapshots are repeatable.

The sandbox is seeded at a fixed moment and is not "live" (no scheduled
closures); tests change it tracker-side by editing its JSON file, the way an
engineer closing an issue in the tracker would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from connectors.sandbox.demo_data import seed_demo
from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.widgets.category_board import CategoryBoard
from secgate_tui.app.widgets.category_overview import CategoryOverview
from secgate_tui.app.widgets.gate_banner import GateBanner
from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data
from secgate_tui.services.demo_vex import write_demo_vex

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
SEEDED = NOW - timedelta(hours=2)
SIZE = (120, 40)


def clock() -> datetime:
    return NOW


class Sandbox:
    """The tracker side of the demo: read and edit its JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        data = self.load()
        change(data)
        self.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def set_faults(self, **faults: Any) -> None:
        self.edit(lambda data: data.__setitem__("faults", faults))

    def set_issue(self, key: str, **fields: Any) -> None:
        self.edit(lambda data: data["issues"][key].update(fields))


def not_shipped(seeded: dict[str, Any]) -> dict[str, Any]:
    """The demo with no version released yet.

    Most UI tests authorize IPC 2.1 as an ordinary release; a shipped one (IPC 2.0,
    2.1, DMS 5.4 in the demo) needs a retrospective reason, which
    tests/tui/test_authorize_identity.py gives after marking it shipped again.
    """
    for project in seeded["projects"].values():
        for entry in project["versions"]:
            entry["released"] = False
    return seeded


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    path = tmp_path / "sandbox.json"
    seeded = not_shipped(seed_demo(SEEDED))
    # The tracker's clock agrees with the app's fixed one: it stamps what secgate posts.
    seeded["server_time"] = NOW.isoformat()
    path.write_text(json.dumps(seeded, ensure_ascii=False), encoding="utf-8")
    return Sandbox(path)


def demo_context(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *, vex: bool = False
) -> Context:
    """The demo's context on ``sandbox``; with ``vex``, IPC has the demo's SBOM/VEX check
    (files current at :data:`NOW`, in ``tmp_path/vex``) as ``secgate --demo`` has."""
    data = demo_data(tmp_path, today=NOW.date())
    data["trackers"]["sandbox"]["live"] = False
    # A relative path keeps the configuration digest (shown in records) the same
    # on every run, whatever the temporary directory is called.
    monkeypatch.chdir(tmp_path)
    data["trackers"]["sandbox"]["path"] = sandbox.path.name
    if vex:
        settings = write_demo_vex(tmp_path / "vex", NOW.date())
        settings["sbom"] = str(Path(settings["sbom"]).relative_to(tmp_path))
        settings["vex"] = [str(Path(path).relative_to(tmp_path)) for path in settings["vex"]]
        data["products"]["ipc"]["vulnerability_assessment"] = settings
    config = config_from_data(data, None)
    return build_context(config, tmp_path, demo=True, clock=clock)


@pytest.fixture
def context(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    ctx = demo_context(tmp_path, sandbox, monkeypatch)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def controller(context: Context) -> Controller:
    controller = Controller(context, clock)
    for product in controller.products():
        controller.releases(product)  # cache the release lists, as an earlier run would
    return controller


AppFactory = Callable[..., SecgateApp]


@pytest.fixture
def make_app(controller: Controller) -> AppFactory:
    def make(product: str = "ipc", release: str | None = "2.2") -> SecgateApp:
        return SecgateApp(controller, product, release, cursor_blink=False)

    return make


async def settle(pilot: Pilot[int]) -> None:
    """Wait until every worker is done and the messages it posted are handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_until(pilot: Pilot[int], condition: Callable[[], bool], seconds: float) -> None:
    """For what only time brings (the periodic refresh): poll, then fail loudly."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"not reached within {seconds} s")


def plain(widget: Static) -> str:
    """What a Static shows, as text."""
    return str(widget.content)


async def show_category(pilot: Pilot[int], category: str) -> CategoryBoard:
    """Choose ``category`` in the overview, as up/down would; its board lists the items."""
    pilot.app.screen.query_one(CategoryOverview).select(f"board-{category}")
    await pilot.pause()
    board: CategoryBoard = pilot.app.screen.query_one(f"#board-{category}", CategoryBoard)
    assert board.display
    return board


def banner_text(app: SecgateApp) -> str:
    return plain(app.screen.query_one(GateBanner))


def run(coro: Coroutine[Any, Any, None]) -> None:
    """pytest has no asyncio plugin here; each Pilot test runs its own loop."""
    asyncio.run(coro)


async def fill(pilot: Pilot[int], selector: str, value: str) -> None:
    """Type ``value`` into the input at ``selector`` and press enter, as a person would."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = value
    await pilot.press("enter")
    await settle(pilot)


async def give_retrospective_reason(pilot: Pilot[int], reason: str) -> None:
    """In the authorization dialog of a shipped release: the reason, then prepared again."""
    assert pilot.app.screen.query_one("#retrospective").display
    await fill(pilot, "#retrospective-reason", reason)
