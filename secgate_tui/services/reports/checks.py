"""The checks a report shows, and which of the verdict's reasons each one carries.

A report lists one check per category, acknowledgement, activity and source,
one for unclassified items, one for unresolved anomalies (when the release has
any) and one for "no source". Every reason the gate gave
for BLOCKED is assigned to the first check it belongs to; a reason that belongs
to none (a kind of reason this module does not know yet) gets a failing check
of its own. So a BLOCKED verdict always has at least one failing check, and
every reason appears word for word in some failing check, whatever the gate adds
later: reports fail closed, as the gate does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from secgate_tui.domain import Finding, Verdict
from secgate_tui.domain.anomalies import ANOMALY_REASON
from secgate_tui.services.reports.model import when

#: The gate's reason when a release has no source (domain/gate.py).
NO_SOURCE = "no tracker source is configured for this release"
#: How every reason of the vulnerability assessment begins (domain/vex/assess.py).
VEX_REASON = "vulnerability assessment:"
#: The name of the vulnerability assessment's check (the seventh check).
VEX_CHECK = "vulnerability_assessment"


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of the report; it passes when it carries no reason."""

    group: str  # category, acknowledgement, activity, source, classification, gate
    name: str
    summary: str
    reasons: list[str] = field(default_factory=list)
    items: tuple[Finding, ...] = ()
    #: Extra lines for a failure's body (e.g. keys the tracker no longer shows).
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.reasons


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda reason: reason.startswith(prefix)


def build_checks(verdict: Verdict) -> list[Check]:
    """Every check, in report order, with the verdict's reasons assigned."""
    claims: list[tuple[Check, Callable[[str], bool]]] = []
    for result in verdict.categories:
        if result.empty:
            summary = (
                f"empty, not applicable: {result.not_applicable_reason or ''}"
                if result.acknowledged
                else "empty"
            )
        else:
            summary = f"{result.closed}/{result.total} closed"
            if result.blocking:
                summary += f", {len(result.blocking)} blocking"
        check = Check(
            group="category", name=result.category.value, summary=summary, items=result.blocking
        )
        claims.append((check, _starts(f"{result.category.title}:")))
    for result in verdict.categories:
        if result.acknowledged:
            reason = result.not_applicable_reason or ""
            check = Check(
                group="acknowledgement",
                name=f"{result.category.value} not applicable: {reason}",
                summary=f"empty category acknowledged as not applicable: {reason}",
            )
            claims.append((check, lambda _reason: False))
    for activity in verdict.activities:
        summary = activity.state.value + (f" ({activity.detail})" if activity.detail else "")
        check = Check(group="activity", name=activity.id, summary=summary)
        claims.append((check, _starts(f"activity '{activity.name}':")))
    for state in verdict.sources:
        label = f"source '{state.source}' ({state.project})"
        notes = tuple(f"no longer shown by the tracker: {key}" for key in state.missing)
        check = Check(
            group="source",
            name=f"{state.source} ({state.project})",
            summary=f"synced {when(state.synced_at)}",
            notes=notes,
        )
        claims.append((check, _starts(label)))
    sources = Check(
        group="source", name="sources configured", summary=f"{len(verdict.sources)} source(s)"
    )
    claims.append((sources, lambda reason: reason == NO_SOURCE))
    unclassified = Check(
        group="classification",
        name="unclassified",
        summary=f"{len(verdict.unclassified)} unclassified security issue(s)",
        items=verdict.unclassified,
    )
    claims.append((unclassified, lambda reason: reason.endswith("(unclassified)")))
    if verdict.anomalies:
        blocking = tuple(
            Finding(source=a.source, key=a.key, title=a.title, status=a.status, reason=a.reason)
            for a in verdict.anomalies
            if a.reason is not None
        )
        anomalies = Check(
            group="anomalies",
            name="unresolved anomalies",
            summary=f"{len(verdict.anomalies)} security issue(s) affect the release without "
            f"being fixed in it, {len(blocking)} blocking",
            items=blocking,
        )
        claims.append((anomalies, _starts(ANOMALY_REASON)))
    assessment = verdict.vulnerability_assessment
    if assessment is not None:
        counts = ", ".join(f"{state} {n}" for state, n in assessment.counts.items())
        check = Check(
            group="vulnerability-assessment",
            name=VEX_CHECK,
            summary=f"SBOM/VEX: {counts or 'no findings'}",
        )
        claims.append((check, _starts(VEX_REASON)))

    other = Check(group="gate", name="other reasons", summary="reasons of no other check")
    for reason in verdict.reasons:
        owner = next((check for check, claim in claims if claim(reason)), other)
        owner.reasons.append(reason)
    checks = [check for check, _ in claims]
    if other.reasons:
        checks.append(other)
    return checks
