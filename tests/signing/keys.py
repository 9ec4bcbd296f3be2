"""OpenSSH test material: the session's agent and ed25519 keys generated per test."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from secgate_tui.domain.signature import namespace


@dataclass(frozen=True)
class Agent:
    socket: Path
    pid: int

    def add(self, key: Path) -> None:
        subprocess.run(
            ["ssh-add", "-q", str(key)],
            env={**os.environ, "SSH_AUTH_SOCK": str(self.socket)},
            check=True,
            capture_output=True,
            start_new_session=True,
        )


@dataclass(frozen=True)
class Key:
    private: Path
    public: Path
    principal: str

    @property
    def public_text(self) -> str:
        return self.public.read_text().strip()


class Keys:
    """Generates ed25519 keys in the test's directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(mode=0o700, exist_ok=True)

    def make(self, principal: str, passphrase: str = "") -> Key:
        path = self.root / principal.split("@")[0]
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", principal, "-f", path],
            check=True,
            capture_output=True,
        )
        return Key(private=path, public=path.with_name(path.name + ".pub"), principal=principal)

    def allowed(self, *entries: tuple[Key, str], name: str = "allowed_signers") -> Path:
        """An allowed-signers file: (key, extra options) per line, secgate's namespaces."""
        namespaces = f'namespaces="{namespace("authorization")},{namespace("review")}"'
        lines = [
            f"{key.principal} {','.join(filter(None, [namespaces, options]))} {key.public_text}"
            for key, options in entries
        ]
        path = self.root / name
        path.write_text("\n".join(lines) + "\n")
        return path
