"""The vulnerability assessment as JSON: `status --json`'s ``vulnerability_assessment`` key."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from secgate_tui.domain.text import printable
from secgate_tui.domain.vex import VulnerabilityAssessment
from secgate_tui.services.vex_attachments_kept import AttachmentsRead


def assessment_json(assessment: VulnerabilityAssessment | None) -> dict[str, Any] | None:
    """The check's result; None (JSON null) when no SBOM/VEX is configured or given."""
    if assessment is None:
        return None
    return {
        "passed": assessment.passed,
        "sbom": assessment.sbom.model_dump(mode="json") if assessment.sbom else None,
        "documents": [
            {
                **d.model_dump(mode="json", exclude={"assessed_at"}),
                "assessed_at": _z(d.assessed_at) if d.assessed_at else None,
            }
            for d in assessment.documents
        ],
        "max_age_days": assessment.max_age_days,
        "counts": dict(assessment.counts),
        "open": [{**asdict(item), "state": item.state.value} for item in assessment.open],
        "reasons": list(assessment.reasons),
    }


def _z(value: datetime) -> str:
    # DESIGN.md: times a person reads are ISO 8601 UTC to the second with Z.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assessment_lines(
    assessment: VulnerabilityAssessment | None, attachments: AttachmentsRead | None = None
) -> list[str]:
    """The check in `status`'s text output (document text escaped, one item per line);
    ``attachments``: the kept attachments it evaluated, shown with when they were read."""
    if assessment is None:
        return []
    outcome = "PASS" if assessment.passed else "BLOCKED"
    counts = ", ".join(f"{state} {n}" for state, n in assessment.counts.items()) or "no findings"
    head = f"  {'Vulnerability assessment':<28} {outcome}: {counts}"
    lines = ["", head]
    if assessment.sbom is not None:
        sbom = assessment.sbom
        lines.append(
            f"      SBOM {printable(sbom.name, 60)}: {sbom.component_count} components, "
            f"sha256:{sbom.digest[:16]}"
        )
    if attachments is not None:
        lines.append(f"      {attachments_line(attachments)}")
    for item in assessment.open:
        said = item.justification or item.response
        linked = f" [{printable(item.linked_issue)}]" if item.linked_issue else ""
        lines.append(
            f"      {printable(item.vulnerability, 24):<16} {printable(item.component, 30)} "
            f"{item.state.value}{': ' + printable(said, 50) if said else ''}{linked}"
        )
    return lines


def attachments_line(attachments: AttachmentsRead) -> str:
    """Which attachments were evaluated and when the sync read them: offline (or in the
    TUI) that copy is the last sync's, and a person must see how old it is."""
    where = f" of {printable(attachments.issue, 40)}" if attachments.issue else ""
    names = ", ".join(printable(name, 60) for name in attachments.names)
    return f"attachments{where} as of {_z(attachments.read_at)} (the last sync's read): {names}"


def attachments_json(attachments: AttachmentsRead) -> dict[str, Any]:
    """``vulnerability_assessment.attachments`` in ``status --json``: the same facts."""
    return {
        "issue": attachments.issue,
        "files": list(attachments.names),
        "read_at": _z(attachments.read_at),
    }
