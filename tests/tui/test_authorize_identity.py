"""``a`` names the software it authorizes and authorizes a shipped release only with a
reason (issue 13), through the CLI's own services: the record says so, the tracker
gets nothing until the dialog is complete, and bad input is the CLI's sentence."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button

from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.commands.context import Context
from tests.tui.conftest import (
    SIZE,
    AppFactory,
    Sandbox,
    fill,
    give_retrospective_reason,
    plain,
    run,
    settle,
)
from tests.tui.test_publish import records, text_of


def ship(sandbox: Sandbox, version: str, on: str) -> None:
    """The tracker marks IPC ``version`` released on ``on`` (as the seeded demo does)."""

    def change(data: dict[str, Any]) -> None:
        for entry in data["projects"]["IPC"]["versions"]:
            if entry["name"] == version:
                entry.update(released=True, release_date=on)

    sandbox.edit(change)


async def open_dialog(pilot: Pilot[int]) -> PublishScreen:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PublishScreen)
    return screen


async def confirm(pilot: Pilot[int], release: str) -> str:
    await pilot.press(*release)
    assert not pilot.app.screen.query_one("#publish-go", Button).disabled
    await pilot.press("enter")
    await settle(pilot)
    return text_of(pilot.app, "#publish-result")


def test_a_shipped_release_is_refused_without_a_reason_and_authorized_with_one(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    ship(sandbox, "2.0", "2025-11-02")
    shown: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            line = plain(screen.query_one("#retrospective-line"))
            assert line == "RETROSPECTIVE: the tracker shows this release shipped on 2025-11-02"
            verdict = text_of(pilot.app, "#publish-verdict")
            assert "REFUSED" in verdict and "Nothing was written" in verdict
            assert "shipped on 2025-11-02" in verdict and "reason field" in verdict
            assert "--retrospective" not in verdict  # the dialog's words, not the CLI's flag
            # Nothing to confirm: typing the release does not offer the button.
            assert not screen.query_one("#publish-confirm").display
            await pilot.press(*"2.0", "enter")
            await settle(pilot)
            assert screen.query_one("#publish-go", Button).disabled
            # A blank reason is no reason.
            await give_retrospective_reason(pilot, "   ")
            assert "REFUSED" in text_of(pilot.app, "#publish-verdict")

            await give_retrospective_reason(pilot, "shipped before secgate was adopted")
            assert "GATE PASS" in text_of(pilot.app, "#publish-verdict")
            shown.append(await confirm(pilot, "2.0"))

    run(scenario())
    assert "AUTHORIZED" in shown[0] and "NOT AUTHORIZED" not in shown[0], shown[0]
    [body] = records(sandbox)
    first = next(line for line in body.splitlines() if line.strip()).replace("*", "")
    assert first == (
        "RETROSPECTIVE authorization of a release shipped on 2025-11-02. "
        "Reason: shipped before secgate was adopted"
    ), first
    assert len(context.store.audit_entries("authorization", "ipc", "2.0")) == 1


def test_an_unreleased_release_asks_no_reason(make_app: AppFactory) -> None:
    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            assert not screen.query_one("#retrospective").display
            assert "GATE PASS" in text_of(pilot.app, "#publish-verdict")

    run(scenario())


def test_an_artifact_is_recorded_with_its_digest(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    image = tmp_path / "ipc-2.0.img"
    image.write_bytes(b"the released image\n" * 100)
    manual = tmp_path / "ipc-2.0-ifu.pdf"
    manual.write_bytes(b"%PDF instructions for use")
    shown: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            await open_dialog(pilot)
            await fill(pilot, "#software-artifacts", f"{image}, {manual}")
            assert "GATE PASS" in text_of(pilot.app, "#publish-verdict")
            assert hashlib.sha256(image.read_bytes()).hexdigest() in text_of(
                pilot.app, "#publish-preview"
            )
            shown.append(await confirm(pilot, "2.0"))

    run(scenario())
    assert "AUTHORIZED" in shown[0] and "NOT AUTHORIZED" not in shown[0], shown[0]
    [body] = records(sandbox)
    for path in (image, manual):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"{path.name}: sha256:{digest} ({path.stat().st_size} bytes)" in body


def test_an_unreadable_artifact_or_a_bad_commit_is_the_cli_sentence(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    missing = tmp_path / "not-built.img"
    seen: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            await fill(pilot, "#software-artifacts", str(missing))
            seen.append(text_of(pilot.app, "#publish-verdict"))
            assert not screen.query_one("#publish-confirm").display
            await fill(pilot, "#software-artifacts", str(tmp_path))
            seen.append(text_of(pilot.app, "#publish-verdict"))
            await fill(pilot, "#software-artifacts", "")
            await fill(pilot, "#software-commit", "main")
            seen.append(text_of(pilot.app, "#publish-verdict"))
            assert not screen.query_one("#publish-confirm").display

    run(scenario())
    unreadable, directory, commit = seen
    assert "NOT PREPARED" in unreadable and "Nothing was written" in unreadable
    assert f"--artifact {missing} cannot be read (No such file or directory)" in unreadable
    assert "Traceback" not in unreadable
    assert f"--artifact {tmp_path} is a directory, not a file" in directory
    assert "--commit main is not a full commit id" in commit
    assert records(sandbox) == []
