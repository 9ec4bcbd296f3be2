"""Running OpenSSH's ``ssh-keygen``: found on PATH, never through a shell.

The child inherits the environment it needs from secgate's own: the agent
(``SSH_AUTH_SOCK``) and a passphrase dialog (``SSH_ASKPASS``,
``SSH_ASKPASS_REQUIRE``, ``DISPLAY``). The passphrase itself never passes
through secgate: ``ssh-keygen`` reads it from the terminal or the dialog.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secgate_tui.services.signing.errors import KeyFileError, SshKeygenMissingError

#: A verification or lookup never waits on a person; signing may (passphrase, token touch).
CHECK_TIMEOUT = 60.0
_FINGERPRINT = re.compile(r"\b(SHA256:[A-Za-z0-9+/]{43})\b")


@dataclass(frozen=True, kw_only=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def fingerprint(self) -> str | None:
        """The ``SHA256:…`` fingerprint ssh-keygen printed, if any."""
        match = _FINGERPRINT.search(self.stdout) or _FINGERPRINT.search(self.stderr)
        return match.group(1) if match else None


def executable() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SshKeygenMissingError()
    return found


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    stdin: bytes = b"",
    timeout: float | None = CHECK_TIMEOUT,
    interactive: bool = False,
) -> Run:
    """Run ``ssh-keygen args``; ``stdin`` is the data (never a passphrase).

    ``interactive`` keeps the controlling terminal so ssh-keygen can ask for a
    passphrase there; otherwise the child runs in its own session, where only
    ``SSH_ASKPASS`` could ask, so a check can never block on a prompt.
    """
    command = [executable(), *(os.fspath(a) for a in args)]
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
            start_new_session=not interactive,
        )
    except FileNotFoundError:
        raise SshKeygenMissingError() from None
    return Run(
        returncode=done.returncode,
        stdout=done.stdout.decode("utf-8", "replace"),
        stderr=done.stderr.decode("utf-8", "replace"),
    )


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no detail given"


def fingerprint(key: Path) -> str:
    """``SHA256:…`` of a public key file (or a private key file's public half)."""
    result = run(["-l", "-E", "sha256", "-f", key])
    found = result.fingerprint()
    if not result.ok or found is None:
        raise KeyFileError(str(key), last_line(result.stderr))
    return found
