"""A release's issue list is complete or an error: never a partial list taken as whole.

A missing issue can be an open finding, and an open finding left out of the
list is a release gate PASS. These tests make the fake Jira answer pages that
are malformed or that shift while they are read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.base import BadResponseError, SourceScope
from tests.fakes.jira_seed import OTHER_RELEASE, PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import DROP, FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)
DC_SEARCH = "GET /rest/api/2/search"
PAGE = 3  # the fake Data Center's page cap: 14 issues in scope make 5 pages


@pytest.fixture
def datacenter() -> Iterator[FakeJira]:
    with FakeJira("datacenter", dc_max_results=PAGE) as server:
        seed(server, scale=10)
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        seed(server)
        yield server


def in_scope(fake: FakeJira) -> list[str]:
    return fake.state.search(f'project = "{PROJECT}" AND fixVersion = "{RELEASE}" ORDER BY key')


def leave_on_later_pages(fake: FakeJira, times: int) -> tuple[list[str], list[str]]:
    """Move the first in-scope issue out of the release when a page past the
    first is asked for, ``times`` times: offsets shift under the reader.

    Returns the keys moved and the startAt of every search page asked for.
    """
    moved: list[str] = []
    starts: list[str] = []
    lock = threading.Lock()

    def hook(method: str, path: str, query: dict[str, list[str]]) -> None:
        if path != "/rest/api/2/search":
            return
        start = query.get("startAt", ["0"])[0]
        with lock:
            starts.append(start)
            if start != "0" and len(moved) < times:
                key = in_scope(fake)[0]
                fake.state.update(key, fix_versions=[OTHER_RELEASE])
                moved.append(key)

    fake.on_request = hook
    return moved, starts


def test_all_pages_are_read(datacenter: FakeJira) -> None:
    expected = in_scope(datacenter)
    assert len(expected) == 14
    found = connector_for(datacenter).issues(SCOPE, RELEASE)
    assert sorted(i.key for i in found) == sorted(expected)
    assert datacenter.counts[DC_SEARCH] == 5


def test_an_issue_leaving_mid_sync_is_read_again_not_skipped(datacenter: FakeJira) -> None:
    moved, starts = leave_on_later_pages(datacenter, times=1)
    found = connector_for(datacenter, concurrency=2).issues(SCOPE, RELEASE)
    assert len(moved) == 1
    # Without the count check, the issue that slid onto the page already read
    # would be missing here.
    assert sorted(i.key for i in found) == sorted(in_scope(datacenter))
    assert len(found) == 13
    assert starts.count("0") == 2 and len(starts) == 10  # the whole list, twice


def test_a_list_that_keeps_changing_is_an_error(datacenter: FakeJira) -> None:
    moved, starts = leave_on_later_pages(datacenter, times=99)
    with pytest.raises(BadResponseError) as caught:
        connector_for(datacenter, concurrency=2).issues(SCOPE, RELEASE)
    message = caught.value.message
    assert "changed while" in message and "retry" in message
    assert "'jira'" in message and "\n" not in message
    assert starts.count("0") == 2  # read twice, then given up
    assert len(moved) >= 2


@pytest.mark.parametrize(
    ("member", "value", "shown"),
    [
        ("total", DROP, "'total'"),
        ("total", "14", "'total'"),
        ("total", True, "'total'"),
        ("maxResults", "3", "'maxResults'"),
        ("maxResults", 0, "'maxResults'"),
        ("issues", DROP, "'issues'"),
        ("issues", {"0": {}}, "'issues'"),
    ],
)
def test_a_malformed_data_center_page_is_an_error(
    datacenter: FakeJira, member: str, value: Any, shown: str
) -> None:
    options = {"member": member, "value": value, "path": "/search"}
    with datacenter.fault("member", **options), pytest.raises(BadResponseError) as caught:
        connector_for(datacenter).issues(SCOPE, RELEASE)
    assert shown in caught.value.message and "Nothing was stored" in caught.value.message


def test_a_malformed_later_page_is_an_error(datacenter: FakeJira) -> None:
    def drop_later(method: str, path: str, query: dict[str, list[str]]) -> None:
        if path == "/rest/api/2/search" and query.get("startAt", ["0"])[0] == "6":
            datacenter.set_fault("member", member="total", path="/search", remaining=1)

    datacenter.on_request = drop_later
    with pytest.raises(BadResponseError) as caught:
        connector_for(datacenter, concurrency=1).issues(SCOPE, RELEASE)
    assert "'total'" in caught.value.message


@pytest.mark.parametrize(
    ("member", "value", "shown"),
    [
        ("issues", DROP, "'issues'"),
        ("issues", None, "'issues'"),
        ("issues", "none", "'issues'"),
        ("issues.id", DROP, "'id'"),
        ("issues.id", None, "'id'"),
        ("issues.id", "", "'id'"),
    ],
)
def test_a_malformed_cloud_id_page_is_an_error(
    cloud: FakeJira, member: str, value: Any, shown: str
) -> None:
    options = {"member": member, "value": value, "path": "/search/jql"}
    with cloud.fault("member", **options), pytest.raises(BadResponseError) as caught:
        connector_for(cloud).issues(SCOPE, RELEASE)
    assert shown in caught.value.message and "Nothing was stored" in caught.value.message


def test_an_empty_cloud_release_is_still_empty(cloud: FakeJira) -> None:
    assert connector_for(cloud).issues(SCOPE, "3.0") == []
