"""`authorize --artifact/--commit/--sbom/--retrospective` and `verify --artifact` on the demo.

The demo's IPC 2.0 shipped months ago (the sandbox marks it released), so it is
authorized retrospectively; 2.2 shows a penetration test and a scan that are 2.0's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.exports import record_file
from tests.e2e.test_cli import secgate

REASON = "secgate was introduced after 2.0 shipped"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
AUTHORIZE = ("--demo", "authorize", "--product", "ipc", "--release", "2.0", "--yes")


@pytest.fixture(scope="module")
def authorized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """IPC 2.0 authorized with an artifact and a commit: (data dir, the artifact)."""
    data = tmp_path_factory.mktemp("identity")
    image = data / "pump-2.0.img"
    image.write_bytes(b"firmware image 2.0\n" * 1000)
    refused = secgate(*AUTHORIZE, "--artifact", str(image), data_dir=data)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "already released on" in refused.stdout and "--retrospective" in refused.stdout
    done = secgate(
        *AUTHORIZE, "--artifact", str(image), "--commit", COMMIT, "--retrospective", REASON,
        data_dir=data,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return data, image


def test_the_record_names_the_software_and_says_it_is_retrospective(
    authorized: tuple[Path, Path],
) -> None:
    data, image = authorized
    records = data / "records"
    record = json.loads(record_file(records, "ipc", "2.0", ".json").read_text())
    (artifact,) = record["software"]["artifacts"]
    assert artifact["name"] == "pump-2.0.img" and artifact["size"] == image.stat().st_size
    assert record["software"]["commit"] == {"id": COMMIT, "source": "--commit"}
    # The demo configures the release's SBOM: the record names the file the check read.
    assert record["software"]["sbom"]["name"] == "ipc-2.0.cdx.json"
    assert record["retrospective"]["reason"] == REASON
    markdown = record_file(records, "ipc", "2.0", ".md").read_text()
    assert "RETROSPECTIVE authorization of a release shipped on" in markdown
    assert artifact["sha256"] in markdown and COMMIT in markdown
    assert (
        secgate(
            "--demo", "verify", "--product", "ipc", "--release", "2.0", data_dir=data
        ).returncode
        == 0
    )


def test_verify_artifact_confirms_the_authorized_file_and_refuses_another(
    authorized: tuple[Path, Path], tmp_path: Path
) -> None:
    data, image = authorized
    verify = ("--demo", "verify", "--product", "ipc", "--release", "2.0", "--artifact")
    copy = tmp_path / "renamed.img"
    copy.write_bytes(image.read_bytes())
    ok = secgate(*verify, str(copy), data_dir=data)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ARTIFACT OK" in ok.stdout and "pump-2.0.img" in ok.stdout
    altered = tmp_path / "pump-2.0.img"
    altered.write_bytes(image.read_bytes() + b"x")
    bad = secgate(*verify, str(altered), data_dir=data)
    assert bad.returncode == 1 and "ARTIFACT NOT AUTHORIZED" in bad.stdout
    missing = secgate(*verify, str(tmp_path / "nowhere.img"), data_dir=data)
    assert missing.returncode == 2 and "cannot be read" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_bad_identity_input_is_exit_2_before_anything_is_written(tmp_path: Path) -> None:
    missing = secgate(*AUTHORIZE, "--artifact", str(tmp_path / "none.img"), data_dir=tmp_path)
    assert missing.returncode == 2 and "--artifact" in missing.stderr
    short = secgate(*AUTHORIZE, "--commit", "abc123", "--retrospective", REASON, data_dir=tmp_path)
    assert short.returncode == 2 and "not a full commit id" in short.stderr
    assert not (tmp_path / "records").exists()


def test_a_required_identity_that_is_missing_blocks(tmp_path: Path) -> None:
    env = {"SECGATE_PRODUCTS__IPC__SOFTWARE__REQUIRE": '["artifacts", "commit"]'}
    result = secgate(*AUTHORIZE, "--retrospective", REASON, data_dir=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the product requires artifacts in the record" in result.stdout
    assert "the product requires commit in the record" in result.stdout
    assert not (tmp_path / "records").exists()


def test_authorize_evaluates_the_sbom_and_vex_it_is_given(tmp_path: Path) -> None:
    sbom = tmp_path / "bad.cdx.json"
    sbom.write_text("not json")
    refused = secgate(*AUTHORIZE, "--sbom", str(sbom), "--retrospective", REASON, data_dir=tmp_path)
    assert refused.returncode == 2 and "bad.cdx.json" in refused.stderr
    assert "is not valid JSON" in refused.stderr


def test_status_says_a_release_shipped_and_which_evidence_is_out_of_scope(tmp_path: Path) -> None:
    shipped = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.0", "--json", data_dir=tmp_path
    )
    assert json.loads(shipped.stdout)["released"]["released"] is True
    text = secgate("--demo", "status", "--product", "ipc", "--release", "2.0", data_dir=tmp_path)
    assert "NOTE: release 2.0 was already released on" in text.stdout
    blocked = secgate(
        "--demo", "status", "--product", "ipc", "--release", "2.2", "--json", data_dir=tmp_path
    )
    report = json.loads(blocked.stdout)
    assert report["released"] == {"released": False, "released_on": None}
    pentest = next(a for a in report["activities"] if a["id"] == "pentest")
    assert pentest["state"] == "incomplete"
    assert pentest["detail"].startswith("evidence IPC-3 is for releases 2.0, 2.1, 2.2.1, not 2.2")
    assert any("Penetration test" in reason for reason in report["reasons"])
