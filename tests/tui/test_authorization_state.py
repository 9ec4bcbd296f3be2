"""The board's authorization line and the signing keys a and p (issues 12 and 17).

With the demo's [signing] table, a signs the record at the confirmation as
``secgate authorize`` does and the dialog ends with the state read back
(AUTHORIZED, or PENDING with the roles still missing); p signs the newest
record as a further signer, as ``secgate approve`` does. The line under the
banner shows the tracker's state after the board loads, after a publish and on s.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable

from connectors.sandbox.demo_data import seed_demo
from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.screens.board import BoardScreen
from secgate_tui.app.screens.history import HistoryScreen
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.widgets.authorization_line import AuthorizationLine
from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data, demo_signing
from secgate_tui.services.evidence.archive import read_bundle
from secgate_tui.services.evidence.check import check_files
from secgate_tui.services.publish import Publisher, noop
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.publish.kinds.signature import (
    SIGNATURE,
    SignaturePlan,
)
from secgate_tui.services.signing.sign import SigningKey
from secgate_tui.services.sync import utcnow
from tests.tui.conftest import SIZE, AppFactory, Sandbox, not_shipped, plain, run, settle


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """The demo seeded two hours ago, as ``secgate --demo`` seeds it (dates relative to now)."""
    path = tmp_path / "sandbox.json"
    seeded = not_shipped(seed_demo(utcnow() - timedelta(hours=2)))
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


async def authorize(pilot: object, release: str) -> str:
    """Through the publish screen, as a release manager would: a, type the release, enter.

    Returns the dialog's result line."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, PublishScreen)
    await pilot.press(*release)  # type: ignore[attr-defined]
    assert not app.screen.query_one("#publish-go", Button).disabled
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    result = plain(app.screen.query_one("#publish-result"))
    await pilot.press("escape")  # type: ignore[attr-defined]
    assert isinstance(app.screen, BoardScreen)
    await settle(pilot)  # type: ignore[arg-type]
    return result


def post_unsigned(ctx: Context, product: str, release: str) -> None:
    """The record alone, as a secgate without signing (or a failed first signature) left it."""
    publisher = Publisher(ctx, utcnow)
    prepared = publisher.prepare(
        AUTHORIZATION, AuthorizationRequest(product=product, release=release)
    )
    assert publisher.publish(prepared).done, prepared.message


