"""The mapping piece of a cold sync's CPU floor: 20,000 tracker issues -> ``Issue``, in-process.

No network and no parsing: the fakes of ``tests/fakes`` render each issue as
the sync receives it (Jira Cloud's bulk-fetch JSON with the gate's fields,
GitLab's REST issue JSON), the JSON is decoded once, and then only the
connectors' ``IssueMapper`` is timed (CPU time, best of ``--runs``, with the
cyclic garbage collector paused as a connector's read pauses it). The digest
of the mapped issues' canonical JSON is printed, so two versions of the code
can be compared for identical output as well as for speed.

    .venv/bin/python benchmarks/bench_mapping.py [--issues 20000] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from secgate_tui.domain.model import Issue

Json = dict[str, Any]
SEVERITY_FIELD = "customfield_10050"
WHEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def jira_raws(count: int) -> list[Json]:
    from connectors.jira.mapping import IssueMapper
    from tests.fakes.jira_server import FakeJira

    fake = FakeJira("cloud", email="bench@example.com", token="bench")
    state = fake.state
    state.add_project("IPC", "Infusion Pump Controller")
    state.add_version("IPC", "4.0", released=True)
    state.add_version("IPC", "5.0")
    resolutions = ["Fixed", "Duplicate", "Cannot Reproduce", "Done"]
    for n in range(count):
        closed = n % 4 != 0
        state.add_issue(
            "IPC",
            f"Finding {n}: input validation in module {n % 97}",
            description=f"Found by fuzzing run {n}.",
            labels=["security", "sec-defect" if n % 2 else "sec-implementation"],
            components=[f"module-{n % 7}"],
            fix_versions=["5.0"],
            versions=["4.0"] if n % 5 == 0 else [],
            status="Done" if closed else "In Progress",
            resolution=resolutions[n % 4] if closed else None,
            severity=("Low", "Medium", "High")[n % 3],
            assignee="bot" if n % 2 else None,
            created=WHEN,
            updated=WHEN,
        )
    fields = IssueMapper(source="jira", severity_field=SEVERITY_FIELD).fields()
    asked = [name for name in fields if name != "comment"]
    rendered = [fake.render.issue(issue, asked, "3") for issue in state.issues.values()]
    return [json.loads(json.dumps(raw)) for raw in rendered]


def gitlab_raws(count: int) -> list[Json]:
    from tests.fakes.gitlab_server import FakeGitLab

    fake = FakeGitLab()
    store = fake.store
    user = store.add_user("release.bot", "bench")["id"]
    project = store.add_project("med/pump")["id"]
    store.add_milestone("v5.0", project_id=project)
    resolutions = ["resolution::fixed", "resolution::duplicate", "resolution::not-a-defect"]
    for n in range(count):
        labels = ["security", f"severity::{('low', 'medium', 'high')[n % 3]}", "sec-defect"]
        closed = n % 4 != 0
        if closed:
            labels.append(resolutions[n % 3])
        store.add_issue(
            project,
            f"Finding {n}: input validation in module {n % 97}",
            author_id=user,
            description=f"Found by fuzzing run {n}.",
            labels=labels,
            milestone="v5.0",
            closed=closed,
            assignee_id=user,
            when="2026-01-15T10:00:00.000Z",
        )
    raws = []
    for issue in store.issues.values():
        # A fixed host and fixed close times: the printed digest is the same every run.
        raw = json.loads(store.encoded(issue).decode().replace(fake.url, "https://gitlab.example"))
        if raw.get("closed_at"):
            raw["closed_at"] = raw["updated_at"] = "2026-02-01T10:00:00.000+01:00"
        raws.append(raw)
    return raws


def mappers(count: int) -> dict[str, tuple[list[Json], Callable[[Json, str], Issue]]]:
    from connectors.gitlab.mapping import IssueMapper as GitLabMapper
    from connectors.gitlab.settings import GitLabSettings
    from connectors.jira.mapping import IssueMapper as JiraMapper

    jira = JiraMapper(source="jira", base_url="https://jira.example", severity_field=SEVERITY_FIELD)
    table = jira.table()
    gitlab = GitLabMapper("gitlab", GitLabSettings(kind="gitlab", url="https://gitlab.example"))
    return {
        "jira": (jira_raws(count), lambda raw, digest: jira.issue(raw, digest, table)),
        "gitlab": (gitlab_raws(count), lambda raw, digest: gitlab.issue(raw, None, digest)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, (raws, convert) in mappers(args.issues).items():
        # Raw digests come from the page text in a sync; any fixed value will do here.
        digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(len(raws))]
        gc.disable()
        times = []
        issues: list[Issue] = []
        for _ in range(args.runs):
            start = time.process_time()
            issues = [convert(raw, digest) for raw, digest in zip(raws, digests, strict=True)]
            times.append(time.process_time() - start)
        gc.enable()
        output = hashlib.sha256(b"\n".join(i.model_dump_json().encode() for i in issues))
        print(
            f"{name}: {len(issues)} issues mapped, CPU best {min(times):.3f} s, "
            f"median {sorted(times)[len(times) // 2]:.3f} s; "
            f"output digest {output.hexdigest()[:16]}"
        )
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for raw, digest in zip(raws, digests, strict=True):
                convert(raw, digest)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
