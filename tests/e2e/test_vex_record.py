"""The vulnerability assessment in the record and the evidence bundle, on the demo (issue 14).

The demo's IPC 2.0 has a configured SBOM and OpenVEX that pass; it shipped
before secgate, so it is authorized retrospectively. Its record lists the
assessment, its bundle carries the files; a VEX changed afterwards is reported
by `verify` and by `evidence check` of a bundle exported since.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secgate_tui.services.context import build_context
from secgate_tui.services.demo import demo_config
from secgate_tui.services.evidence.archive import read_bundle
from secgate_tui.services.evidence.check import check_files
from secgate_tui.services.evidence.export import export_bundle
from secgate_tui.services.verify_vex import vex_changes
from tests.e2e.test_cli import secgate

AUTHORIZE = ("--demo", "authorize", "--product", "ipc", "--release", "2.0", "--yes")
REASON = "secgate was introduced after 2.0 shipped"


@pytest.fixture(scope="module")
def authorized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("vexrecord")
    done = secgate(*AUTHORIZE, "--retrospective", REASON, data_dir=data)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


def test_the_record_of_a_passing_ipc_release_shows_the_assessment(authorized: Path) -> None:
    records = authorized / "records"
    [exported] = records.glob("Security-Release-Authorization_ipc_2.0_*.json")
    record = json.loads(exported.read_text())
    section = record["vulnerabilities"]
    assert section["sbom"]["name"] == "ipc-2.0.cdx.json" and section["components"] > 0
    assert section["counts"] == {"affected": 1, "not_affected": 4}
    [affected] = section["open"]
    assert affected["state"] == "affected" and affected["linked_issue"] == "IPC-2"
    assert [d["name"] for d in section["documents"]][-1] == "ipc-2.0.openvex.json"
    markdown = exported.with_suffix(".md").read_text()
    assert "Vulnerability assessment (SBOM/VEX)" in markdown
    assert section["sbom"]["sha256"] in markdown
    assert "affected 1, not_affected 4" in markdown and "linked issue IPC-2" in markdown


def test_the_bundle_carries_the_sbom_and_vex_and_checks(authorized: Path) -> None:
    [path] = (authorized / "records").glob("*.tar.gz")
    with path.open("rb") as handle:
        _, files = read_bundle(handle)
    bundled = sorted(name for name in files if name.startswith("vulnerability/"))
    assert bundled == [
        "vulnerability/sbom/ipc-2.0.cdx.json",
        "vulnerability/vex/1-ipc-2.0.openvex.json",
    ]
    assert (
        files["vulnerability/vex/1-ipc-2.0.openvex.json"]
        == (authorized / "vex" / "ipc-2.0.openvex.json").read_bytes()
    )
    checked = secgate("evidence", "check", str(path), data_dir=authorized / "nowhere")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2 SBOM/VEX file(s)" in checked.stdout
    assert "the ones record SRA-" in checked.stdout


def test_a_vex_changed_after_authorization_is_reported(authorized: Path) -> None:
    assert secgate("--demo", "verify", "--product", "ipc", "--release", "2.0",
                   data_dir=authorized).returncode == 0  # fmt: skip
    # In process: every `--demo` run writes the demo's files afresh.
    ctx = build_context(demo_config(authorized), authorized)
    try:
        vex = authorized / "vex" / "ipc-2.0.openvex.json"
        document = json.loads(vex.read_text())
        document["statements"][0]["justification"] = "inline_mitigations_already_exist"
        vex.write_text(json.dumps(document))
        [change] = vex_changes(ctx, "ipc", "2.0")
        assert change.startswith("ipc-2.0.openvex.json changed after authorization")
        out = authorized / "after.tar.gz"
        export_bundle(ctx, "ipc", "2.0", datetime.now(UTC), {}, out=out)
        with out.open("rb") as handle:
            _, files = read_bundle(handle)
        result = check_files(files)
        assert not result.reproduced
        assert "the vulnerability assessment changed after authorization" in result.problem
        assert "ipc-2.0.openvex.json" in result.problem
        vex.unlink()
        [gone] = vex_changes(ctx, "ipc", "2.0")
        assert gone.startswith("ipc-2.0.openvex.json no longer exists")
    finally:
        ctx.close()
