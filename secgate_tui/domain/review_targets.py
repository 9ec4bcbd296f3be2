"""A product's review targets and each figure measured against its target.

The manufacturer says what "efficient" and "led to resolution" mean for a
product (IEC 81001-5-1 4.1.8) by setting targets in the config; the record
shows each figure with its target and whether it was met, missed, or has no
target. Unset targets are ``no target``, never a pass.

Every figure is one the review already reports:

- ``time_to_close_days.<severity>``: the median time to close (creation to
  close) of the period's security issues of that severity, over all
  categories; ``all`` is every severity together. Met when median <= target.
- ``deployed_fixed_percent``: the share of deployed vulnerabilities (security
  defects affecting a released version) whose issue is closed as fixed. Met
  when share >= target.
- ``time_to_fix_shipped_days``: the median time from identification (created)
  to the fix shipped (the first release of a fix version). Met when median <=
  target.

A figure without values (no issue closed, no deployed defect) cannot miss a
target: it is ``no data``, shown as such.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from secgate_tui.domain.review_metrics import ReviewMetrics
from secgate_tui.domain.review_stats import ALL, DurationStats

#: The longest time target a config may set (ten years).
MAX_TARGET_DAYS: Final = 3650
#: Severities a time-to-close target may name, in the order the record lists them.
TARGET_SEVERITIES: Final = ("critical", "high", "medium", "low", ALL)


class TimeToClose(BaseModel):
    """Median time to close per severity, in days; unset: no target."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    critical: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)
    high: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)
    medium: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)
    low: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)
    all: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)


class ReviewTargets(BaseModel):
    """``[products.<id>.review.targets]``; every key optional (unset: no target)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_to_close_days: TimeToClose = Field(default_factory=TimeToClose)
    deployed_fixed_percent: float | None = Field(None, ge=0, le=100)
    time_to_fix_shipped_days: float | None = Field(None, gt=0, le=MAX_TARGET_DAYS)


class TargetState(StrEnum):
    MET = "met"
    MISSED = "missed"
    NO_TARGET = "no target"
    NO_DATA = "no data"


class TargetResult(BaseModel):
    """One figure against its target; ``value`` and ``target`` in ``unit``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    figure: str
    #: The conclusion a missed target contradicts: ``efficient`` or ``resolution``.
    question: str
    unit: str
    value: float | None
    target: float | None
    state: TargetState


def target_results(metrics: ReviewMetrics, targets: ReviewTargets) -> tuple[TargetResult, ...]:
    """Every figure that can have a target, in the record's order, with its state."""
    severities = {group.severity: group for group in metrics.severities or ()}
    results = []
    for severity in TARGET_SEVERITIES:
        group = metrics.totals if severity == ALL else severities.get(severity)
        stats = group.time_to_close if group is not None else DurationStats()
        results.append(
            _at_most(
                f"median time to close, {severity} (days)",
                "efficient",
                stats.median_days,
                getattr(targets.time_to_close_days, severity),
            )
        )
    deployed = metrics.deployed
    share = None if deployed.share_fixed is None else round(deployed.share_fixed * 100, 2)
    results.append(
        _result(
            "deployed vulnerabilities fixed (%)",
            "resolution",
            "%",
            share,
            targets.deployed_fixed_percent,
            met=lambda value, target: value >= target,
        )
    )
    shipped = deployed.time_to_ship or DurationStats()
    results.append(
        _at_most(
            "median time from identification to fix shipped (days)",
            "efficient",
            shipped.median_days,
            targets.time_to_fix_shipped_days,
        )
    )
    return tuple(results)


def _at_most(figure: str, question: str, value: float | None, target: float | None) -> TargetResult:
    return _result(figure, question, "days", value, target, met=lambda v, t: v <= t)


def _result(
    figure: str,
    question: str,
    unit: str,
    value: float | None,
    target: float | None,
    *,
    met: Callable[[float, float], bool],
) -> TargetResult:
    if target is None:
        state = TargetState.NO_TARGET
    elif value is None:
        state = TargetState.NO_DATA
    else:
        state = TargetState.MET if met(value, target) else TargetState.MISSED
    return TargetResult(
        figure=figure, question=question, unit=unit, value=value, target=target, state=state
    )
