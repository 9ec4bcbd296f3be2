"""Signed approvals in the evidence bundle: written from the audit log, checked offline.

Each signature of one of the bundle's records is exported as ``signatures/<n>.msg``
(the exact signed text) and ``signatures/<n>.sig`` (the armored SSHSIG), with the
allowed-signers file (and revocations) that authorized the signers at export as
``signatures/allowed_signers`` (``signatures/revocations``).

The check re-verifies every signature with OpenSSH, bound to a record in the
bundle by its id and digest. It trusts the allowed-signers file the auditor names
(the controlled copy in the QMS); the bundle's own copy is only compared with it.
Without one, the bundle's copy is used and the result says that this proves less:
whoever wrote the bundle chose that file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from secgate_tui.config_signing import SigningSettings
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.signature import MessageError, check_binds, parse_message
from secgate_tui.services.evidence import layout
from secgate_tui.services.publish.kinds.signature import RECORD_KIND, SignaturePayload
from secgate_tui.services.signing import TrustAnchors, verify
from secgate_tui.services.signing.errors import SignatureError
from secgate_tui.services.store import AuditEntry

KIND = "signature"
ALLOWED: str = layout.SIGNATURES + "allowed_signers"
REVOKED: str = layout.SIGNATURES + "revocations"


def signature_files(
    entries: Sequence[AuditEntry], record_ids: set[str], signing: SigningSettings | None
) -> dict[str, bytes]:
    """The bundle's ``signatures/`` files for the signatures of ``record_ids`` in the log.

    Raises:
        OSError: the allowed-signers or revocation file could not be read.
    """
    files: dict[str, bytes] = {}
    number = 0
    for entry in entries:
        if entry.kind != KIND:
            continue
        payload = SignaturePayload.model_validate(entry.payload)
        if payload.message.record_id not in record_ids:
            continue
        number += 1
        stem = f"{layout.SIGNATURES}{number}"
        files[f"{stem}.msg"] = payload.message.data()
        files[f"{stem}.sig"] = (payload.armored.strip() + "\n").encode("ascii")
    if files and signing is not None:
        files[ALLOWED] = Path(signing.allowed_signers).read_bytes()
        if signing.revocations is not None:
            files[REVOKED] = Path(signing.revocations).read_bytes()
    return files


def check_signatures(
    files: Mapping[str, bytes], allowed_signers: Path | None
) -> tuple[str | None, str]:
    """``(problem or None, what was verified)`` for the bundle's signatures."""
    pairs = sorted(n[: -len(".msg")] for n in files if _is_signature(n, ".msg"))
    stray = [n for n in files if _is_signature(n, ".sig") and n[: -len(".sig")] not in pairs]
    if stray:
        return f"{stray[0]} has no signed message beside it", ""
    if not pairs:
        return None, "signatures: none in this bundle"
    bundled = files.get(ALLOWED)
    if allowed_signers is None and bundled is None:
        return "the bundle holds signatures but no allowed-signers file to check them with", ""
    with tempfile.TemporaryDirectory(prefix="secgate-evidence-") as tmp:
        anchors, note = _anchors(Path(tmp), files, allowed_signers)
        for stem in pairs:
            problem = _check_one(files, stem, anchors)
            if problem:
                return problem, ""
    return None, f"signatures: {len(pairs)} verified with OpenSSH against {note}"


def _is_signature(name: str, suffix: str) -> bool:
    return name.startswith(layout.SIGNATURES) and name.endswith(suffix)


def _anchors(
    tmp: Path, files: Mapping[str, bytes], allowed_signers: Path | None
) -> tuple[TrustAnchors, str]:
    revocations = None
    if REVOKED in files:
        revocations = tmp / "revocations"
        revocations.write_bytes(files[REVOKED])
    if allowed_signers is not None:
        same = files.get(ALLOWED) == _read(allowed_signers)
        note = f"your allowed-signers file {allowed_signers}" + (
            " (the bundle's copy is identical)"
            if same
            else " (the bundle's copy DIFFERS from it; yours was used)"
        )
        return TrustAnchors(allowed_signers=allowed_signers, revocations=revocations), note
    copy = tmp / "allowed_signers"
    copy.write_bytes(files[ALLOWED])
    note = (
        "the bundle's own copy of the allowed-signers file, which proves less than the "
        "controlled copy (name it with --allowed-signers)"
    )
    return TrustAnchors(allowed_signers=copy, revocations=revocations), note


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _check_one(files: Mapping[str, bytes], stem: str, anchors: TrustAnchors) -> str | None:
    try:
        message = parse_message(files[f"{stem}.msg"])
    except MessageError as exc:
        return f"{stem}.msg is not a signed message of secgate ({exc})"
    record_json, _ = layout.record_names(message.record_id)
    if record_json not in files:
        return f"{stem}.msg signs record {message.record_id}, which is not in the bundle"
    try:
        check_binds(
            message,
            record_kind=RECORD_KIND,
            record_id=message.record_id,
            record_digest=sha256_hex(files[record_json]),
        )
        armored = files.get(f"{stem}.sig", b"").decode("ascii")
        verify(message, armored, anchors)
    except (MessageError, SignatureError, UnicodeDecodeError) as exc:
        return f"the signature {stem}.sig of {message.name} ({message.role}) does not verify: {exc}"
    return None
