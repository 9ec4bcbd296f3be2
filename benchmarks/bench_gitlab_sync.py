"""GitLab cold and incremental sync: secgate against plain python-gitlab, same server, same run.

The fake GitLab (tests/fakes) runs in a process of its own with 20,000 issues
in one milestone and 30 ms injected latency per request; secgate reads the
project as its sync does (``project_issues``: every milestone, here the same
20,000 issues), python-gitlab the one milestone; each client runs in a
fresh process too, so peak memory (max RSS) is its own and the server's CPU
does not share a GIL with the client.

    .venv/bin/python benchmarks/bench_gitlab_sync.py [--issues 20000] [--latency 0.03]
        [--runs 3] [--baseline-runs 1] [--concurrency 16]

Targets (exit 1 when missed, issue 18): secgate's cold sync at least 20x faster
than ``project.issues.list(milestone=..., get_all=True)`` with python-gitlab's
defaults, peak RSS under 150 MB, and an incremental sync with nothing changed in
at most 2 requests. The load average is printed at the start and the end: the
ratio falls as the machine gets busier (secgate's time is mostly CPU, the
plain library's mostly round trips).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOKEN = "glpat-bench-0123456789"
PROJECT = "medical/pump"
MILESTONE = "v5.0"


def serve(conn: Connection, issues: int, latency: float) -> None:
    """The fake GitLab, seeded; answers 'count', 'reset' and 'stop' over the pipe."""
    from tests.fakes.gitlab_server import FakeGitLab

    fake = FakeGitLab()
    store = fake.store
    user = store.add_user("release.bot", TOKEN)["id"]
    project = store.add_project(PROJECT)["id"]
    store.add_milestone(MILESTONE, project_id=project)
    store.add_milestone("v4.0", project_id=project, state="closed")
    resolutions = ["resolution::fixed", "resolution::duplicate", "resolution::not-a-defect"]
    for n in range(issues):
        labels = ["security", f"severity::{('low', 'medium', 'high')[n % 3]}", "sec-defect"]
        closed = n % 4 != 0
        if closed:
            # 0.1 % residual items: each costs one notes request for its justification.
            labels.append("resolution::risk-accepted" if n % 1000 == 1 else resolutions[n % 3])
        issue = store.add_issue(
            project,
            f"Finding {n}: input validation in module {n % 97}",
            author_id=user,
            description=f"Found by fuzzing run {n}.\n\nSteps to reproduce: ...",
            labels=labels,
            milestone=MILESTONE,
            closed=closed,
            assignee_id=user,
            when="2026-01-15T10:00:00.000Z",  # a milestone's issues are mostly old
        )
        if n % 1000 == 1:
            store.add_note(issue, "Risk acceptance: mitigated by the watchdog.", author_id=user)
    for issue in store.issues.values():
        store.encoded(issue)  # GitLab's own query cost is not what is measured
    fake.latency = latency
    fake.start()
    conn.send(fake.url)
    while True:
        command = conn.recv()
        if command == "count":
            conn.send(fake.request_count)
        elif command == "reset":
            fake.reset_counters()
            conn.send(True)
        else:
            fake.stop()
            conn.send(True)
            return


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_client(conn: Connection, kind: str, url: str, concurrency: int) -> None:
    """One measurement in a fresh process: seconds, issues, max RSS (MB), CPU seconds."""
    # Imports are not what is measured: both clients pay them once per process.
    import gitlab

    from connectors.base import SourceScope
    from connectors.gitlab import GitLabConnector, GitLabSettings

    started, cpu = time.perf_counter(), cpu_seconds()
    if kind.startswith("python-gitlab"):
        gl = gitlab.Gitlab(url, private_token=TOKEN)
        project = gl.projects.get(PROJECT, lazy=True)
        extra: dict[str, Any] = {"per_page": 100} if kind.endswith("100") else {}
        found = len(project.issues.list(milestone=MILESTONE, get_all=True, **extra))
    else:
        settings = GitLabSettings(kind="gitlab", url=url, concurrency=concurrency)
        connector = GitLabConnector("gitlab", settings, TOKEN)
        scope = SourceScope(tracker="gitlab", project=PROJECT, release="v{release}")
        since = None
        if kind == "secgate-incremental":
            since = datetime.now(UTC) + timedelta(seconds=settings.sync_overlap_seconds + 5)
        # What secgate's sync reads: the whole project, no milestone parameter.
        found = len(connector.project_issues(scope, since=since))
        connector.close()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((elapsed, found, rss_mb, cpu))


def measure(
    server: Connection, kind: str, url: str, concurrency: int
) -> tuple[float, int, int, float, float]:
    server.send("reset")
    server.recv()
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(
        target=run_client, args=(child, kind, url, concurrency)
    )
    process.start()
    elapsed, found, rss, cpu = parent.recv()
    process.join()
    server.send("count")
    return elapsed, found, server.recv(), rss, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    server, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=serve, args=(child, args.issues, args.latency))
    process.start()
    url = server.recv()
    print(
        f"fake GitLab at {url}: {args.issues} issues in {MILESTONE}, "
        f"{args.latency * 1000:g} ms latency"
    )

    plan = [
        ("python-gitlab defaults (20/page)", "python-gitlab", args.baseline_runs),
        ("python-gitlab per_page=100", "python-gitlab-100", args.baseline_runs),
        (f"secgate cold sync ({args.concurrency} threads)", "secgate", args.runs),
        ("secgate incremental, nothing changed", "secgate-incremental", args.runs),
    ]
    results: dict[str, tuple[float, int, int, float]] = {}
    print(
        f"{'client':42} {'median s':>9} {'CPU s':>6} {'issues':>7} {'requests':>9} "
        f"{'max RSS MB':>11}"
    )
    for label, kind, runs in plan:
        samples = [measure(server, kind, url, args.concurrency) for _ in range(max(1, runs))]
        median = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[4] for s in samples)
        _, found, requests, rss, _ = samples[-1]
        results[kind] = (median, found, requests, rss)
        print(
            f"{label:42} {median:9.2f} {cpu:6.2f} {found:7d} {requests:9d} {rss:11.0f}",
            flush=True,
        )
    server.send("stop")
    server.recv()
    process.join()

    speedup = results["python-gitlab"][0] / results["secgate"][0]
    quiet_requests = results["secgate-incremental"][2]
    complete = results["secgate"][1] == results["python-gitlab"][1] == args.issues
    rss = results["secgate"][3]
    print(
        f"load average: {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
        f"on {os.cpu_count()} CPUs"
    )
    print(f"cold sync speed-up over python-gitlab defaults: {speedup:.1f}x (target >= 20x)")
    print(f"secgate cold sync peak RSS: {rss:.0f} MB (target < 150 MB)")
    print(f"incremental sync with nothing changed: {quiet_requests} requests (target <= 2)")
    print(f"every issue read by both: {complete}")
    ok = speedup >= 20 and rss < 150 and quiet_requests <= 2 and complete
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
