"""A small HTTP proxy on loopback in front of the real Redmine, to inject what
Redmine itself never does: 503s, an HTML login page, a 429, a slow answer, or a write whose
answer is lost after Redmine committed it. With no fault it forwards verbatim.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("unavailable", "html", "rate_limited", "lost_response", "slow")
SLOW_SECONDS = 3.0
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
LOGIN_PAGE = b"<!DOCTYPE html><html><body><form action='/login'>Sign in</form></body></html>"


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.fault: str | None = None
        #: Answer this many next requests with 503, then forward again (a short outage).
        self.fail_next = 0
        #: Called with (method, path) after each forwarded request: changes "between pages".
        self.after: Callable[[str, str], None] | None = None
        #: Called with (method, path) before a request is forwarded (a start barrier).
        self.before: Callable[[str, str], None] | None = None
        self.requests = 0
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def inject(self, kind: str) -> Iterator[None]:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        self.fault = kind
        try:
            yield
        finally:
            self.fault = None

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean (and free of request lines)

    def handle(self) -> None:
        # The client may give up first (timeout tests): nothing left to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _reply(self, status: int, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        self.owner.requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = self.owner.fault
        if self.owner.fail_next > 0:
            self.owner.fail_next -= 1
            fault = "unavailable"
        if fault == "slow":
            time.sleep(SLOW_SECONDS)
        if fault == "unavailable":
            return self._reply(503, b"Service Unavailable", "text/plain", {})
        if fault == "html":
            return self._reply(200, LOGIN_PAGE, "text/html; charset=utf-8", {})
        if fault == "rate_limited":
            return self._reply(429, b"", "text/plain", {"Retry-After": "30"})
        if self.owner.before is not None:
            self.owner.before(self.command, self.path)
        upstream = http.client.HTTPConnection("127.0.0.1", self.owner.upstream_port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        if self.owner.after is not None:
            self.owner.after(self.command, self.path)
        if fault == "lost_response" and self.command != "GET":
            # Redmine has committed the write; the client never hears about it.
            self.close_connection = True
            return None
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None
