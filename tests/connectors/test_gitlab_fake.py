"""The fake GitLab answers as the REST v4 documentation says (checked with plain HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.contract.harness_gitlab import TOKEN, GitLabHarness, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    yield harness
    harness.fake.clear_faults()
    harness.connector.close()


def get(
    gl: GitLabHarness, path: str, token: str | None = TOKEN, **params: str | int
) -> requests.Response:
    headers = {"PRIVATE-TOKEN": token} if token else {}
    return requests.get(f"{gl.fake.url}/api/v4{path}", params=params, headers=headers, timeout=5)


def test_project_path_is_url_encoded_and_errors_are_message_objects(gl: GitLabHarness) -> None:
    encoded = gl.project.replace("/", "%2F")
    assert get(gl, f"/projects/{encoded}").json()["path_with_namespace"] == gl.project
    assert get(gl, f"/projects/{gl.project_id}").json()["id"] == gl.project_id
    missing = get(gl, "/projects/medical%2Fnope")
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Project Not Found"})
    bad = get(gl, "/user", token="wrong")
    assert (bad.status_code, bad.json()) == (401, {"message": "401 Unauthorized"})
    # Anonymous users do not learn that a private project exists.
    assert get(gl, f"/projects/{encoded}", token=None).status_code == 404


def test_bearer_tokens_are_accepted_like_private_tokens(gl: GitLabHarness) -> None:
    answer = requests.get(
        f"{gl.fake.url}/api/v4/user", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert answer.json()["username"] == "release.bot"


def test_pagination_headers_and_link(gl: GitLabHarness) -> None:
    answer = get(gl, f"/projects/{gl.project_id}/issues", per_page=2, page=1)
    headers = answer.headers
    assert (headers["X-Page"], headers["X-Per-Page"], headers["X-Next-Page"]) == ("1", "2", "2")
    assert (headers["X-Total"], headers["X-Total-Pages"], headers["X-Prev-Page"]) == ("5", "3", "")
    assert 'rel="next"' in headers["Link"] and 'rel="last"' in headers["Link"]
    assert "Date" in headers
    last = get(gl, f"/projects/{gl.project_id}/issues", per_page=2, page=3)
    assert last.headers["X-Next-Page"] == "" and 'rel="next"' not in last.headers["Link"]


def test_no_totals_above_the_count_limit(gl: GitLabHarness) -> None:
    gl.fake.count_limit = 3
    try:
        answer = get(gl, f"/projects/{gl.project_id}/issues", per_page=2)
    finally:
        gl.fake.count_limit = 10_000
    assert "X-Total" not in answer.headers and "X-Total-Pages" not in answer.headers
    assert 'rel="last"' not in answer.headers["Link"]
    assert answer.headers["X-Next-Page"] == "2"


def test_rate_limit_fault_looks_like_gitlabs(gl: GitLabHarness) -> None:
    gl.fake.retry_after = 7
    with gl.fake.fault("rate_limited", count=1):
        answer = get(gl, "/user")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert int(answer.headers["RateLimit-Reset"]) > 0
    assert get(gl, "/user").status_code == 200  # the count ran out


def test_issue_filters(gl: GitLabHarness) -> None:
    path = f"/projects/{gl.project_id}/issues"
    titles = {i["title"] for i in get(gl, path, labels="security,sec-test-finding").json()}
    assert titles == {"Session token in log"}
    closed = get(gl, path, state="closed", milestone="v1.0").json()
    assert [i["title"] for i in closed] == ["TLS certificate not pinned"]
    assert {i["milestone"]["title"] for i in get(gl, path, milestone="v1.1").json()} == {"v1.1"}
    found = get(gl, path, search="record", **{"in": "title"}).json()
    assert [i["references"]["full"] for i in found] == [gl.comment_key]