def test_a_signs_at_the_confirmation_and_the_board_says_authorized(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert authorization_text(app).startswith("Authorization:  NONE ")
            await pilot.press("a")
            await settle(pilot)
            verdict = plain(app.screen.query_one("#publish-verdict"))
            assert "You sign: Signed by Rita Release (demo) (release-manager)" in verdict
            await pilot.press("escape")
            await settle(pilot)
            result = await authorize(pilot, "2.0")
            assert result.startswith(" AUTHORIZED "), result
            assert "Authorization state: AUTHORIZED" in result, result
            line = authorization_text(app)
            assert line.startswith("Authorization:  AUTHORIZED "), line
            assert "signed by Rita Release (demo) (release-manager" in line, line

    run(scenario())
    # The record and its signature, each exported once.
    assert len(list(context.records_dir.glob("*_sig1.sig"))) == 1


def test_a_on_a_two_signature_release_is_pending_and_names_the_missing_role(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("dms", "5.4")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            result = await authorize(pilot, "5.4")
            assert result.startswith(" PENDING "), result
            assert "Still to sign: security-officer" in result, result
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


async def refused_on_p(pilot: object) -> str:
    """p on the board: the publish screen's verdict (a refusal offers no confirmation)."""
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("p")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    verdict = plain(app.screen.query_one("#publish-verdict"))
    assert not app.screen.query_one("#publish-confirm").display
    await pilot.press("escape")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    return verdict


def test_p_refuses_a_record_posted_unsigned_and_a_signs_it(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            post_unsigned(context, "ipc", "2.0")
            verdict = await refused_on_p(pilot)
            assert verdict.startswith(" REFUSED "), verdict
            assert "carries no signature" in verdict, verdict
            # a on the same snapshot adopts the record and signs it as its authorizer.
            result = await authorize(pilot, "2.0")
            assert result.startswith(" AUTHORIZED "), result
            line = authorization_text(app)
            assert line.startswith("Authorization:  AUTHORIZED "), line

    run(scenario())


def test_a_on_an_unsigned_two_signature_record_leaves_it_pending(
    make_app: AppFactory, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("dms", "5.4")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            post_unsigned(context, "dms", "5.4")
            assert (await refused_on_p(pilot)).startswith(" REFUSED ")
            result = await authorize(pilot, "5.4")
            assert result.startswith(" PENDING "), result
            assert "Still to sign: security-officer" in result, result
            line = authorization_text(app)
            assert "PENDING" in line and "missing: security-officer" in line, line

    run(scenario())


def test_p_after_a_is_refused_before_signing_one_person_signs_once(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.0")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "2.0")
            await pilot.press("p")
            await settle(pilot)
            verdict = plain(app.screen.query_one("#publish-verdict"))
            assert verdict.startswith(" REFUSED "), verdict
            assert "already signed" in verdict, verdict
            assert not app.screen.query_one("#publish-confirm").display

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
    planned = controller.plan_signature(authorized)
    assert isinstance(planned.details, SignaturePlan)
    protected = dataclasses.replace(
        planned, details=dataclasses.replace(planned.details, key=SigningKey.at(key))
    )
    with pytest.raises(UiError, match="protected by a passphrase") as refused:
        controller.sign(protected)
    assert "Nothing was signed or posted" in refused.value.message


def test_h_shows_the_history_of_records_with_their_state_and_signers(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    async def scenario() -> None:
        app = make_app("dms", "5.4")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await authorize(pilot, "5.4")
            await pilot.press("h")
            await settle(pilot)
            assert isinstance(app.screen, HistoryScreen)
            table = app.screen.query_one(DataTable)
            first = [str(cell).strip() for cell in table.get_row_at(0)]
            assert first[:3] == ["PENDING", "authorization", "◀ 5.4"], first
            details = plain(app.screen.query_one("#history-details"))
            assert "signed by Rita Release (demo) (release-manager)" in details, details
            assert "missing: security-officer" in details, details
            # A tracker that cannot be read is named; nothing is made up.
            sandbox.set_faults(unavailable=True)
            await pilot.press("s")
            await settle(pilot)
            notes = plain(app.screen.query_one("#history-notes"))
            assert "incomplete:" in notes and "unavailable" in notes, notes
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    run(scenario())


class SignaturePostFails(Controller):
    """The tracker refuses comments from the moment the signature is posted (the record
    itself got through): the sandbox's own fault switch, flipped at that moment."""

    def __init__(self, ctx: Context, sandbox: Sandbox) -> None:
        super().__init__(ctx, utcnow)
        self.sandbox = sandbox
        self.failed = False

    def publish(self, prepared: Any, on_step: Any = noop) -> Any:
        if prepared.kind.name == SIGNATURE.name and not self.failed:
            self.failed = True  # the first signature only
            self.sandbox.set_faults(fail_post=True)
        return super().publish(prepared, on_step)


def test_a_whose_signature_does_not_reach_the_tracker_says_to_sign_with_a_again(
    context: Context, sandbox: Sandbox
) -> None:
    controller = SignaturePostFails(context, sandbox)
    controller.releases("ipc")

    async def scenario() -> None:
        app = SecgateApp(controller, "ipc", "2.0", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            result = await authorize(pilot, "2.0")
            assert result.startswith(" NOT AUTHORIZED "), result
            assert "does not carry your signature: press a on the board again" in result, result
            assert "LEGACY-UNSIGNED" in authorization_text(app)
            sandbox.set_faults()
            signed = await authorize(pilot, "2.0")
            assert signed.startswith(" AUTHORIZED "), signed
            assert authorization_text(app).startswith("Authorization:  AUTHORIZED ")

    run(scenario())
