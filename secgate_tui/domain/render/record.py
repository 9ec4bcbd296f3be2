"""An authorization record as a tracker comment: human summary plus machine block.

The human part is for people reading the tracker (and the exported Markdown);
only the machine block is trusted by secgate. It opens with one sentence stating
the decision, what was authorized and by whom, then document control, the gate
criteria applied, the issues per category, the residual items and each required
activity's evidence. Titles are shortened there (the JSON keeps them whole) and
every time reads ``2026-12-07T12:11:26Z``.

The layout is a list of sections (:data:`SECTIONS`), each a function of the
record, the dialect and the :class:`Form`; a section added to the record (e.g.
the anomalies table, the software identity) is one more function in the list.
When the full comment exceeds the tracker's limit, the shorter forms leave out
the issue lists and shorten the justifications, then leave out the criteria and
evidence details, then the justifications, and the canonical JSON travels as an
attachment whose SHA-256 is the record digest.

Records of formats 1 and 2 render with their own frozen layout
(:mod:`.record_v2`): :func:`render_record` chooses by the record's format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from secgate_tui.domain.model import Category
from secgate_tui.domain.record import CONTROLLED, AuthorizationRecord, RecordActivity
from secgate_tui.domain.render.anomaly_table import anomaly_table
from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.render.fit import RecordTooLargeError, Rendered, fit_to_limit
from secgate_tui.domain.render.record_v2 import render_record_v2
from secgate_tui.domain.render.software import retrospective_lines, software_lines
from secgate_tui.domain.render.vulnerabilities import vulnerability_lines
from secgate_tui.domain.text import without_userinfo
from secgate_tui.domain.times import iso_z

__all__ = [
    "SECTIONS",
    "Form",
    "RecordTooLargeError",
    "Rendered",
    "Section",
    "render_record",
]

TITLE_LIMIT = 120
JUSTIFICATION_LIMIT = 2000
SHORT_JUSTIFICATION = 300


@dataclass(frozen=True, kw_only=True)
class Form:
    """How much of the record a rendering has room for."""

    #: Every issue under its category (the full comment and the export), or counts only.
    every_issue: bool = True
    #: Characters of each justification; 0 leaves them out (the JSON keeps them whole).
    justification_limit: int = JUSTIFICATION_LIMIT
    #: The criteria in words and each activity's evidence (else: in the attached record).
    details: bool = True


FULL = Form()
SHORTER = (
    Form(every_issue=False, justification_limit=SHORT_JUSTIFICATION),
    Form(every_issue=False, justification_limit=SHORT_JUSTIFICATION, details=False),
    Form(every_issue=False, justification_limit=0, details=False),
)
_IN_ATTACHMENT = "listed in the attached record (too long for this comment)"

Section = Callable[[AuthorizationRecord, Dialect, Form], list[str]]


def authorizer(record: AuthorizationRecord) -> str:
    """Who authorized, as people know them: display name (account, tracker)."""
    who = record.authorizer.display_name or record.authorizer.name
    return f"{who} ({record.authorizer.name}, {record.authorizer.tracker})"


def decision_sentence(record: AuthorizationRecord) -> str:
    """The record's first sentence: the decision, what was authorized and by whom."""
    residual = len(record.residual)
    accepted = (
        f", with {residual} residual item{'s' if residual != 1 else ''} accepted with a "
        "justification"
        if residual
        else ""
    )
    return (
        f"{authorizer(record)} authorized release {record.release} of {record.product_name} "
        f"({record.product}) on {iso_z(record.authorized_at)}: the security release gate "
        f"passed{accepted}."
    )


