"""`verify`: is the authorization record in the tracker still what was logged?

The audit log holds the record and the comment exactly as read back at
authorization. Verification reads the comment again and reports, in words, a
deleted comment, an edited human part, a damaged or replaced machine block or
attachment, and which fields of the record differ; and, as adoption does, a
comment the tracker says was edited, one that is not what secgate renders for
its record, or whose record time does not fit its creation time.

The audit log's hash chain is checked first: a log edited to agree with an
edited tracker comment would otherwise compare equal, so a broken chain is a
mismatch naming the first broken entry, whatever the tracker holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connectors.base import Comment, CommentRef, Connector, ConnectorError, NotFoundError
from secgate_tui.config import ConfigError
from secgate_tui.domain.render import (
    BlockError,
    RecordTooLargeError,
    UnknownDialectError,
    dialect,
    extract,
    render_record,
)
from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z
from secgate_tui.services.audit_check import check_log
from secgate_tui.services.context import Context
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.readback import check_comment, unaltered
from secgate_tui.services.store import AuditEntry

AUDIT_KIND = "authorization"
#: A 404 may be a deleted comment or an account that lost its permission: say both.
COMMENT_NOT_FOUND = (
    "the tracker answers 404: the comment was deleted, or secgate's account can no longer "
    "see it (check in the tracker that the comment still exists and that the account "
    "still has access to the issue and its project)"
)


@dataclass(frozen=True, kw_only=True)
class VerifyResult:
    intact: bool
    reachable: bool
    message: str
    record_id: str | None = None
    comment: CommentRef | None = None
    changes: tuple[str, ...] = ()


def verify(ctx: Context, product: str, release: str) -> VerifyResult:
    """Check the audit log's chain, then the release's latest authorization against the tracker."""
    chain = check_log(ctx.store, ctx.records_dir)  # chain, payloads and export anchors
    if not chain.ok:
        return VerifyResult(
            intact=False,
            reachable=True,
            message=f"the local audit log is BROKEN at entry {chain.first_broken}: "
            f"{chain.problem}. The log cannot vouch for the record of {product} {release}; "
            "compare it with a backup of the log (`secgate verify --log` shows the same).",
        )
    entries = ctx.store.audit_entries(AUDIT_KIND, product, release)
    if not entries:
        message = f"{product} {release} has no authorization in the local audit log."
        return VerifyResult(intact=False, reachable=True, message=message)
    return verify_entry(ctx, entries[-1])


def verify_entry(ctx: Context, entry: AuditEntry) -> VerifyResult:
    payload = AuthorizationPayload.model_validate(entry.payload)
    record_id, digest, ref = payload.record_id, payload.record_digest, payload.comment
    where = f"record {record_id} on {ref.key} (comment {ref.id})"

    def broken(*changes: str) -> VerifyResult:
        listing = "; ".join(changes)
        return VerifyResult(
            intact=False,
            reachable=True,
            message=f"{where} does NOT match the audit log: {listing}",
            record_id=record_id,
            comment=ref,
            changes=changes,
        )

    def unreachable(message: str) -> VerifyResult:
        return VerifyResult(
            intact=False, reachable=False, message=message, record_id=record_id, comment=ref
        )

    try:
        connector = ctx.connections.get(payload.tracker)
        comment = connector.read_comment(ref)
    except NotFoundError:
        return broken(COMMENT_NOT_FOUND)
    except ConfigError as exc:
        return unreachable(str(exc))
    except ConnectorError as exc:
        return unreachable(f"the tracker could not be reached: {exc.message}")
    changes: list[str] = []
    if comment.body != payload.comment_body:
        changes.append(_body_change(payload.comment_body, comment.body))
    try:
        check_comment(connector, comment, "secgate-record", record_id, digest)
    except BlockError as exc:
        changes.append(f"the machine block no longer holds the logged record: {exc}")
        changes.extend(_field_changes(comment.body, record_id, payload.record.as_json()))
    except ConnectorError as exc:
        return unreachable(f"the record's attachment could not be read: {exc.message}")
    if not changes:
        # The same checks adoption applies: a log written before them may hold an
        # edited or backdated comment that merely still matches itself.
        problem = _unaltered(ctx, connector, comment, payload)
        if problem is not None:
            changes.append(f"the comment is not the record secgate wrote: {problem}")
    if changes:
        return broken(*changes)
    url = f" {ref.url}" if ref.url else ""
    return VerifyResult(
        intact=True,
        reachable=True,
        message=f"{where}{url} is intact: sha256:{digest}, as logged at {iso_z(entry.at)}",
        record_id=record_id,
        comment=ref,
    )


def _unaltered(
    ctx: Context, connector: Connector, comment: Comment, payload: AuthorizationPayload
) -> str | None:
    try:
        rendered = render_record(payload.record, dialect(connector.markup), connector.comment_limit)
    except (RecordTooLargeError, UnknownDialectError) as exc:
        return f"it cannot be rendered again to be compared ({exc})"
    window = ctx.config.policy.record_time_window
    return unaltered(comment, rendered.body, payload.record.authorized_at, window)


def _body_change(before: str, after: str) -> str:
    old, new = before.splitlines(), after.splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return (
                f"the comment was edited, first at line {number}: was "
                f"'{printable(a, 100)}', now '{printable(b, 100)}'"
            )
    return f"the comment was edited: it had {len(old)} lines, now {len(new)}"


def _field_changes(body: str, record_id: str, logged: dict[str, Any]) -> list[str]:
    """Which record fields differ, when the edited block still parses."""
    try:
        found = extract(body, "secgate-record", record_id)
        if found.json_text is None:
            return []
        current = json.loads(found.json_text)
    except (BlockError, ValueError):
        return []
    paths: list[str] = []
    _diff(logged, current, "", paths)
    return [f"field {path} differs" for path in paths[:5]]


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else key, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{index}]", out)
    elif a != b:
        out.append(path or "(record)")
