"""A signature as files an auditor checks with OpenSSH alone, and the command to do it.

Beside a record's export, each signature N is two files: ``<stem>_sigN.msg``
(the signed message, byte for byte) and ``<stem>_sigN.sig`` (the armored SSH
signature). :func:`auditor_command` is the exact command, run in the records
folder, that verifies them; ``-Overify-time`` is the signing time, because a
key's later ``valid-before`` would otherwise fail a signature made in time.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from secgate_tui.domain.signature import SignedMessage, verify_time


@dataclass(frozen=True, kw_only=True)
class SignatureFiles:
    msg_name: str
    sig_name: str
    msg: bytes
    sig: bytes


def signature_files(stem: str, number: int, message: SignedMessage, armored: str) -> SignatureFiles:
    """The two files of signature ``number`` (1-based) of the record exported as ``stem``."""
    if number < 1:
        raise ValueError("signatures are numbered from 1")
    return SignatureFiles(
        msg_name=f"{stem}_sig{number}.msg",
        sig_name=f"{stem}_sig{number}.sig",
        msg=message.data(),
        sig=(armored.strip() + "\n").encode("ascii"),
    )


def auditor_command(
    message: SignedMessage,
    *,
    allowed_signers: str,
    sig_file: str,
    msg_file: str,
    revocations: str | None = None,
) -> str:
    """``ssh-keygen -Y verify …`` for one signature, shell-quoted, as an auditor types it."""
    parts = ["ssh-keygen", "-Y", "verify", "-f", allowed_signers]
    if revocations is not None:
        parts += ["-r", revocations]
    parts += [
        "-I",
        message.principal,
        "-n",
        message.namespace,
        "-s",
        sig_file,
        f"-Overify-time={verify_time(message.signed_at)}",
    ]
    return " ".join(shlex.quote(p) for p in parts) + " < " + shlex.quote(msg_file)
