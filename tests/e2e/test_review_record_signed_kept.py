"""Signed review records as main wrote them at 3ac5478 stay signed off, adoptable and verifiable.

tests/fixtures/review_signed is a tracker holding two review records, the second
following up the first, each with two signature comments (management
representative, security officer) made with ssh-keygen keys whose public halves
alone are kept, in the fixture's allowed-signers file. `verify --review` must
verify the newest review's signatures with OpenSSH; `review status` and
`records` must count both reviews as signed off, each from its second signature;
the reviewer recording the newest review again adopts it (byte for byte,
nothing posted, nothing signed twice); an auditor verifies every exported
signature file with ssh-keygen alone; and a review whose signature comment was
edited no longer counts, so the review before it is the one held.
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
FIRST, SECOND = (e["payload"] for e in LOGGED if e["kind"] == "review")
SIGNED = [e["payload"] for e in LOGGED if e["kind"] == "signature"]
MANAGER, OFFICER = (s["message"]["principal"] for s in SIGNED[:2])
NAMESPACE = "secgate-security-review"
KEPT = (
    "secgate.toml",
    "allowed_signers",
    "conclusions.toml",
    "second.toml",
    "installations.csv",
    "sandbox.json",
)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    for name in KEPT:
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


def signed_at(review: dict[str, Any]) -> list[str]:
    """When each signature of ``review`` was made, in signing order."""
    return [
        s["message"]["signed_at"]
        for s in SIGNED
        if s["message"]["record_id"] == review["record_id"]
    ]


def kept_export(record_id: str) -> Path:
    """The fixture's JSON export of one record (the names carry no record id)."""
    for path in sorted(FIXTURE.glob("Security-Management-Review_ipc_*.json")):
        if json.loads(path.read_text(encoding="utf-8"))["record_id"] == record_id:
            return path
    raise AssertionError(f"no export of {record_id}")


def ipc_status(cwd: Path) -> dict[str, Any]:
    status = secgate(cwd, "review", "status", "--json")
    assert status.returncode in (0, 1), out(status)
    (ipc,) = json.loads(status.stdout)
    assert isinstance(ipc, dict)
    return ipc


def test_verify_review_checks_the_newest_reviews_signatures_with_openssh(tracker: Path) -> None:
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 0, out(verify)
    assert f"review {SECOND['record_id']}: 2 valid signature(s), signed-off" in verify.stdout


def test_each_kept_review_counts_from_its_second_signature(tracker: Path) -> None:
    ipc = ipc_status(tracker)
    assert ipc["record_id"] == SECOND["record_id"]
    assert ipc["last_review_source"] == "tracker"
    sign_off = ipc["sign_off"]
    assert sign_off["state"] == "signed-off" and sign_off["missing_roles"] == []
    assert [(s["principal"], s["signed_at"], s["valid"]) for s in sign_off["signatures"]] == [
        (MANAGER, signed_at(SECOND)[0], True),
        (OFFICER, signed_at(SECOND)[1], True),
    ]
    assert sign_off["met_at"] == signed_at(SECOND)[1]
    assert ipc["last_review"] == signed_at(SECOND)[1][:10]
    listed = secgate(tracker, "records", "--product", "ipc", "--json")
    assert listed.returncode == 0, out(listed)
    data = json.loads(listed.stdout)
    assert data["problems"] == []
    reviews = [r for r in data["records"] if r["kind"] == "review"]
    assert [(r["record_id"], r["state"], len(r["signatures"])) for r in reviews] == [
        (FIRST["record_id"], "signed-off", 2),
        (SECOND["record_id"], "signed-off", 2),
    ]
    assert reviews[1]["counts_from"] == ipc["last_review"]
    assert reviews[1]["next_due"] == ipc["due"]


def test_the_newest_kept_review_is_adopted_and_nobody_signs_it_twice(tracker: Path) -> None:
    before = sandbox(tracker)
    record = ("review", "record", "--product", "ipc", "--conclusions", "second.toml", "--yes")
    again = secgate(tracker, *record, "--create-actions", signer=MANAGER)
    assert again.returncode == 0, out(again)
    assert f"RECORDED: review {SECOND['record_id']}" in again.stdout
    assert "adopted the earlier comment" in again.stdout
    assert f"sha256:{SECOND['record_digest']}" in again.stdout
    assert "already signed" in again.stdout
    approve = secgate(tracker, "approve", "--product", "ipc", "--review", "--yes", signer=OFFICER)
    assert approve.returncode == 1 and "already signed" in approve.stdout, out(approve)
    assert sandbox(tracker) == before  # nothing posted: no comment, no action issue
    (exported,) = (tracker / "data" / "records").glob("Security-Management-Review_ipc_*.json")
    assert exported.read_bytes() == kept_export(SECOND["record_id"]).read_bytes()
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


MESSAGES = sorted(FIXTURE.glob("Security-Management-Review_ipc_*_sig*.msg"))


@pytest.mark.parametrize("message", MESSAGES, ids=lambda p: p.stem)
def test_an_auditor_verifies_each_kept_signature_file_with_openssh(message: Path) -> None:
    assert len(MESSAGES) == 4
    signature = message.with_suffix(".sig")
    text = message.read_text(encoding="utf-8")
    (payload,) = (s for s in SIGNED if s["message"] == json.loads(text))
    assert signature.read_text().strip() == payload["armored"]
    principal = payload["message"]["principal"]
    assert ssh_verify(principal, signature, message.read_bytes()) == 0
    # Another role in the message, and OpenSSH refuses it.
    role = payload["message"]["role"].encode()
    forged = message.read_bytes().replace(role, role.upper())
    assert ssh_verify(principal, signature, forged) != 0


def test_a_review_whose_signature_comment_was_edited_no_longer_counts(tracker: Path) -> None:
    data = sandbox(tracker)
    mark = f"secgate-signature {SECOND['record_id']} "
    (officer,) = (
        c
        for c in data["issues"]["IPC-6"]["comments"]
        if mark in c["body"] and f"signer:{OFFICER}" in c["body"]
    )
    edited = officer["body"].replace("Meaning: I have reviewed", "Meaning: I have skimmed", 1)
    assert edited != officer["body"]
    officer["body"] = edited
    (tracker / "sandbox.json").write_text(json.dumps(data), encoding="utf-8")
    verify = secgate(tracker, "verify", "--product", "ipc", "--review")
    assert verify.returncode == 1, out(verify)
    assert f"a signature comment of review {SECOND['record_id']} is damaged" in verify.stdout
    ipc = ipc_status(tracker)
    # The review before it is the one held, from its own sign-off.
    assert ipc["record_id"] == FIRST["record_id"]
    assert ipc["sign_off"]["met_at"] == signed_at(FIRST)[1]
    pending = f"review {SECOND['record_id']} is pending signatures (security-officer)"
    assert any(pending in w for w in ipc["warnings"]), ipc["warnings"]
