"""Pytest fixtures for the real Redmine: one server per test session, reset per test.

The server is a process-wide singleton (started on first use, stopped at
exit) because tests/contract/conftest.py only collects ``*_harness`` fixtures;
tests in tests/connectors import ``redmine_server`` from here. Resetting is a
SQLite backup of the pristine seeded file (~20 ms), so each harness starts
from the seed (see seed.rb for what it holds: ids are stable).
"""

from __future__ import annotations

import atexit
import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests

from connectors.base import SourceScope
from connectors.redmine import RedmineConnector, RedmineSettings
from tests.redmine.proxy import FaultProxy
from tests.redmine.server import RedmineServer

PROJECT = "secgate-a"
#: Seeded issues of project secgate-a (ids are stable after every reset).
SEEDED = {"#1": "2.0", "#2": "2.0", "#3": "2.0", "#4": "2.0", "#5": "2.0", "#6": "1.0", "#7": "3.0"}
CLOSED_STATUS = 5  # Redmine's stock "Closed"

_running: list[tuple[RedmineServer, FaultProxy]] = []


def shared_server() -> tuple[RedmineServer, FaultProxy]:
    """The session's Redmine and its fault proxy; raises (never skips) if it cannot start."""
    if not _running:
        server = RedmineServer()
        server.start()  # RedmineUnavailable propagates: the run fails loudly
        proxy = FaultProxy(server.port)
        atexit.register(server.stop)
        atexit.register(proxy.stop)
        _running.append((server, proxy))
    return _running[0]


def connector_settings(url: str, **overrides: Any) -> RedmineSettings:
    """The settings of the tests' tracker; quick retries so fault tests stay fast."""
    values: dict[str, Any] = {
        "kind": "redmine",
        "url": url,
        "token_env": "SECGATE_REDMINE_TOKEN",
        "disposition_field": "Resolution",
        "justification_field": "Justification",
        "affects_version_field": "Affects version",
        "severity_field": "Severity",
        "retries": 1,
        "timeout_seconds": 20,
        "concurrency": 4,
    }
    values.update(overrides)
    return RedmineSettings.model_validate(values)


class Admin:
    """Tracker-side levers with the admin key, straight over HTTP (not the connector)."""

    def __init__(self, server: RedmineServer) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["X-Redmine-API-Key"] = server.admin_key

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.session.request(method, self.server.url + path, json=body, timeout=60)
        answer.raise_for_status()
        return answer.json() if answer.content.strip() else None

    def version_id(self, name: str, project: str = PROJECT) -> int:
        versions = self.call("GET", f"/projects/{project}/versions.json")["versions"]
        return next(int(v["id"]) for v in versions if v["name"] == name)

    def allow_labels(self, labels: Sequence[str]) -> None:
        """Add values to the Labels list field (custom fields have no REST API for writes)."""
        rows = self.server.sql("SELECT possible_values FROM custom_fields WHERE name='Labels'")
        known = str(rows[0][0])
        missing = [label for label in labels if f"- {label}\n" not in known]
        if missing:
            known += "".join(f"- {label}\n" for label in missing)
            self.server.sql("UPDATE custom_fields SET possible_values=? WHERE name='Labels'", known)

    def add_custom_field(
        self,
        name: str,
        field_format: str,
        *,
        multiple: bool = False,
        possible_values: Sequence[str] = (),
    ) -> int:
        """A new issue custom field for every tracker (custom fields have no REST API for
        writes); gone again at the next reset. Returns its id."""
        listed = "---\n" + "".join(f"- {value}\n" for value in possible_values)
        self.server.sql(
            "INSERT INTO custom_fields (type, name, field_format, possible_values, regexp, "
            "is_required, is_for_all, is_filter, position, searchable, editable, visible, "
            "multiple) VALUES ('IssueCustomField', ?, ?, ?, '', 0, 1, 1, "
            "(SELECT MAX(position) + 1 FROM custom_fields), 0, 1, 1, ?)",
            name,
            field_format,
            listed if possible_values else None,
            int(multiple),
        )
        field_id = int(
            str(self.server.sql("SELECT id FROM custom_fields WHERE name=?", name)[0][0])
        )
        for (tracker,) in self.server.sql("SELECT id FROM trackers"):
            self.server.sql(
                "INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)",
                field_id,
                tracker,
            )
        return field_id

    def issue(self, key: str, **fields: Any) -> None:
        self.call("PUT", f"/issues/{key.lstrip('#')}.json", {"issue": fields})


class RedmineHarness:
    """The contract suite's view of the real Redmine (protocol in tests/contract/harness.py)."""

    name = "redmine"
    release = "2.0"
    other_release = "3.0"
    empty_release = "2.1"
    comment_key = "#1"
    project = PROJECT
    faults = frozenset({"unavailable", "html", "rate_limited", "lost_response"})

    def __init__(self, server: RedmineServer, proxy: FaultProxy) -> None:
        self.server = server
        self.proxy = proxy
        self.admin = Admin(server)
        self.scope = SourceScope(tracker="redmine", project=PROJECT, release="{release}")
        # Through the proxy, so faults can be switched on; as alice (a project member).
        self.connector = RedmineConnector(
            "redmine", connector_settings(proxy.url), server.alice_key
        )

    def add_issue(
        self,
        title: str,
        *,
        release: str,
        labels: Sequence[str] = ("security", "sec-defect"),
        closed: bool = False,
    ) -> str:
        self.admin.allow_labels(labels)
        created = self.admin.call(
            "POST",
            "/issues.json",
            {
                "issue": {
                    "project_id": PROJECT,
                    "subject": title,
                    "fixed_version_id": self.admin.version_id(release),
                    "custom_fields": [{"id": 1, "value": list(labels)}],
                }
            },
        )
        key = f"#{created['issue']['id']}"
        if closed:  # stock workflows ignore status_id on create
            self.admin.issue(key, status_id=CLOSED_STATUS)
        return key

    def rename(self, key: str, title: str) -> None:
        self.admin.issue(key, subject=title)

    def move_out(self, key: str) -> None:
        self.admin.issue(key, fixed_version_id=self.admin.version_id(self.other_release))

    def bad_auth_connector(self) -> RedmineConnector:
        return RedmineConnector(
            "redmine", connector_settings(self.proxy.url), secrets.token_hex(20)
        )

    def fault(self, kind: str) -> AbstractContextManager[None]:
        if kind not in self.faults:
            raise ValueError(f"the Redmine harness cannot simulate {kind!r}")
        return self.proxy.inject(kind)


@pytest.fixture(scope="session")
def redmine_server() -> RedmineServer:
    return shared_server()[0]


@pytest.fixture
def redmine_harness() -> Iterator[RedmineHarness]:
    server, proxy = shared_server()
    server.reset()
    harness = RedmineHarness(server, proxy)
    yield harness
    proxy.fault = None
    proxy.fail_next = 0
    proxy.after = None
    proxy.before = None
    harness.connector.close()
