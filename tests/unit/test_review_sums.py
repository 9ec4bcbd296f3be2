"""Category and total figures merged from the groups equal adding every issue (#18).

The review figures used to add each issue to its group, its category and the
totals; they now sum the groups. This holds the two equal on generated data:
the per-issue reference below is the previous code.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain.classify import CategoryRule, Classification, Classifier
from secgate_tui.domain.model import Category, Disposition, EventState, Issue, StateEvent
from secgate_tui.domain.review_metrics import (
    ReviewPeriod,
    _by_key,
    _facts,
    _group,
    _reopens,
    review_metrics,
)
from secgate_tui.domain.review_stats import ALL, Accumulator, group_order

END = datetime(2026, 11, 22, 12, tzinfo=UTC)
START = END - timedelta(days=365)
LABELS = ["sec-a", "sec-b", "sec-c"]
CLASSIFICATION = Classification(
    rules={
        Category.IMPLEMENTATION: CategoryRule(labels=("sec-a",)),
        Category.DEFECT_MANAGEMENT: CategoryRule(labels=("sec-b",)),
    },
    security_labels=("security",),
)


def generate(seed: int, count: int) -> tuple[list[Issue], list[StateEvent]]:
    rng = random.Random(seed)
    issues, events = [], []
    for n in range(count):
        created = END - timedelta(seconds=rng.randint(0, 500 * 86400))
        closed = rng.random() < 0.6
        closed_at = created + timedelta(seconds=rng.randint(0, 200 * 86400)) if closed else None
        source = rng.choice(["jira", "gitlab"])
        issues.append(
            Issue(
                source=source,
                key=f"K-{n}",
                title=f"t{n}",
                status="s",
                closed=closed,
                closed_at=closed_at if rng.random() < 0.9 else None,
                disposition=rng.choice(list(Disposition)) if closed else Disposition.UNKNOWN,
                labels=("security", rng.choice(LABELS)) if rng.random() < 0.9 else ("x",),
                severity=rng.choice(["High", "Low", None]),
                created=created,
                updated=closed_at or created,
            )
        )
        if closed_at is not None and rng.random() < 0.3:
            for state in (EventState.CLOSED, EventState.OPENED, EventState.CLOSED):
                at = created + (closed_at - created) * rng.random()
                events.append(StateEvent(source=source, key=f"K-{n}", at=at, state=state))
    return issues, events


def per_issue_sums(
    issues: list[Issue], events: list[StateEvent] | None, history: set[str] | None
) -> tuple[tuple[object, ...], object]:
    """The previous code: every fact added to its category and the totals."""
    period = ReviewPeriod(start=START, end=END)
    classifier = Classifier(CLASSIFICATION)
    reopens = _reopens(events, period) if events is not None else None
    facts = []
    for issue in issues:
        found = classifier.classify(issue)
        if found is None:
            continue
        category = found.value if isinstance(found, Category) else found
        fact = _facts(issue, category, period, reopens, history)
        if fact is not None:
            facts.append(fact)
    facts.sort(key=lambda f: (group_order(f.group), f.issue.source, f.issue.key))
    by_category = {(category.value, ALL): Accumulator() for category in Category}
    totals = Accumulator()
    for fact in facts:
        by_category.setdefault((fact.group[0], ALL), Accumulator()).add(fact)
        totals.add(fact)
    categories = tuple(_group(k, a) for k, a in sorted(by_category.items(), key=_by_key))
    return categories, _group((ALL, ALL), totals)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(0, 80),
    with_events=st.booleans(),
    history=st.sampled_from([None, {"jira"}, {"jira", "gitlab"}]),
)
def test_merged_sums_equal_per_issue_sums(
    seed: int, count: int, with_events: bool, history: set[str] | None
) -> None:
    issues, events = generate(seed, count)
    history_events = events if with_events else None
    metrics = review_metrics(
        issues,
        CLASSIFICATION,
        period_start=START,
        now=END,
        events=history_events,
        history_sources=history,
    )
    categories, totals = per_issue_sums(issues, history_events, history)
    assert metrics.categories == categories
    assert metrics.totals == totals
