"""``a`` takes the release's SBOM and VEX files when they are not the configured ones
(issue 14), as ``authorize --sbom/--vex`` does: the record pins the files given, a
file for another release blocks with the gate's reason, and a path that names no
file is refused at once, with nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

from secgate_tui.commands.context import Context
from secgate_tui.services.demo_vex import write_demo_vex
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from tests.tui.conftest import NOW, SIZE, AppFactory, Sandbox, fill, run
from tests.tui.test_authorize_identity import confirm, open_dialog
from tests.tui.test_publish import records, text_of


def demo_file(tmp_path: Path, name: str) -> Path:
    """One of the demo's SBOM/VEX files, current at the tests' fixed clock.

    The tests' product has none configured: the dialog is where they come from.
    """
    directory = tmp_path / "given"
    if not directory.exists():
        write_demo_vex(directory, NOW.date())
    return directory / name


def test_files_given_in_the_dialog_are_the_ones_the_record_pins(
    make_app: AppFactory, sandbox: Sandbox, context: Context, tmp_path: Path
) -> None:
    sbom = Path(shutil.copy(demo_file(tmp_path, "ipc-2.0.cdx.json"), tmp_path / "built.cdx.json"))
    vex = Path(shutil.copy(demo_file(tmp_path, "ipc-2.0.openvex.json"), tmp_path / "triage.json"))
    shown: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            await open_dialog(pilot)
            await fill(pilot, "#vex-sbom", str(sbom))
            await fill(pilot, "#vex-files", str(vex))
            assert "GATE PASS" in text_of(pilot.app, "#publish-verdict")
            shown.append(await confirm(pilot, "2.0"))

    run(scenario())
    assert "AUTHORIZED" in shown[0] and "NOT AUTHORIZED" not in shown[0], shown[0]
    [entry] = context.store.audit_entries("authorization", "ipc", "2.0")
    section = AuthorizationPayload.model_validate(entry.payload).record.vulnerabilities
    assert section is not None and section.sbom is not None
    assert section.sbom.name == "built.cdx.json"
    assert [d.name for d in section.documents][-1] == "triage.json"
    [body] = records(sandbox)
    assert "built.cdx.json" in body and "triage.json" in body


def test_files_of_another_release_block_with_the_gates_reason(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    seen: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            assert "GATE PASS" in text_of(pilot.app, "#publish-verdict")
            # The SBOM and VEX of 2.2, which has an untriaged vulnerability.
            await fill(pilot, "#vex-sbom", str(demo_file(tmp_path, "ipc-2.2.cdx.json")))
            await fill(pilot, "#vex-files", str(demo_file(tmp_path, "ipc-2.2.openvex.json")))
            seen.append(text_of(pilot.app, "#publish-verdict"))
            assert not screen.query_one("#publish-confirm").display

    run(scenario())
    [verdict] = seen
    assert "BLOCKED" in verdict, verdict
    assert "describes version 2.2, not release 2.0" in verdict
    assert "CVE-2023-45803" in verdict
    assert records(sandbox) == []


def test_a_path_naming_no_file_is_refused_before_anything_runs(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    missing = tmp_path / "not-built.cdx.json"
    seen: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            await fill(pilot, "#vex-sbom", str(missing))
            seen.append(text_of(pilot.app, "#publish-verdict"))
            assert not screen.query_one("#publish-confirm").display
            await fill(pilot, "#vex-sbom", f"{missing}, {missing}")
            seen.append(text_of(pilot.app, "#publish-verdict"))

    run(scenario())
    absent, two = seen
    assert "NOT PREPARED" in absent and "Nothing was written" in absent
    assert f"The SBOM file {missing} does not exist" in absent
    assert "Give one SBOM file" in two
    assert records(sandbox) == []
