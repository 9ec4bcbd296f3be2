"""FDA's cybersecurity metrics for the period and the previous period, side by side.

The premarket guidance (§V.A.6) asks for the share of identified vulnerabilities
fixed, the time from identification to fix, from fix to fix shipped and from
fix shipped to deployment. :class:`FdaFigures` takes them from a deployed-defect
analysis (:mod:`~secgate_tui.domain.review_metrics`).

The previous period's figures are recomputed from today's tracker data, each
issue rewound to the period's end (created later: left out; closed later: still
open then). Where the previous review record stored its figures for that same
period, both are kept and every figure that differs is listed: a difference
means the tracker data of that period changed since (a late reclassification,
a corrected date, an issue reopened or moved), which an auditor wants to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.classify import Classification
from secgate_tui.domain.model import Issue
from secgate_tui.domain.review_deployments import Deployments
from secgate_tui.domain.review_metrics import (
    DefectLabels,
    DeployedAnalysis,
    ReviewPeriod,
    review_metrics,
)
from secgate_tui.domain.review_stats import DurationStats


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FdaFigures(_Frozen):
    """The FDA figures of one period; shares are fractions (0.75 = 75 %).

    ``time_fix_to_ship`` is None for records from before issue 15 (which did not
    compute it); ``time_ship_to_deploy`` is None without a deployment source.
    """

    count: int
    fixed: int
    share_fixed: float | None
    time_to_fix: DurationStats
    time_fix_to_ship: DurationStats | None
    time_ship_to_deploy: DurationStats | None


class FdaComparison(_Frozen):
    """The record's FDA section: this period, the previous one recomputed, and what
    the previous record stored (``stored``, from record ``stored_record``)."""

    current: FdaFigures
    previous_period: ReviewPeriod | None
    previous: FdaFigures | None
    stored_record: str | None
    stored: FdaFigures | None
    differences: tuple[str, ...]


def fda_figures(deployed: DeployedAnalysis) -> FdaFigures:
    return FdaFigures(
        count=deployed.count,
        fixed=deployed.fixed,
        share_fixed=deployed.share_fixed,
        time_to_fix=deployed.time_to_fix,
        time_fix_to_ship=deployed.time_fix_to_ship,
        time_ship_to_deploy=deployed.time_ship_to_deploy,
    )


def previous_period(
    *, previous: ReviewPeriod | None, start: datetime | None, interval_days: int
) -> ReviewPeriod | None:
    """The previous record's period; without one, the interval before ``start``;
    None when this is the first review (nothing before it to compare)."""
    if previous is not None:
        return previous
    if start is None:
        return None
    return ReviewPeriod(start=start - timedelta(days=interval_days), end=start)


def as_of(issue: Issue, end: datetime) -> Issue | None:
    """The issue as it stood at ``end``, as far as its dates tell."""
    if issue.created > end:
        return None
    if not issue.closed:
        return issue
    closed_at = issue.closed_at
    # An undated close counts when the issue has not changed since ``end``.
    closed_then = closed_at <= end if closed_at is not None else issue.updated <= end
    if closed_then:
        return issue
    return issue.model_copy(update={"closed": False, "closed_at": None})


def recompute(
    issues: Iterable[Issue],
    classification: Classification,
    period: ReviewPeriod,
    *,
    released: Mapping[str, date | datetime | None],
    defect_labels: DefectLabels | None = None,
    deployments: Deployments | None = None,
) -> FdaFigures:
    """The FDA figures of ``period`` from today's issues, rewound to its end.

    Only issues with affected versions can be deployed defects, so only those are
    rewound: the recomputation costs little beside the period's own figures.
    """
    candidates = [
        rewound
        for issue in issues
        if issue.affects_versions and (rewound := as_of(issue, period.end)) is not None
    ]
    metrics = review_metrics(
        candidates,
        classification,
        period_start=period.start,
        now=period.end,
        released=released,
        defect_labels=defect_labels,
        deployments=deployments,
    )
    return fda_figures(metrics.deployed)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _stats(stats: DurationStats | None) -> str:
    if stats is None:
        return "not computed"
    if stats.count == 0:
        return "none"
    return f"median {stats.median_days} d, p90 {stats.p90_days} d (n={stats.count})"


def differences(stored: FdaFigures, recomputed: FdaFigures) -> tuple[str, ...]:
    """Each figure whose stored value differs from the recomputed one, as a sentence.

    A figure the stored record did not compute (None) is not a difference.
    """
    pairs: list[tuple[str, str, str]] = [
        ("deployed vulnerabilities", str(stored.count), str(recomputed.count)),
        ("fixed", str(stored.fixed), str(recomputed.fixed)),
        ("share fixed", _share(stored.share_fixed), _share(recomputed.share_fixed)),
        (
            "time from identification to fix",
            _stats(stored.time_to_fix),
            _stats(recomputed.time_to_fix),
        ),
    ]
    if stored.time_fix_to_ship is not None:
        pairs.append(
            (
                "time from fix to fix shipped",
                _stats(stored.time_fix_to_ship),
                _stats(recomputed.time_fix_to_ship),
            )
        )
    if stored.time_ship_to_deploy is not None:
        pairs.append(
            (
                "time from fix shipped to deployment",
                _stats(stored.time_ship_to_deploy),
                _stats(recomputed.time_ship_to_deploy),
            )
        )
    return tuple(
        f"{name}: recorded {was}, recomputed {now}" for name, was, now in pairs if was != now
    )


def compare(
    current: DeployedAnalysis,
    *,
    period: ReviewPeriod | None,
    recomputed: FdaFigures | None,
    stored_record: str | None = None,
    stored: DeployedAnalysis | None = None,
) -> FdaComparison:
    """The record's FDA section; ``stored`` is the previous record's analysis of ``period``."""
    kept = fda_figures(stored) if stored is not None else None
    return FdaComparison(
        current=fda_figures(current),
        previous_period=period,
        previous=recomputed,
        stored_record=stored_record if kept is not None else None,
        stored=kept,
        differences=differences(kept, recomputed) if kept and recomputed else (),
    )


def comparison_holds(comparison: FdaComparison, current: DeployedAnalysis) -> bool:
    """The section says what the record's own figures and its two sets of previous
    figures give (a stored record is checked for edits)."""
    expected = (
        differences(comparison.stored, comparison.previous)
        if comparison.stored and comparison.previous
        else ()
    )
    return comparison.current == fda_figures(current) and comparison.differences == expected
