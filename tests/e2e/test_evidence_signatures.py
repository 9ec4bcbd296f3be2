"""The evidence bundle carries the signed approvals and checks them offline (issue 16).

The demo's DMS needs two signatures (release manager, security officer), made
with the demo's real keys by real `ssh-keygen`; `evidence check` re-verifies them
with OpenSSH against the auditor's allowed-signers file, or the bundle's own copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from secgate_tui.services.evidence import layout
from secgate_tui.services.evidence.archive import write_bundle
from secgate_tui.services.signing.demo import SECURITY_OFFICER, install_demo_signing

DMS = ("--product", "dms", "--release", "5.4")


def secgate(data: Path, *args: str, key: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    if key is not None:
        env["SECGATE_SIGNING__KEY"] = str(key)
    return subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", "--demo", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )


def members(bundle: Path) -> tuple[str, dict[str, bytes]]:
    with tarfile.open(bundle) as archive:
        files = {
            m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }
    stem = next(iter(files)).split("/", 1)[0]
    return stem, {name.split("/", 1)[1]: content for name, content in files.items()}


def rewrite(bundle: Path, change: dict[str, bytes], out: Path) -> Path:
    """The bundle with files changed and its manifest recomputed (a careful forger)."""
    stem, files = members(bundle)
    files.update(change)
    files.pop(layout.MANIFEST)
    files[layout.MANIFEST] = layout.manifest(files)
    out.write_bytes(write_bundle(stem, files))
    return out


@pytest.fixture(scope="module")
def signed_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("signed")
    first = secgate(data, "authorize", *DMS, "--yes", "--retrospective", "shipped earlier")
    assert first.returncode == 3, first.stdout + first.stderr
    officer = install_demo_signing(data).keys[SECURITY_OFFICER]
    second = secgate(data, "approve", *DMS, "--yes", key=officer)
    assert second.returncode == 0, second.stdout + second.stderr
    bundle = data / "bundle.tar.gz"
    exported = secgate(data, "evidence", "export", *DMS, "--offline", "--out", str(bundle))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    return bundle, install_demo_signing(data).allowed_signers


def check(bundle: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return secgate(bundle.parent / "nowhere", "evidence", "check", str(bundle), *extra)


def test_both_signatures_are_in_the_bundle_and_verify_against_its_own_copy(
    signed_bundle: tuple[Path, Path],
) -> None:
    bundle, _ = signed_bundle
    _, files = members(bundle)
    assert {"signatures/1.msg", "signatures/2.msg", "signatures/allowed_signers"} <= set(files)
    result = check(bundle)
    assert result.returncode == 0, result.stdout
    assert "signatures: 2 verified with OpenSSH against the bundle's own copy" in result.stdout
    assert "proves less" in result.stdout


def test_the_auditors_controlled_copy_is_used_when_named(
    signed_bundle: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, allowed = signed_bundle
    result = check(bundle, "--allowed-signers", str(allowed))
    assert result.returncode == 0, result.stdout
    assert "(the bundle's copy is identical)" in result.stdout

    # A controlled copy without the security officer: that signature does not count.
    lines = allowed.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if SECURITY_OFFICER not in line]
    assert len(kept) < len(lines)
    controlled = tmp_path / "allowed_signers"
    controlled.write_text("\n".join(kept) + "\n", encoding="utf-8")
    refused = check(bundle, "--allowed-signers", str(controlled))
    assert refused.returncode == 1, refused.stdout
    assert "DOES NOT REPRODUCE" in refused.stdout and "does not verify" in refused.stdout


def test_a_signed_message_edited_with_the_manifest_recomputed_does_not_reproduce(
    signed_bundle: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, allowed = signed_bundle
    _, files = members(bundle)
    forged = files["signatures/2.msg"].replace(b'"meaning":"', b'"meaning":"NOT ')
    assert forged != files["signatures/2.msg"]
    edited = rewrite(bundle, {"signatures/2.msg": forged}, tmp_path / "edited.tar.gz")
    result = check(edited, "--allowed-signers", str(allowed))
    assert result.returncode == 1, result.stdout
    assert "signatures/2.sig" in result.stdout and "does not verify" in result.stdout


def test_a_signature_without_its_message_does_not_reproduce(
    signed_bundle: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, _ = signed_bundle
    _, files = members(bundle)
    stray = {"signatures/3.sig": files["signatures/1.sig"]}
    edited = rewrite(bundle, stray, tmp_path / "stray.tar.gz")
    result = check(edited)
    assert result.returncode == 1 and "has no signed message beside it" in result.stdout
