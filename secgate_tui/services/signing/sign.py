"""Signing a message with the signer's own SSH key (``ssh-keygen -Y sign``).

Two ways to hold the key, as OpenSSH supports them:

- the key is in ssh-agent (or on a FIDO2 token the agent drives): the
  configured path is the ``.pub`` file and ``-U`` makes ssh-keygen ask only the
  agent;
- a private key file: ssh-keygen loads it, asking for its passphrase on the
  terminal or through ``SSH_ASKPASS``. A wrong passphrase signs nothing.

The signature is checked with ``-Y check-novalidate`` before it is returned,
which also yields the fingerprint of the key that actually signed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from secgate_tui.domain.signature import SignedMessage
from secgate_tui.services.signing import ssh_keygen
from secgate_tui.services.signing.errors import (
    KeyFileError,
    KeyNotInAgentError,
    NoAgentError,
    NoPassphrasePromptError,
    SignatureError,
    WrongPassphraseError,
)

BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"


@dataclass(frozen=True, kw_only=True)
class SigningKey:
    """Where the signer's key is: ``path`` is a ``.pub`` (agent) or a private key file."""

    path: Path
    agent: bool

    @classmethod
    def at(cls, path: Path | str) -> SigningKey:
        path = Path(path).expanduser()
        return cls(path=path, agent=path.suffix == ".pub")


@dataclass(frozen=True, kw_only=True)
class Signature:
    """An armored SSHSIG and the fingerprint of the key that made it."""

    armored: str
    fingerprint: str


def sign(message: SignedMessage, key: SigningKey) -> Signature:
    """Sign ``message`` under its record kind's namespace.

    Raises:
        SignatureError: a subclass saying what to fix; nothing was signed.
    """
    if not key.path.is_file():
        raise KeyFileError(str(key.path), "no such file")
    if key.agent:
        _require_agent(key)
        args: list[str | Path] = ["-Y", "sign", "-U", "-f", key.path, "-n", message.namespace]
    else:
        args = ["-Y", "sign", "-f", key.path, "-n", message.namespace]
    # Signing may wait for a passphrase or a hardware token's touch: no timeout.
    result = ssh_keygen.run(args, stdin=message.data(), timeout=None, interactive=True)
    if not result.ok:
        raise _signing_failure(key, result.stderr)
    armored = result.stdout.strip()
    if not (armored.startswith(BEGIN) and armored.endswith(END)):
        raise SignatureError(
            "ssh-keygen reported success but printed no SSH signature; nothing was signed. "
            "Check the OpenSSH version (8.2 or later is needed)."
        )
    return Signature(armored=armored, fingerprint=self_check(message, armored))


def self_check(message: SignedMessage, armored: str) -> str:
    """The signing key's fingerprint, after checking the signature over ``message``."""
    with tempfile.TemporaryDirectory(prefix="secgate-sig-") as tmp:
        sig = Path(tmp) / "message.sig"
        sig.write_text(armored + "\n", encoding="ascii")
        result = ssh_keygen.run(
            ["-Y", "check-novalidate", "-n", message.namespace, "-s", sig], stdin=message.data()
        )
    found = result.fingerprint()
    if not result.ok or found is None:
        raise SignatureError(
            "the signature ssh-keygen just made does not check against the message "
            f"({ssh_keygen.last_line(result.stderr)}); nothing was posted."
        )
    return found


def _require_agent(key: SigningKey) -> None:
    socket = os.environ.get("SSH_AUTH_SOCK")
    if not socket or not Path(socket).exists():
        raise NoAgentError(str(key.path))


def _signing_failure(key: SigningKey, stderr: str) -> SignatureError:
    text = stderr.lower()
    if "couldn't get agent socket" in text or "error connecting to agent" in text:
        return NoAgentError(str(key.path))
    if "couldn't find key in agent" in text:
        return KeyNotInAgentError(str(key.path), ssh_keygen.fingerprint(key.path))
    if "incorrect passphrase" in text:
        if not _can_prompt():
            return NoPassphrasePromptError(str(key.path))
        return WrongPassphraseError(str(key.path))
    return KeyFileError(str(key.path), ssh_keygen.last_line(stderr))


def _can_prompt() -> bool:
    """Whether ssh-keygen had a way to ask for a passphrase (terminal or askpass)."""
    if os.environ.get("SSH_ASKPASS") and (
        os.environ.get("SSH_ASKPASS_REQUIRE") == "force" or os.environ.get("DISPLAY")
    ):
        return True
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True
