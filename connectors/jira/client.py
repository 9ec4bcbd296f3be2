"""One Jira connection: the jira library's client and session, with secgate's retries.

The jira library retries by itself with sleeps of up to a minute and retries
POSTs after a connection reset; both are switched off (``max_retries=0``) so
that retrying is decided here, bounded in attempts and total time, and writes
are only retried when Jira said it did not process them (429).
"""

from __future__ import annotations

import email.utils
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from connectors import strictjson
from connectors.base import BadResponseError, ConnectorError
from connectors.bounded import BoundedAdapter, Bounds, Limits
from connectors.jira.errors import (
    Context,
    bad_json_error,
    html_error,
    looks_like_html,
    status_error,
    transport_error,
)
from connectors.jira.settings import JiraSettings

T = TypeVar("T")

# The jira library logs raw tracker answers (an SSO page it failed to parse,
# response headers and bodies at debug level). Tracker text is untrusted and
# secgate reports every failure itself, so those records go nowhere.
_LIBRARY_LOG = logging.getLogger("jira")
_LIBRARY_LOG.addHandler(logging.NullHandler())
_LIBRARY_LOG.propagate = False

_TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
#: Longest wait honoured from one Retry-After header.
_MAX_RETRY_AFTER = 120.0


class _Transient(Exception):
    """An attempt failed in a way worth another try; carries what to say if it stays so."""

    def __init__(self, final: ConnectorError, retry_after: float | None = None) -> None:
        super().__init__(final.message)
        self.final = final
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


#: Set while :meth:`JiraClient.request` sends an answer it parses strictly itself.
_parsing_strictly = threading.local()


