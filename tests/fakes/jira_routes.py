"""The fake Jira's endpoints: what each REST path answers, in Jira's shapes and errors."""

from __future__ import annotations

import base64
import email.parser
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.fakes import jira_history
from tests.fakes.jira_jql import JqlError
from tests.fakes.jira_render import adf_to_text
from tests.fakes.jira_state import FakeIssue

if TYPE_CHECKING:
    from tests.fakes.jira_server import FakeJira

COMMENT_LIMIT = 32767


class Reply(Exception):
    """Ends a request with this answer."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def jira_error(status: int, *messages: str, **errors: str) -> Reply:
    return Reply(status, {"errorMessages": list(messages), "errors": errors})


def _one(query: dict[str, list[str]], name: str, default: str = "") -> str:
    return query.get(name, [default])[0]


def _fields(values: list[str] | str | None, default: list[str] | None) -> list[str] | None:
    """Requested fields; None means all."""
    if values is None:
        return default
    items = values if isinstance(values, list) else [values]
    names = [f.strip() for item in items for f in str(item).split(",") if f.strip()]
    if not names or any(n in ("*all", "*navigable") for n in names):
        return None
    return names


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"{}")
    except ValueError:
        raise jira_error(400, "Unexpected character: the request body is not JSON.") from None


def _issue_or_404(fake: FakeJira, id_or_key: str) -> FakeIssue:
    issue = fake.state.find(unquote(id_or_key))
    if issue is None:
        raise jira_error(404, "Issue does not exist or you do not have permission to see it.")
    return issue


def route(
    fake: FakeJira,
    method: str,
    rest: str,
    version: str,
    query: dict[str, list[str]],
    body: bytes,
    headers: dict[str, str],
) -> Reply:
    render, state = fake.render, fake.state
    if method == "GET" and rest == "serverInfo":
        return Reply(200, render.server_info())
    if method == "GET" and rest == "field":
        return Reply(200, render.fields())
    if method == "GET" and rest == "myself":
        return Reply(200, render.user(version))
    found = re.fullmatch(r"project/([^/]+)/versions", rest)
    if method == "GET" and found:
        key = unquote(found.group(1))
        if key not in state.projects:
            raise jira_error(404, f"No project could be found with key '{key}'.")
        return Reply(200, [render.version(v, version) for v in state.project_versions(key)])
    if rest == "search/approximate-count" and method == "POST":
        if not fake.cloud:
            raise jira_error(404, "null for uri: /rest/api/2/search/approximate-count")
        return _approximate_count(fake, _json(body))
    if rest == "search/jql" and method in ("GET", "POST"):
        if not fake.cloud:
            raise jira_error(404, "null for uri: /rest/api/2/search/jql")
        params = (
            _json(body)
            if method == "POST"
            else {
                "jql": _one(query, "jql"),
                "nextPageToken": _one(query, "nextPageToken") or None,
                "maxResults": _one(query, "maxResults", "50"),
                "fields": query.get("fields"),
            }
        )
        return _search_jql(fake, params, version)
    if rest == "search" and method in ("GET", "POST"):
        if fake.cloud:
            raise jira_error(
                410,
                "The requested API has been removed. Please migrate to the "
                "/rest/api/3/search/jql API. A full migration guideline is "
                "available at https://developer.atlassian.com/changelog/#CHANGE-2046",
            )
        params = (
            _json(body)
            if method == "POST"
            else {
                "jql": _one(query, "jql"),
                "startAt": _one(query, "startAt", "0"),
                "maxResults": _one(query, "maxResults", "50"),
                "fields": query.get("fields"),
            }
        )
        return _search(fake, params, version)
    if rest == "issue/bulkfetch" and method == "POST":
        if not fake.cloud:
            raise jira_error(404, "null for uri: /rest/api/2/issue/bulkfetch")
        params = _json(body)
        ids = params.get("issueIdsOrKeys") or []
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise jira_error(400, "issueIdsOrKeys must list between 1 and 100 issues.")
        fields = _fields(params.get("fields"), ["*navigable"])
        issues = [state.find(str(i)) for i in ids]
        changelog = jira_history.wants_changelog(params.get("expand"))
        with state.lock:
            out = [
                jira_history.with_changelog(fake, i, render.issue(i, fields, version), bulk=True)
                if changelog
                else render.issue(i, fields, version)
                for i in issues
                if i is not None
            ]
        return Reply(200, {"issues": out, "issueErrors": []})
    if method == "GET" and rest == "status":
        return Reply(200, jira_history.statuses(fake, version))
    found = jira_history.CHANGELOG_PATH.fullmatch(rest)
    if method == "GET" and found and fake.cloud:
        issue = _issue_or_404(fake, found.group(1))
        return Reply(200, jira_history.changelog_page(fake, issue, query, version))
    if rest == "issue" and method == "POST":
        return _create_issue(fake, _json(body), version)
    found = re.fullmatch(r"issue/([^/]+)", rest)
    if method == "GET" and found:
        issue = _issue_or_404(fake, found.group(1))
        with state.lock:
            bean = render.issue(issue, _fields(query.get("fields"), None), version)
            if jira_history.wants_changelog(query.get("expand")):
                bean = jira_history.with_changelog(fake, issue, bean, bulk=False)
            return Reply(200, bean)
    found = re.fullmatch(r"issue/([^/]+)/comment", rest)
    if found:
        issue = _issue_or_404(fake, found.group(1))
        if method == "POST":
            return _add_comment(fake, issue, _json(body), version)
        start = int(_one(query, "startAt", "0") or 0)
        size = min(int(_one(query, "maxResults", "50") or 50), 50)
        with state.lock:
            listed = issue.comments[start : start + size]
            comments = [render.comment(c, version, issue.key) for c in listed]
            return Reply(
                200,
                {
                    "startAt": start,
                    "maxResults": size,
                    "total": len(issue.comments),
                    "comments": comments,
                },
            )
    found = re.fullmatch(r"issue/([^/]+)/comment/(\d+)", rest)
    if found:
        issue = _issue_or_404(fake, found.group(1))
        return _one_comment(fake, method, issue, int(found.group(2)), body, version)
    found = re.fullmatch(r"issue/([^/]+)/attachments", rest)
    if method == "POST" and found:
        issue = _issue_or_404(fake, found.group(1))
        if headers.get("X-Atlassian-Token", headers.get("x-atlassian-token")) != "no-check":
            raise jira_error(403, "XSRF check failed")
        added = [
            state.add_attachment(issue.key, name, data) for name, data in _multipart(headers, body)
        ]
        return Reply(200, [render.attachment(a, version) for a in added])
    found = re.fullmatch(r"attachment/(content/)?(\d+)", rest)
    if method == "GET" and found:
        item = state.attachments.get(int(found.group(2)))
        if item is None:
            raise jira_error(404, f"The attachment with id '{found.group(2)}' does not exist")
        if found.group(1):
            return Reply(200, item.content, {"Content-Type": item.mime_type})
        meta = render.attachment(item, version)
        meta["id"] = item.id
        meta["author"] = render.user(version)
        return Reply(200, meta)
    raise jira_error(404, f"null for uri: /rest/api/{version}/{rest}")


def _search_jql(fake: FakeJira, params: dict[str, Any], version: str) -> Reply:
    fields = _fields(params.get("fields"), ["id"])
    cap = 5000 if fields == ["id"] else 100
    size = max(1, min(int(params.get("maxResults") or 50), cap))
    token = params.get("nextPageToken")
    try:
        start = int(base64.urlsafe_b64decode(str(token)).decode()) if token else 0
    except ValueError:
        raise jira_error(400, "The provided next page token is invalid or expired.") from None
    try:
        keys = fake.state.search(str(params.get("jql") or ""))
    except JqlError as exc:
        raise jira_error(400, str(exc)) from None
    page = keys[start : start + size]
    with fake.state.lock:
        issues = [
            fake.render.issue(fake.state.issues[k], fields, version)
            for k in page
            if k in fake.state.issues
        ]
    out: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(keys)}
    if not out["isLast"]:
        out["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return Reply(200, out)


def _approximate_count(fake: FakeJira, params: Any) -> Reply:
    """POST search/approximate-count (JQLCountRequestBean -> JQLCountResultsBean)."""
    jql = params.get("jql") if isinstance(params, dict) else None
    if not isinstance(jql, str) or not jql.strip():
        raise jira_error(400, "The JQL query is required and must be bounded.")
    try:
        return Reply(200, {"count": len(fake.state.search(jql))})
    except JqlError as exc:
        raise jira_error(400, str(exc)) from None


def _search(fake: FakeJira, params: dict[str, Any], version: str) -> Reply:
    fields = _fields(params.get("fields"), ["*navigable"])
    size = max(0, min(int(params.get("maxResults") or 50), fake.dc_max_results))
    start = max(0, int(params.get("startAt") or 0))
    try:
        keys = fake.state.search(str(params.get("jql") or ""))
    except JqlError as exc:
        raise jira_error(400, str(exc)) from None
    with fake.state.lock:
        issues = [
            fake.render.issue(fake.state.issues[k], fields, version)
            for k in keys[start : start + size]
            if k in fake.state.issues
        ]
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(keys),
            "issues": issues,
        },
    )


def _create_issue(fake: FakeJira, data: dict[str, Any], version: str) -> Reply:
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, dict):
        raise jira_error(400, "Issue fields are missing.")
    project = fields.get("project") or {}
    key = project.get("key") or next(
        (k for k, i in fake.state.project_ids.items() if str(i) == str(project.get("id"))), None
    )
    errors: dict[str, str] = {}
    if key not in fake.state.projects:
        errors["project"] = "valid project is required"
    if not fields.get("summary"):
        errors["summary"] = "You must specify a summary of the issue."
    elif len(fields["summary"]) > 255:
        errors["summary"] = "Summary must be less than 255 characters."
    issuetype = fields.get("issuetype") or {}
    if not (issuetype.get("name") or issuetype.get("id")):
        errors["issuetype"] = "Specify an issue type"
    if errors:
        raise Reply(400, {"errorMessages": [], "errors": errors})
    description = fields.get("description") or ""
    issue = fake.state.add_issue(
        str(key),
        str(fields["summary"]),
        description=adf_to_text(description) if isinstance(description, dict) else description,
        issuetype=str(issuetype.get("name") or "Task"),
        labels=list(fields.get("labels") or []),
    )
    return Reply(
        201,
        {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{fake.render.api(version)}/issue/{issue.id}",
        },
    )


def _one_comment(
    fake: FakeJira, method: str, issue: FakeIssue, comment_id: int, body: bytes, version: str
) -> Reply:
    """Get, Update or Delete comment (v3 spec: 200 / 200 / 204; a missing
    permission is a 400 on Cloud, a 403 on Data Center)."""
    state = fake.state
    if state.comment(issue.key, comment_id) is None:
        raise jira_error(404, f"Can not find a comment for the id: {comment_id}.")
    if method in ("PUT", "DELETE") and state.comments_locked:
        action = "edit" if method == "PUT" else "delete"
        raise jira_error(
            400 if fake.cloud else 403, f"You do not have the permission to {action} this comment."
        )
    if method == "DELETE":
        state.delete_comment(issue.key, comment_id)
        return Reply(204, None)
    if method == "PUT":
        text = _comment_text(_json(body))
        state.edit_comment(issue.key, comment_id, text, by=state.user)
    with state.lock:
        comment = state.comment(issue.key, comment_id)
        assert comment is not None
        return Reply(200, fake.render.comment(comment, version, issue.key))


def _comment_text(data: Any) -> str:
    body = data.get("body") if isinstance(data, dict) else None
    text = adf_to_text(body) if isinstance(body, dict) else body
    if not isinstance(text, str) or not text.strip():
        raise Reply(
            400, {"errorMessages": [], "errors": {"comment": "Comment body can not be empty!"}}
        )
    if len(text) > COMMENT_LIMIT:
        raise Reply(
            400,
            {
                "errorMessages": [],
                "errors": {
                    "comment": "The entered text is too long. It exceeds the allowed limit "
                    "of 32,767 characters."
                },
            },
        )
    return text


def _add_comment(fake: FakeJira, issue: FakeIssue, data: dict[str, Any], version: str) -> Reply:
    comment = fake.state.add_comment(issue.key, _comment_text(data))
    with fake.state.lock:
        return Reply(201, fake.render.comment(comment, version, issue.key))


def _multipart(headers: dict[str, str], body: bytes) -> list[tuple[str, bytes]]:
    kind = headers.get("Content-Type") or headers.get("content-type") or ""
    message = email.parser.BytesParser().parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
    files = []
    for part in message.walk():
        name = part.get_filename()
        if name:
            payload = part.get_payload(decode=True)
            files.append((name, payload if isinstance(payload, bytes) else b""))
    if not files:
        raise jira_error(400, "No attachment in the request.")
    return files
