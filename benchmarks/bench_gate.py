"""Gate evaluation over 100,000 generated issues (issue: foundation).

Target: evaluate() under 1 second, and the whole process under 400 MB peak RSS.

    .venv/bin/python benchmarks/bench_gate.py            # time + RSS of this process
    /usr/bin/time -v .venv/bin/python benchmarks/bench_gate.py --once

Generation of the issues is not timed (it stands for loading them from the
store); evaluate() is timed on its own, best and median of several runs.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from secgate_tui.domain import (
    Category,
    CategoryRule,
    Classification,
    Disposition,
    GatePolicy,
    Issue,
    SourceState,
    evaluate,
)
from secgate_tui.domain.anomalies import AnomalyPolicy

LABELS = [
    "sec-test-finding",
    "sec-requirement",
    "sec-design",
    "sec-implementation",
    "sec-verification",
    "sec-defect",
]
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def generate(count: int, seed: int = 81001) -> Iterator[Issue]:
    rng = random.Random(seed)
    dispositions = list(Disposition)
    for n in range(count):
        closed = rng.random() < 0.97
        disposition = rng.choice(dispositions) if closed else Disposition.UNKNOWN
        created = NOW - timedelta(days=rng.randint(1, 900))
        yield (
            Issue(
                source="jira",
                key=f"IPC-{n}",
                url=f"https://example.atlassian.net/browse/IPC-{n}",
                title=f"Security issue number {n} in the dose calculation module",
                type=rng.choice(["Bug", "Story", "Task", "Vulnerability"]),
                status="Done" if closed else "In Progress",
                closed=closed,
                resolution="Fixed" if closed else None,
                disposition=disposition,
                labels=("security", rng.choice(LABELS)),
                components=("firmware",),
                fix_versions=("2.2",),
                priority="P2",
                severity=rng.choice(["Critical", "High", "Medium", "Low"]),
                created=created,
                updated=created + timedelta(days=3),
                closed_at=created + timedelta(days=3) if closed else None,
                assignee="m.chen",
                justification="accepted by the risk board" if rng.random() < 0.5 else None,
                raw_digest="0" * 64,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--once", action="store_true", help="one run (for /usr/bin/time -v)")
    args = parser.parse_args()

    policy = GatePolicy(
        # What every configuration sets (the default justification per severity):
        # a closed "not a defect" or "duplicate" is then checked for one too.
        anomalies=AnomalyPolicy(),
        classification=Classification(
            rules={
                c: CategoryRule(labels=(label,)) for c, label in zip(Category, LABELS, strict=True)
            },
            security_labels=("security",),
        ),
    )
    sources = [SourceState(source="jira", project="IPC", synced_at=NOW)]
    started = time.perf_counter()
    # Every caller evaluates issues loaded from the store, which keeps each
    # issue's canonical JSON; load them the same way.
    issues = [Issue.from_canonical_json(i.canonical_json()) for i in generate(args.count)]
    print(
        f"generated and loaded {len(issues):,} issues in "
        f"{time.perf_counter() - started:.2f} s (not timed)"
    )

    timings, cpu = [], []
    verdict = None
    for _ in range(1 if args.once else args.runs):
        # One verdict alive at a time, as in a process that gates once: the
        # previous run's verdict is not part of the next one's memory.
        verdict = None
        started, started_cpu = time.perf_counter(), time.process_time()
        verdict = evaluate(issues, [], policy, NOW, sources)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert verdict is not None
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"evaluate(): wall best {min(timings):.3f} s, median {statistics.median(timings):.3f} s; "
        f"CPU best {min(cpu):.3f} s, over {len(timings)} run(s); verdict "
        f"{verdict.outcome.value}, {verdict.blocking_count:,} blocking"
    )
    print(f"peak RSS of the whole process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
