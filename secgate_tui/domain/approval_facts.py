"""The facts an approval policy needs, taken from the records secgate writes.

Kept apart from :mod:`.approval` so the policy does not depend on any record's
shape: a record kind supplies its facts (id, digest, residual items with
assignee and justifier) and the policy rules stay the same for every kind.
"""

from __future__ import annotations

from secgate_tui.domain.approval import RecordFacts, ResidualDuty
from secgate_tui.domain.record import AuthorizationRecord


def authorization_facts(record: AuthorizationRecord, *, legacy: bool = False) -> RecordFacts:
    """An authorization record's facts: each residual item with its assignee, and
    whoever accepted it or an unresolved anomaly (the record's assessment table) as
    its justifier; a residual item was accepted by whoever set its resolution
    (``Issue.resolved_by``, carried into the table's row). Records written before
    that table name assignees only."""
    accepted = {(row.source, row.key): row.accepted_by for row in record.unresolved_anomalies}
    duties = [
        ResidualDuty(
            source=item.source,
            key=item.key,
            assignee=item.assignee,
            justified_by=accepted.get((item.source, item.key)),
        )
        for item in record.residual
    ]
    residual = {(item.source, item.key) for item in record.residual}
    duties.extend(
        ResidualDuty(source=row.source, key=row.key, justified_by=row.accepted_by)
        for row in record.unresolved_anomalies
        if row.accepted_by and (row.source, row.key) not in residual
    )
    return RecordFacts(
        record_kind="authorization",
        record_id=record.record_id,
        record_digest=record.record_digest,
        residual=tuple(duties),
        legacy=legacy,
    )


def review_facts(record_id: str, record_digest: str, *, legacy: bool = False) -> RecordFacts:
    """A periodic review record's facts: a review has no residual items to approve."""
    return RecordFacts(
        record_kind="review", record_id=record_id, record_digest=record_digest, legacy=legacy
    )
