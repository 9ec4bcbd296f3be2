"""a with a signing key file protected by a passphrase (issue 12): the UI owns the
terminal, so ssh-keygen may ask only an SSH_ASKPASS program; without one the key
is refused with a clear message and nothing is signed or posted."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Button

from connectors.sandbox.demo_data import seed_demo
from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.signing import askpass_ready
from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data, demo_signing
from secgate_tui.services.signing.demo import RELEASE_MANAGER, install_demo_signing
from secgate_tui.services.sync import utcnow
from tests.tui.conftest import SIZE, give_retrospective_reason, plain, run, settle

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """The demo with the release manager's key behind a passphrase (signing.key from the
    environment, as a signer names their own key)."""
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(seed_demo(utcnow() - timedelta(hours=2))), encoding="utf-8")
    key = tmp_path / "protected.key"
    shutil.copy(install_demo_signing(tmp_path).keys[RELEASE_MANAGER], key)
    key.chmod(0o600)
    changed = subprocess.run(
        ["ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", str(key)],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert changed.returncode == 0, changed.stderr
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECGATE_SIGNING__KEY", str(key))
    for name in ("SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    data = demo_data(tmp_path, today=utcnow().date())
    data["trackers"]["sandbox"]["live"] = False
    data["trackers"]["sandbox"]["path"] = path.name
    ctx = build_context(config_from_data(demo_signing(tmp_path, data), None), tmp_path, demo=True)
    try:
        yield ctx
    finally:
        ctx.close()


def make_app(ctx: Context) -> SecgateApp:
    controller = Controller(ctx, utcnow)
    controller.releases("ipc")
    return SecgateApp(controller, "ipc", "2.1", cursor_blink=False)


async def confirm(pilot: object, release: str) -> tuple[str, str]:
    """a, type the release back, enter: the dialog's result line and the board's state line."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, PublishScreen)
    # ipc 2.1 shipped in the demo: a retrospective authorization, with its reason.
    await give_retrospective_reason(pilot, "signed for the audit")  # type: ignore[arg-type]
    await pilot.press(*release)  # type: ignore[attr-defined]
    assert not app.screen.query_one("#publish-go", Button).disabled
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    result = plain(app.screen.query_one("#publish-result"))
    await pilot.press("escape")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    return result, plain(app.screen.query_one("#authorization"))


def test_a_refuses_a_passphrase_key_without_askpass_and_posts_nothing(context: Context) -> None:
    seen: list[tuple[str, str]] = []

    async def scenario() -> None:
        async with make_app(context).run_test(size=SIZE) as pilot:
            await settle(pilot)
            seen.append(await confirm(pilot, "2.1"))

    run(scenario())
    result, line = seen[0]
    assert result.startswith(" NOT AUTHORIZED "), result
    assert "protected by a passphrase" in result and "SSH_ASKPASS" in result, result
    assert "Nothing was signed or posted" in result
    assert PASSPHRASE not in result
    assert "NONE" in line, line  # nothing reached the tracker
    assert not list(context.records_dir.glob("*"))


def test_a_signs_with_a_passphrase_key_through_ssh_askpass(
    context: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{PASSPHRASE}'\n", encoding="utf-8")
    askpass.chmod(0o700)
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    seen: list[tuple[str, str]] = []

    async def scenario() -> None:
        async with make_app(context).run_test(size=SIZE) as pilot:
            await settle(pilot)
            seen.append(await confirm(pilot, "2.1"))

    run(scenario())
    result, line = seen[0]
    assert result.startswith(" AUTHORIZED "), result
    assert line.startswith("Authorization:  AUTHORIZED "), line
    assert PASSPHRASE not in result + line


def test_askpass_is_used_only_where_openssh_would_use_it() -> None:
    assert not askpass_ready({})
    assert not askpass_ready({"SSH_ASKPASS": "/bin/p"})  # no display, not forced
    assert askpass_ready({"SSH_ASKPASS": "/bin/p", "SSH_ASKPASS_REQUIRE": "force"})
    assert askpass_ready({"SSH_ASKPASS": "/bin/p", "DISPLAY": ":0"})
    assert not askpass_ready(
        {"SSH_ASKPASS": "/bin/p", "DISPLAY": ":0", "SSH_ASKPASS_REQUIRE": "never"}
    )
