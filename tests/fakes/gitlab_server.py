"""A stateful fake GitLab (REST v4) on 127.0.0.1 for python-gitlab to talk to.

It answers the endpoints secgate uses the way the GitLab documentation says:
URL-encoded project paths (``grp%2Fapp``), ``PRIVATE-TOKEN`` (or Bearer)
authentication, offset pagination with ``Link: rel="next"`` and the
``X-Page``/``X-Next-Page``/``X-Total`` headers (no totals and no ``rel="last"``
above 10,000 results), and errors as ``{"message": ...}``. Fault switches,
injected latency and request counters let tests and benchmarks shape it.

Every response is written in one ``sendall``: writing headers and body
separately stalls small responses on a reused connection for a delayed ACK.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from tests.fakes.gitlab_queries import ApiError, Route, route
from tests.fakes.gitlab_store import GitLabStore

#: GitLab stops counting above this many results (kaminari count limit).
COUNT_LIMIT = 10_000

LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in \xc2\xb7 GitLab</title></head>"
    b"<body><form action='/users/sign_in'>Username or primary email</form></body></html>\n"
)

FAULT_KINDS = (
    "rate_limited",
    "unavailable",
    "error",
    "slow",
    "html",
    "lost_response",
    # Issue lists answer [] with consistent paging headers (X-Total: 0) while
    # the issues still exist and read fine by iid: a proxy's or a lost
    # permission's answer.
    "empty_issues",
)
#: Faults that change the answer after the request was served normally.
_AFTER = ("lost_response", "empty_issues")


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: until cleared
    writes_only: bool


class FakeGitLab:
    """The server; ``store`` holds the data, the rest shapes how it is served."""

    def __init__(self, latency: float = 0.0) -> None:
        self.store = GitLabStore()
        self.latency = latency
        self.retry_after = 1
        self.slow_seconds = 3.0
        #: Above this many results GitLab omits X-Total, X-Total-Pages and rel="last".
        self.count_limit = COUNT_LIMIT
        #: A proxy between secgate and GitLab: given the path and one page's items,
        #: returns the items to send instead (the headers stay GitLab's).
        self.mangle_page: Callable[[str, list[bytes]], list[bytes]] | None = None
        self.requests: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []
        self.errors: list[str] = []
        #: Called with (method, path) before each request is answered: lets a test
        #: change the data between the pages of one sync.
        self.on_request: Callable[[str, str], None] | None = None
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.store.base_url = self.url
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeGitLab:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- test levers -------------------------------------------------------------

    def set_fault(self, kind: str, count: int | None = None, *, writes_only: bool = False) -> None:
        """Answer the next ``count`` requests (None: all, until cleared) with a fault."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {FAULT_KINDS}")
        with self._lock:
            self._faults.append(Fault(kind, count, writes_only or kind == "lost_response"))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @contextmanager
    def fault(self, kind: str, count: int | None = None) -> Iterator[None]:
        self.set_fault(kind, count)
        try:
            yield
        finally:
            self.clear_faults()

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.log.clear()

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())

    def take_fault(self, method: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.writes_only and method == "GET":
                    continue
                if fault.remaining is not None:
                    if fault.remaining <= 0:
                        continue
                    fault.remaining -= 1
                return fault.kind
        return None

    def count(self, method: str, path: str) -> None:
        with self._lock:
            self.requests[f"{method} {_shape(path)}"] += 1
            self.log.append((method, path))


def _shape(path: str) -> str:
    """/api/v4/projects/grp%2Fapp/issues/3 -> /projects/:id/issues/:iid (for counters)."""
    parts = path.split("?")[0].removeprefix("/api/v4").split("/")
    names = {"projects": ":id", "groups": ":id", "issues": ":iid", "notes": ":note_id"}
    out = []
    for i, part in enumerate(parts):
        out.append(names.get(parts[i - 1], part) if i else part)
    return "/".join(out)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitLab
    protocol_version = "HTTP/1.1"
    # nginx in front of GitLab sets tcp_nodelay; without it the tail of a large page
    # waits for a delayed ACK (~40 ms) under Nagle.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: test output is for failures."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # -- plumbing ----------------------------------------------------------------

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        all_headers = {
            "Date": email.utils.formatdate(usegmt=True),
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Cache-Control": "max-age=0, private, must-revalidate",
            "X-Request-Id": f"01FAKE{time.monotonic_ns()}",
            **(headers or {}),
        }
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._send(status, body, "application/json", headers)

    def _serve(self, method: str) -> None:
        fake = self.fake
        split = urlsplit(self.path)
        fake.count(method, self.path)
        if fake.on_request is not None:
            fake.on_request(method, self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if fake.latency:
            time.sleep(fake.latency)
        fault = fake.take_fault(method)
        if fault and fault not in _AFTER and self._fault(fault):
            return
        try:
            user_id = self._authenticate()
            params = _params(split.query, raw_body, self.headers.get("Content-Type", ""))
            segments = [unquote(s) for s in split.path.removeprefix("/api/v4/").split("/")]
            found = route(method, segments)
            with fake.store.lock:
                status, payload = found.handler(fake.store, user_id, params, *found.args)
            if fault == "lost_response":
                # Committed, then the connection drops before any byte of the answer.
                self.close_connection = True
                return
            if fault == "empty_issues" and split.path.endswith("/issues") and method == "GET":
                payload = []
            if isinstance(payload, list) and found.paginated:
                self._page(status, payload, params, split.path)
            else:
                self._json(status, payload)
        except ApiError as exc:
            self._json(exc.status, {"message": exc.message})
        except Exception:  # a bug in the fake: answer as GitLab would, keep the trace
            fake.errors.append(traceback.format_exc())
            self._json(500, {"message": "500 Internal Server Error"})

    def _fault(self, kind: str) -> bool:
        """Serve the fault; False when it only delays (then the request goes on)."""
        if kind == "rate_limited":
            reset = int(time.time()) + self.fake.retry_after
            self._send(
                429,
                b"Retry later\n",
                "text/plain",
                {
                    "Retry-After": str(self.fake.retry_after),
                    "RateLimit-Limit": "600",
                    "RateLimit-Observed": "601",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                },
            )
        elif kind in ("unavailable", "error"):
            status = 503 if kind == "unavailable" else 500
            message = "503 Service Unavailable" if status == 503 else "500 Internal Server Error"
            self._json(status, {"message": message})
        elif kind == "html":
            self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")
        elif kind == "slow":
            time.sleep(self.fake.slow_seconds)
            return False
        return True

    def _authenticate(self) -> int | None:
        token = self.headers.get("PRIVATE-TOKEN")
        bearer = self.headers.get("Authorization", "")
        if not token and bearer.lower().startswith("bearer "):
            token = bearer[7:]
        if not token:
            return None
        user_id = self.fake.store.tokens.get(token)
        if user_id is None:
            raise ApiError(401, "401 Unauthorized")
        return user_id

    def _page(self, status: int, items: list[bytes], params: dict[str, Any], path: str) -> None:
        """Offset pagination as GitLab does it (lib/api/helpers/pagination)."""
        try:
            per_page = min(max(int(params.get("per_page", 20)), 1), 100)
            page = max(int(params.get("page", 1)), 1)
        except ValueError as exc:
            raise ApiError(400, "page is invalid") from exc
        total = len(items)
        chunk = items[(page - 1) * per_page : page * per_page]
        has_next = page * per_page < total
        host = self.headers.get("Host", self.fake.url.removeprefix("http://"))
        query = {k: v for k, v in params.items() if k not in ("page", "per_page")}

        def link(number: int) -> str:
            encoded = urlencode({**query, "page": number, "per_page": per_page}, doseq=True)
            return f"http://{host}{quote(path, safe='/%')}?{encoded}"

        links = [f'<{link(page + 1)}>; rel="next"'] if has_next else []
        links.append(f'<{link(1)}>; rel="first"')
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Next-Page": str(page + 1) if has_next else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
        }
        if total <= self.fake.count_limit:
            pages = max(1, -(-total // per_page))
            links.append(f'<{link(pages)}>; rel="last"')
            headers |= {"X-Total": str(total), "X-Total-Pages": str(pages)}
        headers["Link"] = ", ".join(links)
        if self.fake.mangle_page is not None:
            chunk = self.fake.mangle_page(path, chunk)
        self._json(status, b"[" + b",".join(chunk) + b"]", headers)


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query string and body merged, as Grape does; ``name[]`` collects lists."""
    params: dict[str, Any] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        params[key.removesuffix("[]")] = values if key.endswith("[]") else values[-1]
    if body:
        if "json" in content_type:
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise ApiError(400, "400 Bad request - body is not valid JSON") from exc
            if isinstance(data, dict):
                params.update(data)
        else:
            for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
                params[key] = values[-1]
    return params


__all__ = ["COUNT_LIMIT", "FakeGitLab", "Route"]
