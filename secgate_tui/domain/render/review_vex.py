"""The review minutes' vulnerability section: VEX states and time to assessment (issue 14)."""

from __future__ import annotations

from secgate_tui.domain.render.dialect import Dialect
from secgate_tui.domain.review_metrics import ReviewMetrics
from secgate_tui.domain.review_stats import DurationStats


def _days(stats: DurationStats) -> str:
    if not stats.count:
        return "none measured"
    return (
        f"median {stats.median_days:.1f} d, 90th percentile {stats.p90_days:.1f} d "
        f"(n={stats.count})"
    )


def vulnerability_lines(metrics: ReviewMetrics, d: Dialect) -> list[str]:
    """The section, or nothing for a product without SBOM/VEX settings."""
    v = metrics.vulnerabilities
    if v is None:
        return []
    lines = ["", d.heading(d.text("Vulnerability assessment (SBOM/VEX) in the period"))]
    if not v.releases:
        lines.append(d.paragraph(d.text("No release's VEX documents were available: no history.")))
    else:
        states = ", ".join(f"{state} {n}" for state, n in v.by_state.items()) or "none"
        lines.append(
            d.paragraph(
                d.text(
                    f"{v.findings} finding(s) assessed or reported in the period, over the "
                    f"VEX documents of {', '.join(v.releases)}; state at the period's end: "
                    f"{states}. Time to assessment: {_days(v.time_to_assessment)}; "
                    f"{v.decided_without_history} decided with no earlier statement "
                    "(no history to measure).",
                    1200,
                )
            )
        )
    for problem in v.unavailable:
        lines.append(d.bullet(d.text("Not read: " + problem, 600)))
    return lines
