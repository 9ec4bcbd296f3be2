"""Verifying a signature against the allowed-signers file (``ssh-keygen -Y verify``).

The check is the one an auditor repeats by hand: the principal and namespace
the message names, the allowed-signers file and revocations from the config,
and ``-Overify-time`` set to the signing time the message states, so a key whose
``valid-before`` has passed since still verifies what it signed in time.

``ssh-keygen`` only says "Could not verify signature"; when it does, further
read-only checks find out why (altered, revoked, unknown key, another
principal's key, expired), so the refusal names the cause.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from secgate_tui.domain.approval import CheckedSignature
from secgate_tui.domain.render.signature import SignatureComment
from secgate_tui.domain.signature import SignedMessage, verify_time
from secgate_tui.services.signing import ssh_keygen
from secgate_tui.services.signing.errors import (
    AllowedSignersError,
    BadSignatureError,
    ExpiredKeyError,
    InvalidSignatureError,
    RevokedKeyError,
    UnknownKeyError,
    WrongPrincipalError,
)


@dataclass(frozen=True, kw_only=True)
class TrustAnchors:
    """Who may sign: the allowed-signers file and, optionally, the revoked keys."""

    allowed_signers: Path
    revocations: Path | None = None

    def check_readable(self) -> None:
        for path in (self.allowed_signers, self.revocations):
            if path is not None and not path.is_file():
                raise AllowedSignersError(str(path), "no such file")


@dataclass(frozen=True, kw_only=True)
class Verified:
    principal: str
    fingerprint: str


def verify(message: SignedMessage, armored: str, anchors: TrustAnchors) -> Verified:
    """OpenSSH's verdict on ``armored`` as ``message.principal``'s signature of ``message``.

    Raises:
        InvalidSignatureError: a subclass naming why the signature does not count.
        SigningSetupError: the allowed-signers file is unusable (nothing was judged).
        SshKeygenMissingError: no OpenSSH.
    """
    anchors.check_readable()
    with tempfile.TemporaryDirectory(prefix="secgate-verify-") as tmp:
        sig = Path(tmp) / "signature.sig"
        sig.write_text(armored.strip() + "\n", encoding="utf-8")
        result = _verify(message, sig, anchors, revocations=True)
        if result.ok:
            return Verified(principal=message.principal, fingerprint=result.fingerprint() or "")
        raise _diagnose(message, sig, anchors, result.stderr)


def check(message: SignedMessage, armored: str, anchors: TrustAnchors) -> CheckedSignature:
    """:func:`verify` as a value for the approval policy (an invalid signature is not an error)."""
    try:
        verified = verify(message, armored, anchors)
    except InvalidSignatureError as exc:
        return CheckedSignature(message=message, valid=False, problem=str(exc))
    return CheckedSignature(message=message, fingerprint=verified.fingerprint, valid=True)


def check_comment(
    found: SignatureComment, anchors: TrustAnchors, posted_at: datetime | None = None
) -> CheckedSignature:
    """A signature read from a tracker comment, checked; ``posted_at`` is the comment's time.

    The key fingerprint the comment states must be the key that verified: a
    comment whose human part names another key was edited.
    """
    checked = check(found.message, found.armored, anchors).model_copy(
        update={"posted_at": posted_at}
    )
    if checked.valid and checked.fingerprint != found.fingerprint:
        return checked.model_copy(
            update={
                "valid": False,
                "problem": (
                    f"the comment states key {found.fingerprint}, but the signature by "
                    f"{found.message.principal} was made with {checked.fingerprint}: the "
                    "comment was edited, so the signature does not count"
                ),
            }
        )
    return checked


def find_principals(armored: str, anchors: TrustAnchors, signed_at: str) -> list[str]:
    """The principals the allowed-signers file lists for the key that made ``armored``."""
    anchors.check_readable()
    with tempfile.TemporaryDirectory(prefix="secgate-verify-") as tmp:
        sig = Path(tmp) / "signature.sig"
        sig.write_text(armored.strip() + "\n", encoding="utf-8")
        result = _principals(sig, anchors, signed_at)
    return result.stdout.split() if result.ok else []


def _verify(
    message: SignedMessage, sig: Path, anchors: TrustAnchors, *, revocations: bool
) -> ssh_keygen.Run:
    args: list[str | Path] = [
        "-Y",
        "verify",
        "-f",
        anchors.allowed_signers,
        "-I",
        message.principal,
        "-n",
        message.namespace,
        "-s",
        sig,
        f"-Overify-time={verify_time(message.signed_at)}",
    ]
    if revocations and anchors.revocations is not None:
        args[2:2] = ["-r", anchors.revocations]
    return ssh_keygen.run(args, stdin=message.data())


def _principals(sig: Path, anchors: TrustAnchors, signed_at: str) -> ssh_keygen.Run:
    return ssh_keygen.run(
        [
            "-Y",
            "find-principals",
            "-f",
            anchors.allowed_signers,
            "-s",
            sig,
            f"-Overify-time={verify_time(signed_at)}",
        ]
    )


def _diagnose(message: SignedMessage, sig: Path, anchors: TrustAnchors, stderr: str) -> Exception:
    principal = message.principal
    if "unable to open allowed keys file" in stderr.lower():
        return AllowedSignersError(str(anchors.allowed_signers), ssh_keygen.last_line(stderr))
    for line in stderr.splitlines():
        if "key has expired" in line or "key is not yet valid" in line:
            # "<file>:<line>: key has expired: verify time … > valid-before …"
            return ExpiredKeyError(principal, line.split(": ", 1)[-1].strip())
    plain = ssh_keygen.run(
        ["-Y", "check-novalidate", "-n", message.namespace, "-s", sig], stdin=message.data()
    )
    if not plain.ok:
        return BadSignatureError(principal, ssh_keygen.last_line(plain.stderr))
    fingerprint = plain.fingerprint() or "(unknown fingerprint)"
    if anchors.revocations is not None and _verify(message, sig, anchors, revocations=False).ok:
        return RevokedKeyError(principal, fingerprint, str(anchors.revocations))
    owners = _principals(sig, anchors, message.signed_at)
    if not owners.ok:
        return UnknownKeyError(principal, fingerprint, str(anchors.allowed_signers))
    listed = owners.stdout.split()
    if principal not in listed:
        return WrongPrincipalError(principal, fingerprint, listed)
    return BadSignatureError(principal, ssh_keygen.last_line(stderr))
