"""The review record's "Trends" section: security issues per month over 24 months.

One row per calendar month (oldest first): opened, closed, still open at the
month's end and those by age. Every cell is secgate's own figure; it still goes
through the dialect like any text. Records written before trends have none and
render without the section (their layout is kept).
"""

from __future__ import annotations

from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.render.table import markup_table
from secgate_tui.domain.review_record import ReviewRecord
from secgate_tui.domain.review_trends import MonthTrend

HEADER = (
    "Month",
    "Opened",
    "Closed",
    "Still open",
    "under 30 d",
    "30-90 d",
    "90-180 d",
    "180 d or more",
)


def _row(month: MonthTrend) -> tuple[str, ...]:
    ages = month.open_ages
    return (
        month.month,
        str(month.opened),
        str(month.closed),
        str(month.still_open),
        str(ages.under_30_days),
        str(ages.days_30_to_90),
        str(ages.days_90_to_180),
        str(ages.over_180_days),
    )


def trend_lines(record: ReviewRecord, d: Dialect, *, items: bool = True) -> list[str]:
    """The section with its heading; nothing for a record without trends.

    ``items`` False (a comment shortened to fit the tracker): the table is left to
    the attached record, which carries every month.
    """
    trends = record.trends
    if trends is None:
        return []
    first, last = trends.months[0].month, trends.months[-1].month
    heading = d.heading(d.text(f"Trends: security issues per month, {first} to {last}"))
    if not items:
        return ["", heading, d.paragraph(d.text("Every month is in the attached record."))]
    lines = [
        "",
        heading,
        d.paragraph(
            d.text(
                "Opened and closed in each calendar month (UTC); still open at the month's "
                f"end, by age then; the last month ends at {trends.as_of:%Y-%m-%dT%H:%M:%SZ}."
            )
        ),
        # Markdown and Textile end a paragraph with a blank line, which their tables need.
        *markup_table(
            [d.text(h) for h in HEADER],
            [[d.text(cell) for cell in _row(month)] for month in trends.months],
            d,
        ),
    ]
    if trends.closed_undated:
        lines.append(
            d.paragraph(
                d.text(
                    f"{trends.closed_undated} closed issue(s) without a close date are in no "
                    "month's closed or still open figure."
                )
            )
        )
    return lines
