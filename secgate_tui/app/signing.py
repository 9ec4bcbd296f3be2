"""How the terminal UI signs: never with a prompt on the terminal it draws on.

The UI signs as ``secgate authorize``/``approve`` do (``sign_now`` at the
confirmation), with the key held one of three ways: in ssh-agent (the
configured path is the ``.pub`` file), a key file without a passphrase, or a
key file whose passphrase an ``SSH_ASKPASS`` program asks for (a dialog, a
password manager). ssh-keygen would otherwise ask on the UI's terminal, in the
middle of the drawn screen, so such a key is refused before ssh-keygen runs,
saying how to sign instead. The passphrase never passes through secgate.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from secgate_tui.app.errors import UiError, guard
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.text import printable
from secgate_tui.services.context import Context
from secgate_tui.services.publish import Prepared
from secgate_tui.services.publish.kinds.signature import SignaturePlan, sign_now
from secgate_tui.services.signing import SigningKey, ssh_keygen


def askpass_ready(env: Mapping[str, str] | None = None) -> bool:
    """Whether ssh-keygen would ask ``SSH_ASKPASS`` rather than the terminal.

    OpenSSH uses the program when stdin is not a terminal (the UI gives it the
    message on a pipe) and a display is set, or always with
    ``SSH_ASKPASS_REQUIRE=force``; ``never`` turns it off.
    """
    env = os.environ if env is None else env
    if not env.get("SSH_ASKPASS"):
        return False
    require = env.get("SSH_ASKPASS_REQUIRE", "").casefold()
    if require == "never":
        return False
    return require == "force" or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def needs_passphrase(key: SigningKey) -> bool:
    """A key file that does not open with an empty passphrase (or does not open at all)."""
    if key.agent:
        return False
    return ssh_keygen.run(["-y", "-P", "", "-f", key.path]).returncode != 0


def passphrase_refusal(doing: str, key: SigningKey) -> str:
    return (
        f"{doing}: the signing key {printable(str(key.path))} is protected by a passphrase "
        "(or unreadable), and the terminal UI cannot ask for it on the screen it draws. "
        "Load the key into ssh-agent (ssh-add, then point [signing] key at its .pub "
        "file), or start secgate with SSH_ASKPASS naming a passphrase program and "
        "SSH_ASKPASS_REQUIRE=force, or run the command in a terminal (`secgate authorize` "
        "or `secgate approve`). Nothing was signed or posted."
    )


def sign_at_confirmation(
    ctx: Context,
    prepared: Prepared[Any],
    doing: str,
    record: AuthorizationRecord | ReviewRecord | None = None,
) -> Prepared[Any]:
    """Sign a prepared signature now (a worker); ``record`` replaces the record signed
    (an authorization adopted from an earlier attempt). Nothing is posted.

    Raises:
        UiError: the key cannot be used from the UI, or signing failed (nothing posted).
    """
    plan = prepared.details
    if not isinstance(plan, SignaturePlan):
        return prepared
    with guard(doing):
        if needs_passphrase(plan.key) and not askpass_ready():
            raise UiError(passphrase_refusal(doing, plan.key))
        signed = sign_now(ctx, prepared, record)
    if not isinstance(signed, Prepared):
        raise UiError(f"{doing}: {printable(signed.message)}")
    return signed
