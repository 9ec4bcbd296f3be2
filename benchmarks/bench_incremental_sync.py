"""Requests of `secgate sync --product P` over 10 releases, per tracker, with the request log.

Each tracker serves one project with 10 versions / milestones; `secgate sync
--product ipc` runs as a new process each time (so the identity or trust check
is paid every time, as in CI):

1. cold: the first sync (full: the release list, then every issue of the project);
2. nothing changed, release list older than its time to live (read again);
3. nothing changed, release list still fresh (what the next command in a minute sees);
4. one issue moved from one release to another (its details are read).

Trackers: the fake Jira Cloud and Data Center (tests/fakes, through the jira
library), the fake GitLab (through python-gitlab), and the real Redmine 5
(tests/redmine; requests recorded by a proxy on loopback; skip with
--no-redmine). Target (issue 18): at most 3 requests per source for 2 and 3.

    .venv/bin/python benchmarks/bench_incremental_sync.py [--issues 200] [--no-redmine]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.connectors.test_project_sync import (
    BUDGET,
    expire_release_lists,
    gitlab_setup,
    jira_setup,
    log_lines,
    redmine_setup,
    sync,
)

Setup = Callable[[Path], tuple[dict[str, str], Callable[[], None], Callable[[], Counter[str]]]]


def measure(name: str, root: Path, env: dict[str, str], move: Callable[[], None], log: Any) -> bool:
    """Run the four syncs; print each one's requests; True when 2 and 3 keep the budget."""
    ok = True
    steps: list[tuple[str, Callable[[], None]]] = [
        ("cold (full)", lambda: None),
        ("nothing changed, release list re-read", lambda: expire_release_lists(root)),
        ("nothing changed, release list fresh", lambda: None),
        ("one issue moved between releases", move),
    ]
    print(f"\n== {name}")
    for number, (label, before) in enumerate(steps, start=1):
        before()
        log(reset=True)
        started = time.perf_counter()
        out = sync(root, env)
        seconds = time.perf_counter() - started
        counted: Counter[str] = log()
        mode = "incremental" if "incremental" in out else "full"
        total = sum(counted.values())
        print(f"{number}. {label}: {total} request(s), {mode}, {seconds:.2f} s (process included)")
        print(log_lines(counted))
        if number in (2, 3) and (total > BUDGET or mode != "incremental"):
            ok = False
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=200, help="issues per project")
    parser.add_argument("--no-redmine", action="store_true", help="skip the real Redmine")
    args = parser.parse_args()
    results: dict[str, bool] = {}

    from tests.fakes.gitlab_server import FakeGitLab
    from tests.fakes.jira_server import FakeJira

    for flavor in ("cloud", "datacenter"):
        with FakeJira(flavor) as fake, tempfile.TemporaryDirectory() as tmp:
            keys, env = jira_setup(fake, Path(tmp), scale=args.issues)

            def jira_log(reset: bool = False, fake: FakeJira = fake) -> Counter[str]:
                if reset:
                    fake.reset_counts()
                return Counter(fake.counts)

            def jira_move(fake: FakeJira = fake, key: str = keys["fixed"]) -> None:
                fake.state.update(key, fix_versions=["3.0"])

            results[f"Jira {flavor}"] = measure(
                f"Jira {flavor} (fake, jira library), 10 versions",
                Path(tmp),
                env,
                jira_move,
                jira_log,
            )

    gitlab = FakeGitLab().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            moving, env = gitlab_setup(gitlab, Path(tmp), per_release=max(1, args.issues // 10))

            def gitlab_log(reset: bool = False) -> Counter[str]:
                if reset:
                    gitlab.reset_counters()
                return Counter(gitlab.requests)

            results["GitLab"] = measure(
                "GitLab (fake, python-gitlab), 10 milestones",
                Path(tmp),
                env,
                lambda: gitlab.store.update_issue(moving, milestone="v1.5"),
                gitlab_log,
            )
    finally:
        gitlab.stop()

    if not args.no_redmine:
        from tests.redmine.fixtures import RedmineHarness, shared_server

        server, proxy = shared_server()
        server.reset()
        harness = RedmineHarness(server, proxy)
        recorded: Counter[str] = Counter()
        proxy.after = lambda method, path: recorded.update([f"{method} {path.split('?')[0]}"])
        with tempfile.TemporaryDirectory() as tmp:
            env = redmine_setup(harness, Path(tmp))

            def redmine_log(reset: bool = False) -> Counter[str]:
                if reset:
                    recorded.clear()
                return Counter(recorded)

            def redmine_move() -> None:
                harness.admin.issue("#1", fixed_version_id=harness.admin.version_id("3.0"))

            results["Redmine"] = measure(
                "Redmine 5 (real, python-redmine's HTTP), 10 versions",
                Path(tmp),
                env,
                redmine_move,
                redmine_log,
            )
        proxy.after = None

    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    for name, ok in results.items():
        print(f"{name}: {'PASS' if ok else 'FAIL'} (<= {BUDGET} requests, incremental)")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
