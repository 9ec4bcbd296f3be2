"""The whole audit-log check: chain, each entry's content, and the export anchors.

A valid hash chain only proves that the entries link up; anyone who can write
the database can append an entry, or rewrite one, and recompute the hashes. So
each entry's payload must also be something secgate could have written for that
entry: an authorization entry's record re-digests to its ``record_digest``,
derives its own record id, and authorizes the very product and release the
entry is logged under; a review entry holds a well-formed id, digest, period
and due date. Then the chain is checked against the anchors the exports carry
(:mod:`secgate_tui.services.anchor`), which catches truncation and a rewrite
before an anchored entry.

Record kinds register their payload check in :data:`PAYLOAD_CHECKS`; an entry
of a kind without one gets the checks every record payload must pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from connectors.base import CommentRef
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.domain.record import RECORD_KIND, parse_record
from secgate_tui.domain.render import BlockError, extract
from secgate_tui.domain.review_metrics import ReviewPeriod
from secgate_tui.domain.review_schedule import MAX_INTERVAL_DAYS
from secgate_tui.services.anchor import check_anchors, find_anchors
from secgate_tui.services.store import AuditEntry, ChainReport, Store

#: What a payload check returns: None when the entry is consistent, else what is wrong.
PayloadCheck = Callable[[AuditEntry], str | None]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_REVIEW_ID = re.compile(r"rev-[0-9a-f]{20}")


def check_log(store: Store, records_dir: Path) -> ChainReport:
    """The audit log's chain, every entry's payload, and every anchor in ``records_dir``.

    Raises:
        StoreError: an export in ``records_dir`` could not be read.
    """
    chain = store.verify_chain()
    if not chain.ok:
        return chain
    entries = store.audit_entries()
    for entry in entries:
        problem = check_payload(entry)
        if problem is not None:
            return ChainReport(False, len(entries), entry.seq, _forged(entry, problem))
    return check_anchors(store.store_id, [e.hash for e in entries], find_anchors(records_dir))


def check_payload(entry: AuditEntry) -> str | None:
    """What is wrong with ``entry``'s payload for its kind, or None."""
    problem = _record_payload(entry)
    if problem is None and entry.kind in PAYLOAD_CHECKS:
        problem = PAYLOAD_CHECKS[entry.kind](entry)
    return problem


def _forged(entry: AuditEntry, problem: str) -> str:
    return (
        f"entry {entry.seq} ({entry.kind}) {problem}; secgate never logs such an entry, so it "
        "was forged or edited and the chain recomputed"
    )


def _record_payload(entry: AuditEntry) -> str | None:
    """Checks every record entry passes, whatever its kind."""
    payload = entry.payload
    if not isinstance(payload.get("record_id"), str) or not payload["record_id"]:
        return "names no record id"
    if not isinstance(payload.get("record_digest"), str) or not _HEX64.fullmatch(
        payload["record_digest"]
    ):
        return "names no record digest"
    record = payload.get("record")
    if record is None:
        return None
    if not isinstance(record, dict):
        return "holds a record that is not a JSON object"
    digest = sha256_hex(canonical_json(record))
    if digest != payload["record_digest"]:
        return (
            f"holds a record whose digest is sha256:{digest}, not the logged "
            f"record_digest sha256:{payload['record_digest']}"
        )
    if record.get("record_id") != payload["record_id"]:
        return "holds a record with another record id than the entry names"
    if record.get("product") != entry.product or record.get("release", "") != entry.release:
        return (
            f"is logged for {entry.product} {entry.release}, but the record inside it is "
            f"of {record.get('product')} {record.get('release', '')}"
        )
    return None


def _authorization(entry: AuditEntry) -> str | None:
    payload = entry.payload
    if not isinstance(payload.get("record"), dict):
        return "holds no authorization record"
    try:
        record = parse_record(payload["record"])
    except ValueError as exc:
        return f"holds no valid authorization record ({_reason(exc)})"
    problem = _comment(payload)
    if problem is not None:
        return problem
    body: str = payload["comment_body"]
    try:
        found = extract(body, RECORD_KIND, record.record_id)
    except BlockError as exc:
        return f"holds a comment without the record's machine block ({exc})"
    if found.marker_digest != payload["record_digest"]:
        return f"holds a comment whose marker names sha256:{found.marker_digest}, not the record"
    return None


def _comment(payload: dict[str, Any]) -> str | None:
    """The logged tracker comment: a valid reference, and a body matching its digest."""
    if not isinstance(payload.get("tracker"), str) or not payload["tracker"]:
        return "names no tracker"
    try:
        CommentRef.model_validate(payload.get("comment"))
    except ValidationError:
        return "names no valid tracker comment"
    body = payload.get("comment_body")
    if not isinstance(body, str) or sha256_hex(body) != payload.get("comment_sha256"):
        return "holds a comment text that does not match its logged comment_sha256"
    return None


def _review(entry: AuditEntry) -> str | None:
    """A review entry holds no record, only its id, digest, period, due date and comment."""
    payload = entry.payload
    if entry.release != "":
        return f"names release {entry.release!r}, but reviews are logged per product"
    if not _REVIEW_ID.fullmatch(payload["record_id"]):
        return f"names {payload['record_id']!r}, which is not a review record id"
    try:
        period = ReviewPeriod.model_validate(payload.get("period"))
        next_due = date.fromisoformat(payload.get("next_due"))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return "holds no valid review period and due date"
    interval = (next_due - period.end.date()).days
    if not 1 <= interval <= MAX_INTERVAL_DAYS:
        return f"holds a next review due {interval} day(s) after its period, not 1 to 365"
    if not isinstance(payload.get("tracker"), str) or not payload["tracker"]:
        return "names no tracker"
    try:
        CommentRef.model_validate(payload.get("comment"))
    except ValidationError:
        return "names no valid tracker comment"
    if not isinstance(payload.get("comment_sha256"), str) or not _HEX64.fullmatch(
        payload["comment_sha256"]
    ):
        return "names no comment digest"
    return None


def _reason(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return f"{where}: {first['msg']}"
    return str(exc)


#: The audit-log kinds secgate writes (``authorization``, ``review``) and their checks.
PAYLOAD_CHECKS: Final[dict[str, PayloadCheck]] = {
    "authorization": _authorization,
    "review": _review,
}
