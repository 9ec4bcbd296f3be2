"""A small, known Jira project for tests and the contract harness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors.jira import JiraConnector, JiraSettings
from tests.fakes.jira_render import JUSTIFICATION_FIELD, SEVERITY_FIELD
from tests.fakes.jira_server import FakeJira

PROJECT = "IPC"
RELEASE = "2.0"
OTHER_RELEASE = "1.0"
EMPTY_RELEASE = "3.0"
TOKEN_ENV = "SECGATE_TEST_JIRA_TOKEN"


def seed(fake: FakeJira, *, scale: int = 0) -> dict[str, str]:
    """Project IPC with releases 1.0 (released), 2.0 and 3.0 (empty); returns named keys."""
    state = fake.state
    state.add_project(PROJECT, "Infusion Pump Controller")
    state.add_version(PROJECT, OTHER_RELEASE, released=True, release_date=date(2026, 1, 15))
    state.add_version(PROJECT, RELEASE)
    state.add_version(PROJECT, EMPTY_RELEASE)
    old = datetime.now(UTC) - timedelta(days=3)
    keys: dict[str, str] = {}

    def add(name: str, summary: str, **attrs: Any) -> None:
        attrs.setdefault("created", old)
        attrs.setdefault("updated", old)
        keys[name] = state.add_issue(PROJECT, summary, **attrs).key

    add("record", "Release records", issuetype="Task")
    add(
        "fixed",
        "Buffer overflow in bolus parser",
        fix_versions=[RELEASE],
        labels=["security", "sec-defect"],
        status="Done",
        resolution="Fixed",
        components=["firmware"],
        versions=[OTHER_RELEASE],
        priority="High",
        severity="Critical",
        assignee="rm",
    )
    add(
        "open",
        "TLS certificate pinning",
        fix_versions=[RELEASE],
        labels=["security", "sec-requirement"],
        status="In Progress",
        issuetype="Story",
    )
    add(
        "accepted",
        "Legacy serial console",
        fix_versions=[RELEASE],
        labels=["security", "sec-design"],
        status="Done",
        resolution="Risk Accepted",
        custom={JUSTIFICATION_FIELD: "Console needs physical access; see RA-7."},
    )
    add("untracked", "Unlabelled cleanup", fix_versions=[RELEASE], labels=[], status="To Do")
    add(
        "old",
        "Old finding",
        fix_versions=[OTHER_RELEASE],
        labels=["security"],
        status="Done",
        resolution="Fixed",
    )
    for n in range(scale):
        state.add_issue(
            PROJECT,
            f"Generated finding {n}",
            fix_versions=[RELEASE],
            labels=["security"],
            status="Done" if n % 3 else "To Do",
            resolution="Fixed" if n % 3 else None,
            created=old,
            updated=old,
        )
    return keys


def settings_for(fake: FakeJira, **overrides: Any) -> JiraSettings:
    values: dict[str, Any] = {
        "kind": "jira",
        "url": fake.url,
        "token_env": TOKEN_ENV,
        "severity_field": SEVERITY_FIELD,
        "timeout_seconds": 5.0,
        "retry_attempts": 3,
        "retry_max_seconds": 3.0,
    }
    if fake.cloud:
        values["user"] = fake.email
    values.update(overrides)
    return JiraSettings(**values)


def connector_for(
    fake: FakeJira, *, token: str | None = None, name: str = "jira", **overrides: Any
) -> JiraConnector:
    return JiraConnector(name, settings_for(fake, **overrides), token or fake.token)
