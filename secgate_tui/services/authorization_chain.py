"""Which earlier authorization a new record supersedes: the local log and the tracker.

The local audit log knows only what this machine authorized; the record issue
in the tracker holds every machine's records. The predecessor is the newest
authorization of the release found in either, other than the record being
written; the record's revision is one more than the number of the others. A
tracker record counts only when it is intact and its comment was written by the
account it names as authorizer (anyone can type a marker into a comment);
anything else is ignored, never trusted. A record an older version posted for
the very decision being authorized again is adopted as it is
(:func:`earlier_format_copy`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from connectors.base import Connector
from secgate_tui.domain.record import RECORD_KIND, AuthorizationRecord, Supersedes, parse_record
from secgate_tui.domain.render import BlockError, extract
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.readback import check_comment
from secgate_tui.services.store import AuditEntry

Known = tuple[datetime, str, str]  # (authorized_at, record_id, record_digest)


def logged_records(entries: Sequence[AuditEntry]) -> list[Known]:
    """The authorizations of the local audit log."""
    known: list[Known] = []
    for entry in entries:
        try:
            record = AuthorizationPayload.model_validate(entry.payload).record
        except ValueError:
            continue
        known.append((record.authorized_at, record.record_id, record.record_digest))
    return known


def tracker_authorizations(
    connector: Connector, tracker: str, key: str, product: str, release: str
) -> list[AuthorizationRecord]:
    """The intact records of ``product`` ``release`` on issue ``key``, by their authorizers.

    Raises:
        ConnectorError: the issue could not be searched (the caller fails closed).
    """
    records: list[AuthorizationRecord] = []
    for comment in connector.find_comments(key, RECORD_KIND + " "):
        try:
            found = extract(comment.body, RECORD_KIND)
            checked = check_comment(connector, comment, RECORD_KIND, found.record_id, None)
            record = parse_record(json.loads(checked.canonical))
        except (BlockError, ValueError):
            continue
        authored = bool(comment.author_id) and comment.author_id == record.authorizer.id
        if (
            authored
            and record.authorizer.tracker == tracker
            and (record.product, record.release) == (product, release)
        ):
            records.append(record)
    return records


def known(record: AuthorizationRecord) -> Known:
    return (record.authorized_at, record.record_id, record.record_digest)


def tracker_records(
    connector: Connector, tracker: str, key: str, product: str, release: str
) -> list[Known]:
    """:func:`tracker_authorizations`, as the chain knows them.

    Raises:
        ConnectorError: the issue could not be searched (the caller fails closed).
    """
    return [known(r) for r in tracker_authorizations(connector, tracker, key, product, release)]


def revision(known: Sequence[Known], record_id: str) -> int:
    """The revision of ``record_id``: one more than the release's other records."""
    return 1 + len({k[1] for k in known if k[1] != record_id})


def earlier_format_copy(
    found: Sequence[AuthorizationRecord], record: AuthorizationRecord, known: Sequence[Known]
) -> AuthorizationRecord | None:
    """A record of an older format in the tracker that states ``record``'s very decision
    and is still the release's newest: a retry after an upgrade adopts it (with its own
    layout) instead of posting the decision again in the new format."""
    for earlier in found:
        if record.same_decision(earlier) and earlier.supersedes == predecessor(
            known, earlier.record_id
        ):
            return earlier
    return None


def predecessor(known: Sequence[Known], record_id: str) -> Supersedes | None:
    """The newest authorization other than ``record_id`` (None: this is the first)."""
    others = [k for k in known if k[1] != record_id]
    if not others:
        return None
    _, rid, digest = max(others, key=lambda k: k[0])
    return Supersedes(record_id=rid, record_digest=digest)
