"""Jira Cloud cold and incremental sync: secgate against plain ``jira.search_issues``.

The fake Jira (tests/fakes) runs in Cloud mode in a process of its own with
20,000 issues in one fixVersion of a project with 10 versions and 30 ms
injected latency per request. secgate reads the source project-wide, as its
sync does (``JiraConnector.project_issues``: no fixVersion clause; here the
same 20,000 issues); plain ``jira`` asks for the one version. Each
client runs in a fresh process too, so peak memory (max RSS) is its own and the
server's CPU does not share a GIL with the client.

    .venv/bin/python benchmarks/bench_jira_sync.py [--issues 20000] [--latency 0.03]
        [--runs 3] [--baseline-runs 1] [--concurrency 16] [--flavor cloud|datacenter]

``--flavor datacenter`` runs the same against the fake in Data Center mode
(``/rest/api/2/search`` with ``startAt`` pages, a personal access token).

Targets (exit 1 when missed, issue 18): secgate's cold sync at least 8x (Cloud)
or 5x (Data Center) faster than
``jira.search_issues(jql, maxResults=False)`` with the library's defaults, an
incremental read with nothing changed in at most 2 requests (the trust check
and the search), ``secgate sync --product`` over the 10 releases with nothing
changed in at most 3 (the release list too; its request log is printed), and
peak RSS under 150 MB both for the connector's sync and for ``secgate sync``
(config, store and sync service included; skip that one with --no-cli).
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

EMAIL = "release.bot@example.com"
TOKEN = "jira-bench-token-0123456789"
PROJECT = "IPC"
RELEASE = "5.0"
JQL = f'project = "{PROJECT}" AND fixVersion = "{RELEASE}"'
SEVERITY_FIELD = "customfield_10050"
#: Issue 18: peak RSS of the syncing process.
RSS_TARGET_MB = 150


def serve(conn: Connection, issues: int, latency: float, flavor: str = "cloud") -> None:
    """The fake Jira, seeded; answers 'count', 'reset' and 'stop' over the pipe."""
    from tests.fakes.jira_server import FakeJira

    fake = FakeJira(flavor, email=EMAIL, token=TOKEN)
    state = fake.state
    state.add_project(PROJECT, "Infusion Pump Controller")
    state.add_version(PROJECT, "4.0", released=True)
    state.add_version(PROJECT, RELEASE)
    for n in range(8):  # ten versions in all; one holds every issue
        state.add_version(PROJECT, f"6.{n}")
    old = datetime.now(UTC) - timedelta(days=3)
    resolutions = ["Fixed", "Duplicate", "Cannot Reproduce", "Done"]
    for n in range(issues):
        closed = n % 4 != 0
        issue = state.add_issue(
            PROJECT,
            f"Finding {n}: input validation in module {n % 97}",
            description=f"Found by fuzzing run {n}.\n\nSteps to reproduce: send frame {n}.",
            labels=["security", "sec-defect" if n % 2 else "sec-implementation"],
            components=[f"module-{n % 7}"],
            fix_versions=[RELEASE],
            versions=["4.0"] if n % 5 == 0 else [],
            status="Done" if closed else "In Progress",
            resolution=resolutions[n % 4] if closed else None,
            severity=("Low", "Medium", "High")[n % 3],
            assignee="bot" if n % 2 else None,
            created=old,
            updated=old,
        )
        if n % 1000 == 1:
            issue.comments.append(state_comment(state, f"Risk acceptance: reviewed in RA-{n}", old))
    # Render once up front what each client will ask for (every field for the
    # plain library, the gate's fields for secgate), so the fake's own CPU is
    # not what the benchmark measures.
    from connectors.jira.mapping import IssueMapper

    wanted = IssueMapper(source="jira", severity_field=SEVERITY_FIELD).fields()
    # secgate asks for comments only where a justification is missing.
    asked = [name for name in wanted if name != "comment"]
    with state.lock:
        for issue in state.issues.values():
            fake.render.issue(issue, None, "2")
            fake.render.issue(issue, asked, "3" if flavor == "cloud" else "2")
    fake.latency = latency
    fake.start()
    conn.send(fake.url)
    while True:
        command = conn.recv()
        if command == "count":
            conn.send(fake.request_count)
        elif command == "log":
            conn.send(dict(fake.counts))
        elif command == "reset":
            fake.reset_counts()
            conn.send(True)
        else:
            fake.stop()
            conn.send(True)
            return


def state_comment(state: Any, body: str, when: datetime) -> Any:
    from tests.fakes.jira_state import FakeComment

    return FakeComment(next(state._comment_ids), body, state.user.account_id, when, when)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_plain(conn: Connection, url: str, flavor: str = "cloud") -> None:
    """What a script would write: the library's defaults, every field."""
    from jira import JIRA

    started, cpu = time.perf_counter(), cpu_seconds()
    if flavor == "cloud":
        client = JIRA(server=url, basic_auth=(EMAIL, TOKEN))
    else:  # Data Center: a personal access token
        client = JIRA(server=url, token_auth=TOKEN)
    found = client.search_issues(JQL, maxResults=False)
    seconds = time.perf_counter() - started
    conn.send(
        {
            "seconds": seconds,
            "cpu": cpu_seconds() - cpu,
            "issues": len(found),
            "rss_mb": peak_rss_mb(),
        }
    )


