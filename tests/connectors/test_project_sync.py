"""One project-wide sync per source (issues 13 and 18), as a user runs `secgate sync`.

For each tracker: `sync --product ipc` over a product of 10 releases, then the
same with nothing changed, as a new process each time. The incremental one
makes at most three requests for the source (the identity or trust check,
the release list, one updated-since query), whatever the number of releases.
An issue moved from one release to another of the same source is seen in
both by one incremental sync. Requests are counted where they arrive: the
fakes' own counters, and a recording proxy in front of the real Redmine.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from secgate_tui.config import load_config
from secgate_tui.services.context import STORE_NAME
from secgate_tui.services.store import Store
from secgate_tui.services.sync import release_issues, stored_release
from tests.connectors.test_gitlab_cli import TOKEN as GITLAB_TOKEN
from tests.connectors.test_gitlab_cli import TOKEN_ENV as GITLAB_TOKEN_ENV
from tests.fakes.gitlab_server import FakeGitLab
from tests.fakes.jira_seed import PROJECT as JIRA_PROJECT
from tests.fakes.jira_seed import TOKEN_ENV as JIRA_TOKEN_ENV
from tests.fakes.jira_seed import seed as seed_jira
from tests.fakes.jira_server import FakeJira
from tests.redmine.fixtures import PROJECT as REDMINE_PROJECT
from tests.redmine.fixtures import RedmineHarness, connector_settings, redmine_harness

__all__ = ["redmine_harness"]

#: Requests per source for an incremental sync with nothing changed (issue 18).
BUDGET = 3
RELEASE_COUNT = 10
CATEGORIES = {
    "requirements": {"labels": ["sec-requirement"]},
    "security-by-design": {"labels": ["sec-design"]},
    "defect-management": {"labels": ["sec-defect"]},
}


def write_config(root: Path, tracker: dict[str, Any], source: dict[str, Any]) -> Path:
    config = {
        "trackers": {tracker["name"]: {k: v for k, v in tracker.items() if k != "name"}},
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "security_labels": ["security"],
                "sources": [{"tracker": tracker["name"], **source}],
                "categories": CATEGORIES,
            }
        },
    }
    path = root / "secgate.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def sync(root: Path, env: dict[str, str]) -> str:
    """`secgate sync --product ipc` as a new process; its output."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    command = [sys.executable, "-m", "secgate_tui.cli", "--config", str(root / "secgate.toml")]
    done = subprocess.run(
        [*command, "--data-dir", str(root / "data"), "sync", "--product", "ipc"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def selected(root: Path, release: str) -> set[str]:
    """The keys the store selects for a release (what the gate evaluates)."""
    config = load_config(root / "secgate.toml")
    store = Store(root / "data" / STORE_NAME)
    try:
        return {issue.key for issue in release_issues(config, store, "ipc", release)}
    finally:
        store.close()


def expire_release_lists(root: Path) -> None:
    """Age the stored release lists past their time to live: the next sync reads them."""
    with sqlite3.connect(root / "data" / STORE_NAME) as db:
        db.execute("UPDATE source_releases SET read_at = ?", ("2000-01-01T00:00:00+00:00",))


def log_lines(log: Counter[str]) -> str:
    return "\n".join(f"  {count} x {request}" for request, count in sorted(log.items()))


# -- Jira Cloud and Data Center (the fake, through the jira library) ----------------------


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as fake:
        yield fake


def jira_setup(
    fake: FakeJira, root: Path, *, scale: int = 0
) -> tuple[dict[str, str], dict[str, str]]:
    # Versions 1.0, 2.0, 3.0 and ``scale`` more issues in 2.0, last updated three days ago.
    keys = seed_jira(fake, scale=scale)
    for n in range(RELEASE_COUNT - 3):
        fake.state.add_version(JIRA_PROJECT, f"4.{n}")
    tracker: dict[str, Any] = {
        "name": "jira",
        "kind": "jira",
        "url": fake.url,
        "token_env": JIRA_TOKEN_ENV,
        "timeout_seconds": 5.0,
    }
    if fake.cloud:
        tracker["user"] = fake.email
    write_config(root, tracker, {"project": JIRA_PROJECT, "filter": "labels = security"})
    return keys, {JIRA_TOKEN_ENV: fake.token}


def test_jira_incremental_sync_of_ten_releases_costs_three_requests(
    jira: FakeJira, tmp_path: Path
) -> None:
    _, env = jira_setup(jira, tmp_path)
    first = sync(tmp_path, env)
    assert "full" in first
    expire_release_lists(tmp_path)
    jira.reset_counts()
    again = sync(tmp_path, env)
    log = Counter(jira.counts)
    print(f"Jira {jira.flavor}, nothing changed, 10 releases:\n{log_lines(log)}")
    assert "incremental" in again
    assert sum(log.values()) <= BUDGET, log_lines(log)
    assert log["GET /rest/api/2/serverInfo"] <= 1  # one trust check per process
    assert log[f"GET /rest/api/2/project/{JIRA_PROJECT}/versions"] == 1  # read, once


def test_jira_issue_moving_between_releases_is_seen_by_one_incremental_sync(
    jira: FakeJira, tmp_path: Path
) -> None:
    keys, env = jira_setup(jira, tmp_path)
    sync(tmp_path, env)
    assert keys["fixed"] in selected(tmp_path, "2.0")
    jira.state.update(keys["fixed"], fix_versions=["3.0"])
    assert "incremental" in sync(tmp_path, env)
    assert keys["fixed"] not in selected(tmp_path, "2.0")
    assert keys["fixed"] in selected(tmp_path, "3.0")


# -- GitLab (the fake, through python-gitlab) --------------------------------------------


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    server = FakeGitLab().start()
    yield server
    server.stop()


def gitlab_setup(
    fake: FakeGitLab, root: Path, *, per_release: int = 1
) -> tuple[Any, dict[str, str]]:
    store = fake.store
    user = store.add_user("release.bot", GITLAB_TOKEN)["id"]
    project = store.add_project("medical/pump")["id"]
    for n in range(RELEASE_COUNT):
        store.add_milestone(f"v1.{n}", project_id=project)
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="milliseconds")
    old = old.replace("+00:00", "Z")
    moving = None
    for n in range(RELEASE_COUNT * per_release):
        made = store.add_issue(
            project,
            f"Finding {n}",
            author_id=user,
            labels=["security", "sec-defect"],
            milestone=f"v1.{n % RELEASE_COUNT}",
            when=old,
        )
        moving = moving or made
    tracker = {
        "name": "gitlab",
        "kind": "gitlab",
        "url": fake.url,
        "token_env": GITLAB_TOKEN_ENV,
        "timeout_seconds": 5.0,
    }
    write_config(
        root, tracker, {"project": "medical/pump", "release": "v{release}", "filter": "security"}
    )
    return moving, {GITLAB_TOKEN_ENV: GITLAB_TOKEN}


def test_gitlab_incremental_sync_of_ten_releases_costs_three_requests(
    gitlab: FakeGitLab, tmp_path: Path
) -> None:
    _, env = gitlab_setup(gitlab, tmp_path)
    assert "full" in sync(tmp_path, env)
    expire_release_lists(tmp_path)
    gitlab.reset_counters()
    again = sync(tmp_path, env)
    log = Counter(gitlab.requests)
    print(f"GitLab, nothing changed, 10 releases:\n{log_lines(log)}")
    assert "incremental" in again
    assert sum(log.values()) <= BUDGET, log_lines(log)


def test_gitlab_issue_moving_between_milestones_is_seen_by_one_incremental_sync(
    gitlab: FakeGitLab, tmp_path: Path
) -> None:
    moving, env = gitlab_setup(gitlab, tmp_path)
    sync(tmp_path, env)
    key = str(moving["references"]["full"])
    assert key in selected(tmp_path, "1.0")
    gitlab.store.update_issue(moving, milestone="v1.5")
    assert "incremental" in sync(tmp_path, env)
    assert key not in selected(tmp_path, "1.0")
    assert key in selected(tmp_path, "1.5")


# -- Redmine (the real server, through a recording proxy) --------------------------------


def redmine_setup(harness: RedmineHarness, root: Path) -> dict[str, str]:
    admin, server, proxy = harness.admin, harness.server, harness.proxy
    for n in range(RELEASE_COUNT - 6):  # the seed has six versions
        admin.call(
            "POST",
            f"/projects/{REDMINE_PROJECT}/versions.json",
            {"version": {"name": f"4.{n}", "status": "open"}},
        )
    # Seeded moments ago: make them old, so "nothing changed" means it.
    server.sql("UPDATE issues SET updated_on = datetime('now', '-3 days')")
    settings = connector_settings(proxy.url).model_dump(exclude_unset=True)
    write_config(root, {"name": "redmine", **settings}, {"project": REDMINE_PROJECT})
    return {"SECGATE_REDMINE_TOKEN": server.alice_key}


@pytest.mark.redmine
def test_redmine_incremental_sync_and_a_moved_issue(
    redmine_harness: RedmineHarness, tmp_path: Path
) -> None:
    admin, proxy = redmine_harness.admin, redmine_harness.proxy
    env = redmine_setup(redmine_harness, tmp_path)
    assert "full" in sync(tmp_path, env)

    expire_release_lists(tmp_path)
    log: Counter[str] = Counter()
    proxy.after = lambda method, path: log.update([f"{method} {path.split('?')[0]}"])
    again = sync(tmp_path, env)
    print(f"Redmine, nothing changed, 10 releases:\n{log_lines(log)}")
    assert "incremental" in again
    assert sum(log.values()) <= BUDGET, log_lines(log)
    assert log["GET /users/current.json"] <= 1

    assert "#1" in selected(tmp_path, "2.0")
    admin.issue("#1", fixed_version_id=admin.version_id("3.0"))
    assert "incremental" in sync(tmp_path, env)
    assert "#1" not in selected(tmp_path, "2.0")
    assert "#1" in selected(tmp_path, "3.0")


# -- what the store keeps about releases ----------------------------------------------------


def test_released_flag_and_date_are_kept_for_others_to_read(jira: FakeJira, tmp_path: Path) -> None:
    _, env = jira_setup(jira, tmp_path)
    sync(tmp_path, env)
    config = load_config(tmp_path / "secgate.toml")
    store = Store(tmp_path / "data" / STORE_NAME)
    try:
        shipped = stored_release(config, store, "ipc", "1.0")
        upcoming = stored_release(config, store, "ipc", "2.0")
        assert stored_release(config, store, "ipc", "9.9") is None
    finally:
        store.close()
    assert shipped is not None and shipped.released and shipped.release_date is not None
    assert upcoming is not None and not upcoming.released
