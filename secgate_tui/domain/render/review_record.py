"""A periodic review record as a tracker comment: the minutes plus the machine block.

Built on the shared dialects and machine block (the same ones authorization
records use), so escaping, the marker line and the attachment fallback behave
identically. The human part is for people reading the tracker; secgate trusts
only the machine block. When the full minutes would exceed the tracker's limit,
the comment keeps the conclusions, actions and per-category figures, and the
full canonical JSON travels as an attachment whose SHA-256 is the record digest.
"""

from __future__ import annotations

from secgate_tui.domain.conclusions import QUESTIONS
from secgate_tui.domain.model import Category
from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.render.fit import Rendered, fit_to_limit
from secgate_tui.domain.render.review_checks import (
    answer_checks,
    deployed_lines,
    previous_actions,
    target_lines,
)
from secgate_tui.domain.render.review_fda import fda_lines, source_lines
from secgate_tui.domain.render.review_trends import trend_lines
from secgate_tui.domain.render.review_vex import vulnerability_lines
from secgate_tui.domain.review_metrics import GroupMetrics
from secgate_tui.domain.review_record import ReviewRecord, record_json
from secgate_tui.domain.review_stats import DurationStats

TITLE_LIMIT = 120
COMMENT_LIMIT = 600
SHORT_COMMENT = 200


def _iso(value: object) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


def _category_title(name: str) -> str:
    try:
        return Category(name).title
    except ValueError:
        return name


def _days(stats: DurationStats) -> str:
    if stats.count == 0:
        return "none"
    return f"median {stats.median_days} d, 90th percentile {stats.p90_days} d (n={stats.count})"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _header(record: ReviewRecord, d: Dialect, *, digest: bool = True) -> list[str]:
    who = record.reviewer.display_name or record.reviewer.name
    start = _iso(record.period.start) if record.period.start else "the beginning of the records"
    # Before writing, links to action issues may still change the digest: the preview omits it.
    identity = f", digest sha256:{record.record_digest}" if digest else ""
    lines = [
        d.heading(
            "Security management review: "
            + d.text(f"{record.product_name} ({record.product})", 200)
        ),
        d.paragraph(
            d.strong("REVIEWED")
            + " by "
            + d.text(f"{who} ({record.reviewer.name})", 200)
            + " at "
            + d.text(_iso(record.created_at))
        ),
        d.bullet(d.text(f"Period: {start} to {_iso(record.period.end)}")),
        d.bullet(d.text(_next_due(record))),
        d.bullet(d.text(f"Record {record.record_id}" + identity)),
        d.bullet(d.text(f"Figures sha256:{record.metrics_digest}")),
        d.bullet(d.text(f"secgate {record.secgate_version}")),
    ]
    return lines


def _next_due(record: ReviewRecord) -> str:
    if record.due_after_sign_off:
        # Written before its signatures, the record cannot know the day they meet the
        # policy; it states the rule and the earliest date, never a date it cannot know.
        return (
            f"Next review due: {record.interval_days} days after the day this review's "
            f"approval policy is met by signatures, not before {record.next_due.isoformat()} "
            "(IEC 81001-5-1 4.1.8; `secgate review status` shows the date)"
        )
    return (
        f"Next review due: {record.next_due.isoformat()} (every "
        f"{record.interval_days} days, IEC 81001-5-1 4.1.8)"
    )


def _conclusions(record: ReviewRecord, d: Dialect, limit: int) -> list[str]:
    c = record.conclusions
    lines = ["", d.heading(d.text("Conclusions of the review"))]
    if c.summary:
        lines.append(d.paragraph(d.text(c.summary, limit)))
    if record.participants is not None:
        # Since issue 15: the management sign-off, the reviewer first.
        who = "Participants (sign-off): " + "; ".join(record.participants)
        lines.append(d.bullet(d.text(who, limit)))
    elif c.participants:
        lines.append(d.bullet(d.text("Participants: " + ", ".join(c.participants), limit)))
    for key, question in QUESTIONS.items():
        answer = getattr(c, key)
        text = f"{question} {answer.answer.value.upper()}"
        if answer.comment:
            text += f": {answer.comment}"
        lines.append(d.bullet(d.text(text, limit)))
        lines += answer_checks(record, key, d, limit, brief=limit <= SHORT_COMMENT)
    lines += ["", d.heading(d.text("Improvement actions (corrective actions)"))]
    if not c.actions:
        lines.append(d.paragraph(d.text("None decided.")))
    for action in c.actions:
        link = f" -> {action.issue.key}" if action.issue else ""
        lines.append(
            d.bullet(
                d.text(action.title, TITLE_LIMIT)
                + " "
                + d.text(f"(owner {action.owner}, due {action.due.isoformat()}{link})", 200)
            )
        )
        if action.description and limit > SHORT_COMMENT:
            lines.append(d.bullet(d.text(action.description, limit), level=2))
    lines += previous_actions(record, d, limit)
    lines += target_lines(record, d, brief=limit <= SHORT_COMMENT)
    return lines