def _decision(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    return [
        d.heading(
            "Security release authorization: "
            + d.text(f"{record.product_name} ({record.product}) release {record.release}", 200)
        ),
        d.paragraph(d.strong("AUTHORIZED") + " " + d.text(decision_sentence(record), 600)),
    ]


def _document_control(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    revision = f"Document {record.document_number}, revision {record.revision}"
    if record.supersedes is None:
        revision += " (the first authorization of this release)"
    lines = [d.bullet(d.text(revision, 300))]
    if record.supersedes is not None:
        lines.append(
            d.bullet(
                d.text(
                    f"Supersedes record {record.supersedes.record_id} "
                    f"(sha256:{record.supersedes.record_digest}); its files stay as they are"
                )
            )
        )
    lines += [
        d.bullet(d.text(f"Record {record.record_id}, digest sha256:{record.record_digest}")),
        d.bullet(d.text(f"Snapshot sha256:{record.snapshot_digest}")),
        d.bullet(d.text(f"Configuration sha256:{record.config_digest}")),
        d.bullet(d.text(f"secgate {record.secgate_version}, record format {record.format}")),
    ]
    return lines


def _criteria(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    lines = ["", d.heading(d.text("Gate criteria applied"))]
    if not form.details:
        return [
            *lines,
            d.paragraph(d.text(f"{len(record.criteria or ())} criteria, {_IN_ATTACHMENT}.")),
        ]
    lines += [d.bullet(d.text(criterion, 600)) for criterion in record.criteria or ()]
    return lines


def _categories(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    lines = ["", d.heading(d.text("Security issues per category (IEC 81001-5-1 5.8.1, 5.8.5)"))]
    for result in record.categories:
        name = Category(result.category).title
        if result.empty:
            summary = f"{name}: no issue; not applicable: {result.not_applicable_reason or ''}"
        else:
            summary = f"{name}: {result.total} issue(s), {result.closed} closed"
        lines.append(d.bullet(d.text(summary, 400)))
        if form.every_issue:
            lines += [
                d.bullet(
                    d.text(issue.key, 80)
                    + " "
                    + d.text(issue.title, TITLE_LIMIT)
                    + " ("
                    + d.text(f"{issue.status}, {issue.disposition.value}", 100)
                    + ")",
                    level=2,
                )
                for issue in result.issues
            ]
    return lines


def _residual(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    lines = ["", d.heading(d.text("Security assessment of unresolved anomalies"))]
    if record.unresolved_anomalies:
        return lines + anomaly_table(record.unresolved_anomalies, d, form.justification_limit)
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
        if form.justification_limit:
            text = "Justification: " + item.justification
            lines.append(d.bullet(d.text(text, form.justification_limit), level=2))
    return lines


def evidence_lines(activity: RecordActivity) -> list[str]:
    """An activity's evidence as a person checks it: title, date, link, maximum age."""
    evidence = activity.evidence or {}
    where = evidence.get("key") or evidence.get("path") or ""
    title = activity.evidence_title or ""
    named = f"{title} ({where})" if title and where and title != where else title or where
    lines = [f"Evidence: {named or 'none'}"]
    if evidence.get("tracker"):
        lines[0] += f" in {evidence['tracker']}"
    if evidence.get("sha256"):
        lines.append(f"SHA-256: {evidence['sha256']}")
    dated = "unknown" if activity.evidence_date is None else iso_z(activity.evidence_date)
    age = activity.max_age_days or 0
    lines.append(
        f"Date: {dated}; maximum age: {f'{age} days' if age else 'any (no maximum configured)'}"
    )
    if activity.evidence_url:
        lines.append(f"Link: {without_userinfo(activity.evidence_url)}")
    return lines


def _activities(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    lines = ["", d.heading(d.text("Required activities (IEC 81001-5-1 5.8.6)"))]
    if not record.activities:
        lines.append(d.paragraph(d.text("None configured for this product.")))
    for activity in record.activities:
        state = f"{activity.name}: {activity.state.value}"
        if activity.detail:
            state += f" ({activity.detail})"
        lines.append(d.bullet(d.text(state, 300)))
        if form.details:
            lines += [d.bullet(d.text(line, 300), level=2) for line in evidence_lines(activity)]
    if record.activities and not form.details:
        lines.append(d.paragraph(d.text(f"The evidence of each activity is {_IN_ATTACHMENT}.")))
    return lines


#: The human part, in order. Sections for new record content are added here.
def _retrospective(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    return retrospective_lines(record, d)


def _software(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    return software_lines(record, d)


SECTIONS: list[Section] = [
    _retrospective,
    _decision,
    _document_control,
    _software,
    _criteria,
    _categories,
    _residual,
    _activities,
    vulnerability_lines,
]


def human_part(record: AuthorizationRecord, d: Dialect, form: Form = FULL) -> list[str]:
    """The lines before the machine block, in ``form``."""
    return [line for section in SECTIONS for line in section(record, d, form)]


def render_record(record: AuthorizationRecord, d: Dialect, limit: int | None = None) -> Rendered:
    """The authorization comment by the layout of the record's own format: every issue
    when it fits ``limit``, else shorter forms with the canonical JSON attached.

    Raises:
        RecordTooLargeError: even the shortest form does not fit.
    """
    if record.format < CONTROLLED:
        return render_record_v2(record, d, limit)
    readable = d.readable()
    full = human_part(record, readable, FULL)
    shorter = (human_part(record, readable, form) for form in SHORTER)
    canonical = record.canonical()
    return fit_to_limit(
        record, canonical, readable, limit, full=full, shorter=shorter, what="record"
    )