def settings_of(url: str, concurrency: int, flavor: str) -> Any:
    from connectors.jira import JiraSettings

    return JiraSettings(
        kind="jira",
        url=url,
        user=EMAIL if flavor == "cloud" else None,
        token_env="BENCH",
        concurrency=concurrency,
        severity_field=SEVERITY_FIELD,
    )


def run_secgate(conn: Connection, url: str, concurrency: int, flavor: str = "cloud") -> None:
    """secgate's connector: a cold full sync, then a fresh process-like incremental one."""
    from connectors.base import SourceScope
    from connectors.jira import JiraConnector

    settings = settings_of(url, concurrency, flavor)
    scope = SourceScope(tracker="jira", project=PROJECT)
    synced_at = datetime.now(UTC)
    started, cpu = time.perf_counter(), cpu_seconds()
    issues = JiraConnector("jira", settings, TOKEN).project_issues(scope)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    conn.send({"seconds": seconds, "cpu": cpu, "issues": len(issues), "rss_mb": peak_rss_mb()})
    conn.recv()  # the parent reset the server's counter
    started, cpu = time.perf_counter(), cpu_seconds()
    fresh = JiraConnector("jira", settings, TOKEN)  # a new process would connect again
    changed = fresh.project_issues(scope, since=synced_at)
    seconds = time.perf_counter() - started
    conn.send({"seconds": seconds, "cpu": cpu_seconds() - cpu, "issues": len(changed)})


