"""The parts of the review minutes that came with issue 15, in any dialect.

Each part renders only when the record has it, so a record written before
issue 15 renders byte for byte as it did (its comment is re-rendered to be
adopted): the checks of each answer against the figures, the figures against
their targets, the follow-up of the previous review's actions, and the
deployed-defect table with the FDA figures (exposure until the fix shipped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.review_checks import NOT_STATED, defect_analysis
from secgate_tui.domain.review_record import ReviewRecord
from secgate_tui.domain.review_stats import DurationStats
from secgate_tui.domain.review_targets import TargetState

TITLE_LIMIT: Final = 120
#: Said where the record would show the time from fix shipped to field deployment.
NO_DEPLOYMENT_SOURCE: Final = (
    "Time from fix shipped to deployment in the field: not reported, no deployment source "
    "is configured (installations are not known to secgate)."
)


def _iso(value: object) -> str:
    """ISO 8601 UTC to the second with Z (this layout is only used by records written
    with issue 15's checks, so no earlier record's rendering depends on it)."""
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


def _days(stats: DurationStats | None) -> str:
    if stats is None or stats.count == 0:
        return "none"
    return f"median {stats.median_days} d, 90th percentile {stats.p90_days} d (n={stats.count})"


def _median(stats: DurationStats | None) -> str:
    return "n/a" if stats is None or stats.median_days is None else str(stats.median_days)


def answer_checks(
    record: ReviewRecord, question: str, d: Dialect, limit: int, *, brief: bool = False
) -> list[str]:
    """Under an answer: the figures that speak against it, and the explanation given.

    ``brief`` (the shortest minutes, the full record being attached): one line.
    """
    if record.checks is None:
        return []
    check = next(c for c in record.checks.conclusions if c.question == question)
    if brief:
        count = len(check.findings) + len(check.supports_yes)
        text = "Checked against the figures: consistent."
        if check.contradicted:
            text = f"CONTRADICTED by {count} figure(s) (listed in the attached record)."
        if check.explanation:
            text += " Explanation: " + check.explanation
        return [d.bullet(d.text(text, limit), level=2)]
    lines = []
    if check.contradicted:
        lines.append(d.bullet(d.strong("CONTRADICTED by the figures") + d.text(":"), level=2))
    else:
        lines.append(d.bullet(d.text("Checked against the figures: consistent."), level=2))
    for finding in (*check.findings, *check.supports_yes):
        lines.append(d.bullet(d.text("Figure: " + finding, limit), level=2))
    if check.explanation:
        lines.append(d.bullet(d.text("Explanation: " + check.explanation, limit), level=2))
    return lines


def target_lines(record: ReviewRecord, d: Dialect, *, brief: bool = False) -> list[str]:
    """Each figure that can have a target, with the target and met / missed / no target.

    ``brief``: only the figures that have a target, and how many have none.
    """
    if record.checks is None:
        return []
    lines = ["", d.heading(d.text("Figures against the product's targets"))]
    results = record.checks.targets
    if brief:
        untargeted = sum(r.state is TargetState.NO_TARGET for r in results)
        results = tuple(r for r in results if r.state is not TargetState.NO_TARGET)
        if untargeted:
            lines.append(d.paragraph(d.text(f"{untargeted} figure(s) have no target.")))
    for result in results:
        unit = " %" if result.unit == "%" else " d"
        value = "no data" if result.value is None else f"{result.value}{unit}"
        target = "none" if result.target is None else f"{result.target}{unit}"
        state = result.state.value.upper()
        shown = d.strong(state) if result.state is TargetState.MISSED else d.text(state)
        lines.append(d.bullet(shown + " " + d.text(f"{result.figure}: {value}; target {target}")))
    return lines


def previous_actions(record: ReviewRecord, d: Dialect, limit: int) -> list[str]:
    """The previous review's actions: state now, due day, effectiveness."""
    previous = record.previous_review
    if previous is None:
        return []
    lines = ["", d.heading(d.text("Actions of the previous review (follow-up)"))]
    if previous.record_id is None:
        return [
            *lines,
            d.paragraph(d.text("No previous review record in the tracker: nothing to follow up.")),
        ]
    if not previous.actions:
        return [*lines, d.paragraph(d.text(f"Review {previous.record_id} decided no action."))]
    lines.append(d.paragraph(d.text(f"Decided by review {previous.record_id}:")))
    for action in previous.actions:
        closed = f", closed {_iso(action.closed_at)}" if action.closed_at else ""
        effective = action.effective.value if action.effective else "not stated"
        state = action.state.value.upper()
        text = (
            f" (owner {action.owner}, due {action.due.isoformat()}{closed}); effective: {effective}"
        )
        lines.append(
            d.bullet(
                d.text(action.ref, 80)
                + " "
                + d.strong(state)
                + " "
                + d.text(action.title, TITLE_LIMIT)
                + d.text(text, 200)
            )
        )
        if action.comment:
            lines.append(d.bullet(d.text("Effectiveness: " + action.comment, limit), level=2))
    return lines


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _deployment(source: str | None, stats: DurationStats | None) -> str:
    if source is None or stats is None:
        return NO_DEPLOYMENT_SOURCE
    return f"Time from fix shipped to deployment in the field ({source}): {_days(stats)}"


