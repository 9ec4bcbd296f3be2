"""HTTP to GitLab through python-gitlab, with secgate's retries and errors.

python-gitlab builds the URLs, sends the ``PRIVATE-TOKEN`` and owns the
session; this module turns every failure into one of secgate's errors with a
message a release manager can act on. python-gitlab's own retry loop is switched
off per call (``obey_rate_limit=False``, ``retry_transient_errors=False``,
``max_retries=0``): it would sleep on 429 up to ten times, and retry writes,
invisibly. Reads are retried here with tenacity instead, bounded; writes only
after a 429, which GitLab's rate limiter answers before doing anything.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypeVar
from urllib.parse import urlsplit

import gitlab
import gitlab.exceptions
import msgspec
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from connectors import strictjson
from connectors.base import (
    AuthError,
    BadResponseError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    redact,
)
from connectors.bounded import BoundedAdapter, Bounds, Limits
from connectors.gitlab.pages import check_page
from connectors.gitlab.settings import GitLabSettings
from secgate_tui import __version__

Json = dict[str, Any]

_UNPARSED = "the JSON could not be parsed (truncated, corrupt, or with NaN/Infinity)"


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a list endpoint, with GitLab's pagination headers.

    Its items are JSON values, or (read with ``raw``) each item's text as GitLab
    sent it, still to be parsed by :meth:`GitLabClient.decoded`.
    """

    items: list[ItemT]
    headers: Mapping[str, str]
    #: SHA-256 of each item's JSON text exactly as GitLab sent it (when asked for).
    digests: list[str] = field(default_factory=list)

    @property
    def next_page(self) -> int | None:
        value = self.headers.get("X-Next-Page", "")
        return int(value) if value.isdigit() else None

    @property
    def total(self) -> int | None:
        """``X-Total``; absent above 10,000 results."""
        value = self.headers.get("X-Total", "")
        return int(value) if value.isdigit() else None

    @property
    def total_pages(self) -> int | None:
        """Absent above 10,000 results: GitLab stops counting there."""
        value = self.headers.get("X-Total-Pages", "")
        return int(value) if value.isdigit() else None


