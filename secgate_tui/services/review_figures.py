"""The review record's figures from what was gathered: the period's metrics and FDA's
metrics beside the previous period's (recomputed, and as the previous record stored them).

One function, so the review kind's preparation makes one call whatever figures
a record gains; the arithmetic is the domain's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from secgate_tui.config import Config, Product
from secgate_tui.domain.model import Issue, StateEvent
from secgate_tui.domain.review_fda import FdaComparison, compare, previous_period, recompute
from secgate_tui.domain.review_metrics import DefectLabels, ReviewMetrics, review_metrics
from secgate_tui.domain.review_record import ReviewRecord
from secgate_tui.services.review_deployments import read_deployments


@dataclass(frozen=True, kw_only=True)
class Gathered:
    """What the trackers gave for the review (see :mod:`~secgate_tui.services.review_gather`)."""

    issues: list[Issue]
    released: Mapping[str, date | datetime | None]
    events: list[StateEvent]
    history_sources: set[str]


@dataclass(frozen=True, kw_only=True)
class Figures:
    metrics: ReviewMetrics
    fda: FdaComparison


def review_figures(
    config: Config,
    product: Product,
    gathered: Gathered,
    *,
    start: datetime | None,
    now: datetime,
    previous: ReviewRecord | None,
) -> Figures:
    """The period ``(start, now]``'s figures and the FDA comparison.

    ``previous`` is the record the period starts from; its period is the previous
    period, and its stored figures are compared when it covered that period.

    Raises:
        DeploymentError: the configured deployment source cannot be read.
    """
    settings = product.review
    labels = settings.defect_labels if settings else DefectLabels()
    deployments = read_deployments(
        settings.deployments if settings else None,
        gathered.issues,
        config.path.parent if config.path else None,
    )
    metrics = review_metrics(
        gathered.issues,
        product.classification(),
        period_start=start,
        now=now,
        released=gathered.released,
        events=gathered.events,
        history_sources=gathered.history_sources,
        defect_labels=labels,
        deployments=deployments,
        source_names={source.tracker for source in product.sources},
    )
    # The previous record's period when the period starts from it; otherwise (a
    # configured last_review) the interval before the start.
    stored = previous if previous is not None and previous.period.end == start else None
    period = previous_period(
        previous=stored.period if stored else None,
        start=start,
        interval_days=product.review_interval_days,
    )
    recomputed = None
    if period is not None:
        recomputed = recompute(
            gathered.issues,
            product.classification(),
            period,
            released=gathered.released,
            defect_labels=labels,
            deployments=deployments,
        )
    fda = compare(
        metrics.deployed,
        period=period,
        recomputed=recomputed,
        stored_record=stored.record_id if stored else None,
        stored=stored.metrics.deployed if stored else None,
    )
    return Figures(metrics=metrics, fda=fda)
