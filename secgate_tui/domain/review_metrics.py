"""The figures of the periodic security review (IEC 81001-5-1 4.1.6, 4.1.8).

For the period since the last review: security issues opened, closed and still
open (with age buckets), time to close, dispositions other than fixed with their
justifications, reopened issues where the tracker exposes history, and the
analysis of defects in deployed software (exposure, whether the fix shipped,
FDA's share fixed and time to fix).

Conventions, so every figure can be recomputed by hand:

- The period is ``(start, end]``: a close at exactly the previous review's end
  was counted by that review. ``start`` None means "since the beginning".
- Durations are in days (seconds / 86400, rounded to 2 decimals).
- Medians and 90th percentiles use the nearest-rank method
  (:func:`secgate_tui.domain.review_stats.nearest_rank`),
  so every reported figure is one of the observed values.
- Age buckets are half-open: under 30 days, [30, 90), [90, 180), 180 days or more.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Final, TypedDict

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from secgate_tui.domain.classify import Classification, Classifier
from secgate_tui.domain.collector import collector_paused

# StateEvent and EventState live in the model; re-exported here for existing importers.
from secgate_tui.domain.model import (
    RESIDUAL,
    Category,
    Disposition,
    Issue,
    utc,
)
from secgate_tui.domain.model import (
    EventState as EventState,
)
from secgate_tui.domain.model import (
    StateEvent as StateEvent,
)
from secgate_tui.domain.review_deployments import DeploymentIndex, Deployments
from secgate_tui.domain.review_sources import SourceCount, SourceCounter
from secgate_tui.domain.review_stats import (
    ALL,
    Accumulator,
    AgeBuckets,
    DurationStats,
    Facts,
    GroupKey,
    duration_stats,
    group_order,
    in_days,
    share,
)
from secgate_tui.domain.review_vex import VulnerabilityFigures

#: Dispositions that say "this was never a vulnerability of its own"; they stay
#: out of the deployed-software analysis (a duplicate is counted in its original).
_NOT_A_VULNERABILITY: Final = frozenset({Disposition.DUPLICATE, Disposition.NOT_A_DEFECT})
NO_SEVERITY: Final = "unspecified"
_SEVERITY_ORDER: Final = {
    name: rank for rank, name in enumerate(("critical", "high", "medium", "low"))
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReviewPeriod(_Frozen):
    """``(start, end]``; ``start`` None when there was no previous review."""

    start: AwareDatetime | None
    end: AwareDatetime

    @field_validator("start", "end")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else utc(value)

    def contains(self, moment: datetime) -> bool:
        return (self.start is None or moment > self.start) and moment <= self.end


class GroupMetrics(_Frozen):
    """Flow of one (category, severity) group; either may be ``all``.

    ``category`` is a Category value, ``unclassified`` (security-labelled but
    matching no rule) or ``all``. ``reopened`` is None when any issue of the
    group comes from a source whose history was not read.
    """

    category: str
    severity: str
    opened: int
    closed: int
    closed_undated: int
    open: int
    open_ages: AgeBuckets
    time_to_close: DurationStats
    dispositions: dict[str, int]
    reopened: int | None


class ItemRef(_Frozen):
    """Which issue a listed item is; ``title`` is untrusted tracker text."""

    source: str
    key: str
    title: str
    category: str
    severity: str


class DispositionItem(ItemRef):
    """An issue that ended (or stays) other than fixed, with its justification."""

    disposition: Disposition
    justification: str | None
    closed: bool
    closed_at: AwareDatetime | None


class ReopenedItem(ItemRef):
    reopens: int
    last_reopened_at: AwareDatetime


def _unset(value: object) -> bool:
    return value is None


class DeployedDefect(ItemRef):
    """A security defect affecting a released version (4.1.6).

    ``exposure_days`` runs from the first release of an affected version until
    the fix shipped (the first release of a fix version of a ``fixed`` issue;
    records from before issue 15, whose analysis has no ``exposure_until``,
    counted until the issue's close) or, while the fix has not shipped, to the
    period's end; None when a needed date is unknown. ``fix_shipped`` says
    whether one of the fix versions has been released.

    The fields after ``days_to_fix`` came with issue 15; they are left out of the
    JSON while unset, so records written before keep their digests.
    """

    affected_versions: tuple[str, ...]
    released_at: AwareDatetime | None
    fixed: bool
    fixed_at: AwareDatetime | None
    exposure_days: float | None
    exposure_ongoing: bool
    shipped_in: tuple[str, ...]
    fix_shipped: bool
    days_to_fix: float | None
    #: When the fix reached the field: the first release of a version it shipped in.
    shipped_at: AwareDatetime | None = Field(None, exclude_if=_unset)
    #: FDA: from the fix (the close) to the fix shipped.
    days_fix_to_ship: float | None = Field(None, exclude_if=_unset)
    #: From identification (created) to the fix shipped.
    days_to_ship: float | None = Field(None, exclude_if=_unset)
    #: Root cause category, field action, customer communication / coordinated
    #: disclosure decision, as the tracker's labels state them (None: not stated).
    root_cause: str | None = Field(None, exclude_if=_unset)
    field_action: str | None = Field(None, exclude_if=_unset)
    disclosure: str | None = Field(None, exclude_if=_unset)
    #: Days from the fix shipped to each installation that received it, ascending;
    #: None without a deployment source, or while the fix has not shipped on a known day.
    days_ship_to_deploy: tuple[float, ...] | None = Field(None, exclude_if=_unset)
    #: Installations still running an affected version without the fix at the period's
    #: end (CSV source); None without a deployment source.
    installations_without_fix: int | None = Field(None, exclude_if=_unset)


#: ``DeployedAnalysis.exposure_until`` of the records since issue 15.
EXPOSURE_UNTIL_SHIPPED: Final = "fix-shipped"


class DeployedAnalysis(_Frozen):
    """Defects in deployed software; shares are fractions (0.75 = 75 %).

    ``exposure_until`` says where exposure ends: ``fix-shipped`` since issue 15;
    unset in older records, whose exposure ended at the fixed issue's close.
    """

    defects: tuple[DeployedDefect, ...]
    count: int
    fixed: int
    fix_shipped: int
    share_fixed: float | None
    share_fix_shipped: float | None
    time_to_fix: DurationStats
    exposure: DurationStats
    exposure_until: str | None = Field(None, exclude_if=_unset)
    #: FDA: from the fix to the fix shipped, and from identification to the fix shipped.
    time_fix_to_ship: DurationStats | None = Field(None, exclude_if=_unset)
    time_to_ship: DurationStats | None = Field(None, exclude_if=_unset)
    #: The deployment source (None: none configured, the record says so), and the
    #: time from fix shipped to deployment over every (defect, installation) pair.
    deployment_source: str | None = Field(None, exclude_if=_unset)
    time_ship_to_deploy: DurationStats | None = Field(None, exclude_if=_unset)


class DefectLabels(_Frozen):
    """Label prefixes that state a deployed defect's analysis in the tracker.

    A label ``root-cause:input-validation`` with ``root_cause = "root-cause:"``
    states the root cause ``input-validation``; GitLab's scoped labels use
    ``root-cause::``, Redmine custom fields become labels through the tracker's
    ``label_fields``. An empty prefix reads nothing.
    """

    root_cause: str = "root-cause:"
    field_action: str = "field-action:"
    disclosure: str = "disclosure:"


class ReviewMetrics(_Frozen):
    """Everything the review minutes report, as of ``period.end``.

    ``severities`` (each severity over all categories, for the targets) came with
    issue 15 and is left out of the JSON while unset.
    """

    period: ReviewPeriod
    groups: tuple[GroupMetrics, ...]
    categories: tuple[GroupMetrics, ...]
    totals: GroupMetrics
    not_fixed: tuple[DispositionItem, ...]
    reopened_known: bool
    history_missing_sources: tuple[str, ...]
    reopened: tuple[ReopenedItem, ...]
    deployed: DeployedAnalysis
    severities: tuple[GroupMetrics, ...] | None = Field(None, exclude_if=_unset)
    #: VEX states and time to assessment (issue 14); unset without SBOM/VEX settings.
    vulnerabilities: VulnerabilityFigures | None = Field(None, exclude_if=_unset)
    #: How many issues each source contributed (read, security-related, in the period).
    sources: tuple[SourceCount, ...] | None = Field(None, exclude_if=_unset)


@collector_paused()
def review_metrics(
    issues: Iterable[Issue],
    classification: Classification,
    *,
    period_start: datetime | None,
    now: datetime,
    released: Mapping[str, date | datetime | None] | None = None,
    events: Iterable[StateEvent] | None = None,
    history_sources: Collection[str] | None = None,
    defect_labels: DefectLabels | None = None,
    deployments: Deployments | None = None,
    source_names: Collection[str] = (),
) -> ReviewMetrics:
    """Compute the review figures for ``(period_start, now]``.

    Args:
        issues: the product's issues (any state); those the classification does
            not mark as security-related are left out.
        classification: the product's category rules and security labels.
        period_start: the end of the last review, None when there was none.
        now: the period's end (timezone-aware).
        released: released version name -> release date (a date is taken as
            00:00 UTC; None means released on an unknown day). Versions released
            after ``now`` are not deployed yet and are ignored.
        events: open/close history; None when no tracker history was read, and
            the metrics then say that reopens are unknown.
        history_sources: the sources whose history ``events`` covers; None means
            all of them.
        defect_labels: where deployed defects' root cause, field action and
            disclosure decision are read from (None: the defaults).
        deployments: what the product's deployment source gave (None: no source).
        source_names: the product's sources, listed in the counts even when they
            contributed nothing.
    """
    period = ReviewPeriod(start=period_start, end=now)
    end = period.end
    classifier = Classifier(classification)
    deployed_versions = _deployed(released or {}, end)
    reopens = _reopens(events, period) if events is not None else None

    facts: list[Facts] = []
    counter = SourceCounter(source_names)
    for issue in issues:
        found = classifier.classify(issue)
        if found is None:
            counter.read(issue.source)
            continue
        category = found.value if isinstance(found, Category) else found
        fact = _facts(issue, category, period, reopens, history_sources)
        counter.security(issue.source, in_period=fact is not None)
        if fact is not None:
            facts.append(fact)
    # A few dozen groups for tens of thousands of facts: rank each group once.
    rank = {group: group_order(group) for group in {f.group for f in facts}}
    facts.sort(key=lambda f: (rank[f.group], f.issue.source, f.issue.key))

    groups: dict[GroupKey, Accumulator] = {}
    by_category: dict[GroupKey, Accumulator] = {
        (category.value, ALL): Accumulator() for category in Category
    }
    totals = Accumulator()
    by_severity: dict[GroupKey, Accumulator] = {}
    for fact in facts:
        groups.setdefault(fact.group, Accumulator()).add(fact)
    # Categories and totals are sums of the (category, severity) groups: merged
    # once per group instead of adding every fact three times. Lists are in the
    # order of the groups, not of the facts; every figure drawn from them is
    # order-free (nearest-rank medians sort first, dispositions are sorted).
    for key, acc in sorted(groups.items(), key=_by_key):
        by_category.setdefault((key[0], ALL), Accumulator()).merge(acc)
        by_severity.setdefault((ALL, key[1]), Accumulator()).merge(acc)
        totals.merge(acc)

    missing = sorted({f.issue.source for f in facts if not f.history_known})
    return ReviewMetrics(
        period=period,
        groups=tuple(_group(key, acc) for key, acc in sorted(groups.items(), key=_by_key)),
        categories=tuple(_group(key, acc) for key, acc in sorted(by_category.items(), key=_by_key)),
        totals=_group((ALL, ALL), totals),
        not_fixed=tuple(_not_fixed(f) for f in facts if _is_not_fixed(f)),
        reopened_known=events is not None and not missing,
        history_missing_sources=tuple(missing),
        reopened=tuple(
            ReopenedItem(**_ref(f), reopens=len(f.reopens), last_reopened_at=max(f.reopens))
            for f in facts
            if f.reopens
        ),
        deployed=_deployed_analysis(
            facts, deployed_versions, end, defect_labels or DefectLabels(), deployments
        ),
        severities=tuple(
            _group(key, acc) for key, acc in sorted(by_severity.items(), key=_severity_order)
        ),
        sources=counter.counts(),
    )


def _severity_order(item: tuple[GroupKey, Accumulator]) -> tuple[int, str]:
    severity = item[0][1]
    return (_SEVERITY_ORDER.get(severity, len(_SEVERITY_ORDER)), severity)


def _by_key(item: tuple[GroupKey, Accumulator]) -> tuple[int, str, str]:
    return group_order(item[0])


def _group(key: GroupKey, acc: Accumulator) -> GroupMetrics:
    return GroupMetrics(
        category=key[0],
        severity=key[1],
        opened=acc.opened,
        closed=acc.closed,
        closed_undated=acc.closed_undated,
        open=acc.open,
        open_ages=AgeBuckets(**acc.ages),
        time_to_close=duration_stats(acc.close_days),
        dispositions=dict(sorted(acc.dispositions.items())),
        reopened=acc.reopened if acc.history_known else None,
    )


def _deployed(
    released: Mapping[str, date | datetime | None], end: datetime
) -> dict[str, datetime | None]:
    deployed: dict[str, datetime | None] = {}
    for version, when in released.items():
        moment = _moment(when)
        if moment is None or moment <= end:
            deployed[version] = moment
    return deployed


def _moment(when: date | datetime | None) -> datetime | None:
    if when is None or isinstance(when, datetime):
        return None if when is None else utc(when)
    return datetime.combine(when, time(0), tzinfo=UTC)


def _reopens(
    events: Iterable[StateEvent], period: ReviewPeriod
) -> dict[tuple[str, str], list[datetime]]:
    per_issue: dict[tuple[str, str], list[StateEvent]] = {}
    for event in events:
        per_issue.setdefault((event.source, event.key), []).append(event)
    found: dict[tuple[str, str], list[datetime]] = {}
    for uid, history in per_issue.items():
        was_closed = False
        for event in sorted(history, key=lambda e: e.at):
            reopen = event.state is EventState.REOPENED or (
                event.state is EventState.OPENED and was_closed
            )
            if reopen and period.contains(event.at):
                found.setdefault(uid, []).append(event.at)
            was_closed = event.state is EventState.CLOSED
    return found


def _facts(
    issue: Issue,
    category: str,
    period: ReviewPeriod,
    reopens: dict[tuple[str, str], list[datetime]] | None,
    history_sources: Collection[str] | None,
) -> Facts | None:
    closed_at = issue.closed_at if issue.closed else None
    closed_in = closed_at is not None and period.contains(closed_at)
    # A close with no date cannot be placed in a period; `updated` is the best
    # bound we have for whether it happened since the last review.
    undated = issue.closed and closed_at is None and period.contains(issue.updated)
    opened = period.contains(issue.created)
    if not (opened or closed_in or undated or not issue.closed):
        return None
    known = reopens is not None and (history_sources is None or issue.source in history_sources)
    return Facts(
        issue=issue,
        group=(category, issue.severity or NO_SEVERITY),
        opened=opened,
        closed_in_period=closed_in,
        closed_undated=undated,
        age_seconds=(period.end - issue.created).total_seconds() if not issue.closed else None,
        history_known=known,
        reopens=tuple(reopens.get(issue.uid, ())) if reopens is not None and known else (),
    )


class _RefFields(TypedDict):
    source: str
    key: str
    title: str
    category: str
    severity: str


def _ref(fact: Facts) -> _RefFields:
    issue = fact.issue
    return {
        "source": issue.source,
        "key": issue.key,
        "title": issue.title,
        "category": fact.group[0],
        "severity": fact.group[1],
    }


def _is_not_fixed(fact: Facts) -> bool:
    disposition = fact.issue.disposition
    if fact.issue.closed:
        return (fact.closed_in_period or fact.closed_undated) and disposition is not (
            Disposition.FIXED
        )
    return disposition in RESIDUAL


def _not_fixed(fact: Facts) -> DispositionItem:
    issue = fact.issue
    return DispositionItem(
        **_ref(fact),
        disposition=issue.disposition,
        justification=(issue.justification or "").strip() or None,
        closed=issue.closed,
        closed_at=issue.closed_at if issue.closed else None,
    )


def _deployed_analysis(
    facts: Sequence[Facts],
    deployed: Mapping[str, datetime | None],
    end: datetime,
    labels: DefectLabels,
    deployments: Deployments | None,
) -> DeployedAnalysis:
    defects: list[DeployedDefect] = []
    index = DeploymentIndex(deployments, end) if deployments is not None else None
    for fact in facts:
        issue = fact.issue
        # Most issues affect no version: skip them before any set arithmetic.
        if not issue.affects_versions or (
            issue.closed and issue.disposition in _NOT_A_VULNERABILITY
        ):
            continue
        affected = sorted(set(issue.affects_versions) & deployed.keys())
        if affected:
            defect = _deployed_defect(fact, affected, deployed, end, labels)
            if index is not None:
                defect = _with_deployments(defect, index)
            defects.append(defect)
    count = len(defects)
    fixed_count = sum(d.fixed for d in defects)
    shipped_count = sum(d.fix_shipped for d in defects)
    return DeployedAnalysis(
        defects=tuple(defects),
        count=count,
        fixed=fixed_count,
        fix_shipped=shipped_count,
        share_fixed=share(fixed_count, count),
        share_fix_shipped=share(shipped_count, count),
        time_to_fix=duration_stats([d.days_to_fix for d in defects if d.days_to_fix is not None]),
        exposure=duration_stats([d.exposure_days for d in defects if d.exposure_days is not None]),
        exposure_until=EXPOSURE_UNTIL_SHIPPED,
        time_fix_to_ship=duration_stats(
            [d.days_fix_to_ship for d in defects if d.days_fix_to_ship is not None]
        ),
        time_to_ship=duration_stats(
            [d.days_to_ship for d in defects if d.days_to_ship is not None]
        ),
        deployment_source=None if deployments is None else deployments.source,
        time_ship_to_deploy=None
        if deployments is None
        else duration_stats([days for d in defects for days in d.days_ship_to_deploy or ()]),
    )


def _with_deployments(defect: DeployedDefect, index: DeploymentIndex) -> DeployedDefect:
    uid = (defect.source, defect.key)
    days = None
    if defect.shipped_at is not None:
        days = index.fix_days(uid, defect.shipped_in, defect.shipped_at)
    exposed = index.without_fix(uid, defect.affected_versions, defect.shipped_in)
    return defect.model_copy(
        update={"days_ship_to_deploy": days, "installations_without_fix": exposed}
    )


def _deployed_defect(
    fact: Facts,
    affected: list[str],
    deployed: Mapping[str, datetime | None],
    end: datetime,
    labels: DefectLabels,
) -> DeployedDefect:
    issue = fact.issue
    dates = [moment for v in affected if (moment := deployed[v]) is not None]
    released_at = min(dates) if dates else None
    fixed = issue.closed and issue.disposition is Disposition.FIXED
    fixed_at = issue.closed_at if fixed else None
    shipped = tuple(sorted(set(issue.fix_versions) & deployed.keys())) if fixed else ()
    ship_dates = [moment for v in shipped if (moment := deployed[v]) is not None]
    # A fix in a release of unknown date shipped, but not on a day we can count from.
    shipped_at = min(ship_dates) if ship_dates else None
    # Exposure lasts until the fix reached the field, not until the issue closed.
    exposure_end = shipped_at if shipped else end
    exposure = None
    if released_at is not None and exposure_end is not None:
        exposure = in_days(max(0.0, (exposure_end - released_at).total_seconds()))
    root_cause, field_action, disclosure = _analysis(issue.labels, labels)
    return DeployedDefect(
        **_ref(fact),
        affected_versions=tuple(affected),
        released_at=released_at,
        fixed=fixed,
        fixed_at=fixed_at,
        exposure_days=exposure,
        exposure_ongoing=not shipped,
        shipped_in=shipped,
        fix_shipped=bool(shipped),
        days_to_fix=(in_days((fixed_at - issue.created).total_seconds()) if fixed_at else None),
        shipped_at=shipped_at,
        days_fix_to_ship=(
            in_days(max(0.0, (shipped_at - fixed_at).total_seconds()))
            if shipped_at and fixed_at
            else None
        ),
        days_to_ship=(
            in_days(max(0.0, (shipped_at - issue.created).total_seconds())) if shipped_at else None
        ),
        root_cause=root_cause,
        field_action=field_action,
        disclosure=disclosure,
    )


def _analysis(
    issue_labels: Sequence[str], labels: DefectLabels
) -> tuple[str | None, str | None, str | None]:
    """Root cause, field action and disclosure from the labels with their prefixes."""
    prefixes = (labels.root_cause, labels.field_action, labels.disclosure)
    wanted = tuple(prefix for prefix in prefixes if prefix)
    # Most labels carry none of the prefixes: one C-level test per label first.
    tagged = [label for label in issue_labels if wanted and label.startswith(wanted)]
    if not tagged:
        return None, None, None
    root_cause, field_action, disclosure = (_values(tagged, prefix) for prefix in prefixes)
    return root_cause, field_action, disclosure


def _values(tagged: Sequence[str], prefix: str) -> str | None:
    values = {
        label[len(prefix) :].strip() for label in tagged if prefix and label.startswith(prefix)
    }
    return ", ".join(sorted(values - {""})) or None