class _Transient(Exception):
    """A failure worth retrying; turned into a ConnectorError when retries run out."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind  # "rate" | "server" | "timeout" | "connection"
        self.detail = detail
        self.retry_after = retry_after


class GitLabClient:
    """A python-gitlab session with bounded retries and secgate's error types."""

    def __init__(self, tracker: str, settings: GitLabSettings, token: str | None) -> None:
        self.tracker = tracker
        self.settings = settings
        self._token = token
        self.host = urlsplit(settings.url).netloc or settings.url
        self._local = threading.local()
        session = requests.Session()
        # A pooled connection per worker thread; the adapter's urllib3 retries stay at 0.
        self.bounds = Bounds(Limits.of(tracker, "GitLab", settings))
        adapter = BoundedAdapter(
            self.bounds, pool_connections=2, pool_maxsize=max(10, settings.concurrency)
        )
        adapter.mount_on(session)
        session.hooks["response"].append(self._remember)
        self.gl = gitlab.Gitlab(
            settings.url,
            private_token=token,
            timeout=settings.timeout_seconds,
            retry_transient_errors=False,
            session=session,
            user_agent=f"secgate/{__version__} python-gitlab/{gitlab.__version__}",
        )

    def close(self) -> None:
        self.gl.session.close()

    def redact(self, text: str) -> str:
        return redact(text, [self._token])

    # -- public calls --------------------------------------------------------------

    def get_page(
        self, path: str, params: Mapping[str, Any], what: str, *, digests: bool = False
    ) -> Page[Json]:
        """One page; with ``digests``, each item's digest over the text as sent.

        Hashing the text as received costs a fraction of re-encoding 20,000 issues
        canonically, and it is the truer record of what GitLab said.
        """
        page = self._page(path, params, what, digests=digests, raw=False)
        return page

    def get_raw_page(self, path: str, params: Mapping[str, Any], what: str) -> Page[msgspec.Raw]:
        """One page, checked against its headers, its items left as their text:
        nothing in it is trusted before :meth:`decoded` has parsed them all."""
        page: Page[msgspec.Raw] = self._page(path, params, what, digests=False, raw=True)
        return page

    def decoded(self, page: Page[msgspec.Raw], what: str) -> tuple[list[Json], list[str]]:
        """The items of a page read with :meth:`get_raw_page`, parsed strictly, and
        the SHA-256 of each item's text as sent."""
        try:
            return strictjson.decoded_with_digests(page.items)
        except ValueError:
            self._bad(what, _UNPARSED)

    def _page(
        self, path: str, params: Mapping[str, Any], what: str, *, digests: bool, raw: bool
    ) -> Page[Any]:
        response = self._retrying(lambda: self._once("get", path, params, None, what), what)
        self._expect_json(response, what)
        page: Page[Any]
        try:
            if raw:
                page = Page(items=strictjson.raw_items(response.content), headers=response.headers)
            elif digests:
                items, sums = split_array(response.content)
                page = Page(items=items, headers=response.headers, digests=sums)
            else:
                data = strictjson.loads(response.content)
                if not isinstance(data, list):
                    self._bad(what, "a JSON list was expected")
                page = Page(items=data, headers=response.headers)
        except ValueError:
            self._bad(what, _UNPARSED)
        check_page(page.headers, page.items, params, tracker=self.tracker, what=what)
        return page

    def get(self, path: str, params: Mapping[str, Any] | None, what: str) -> Json:
        return self.get_with_digest(path, params, what)[0]

    def get_with_digest(
        self, path: str, params: Mapping[str, Any] | None, what: str
    ) -> tuple[Json, str]:
        response = self._retrying(lambda: self._once("get", path, params, None, what), what)
        data = self._decode(response, what)
        if not isinstance(data, dict):
            self._bad(what, "a JSON object was expected")
        return data, hashlib.sha256(response.content).hexdigest()

    def get_bytes(self, path: str, what: str) -> bytes:
        """GET a file's bytes (a Markdown upload), retried like every read."""
        response = self._retrying(lambda: self._once("get", path, None, None, what), what)
        return bytes(response.content)

    def write(self, verb: str, path: str, data: Json, what: str) -> Json:
        """POST/PUT. Only a 429 is retried: anything else may have been applied."""
        response = self._retrying(
            lambda: self._once(verb, path, None, data, what), what, writing=True
        )
        decoded = self._decode(response, what)
        if not isinstance(decoded, dict):
            self._bad(what, "a JSON object was expected")
        return decoded

    def delete(self, path: str, what: str) -> None:
        """DELETE (204, no body). Only a 429 is retried, as for every write."""
        self._retrying(lambda: self._once("delete", path, None, None, what), what, writing=True)

    # -- one attempt ---------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # python-gitlab's exceptions drop the headers; Retry-After lives there.
        self._local.headers = response.headers

    def _once(
        self, verb: str, path: str, params: Mapping[str, Any] | None, data: Json | None, what: str
    ) -> requests.Response:
        self._local.headers = {}
        try:
            return self.gl.http_request(
                verb,
                path,
                query_data=dict(params or {}),
                post_data=data,
                obey_rate_limit=False,
                retry_transient_errors=False,
                max_retries=0,
            )
        except requests.exceptions.Timeout:
            raise _Transient(
                "timeout", f"did not answer within {self.settings.timeout_seconds:g} s"
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise _Transient(
                "connection", "could not be reached or dropped the connection"
            ) from None
        except gitlab.exceptions.GitlabAuthenticationError:
            raise AuthError(
                f"GitLab ({self.host}) refused the token (401 Unauthorized) on "
                f"{what}. The token is wrong, expired or revoked: create a new one with the "
                f"read_api scope (api to write records) and store it in "
                f"{self.settings.token_env or 'the keyring'}.",
                tracker=self.tracker,
            ) from None
        except gitlab.exceptions.RedirectError:
            self._bad(what, "it redirected a write; check that the URL is the GitLab base URL")
        except gitlab.exceptions.GitlabHttpError as exc:
            self._status_error(exc, what)

    def _status_error(self, exc: gitlab.exceptions.GitlabHttpError, what: str) -> NoReturn:
        code = exc.response_code or 0
        message = _short(exc.error_message)
        status = message if message.startswith(str(code)) else f"{code} {message}"
        headers: Mapping[str, str] = getattr(self._local, "headers", {}) or {}
        if code == 429:
            raise _Transient("rate", "kept answering 429 Too Many Requests", _retry_after(headers))
        if code >= 500:
            raise _Transient("server", f"kept failing with HTTP {code} ({message})")
        if code == 403:
            raise AuthError(
                f"GitLab ({self.host}) denied access to {what} ({status}). The token's "
                "user lacks the permission or the token lacks the scope (read_api to read, api "
                "to write records); ask a maintainer for at least the Reporter role.",
                tracker=self.tracker,
            )
        if code == 404:
            raise NotFoundError(
                self.redact(
                    f"GitLab ({self.host}) could not find {what} ({status}): it does not "
                    "exist or the token's user cannot see it. Check the project path or id "
                    "in the configuration and that the user is a member of the project."
                ),
                tracker=self.tracker,
            )
        self._bad(what, f"HTTP {code}: {message}")

    def _retrying(
        self, call: Callable[[], requests.Response], what: str, *, writing: bool = False
    ) -> requests.Response:
        settings = self.settings

        def worth_retrying(exc: BaseException) -> bool:
            if not isinstance(exc, _Transient) or (writing and exc.kind != "rate"):
                return False
            return exc.retry_after is None or exc.retry_after <= settings.max_retry_wait_seconds

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Transient) and exc.retry_after is not None:
                return exc.retry_after
            base: float = settings.retry_backoff_seconds * 2.0 ** (state.attempt_number - 1)
            return min(30.0, base + random.uniform(0, settings.retry_backoff_seconds))

        retrying = Retrying(
            stop=stop_after_attempt(settings.retries + 1),
            wait=wait,
            retry=retry_if_exception(worth_retrying),
            reraise=True,
        )
        try:
            return retrying(call)
        except _Transient as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            self._give_up(exc, what, attempts, writing)

    def _give_up(self, exc: _Transient, what: str, attempts: int, writing: bool) -> NoReturn:
        tried = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if exc.kind == "rate":
            after = f"; it asks to wait {exc.retry_after:g} s" if exc.retry_after else ""
            raise RateLimitedError(
                f"GitLab ({self.host}) rate-limited secgate on {what} ({tried}"
                f"{after}). Try again later, or lower 'concurrency' for this tracker.",
                tracker=self.tracker,
                retry_after=exc.retry_after,
            )
        if writing:
            raise UnavailableError(
                self.redact(
                    f"GitLab ({self.host}) {exc.detail} on {what}. The change may or may not "
                    "have been saved: secgate looks for it (by its marker) before writing "
                    "again, so retrying the command is safe."
                ),
                tracker=self.tracker,
            )
        raise UnavailableError(
            self.redact(
                f"GitLab ({self.host}) {exc.detail} on {what} ({tried}). Check "
                "that the URL is right and GitLab is up, then sync again."
            ),
            tracker=self.tracker,
        )

    # -- bodies --------------------------------------------------------------------

    def _expect_json(self, response: requests.Response, what: str) -> None:
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            hint = (
                " It looks like a login or proxy page: check that the URL is the GitLab base URL "
                "(for example https://gitlab.example.com) and that no single sign-on proxy "
                "intercepts API calls."
                if "html" in content_type
                else ""
            )
            self._bad(
                what,
                f"HTTP {response.status_code} with {content_type or 'no content type'}"
                f" instead of JSON.{hint}",
            )

    def _decode(self, response: requests.Response, what: str) -> Any:
        self._expect_json(response, what)
        try:
            return strictjson.loads(response.content)
        except ValueError:
            self._bad(what, "the JSON could not be parsed (truncated or corrupt response)")

    def _bad(self, what: str, detail: str) -> NoReturn:
        raise BadResponseError(
            self.redact(
                f"GitLab ({self.host}) answered {what} with something secgate cannot "
                f"trust: {detail}"
            ),
            tracker=self.tracker,
        )


def split_array(text: str | bytes) -> tuple[list[Any], list[str]]:
    """The items of a JSON array, and the SHA-256 of each item's text as it stands.

    Raises:
        ValueError: the text is not one JSON array.
    """
    return strictjson.items_with_digests(text)


def _short(message: Any, limit: int = 200) -> str:
    text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from Retry-After (seconds or HTTP date) or RateLimit-Reset (epoch)."""
    value = headers.get("Retry-After")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    reset = headers.get("RateLimit-Reset", "")
    if reset.isdigit():
        return max(0.0, int(reset) - time.time())
    return None


__all__ = ["GitLabClient", "Page", "split_array"]
