"""A stateful fake Jira (Cloud or Data Center) on 127.0.0.1 for the real ``jira`` library.

It serves what secgate uses, with Jira's error body shape
(``{"errorMessages": [...], "errors": {...}}``), fault switches, injected
latency and request counters. Responses go out headers and body in one send so
a small answer on a kept-alive connection does not wait for a delayed ACK.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.jira_jql import JqlError
from tests.fakes.jira_render import ALL_FIELDS, Renderer, adf_to_text
from tests.fakes.jira_state import FakeIssue, JiraState

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Log in with Atlassian account</title></head>"
    b"<body><form action='/login'><input name='username'></form></body></html>"
)
FAULTS = (
    "rate_limited",
    "unavailable",
    "bad_gateway",
    "error500",
    "forbidden",
    "html",
    "slow",
    "lost_response",
    "bad_json",
)
COMMENT_LIMIT = 32767


@dataclass
class Fault:
    kind: str
    remaining: int | None = None  # None: until switched off
    retry_after: str = "1"
    delay: float = 2.0
    #: only requests whose path contains this are affected ("" = all)
    path: str = ""


@dataclass
class Recorded:
    method: str
    path: str
    version: str
    status: int
    body: Any


class Reply(Exception):
    """Ends a request with this answer."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def jira_error(status: int, *messages: str, **errors: str) -> Reply:
    return Reply(status, {"errorMessages": list(messages), "errors": errors})


class FakeJira:
    """One fake Jira server; use as a context manager or start()/stop()."""

    def __init__(
        self,
        flavor: str = "cloud",
        *,
        email: str = "rm@example.com",
        token: str = "fake-jira-token-0123456789",  # noqa: S107 - a test double's credential
        user_zone: str = "UTC",
        latency: float = 0.0,
        dc_max_results: int = 1000,
    ) -> None:
        if flavor not in ("cloud", "datacenter"):
            raise ValueError(flavor)
        self.flavor = flavor
        self.email = email
        self.token = token
        self.state = JiraState(user_zone)
        self.state.user.email = email
        self.latency = latency
        self.dc_max_results = dc_max_results
        self.faults: dict[str, Fault] = {}
        self.record = False
        self.recorded: list[Recorded] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.render = Renderer(self.state, self.url, self.cloud)
        self._thread: threading.Thread | None = None

    @property
    def cloud(self) -> bool:
        return self.flavor == "cloud"

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> FakeJira:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeJira:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- levers for tests ----------------------------------------------------

    @property
    def request_count(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()

    def count(self, method: str, path: str) -> None:
        with self._lock:
            self.counts[f"{method} {path}"] += 1

    def set_fault(self, kind: str, **options: Any) -> None:
        if kind not in FAULTS:
            raise ValueError(kind)
        with self._lock:
            self.faults[kind] = Fault(kind, **options)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    @contextlib.contextmanager
    def fault(self, kind: str, **options: Any) -> Iterator[None]:
        self.set_fault(kind, **options)
        try:
            yield
        finally:
            with self._lock:
                self.faults.pop(kind, None)

    def take_fault(self, kind: str, path: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(kind)
            if fault is None or (fault.path and fault.path not in path):
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self.faults[kind]
            return fault

    def keep(self, method: str, path: str, version: str, status: int, body: Any) -> None:
        if self.record:
            with self._lock:
                self.recorded.append(Recorded(method, path, version, status, body))

    # -- auth ----------------------------------------------------------------

    def authorized(self, header: str) -> bool:
        if self.cloud:
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"


_API = re.compile(r"^/rest/api/(2|3|latest)/(.*)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeJira/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests; counters say what happened

    @property
    def fake(self) -> FakeJira:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    # -- plumbing ------------------------------------------------------------

    def _serve(self, method: str) -> None:
        fake = self.fake
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake.count(method, path)
        if fake.latency:
            time.sleep(fake.latency)
        slow = fake.take_fault("slow", path)
        if slow is not None:
            time.sleep(slow.delay)
        version = "2"
        try:
            for kind, status in (
                ("rate_limited", 429),
                ("unavailable", 503),
                ("bad_gateway", 502),
                ("error500", 500),
                ("forbidden", 403),
            ):
                fault = fake.take_fault(kind, path)
                if fault is not None:
                    headers = {"Retry-After": fault.retry_after} if status == 429 else {}
                    raise Reply(
                        status, {"errorMessages": [f"fake fault {kind}"], "errors": {}}, headers
                    )
            if fake.take_fault("html", path) is not None:
                self._send(200, LOGIN_PAGE, "text/html;charset=UTF-8")
                return
            if fake.take_fault("bad_json", path) is not None:
                self._send(200, b'{"issues": [{"id": "1"', "application/json;charset=UTF-8")
                return
            if not fake.authorized(self.headers.get("Authorization", "")):
                raise jira_error(
                    401,
                    "You are not authenticated. Authentication required to perform this operation.",
                )
            match = _API.match(path)
            query = {k: v for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            if match is None:
                routed = self._other(method, path)
            else:
                version = "3" if match.group(1) == "3" else "2"
                routed = _route(
                    fake, method, match.group(2), version, query, body, dict(self.headers.items())
                )
            if method in ("POST", "PUT") and fake.take_fault("lost_response", path):
                # The write is committed; the answer never arrives.
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            raise routed
        except Reply as reply:
            if isinstance(reply.body, bytes):
                self._send(
                    reply.status,
                    reply.body,
                    reply.headers.get("Content-Type", "application/octet-stream"),
                    reply.headers,
                )
                return
            fake.keep(method, path, version, reply.status, reply.body)
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
            self._send(reply.status, data, "application/json;charset=UTF-8", reply.headers)

    def _other(self, method: str, path: str) -> Reply:
        found = re.match(r"^/secure/attachment/(\d+)/", path)
        if method == "GET" and found and not self.fake.cloud:
            item = self.fake.state.attachments.get(int(found.group(1)))
            if item is not None:
                return Reply(200, item.content, {"Content-Type": item.mime_type})
        return jira_error(404, "Not found")

    def _send(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        lines = [
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
            f"Content-Type: {kind}",
            f"Content-Length: {len(data)}",
        ]
        for name, value in (headers or {}).items():
            if name != "Content-Type":
                lines.append(f"{name}: {value}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + data)
        self.log_request(status)


# --------------------------------------------------------------------------- routes


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


def _route(
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
        with state.lock:
            out = [render.issue(i, fields, version) for i in issues if i is not None]
        return Reply(200, {"issues": out, "issueErrors": []})
    if rest == "issue" and method == "POST":
        return _create_issue(fake, _json(body), version)
    found = re.fullmatch(r"issue/([^/]+)", rest)
    if method == "GET" and found:
        issue = _issue_or_404(fake, found.group(1))
        with state.lock:
            return Reply(200, render.issue(issue, _fields(query.get("fields"), None), version))
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
    if method == "GET" and found:
        issue = _issue_or_404(fake, found.group(1))
        with state.lock:
            for c in issue.comments:
                if c.id == int(found.group(2)):
                    return Reply(200, render.comment(c, version, issue.key))
        raise jira_error(404, f"Can not find a comment for the id: {found.group(2)}.")
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


def _add_comment(fake: FakeJira, issue: FakeIssue, data: dict[str, Any], version: str) -> Reply:
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
    comment = fake.state.add_comment(issue.key, text)
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


__all__ = ["ALL_FIELDS", "FAULTS", "FakeJira"]
