"""Review figures over 50,000 issues in the period (issue #18).

Target: the review figures, review_metrics() and review_trends() (the 24 months of
trends), under 2 seconds together.

    .venv/bin/python benchmarks/bench_review.py [--count 50000] [--runs 5]

50,000 generated security issues, all created or closed inside the review
period (a year), six categories and four severities, 70 % closed with every
disposition, 30 % affecting a released version, each with its open/close state
events (8 % reopened once). Generation and loading (the way the store loads
issues) are not timed; review_metrics() is timed on its own, with and without
the events.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from secgate_tui.domain import Category, CategoryRule, Classification, Disposition, Issue
from secgate_tui.domain.model import EventState, StateEvent
from secgate_tui.domain.review_metrics import ReviewMetrics, review_metrics
from secgate_tui.domain.review_trends import ReviewTrends, review_trends

LABELS = [
    "sec-test-finding",
    "sec-requirement",
    "sec-design",
    "sec-implementation",
    "sec-verification",
    "sec-defect",
]
END = datetime(2026, 11, 22, 12, tzinfo=UTC)
START = END - timedelta(days=365)
RELEASED: dict[str, date | datetime | None] = {
    "1.0": date(2025, 3, 1),
    "1.1": date(2025, 9, 1),
    "2.0": datetime(2026, 4, 1, 9, tzinfo=UTC),
    "2.1": None,
    "3.0": date(2027, 1, 1),  # after the period: not deployed yet
}


def generate(count: int, seed: int = 41_6) -> tuple[list[Issue], list[StateEvent]]:
    rng = random.Random(seed)
    dispositions = list(Disposition)
    issues: list[Issue] = []
    events: list[StateEvent] = []
    for n in range(count):
        key = f"IPC-{n}"
        created = END - timedelta(seconds=rng.randint(3600, 360 * 86400))
        closed = rng.random() < 0.7
        closed_at = None
        if closed:
            closed_at = min(END, created + timedelta(seconds=rng.randint(600, 120 * 86400)))
        affects = (rng.choice(list(RELEASED)),) if rng.random() < 0.3 else ()
        issue = Issue(
            source=rng.choice(["jira", "gitlab"]),
            key=key,
            title=f"Security issue {n} in the dose calculation module",
            type=rng.choice(["Bug", "Story", "Vulnerability"]),
            status="Done" if closed else "Open",
            closed=closed,
            closed_at=closed_at if n % 50 else None,  # 2 % closed without a date
            disposition=rng.choice(dispositions) if closed else Disposition.UNKNOWN,
            labels=("security", rng.choice(LABELS)),
            affects_versions=affects,
            fix_versions=(rng.choice(list(RELEASED)),) if closed else (),
            severity=rng.choice(["Critical", "High", "Medium", None]),
            created=created,
            updated=closed_at or created,
            justification="accepted by the risk board" if rng.random() < 0.5 else None,
        )
        issues.append(issue)
        events.append(StateEvent(source=issue.source, key=key, at=created, state=EventState.OPENED))
        if closed_at is not None:
            if rng.random() < 0.08:
                first = created + (closed_at - created) / 3
                again = created + (closed_at - created) / 2
                events.append(
                    StateEvent(source=issue.source, key=key, at=first, state=EventState.CLOSED)
                )
                events.append(
                    StateEvent(source=issue.source, key=key, at=again, state=EventState.REOPENED)
                )
            events.append(
                StateEvent(source=issue.source, key=key, at=closed_at, state=EventState.CLOSED)
            )
    rng.shuffle(events)
    return issues, events


def run(
    issues: list[Issue], events: list[StateEvent] | None, policy: Classification
) -> tuple[ReviewMetrics, ReviewTrends]:
    metrics = review_metrics(
        issues, policy, period_start=START, now=END, released=RELEASED, events=events
    )
    return metrics, review_trends(issues, policy, now=END)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    policy = Classification(
        rules={c: CategoryRule(labels=(label,)) for c, label in zip(Category, LABELS, strict=True)},
        security_labels=("security",),
    )
    started = time.perf_counter()
    generated, events = generate(args.count)
    issues = [Issue.from_canonical_json(i.canonical_json()) for i in generated]
    del generated
    print(
        f"generated and loaded {len(issues):,} issues, {len(events):,} state events in "
        f"{time.perf_counter() - started:.2f} s (not timed); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for label, history in (("with events", events), ("without events", None)):
        timings, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            metrics, trends = run(issues, history, policy)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(
            f"review_metrics() + review_trends() {label}: wall best {min(timings):.3f} s, median "
            f"{statistics.median(timings):.3f} s; CPU best {min(cpu):.3f} s "
            f"(target < 2 s); {metrics.totals.opened:,} opened, {metrics.totals.closed:,} "
            f"closed, {len(metrics.not_fixed):,} not fixed, {len(metrics.reopened):,} "
            f"reopened, {metrics.deployed.count:,} deployed defects; "
            f"{sum(m.opened for m in trends.months):,} opened in the 24 months"
        )
    timings, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        review_trends(issues, policy, now=END)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(
        f"review_trends() alone: wall best {min(timings):.3f} s, median "
        f"{statistics.median(timings):.3f} s; CPU best {min(cpu):.3f} s"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole process: {rss_mb:.0f} MB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
