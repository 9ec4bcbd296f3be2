"""The record's security assessment of unresolved anomalies: one row per issue.

A row is either an issue that affects the release without being fixed in it
(dispositioned for the release by a risk acceptance or deferral, or closed as no
defect) or a residual item of the release itself (closed without a fix, with a
justification). Each row carries what an assessor needs to judge the residual
risk (FDA premarket cybersecurity guidance V.A.5): severity, CWE, category,
disposition, justification, compensating controls, target version, who accepted
it, when, and until when. A residual item was accepted by whoever closed it with
its resolution, when they did (``Issue.resolved_by`` / ``resolved_on``, read
from the tracker's history; "not stated" when the history does not show it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import AwareDatetime, BaseModel, ConfigDict

from secgate_tui.domain.anomalies import severity_of
from secgate_tui.domain.gate import Verdict
from secgate_tui.domain.model import RESIDUAL, Category, Disposition, Issue, Severity


class RecordAnomaly(BaseModel):
    """One row of the assessment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: True: affects the release without being fixed in it; False: a residual item.
    affected: bool
    source: str
    key: str
    title: str
    status: str
    url: str = ""
    severity: Severity | None = None
    cwe: tuple[str, ...] = ()
    category: Category
    disposition: Disposition
    justification: str | None = None
    compensating_controls: str | None = None
    target_version: str | None = None
    accepted_by: str | None = None
    accepted_on: AwareDatetime | None = None
    expires: dt.date | None = None


def record_anomalies(verdict: Verdict, members: Sequence[Issue]) -> tuple[RecordAnomaly, ...]:
    """The rows for a passing verdict: its affected issues, then its residual items."""
    rows = [
        RecordAnomaly(
            affected=True,
            source=a.source,
            key=a.key,
            title=a.title,
            status=a.status,
            url=a.url,
            severity=a.severity,
            cwe=a.cwe,
            category=a.category,
            disposition=a.disposition,
            justification=a.justification,
            compensating_controls=a.compensating_controls,
            target_version=a.target_version,
            accepted_by=a.accepted_by,
            accepted_on=a.accepted_on,
            expires=a.expires,
        )
        for a in verdict.anomalies
    ]
    by_uid = {issue.uid: issue for issue in members}
    rows += _residual_rows(verdict, by_uid)
    return tuple(rows)


def _residual_rows(
    verdict: Verdict, by_uid: dict[tuple[str, str], Issue]
) -> Iterable[RecordAnomaly]:
    for result in verdict.categories:
        for item in result.residual:
            if item.disposition not in RESIDUAL:
                continue
            issue = by_uid.get((item.source, item.key))
            yield RecordAnomaly(
                affected=False,
                source=item.source,
                key=item.key,
                title=item.title,
                status=issue.status if issue else "",
                url=issue.url if issue else "",
                severity=severity_of(issue) if issue else None,
                cwe=issue.cwe if issue else (),
                category=result.category,
                disposition=item.disposition,
                justification=item.justification or None,
                compensating_controls=issue.compensating_controls if issue else None,
                # Closing it without a fix is what accepted it: who set the resolution, when.
                accepted_by=issue.resolved_by if issue else None,
                accepted_on=issue.resolved_on if issue else None,
            )
