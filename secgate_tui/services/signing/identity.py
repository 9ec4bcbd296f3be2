"""From the configuration to a signer: the key, the allowed signers, and whose key it is.

The principal a signature claims must be known before signing (the message
names it). It is ``signing.principal`` when set; otherwise the one principal
the allowed-signers file lists for the signing key's fingerprint. That lookup
only proposes a name: OpenSSH's verification of the signature, run before
anything is posted, is what decides.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
from pathlib import Path

from secgate_tui.config_signing import SigningSettings
from secgate_tui.services.signing import ssh_keygen
from secgate_tui.services.signing.errors import AllowedSignersError, SigningSetupError
from secgate_tui.services.signing.sign import SigningKey
from secgate_tui.services.signing.verify import TrustAnchors

_KEY_TYPE = re.compile(r"^(ssh-|ecdsa-|sk-)[A-Za-z0-9@._-]+$")


class SigningNotConfiguredError(SigningSetupError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"signing is not set up: {what}. Add a [signing] table with allowed_signers "
            'and signers to the configuration (see README, "Signed approvals"), and set '
            "your key with signing.key or SECGATE_SIGNING__KEY. Nothing was signed."
        )


class UnknownSignerError(SigningSetupError):
    """The signing key belongs to no configured signer (or to several)."""


def trust_anchors(signing: SigningSettings | None) -> TrustAnchors:
    if signing is None:
        raise SigningNotConfiguredError("there is no [signing] table")
    return TrustAnchors(allowed_signers=signing.allowed_signers, revocations=signing.revocations)


def signing_key(signing: SigningSettings | None) -> SigningKey:
    if signing is None:
        raise SigningNotConfiguredError("there is no [signing] table")
    if signing.key is None:
        raise SigningNotConfiguredError("signing.key (your signing key) is not set")
    return SigningKey.at(signing.key)


def key_fingerprint(blob_base64: str) -> str | None:
    """OpenSSH's ``SHA256:`` fingerprint of a public key blob, or None if it is not base64."""
    try:
        blob = base64.b64decode(blob_base64, validate=True)
    except (binascii.Error, ValueError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def listed_principals(allowed_signers: Path, fingerprint: str) -> list[str]:
    """The principals of the allowed-signers lines whose key has ``fingerprint``."""
    try:
        text = allowed_signers.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AllowedSignersError(str(allowed_signers), str(exc)) from None
    found: list[str] = []
    for line in text.splitlines():
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            continue
        for kind, blob in itertools.pairwise(tokens):
            if _KEY_TYPE.match(kind) and key_fingerprint(blob) == fingerprint:
                found.extend(p for p in tokens[0].split(",") if p not in found)
                break
    return found


def signer_principal(signing: SigningSettings, key: SigningKey) -> str:
    """Who signs with ``key``: ``signing.principal``, else the key's one configured principal."""
    if signing.principal is not None:
        return signing.principal
    fingerprint = ssh_keygen.fingerprint(key.path)
    listed = listed_principals(signing.allowed_signers, fingerprint)
    configured = [p for p in listed if p in signing.signers]
    if len(configured) == 1:
        return configured[0]
    if not listed:
        raise UnknownSignerError(
            f"your key {key.path} ({fingerprint}) is not in the allowed-signers file "
            f"{signing.allowed_signers}, so a signature by it would not count. Have it "
            "added (under change control), or set signing.key to the key that is listed. "
            "Nothing was signed."
        )
    raise UnknownSignerError(
        f"your key {key.path} ({fingerprint}) is listed for {', '.join(listed)} in "
        f"{signing.allowed_signers}, of which {len(configured)} are configured signers "
        "(signing.signers). Set signing.principal to the one you sign as. Nothing was signed."
    )
