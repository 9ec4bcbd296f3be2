"""Redmine sync against a REAL Redmine 5 with 5,000 issues in one version, same run:

- secgate's cold sync (RedmineConnector.issues: whoami, versions, concurrent pages, mapping),
- python-redmine's plain ``redmine.issue.filter(project_id=..., fixed_version_id=...,
  status_id="*")`` iteration,
- the bare fetches of the same pages with raw HTTP, one after another (bytes only),
- secgate's incremental sync with nothing changed (requests counted).

First with puma's single thread (what the tests run; SQLite prefers one writer),
then with two puma workers, which serve reads in parallel. Each client runs in a
fresh process so its peak RSS is its own.

    .venv/bin/python benchmarks/bench_redmine_sync.py [--issues 5000] [--repeat 1]

One repeat takes about 8 minutes on 2 busy cores: Redmine needs 1-2 s per page of 100.

Needs root once to install Redmine (tests/redmine/install.sh). Targets: cold sync
<= raw pages + 20 % on one thread; faster than plain python-redmine with two
workers; incremental nothing-changed = 1 request; peak RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECT = "secgate-bench"
VERSION = "bulk"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def client_secgate(url: str, key: str) -> dict[str, object]:
    from connectors.base import SourceScope
    from connectors.redmine import RedmineConnector, RedmineSettings

    settings = RedmineSettings(url=url, justification_field="Justification")
    connector = RedmineConnector("bench", settings, key)
    scope = SourceScope(tracker="bench", project=PROJECT)
    start = time.perf_counter()
    issues = connector.issues(scope, VERSION)
    cold = time.perf_counter() - start
    cold_requests = connector.client.requests_sent
    before = connector.client.requests_sent
    start = time.perf_counter()
    changed = connector.issues(scope, VERSION, since=datetime.now(UTC))
    incremental = time.perf_counter() - start
    return {
        "seconds": cold,
        "count": len(issues),
        "requests": cold_requests,
        "retries": connector.client.retries_made,
        "incremental_seconds": incremental,
        "incremental_requests": connector.client.requests_sent - before,
        "incremental_count": len(changed),
        "rss_mb": _rss_mb(),
    }


def client_python_redmine(url: str, key: str) -> dict[str, object]:
    from redminelib import Redmine

    redmine = Redmine(url, key=key)
    version = next(
        v for v in redmine.version.filter(project_id=PROJECT) if v.name == VERSION
    )  # not timed: the plain loop is what is measured
    start = time.perf_counter()
    count = 0
    for issue in redmine.issue.filter(
        project_id=PROJECT, fixed_version_id=version.id, status_id="*"
    ):
        count += 1 if issue.id else 0
    return {"seconds": time.perf_counter() - start, "count": count, "rss_mb": _rss_mb()}


def client_raw(url: str, key: str) -> dict[str, object]:
    import requests

    session = requests.Session()
    session.headers["X-Redmine-API-Key"] = key
    versions = session.get(f"{url}/projects/{PROJECT}/versions.json", timeout=60).json()
    version_id = next(v["id"] for v in versions["versions"] if v["name"] == VERSION)
    params = {"project_id": PROJECT, "fixed_version_id": version_id, "status_id": "*"}
    start = time.perf_counter()
    offset, total, pages, size = 0, None, 0, 0
    while total is None or offset < total:
        answer = session.get(
            f"{url}/issues.json", params={**params, "limit": 100, "offset": offset}, timeout=60
        )
        answer.raise_for_status()
        size += len(answer.content)
        if total is None:  # one look at the first page for the total, as any client must
            total = int(answer.json()["total_count"])
        offset += 100
        pages += 1
    return {
        "seconds": time.perf_counter() - start,
        "count": total,
        "requests": pages,
        "mbytes": size / 1e6,
        "rss_mb": _rss_mb(),
    }


CLIENTS = {"secgate": client_secgate, "python-redmine": client_python_redmine, "raw": client_raw}


def run_client(name: str, url: str, key: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--client", name, "--url", url, "--key", key],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"client {name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(server: object, label: str, repeat: int, clients: list[str]) -> dict[str, object]:
    url, key = server.url, server.alice_key  # type: ignore[attr-defined]
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in clients}
    for _ in range(repeat):
        for name in clients:  # interleaved, so drift hits every client alike
            runs[name].append(run_client(name, url, key))
    print(f"\n{label}  (median of {repeat}; server RSS {server.rss_mb():.0f} MB)")  # type: ignore[attr-defined]
    summary: dict[str, object] = {}
    for name, results in runs.items():
        seconds = statistics.median(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
        rss = max(float(r["rss_mb"]) for r in results)  # type: ignore[arg-type]
        first = results[0]
        extra = ""
        if "requests" in first:
            extra += f"  {first['requests']} requests"
        if name == "secgate":
            extra += f" ({first['retries']} retried)"
            extra += (
                f"; incremental nothing changed: {first['incremental_requests']} request, "
                f"{float(first['incremental_seconds']) * 1000:.0f} ms"  # type: ignore[arg-type]
            )
        runs_text = ", ".join(f"{float(r['seconds']):.1f}" for r in results)  # type: ignore[arg-type]
        print(
            f"  {name:15} {seconds:6.2f} s  {first['count']} issues  peak RSS {rss:5.0f} MB{extra}"
            f"\n  {'':15} runs: {runs_text} s"
        )
        summary[name] = {**first, "seconds": seconds, "rss_mb": rss}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--workers-only", action="store_true", help="only the two-worker comparison"
    )
    parser.add_argument("--client", choices=sorted(CLIENTS))
    parser.add_argument("--url")
    parser.add_argument("--key")
    args = parser.parse_args()
    if args.client:
        print(json.dumps(CLIENTS[args.client](args.url, args.key)))
        return

    from tests.redmine.server import RedmineServer

    start = time.perf_counter()
    with RedmineServer(bulk_issues=args.issues) as server:
        print(f"Redmine seeded with {args.issues} issues and started in "
              f"{time.perf_counter() - start:.1f} s at {server.url}")  # fmt: skip
        one = (
            measure(server, "puma, 1 thread", args.repeat, ["raw", "secgate", "python-redmine"])
            if not args.workers_only
            else None
        )
        server.restart(workers=2)
        # Two workers only matter to a client that asks concurrently: raw and
        # python-redmine fetch one page after another and gain nothing.
        two = measure(server, "puma, 2 workers", args.repeat, ["secgate", "python-redmine"])

    def s(result: dict[str, object], name: str) -> float:
        return float(result[name]["seconds"])  # type: ignore[index]

    print("\nTargets")
    if one is not None:
        ratio = s(one, "secgate") / s(one, "raw")
        print(f"  1 thread : secgate / raw pages = {ratio:.2f} (target <= 1.20)")
    print(f"  2 workers: secgate {s(two, 'secgate'):.2f} s vs python-redmine "
          f"{s(two, 'python-redmine'):.2f} s (target: faster)")  # fmt: skip
    incremental = two["secgate"]["incremental_requests"]  # type: ignore[index]
    print(f"  incremental, nothing changed: {incremental} request (target 1)")
    rss = max(float(r["secgate"]["rss_mb"]) for r in (one, two) if r)  # type: ignore[index]
    print(f"  secgate peak RSS: {rss:.0f} MB (target < 200)")


if __name__ == "__main__":
    main()
