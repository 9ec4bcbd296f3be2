"""Every GitLab page is checked against GitLab's pagination headers (issue 19, section 1).

A proxy that answers ``[]`` while GitLab's ``X-Total: 102`` still passes
through once made a plain `sync` wipe the stored issues and exit 0. Now the
page is a bad response: the source fails, `sync` exits 2, and the store keeps
the last good data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import BadResponseError
from connectors.gitlab.pages import PagesChangedError, check_page, check_total
from tests.connectors.test_gitlab_cli import secgate, seed, write_config
from tests.contract.harness_gitlab import GitLabHarness, shared_server
from tests.fakes.gitlab_server import FakeGitLab


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    server = FakeGitLab().start()
    yield server
    server.stop()


def totals(tmp_path: Path) -> dict[str, int]:
    result = secgate(
        tmp_path, "status", "--product", "ipc", "--release", "1.0", "--offline", "--json"
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    categories: dict[str, Any] = json.loads(result.stdout)["categories"]
    return {name: c["total"] for name, c in categories.items() if c["total"]}


def test_an_empty_page_under_a_nonzero_total_fails_the_sync_and_keeps_the_store(
    fake: FakeGitLab, tmp_path: Path
) -> None:
    seed(fake)
    write_config(tmp_path / "secgate.toml", fake)
    assert secgate(tmp_path, "sync").returncode == 0
    before = totals(tmp_path)
    assert sum(before.values()) == 5

    fake.mangle_page = lambda path, items: [] if path.endswith("/issues") else items
    result = secgate(tmp_path, "sync", "--full")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "X-Total" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    fake.mangle_page = None
    assert totals(tmp_path) == before


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    yield harness
    harness.fake.mangle_page = None
    harness.connector.close()


def _only_first(path: str, items: list[bytes]) -> list[bytes]:
    return items[:1] if path.endswith("/issues") else items


@pytest.mark.parametrize(
    ("mangle", "said"),
    [
        (lambda path, items: [] if path.endswith("/issues") else items, "X-Total"),
        (_only_first, "X-Total"),
        (
            lambda path, items: (
                [items[0].replace(b'"state":"opened"', b'"state":"open"'), *items[1:]]
                if path.endswith("/issues") and items
                else items
            ),
            "state",
        ),
        (
            lambda path, items: (
                [items[0].replace(b'"iid":', b'"weight":NaN,"iid":'), *items[1:]]
                if path.endswith("/issues") and items
                else items
            ),
            "NaN",
        ),
    ],
    ids=["empty", "short", "not-an-issue", "nan"],
)
def test_a_page_that_breaks_the_rules_is_a_bad_response(
    gl: GitLabHarness, mangle: Any, said: str
) -> None:
    gl.fake.mangle_page = mangle
    with pytest.raises(BadResponseError) as info:
        gl.connector.issues(gl.scope, gl.release)
    assert said in info.value.message


def test_an_issue_of_another_milestone_is_not_trusted(gl: GitLabHarness) -> None:
    other = gl.add_issue("In 1.1", release=gl.other_release)
    other_issue = gl._issue(other)
    encoded = json.dumps(other_issue, separators=(",", ":")).encode()

    def swap(path: str, items: list[bytes]) -> list[bytes]:
        return [encoded, *items[1:]] if path.endswith("/issues") and items else items

    gl.fake.mangle_page = swap
    with pytest.raises(BadResponseError, match="another milestone"):
        gl.connector.issues(gl.scope, gl.release)


GOOD = {
    "X-Page": "2",
    "X-Per-Page": "100",
    "X-Next-Page": "3",
    "Link": '<https://gl/x?page=3>; rel="next", <https://gl/x?page=1>; rel="first"',
    "X-Total": "250",
}


@pytest.mark.parametrize(
    ("change", "count", "said"),
    [
        ({}, 100, ""),
        ({"X-Page": "1"}, 100, "X-Page"),
        ({"X-Per-Page": "20"}, 100, "X-Per-Page"),
        ({"X-Next-Page": None}, 100, "no X-Next-Page"),
        ({"X-Next-Page": "4"}, 100, "X-Next-Page is 4"),
        ({"Link": '<https://gl/x?page=1>; rel="first"'}, 100, "Link header disagree"),
        ({"X-Total": None}, 99, "short page"),
        ({}, 0, "X-Total 250 means 100"),
        ({"X-Total": "200", "X-Next-Page": "", "Link": ""}, 99, "X-Total 200 means 100"),
        ({"X-Total": None}, 101, "101 items on a page of 100"),
    ],
)
def test_check_page_follows_gitlab_pagination_rules(
    change: dict[str, str | None], count: int, said: str
) -> None:
    headers = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    params = {"page": 2, "per_page": 100}
    if not said:
        check_page(headers, [{}] * count, params, tracker="gl", what="the issues")
        return
    with pytest.raises(BadResponseError, match=said):
        check_page(headers, [{}] * count, params, tracker="gl", what="the issues")


def test_pages_must_add_up_to_the_stated_total() -> None:
    check_total([250, 250, 250], 250, tracker="gl", what="the issues")
    check_total([None, None], 12_345, tracker="gl", what="the issues")  # GitLab stopped counting
    with pytest.raises(PagesChangedError):
        check_total([250, 251], 250, tracker="gl", what="the issues")
    with pytest.raises(BadResponseError, match=r"counted 102 .* held 0"):
        check_total([102], 0, tracker="gl", what="the issues")
