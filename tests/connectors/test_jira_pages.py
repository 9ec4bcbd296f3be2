"""Every Jira search page is checked against what Jira documents (issue 19, section 1).

Cloud's ``search/jql`` has no total: ``isLast`` and ``nextPageToken`` must agree,
and an empty answer is believed only when Jira's approximate count agrees. Data
Center pages must be the window asked for (``startAt``, ``maxResults``) and add
up to ``total``. A proxy answering ``{"issues": [], "isLast": true}`` for a
release that has issues once made `sync` wipe the store and exit 0; now the
source fails, `sync` exits 2, and the store keeps the last good data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import BadResponseError, SourceScope
from tests.connectors.test_jira_cli import secgate, write_config
from tests.fakes.jira_seed import PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as server:
        yield server


def totals(tmp_path: Path, fake: FakeJira) -> dict[str, int]:
    result = secgate(
        tmp_path,
        "status",
        "--product",
        "ipc",
        "--release",
        RELEASE,
        "--offline",
        "--json",
        token=fake.token,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    categories: dict[str, Any] = json.loads(result.stdout)["categories"]
    return {name: c["total"] for name, c in categories.items() if c["total"]}


def _empty_answer(fake: FakeJira) -> Any:
    """What a proxy that drops every issue would send, for this flavor's search."""
    if fake.cloud:
        return fake.fault("member", member="issues", value=[], path="search/jql")
    return fake.fault("member", member="issues", value=[], path="/search")


def test_an_empty_answer_fails_the_sync_and_keeps_the_store(fake: FakeJira, tmp_path: Path) -> None:
    keys = seed(fake)
    write_config(tmp_path / "secgate.toml", fake, keys)
    assert secgate(tmp_path, "sync", token=fake.token).returncode == 0
    before = totals(tmp_path, fake)
    assert before

    with _empty_answer(fake):
        result = secgate(tmp_path, "sync", "--full", token=fake.token)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert totals(tmp_path, fake) == before


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud") as server:
        seed(server)
        yield server


def test_cloud_empty_search_is_checked_against_jiras_count(cloud: FakeJira) -> None:
    connector = connector_for(cloud)
    with (
        cloud.fault("member", member="issues", value=[], path="search/jql"),
        pytest.raises(BadResponseError, match="counts about"),
    ):
        connector.issues(SCOPE, RELEASE)
    assert connector.issues(SCOPE, RELEASE)  # the real answer is believed again


@pytest.mark.parametrize(
    ("member", "value", "said"),
    [
        ("isLast", "yes", "'isLast'"),
        ("isLast", False, "no nextPageToken"),
        ("nextPageToken", "abc", "has a nextPageToken"),
    ],
)
def test_cloud_paging_members_must_agree(
    cloud: FakeJira, member: str, value: object, said: str
) -> None:
    connector = connector_for(cloud)
    with (
        cloud.fault("member", member=member, value=value, path="search/jql"),
        pytest.raises(BadResponseError, match=said),
    ):
        connector.issues(SCOPE, RELEASE)


@pytest.fixture
def datacenter() -> Iterator[FakeJira]:
    with FakeJira("datacenter") as server:
        seed(server)
        yield server


@pytest.mark.parametrize(
    ("member", "value", "said"),
    [
        ("startAt", 5, "'startAt' is 5"),
        ("issues", [], "where 'total'"),
    ],
)
def test_datacenter_pages_are_the_window_asked_for(
    datacenter: FakeJira, member: str, value: object, said: str
) -> None:
    connector = connector_for(datacenter)
    with (
        datacenter.fault("member", member=member, value=value, path="/search"),
        pytest.raises(BadResponseError, match=said),
    ):
        connector.issues(SCOPE, RELEASE)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_or_infinity_in_an_answer_is_not_trusted(cloud: FakeJira, value: float) -> None:
    connector = connector_for(cloud)
    # A member the mapping ignores: only the strict parse can refuse it.
    with cloud.fault("member", member="issues.expand", value="anything", path="bulkfetch"):
        assert connector.issues(SCOPE, RELEASE)
    with (
        cloud.fault("member", member="issues.expand", value=value, path="bulkfetch"),
        pytest.raises(BadResponseError, match="not JSON"),
    ):
        connector.issues(SCOPE, RELEASE)


def test_nan_in_an_answer_the_library_parses_is_not_trusted(cloud: FakeJira) -> None:
    connector = connector_for(cloud)
    assert connector.whoami().display_name  # connects; the library parses /myself itself
    with (
        cloud.fault("member", member="displayName", value=float("nan"), path="myself"),
        pytest.raises(BadResponseError, match="not JSON"),
    ):
        connector.whoami()
    with cloud.fault("member", member="displayName", value="NaN", path="myself"):
        assert connector.whoami().display_name == "NaN"  # the text "NaN" is fine
