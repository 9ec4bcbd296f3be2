"""HTTP to Redmine through python-redmine's engine, with trust, retries and secgate's errors.

Nothing the server says is trusted before ``/users/current.json`` has answered
with a user: Redmine silently treats an unknown API key as the anonymous user,
which can still read public projects. Every request of this client waits for
that check, which runs once per client (:meth:`RedmineClient.identity`).

python-redmine builds the requests (API key header, JSON bodies) and sorts the
answers into its own exceptions; this module retries what is transient (5xx,
connection errors, timeouts, 429) for reads only, and turns everything else
into one of secgate's errors with a message that names the tracker, says what
happened and what to do, and never contains the API key.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import requests
from redminelib import Redmine
from redminelib import exceptions as rm
from redminelib.engines.sync import SyncEngine
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors import strictjson
from connectors.base import (
    AuthError,
    BadResponseError,
    ConnectorError,
    Identity,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from connectors.bounded import BoundedAdapter, Bounds

JsonDict = dict[str, Any]
T = TypeVar("T")


class _Transient(Exception):
    """A failure worth another attempt; carries the error to raise when out of attempts."""

    def __init__(self, error: ConnectorError) -> None:
        super().__init__(error.message)
        self.error = error


class _TimeoutEngine(SyncEngine):  # type: ignore[misc]  # untyped library
    """python-redmine sets ``timeout`` as a Session attribute, which requests
    ignores: without this a dead server would hang a sync forever."""

    def construct_request_kwargs(
        self, method: str, headers: Any, params: Any, data: Any
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().construct_request_kwargs(method, headers, params, data)
        kwargs["timeout"] = self.requests.get("timeout")
        return kwargs

    def process_response(self, response: Any) -> Any:
        result = super().process_response(response)
        if isinstance(result, dict | list):
            # python-redmine parsed with response.json(), which accepts NaN and
            # Infinity; secgate does not trust an answer carrying them.
            try:
                return strictjson.loads(response.content)
            except ValueError:
                raise rm.JSONDecodeError(response) from None
        return result


class RedmineClient:
    """One Redmine instance. Thread-safe for concurrent GETs (pooled keep-alive)."""

    def __init__(
        self,
        *,
        tracker: str,
        url: str,
        key: str,
        timeout: float,
        retries: int,
        verify: bool,
        pool: int,
        redact: Callable[[str], str],
        bounds: Bounds,
    ) -> None:
        self.tracker = tracker
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.pool = pool
        self._redact = redact
        self.redmine = Redmine(
            self.url,
            key=key,
            engine=_TimeoutEngine,
            requests={"timeout": timeout, "verify": verify},
        )
        # Same key and options, but answers handed back raw: file downloads.
        self._raw = _TimeoutEngine(
            key=key, requests={"timeout": timeout, "verify": verify}, return_raw_response=True
        )
        self.bounds = bounds
        adapter = BoundedAdapter(bounds, pool_connections=1, pool_maxsize=max(pool, 1))
        for session in (self.redmine.engine.session, self._raw.session):
            adapter.mount_on(session)
        #: Requests sent and reads retried, for the benchmark's request counts.
        self.requests_sent = 0
        self.retries_made = 0
        self._trust_lock = threading.Lock()
        self._identity: Identity | None = None

    # -- trust ---------------------------------------------------------------

    def identity(self) -> Identity:
        """The account the API key belongs to, asked once; AuthError when anonymous."""
        with self._trust_lock:
            if self._identity is None:
                self._identity = self._current_user()
            return self._identity

    def _current_user(self) -> Identity:
        try:
            data = self._get("/users/current.json", None, what="the current user")
        except (AuthError, NotFoundError):
            # Redmine answers an unknown key as the anonymous user, and the
            # anonymous user has no "current" account: 401 (or 404).
            raise self._error(
                AuthError,
                "Redmine does not recognise the API key: /users/current.json did not answer "
                "with a user, so every other answer would be the anonymous user's view. Check "
                "the key (My account > API access key) and that the REST API is enabled.",
            ) from None
        user = data.get("user")
        if not isinstance(user, dict) or not user.get("id") or not user.get("login"):
            raise self._error(
                AuthError,
                "/users/current.json answered without a logged-in user; the API key is not "
                "trusted.",
            )
        full = f"{user.get('firstname', '')} {user.get('lastname', '')}".strip()
        return Identity(id=str(user["id"]), name=str(user["login"]), display_name=full)

    # -- requests ------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None, *, what: str) -> JsonDict:
        """GET a JSON document, retrying transient failures with backoff."""
        self.identity()
        return self._get(path, params, what=what)

    def _get(self, path: str, params: dict[str, Any] | None, *, what: str) -> JsonDict:
        retrying = self._retrying()
        try:
            for attempt in retrying:
                with attempt:
                    return self._json(self._send("get", path, params=params, what=what), what)
        except _Transient as exc:
            raise exc.error from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _retrying(self) -> Retrying:
        return Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential_jitter(multiplier=0.2, max=4.0, jitter=0.2),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
            before_sleep=self._count_retry,
            reraise=True,
        )

    def _count_retry(self, _state: object) -> None:
        self.retries_made += 1

    def write(self, method: str, path: str, data: JsonDict, *, what: str) -> Any:
        """POST / PUT / DELETE once. Never retried: a lost answer may hide a
        committed write, and the caller's marker search is what finds it."""
        self.identity()
        try:
            return self._send(method, path, data=data, what=what)
        except _Transient as exc:
            raise self._error(
                type(exc.error),
                f"{exc.error.message.removeprefix(self.tracker + ': ')} The change to {what} "
                "may or may not have been made; it was not repeated blindly (secgate looks "
                "for it before trying again).",
            ) from None

    def pages(
        self, path: str, params: dict[str, Any], container: str, *, what: str, page_size: int
    ) -> list[JsonDict]:
        """Every item of an offset-paginated list, checked for consistency.

        Offsets shift when an issue enters or leaves the list between two page
        reads, which could skip one silently. Every page reports ``total_count``:
        when they disagree, or the distinct ids do not add up to it, the list is
        read once more, and a second mismatch is an error rather than a gap.
        """
        for _attempt in range(2):
            items, totals = self._read_pages(path, params, container, what, page_size)
            distinct = list({item.get("id"): item for item in items}.values())
            if len(totals) == 1 and len(distinct) == min(totals):
                return distinct
        counted = " then ".join(str(t) for t in sorted(totals))
        raise self._error(
            BadResponseError,
            f"the {what} did not add up twice in a row: {len(distinct)} distinct items read "
            f"where Redmine counted {counted}. The list changed while it was read, or "
            "something between secgate and Redmine altered the answer; nothing was stored. "
            "Sync again.",
        )

    def _read_pages(
        self, path: str, params: dict[str, Any], container: str, what: str, page_size: int
    ) -> tuple[list[JsonDict], set[int]]:
        limit = min(page_size, 100)  # Redmine caps pages at 100 whatever is asked
        first = self.get(path, {**params, "limit": limit, "offset": 0}, what=what)
        items = self._page_items(first, container, what, 0, None)
        total = self._count(first, "total_count", what)
        totals = {total}
        limit = self._count(first, "limit", what) or limit
        offsets = list(range(limit, total, limit))
        if not offsets:
            return items, totals

        def page(offset: int) -> tuple[list[JsonDict], int]:
            data = self.get(path, {**params, "limit": limit, "offset": offset}, what=what)
            return self._page_items(data, container, what, offset, limit), self._count(
                data, "total_count", what
            )

        # Pages are handed out concurrently (pooled keep-alive connections).
        with ThreadPoolExecutor(max_workers=min(self.pool, len(offsets))) as pool:
            for chunk, count in pool.map(page, offsets):
                items.extend(chunk)
                totals.add(count)
        return items, totals

    def _page_items(
        self, data: JsonDict, container: str, what: str, offset: int, limit: int | None
    ) -> list[JsonDict]:
        """A page's items, checked against the paging Redmine documents.

        Every page of a collection states ``total_count``, ``offset`` and
        ``limit``: the offset is the one asked for, the limit the first page's,
        and no page holds more than its limit. Every item is an object with an
        integer id. (Whether the pages add up to ``total_count`` is checked over
        the whole list by :meth:`pages`.)
        """
        items = self._items(data, container, what)
        stated = self._count(data, "offset", what)
        size = self._count(data, "limit", what)
        if stated != offset or (limit is not None and size != limit) or len(items) > max(size, 1):
            raise self._error(
                BadResponseError,
                f"Redmine answered a page of {what} that contradicts its own paging (asked "
                f"offset {offset}, got offset {stated}, limit {size}, {len(items)} items); "
                "nothing from this answer is trusted.",
            )
        for item in items:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise self._error(
                    BadResponseError, f"Redmine listed an item of {what} without an integer id."
                )
        return items

    def _count(self, data: JsonDict, name: str, what: str) -> int:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._error(
                BadResponseError,
                f"Redmine's answer for {what} has no valid '{name}' ({value!r}), so whether "
                "every item was read cannot be told.",
            )
        return value

    def upload(self, content: bytes, filename: str, *, what: str) -> JsonDict:
        """POST /uploads.json once (a write); returns Redmine's ``upload`` object."""
        self.identity()
        try:
            data = self._call(
                lambda: self.redmine.upload(io.BytesIO(content), filename=filename), what
            )
        except _Transient as exc:
            raise exc.error from None
        return self._json(data, what)

    def get_bytes(self, path: str, *, what: str) -> bytes:
        """GET a file's bytes (retried like every read)."""
        self.identity()
        url = f"{self.url}{path}"
        retrying = self._retrying()
        try:
            for attempt in retrying:
                with attempt:
                    answer = self._call(lambda: self._raw.request("get", url), what)
                    return bytes(answer.content)
        except _Transient as exc:
            raise exc.error from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def map_concurrently(self, func: Callable[[T], Any], values: list[T]) -> list[Any]:
        if len(values) <= 1:
            return [func(value) for value in values]
        with ThreadPoolExecutor(max_workers=min(self.pool, len(values))) as pool:
            return list(pool.map(func, values))

    def close(self) -> None:
        self.redmine.engine.session.close()
        self._raw.session.close()

    # -- internals -----------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        data: JsonDict | None = None,
    ) -> Any:
        url = f"{self.url}{path}"
        return self._call(
            lambda: self.redmine.engine.request(method, url, params=params, data=data), what
        )

    def _call(self, request: Callable[[], Any], what: str) -> Any:
        """One request through python-redmine, its exceptions turned into secgate's."""
        self.requests_sent += 1
        try:
            return request()
        except rm.AuthError:
            raise self._error(
                AuthError,
                f"Redmine refused the API key while reading {what} (401). The key is wrong, "
                "revoked, or the REST API is disabled (Administration > Settings > API). "
                "Set a valid key in the configured token variable or keyring.",
            ) from None
        except rm.ForbiddenError:
            raise self._error(
                AuthError,
                f"Redmine denied access to {what} (403): the account has no permission "
                "there. Ask a Redmine administrator for membership or the missing permission.",
            ) from None
        except rm.ResourceNotFoundError:
            raise self._error(
                NotFoundError, f"Redmine has no {what}, or this account cannot see it (404)."
            ) from None
        except rm.ValidationError as exc:
            raise self._error(
                BadResponseError, f"Redmine rejected the request for {what} (422): {exc}."
            ) from None
        except rm.JSONDecodeError:
            raise self._error(
                BadResponseError,
                f"Redmine answered {what} with a page that is not JSON (an HTML login or "
                "proxy page?). Check the tracker URL and that the REST API is enabled.",
            ) from None
        except (rm.ServerError, rm.UnknownError) as exc:
            raise self._status_error(exc, what) from None
        except rm.BaseRedmineError as exc:
            raise self._error(BadResponseError, f"Redmine: {what}: {exc}.") from None
        except requests.Timeout:
            raise _Transient(
                self._error(
                    UnavailableError,
                    f"Redmine did not answer {what} within {self.timeout:g} s. The server is "
                    "overloaded or unreachable; try again later or raise timeout_seconds.",
                )
            ) from None
        except requests.ConnectionError as exc:
            raise _Transient(
                self._error(
                    UnavailableError,
                    f"cannot reach Redmine at {self.url} for {what}: "
                    f"{_short(exc)}. Check the URL and the network.",
                )
            ) from None
        except requests.RequestException as exc:
            raise self._error(UnavailableError, f"Redmine: {what}: {_short(exc)}.") from None
        except ValueError:
            # python-redmine reads a 422 body as JSON without checking it is JSON.
            raise self._error(
                BadResponseError,
                f"Redmine rejected the request for {what} with an unreadable error page.",
            ) from None

    def _status_error(self, exc: rm.BaseRedmineError, what: str) -> Exception:
        found = re.search(r"(\d{3})\s*$", str(exc))
        status = int(found.group(1)) if found else 500
        if status == 429:
            return _Transient(
                self._error(
                    RateLimitedError,
                    f"Redmine kept answering 429 (too many requests) for {what}; "
                    "try again in a minute.",
                )
            )
        if status >= 500:
            return _Transient(
                self._error(
                    UnavailableError,
                    f"Redmine kept failing with HTTP {status} for {what} after "
                    f"{self.retries + 1} attempts. The server is down or broken; see its log.",
                )
            )
        return self._error(BadResponseError, f"Redmine answered HTTP {status} for {what}.")

    def _error(self, cls: type[ConnectorError], message: str) -> ConnectorError:
        return cls(self._redact(f"{self.tracker}: {message}"), tracker=self.tracker)

    def _json(self, data: Any, what: str) -> JsonDict:
        if not isinstance(data, dict):
            raise self._error(BadResponseError, f"Redmine answered {what} without a JSON object.")
        return data

    def _items(self, data: JsonDict, container: str, what: str) -> list[JsonDict]:
        items = data.get(container)
        if not isinstance(items, list):
            raise self._error(
                BadResponseError, f"Redmine's answer for {what} has no '{container}'."
            )
        return items


def _short(exc: Exception) -> str:
    # urllib3 wraps the cause several levels deep; the innermost reason is what helps.
    text = str(exc)
    found = re.search(r"\] ([^\]']+)'?\)+$", text) or re.search(
        r"(Connection refused|"
        r"Name or service not known|"
        r"Connection reset)",
        text,
    )
    return found.group(1) if found else text[:200]
