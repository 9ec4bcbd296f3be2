"""A stateful fake Jira (Cloud or Data Center) on 127.0.0.1 for the real ``jira`` library.

It serves what secgate uses, with Jira's error body shape
(``{"errorMessages": [...], "errors": {...}}``), fault switches, injected
latency and request counters. Responses go out headers and body in one send so
a small answer on a kept-alive connection does not wait for a delayed ACK.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.jira_render import Renderer
from tests.fakes.jira_routes import Reply, jira_error, route
from tests.fakes.jira_state import JiraState

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
    "member",
)
#: ``Fault.value`` meaning "leave the member out"
DROP: Any = object()


@dataclass
class Fault:
    kind: str
    remaining: int | None = None  # None: until switched off
    retry_after: str = "1"
    delay: float = 2.0
    #: only requests whose path contains this are affected ("" = all)
    path: str = ""
    #: that many matching requests are answered as usual first
    after: int = 0
    #: "member" fault: the JSON answer's member to change ("issues.id": every issue's)
    member: str = ""
    #: "member" fault: its new value, or DROP to leave it out
    value: Any = DROP


@dataclass
class Recorded:
    method: str
    path: str
    version: str
    status: int
    body: Any


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
        changelog_max_results: int = 100,
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
        self.changelog_max_results = changelog_max_results
        self.faults: dict[str, Fault] = {}
        #: called as (method, path, query) before each authorized request is
        #: answered, e.g. to change the data between two page reads
        self.on_request: Callable[[str, str, dict[str, list[str]]], None] | None = None
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
            if fault.after > 0:
                fault.after -= 1
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


def _mangled(body: Any, fault: Fault) -> Any:
    """A copy of a JSON answer with ``fault.member`` left out or replaced."""
    if not isinstance(body, dict):
        return body
    outer, _, inner = fault.member.partition(".")

    def changed(item: Any, name: str) -> Any:
        if not isinstance(item, dict):
            return item
        item = dict(item)
        if fault.value is DROP:
            item.pop(name, None)
        else:
            item[name] = fault.value
        return item

    if not inner:
        return changed(body, outer)
    items = body.get(outer)
    if not isinstance(items, list):
        return body
    return {**body, outer: [changed(item, inner) for item in items]}


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

    def do_DELETE(self) -> None:
        self._serve("DELETE")

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
            if fake.on_request is not None:
                fake.on_request(method, path, query)
            if match is None:
                routed = self._other(method, path)
            else:
                version = "3" if match.group(1) == "3" else "2"
                routed = route(
                    fake, method, match.group(2), version, query, body, dict(self.headers.items())
                )
            if method in ("POST", "PUT") and fake.take_fault("lost_response", path):
                # The write is committed; the answer never arrives.
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            mangle = fake.take_fault("member", path)
            if mangle is not None:
                routed.body = _mangled(routed.body, mangle)
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
