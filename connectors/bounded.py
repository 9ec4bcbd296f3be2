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

import heapq
import itertools
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
        self.cancelled = False
        self._holders: list[Any] = []
        self._lock = threading.Lock()
        _ALARMS.add(time.monotonic() + max(seconds, 0.0), self)

    def watch(self, holder: Any) -> None:
        """Register a urllib3 connection or a requests response."""
        with self._lock:
            self._holders.append(holder)
            if self.fired:
                self._shut()

    def fire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        for holder in self._holders:
            sock = _socket_of(holder)
            if sock is not None:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            # The response holds its body: a queued watchdog must not keep it alive.
            self._holders.clear()


class _Alarms:
    """One thread keeps every request's deadline and fires the watchdogs that are due.

    A ``threading.Timer`` per request started and ended a thread for each one:
    0.1-0.15 ms of CPU a request, 0.03 s of a 20,000-issue sync's 200-odd reads.
    A cancelled watchdog stays queued until it reaches the front, and is dropped.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._due: list[tuple[float, int, _Watchdog]] = []
        self._order = itertools.count()  # never compares two watchdogs
        self._thread: threading.Thread | None = None

    def add(self, when: float, watchdog: _Watchdog) -> None:
        with self._wake:
            heapq.heappush(self._due, (when, next(self._order), watchdog))
            if self._thread is None or not self._thread.is_alive():  # first use, or forked
                self._thread = threading.Thread(
                    target=self._run, name="secgate-deadlines", daemon=True
                )
                self._thread.start()
            elif self._due[0][2] is watchdog:
                self._wake.notify()  # due before what the thread is waiting for

    def _run(self) -> None:
        while True:
            with self._wake:
                now = time.monotonic()
                due: list[_Watchdog] = []
                while self._due and (self._due[0][0] <= now or self._due[0][2].cancelled):
                    watchdog = heapq.heappop(self._due)[2]
                    if not watchdog.cancelled:
                        due.append(watchdog)
                if not due:
                    self._wake.wait(self._due[0][0] - now if self._due else None)
                    continue
            for watchdog in due:  # outside the queue's lock: firing takes the watchdog's
                watchdog.fire()


_ALARMS = _Alarms()


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


def environment_once(session: requests.Session) -> None:
    """Read the proxy and CA-bundle environment once per origin, not once per request.

    requests asks the environment for every request (``merge_environment_settings``:
    each variable of ``os.environ``, decoded, twice, to find the proxies and
    ``no_proxy``), about 0.2 ms a request, 0.05 s of CPU for the 200-odd
    requests of a 20,000-issue sync. Its answer depends only on the URL's
    scheme, host and port, the arguments and the session's own settings, which
    are all in the key; a request given proxies of its own takes requests' path.
    The environment is thus read when a session first talks to an origin: a
    proxy variable changed later in the same process applies to new clients.
    """
    merge = session.merge_environment_settings
    known: dict[Any, Any] = {}

    def merged(url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        if proxies or not session.trust_env:
            return merge(url, proxies, stream, verify, cert)
        try:
            parts = urlsplit(url)
            key = (
                (parts.scheme, parts.hostname, parts.port),
                (proxies is None, stream, verify, cert),
                (session.stream, session.verify, session.cert),
                tuple(sorted(session.proxies.items())),
            )
            found = known.get(key)
        except (TypeError, ValueError):  # an unhashable setting, a bad port: no shortcut
            return merge(url, proxies, stream, verify, cert)
        if found is None:
            found = merge(url, proxies, stream, verify, cert)
            known[key] = found
        # Callers may change what they get (requests adds to the proxies on a redirect).
        chosen = found["proxies"]
        return {**found, "proxies": None if chosen is None else dict(chosen)}

    session.merge_environment_settings = merged  # type: ignore[method-assign]


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

    def mount_on(self, session: requests.Session) -> None:
        """Carry every http and https request of ``session``; read its environment once."""
        session.mount("http://", self)
        session.mount("https://", self)
        environment_once(session)

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
