"""`verify --sbom F --vex F`: files a pipeline holds, checked against the record (issue 14).

The demo's IPC 2.0 is authorized on its configured SBOM and OpenVEX. A pipeline
that kept its own copies (under other names) confirms they are the ones the
release was authorized on; a re-triaged VEX, an SBOM given as a VEX, or a
missing file each say what is wrong, with exit 1 (mismatch) or 2 (unreadable).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.test_cli import secgate

REASON = "secgate was introduced after 2.0 shipped"
VERIFY = ("--demo", "verify", "--product", "ipc", "--release", "2.0")


@pytest.fixture(scope="module")
def authorized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("vexgiven")
    done = secgate(
        "--demo", "authorize", "--product", "ipc", "--release", "2.0", "--yes",
        "--retrospective", REASON, data_dir=data,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def copies(authorized: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The pipeline's own copies of the files the release was authorized on."""
    sbom = shutil.copy(authorized / "vex" / "ipc-2.0.cdx.json", tmp_path / "build-sbom.json")
    vex = shutil.copy(authorized / "vex" / "ipc-2.0.openvex.json", tmp_path / "triage.json")
    return Path(sbom), Path(vex)


def test_the_files_authorized_on_verify_whatever_their_names(
    authorized: Path, copies: tuple[Path, Path]
) -> None:
    sbom, vex = copies
    result = secgate(*VERIFY, "--sbom", str(sbom), "--vex", str(vex), data_dir=authorized)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VEX OK  build-sbom.json is the SBOM record SRA-" in result.stdout
    assert "VEX OK  triage.json is the VEX document ipc-2.0.openvex.json record SRA-" in (
        result.stdout
    )
    assert "VEX CHANGED" not in result.stdout


def test_a_re_triaged_vex_given_is_a_mismatch(authorized: Path, copies: tuple[Path, Path]) -> None:
    sbom, vex = copies
    document = json.loads(vex.read_text())
    document["statements"][0]["justification"] = "inline_mitigations_already_exist"
    vex.write_text(json.dumps(document))
    result = secgate(*VERIFY, "--sbom", str(sbom), "--vex", str(vex), data_dir=authorized)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "VEX OK  build-sbom.json is the SBOM" in result.stdout
    assert "VEX CHANGED  triage.json (sha256:" in result.stdout
    assert "is not a VEX document record SRA-" in result.stdout
    # The authorized document it replaced is named, so nobody hunts for it.
    assert "was also authorized on the VEX document ipc-2.0.openvex.json" in result.stdout


def test_another_sbom_given_is_a_mismatch_naming_the_authorized_one(
    authorized: Path, copies: tuple[Path, Path], tmp_path: Path
) -> None:
    sbom, _ = copies
    other = tmp_path / "other.cdx.json"
    other.write_bytes(sbom.read_bytes().replace(b'"1.35.0"', b'"1.36.1"'))
    result = secgate(*VERIFY, "--sbom", str(other), data_dir=authorized)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "VEX CHANGED  other.cdx.json (sha256:" in result.stdout
    assert "is not the SBOM record SRA-" in result.stdout
    assert "(ipc-2.0.cdx.json, sha256:" in result.stdout


def test_an_unreadable_given_file_is_an_error(authorized: Path, tmp_path: Path) -> None:
    result = secgate(*VERIFY, "--vex", str(tmp_path / "nowhere.json"), data_dir=authorized)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "nowhere.json: cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
    # Refused before the tracker is read: no verdict is printed before the error.
    assert result.stdout == ""


def test_given_files_with_log_is_a_usage_error(authorized: Path, copies: tuple[Path, Path]) -> None:
    sbom, _ = copies
    result = secgate("--demo", "verify", "--log", "--sbom", str(sbom), data_dir=authorized)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "give --product and --release with them, not --log" in result.stderr