def _deployment_brief(stats: DurationStats | None) -> str:
    if stats is None:
        return "deployment in the field: not reported (no deployment source)."
    return f"fix shipped to deployment {_median(stats)}."


def _deployed_to(days: tuple[float, ...] | None, exposed: int | None) -> str:
    """Per defect, with a deployment source: how many installations received the fix,
    and how many still run an affected version without it."""
    text = ""
    if days is not None:
        text = "; deployed to no installation yet"
        if days:
            text = f"; deployed to {len(days)} installation(s), after {', '.join(map(str, days))} d"
    if exposed:
        text += f"; {exposed} installation(s) still run an affected version without the fix"
    return text


def deployed_lines(record: ReviewRecord, d: Dialect, *, items: bool) -> list[str]:
    """The deployed-defect analysis of records since issue 15 (exposure until fix shipped)."""
    dep = record.metrics.deployed
    summary = d.paragraph(
        d.text(
            f"{dep.count} defect(s) affect released versions; fixed {dep.fixed} "
            f"({_share(dep.share_fixed)}), fix shipped {dep.fix_shipped} "
            f"({_share(dep.share_fix_shipped)})."
        )
    )
    if not items:
        figures = (
            f"Median days: identification to fix {_median(dep.time_to_fix)}, fix to fix "
            f"shipped {_median(dep.time_fix_to_ship)}, identification to fix shipped "
            f"{_median(dep.time_to_ship)}; exposure until the fix shipped "
            f"{_median(dep.exposure)}; " + _deployment_brief(dep.time_ship_to_deploy)
        )
        return [summary, d.paragraph(d.text(figures))]
    lines = [
        summary,
        d.bullet(d.text(f"Time from identification to fix: {_days(dep.time_to_fix)}")),
        d.bullet(d.text(f"Time from fix to fix shipped: {_days(dep.time_fix_to_ship)}")),
        d.bullet(d.text(f"Time from identification to fix shipped: {_days(dep.time_to_ship)}")),
        d.bullet(d.text(_deployment(dep.deployment_source, dep.time_ship_to_deploy))),
        d.bullet(d.text(f"Exposure (until the fix shipped): {_days(dep.exposure)}")),
    ]
    for defect in dep.defects:
        analysis = defect_analysis(defect, record.conclusions)
        exposure = "unknown" if defect.exposure_days is None else f"{defect.exposure_days} d"
        ongoing = " and counting" if defect.exposure_ongoing else ""
        fix = "NOT fixed"
        if defect.fixed:
            fix = "fixed " + (_iso(defect.fixed_at) if defect.fixed_at else "(no date)")
        shipped = "not shipped"
        if defect.fix_shipped:
            when = _iso(defect.shipped_at) if defect.shipped_at else "on an unknown day"
            shipped = f"shipped in {', '.join(defect.shipped_in)} {when}"
        lines.append(
            d.bullet(
                d.text(defect.key, 80)
                + " "
                + d.text(f"[{defect.severity}]", 40)
                + " "
                + d.text(defect.title, TITLE_LIMIT)
            )
        )
        facts = (
            f"affects {', '.join(defect.affected_versions)}; {fix}; {shipped}; "
            f"exposed {exposure}{ongoing}"
        )
        facts += _deployed_to(defect.days_ship_to_deploy, defect.installations_without_fix)
        lines.append(d.bullet(d.text(facts, 300), level=2))
        for name, value in (
            ("Root cause", analysis.root_cause),
            ("Field action", analysis.field_action),
            ("Customer communication / disclosure", analysis.disclosure),
        ):
            lines.append(d.bullet(d.text(f"{name}: {value or NOT_STATED}", 300), level=2))
    return lines
