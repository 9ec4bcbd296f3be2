"""The verdict as the JSON object `status --json` prints (the CI contract)."""

from __future__ import annotations

from typing import Any

from secgate_tui.domain import AnomalyResult, Finding, Verdict
from secgate_tui.domain.gate import ResidualItem
from secgate_tui.services.vex_report import assessment_json


def _finding(finding: Finding) -> dict[str, str]:
    return {
        "key": finding.key,
        "title": finding.title,
        "status": finding.status,
        "reason": finding.reason,
        "source": finding.source,
    }


def _residual(item: ResidualItem) -> dict[str, str | None]:
    # Field by field, in the dataclass's order: dataclasses.asdict deep-copies
    # every value and was a fifth of `status --json` for 20,000 issues.
    return {
        "source": item.source,
        "key": item.key,
        "title": item.title,
        "disposition": item.disposition.value,
        "justification": item.justification,
        "assignee": item.assignee,
    }


def _anomaly(item: AnomalyResult) -> dict[str, Any]:
    return {
        "source": item.source,
        "key": item.key,
        "title": item.title,
        "status": item.status,
        "closed": item.closed,
        "category": item.category.value,
        "severity": item.severity.value if item.severity else None,
        "cwe": list(item.cwe),
        "disposition": item.disposition.value,
        "justification": item.justification,
        "compensating_controls": item.compensating_controls,
        "target_version": item.target_version,
        "accepted_by": item.accepted_by,
        "accepted_on": (
            item.accepted_on.strftime("%Y-%m-%dT%H:%M:%SZ") if item.accepted_on else None
        ),
        "expires": item.expires.isoformat() if item.expires else None,
        "blocking": item.reason is not None,
        "reason": item.reason,
    }


def verdict_json(product: str, release: str, verdict: Verdict) -> dict[str, Any]:
    return {
        "product": product,
        "release": release,
        "verdict": verdict.outcome.value,
        "categories": {
            result.category.value: {
                "total": result.total,
                "closed": result.closed,
                "blocking": [_finding(f) for f in result.blocking],
                "residual": [_residual(r) for r in result.residual],
                "empty": result.empty,
                "acknowledged": result.acknowledged,
                "not_applicable_reason": result.not_applicable_reason,
            }
            for result in verdict.categories
        },
        "unclassified": [_finding(f) for f in verdict.unclassified],
        # Security issues that affect the release without being fixed in it.
        "unresolved_anomalies": [_anomaly(a) for a in verdict.anomalies],
        "activities": [a.model_dump(mode="json") for a in verdict.activities],
        "sources": [s.model_dump(mode="json") for s in verdict.sources],
        "vulnerability_assessment": assessment_json(verdict.vulnerability_assessment),
        "reasons": list(verdict.reasons),
        "snapshot_digest": verdict.snapshot_digest,
        "synced_at": verdict.synced_at.isoformat() if verdict.synced_at else None,
    }
