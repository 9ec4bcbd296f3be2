"""A signed review record as main wrote it at 3ac5478 stays signed off, adoptable and verifiable.

tests/fixtures/review_signed is a tracker holding one review record and two
signature comments (management representative, security officer) made with
ssh-keygen keys whose public halves alone are kept, in the fixture's
allowed-signers file. `verify --review` must verify both signatures with
OpenSSH; `review status` and `records` must count the review as signed off from
the second signature; the reviewer recording the same review again adopts it
(byte for byte, nothing posted, nothing signed twice); an auditor verifies the
exported signature files with ssh-keygen alone; and an edited signature comment
no longer counts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent.parent / "fixtures" / "review_signed"
LOGGED: list[dict[str, Any]] = json.loads((FIXTURE / "audit_payloads.json").read_text())
REVIEW = next(e["payload"] for e in LOGGED if e["kind"] == "review")
SIGNED = [e["payload"] for e in LOGGED if e["kind"] == "signature"]
MANAGER, OFFICER = (s["message"]["principal"] for s in SIGNED)
NAMESPACE = "secgate-security-review"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    for name in (
        "secgate.toml",
        "allowed_signers",
        "conclusions.toml",
        "installations.csv",
        "sandbox.json",
    ):
        shutil.copy(FIXTURE / name, tmp_path / name)
    shutil.copytree(FIXTURE / "vex", tmp_path / "vex")
    # Each signer's public key (the private halves were never kept): enough to be
    # told that this person already signed.
    for line in (FIXTURE / "allowed_signers").read_text().splitlines():
        principal, _options, kind, key = line.split(" ", 3)
        (tmp_path / f"{principal}.pub").write_text(f"{kind} {key}\n")
    return tmp_path


def secgate(cwd: Path, *args: str, signer: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECGATE_", "SSH_AUTH_SOCK", "SSH_ASKPASS", "DISPLAY"))
    }
    if signer is not None:
        env["SECGATE_SIGNING__KEY"] = str(cwd / f"{signer}.pub")
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", "secgate.toml"]
    return subprocess.run(
        [*command, "--data-dir", "data", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        start_new_session=True,
    )


def out(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def sandbox(cwd: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((cwd / "sandbox.json").read_text(encoding="utf-8"))
    return data


def test_verify_review_checks_both_kept_signatures_with_openssh(tracker: Path) -> None:
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 0, out(verify)
    assert f"review {REVIEW['record_id']}: 2 valid signature(s), signed-off" in verify.stdout


def test_the_kept_review_counts_from_its_second_signature(tracker: Path) -> None:
    status = secgate(tracker, "review", "status", "--json")
    assert status.returncode in (0, 1), out(status)
    (ipc,) = json.loads(status.stdout)
    assert ipc["record_id"] == REVIEW["record_id"]
    assert ipc["last_review_source"] == "tracker"
    sign_off = ipc["sign_off"]
    assert sign_off["state"] == "signed-off" and sign_off["missing_roles"] == []
    signed_at = [s["message"]["signed_at"] for s in SIGNED]
    assert [(s["principal"], s["signed_at"], s["valid"]) for s in sign_off["signatures"]] == [
        (MANAGER, signed_at[0], True),
        (OFFICER, signed_at[1], True),
    ]
    assert sign_off["met_at"] == signed_at[1]
    assert ipc["last_review"] == signed_at[1][:10]
    listed = secgate(tracker, "records", "--product", "ipc", "--json")
    assert listed.returncode == 0, out(listed)
    data = json.loads(listed.stdout)
    (review,) = [r for r in data["records"] if r["kind"] == "review"]
    assert data["problems"] == []
    assert review["state"] == "signed-off" and len(review["signatures"]) == 2
    assert review["counts_from"] == ipc["last_review"] and review["next_due"] == ipc["due"]


def test_the_kept_review_is_adopted_and_nobody_signs_it_twice(tracker: Path) -> None:
    before = sandbox(tracker)
    again = secgate(
        tracker,
        "review",
        "record",
        "--product",
        "ipc",
        "--conclusions",
        "conclusions.toml",
        "--yes",
        "--create-actions",
        signer=MANAGER,
    )
    assert again.returncode == 0, out(again)
    assert f"RECORDED: review {REVIEW['record_id']}" in again.stdout
    assert "adopted the earlier comment" in again.stdout
    assert f"sha256:{REVIEW['record_digest']}" in again.stdout
    assert "already signed" in again.stdout
    approve = secgate(tracker, "approve", "--product", "ipc", "--review", "--yes", signer=OFFICER)
    assert approve.returncode == 1 and "already signed" in approve.stdout, out(approve)
    assert sandbox(tracker) == before  # nothing posted: no comment, no action issue
    records = tracker / "data" / "records"
    (exported,) = records.glob("Security-Management-Review_ipc_*.json")
    (kept,) = FIXTURE.glob("Security-Management-Review_ipc_*.json")
    assert exported.read_bytes() == kept.read_bytes()
    log = secgate(tracker, "verify", "--log")
    assert log.returncode == 0 and "1 entry" in log.stdout, out(log)
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 0 and "2 valid signature(s), signed-off" in verify.stdout


def ssh_verify(principal: str, signature: Path, message: bytes) -> int:
    """``ssh-keygen -Y verify`` against the fixture's allowed signers, as an auditor runs it."""
    allowed = str(FIXTURE / "allowed_signers")
    command = ["ssh-keygen", "-Y", "verify", "-f", allowed, "-I", principal, "-n", NAMESPACE]
    done = subprocess.run(
        [*command, "-s", str(signature)], input=message, capture_output=True, check=False
    )
    return done.returncode


@pytest.mark.parametrize("n", [1, 2])
def test_an_auditor_verifies_the_kept_signature_files_with_openssh(n: int) -> None:
    (message,) = FIXTURE.glob(f"Security-Management-Review_ipc_*_sig{n}.msg")
    signature = message.with_suffix(".sig")
    payload = SIGNED[n - 1]
    principal = payload["message"]["principal"]
    assert json.loads(message.read_text(encoding="utf-8")) == payload["message"]
    assert signature.read_text().strip() == payload["armored"]
    assert ssh_verify(principal, signature, message.read_bytes()) == 0
    # Another role in the message, and OpenSSH refuses it.
    role = payload["message"]["role"].encode()
    forged = message.read_bytes().replace(role, role.upper())
    assert ssh_verify(principal, signature, forged) != 0


def test_an_edited_signature_comment_no_longer_counts(tracker: Path) -> None:
    data = sandbox(tracker)
    comments = data["issues"]["IPC-6"]["comments"]
    officer = next(c for c in comments if f"signer:{OFFICER}" in c["body"])
    edited = officer["body"].replace("Meaning: I have reviewed", "Meaning: I have skimmed", 1)
    assert edited != officer["body"]
    officer["body"] = edited
    (tracker / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 1, out(verify)
    assert f"a signature comment of review {REVIEW['record_id']} is damaged" in verify.stdout
    status = secgate(tracker, "review", "status", "--json")
    (ipc,) = json.loads(status.stdout)
    assert ipc["last_review_source"] == "config" and ipc["sign_off"] is None
    pending = f"review {REVIEW['record_id']} is pending signatures (security-officer)"
    assert any(pending in w for w in ipc["warnings"]), ipc["warnings"]
