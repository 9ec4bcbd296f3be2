"""The demo's two signers (release manager, security officer): DEMO KEYS ONLY.

Their private keys ship with secgate (``demo_signers.toml``), so a signature by
them proves nothing about anyone; they exist so that ``secgate --demo`` shows a
two-signature authorization with no setup. :func:`install_demo_signing` writes
them, with an allowed-signers file listing only them, into a private directory
(0700, keys 0600) under the demo's data directory, because ssh-keygen refuses
private keys that others can read and git checks files out as 0644.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from secgate_tui.domain.signature import namespace

RELEASE_MANAGER: Final = "release.manager@demo.secgate.invalid"
SECURITY_OFFICER: Final = "security.officer@demo.secgate.invalid"
#: The demo products' policy: both roles sign an authorization; the management
#: representative (the release manager's second role) and the security officer
#: sign a periodic review (issue 15's management sign-off).
DEMO_APPROVAL: Final[dict[str, Any]] = {
    "authorization": {"all_of": ["release-manager", "security-officer"]},
    "review": {"all_of": ["management-representative", "security-officer"]},
}


@dataclass(frozen=True, kw_only=True)
class DemoSigning:
    """Where the demo's signing material was written."""

    directory: Path
    allowed_signers: Path
    #: principal -> private key file (0600).
    keys: dict[str, Path]
    #: The ``[signing]`` table of the demo configuration (without ``key``).
    settings: dict[str, Any]


def _demo_signers() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath("demo_signers.toml").read_text("utf-8")
    signers: dict[str, dict[str, Any]] = tomllib.loads(text)["signers"]
    return signers


def allowed_signers_line(principal: str, public_key: str, namespaces: list[str]) -> str:
    """One allowed-signers line, limited to secgate's namespaces."""
    return f'{principal} namespaces="{",".join(namespaces)}" {public_key}'


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # the file may have existed with a wider mode


def install_demo_signing(data_dir: Path) -> DemoSigning:
    """Write the demo keys and their allowed-signers file under ``data_dir`` (idempotent)."""
    directory = data_dir / "demo-signing"
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    signers = _demo_signers()
    namespaces = [namespace("authorization"), namespace("review")]
    keys: dict[str, Path] = {}
    lines = ["# DEMO KEYS ONLY: written by secgate --demo; never trust them for real records."]
    configured: dict[str, Any] = {}
    for principal, entry in sorted(signers.items()):
        key = directory / f"{principal.split('@', 1)[0]}.key"
        _write_private(key, entry["private_key"].strip() + "\n")
        _write_private(key.with_name(key.name + ".pub"), entry["public_key"] + "\n")
        keys[principal] = key
        lines.append(allowed_signers_line(principal, entry["public_key"], namespaces))
        configured[principal] = {
            "name": entry["name"],
            "roles": entry["roles"],
            "accounts": entry["accounts"],
        }
    allowed = directory / "allowed_signers"
    _write_private(allowed, "\n".join(lines) + "\n")
    return DemoSigning(
        directory=directory,
        allowed_signers=allowed,
        keys=keys,
        settings={"allowed_signers": str(allowed), "signers": configured},
    )
