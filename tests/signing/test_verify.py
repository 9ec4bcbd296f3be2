"""Verification against the allowed-signers file: every refusal names its cause."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secgate_tui.domain.render.signature_files import auditor_command, signature_files
from secgate_tui.services.signing import (
    AllowedSignersError,
    BadSignatureError,
    ExpiredKeyError,
    RevokedKeyError,
    SigningKey,
    TrustAnchors,
    UnknownKeyError,
    WrongPrincipalError,
    check,
    find_principals,
    fingerprint,
    sign,
    verify,
)
from tests.signing.helpers import message
from tests.signing.keys import Key, Keys


def signed(key: Key, **kw: object) -> tuple[object, str]:
    m = message(key.principal, **kw)  # type: ignore[arg-type]
    return m, sign(m, SigningKey.at(key.private)).armored


def test_a_key_not_in_the_allowed_signers_file_is_refused(keys: Keys) -> None:
    alice, mallory = keys.make("alice@example.com"), keys.make("mallory@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, "")))
    m = message("alice@example.com")  # Mallory claims to be Alice
    armored = sign(m, SigningKey.at(mallory.private)).armored
    with pytest.raises(UnknownKeyError, match="not in the allowed-signers file") as info:
        verify(m, armored, anchors)
    assert fingerprint(mallory.public) in str(info.value)
    result = check(m, armored, anchors)
    assert not result.valid and "does not count" in (result.problem or "")


def test_another_principals_key_is_refused(keys: Keys) -> None:
    alice, bob = keys.make("alice@example.com"), keys.make("bob@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, ""), (bob, "")))
    m = message("alice@example.com")
    armored = sign(m, SigningKey.at(bob.private)).armored
    with pytest.raises(WrongPrincipalError, match=r"listed for bob@example\.com"):
        verify(m, armored, anchors)


@pytest.mark.parametrize("krl", [False, True])
def test_a_revoked_key_is_refused(keys: Keys, krl: bool) -> None:
    alice = keys.make("alice@example.com")
    revoked = keys.root / "revoked"
    if krl:
        subprocess.run(
            ["ssh-keygen", "-q", "-k", "-f", str(revoked), str(alice.public)],
            check=True,
            capture_output=True,
        )
    else:
        revoked.write_text(alice.public_text + "\n")
    m, armored = signed(alice)
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, "")), revocations=revoked)
    with pytest.raises(RevokedKeyError, match="is revoked"):
        verify(m, armored, anchors)  # type: ignore[arg-type]


def test_a_key_expired_at_the_signing_time_is_refused(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, 'valid-before="20261201000000Z"')))
    m, armored = signed(alice)  # signed 2026-12-07
    with pytest.raises(ExpiredKeyError, match="valid-before 2026-12-01"):
        verify(m, armored, anchors)  # type: ignore[arg-type]


def test_a_key_that_expired_after_signing_still_verifies_what_it_signed(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    # Signed on 2 November; the key's validity ended on 15 November, before today.
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, 'valid-before="20261115000000Z"')))
    m, armored = signed(alice, at=datetime(2026, 11, 2, 9, 30, 0, tzinfo=UTC))
    verify(m, armored, anchors)  # type: ignore[arg-type]
    assert find_principals(armored, anchors, m.signed_at) == ["alice@example.com"]  # type: ignore[attr-defined]


def test_an_altered_message_is_refused(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, "")))
    _, armored = signed(alice)
    other_role = message("alice@example.com", "security-officer")
    with pytest.raises(BadSignatureError, match="does not match its message"):
        verify(other_role, armored, anchors)


def test_a_signature_cannot_be_moved_to_another_record(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    anchors = TrustAnchors(allowed_signers=keys.allowed((alice, "")))
    _, armored = signed(alice)
    moved = message("alice@example.com", record_id="SRA-ffffffffffffffffffff")
    with pytest.raises(BadSignatureError):
        verify(moved, armored, anchors)
    as_review = message("alice@example.com", kind="review")
    with pytest.raises(BadSignatureError):
        verify(as_review, armored, anchors)


def test_an_unreadable_allowed_signers_file_is_a_setup_error(keys: Keys, tmp_path: Path) -> None:
    alice = keys.make("alice@example.com")
    m, armored = signed(alice)
    with pytest.raises(AllowedSignersError, match="no such file"):
        verify(m, armored, TrustAnchors(allowed_signers=tmp_path / "nope"))  # type: ignore[arg-type]


def test_the_auditor_command_verifies_the_exported_files_with_openssh_alone(
    keys: Keys, tmp_path: Path
) -> None:
    alice = keys.make("alice@example.com")
    # valid-before has passed by now: the command's verify-time is the signing time.
    allowed = keys.allowed((alice, 'valid-before="20261115000000Z"'))
    m, armored = signed(alice, at=datetime(2026, 11, 2, 9, 30, 0, tzinfo=UTC))
    records = tmp_path / "records"
    records.mkdir()
    (records / "allowed_signers").write_bytes(allowed.read_bytes())
    files = signature_files("Security-Release-Authorization_ipc_2.1", 1, m, armored)  # type: ignore[arg-type]
    (records / files.msg_name).write_bytes(files.msg)
    (records / files.sig_name).write_bytes(files.sig)
    command = auditor_command(
        m,  # type: ignore[arg-type]
        allowed_signers="allowed_signers",
        sig_file=files.sig_name,
        msg_file=files.msg_name,
    )
    done = subprocess.run(
        ["sh", "-c", command], cwd=records, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert 'Good "secgate-release-authorization" signature for alice@example.com' in done.stdout
    # The same command refuses an edited message file.
    (records / files.msg_name).write_bytes(files.msg.replace(b"2.1", b"2.2"))
    done = subprocess.run(
        ["sh", "-c", command], cwd=records, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
