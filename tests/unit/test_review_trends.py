"""Review trends on fixed data whose expected figures were worked out by hand.

NOW = 2026-11-22 12:00 UTC, so the 24 months are 2024-12 .. 2026-11; the last
one ends at NOW. Ages are at each month's end (00:00 UTC on the next month's
first day; NOW for 2026-11):

key created           closed            what it shows
A   2026-11-05        open              opened in the last month, 17.5 d old at NOW
B   2026-09-10        2026-10-20        open at the end of Sep (21 d), not of Oct
C   2024-06-01        open              opened before the window: open (>= 180 d) in every month
D   2025-01-15        2025-05-10        <30 (Jan's end), 30-90 (Feb 45 d, Mar 76 d), 90-180 (Apr)
E   2024-03-01        2024-11-30        closed before the window: in no month
F   2024-10-01        2025-02-03        90-180 at the ends of 2024-12 (92 d) and 2025-01 (123 d)
G   2026-03-03        closed, no date   opened in March; in no month's closed or still open
H   2026-11-01        open              not a security issue
I   2026-11-22 13:00  open              created after NOW (a clock ahead): not yet
J   2026-10-31 23:00  2026-11-01 00:00  closed exactly at a month's start: open at Oct's end
K   2026-08-01        2026-11-23        closed after NOW: still open at NOW, 113.5 d old
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.model import Category, Disposition, Issue
from secgate_tui.domain.review_stats import AgeBuckets
from secgate_tui.domain.review_trends import MonthTrend, month_starts, review_trends

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CLASSIFICATION = Classification(
    rules={Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-defect",))},
    security_labels=("security",),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def issue(
    key: str,
    created: str,
    closed: str | None = None,
    *,
    undated: bool = False,
    labels: tuple[str, ...] = ("sec-defect",),
) -> Issue:
    is_closed = closed is not None or undated
    return Issue(
        source="jira",
        key=key,
        title=f"title of {key}",
        status="Done" if is_closed else "Open",
        closed=is_closed,
        closed_at=at(closed) if closed else None,
        disposition=Disposition.FIXED if is_closed else Disposition.UNKNOWN,
        labels=labels,
        created=at(created),
        updated=at(closed or created),
    )


ISSUES = [
    issue("A", "2026-11-05"),
    issue("B", "2026-09-10", "2026-10-20"),
    issue("C", "2024-06-01", labels=("security",)),
    issue("D", "2025-01-15", "2025-05-10"),
    issue("E", "2024-03-01", "2024-11-30"),
    issue("F", "2024-10-01", "2025-02-03"),
    issue("G", "2026-03-03", undated=True),
    issue("H", "2026-11-01", labels=("ui",)),
    issue("I", "2026-11-22T13:00"),
    issue("J", "2026-10-31T23:00", "2026-11-01T00:00"),
    issue("K", "2026-08-01", "2026-11-23"),
]


def month(
    name: str,
    opened: int = 0,
    closed: int = 0,
    *,
    under_30: int = 0,
    d30_90: int = 0,
    d90_180: int = 0,
    over_180: int = 1,  # C, every month
) -> MonthTrend:
    ages = AgeBuckets(
        under_30_days=under_30,
        days_30_to_90=d30_90,
        days_90_to_180=d90_180,
        over_180_days=over_180,
    )
    return MonthTrend(
        month=name, opened=opened, closed=closed, still_open=ages.total, open_ages=ages
    )


EXPECTED = {
    "2024-12": month("2024-12", d90_180=1),
    "2025-01": month("2025-01", 1, under_30=1, d90_180=1),
    "2025-02": month("2025-02", 0, 1, d30_90=1),
    "2025-03": month("2025-03", d30_90=1),
    "2025-04": month("2025-04", d90_180=1),
    "2025-05": month("2025-05", 0, 1),
    "2026-03": month("2026-03", 1),
    "2026-08": month("2026-08", 1, d30_90=1),
    "2026-09": month("2026-09", 1, under_30=1, d30_90=1),
    "2026-10": month("2026-10", 1, 1, under_30=1, d90_180=1),
    "2026-11": month("2026-11", 1, 1, under_30=1, d90_180=1),
}


def test_every_month_as_worked_out_by_hand() -> None:
    trends = review_trends(ISSUES, CLASSIFICATION, now=NOW)
    names = [m.month for m in trends.months]
    assert names[0] == "2024-12" and names[-1] == "2026-11" and len(names) == 24
    for got in trends.months:
        assert got == EXPECTED.get(got.month, month(got.month)), got.month
    assert trends.closed_undated == 1
    assert trends.as_of == NOW


def test_months_cross_the_year_and_start_at_midnight_utc() -> None:
    starts = month_starts(datetime(2026, 1, 31, 23, 59, tzinfo=UTC), count=3)
    assert starts == [
        datetime(2025, 11, 1, tzinfo=UTC),
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
    ]


def test_no_security_issue_gives_24_empty_months() -> None:
    trends = review_trends([issue("H", "2026-11-01", labels=("ui",))], CLASSIFICATION, now=NOW)
    assert len(trends.months) == 24
    assert all(m.opened == m.closed == m.still_open == 0 for m in trends.months)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=900 * 86400),
            st.one_of(st.none(), st.integers(min_value=0, max_value=900 * 86400)),
        ),
        max_size=25,
    )
)
def test_still_open_matches_a_direct_count_at_every_month_end(
    spans: list[tuple[int, int | None]],
) -> None:
    """The difference arrays give what counting each issue at each month's end gives."""
    origin = datetime(2024, 6, 1, tzinfo=UTC).timestamp()
    issues = []
    for n, (start, length) in enumerate(spans):
        created = datetime.fromtimestamp(origin + start, UTC)
        closed = None if length is None else datetime.fromtimestamp(origin + start + length, UTC)
        issues.append(issue(f"P-{n}", created.isoformat()[:19], closed and closed.isoformat()[:19]))
    trends = review_trends(issues, CLASSIFICATION, now=NOW)
    ends = [*month_starts(NOW)[1:-1], NOW]
    for got, end in zip(trends.months, ends, strict=True):
        last = end == NOW  # the last month ends at NOW, inclusive
        open_then = [
            i
            for i in issues
            if (i.created <= end if last else i.created < end)
            and (i.closed_at is None or (i.closed_at > end if last else i.closed_at >= end))
        ]
        assert got.still_open == len(open_then), got.month
        old = sum((end - i.created).days >= 180 for i in open_then)
        assert got.open_ages.over_180_days == old, got.month
        young = sum((end - i.created).days < 30 for i in open_then)
        assert got.open_ages.under_30_days == young, got.month
