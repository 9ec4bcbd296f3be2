"""Review figures on fixed data whose expected values were worked out by hand.

The data set (NOW = 2026-11-22 00:00 UTC, last review one year earlier, so the
period is (D365, NOW], where Dn = NOW - n days):

key  category/severity      created closed   disposition    affects fix
D-1  defect-mgmt / high     D100    D90      fixed          1.0     1.1
D-2  defect-mgmt / high     D50     D30      fixed          1.1     1.2
D-3  defect-mgmt / high     D400    D200     fixed          1.0     1.1
D-4  defect-mgmt / high     D200    open                    1.0
U-1  defect-mgmt / high     D25     closed, no date, fixed  1.1
D-5  defect-mgmt / low      D45     open     deferred
D-6  defect-mgmt / low      D10     open                    2.0
D-7  defect-mgmt / low      D120    D60      risk-accepted  1.1
I-1  implementation / -     D30     open
I-2  implementation / -     D5      D1       duplicate      1.0
X-1  unclassified / medium  D100    open
OLD  defect-mgmt / high     D800    D400     fixed          (before the period)
N-1  not security           D10     open

Released: 1.0 at D300, 1.1 at D80 (given as a date), 1.2 at NOW+10 and 2.0 at
NOW+30 (not deployed yet).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.review_metrics import (
    EventState,
    GroupMetrics,
    ReviewMetrics,
    StateEvent,
    review_metrics,
)
from secgate_tui.domain.review_stats import AgeBuckets, DurationStats, nearest_rank

NOW = datetime(2026, 11, 22, tzinfo=UTC)
LAST_REVIEW = NOW - timedelta(days=365)

CLASSIFICATION = Classification(
    rules={
        Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",), types=("Vulnerability",)),
        Category.IMPLEMENTATION: CategoryRule(labels=("sec-implementation",)),
    },
    security_labels=("security",),
)
RELEASED = {
    "1.0": NOW - timedelta(days=300),
    "1.1": (NOW - timedelta(days=80)).date(),
    "1.2": NOW + timedelta(days=10),
    "2.0": NOW + timedelta(days=30),
}


def d(days: float) -> datetime:
    return NOW - timedelta(days=days)


def issue(
    key: str,
    *,
    labels: tuple[str, ...] = ("sec-defect",),
    severity: str | None = "high",
    created: float,
    closed: float | None = None,
    closed_undated: bool = False,
    disposition: Disposition = Disposition.UNKNOWN,
    affects: tuple[str, ...] = (),
    fix: tuple[str, ...] = (),
    justification: str | None = None,
    source: str = "jira",
    updated: float | None = None,
) -> Issue:
    is_closed = closed is not None or closed_undated
    return Issue(
        source=source,
        key=key,
        title=f"title of {key}",
        status="Done" if is_closed else "Open",
        closed=is_closed,
        disposition=disposition,
        labels=labels,
        severity=severity,
        created=d(created),
        updated=d(updated if updated is not None else (closed or 0)),
        closed_at=None if closed is None else d(closed),
        affects_versions=affects,
        fix_versions=fix,
        justification=justification,
    )


FIXED = Disposition.FIXED
ISSUES = [
    issue("D-1", created=100, closed=90, disposition=FIXED, affects=("1.0",), fix=("1.1",)),
    issue("D-2", created=50, closed=30, disposition=FIXED, affects=("1.1",), fix=("1.2",)),
    issue("D-3", created=400, closed=200, disposition=FIXED, affects=("1.0",), fix=("1.1",)),
    issue("D-4", created=200, affects=("1.0",)),
    issue("U-1", created=25, closed_undated=True, updated=20, disposition=FIXED, affects=("1.1",)),
    issue(
        "D-5",
        severity="low",
        created=45,
        disposition=Disposition.DEFERRED,
        justification="scheduled for 2.0",
    ),
    issue("D-6", severity="low", created=10, affects=("2.0",)),
    issue(
        "D-7",
        severity="low",
        created=120,
        closed=60,
        disposition=Disposition.RISK_ACCEPTED,
        affects=("1.1",),
        justification="  mitigated by network segmentation ",
    ),
    issue("I-1", labels=("sec-implementation",), severity=None, created=30),
    issue(
        "I-2",
        labels=("sec-implementation",),
        severity=None,
        created=5,
        closed=1,
        disposition=Disposition.DUPLICATE,
        affects=("1.0",),
    ),
    issue("X-1", labels=("security",), severity="medium", created=100),
    issue("OLD", created=800, closed=400, disposition=FIXED, affects=("1.0",)),
    issue("N-1", labels=("ui",), created=10),
]
EVENTS = [
    # D-2: opened, closed, opened again (a reopen at D35), closed.
    StateEvent(source="jira", key="D-2", at=d(50), state=EventState.OPENED),
    StateEvent(source="jira", key="D-2", at=d(40), state=EventState.CLOSED),
    StateEvent(source="jira", key="D-2", at=d(35), state=EventState.OPENED),
    StateEvent(source="jira", key="D-2", at=d(30), state=EventState.CLOSED),
    # D-1 was reopened before the period: not this review's business.
    StateEvent(source="jira", key="D-1", at=d(400), state=EventState.REOPENED),
    StateEvent(source="jira", key="X-1", at=d(20), state=EventState.REOPENED),
    # N-1 is not security-related: its history is ignored.
    StateEvent(source="jira", key="N-1", at=d(3), state=EventState.REOPENED),
]


@pytest.fixture(scope="module")
def metrics() -> ReviewMetrics:
    return review_metrics(
        ISSUES,
        CLASSIFICATION,
        period_start=LAST_REVIEW,
        now=NOW,
        released=RELEASED,
        events=EVENTS,
    )


def group(metrics: ReviewMetrics, category: str, severity: str) -> GroupMetrics:
    return next(g for g in metrics.groups if (g.category, g.severity) == (category, severity))


def test_groups_are_listed_in_the_standards_order(metrics: ReviewMetrics) -> None:
    # 5.8.5 lists implementation before security defect management.
    assert [(g.category, g.severity) for g in metrics.groups] == [
        ("implementation", "unspecified"),
        ("defect-management", "high"),
        ("defect-management", "low"),
        ("unclassified", "medium"),
    ]
    # Every category has a row (zeros included), then unclassified.
    assert [g.category for g in metrics.categories] == [
        *(c.value for c in Category),
        "unclassified",
    ]


def test_defect_management_high(metrics: ReviewMetrics) -> None:
    high = group(metrics, "defect-management", "high")
    # Opened in (D365, NOW]: D-1 (D100), D-2 (D50), D-4 (D200), U-1 (D25); D-3 (D400) not.
    assert high.opened == 4
    # Closed with a date in the period: D-1, D-2, D-3; U-1 has no close date.
    assert high.closed == 3
    assert high.closed_undated == 1
    # Time to close: D-1 100-90=10, D-2 50-30=20, D-3 400-200=200 -> [10, 20, 200];
    # median rank ceil(0.5*3)=2 -> 20; p90 rank ceil(0.9*3)=3 -> 200.
    assert high.time_to_close == DurationStats(count=3, median_days=20.0, p90_days=200.0)
    # Open: D-4, 200 days old -> 180 or more.
    assert high.open == 1
    assert high.open_ages == AgeBuckets(over_180_days=1)
    # Closed in the period (dated or not), all fixed: D-1, D-2, D-3, U-1.
    assert high.dispositions == {"fixed": 4}
    assert high.reopened == 1  # D-2


def test_defect_management_low(metrics: ReviewMetrics) -> None:
    low = group(metrics, "defect-management", "low")
    assert (low.opened, low.closed, low.open) == (3, 1, 2)  # D-5, D-6, D-7 / D-7 / D-5, D-6
    # D-7: 120-60 = 60 days; a single value is its own median and p90.
    assert low.time_to_close == DurationStats(count=1, median_days=60.0, p90_days=60.0)
    # D-5 is 45 days old (30-90), D-6 10 days (under 30).
    assert low.open_ages == AgeBuckets(under_30_days=1, days_30_to_90=1)
    assert low.dispositions == {"risk-accepted": 1}
    assert low.reopened == 0


def test_exactly_thirty_days_old_falls_in_the_30_to_90_bucket(metrics: ReviewMetrics) -> None:
    impl = group(metrics, "implementation", "unspecified")
    assert impl.open_ages == AgeBuckets(days_30_to_90=1)  # I-1, created exactly D30
    # I-2: 5-1 = 4 days.
    assert impl.time_to_close == DurationStats(count=1, median_days=4.0, p90_days=4.0)


def test_totals(metrics: ReviewMetrics) -> None:
    totals = metrics.totals
    assert (totals.category, totals.severity) == ("all", "all")
    # Opened 4 + 3 + 2 + 1; OLD and N-1 are out.
    assert totals.opened == 10
    # Close times [10, 20, 200, 60, 4] sorted [4, 10, 20, 60, 200]:
    # median rank ceil(2.5)=3 -> 20; p90 rank ceil(4.5)=5 -> 200.
    assert totals.time_to_close == DurationStats(count=5, median_days=20.0, p90_days=200.0)
    # Open: D-6 (<30); D-5, I-1 (30-90); X-1 (100: 90-180); D-4 (200: 180+).
    assert totals.open_ages == AgeBuckets(
        under_30_days=1, days_30_to_90=2, days_90_to_180=1, over_180_days=1
    )
    assert totals.dispositions == {"duplicate": 1, "fixed": 4, "risk-accepted": 1}
    assert totals.reopened == 2  # D-2, X-1


def test_category_rows_sum_over_severities(metrics: ReviewMetrics) -> None:
    dm = next(g for g in metrics.categories if g.category == "defect-management")
    # Close times of high and low: [10, 20, 200] + [60] sorted [10, 20, 60, 200]:
    # median rank 2 -> 20; p90 rank ceil(3.6)=4 -> 200.
    assert (dm.opened, dm.closed, dm.open) == (7, 4, 3)
    assert dm.time_to_close == DurationStats(count=4, median_days=20.0, p90_days=200.0)
    requirements = next(g for g in metrics.categories if g.category == "requirements")
    assert (requirements.opened, requirements.closed, requirements.open) == (0, 0, 0)
    assert requirements.time_to_close == DurationStats()


def test_dispositions_other_than_fixed_keep_their_justification(metrics: ReviewMetrics) -> None:
    items = [(i.key, i.disposition, i.justification, i.closed) for i in metrics.not_fixed]
    assert items == [
        ("I-2", Disposition.DUPLICATE, None, True),
        ("D-5", Disposition.DEFERRED, "scheduled for 2.0", False),
        ("D-7", Disposition.RISK_ACCEPTED, "mitigated by network segmentation", True),
    ]


def test_reopened_items(metrics: ReviewMetrics) -> None:
    assert metrics.reopened_known
    assert [(r.key, r.reopens, r.last_reopened_at) for r in metrics.reopened] == [
        ("D-2", 1, d(35)),
        ("X-1", 1, d(20)),
    ]


def test_deployed_defects(metrics: ReviewMetrics) -> None:
    deployed = metrics.deployed
    by_key = {defect.key: defect for defect in deployed.defects}
    # Affecting 1.0 or 1.1: D-1, D-2, D-3, D-4, U-1, D-7. I-2 is a duplicate, D-6 affects
    # only 2.0 (not released yet), OLD was closed before the period.
    assert list(by_key) == ["D-1", "D-2", "D-3", "D-4", "U-1", "D-7"]
    # Exposure runs until the fix SHIPPED (issue 15), else to NOW:
    # D-1 1.0 at D300 -> 1.1 shipped D80 = 220; D-2 1.1 at D80 -> NOW (1.2 not out) = 80;
    # D-3 D300 -> D80 = 220; D-4 D300 -> NOW (open) = 300; U-1 fixed, no fix version ->
    # D80 -> NOW = 80; D-7 D80 -> NOW (risk accepted is not fixed) = 80.
    exposure = {key: defect.exposure_days for key, defect in by_key.items()}
    assert exposure == {
        "D-1": 220.0,
        "D-2": 80.0,
        "D-3": 220.0,
        "D-4": 300.0,
        "U-1": 80.0,
        "D-7": 80.0,
    }
    ongoing = [key for key, defect in by_key.items() if defect.exposure_ongoing]
    assert ongoing == ["D-2", "D-4", "U-1", "D-7"]
    assert by_key["D-1"].released_at == d(300)
    # Fix shipped: D-1 and D-3 in 1.1; D-2's 1.2 is not out yet.
    assert [key for key, defect in by_key.items() if defect.fix_shipped] == ["D-1", "D-3"]
    assert by_key["D-1"].shipped_in == ("1.1",)
    # Fixed: D-1, D-2, D-3, U-1 = 4 of 6 -> 0.6667; shipped 2 of 6 -> 0.3333.
    assert (deployed.count, deployed.fixed, deployed.fix_shipped) == (6, 4, 2)
    assert deployed.share_fixed == 0.6667
    assert deployed.share_fix_shipped == 0.3333
    # Identification to fix: D-1 10, D-2 20, D-3 200 (U-1 unknown): median 20, p90 200.
    assert deployed.time_to_fix == DurationStats(count=3, median_days=20.0, p90_days=200.0)
    # Exposure sorted [80, 80, 80, 220, 220, 300]: median rank 3 -> 80; p90 rank 6 -> 300.
    assert deployed.exposure == DurationStats(count=6, median_days=80.0, p90_days=300.0)
    assert deployed.exposure_until == "fix-shipped"
    # Shipped on 1.1's day D80: D-1 fixed D90 (10 d later), created D100 (20 d);
    # D-3 fixed D200 (120 d), created D400 (320 d).
    assert by_key["D-1"].shipped_at == d(80)
    assert (by_key["D-1"].days_fix_to_ship, by_key["D-1"].days_to_ship) == (10.0, 20.0)
    assert (by_key["D-3"].days_fix_to_ship, by_key["D-3"].days_to_ship) == (120.0, 320.0)
    assert by_key["D-2"].shipped_at is None and by_key["D-2"].days_to_ship is None
    # [10, 120]: median rank 1 -> 10, p90 rank 2 -> 120; [20, 320] likewise.
    assert deployed.time_fix_to_ship == DurationStats(count=2, median_days=10.0, p90_days=120.0)
    assert deployed.time_to_ship == DurationStats(count=2, median_days=20.0, p90_days=320.0)


def test_severities_over_all_categories(metrics: ReviewMetrics) -> None:
    # high: D-1, D-2, D-3, D-4, U-1; medium: X-1; low: D-5, D-6, D-7; unspecified: I-1, I-2.
    severities = {g.severity: g for g in metrics.severities or ()}
    assert list(severities) == ["high", "medium", "low", "unspecified"]
    assert all(g.category == "all" for g in severities.values())
    high = severities["high"]
    assert (high.opened, high.closed, high.closed_undated, high.open) == (4, 3, 1, 1)
    # Time to close [10, 20, 200] as in the category: median 20, p90 200.
    assert high.time_to_close == DurationStats(count=3, median_days=20.0, p90_days=200.0)
    assert severities["unspecified"].closed == 1  # I-2


def test_without_history_reopens_are_unknown_not_zero() -> None:
    metrics = review_metrics(ISSUES, CLASSIFICATION, period_start=LAST_REVIEW, now=NOW)
    assert not metrics.reopened_known
    assert metrics.reopened == ()
    assert all(g.reopened is None for g in (*metrics.groups, metrics.totals))


def test_a_source_without_history_is_named() -> None:
    gitlab = issue("grp/app#3", source="gitlab", severity="low", created=10)
    metrics = review_metrics(
        [*ISSUES, gitlab],
        CLASSIFICATION,
        period_start=LAST_REVIEW,
        now=NOW,
        events=EVENTS,
        history_sources={"jira"},
    )
    assert not metrics.reopened_known
    assert metrics.history_missing_sources == ("gitlab",)
    assert group(metrics, "defect-management", "low").reopened is None
    assert group(metrics, "defect-management", "high").reopened == 1
    assert metrics.totals.reopened is None


def test_period_is_open_at_the_start_and_closed_at_the_end() -> None:
    at_start = issue("S-1", created=400, closed=365, disposition=FIXED)
    at_end = issue("E-1", created=400, closed=0, disposition=FIXED)
    metrics = review_metrics([at_start, at_end], CLASSIFICATION, period_start=LAST_REVIEW, now=NOW)
    assert metrics.totals.closed == 1
    assert [d.key for d in metrics.deployed.defects] == []
    assert metrics.totals.time_to_close.median_days == 400.0


def test_no_previous_review_counts_everything() -> None:
    metrics = review_metrics(ISSUES, CLASSIFICATION, period_start=None, now=NOW)
    assert metrics.period.start is None
    # Now D-3 and OLD were opened in the period too: 10 + 2.
    assert metrics.totals.opened == 12
    assert metrics.totals.closed == 6


def test_age_bucket_edges() -> None:
    ages = [29.99, 30, 89.99, 90, 179.99, 180]
    metrics = review_metrics(
        [issue(f"A-{n}", created=age) for n, age in enumerate(ages)],
        CLASSIFICATION,
        period_start=LAST_REVIEW,
        now=NOW,
    )
    assert metrics.totals.open_ages == AgeBuckets(
        under_30_days=1, days_30_to_90=2, days_90_to_180=2, over_180_days=1
    )


def test_nearest_rank_by_hand() -> None:
    ten = [float(n) for n in range(10, 0, -1)]  # 10..1, unsorted on purpose
    assert nearest_rank(ten, 50) == 5.0  # rank ceil(5.0) = 5
    assert nearest_rank(ten, 90) == 9.0  # rank ceil(9.0) = 9, not 10
    eleven = [float(n) for n in range(1, 12)]
    assert nearest_rank(eleven, 50) == 6.0  # rank ceil(5.5) = 6
    assert nearest_rank(eleven, 90) == 10.0  # rank ceil(9.9) = 10
    assert nearest_rank([7.0], 90) == 7.0
    with pytest.raises(ValueError):
        nearest_rank([], 50)


def test_metrics_are_independent_of_input_order(metrics: ReviewMetrics) -> None:
    shuffled = review_metrics(
        list(reversed(ISSUES)),
        CLASSIFICATION,
        period_start=LAST_REVIEW,
        now=NOW,
        released=RELEASED,
        events=list(reversed(EVENTS)),
    )
    assert shuffled == metrics


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_median_never_exceeds_p90(values: list[float]) -> None:
    median, p90 = nearest_rank(values, 50), nearest_rank(values, 90)
    assert min(values) <= median <= p90 <= max(values)
    assert median in values and p90 in values


_random_issue = st.builds(
    lambda n, labels, severity, created, closed_after, disposition, affects: issue(
        f"R-{n}",
        labels=labels,
        severity=severity,
        created=created,
        closed=None if closed_after is None else max(0.0, created - closed_after),
        disposition=disposition,
        affects=affects,
        fix=affects,
    ),
    st.integers(0, 10_000),
    st.sampled_from([("sec-defect",), ("sec-implementation",), ("security",), ("ui",)]),
    st.sampled_from([None, "high", "low"]),
    st.floats(min_value=0, max_value=800),
    st.none() | st.floats(min_value=0, max_value=800),
    st.sampled_from(list(Disposition)),
    st.sampled_from([(), ("1.0",), ("1.1",), ("2.0",)]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_random_issue, max_size=30, unique_by=lambda i: i.key))
def test_counts_add_up(issues: list[Issue]) -> None:
    metrics = review_metrics(
        issues, CLASSIFICATION, period_start=LAST_REVIEW, now=NOW, released=RELEASED
    )
    totals = metrics.totals
    for rows in (metrics.groups, metrics.categories):
        for name in ("opened", "closed", "closed_undated", "open"):
            assert sum(getattr(g, name) for g in rows) == getattr(totals, name)
    for row in (*metrics.groups, *metrics.categories, totals):
        assert row.open_ages.total == row.open
        assert row.time_to_close.count == row.closed
        assert sum(row.dispositions.values()) == row.closed + row.closed_undated
        stats = row.time_to_close
        if stats.count:
            assert stats.median_days is not None and stats.p90_days is not None
            assert stats.median_days <= stats.p90_days
    security_open = sum(1 for i in issues if not i.closed and "ui" not in i.labels)
    assert totals.open == security_open
    deployed = metrics.deployed
    assert deployed.fix_shipped <= deployed.fixed <= deployed.count == len(deployed.defects)
    if deployed.count:
        assert deployed.share_fixed is not None and 0 <= deployed.share_fixed <= 1


def test_the_figures_read_back_from_their_json_are_the_same(metrics: ReviewMetrics) -> None:
    # A record is read back from its JSON: every figure (the fields of issue 15 too) survives.
    again = ReviewMetrics.model_validate_json(metrics.model_dump_json())
    assert again == metrics
    assert again.model_dump(mode="json") == metrics.model_dump(mode="json")
