"""A signature as a tracker comment: the manifestation people read, and a strict machine block.

The human part states the signature as 21 CFR 11.50 asks: "Signed by <printed
name> (<role>) on <UTC time> — Meaning: <meaning>", with the key's fingerprint,
and names the record it signs. Only the machine block counts:

    secgate-signature-message: <the signed message, armoured JSON>
    secgate-signature-key: SHA256:<fingerprint>
    -----BEGIN SSH SIGNATURE-----
    <base64 lines>
    -----END SSH SIGNATURE-----
    secgate-signature <record id> sha256:<record digest> signer:<principal>

Parsing (:func:`extract_signature`) accepts exactly one of each, in a comment
whose marker agrees with the message; the message must be armoured exactly as
secgate writes it, so there is one text per signature. Names and meanings come
from configuration and are escaped like tracker text: they can neither end the
block nor start a line, so a comment cannot be made to carry another marker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from secgate_tui.domain.canonical import canonical_json
from secgate_tui.domain.render.block import BlockError, armour
from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.signature import (
    PRINCIPAL_PATTERN,
    MessageError,
    SignedMessage,
    parse_message,
)

SIGNATURE_KIND: Final = "secgate-signature"
MESSAGE_PREFIX: Final = f"{SIGNATURE_KIND}-message: "
KEY_PREFIX: Final = f"{SIGNATURE_KIND}-key: "
BEGIN: Final = "-----BEGIN SSH SIGNATURE-----"
END: Final = "-----END SSH SIGNATURE-----"

_MARKER = re.compile(
    rf"^{SIGNATURE_KIND} ([A-Za-z0-9._-]{{1,80}}) sha256:([0-9a-f]{{64}}) "
    rf"signer:({PRINCIPAL_PATTERN})$"
)
_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
KIND_TITLES: Final = {"authorization": "release authorization", "review": "security review"}


def signature_marker(message: SignedMessage) -> str:
    """The marker line: record id, record digest and signer (what a search looks for)."""
    return (
        f"{SIGNATURE_KIND} {message.record_id} sha256:{message.record_digest} "
        f"signer:{message.principal}"
    )


def signature_marker_prefix(record_id: str) -> str:
    """What finds every signature comment of one record."""
    return f"{SIGNATURE_KIND} {record_id} sha256:"


def manifestation(message: SignedMessage) -> str:
    """The signature as a person reads it (plain text, before escaping)."""
    return (
        f"Signed by {message.name} ({message.role}) on {message.signed_at} — "
        f"Meaning: {message.meaning}"
    )


def signature_block(message: SignedMessage, armored: str, fingerprint: str) -> list[str]:
    """The machine block's lines (inside the dialect's verbatim block)."""
    lines = armored.strip().splitlines()
    if lines[:1] != [BEGIN] or lines[-1:] != [END]:
        raise ValueError("not an armored SSH signature")
    if not _FINGERPRINT.match(fingerprint):
        raise ValueError(f"not a SHA256 key fingerprint: {fingerprint!r}")
    return [
        MESSAGE_PREFIX + armour(message.as_json()),
        KEY_PREFIX + fingerprint,
        *(line.strip() for line in lines),
        signature_marker(message),
    ]


def render_signature(
    message: SignedMessage, armored: str, fingerprint: str, d: Dialect, *, product: str = ""
) -> str:
    """The comment that carries one signature of one record, in dialect ``d``."""
    what = KIND_TITLES.get(message.record_kind, message.record_kind)
    title = f"Electronic signature of the {what} record {message.record_id}"
    if product:
        title += f" ({product})"
    lines = [
        d.heading(d.text(title, 300)),
        d.paragraph(d.strong(d.text(manifestation(message), 2400))),
        d.bullet(d.text(f"Signer {message.principal}, key {fingerprint}")),
        d.bullet(
            d.text(f"Signs record {message.record_id}, digest sha256:{message.record_digest}")
        ),
        d.bullet(d.text(f"SSH signature namespace {message.namespace}")),
        "",
        d.heading(d.text("Machine-readable signature (do not edit)")),
        *d.verbatim(signature_block(message, armored, fingerprint)),
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, kw_only=True)
class SignatureComment:
    """A signature found in a comment body (parsed, not yet verified by OpenSSH)."""

    message: SignedMessage
    armored: str
    #: As the comment states it; the verified key's fingerprint must equal it.
    fingerprint: str


def extract_signature(
    body: str, record_id: str | None = None, principal: str | None = None
) -> SignatureComment:
    """The signature a comment carries, read strictly.

    Raises:
        BlockError: saying what is missing, duplicated or inconsistent.
    """
    markers: list[re.Match[str]] = []
    messages: list[str] = []
    keys: list[str] = []
    armors: list[list[str]] = []
    current: list[str] | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if current is not None:
            current.append(line)
            if line == END:
                armors.append(current)
                current = None
            continue
        if line == BEGIN:
            current = [line]
        elif match := _MARKER.match(line):
            markers.append(match)
        elif line.startswith(MESSAGE_PREFIX):
            messages.append(line[len(MESSAGE_PREFIX) :])
        elif line.startswith(KEY_PREFIX):
            keys.append(line[len(KEY_PREFIX) :])
    if current is not None:
        raise BlockError("the SSH signature has no END line (the comment was cut or edited)")
    if record_id is not None:
        markers = [m for m in markers if m.group(1) == record_id]
    if principal is not None:
        markers = [m for m in markers if m.group(3) == principal]
    _exactly_one(markers, "signature marker line")
    _exactly_one(messages, "signed message line")
    _exactly_one(keys, "key fingerprint line")
    _exactly_one(armors, "SSH signature")
    armor_lines = armors[0]
    if not all(_BASE64.match(line) for line in armor_lines[1:-1]) or len(armor_lines) < 3:
        raise BlockError("the SSH signature holds characters base64 does not (it was edited)")
    if not _FINGERPRINT.match(keys[0]):
        raise BlockError("the key fingerprint line is damaged")
    message = _message(messages[0])
    marker = markers[0]
    if (marker.group(1), marker.group(2), marker.group(3)) != (
        message.record_id,
        message.record_digest,
        message.principal,
    ):
        raise BlockError("the marker line and the signed message name different records or signers")
    return SignatureComment(message=message, armored="\n".join(armor_lines), fingerprint=keys[0])


def _message(payload: str) -> SignedMessage:
    try:
        value = json.loads(payload)
    except ValueError:
        raise BlockError("the signed message is not valid JSON (it was edited or cut)") from None
    if armour(value) != payload:
        raise BlockError("the signed message is not as secgate wrote it (it was re-encoded)")
    try:
        return parse_message(canonical_json(value) + "\n")
    except MessageError as exc:
        raise BlockError(str(exc)) from None


def _exactly_one(found: Sequence[object], what: str) -> None:
    if not found:
        raise BlockError(f"no {what} (the comment was edited or is not a signature)")
    if len(found) > 1:
        raise BlockError(f"{len(found)} {what}s where one belongs")
