"""The human-readable report ``status`` prints by default (one screen per release)."""

from __future__ import annotations

from secgate_tui.domain import Verdict
from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z_or
from secgate_tui.services.authorization_state import describe
from secgate_tui.services.reports.model import GateReport
from secgate_tui.services.retrospective import shipped_note
from secgate_tui.services.vex_report import assessment_lines


def render_text(report: GateReport) -> str:
    verdict = report.verdict
    lines = [
        f"{printable(report.product_name)} ({report.product}) release "
        f"{printable(report.release)}: {verdict.outcome.value}"
    ]
    synced = iso_z_or(verdict.synced_at, "never")
    lines += [f"  data synced: {synced}   snapshot sha256:{verdict.snapshot_digest}", ""]
    if report.shipped is not None and report.shipped.released:
        lines += [f"  NOTE: {shipped_note(report.shipped, report.shipped_as_of)}", ""]
    for result in verdict.categories:
        if result.empty:
            state = (
                f"empty, not applicable: {printable(result.not_applicable_reason or '')}"
                if result.acknowledged
                else "EMPTY (not acknowledged)"
            )
        else:
            state = f"{result.closed}/{result.total} closed"
            if result.blocking:
                state += f", {len(result.blocking)} blocking"
        lines.append(f"  {result.category.title:<28} {state}")
        for finding in result.blocking:
            lines.append(f"      {printable(finding.key):<12} {printable(finding.reason)}")
            lines.append(f"      {'':<12} {printable(finding.title, 90)}")
        for item in result.residual:
            lines.append(
                f"      {printable(item.key):<12} residual ({item.disposition.value}): "
                f"{printable(item.justification, 80)}"
            )
    if verdict.unclassified:
        lines.append(f"  {'Unclassified':<28} {len(verdict.unclassified)} blocking")
        for finding in verdict.unclassified:
            # The reason column says why it blocks, as for the categories' items.
            lines.append(f"      {printable(finding.key):<12} {printable(finding.reason)}")
            lines.append(f"      {'':<12} {printable(finding.title, 90)}")
    lines += anomaly_lines(verdict)
    if verdict.activities:
        lines += ["", "  Required activities (IEC 81001-5-1 5.8.6)"]
        for activity in verdict.activities:
            lines.append(
                f"      {printable(activity.name):<36} {activity.state.value:<10} "
                f"{printable(activity.detail, 60)}"
            )
    lines += assessment_lines(verdict.vulnerability_assessment, report.attachments)
    if verdict.reasons:
        lines += ["", "  Blocked because:"]
        lines += [f"    - {printable(reason)}" for reason in verdict.reasons]
    if report.authorization is not None:
        lines += ["", f"  Authorization: {printable(describe(dict(report.authorization)), 600)}"]
    return "\n".join(lines) + "\n"


def anomaly_lines(verdict: Verdict) -> list[str]:
    """Security issues that affect the release without being fixed in it."""
    if not verdict.anomalies:
        return []
    blocking = sum(1 for a in verdict.anomalies if a.reason is not None)
    lines = [
        "",
        f"  {'Unresolved anomalies':<28} {len(verdict.anomalies)} affect this release"
        + (f", {blocking} blocking" if blocking else ""),
    ]
    for item in verdict.anomalies:
        severity = item.severity.value if item.severity else "severity not stated"
        if item.reason is not None:
            lines.append(f"      {printable(item.key):<12} {printable(item.reason)}")
        else:
            expires = f", expires {item.expires.isoformat()}" if item.expires else ""
            lines.append(
                f"      {printable(item.key):<12} {item.disposition.value} ({severity}{expires}): "
                f"{printable(item.justification or '', 80)}"
            )
        lines.append(f"      {'':<12} {printable(item.title, 90)}")
    return lines
