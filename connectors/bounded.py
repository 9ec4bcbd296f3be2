"""Bounded HTTP for every connector: size, time and where credentials may go.

Jira (the jira library), GitLab (python-gitlab) and Redmine (python-redmine)
all send through a ``requests.Session``; each client mounts one
:class:`BoundedAdapter` on its session, so every request and every attachment
download is held to the same limits, whatever library built it:

- the body is read while it streams, after decompression, and refused beyond
  ``max_response_mb`` (a never-ending or gzip-bomb answer cannot grow memory);
- ``timeout_seconds`` bounds the connect and every single read;
- ``request_deadline_seconds`` bounds one request from sending to its last
  byte, and ``sync_deadline_seconds`` one source's sync (a server trickling a
  byte at a time passes every read timeout; a watchdog closes its socket);
- a redirect to another scheme, host or port is refused before it is followed:
  the session carries the tracker's credential (Authorization, PRIVATE-TOKEN,
  X-Redmine-API-Key) in every request, and requests strips only Authorization.

Each refusal is a connector error naming the tracker and the setting, so a
sync fails that source with a reason (exit 2) instead of an OOM kill or a hang.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from connectors.base import BadResponseError, TrackerSettings, UnavailableError
from secgate_tui.domain.text import without_userinfo

_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ResponseTooLargeError(BadResponseError):
    """An answer grew past ``max_response_mb`` (after decompression)."""


class DeadlineExceededError(UnavailableError):
    """A request or a whole source sync ran past its deadline."""


class RedirectRefusedError(BadResponseError):
    """The tracker redirected a credentialed request to another origin."""


def shown_url(url: str) -> str:
    """A URL fit for a message: no userinfo, no query (it may carry a token)."""
    parts = urlsplit(without_userinfo(url))
    return parts._replace(query="", fragment="").geturl()


def same_origin(first: str, second: str) -> bool:
    """Whether two URLs have one scheme, host and port (default ports filled in)."""
    return _origin(first) == _origin(second)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """One tracker's limits, from its settings."""

    tracker: str
    #: How messages name the tracker ("Jira tracker 'x'").
    label: str
    max_bytes: int
    read_timeout: float
    request_seconds: float
    sync_seconds: float

    @classmethod
    def of(cls, tracker: str, kind: str, settings: TrackerSettings) -> Limits:
        return cls(
            tracker=tracker,
            label=f"{kind} tracker '{tracker}'",
            max_bytes=settings.max_response_mb * 1024 * 1024,
            read_timeout=settings.timeout_seconds,
            request_seconds=settings.request_deadline_seconds,
            sync_seconds=settings.sync_deadline_seconds,
        )


