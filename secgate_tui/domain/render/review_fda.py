"""Review minutes sections on scope and FDA's metrics, in any dialect.

Each renders only when the record has it (records written before keep their
rendering byte for byte): how many issues each source contributed, and FDA's
metrics for the period beside the previous period's, recomputed from the
tracker and, where the previous record stored them, the differences.
"""

from __future__ import annotations

from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.review_fda import FdaFigures
from secgate_tui.domain.review_record import ReviewRecord
from secgate_tui.domain.review_stats import DurationStats


def source_lines(record: ReviewRecord, d: Dialect) -> list[str]:
    """One line per source: issues read, security-related, in the period."""
    sources = record.metrics.sources
    if sources is None:
        return []
    lines = ["", d.heading(d.text("Sources in scope (issues each source contributed)"))]
    for count in sources:
        lines.append(
            d.bullet(
                d.text(count.source, 80)
                + d.text(
                    f": {count.issues} issue(s) read, {count.security} security-related, "
                    f"{count.in_period} in the period"
                )
            )
        )
    return lines


def _share(figures: FdaFigures | None) -> str:
    if figures is None:
        return "n/a"
    value = "n/a" if figures.share_fixed is None else f"{figures.share_fixed * 100:.1f} %"
    return f"{value} ({figures.fixed} of {figures.count})"


def _days(stats: DurationStats | None, missing: str) -> str:
    if stats is None:
        return missing
    if stats.count == 0:
        return "none"
    return f"median {stats.median_days} d, p90 {stats.p90_days} d (n={stats.count})"


_ROWS = (
    ("Share of deployed vulnerabilities fixed", None),
    ("Time from identification to fix", "time_to_fix"),
    ("Time from fix to fix shipped", "time_fix_to_ship"),
    ("Time from fix shipped to deployment", "time_ship_to_deploy"),
)


def _figure(figures: FdaFigures | None, attribute: str | None) -> str:
    if attribute is None:
        return _share(figures)
    if figures is None:
        return "n/a"
    missing = "no deployment source" if attribute == "time_ship_to_deploy" else "not computed"
    stats: DurationStats | None = getattr(figures, attribute)
    return _days(stats, missing)


def fda_lines(record: ReviewRecord, d: Dialect, *, brief: bool = False) -> list[str]:
    """This period and the previous one, figure by figure; then the differences.

    ``brief`` (the full record is attached): one paragraph.
    """
    fda = record.fda
    if fda is None:
        return []
    lines = ["", d.heading(d.text("FDA cybersecurity metrics: this period and the previous"))]
    if brief:
        text = f"Share fixed: this period {_share(fda.current)}"
        if fda.previous_period is not None:
            text += f", previous period {_share(fda.previous)}"
        if fda.differences:
            text += f"; {len(fda.differences)} DIFFERENCE(S) from {fda.stored_record}'s figures"
        return [*lines, d.paragraph(d.text(text + ". Every figure is in the attached record."))]
    period = fda.previous_period
    if period is None:
        lines.append(d.paragraph(d.text("First review: no previous period to compare.")))
    else:
        start = period.start.isoformat() if period.start else "the beginning of the records"
        lines.append(
            d.paragraph(
                d.text(
                    f"Previous period: {start} to {period.end.isoformat()}".replace("+00:00", "Z")
                    + ", recomputed from the tracker data of today."
                )
            )
        )
    for name, attribute in _ROWS:
        text = f"{name}: this period {_figure(fda.current, attribute)}"
        if period is not None:
            text += f"; previous period {_figure(fda.previous, attribute)}"
        if fda.stored is not None:
            text += f"; as recorded by {fda.stored_record} {_figure(fda.stored, attribute)}"
        lines.append(d.bullet(d.text(text, 600)))
    if fda.stored is None:
        if period is not None:
            lines.append(
                d.paragraph(d.text("No earlier record stored figures for the previous period."))
            )
        return lines
    if not fda.differences:
        lines.append(
            d.paragraph(
                d.text(f"The recomputed figures equal those recorded by {fda.stored_record}.")
            )
        )
        return lines
    lines.append(
        d.paragraph(
            d.strong("DIFFERENCES")
            + " "
            + d.text(
                f"from the figures recorded by {fda.stored_record} (the tracker data of that "
                "period changed since):"
            )
        )
    )
    for difference in fda.differences:
        lines.append(d.bullet(d.text(difference, 300)))
    return lines
