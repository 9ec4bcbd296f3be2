"""A loopback HTTP server that misbehaves on purpose, for secgate's limits.

Every request, whatever its path, gets the same answer, chosen by ``mode``:

- ``endless``: a chunked 200 that never ends;
- ``bomb``: a small gzip body that inflates to ``BOMB_BYTES``;
- ``trickle``: a 200 whose body arrives one byte every ``interval`` seconds;
- ``slow_headers``: a status line, then a header one byte every ``interval`` seconds;
- ``redirect``: a 302 to ``target`` (another server, another port), or with no
  target to ``/moved/...`` on this server, which then answers as ``record``;
- ``record``: an empty JSON object.

Every request's headers are recorded (``received``), so a test can assert that a
credential never reached a server it was not meant for.
"""

from __future__ import annotations

import threading
import zlib
from contextlib import suppress
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What the gzip bomb inflates to: far above any limit and any test's memory bound.
BOMB_BYTES = 1024 * 1024 * 1024


@cache
def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzip-compressed (about 1 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(16 * 1024 * 1024)
    parts = [packer.compress(block) for _ in range(BOMB_BYTES // len(block))]
    return b"".join([*parts, packer.flush()])


class HostileServer:
    def __init__(self, mode: str, *, target: str = "", interval: float = 0.5) -> None:
        self.mode = mode
        self.target = target
        self.interval = interval
        self.received: list[dict[str, str]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with owner._lock:
                    owner.received.append({k.lower(): v for k, v in self.headers.items()})
                # A request's body is read, so the next request on the connection parses.
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                # The client giving up mid-answer is what the tests expect.
                with suppress(BrokenPipeError, ConnectionResetError):
                    getattr(self, f"_{owner.mode}")()

            do_POST = do_PUT = do_GET

            def _json_head(self, **headers: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()

            def _endless(self) -> None:
                self._json_head(Transfer_Encoding="chunked")
                chunk = b"[" + b"0," * 32768
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                while not owner._stopping.is_set():
                    self.wfile.write(frame)

            def _bomb(self) -> None:
                body = gzip_bomb()
                self._json_head(Content_Encoding="gzip", Content_Length=str(len(body)))
                self.wfile.write(body)

            def _trickle(self) -> None:
                self._json_head(Content_Length="100000")
                while not owner._stopping.wait(owner.interval):
                    self.wfile.write(b" ")
                    self.wfile.flush()

            def _slow_headers(self) -> None:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while not owner._stopping.wait(owner.interval):
                    self.wfile.write(b"X")
                    self.wfile.flush()

            def _redirect(self) -> None:
                if self.path.startswith("/moved/"):
                    self._record()
                    return
                self.send_response(302)
                # No target: a relative Location, on this server itself.
                self.send_header("Location", f"{owner.target}/moved{self.path}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _record(self) -> None:
                self._json_head(Content_Length="2")
                self.wfile.write(b"{}")

        return Handler
