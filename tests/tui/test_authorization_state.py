"""The board's authorization line: the state the tracker holds, read after the board
loads, after a publish and on ``s`` (issues 12 and 17), with the demo's signing keys.

The publish screen's authorization posts the record unsigned (it has no signing
step yet); the release manager's signature is made through the services, as
``secgate approve`` makes it, or with ``p`` on the board (the signature kind's
publish flow)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Button

from connectors.sandbox.demo_data import seed_demo
from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.widgets.authorization_line import AuthorizationLine
from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data, demo_signing
from secgate_tui.services.evidence.archive import read_bundle
from secgate_tui.services.evidence.check import check_files
from secgate_tui.services.publish import Publisher
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.publish.kinds.signature import (
    SIGNATURE,
    SignaturePlan,
    SignatureRequest,
    sign_now,
)
from secgate_tui.services.signing.sign import SigningKey
from secgate_tui.services.sync import utcnow
from tests.tui.conftest import SIZE, AppFactory, Sandbox, plain, run, settle


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """The demo seeded two hours ago, as ``secgate --demo`` seeds it (dates relative to now)."""
    path = tmp_path / "sandbox.json"
    seeded = seed_demo(utcnow() - timedelta(hours=2))
    path.write_text(json.dumps(seeded, ensure_ascii=False), encoding="utf-8")
    return Sandbox(path)


@pytest.fixture
def context(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """The conftest's demo with the demo's [signing] table and DMS's two signers, on the
    real clock: a signature counts only in a comment created within minutes of signing,
    and the sandbox stamps comments with the real time."""
    data = demo_data(tmp_path, today=utcnow().date())
    data["trackers"]["sandbox"]["live"] = False
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECGATE_SIGNING__KEY", raising=False)
    data["trackers"]["sandbox"]["path"] = sandbox.path.name
    config = config_from_data(demo_signing(tmp_path, data), None)
    ctx = build_context(config, tmp_path, demo=True, clock=utcnow)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def controller(context: Context) -> Controller:
    controller = Controller(context, utcnow)
    for product in controller.products():
        controller.releases(product)
    return controller


def authorization_text(app: object) -> str:
    return plain(app.screen.query_one(AuthorizationLine))  # type: ignore[attr-defined]


async def authorize(pilot: object, release: str) -> None:
    """Through the publish screen, as a release manager would: a, type the release, enter."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, PublishScreen)
    await pilot.press(*release)  # type: ignore[attr-defined]
    assert not app.screen.query_one("#publish-go", Button).disabled
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("escape")  # type: ignore[attr-defined]
    assert isinstance(app.screen, BoardScreen)
    await settle(pilot)  # type: ignore[arg-type]


def approve(ctx: Context, product: str, release: str) -> None:
    """The configured signer (the release manager) signs the newest record, as approve does."""
    publisher = Publisher(ctx, utcnow)
    planned = publisher.prepare(SIGNATURE, SignatureRequest(product=product, release=release))
    assert planned.failure is None and not planned.blocked, planned.message
    signed = sign_now(ctx, planned)
    assert not hasattr(signed, "step"), signed
    result = publisher.publish(signed)  # type: ignore[arg-type]
    assert result.done and result.failure is None, result.message


