"""Every Redmine page is checked against ``total_count``, ``offset`` and ``limit``
(issue 19, section 1), against the real Redmine behind a proxy that rewrites answers.

The proxy stands for what the finding used: something between secgate and the
tracker that answers an empty or altered list while the rest looks normal.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connectors.base import BadResponseError
from connectors.redmine import RedmineConnector
from tests.redmine.fixtures import RedmineHarness, connector_settings, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

Rewrite = Callable[[str, bytes], bytes]


class RewritingProxy:
    """Forwards to Redmine; ``rewrite(path, body)`` may change an answer's body."""

    def __init__(self, upstream: str) -> None:
        self.rewrite: Rewrite | None = None
        host, port = upstream.removeprefix("http://").split(":")
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream_conn = http.client.HTTPConnection(host, int(port), timeout=60)
                try:
                    headers = {
                        k: v
                        for k, v in self.headers.items()
                        if k.lower() not in ("host", "content-length", "connection")
                    }
                    upstream_conn.request(self.command, self.path, body or None, headers)
                    answer = upstream_conn.getresponse()
                    data = answer.read()
                finally:
                    upstream_conn.close()
                if proxy.rewrite is not None and answer.status == 200:
                    data = proxy.rewrite(self.path, data)
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def rewriting(redmine_harness: RedmineHarness) -> Iterator[tuple[RewritingProxy, Any]]:
    proxy = RewritingProxy(redmine_harness.server.url)
    connector = RedmineConnector(
        "redmine", connector_settings(proxy.url), redmine_harness.server.alice_key
    )
    yield proxy, connector
    connector.close()
    proxy.stop()


def _issues_json(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    def rewrite(path: str, body: bytes) -> bytes:
        if not path.startswith("/issues.json"):
            return body
        data = json.loads(body)
        change(data)
        return json.dumps(data).encode()

    return rewrite


def _emptied(data: dict[str, Any]) -> None:
    data["issues"] = []


def _shifted(data: dict[str, Any]) -> None:
    data["offset"] = data["offset"] + 1


def _uncounted(data: dict[str, Any]) -> None:
    data.pop("total_count")


def _foreign(data: dict[str, Any]) -> None:
    data["issues"][0]["fixed_version"] = {"id": 999, "name": "9.9"}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_emptied, "Redmine counted 5"),
        (_shifted, "contradicts its own paging"),
        (_uncounted, "'total_count'"),
        (_foreign, "target version is another"),
    ],
    ids=["empty-under-a-count", "offset", "no-total", "other-version"],
)
def test_a_page_that_breaks_the_rules_is_a_bad_response(
    redmine_harness: RedmineHarness,
    rewriting: tuple[RewritingProxy, RedmineConnector],
    change: Callable[[dict[str, Any]], None],
    said: str,
) -> None:
    proxy, connector = rewriting
    assert len(connector.issues(redmine_harness.scope, "2.0")) == 5
    proxy.rewrite = _issues_json(change)
    with pytest.raises(BadResponseError, match=said):
        connector.issues(redmine_harness.scope, "2.0")


def test_nan_in_an_answer_is_not_trusted(
    redmine_harness: RedmineHarness, rewriting: tuple[RewritingProxy, RedmineConnector]
) -> None:
    proxy, connector = rewriting
    proxy.rewrite = lambda path, body: (
        body.replace(b'"done_ratio":', b'"weight":NaN,"done_ratio":', 1)
        if path.startswith("/issues.json")
        else body
    )
    with pytest.raises(BadResponseError, match="not JSON"):
        connector.issues(redmine_harness.scope, "2.0")