def run_cli(conn: Connection, url: str, concurrency: int, flavor: str = "cloud") -> None:
    """`secgate sync` itself (config, store, sync service), in a process of its own."""
    import subprocess
    import tempfile

    import tomli_w

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "secgate.toml"
        tracker = {
            "kind": "jira",
            "url": url,
            "token_env": "BENCH_JIRA_TOKEN",
            "concurrency": concurrency,
            "severity_field": SEVERITY_FIELD,
        }
        if flavor == "cloud":
            tracker["user"] = EMAIL
        product = {
            "name": "Infusion Pump Controller",
            "review_interval_days": 365,
            "security_labels": ["security"],
            "sources": [{"tracker": "jira", "project": PROJECT}],
            "categories": {
                "implementation": {"labels": ["sec-implementation"]},
                "defect-management": {"labels": ["sec-defect"]},
            },
        }
        config.write_text(
            tomli_w.dumps({"trackers": {"jira": tracker}, "products": {"ipc": product}}),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
        env["BENCH_JIRA_TOKEN"] = TOKEN
        command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(config)]
        command += ["--data-dir", str(Path(tmp) / "data"), "sync", "--product", "ipc"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - started
        # This process's only child so far was the CLI: its peak RSS is the CLI's.
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        conn.send(
            {"seconds": seconds, "rss_mb": rss, "ok": done.returncode == 0, "out": done.stdout}
        )
        conn.recv()  # the parent reset the server's counter
        # Nothing changed, the release list older than its time to live: read again.
        import sqlite3

        with sqlite3.connect(Path(tmp) / "data" / "secgate.sqlite3") as db:
            db.execute("UPDATE source_releases SET read_at = '2000-01-01T00:00:00+00:00'")
        again = subprocess.run(command, capture_output=True, text=True, env=env)
        conn.send({"ok": again.returncode == 0, "out": again.stdout})


def in_child(target: Any, *args: Any) -> tuple[Any, Connection]:
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=target, args=(child, *args))
    process.start()
    return process, parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--flavor",
        choices=("cloud", "datacenter"),
        default="cloud",
        help="Jira Cloud (search/jql + bulkfetch) or Data Center (startAt pages)",
    )
    parser.add_argument(
        "--no-cli", action="store_true", help="skip timing `secgate sync` (store included)"
    )
    args = parser.parse_args()

    target = 8 if args.flavor == "cloud" else 5
    load_before = os.getloadavg()[0]
    server, control = in_child(serve, args.issues, args.latency, args.flavor)
    url = control.recv()

    def ask(command: str) -> Any:
        control.send(command)
        return control.recv()

    try:
        plain: list[dict[str, Any]] = []
        for _ in range(args.baseline_runs):
            ask("reset")
            process, pipe = in_child(run_plain, url, args.flavor)
            result = pipe.recv()
            result["requests"] = ask("count")
            process.join()
            plain.append(result)
        cold: list[dict[str, Any]] = []
        warm: list[dict[str, Any]] = []
        for _ in range(args.runs):
            ask("reset")
            process, pipe = in_child(run_secgate, url, args.concurrency, args.flavor)
            result = pipe.recv()
            result["requests"] = ask("count")
            cold.append(result)
            ask("reset")
            pipe.send("go")
            result = pipe.recv()
            result["requests"] = ask("count")
            warm.append(result)
            process.join()
        cli: dict[str, Any] | None = None
        cli_log: dict[str, int] = {}
        if not args.no_cli:
            process, pipe = in_child(run_cli, url, args.concurrency, args.flavor)
            cli = pipe.recv()
            ask("reset")
            pipe.send("go")
            cli_again = pipe.recv()
            cli_log = ask("log")
            cli["ok"] = cli["ok"] and cli_again["ok"] and "incremental" in cli_again["out"]
            process.join()
    finally:
        ask("stop")
        server.join()

    def median(rows: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(row[key] for row in rows))

    base_s, cold_s = median(plain, "seconds"), median(cold, "seconds")
    speedup = base_s / cold_s
    incremental_requests = max(int(row["requests"]) for row in warm)
    rss = max(row["rss_mb"] for row in cold)
    name = "Jira Cloud" if args.flavor == "cloud" else "Jira Data Center"
    print(f"{name} fake, {args.issues} issues in scope, {args.latency * 1000:.0f} ms latency")
    print(
        f"{'client':<52} {'wall s':>7} {'CPU s':>6} {'requests':>9} {'issues':>7} "
        f"{'peak RSS MB':>12}"
    )
    rows = [
        ("plain jira.search_issues(jql, maxResults=False)", plain),
        (f"secgate cold sync (concurrency {args.concurrency})", cold),
        ("secgate incremental, nothing changed", warm),
    ]
    for label, data in rows:
        rss_text = f"{median(data, 'rss_mb'):12.0f}" if "rss_mb" in data[0] else f"{'-':>12}"
        print(
            f"{label:<52} {median(data, 'seconds'):7.2f} {median(data, 'cpu'):6.2f} "
            f"{median(data, 'requests'):9.0f} "
            f"{median(data, 'issues'):7.0f} {rss_text}"
        )
    if cli is not None:
        print(
            f"{'secgate sync CLI (store included), one run':<52} {cli['seconds']:7.2f} "
            f"{'-':>6} {'-':>9} {'-':>7} {cli['rss_mb']:12.0f}"
        )
        if not cli["ok"]:
            print(f"secgate sync failed:\n{cli['out']}")
    print(f"runs: baseline {args.baseline_runs}, secgate {args.runs} (medians)")
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs (others' work slows both)")
    print(f"load average at the start: {load_before:.1f}")
    print(f"cold sync speed-up: {speedup:.1f}x (target >= {target}x)")
    print(f"incremental requests: {incremental_requests} (target <= 2)")
    cli_requests = sum(cli_log.values())
    if cli is not None:
        print(
            f"secgate sync --product ipc (10 releases), nothing changed, new process: "
            f"{cli_requests} request(s) (target <= 3):"
        )
        for request, count in sorted(cli_log.items()):
            print(f"  {count} x {request}")
    print(f"secgate sync peak RSS: {rss:.0f} MB (target < {RSS_TARGET_MB} MB)")
    if cli is not None:
        print(f"secgate sync (CLI) peak RSS: {cli['rss_mb']:.0f} MB (target < {RSS_TARGET_MB} MB)")
        rss = max(rss, cli["rss_mb"] if cli["ok"] else 10**6)
    ok = speedup >= target and incremental_requests <= 2 and rss < RSS_TARGET_MB
    ok = ok and (cli is None or cli_requests <= 3)
    if not all(row["issues"] == args.issues for row in cold + plain):
        print("MISMATCH: not every client saw every issue")
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