class Bounds:
    """The limits of one tracker plus the sync deadlines currently running on it."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._syncs: list[float] = []

    @contextmanager
    def sync(self) -> Iterator[None]:
        """Hold every request made inside (by any thread) to ``sync_deadline_seconds``.

        Worker threads of a sync see it too, so it is shared by the client
        rather than thread-local; when two syncs of one tracker overlap, the
        later deadline applies to both, which still bounds each.
        """
        end = time.monotonic() + self.limits.sync_seconds
        with self._lock:
            self._syncs.append(end)
        try:
            yield
        finally:
            with self._lock:
                self._syncs.remove(end)

    def _sync_end(self) -> float | None:
        with self._lock:
            return max(self._syncs) if self._syncs else None

    def deadline(self) -> tuple[float, str]:
        """When the next request must be done, and the setting that says so."""
        end = time.monotonic() + self.limits.request_seconds
        sync_end = self._sync_end()
        if sync_end is not None and sync_end < end:
            return sync_end, "sync_deadline_seconds"
        return end, "request_deadline_seconds"

    # -- errors ------------------------------------------------------------------

    def too_large(self, url: str) -> ResponseTooLargeError:
        limits = self.limits
        return ResponseTooLargeError(
            f"{limits.label} sent more than max_response_mb = "
            f"{limits.max_bytes // (1024 * 1024)} MB (counted after decompression) for "
            f"{shown_url(url)}; secgate stopped reading it. A page that large is not a "
            "normal answer: check the URL and any proxy in between, or lower page_size; "
            f"raise trackers.{limits.tracker}.max_response_mb only if the tracker is right.",
            tracker=limits.tracker,
        )

    def late(self, url: str, setting: str) -> DeadlineExceededError:
        limits = self.limits
        seconds = (
            limits.sync_seconds if setting == "sync_deadline_seconds" else (limits.request_seconds)
        )
        what = "the source's sync" if setting == "sync_deadline_seconds" else "one request"
        return DeadlineExceededError(
            f"{limits.label} did not finish {what} within {setting} = {seconds:g} s "
            f"(at {shown_url(url)}); secgate gave up. The tracker or the network is too "
            "slow or stalled; try again later, or raise "
            f"trackers.{limits.tracker}.{setting}.",
            tracker=limits.tracker,
        )

    def redirected(self, source: str, target: str) -> RedirectRefusedError:
        limits = self.limits
        return RedirectRefusedError(
            f"{limits.label} redirected {shown_url(source)} to {shown_url(target)}, another "
            "scheme, host or port; secgate does not follow it, because the request carries "
            "the tracker's credential. Set the tracker's url to the address it redirects to "
            "if that is the real tracker.",
            tracker=limits.tracker,
        )


class _Watchdog:
    """Shuts a request's socket down at the deadline, ending any blocked read.

    The connection is registered as soon as urllib3 takes it from the pool
    (:class:`_WatchedHTTPPool`), so a server trickling its headers is cut off as
    surely as one trickling its body; the socket is looked up when the time
    comes, because it may not exist yet when the connection is registered.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._holders: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, holder: Any) -> None:
        """Register a urllib3 connection or a requests response."""
        with self._lock:
            self._holders.append(holder)
            if self.fired:
                self._shut()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        for holder in self._holders:
            sock = _socket_of(holder)
            if sock is not None:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _socket_of(holder: Any) -> socket.socket | None:
    if isinstance(holder, requests.Response):
        raw = holder.raw
        sock = getattr(getattr(raw, "_connection", None), "sock", None)
        if not isinstance(sock, socket.socket):
            fp = getattr(getattr(raw, "_fp", None), "fp", None)
            sock = getattr(getattr(fp, "raw", None), "_sock", None)
    else:
        sock = getattr(holder, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


#: The watchdog of the request this thread is sending, for the pools below.
_sending = threading.local()


class _WatchedHTTPPool(HTTPConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        watchdog = getattr(_sending, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(conn)
        return super()._make_request(conn, *args, **kwargs)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        watchdog = getattr(_sending, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(conn)
        return super()._make_request(conn, *args, **kwargs)


class BoundedAdapter(HTTPAdapter):
    """An HTTPAdapter that reads every body itself, within the tracker's limits."""

    def __init__(self, bounds: Bounds, **kwargs: Any) -> None:
        self.bounds = bounds
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = request.url or ""
        end, setting = self.bounds.deadline()
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise self.bounds.late(url, setting)
        per_read = min(self.bounds.limits.read_timeout, remaining)
        watchdog = _Watchdog(remaining)
        _sending.watchdog = watchdog
        try:
            response = super().send(
                request,
                stream=True,
                timeout=(per_read, per_read),
                verify=verify,
                cert=cert,
                proxies=proxies,
            )
            watchdog.watch(response)
            self._refuse_other_origin(request, response)
            self._read_body(response, watchdog, url, setting)
        except (requests.RequestException, OSError):
            if watchdog.fired:
                raise self.bounds.late(url, setting) from None
            raise
        finally:
            _sending.watchdog = None
            watchdog.cancel()
        return response

    def _refuse_other_origin(
        self, request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            return
        source = request.url or ""
        target = urljoin(source, location)
        if _origin(target) != _origin(source):
            response.close()
            raise self.bounds.redirected(source, target)

    def _read_body(
        self, response: requests.Response, watchdog: _Watchdog, url: str, setting: str
    ) -> None:
        limit = self.bounds.limits.max_bytes
        body = bytearray()
        try:
            for chunk in response.raw.stream(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > limit:
                    raise self.bounds.too_large(url)
                if watchdog.fired:
                    raise self.bounds.late(url, setting)
        except urllib3.exceptions.HTTPError as exc:
            # What requests raises when it reads a body itself (iter_content).
            response.close()
            if watchdog.fired:
                raise self.bounds.late(url, setting) from None
            raise _as_requests_error(exc, response) from None
        except BaseException:
            response.close()
            raise
        if watchdog.fired:
            raise self.bounds.late(url, setting)
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw.release_conn()


def _as_requests_error(
    exc: urllib3.exceptions.HTTPError, response: requests.Response
) -> requests.RequestException:
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.ReadTimeout(exc, response=response)
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(exc, response=response)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return requests.exceptions.SSLError(exc, response=response)
    return requests.exceptions.ChunkedEncodingError(exc, response=response)
