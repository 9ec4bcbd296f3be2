"""The comment layout of authorization records of formats 1 and 2. FROZEN: do not change.

Adoption, read-back and verify accept a record comment only when the renderer of
the record's own format writes it again byte for byte, so the comments these
versions posted must keep rendering exactly as they did (tests/fixtures/v1 and
tests/fixtures/v2 hold them). It escapes with the dialects' original escaping.
Newer formats have their own layout in :mod:`.record`.
"""

from __future__ import annotations

from secgate_tui.domain.model import Category
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.render.fit import Rendered, fit_to_limit

__all__ = ["render_record_v2"]

TITLE_LIMIT = 120
JUSTIFICATION_LIMIT = 2000
SHORT_JUSTIFICATION = 300


def _header(record: AuthorizationRecord, d: Dialect) -> list[str]:
    who = record.authorizer.display_name or record.authorizer.name
    lines = [
        d.heading(
            "Security release authorization: "
            + d.text(f"{record.product_name} ({record.product}) release {record.release}", 200)
        ),
        d.paragraph(
            d.strong("AUTHORIZED")
            + " by "
            + d.text(f"{who} ({record.authorizer.name}, {record.authorizer.tracker})", 200)
            + " at "
            + d.text(record.authorized_at.isoformat().replace("+00:00", "Z"))
        ),
        d.bullet(d.text(f"Record {record.record_id}, digest sha256:{record.record_digest}")),
        d.bullet(d.text(f"Snapshot sha256:{record.snapshot_digest}")),
        d.bullet(d.text(f"Configuration sha256:{record.config_digest}")),
        d.bullet(d.text(f"secgate {record.secgate_version}")),
    ]
    if record.supersedes is not None:
        lines.append(
            d.bullet(
                d.text(
                    f"Supersedes record {record.supersedes.record_id} "
                    f"(sha256:{record.supersedes.record_digest})"
                )
            )
        )
    return lines


def _categories(record: AuthorizationRecord, d: Dialect, *, every_issue: bool) -> list[str]:
    lines = ["", d.heading(d.text("Security issues per category (IEC 81001-5-1 5.8.1, 5.8.5)"))]
    for result in record.categories:
        name = Category(result.category).title
        if result.empty:
            summary = f"{name}: no issue; not applicable: {result.not_applicable_reason or ''}"
        else:
            summary = f"{name}: {result.total} issue(s), {result.closed} closed"
        lines.append(d.bullet(d.text(summary, 400)))
        if every_issue:
            for issue in result.issues:
                lines.append(
                    d.bullet(
                        d.text(issue.key, 80)
                        + " "
                        + d.text(issue.title, TITLE_LIMIT)
                        + " ("
                        + d.text(f"{issue.status}, {issue.disposition.value}", 100)
                        + ")",
                        level=2,
                    )
                )
    return lines


def _residual(record: AuthorizationRecord, d: Dialect, limit: int | None) -> list[str]:
    lines = ["", d.heading(d.text("Security assessment of unresolved anomalies"))]
    if not record.residual:
        lines.append(
            d.paragraph(d.text("None: every issue was closed with a fix or as no defect."))
        )
    for item in record.residual:
        head = f"({item.disposition.value}, {Category(item.category).title})"
        lines.append(
            d.bullet(
                d.text(item.key, 80) + " " + d.text(head) + " " + d.text(item.title, TITLE_LIMIT)
            )
        )
        if limit != 0:
            lines.append(d.bullet(d.text("Justification: " + item.justification, limit), level=2))
    return lines


def _activities(record: AuthorizationRecord, d: Dialect) -> list[str]:
    lines = ["", d.heading(d.text("Required activities (IEC 81001-5-1 5.8.6)"))]
    if not record.activities:
        lines.append(d.paragraph(d.text("None configured for this product.")))
    for activity in record.activities:
        evidence = ""
        if activity.evidence:
            evidence = ", evidence " + " ".join(
                f"{k}={v}" for k, v in sorted(activity.evidence.items())
            )
        lines.append(
            d.bullet(
                d.text(f"{activity.name}: {activity.state.value}{evidence}. {activity.detail}", 300)
            )
        )
    return lines


def render_record_v2(record: AuthorizationRecord, d: Dialect, limit: int | None = None) -> Rendered:
    """The authorization comment: every issue when it fits ``limit``, else the summary with
    shortened, then no, justifications and the canonical JSON attached.

    Raises:
        RecordTooLargeError: even the summary without justifications does not fit.
    """
    full = [*_summary(record, d, JUSTIFICATION_LIMIT, every_issue=True), *_activities(record, d)]
    shorter = (_summary(record, d, j, every_issue=False) for j in (SHORT_JUSTIFICATION, 0))
    canonical = record.canonical()
    return fit_to_limit(record, canonical, d, limit, full=full, shorter=shorter, what="record")


def _summary(
    record: AuthorizationRecord, d: Dialect, justification_limit: int, *, every_issue: bool
) -> list[str]:
    return [
        *_header(record, d),
        *_categories(record, d, every_issue=every_issue),
        *_residual(record, d, justification_limit),
    ]