def _refuse_non_json_numbers(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Every answer the library parses itself (versions, myself, comments) is held to
    strict JSON too: NaN and Infinity are not JSON and mark an answer not to trust.

    A byte search first keeps the common case cheap; only a suspect body is parsed.
    Answers that :meth:`JiraClient.request` parses with :mod:`connectors.strictjson`
    (or hands to a caller that does) are left to that parse, which refuses the same
    things: searching 35 MB of issue pages twice for the bytes was 0.03-0.05 s of a
    20,000-issue sync.
    """
    if getattr(_parsing_strictly, "active", False):
        return
    if "json" not in response.headers.get("Content-Type", ""):
        return
    content = response.content
    if b"NaN" not in content and b"Infinity" not in content:
        return
    try:
        strictjson.loads(content)
    except ValueError as exc:
        raise requests.JSONDecodeError(str(exc), content.decode("utf-8", "replace"), 0) from None


class JiraClient:
    """Lazily connects; every call goes through :meth:`call` (retries + error translation)."""

    def __init__(self, name: str, settings: JiraSettings, token: str | None) -> None:
        self.name = name
        self.settings = settings
        self._token = token
        self._lock = threading.Lock()
        self._jira: JIRA | None = None
        #: Requests prepared once by the session, by URL (:meth:`read_posted`).
        self._prepared: dict[str, requests.PreparedRequest] = {}
        self.base_url = settings.url.rstrip("/")
        credential = (
            f"the environment variable {settings.token_env}"
            if settings.token_env
            else f"the keyring (service {settings.keyring_service!r}, entry {name!r})"
        )
        self.ctx = Context(tracker=name, url=self.base_url, credential=credential)
        self.bounds = Bounds(Limits.of(name, "Jira", settings))

    # -- connection ----------------------------------------------------------

    @property
    def jira(self) -> JIRA:
        with self._lock:
            if self._jira is None:
                self._jira = self.call(self._connect, "connecting (serverInfo)")
            return self._jira

    def _connect(self) -> JIRA:
        settings = self.settings
        auth: dict[str, Any] = {}
        if settings.user:
            auth["basic_auth"] = (settings.user, self._token or "")
        elif self._token:
            auth["token_auth"] = self._token
        # No request before the bounded adapter is mounted: serverInfo is asked below.
        client = JIRA(
            server=self.base_url,
            options={"check_update": False, "verify": True},
            get_server_info=False,
            max_retries=0,
            timeout=settings.timeout_seconds,
            **auth,
        )
        # Enough pooled connections for the sync's worker threads.
        adapter = BoundedAdapter(
            self.bounds, pool_connections=4, pool_maxsize=settings.concurrency + 4
        )
        adapter.mount_on(client._session)
        client._session.hooks["response"].append(_refuse_non_json_numbers)
        if settings.flavor == "auto":
            info = client.server_info()
            if not isinstance(info, dict):
                raise BadResponseError(
                    f"Jira tracker '{self.name}' answered serverInfo without a JSON object.",
                    tracker=self.name,
                )
            client._version = tuple(info.get("versionNumbers") or (0, 0, 0))
            client.deploymentType = info.get("deploymentType")
        else:
            client.deploymentType = "Cloud" if settings.flavor == "cloud" else "Server"
        return client

    @property
    def is_cloud(self) -> bool:
        return bool(self.jira._is_cloud)

    # -- calls ---------------------------------------------------------------

    def call(self, fn: Callable[[], T], what: str, *, idempotent: bool = True) -> T:
        """Run one library call or request with bounded retries and secgate's errors."""
        settings = self.settings
        retrying = Retrying(
            stop=stop_after_attempt(settings.retry_attempts)
            | stop_before_delay(settings.retry_max_seconds),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            result: T = retrying(self._attempt, fn, what, idempotent)
            return result
        except _Transient as exc:
            raise exc.final from None

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, _MAX_RETRY_AFTER)
        return float(wait_random_exponential(multiplier=0.25, max=8)(state))

    def _attempt(self, fn: Callable[[], T], what: str, idempotent: bool) -> T:
        try:
            return fn()
        except JIRAError as exc:
            response = exc.response
            if not isinstance(response, requests.Response):
                raise BadResponseError(
                    f"Jira tracker '{self.name}' gave no usable answer while {what}.",
                    tracker=self.name,
                ) from None
            self._raise_for(response, what, idempotent)
            raise AssertionError("unreachable") from None
        except requests.JSONDecodeError as exc:
            # The library parsed a 2xx body that is not JSON (an SSO page answering 200).
            if str(exc.doc).lstrip().startswith("<"):
                raise html_error(self.ctx, what, None) from None
            raise bad_json_error(self.ctx, what) from None
        except requests.RequestException as exc:
            final = transport_error(self.ctx, what, exc)
            reset = isinstance(exc, requests.ConnectionError) and not isinstance(
                exc, requests.ReadTimeout
            )
            if idempotent and reset:
                raise _Transient(final) from None
            raise final from None

    def _raise_for(self, response: requests.Response, what: str, idempotent: bool) -> None:
        status = response.status_code
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        final = status_error(self.ctx, what, response, retry_after)
        # A 429 is a refusal before processing, so even a write may be repeated.
        if status == 429 or (idempotent and status in _TRANSIENT_STATUS):
            raise _Transient(final, retry_after)
        raise final

    def request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        raw: bool = False,
        as_text: bool = False,
        as_bytes: bool = False,
    ) -> Any:
        """An endpoint the library lacks, through its session.

        Returns parsed JSON; the body's bytes with ``raw``; its checked, decoded
        text with ``as_text``, or its bytes with ``as_bytes`` once they are known not to
        be an HTML page (for callers that digest what Jira sent). Callers of
        ``as_text`` and ``as_bytes`` parse with :mod:`connectors.strictjson`: the
        session's NaN / Infinity check is skipped for them as for parsed answers.
        """
        session = self.jira._session
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        kwargs: dict[str, Any] = {"params": params}
        if json_body is not None:
            kwargs["json"] = json_body
        safe = method.upper() == "GET" if idempotent is None else idempotent

        def send() -> Any:
            _parsing_strictly.active = not raw
            try:
                response = session.request(method, url, **kwargs)
            finally:
                _parsing_strictly.active = False
            if raw:
                return response.content
            if looks_like_html(response):
                raise _Html(response.status_code)
            try:
                if as_bytes:
                    return response.content
                if as_text:
                    return response.content.decode("utf-8")
                return strictjson.loads(response.content)
            except ValueError:
                raise _BadJson() from None

        try:
            return self.call(send, what, idempotent=safe)
        except _Html as exc:
            raise html_error(self.ctx, what, exc.status) from None
        except _BadJson:
            raise bad_json_error(self.ctx, what) from None

    def read_posted(self, path: str, json_body: Any, what: str) -> bytes:
        """The body of a read sent as a POST many times in a row (issue/bulkfetch),
        known not to be an HTML page, for a caller that parses it with
        :mod:`connectors.strictjson`. Retried and translated like :meth:`request`.

        requests' ``Session.request`` merges the session's headers, cookies, auth,
        hooks and settings again for every call (0.5-1 ms, 0.1-0.2 s of CPU over the
        200 reads of a 20,000-issue sync). Here the session prepares the request
        once per URL; each read copies it with its own body, applies the session's
        auth again and sends it through the session's own adapter, with the
        session's proxies and TLS settings: the same bounds, watchdog and refusal
        of other origins. An answer that is not 2xx is an error as it is on the
        library's path; a redirect is handed to that path, which follows it.
        """
        session = self.jira._session
        url = f"{self.base_url}{path}"
        with self._lock:
            template = self._prepared.get(url)
            if template is None:
                template = session.prepare_request(requests.Request("POST", url, json={}))
                self._prepared[url] = template
        adapter = session.get_adapter(url)

        def send() -> bytes:
            prepared = requests.PreparedRequest()
            prepared.method, prepared.url = template.method, template.url
            prepared.headers = template.headers.copy()
            prepared.prepare_body(None, None, json_body)
            if session.auth is not None:
                prepared.prepare_auth(session.auth, url)
            # As the library's path asks: its session's verify, then the environment.
            settings: Any = session.merge_environment_settings(url, {}, None, session.verify, None)
            response = adapter.send(prepared, timeout=self.settings.timeout_seconds, **settings)
            if response.is_redirect:
                response.close()
                raise _Redirected()
            if not 200 <= response.status_code < 300:
                self._raise_for(response, what, True)
            if looks_like_html(response):
                raise _Html(response.status_code)
            return response.content

        try:
            body: bytes = self.call(send, what, idempotent=True)
            return body
        except _Redirected:
            return bytes(self.request("POST", path, what, json_body=json_body, as_bytes=True))
        except _Html as exc:
            raise html_error(self.ctx, what, exc.status) from None

    def close(self) -> None:
        with self._lock:
            if self._jira is not None:
                self._jira.close()  # type: ignore[no-untyped-call]
                self._jira = None
            self._prepared.clear()


class _Html(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _BadJson(Exception):
    pass


class _Redirected(Exception):
    pass
