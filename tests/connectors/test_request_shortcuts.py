"""The cheaper request paths of a cold sync keep what the slower ones guaranteed.

A bounded session reads the proxy environment once per origin instead of once
per request, and Jira's bulk reads are prepared once and sent through the
session's adapter (issue 18). Proxies, ``no_proxy`` and a request's own proxies
must still apply to every request; Jira's bulk reads must still carry the
credential, be retried, refuse non-JSON numbers and follow a redirect on the
tracker itself. Real loopback servers throughout.
"""

from __future__ import annotations

import base64
import gc
import weakref
from collections.abc import Iterator

import pytest
import requests

from connectors.base import BadResponseError, SourceScope, TrackerSettings
from connectors.bounded import BoundedAdapter, Bounds, Limits
from connectors.jira.client import JiraClient
from connectors.jira.settings import JiraSettings
from tests.fakes.hostile_server import HostileServer
from tests.fakes.jira_seed import PROJECT, connector_for, seed
from tests.fakes.jira_server import FakeJira

#: Nothing listens here: a request that reaches it fails to connect.
NOWHERE = "http://127.0.0.1:9"
BULK = "/rest/api/3/issue/bulkfetch"


def bounded_session() -> requests.Session:
    session = requests.Session()
    settings = TrackerSettings(kind="t", url="http://127.0.0.1")
    BoundedAdapter(Bounds(Limits.of("t", "Test", settings))).mount_on(session)
    return session


def test_the_proxy_environment_applies_to_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with HostileServer("record") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        session = bounded_session()
        # Only the proxy can answer for a host that does not listen.
        for _ in range(3):
            assert session.get(f"{NOWHERE}/issues.json").json() == {}
        session.close()
    assert len(proxy.received) == 3


def test_no_proxy_and_a_requests_own_proxies_still_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", NOWHERE)  # a proxy that would fail every request
    with HostileServer("record") as tracker, HostileServer("record") as own:
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        session = bounded_session()
        for _ in range(2):
            assert session.get(f"{tracker.url}/issues.json").json() == {}
        assert len(tracker.received) == 2
        elsewhere = "http://tracker.invalid/issues.json"
        assert session.get(elsewhere, proxies={"http": own.url}).json() == {}
        assert len(own.received) == 1
        with pytest.raises(requests.ConnectionError):
            session.get(elsewhere)  # not in NO_PROXY: through the dead proxy
        session.close()


def test_a_finished_answer_is_not_kept_until_its_deadline() -> None:
    # Deadlines are queued for minutes; a sync's 200 answers (35 MB) must not be.
    with HostileServer("record") as server:
        session = bounded_session()
        answer = session.get(f"{server.url}/issues.json")
        assert answer.json() == {}
        kept = weakref.ref(answer)
        del answer
        gc.collect()
        session.close()
    assert kept() is None


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        seed(server)
        yield server


def test_bulk_reads_are_retried_and_authenticated(cloud: FakeJira) -> None:
    connector = connector_for(cloud)
    scope = SourceScope(tracker="jira", project=PROJECT)
    cloud.reset_counts()
    expected = connector.project_issues(scope)
    reads = cloud.counts[f"POST {BULK}"]
    cloud.reset_counts()
    with cloud.fault("unavailable", path="bulkfetch", remaining=1):
        assert connector_for(cloud).project_issues(scope) == expected
    assert cloud.counts[f"POST {BULK}"] == reads + 1  # the failed read, then its retry


@pytest.mark.parametrize("path", ["bulkfetch", "search/jql"])
def test_nan_in_a_page_of_a_cold_read_is_not_trusted(cloud: FakeJira, path: str) -> None:
    scope = SourceScope(tracker="jira", project=PROJECT)
    with (
        cloud.fault("member", member="extra", value=float("nan"), path=path),
        pytest.raises(BadResponseError, match="not JSON"),
    ):
        connector_for(cloud).project_issues(scope)


def test_a_bulk_read_redirected_on_the_tracker_itself_is_followed() -> None:
    with HostileServer("redirect") as server:
        settings = JiraSettings(kind="jira", url=server.url, flavor="cloud", user="bot@x.org")
        client = JiraClient("jira", settings, "tok-0123456789")
        body = client.read_posted(BULK, {"issueIdsOrKeys": ["1"]}, "reading issues")
        client.close()
    assert body == b"{}"  # what the server answers at the redirect's target
    basic = "Basic " + base64.b64encode(b"bot@x.org:tok-0123456789").decode()
    # The prepared read, the library's read that follows the redirect, and the target.
    assert [h.get("authorization") for h in server.received] == [basic, basic, basic]