def test_board_shows_none_then_authorized_after_publishing(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert authorization_text(app).startswith("Authorization:  NONE ")
            await authorize(pilot, "2.0")
            line = authorization_text(app)
            assert "LEGACY-UNSIGNED" in line and "missing: release-manager" in line, line
            approve(context, "ipc", "2.0")
            await pilot.press("s")
            await settle(pilot)
            line = authorization_text(app)
            assert line.startswith("Authorization:  AUTHORIZED "), line
            assert "signed by Rita Release (demo) (release-manager" in line, line

    run(scenario())


def test_two_signature_release_after_one_signature_is_pending(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("dms", "5.4")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "5.4")
            approve(context, "dms", "5.4")
            await pilot.press("s")
            await settle(pilot)
            line = authorization_text(app)
            assert "PENDING" in line and "missing: security-officer" in line, line

    run(scenario())


def test_unreachable_tracker_shows_unknown(make_app: AppFactory, sandbox: Sandbox) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            sandbox.set_faults(unavailable=True)
            app.screen.read_authorization()  # type: ignore[attr-defined]
            await settle(pilot)
            line = authorization_text(app)
            assert "UNKNOWN" in line and "could not be read" in line, line
            assert "Traceback" not in line

    run(scenario())


def test_e_exports_the_evidence_bundle_of_an_authorized_release(
    make_app: AppFactory, context: Context
) -> None:
    notes: list[str] = []

    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "2.0")
            approve(context, "ipc", "2.0")
            await pilot.press("e")
            await settle(pilot)
            notes.extend(str(n.message) for n in app._notifications)

    run(scenario())
    bundles = sorted(context.records_dir.glob("*.tar.gz"))
    assert len(bundles) == 1, notes
    assert any(f"Written to {bundles[0]}" in note for note in notes), notes
    assert any("1 authorization record(s)" in note for note in notes), notes
    with bundles[0].open("rb") as handle:
        _, files = read_bundle(handle)
    result = check_files(files)
    assert result.reproduced, result.problem


def test_export_failure_is_told_without_a_traceback(make_app: AppFactory, context: Context) -> None:
    notes: list[str] = []

    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            # The records directory cannot be written (a file in its place: the tests
            # run as root, whom a read-only directory does not stop).
            shutil.rmtree(context.records_dir, ignore_errors=True)
            context.records_dir.write_text("not a directory", encoding="utf-8")
            await pilot.press("e")
            await settle(pilot)
            notes.extend(str(n.message) for n in app._notifications)

    run(scenario())
    assert context.records_dir.read_text(encoding="utf-8") == "not a directory"
    failed = [n for n in notes if "exporting the evidence bundle of ipc 2.0" in n]
    assert failed and "Nothing was written" in failed[0], notes
    assert "Traceback" not in failed[0] and "Error(" not in failed[0]


async def approve_on_screen(pilot: object, release: str) -> str:
    """p on the board, type the release back, enter: the result line of the publish screen."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("p")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, PublishScreen)
    await pilot.press(*release)  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    result = plain(app.screen.query_one("#publish-result"))
    await pilot.press("escape")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, BoardScreen)
    return result


def test_p_signs_the_record_and_the_board_says_authorized(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "2.0")
            result = await approve_on_screen(pilot, "2.0")
            assert result.startswith(" SIGNED "), result
            line = authorization_text(app)
            assert line.startswith("Authorization:  AUTHORIZED "), line

    run(scenario())


def test_p_on_a_two_signature_release_leaves_it_pending(make_app: AppFactory) -> None:
    async def scenario() -> None:
        app = make_app("dms", "5.4")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "5.4")
            result = await approve_on_screen(pilot, "5.4")
            assert result.startswith(" SIGNED "), result
            line = authorization_text(app)
            assert "PENDING" in line and "missing: security-officer" in line, line

    run(scenario())


def test_a_key_with_a_passphrase_is_refused_before_ssh_keygen_could_prompt(
    controller: Controller, context: Context, tmp_path: Path
) -> None:
    """The UI owns the terminal: ssh-keygen must never ask for a passphrase on it."""
    key = tmp_path / "protected"
    made = subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", str(key)],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert made.returncode == 0, made.stderr
    publisher = Publisher(context, utcnow)
    authorized = publisher.prepare(
        AUTHORIZATION, AuthorizationRequest(product="ipc", release="2.0")
    )
    assert publisher.publish(authorized).done
    planned = controller.prepare_record(SIGNATURE, SignatureRequest(product="ipc", release="2.0"))
    assert isinstance(planned.details, SignaturePlan)
    protected = dataclasses.replace(
        planned, details=dataclasses.replace(planned.details, key=SigningKey.at(key))
    )
    with pytest.raises(UiError, match="protected by a passphrase") as refused:
        controller.sign(protected)
    assert "Nothing was signed or posted" in refused.value.message