def _group_line(group: GroupMetrics) -> str:
    ages = group.open_ages
    reopened = "unknown" if group.reopened is None else str(group.reopened)
    return (
        f"opened {group.opened}, closed {group.closed}"
        + (f" (+{group.closed_undated} without close date)" if group.closed_undated else "")
        + f", still open {group.open} (<30 d {ages.under_30_days}, 30-90 d {ages.days_30_to_90},"
        f" 90-180 d {ages.days_90_to_180}, >=180 d {ages.over_180_days}), reopened {reopened};"
        f" time to close: {_days(group.time_to_close)}"
    )


def _figures(record: ReviewRecord, d: Dialect, *, items: bool) -> list[str]:
    m = record.metrics
    lines = ["", d.heading(d.text("Security issues in the period (per category)"))]
    lines.append(d.bullet(d.text("All categories: " + _group_line(m.totals), 600)))
    for group in m.categories:
        lines.append(
            d.bullet(d.text(f"{_category_title(group.category)}: {_group_line(group)}", 600))
        )
        if items:
            for sub in m.groups:
                if sub.category == group.category:
                    lines.append(
                        d.bullet(d.text(f"severity {sub.severity}: {_group_line(sub)}", 600), 2)
                    )
    if not m.reopened_known:
        missing = ", ".join(m.history_missing_sources) or "every source"
        lines.append(
            d.paragraph(
                d.text(f"Reopened issues are unknown: tracker history not read ({missing}).")
            )
        )
    lines += ["", d.heading(d.text("Dispositions other than fixed"))]
    lines.append(d.paragraph(d.text(f"{len(m.not_fixed)} issue(s).")))
    if items:
        for item in m.not_fixed:
            why = item.justification or "(none given)"
            lines.append(
                d.bullet(
                    d.text(item.key, 80)
                    + " "
                    + d.text(f"({item.disposition.value})", 40)
                    + " "
                    + d.text(item.title, TITLE_LIMIT)
                )
            )
            lines.append(d.bullet(d.text("Justification: " + why, COMMENT_LIMIT), level=2))
        for reopened in m.reopened:
            lines.append(
                d.bullet(d.text(f"{reopened.key} reopened {reopened.reopens} time(s)", 200))
            )
    lines += vulnerability_lines(m, d)
    dep = m.deployed
    lines += ["", d.heading(d.text("Security defects in deployed software (4.1.6)"))]
    if dep.exposure_until is not None:
        return lines + deployed_lines(record, d, items=items)
    lines.append(
        d.paragraph(
            d.text(
                f"{dep.count} defect(s) affect released versions; fixed {dep.fixed} "
                f"({_share(dep.share_fixed)}), fix shipped {dep.fix_shipped} "
                f"({_share(dep.share_fix_shipped)}); time from identification to fix: "
                f"{_days(dep.time_to_fix)}; exposure: {_days(dep.exposure)}."
            )
        )
    )
    if items:
        for defect in dep.defects:
            exposure = "unknown" if defect.exposure_days is None else f"{defect.exposure_days} d"
            state = "fixed" if defect.fixed else "NOT fixed"
            shipped = ", ".join(defect.shipped_in) or "not shipped"
            lines.append(
                d.bullet(
                    d.text(defect.key, 80)
                    + " "
                    + d.text(defect.title, TITLE_LIMIT)
                    + " "
                    + d.text(
                        f"(affects {', '.join(defect.affected_versions)}; {state}; exposed "
                        f"{exposure}{' and counting' if defect.exposure_ongoing else ''}; "
                        f"fix: {shipped})",
                        300,
                    )
                )
            )
    return lines


def _markup(record: ReviewRecord, d: Dialect) -> Dialect:
    """Records written with issue 15's checks read as plain text (only what would change
    the rendering is escaped); records written before keep their escaping byte for byte
    (their comments are re-rendered to be adopted and verified)."""
    return d if record.checks is None else d.readable()


def render_review(record: ReviewRecord, d: Dialect, limit: int | None = None) -> Rendered:
    """The review minutes as a comment: with every item when they fit ``limit``, else
    per-category figures only and shorter comments, with the canonical JSON attached.

    Raises:
        RecordTooLargeError: even the shortest minutes do not fit.
    """
    d = _markup(record, d)
    return fit_to_limit(
        record,
        record_json(record),
        d,
        limit,
        full=_minutes(record, d, COMMENT_LIMIT, items=True),
        shorter=(_minutes(record, d, n, items=False) for n in (COMMENT_LIMIT, SHORT_COMMENT)),
        what="review",
    )


def _minutes(record: ReviewRecord, d: Dialect, comment_limit: int, *, items: bool) -> list[str]:
    return [
        *_header(record, d),
        *_conclusions(record, d, comment_limit),
        *_figures(record, d, items=items),
        *_sections(record, d, items=items),
        *trend_lines(record, d, items=items),
    ]


def _sections(record: ReviewRecord, d: Dialect, *, items: bool) -> list[str]:
    """Sections since issue 15's scope and FDA comparison (empty for older records)."""
    return [*source_lines(record, d), *fda_lines(record, d, brief=not items)]


def render_review_text(record: ReviewRecord, d: Dialect) -> str:
    """The human part only (no machine block): the preview a reviewer confirms."""
    d = _markup(record, d)
    lines = [
        *_header(record, d, digest=False),
        *_conclusions(record, d, COMMENT_LIMIT),
        *_figures(record, d, items=True),
        *_sections(record, d, items=True),
        *trend_lines(record, d),
    ]
    return "\n".join(lines) + "\n"
