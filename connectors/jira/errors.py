"""Jira's failures, said so a release manager knows what happened and what to do.

Every message names the tracker, never carries the token, and never includes a
traceback or the request headers (the jira library's own JIRAError text dumps
them, Authorization included, so it is never shown).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from connectors.base import (
    AuthError,
    BadResponseError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    ReleaseNotFoundError,
    UnavailableError,
)
from secgate_tui.domain.text import printable


@dataclass(frozen=True)
class Context:
    """Who is asking, to say which tracker and which credential failed."""

    tracker: str
    url: str
    credential: str  # "the environment variable X" / "the keyring entry ..."


def jira_messages(response: requests.Response) -> str:
    """Jira's errorMessages and errors, joined; empty when the body has none."""
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {text}" for field, text in errors.items()]
    if not parts and body.get("message"):
        parts.append(str(body["message"]))
    # Tracker text: one safe line of sane length, whatever the tracker sent.
    return printable("; ".join(parts), 300)


def looks_like_html(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    # The first bytes suffice: decoding a whole page of issues just to look was
    # a measurable share of a big sync.
    return "html" in kind or response.content[:512].lstrip()[:1] == b"<"


def html_error(ctx: Context, what: str, status: int | None) -> BadResponseError:
    code = f" (HTTP {status})" if status else ""
    return BadResponseError(
        f"Jira tracker '{ctx.tracker}' answered an HTML page instead of JSON while {what}"
        f"{code}. This is usually a single sign-on login page or a proxy in front of "
        f"Jira: check the url setting ({ctx.url}) and that the token in {ctx.credential} is "
        "valid for REST API access.",
        tracker=ctx.tracker,
    )


def bad_json_error(ctx: Context, what: str) -> BadResponseError:
    return BadResponseError(
        f"Jira tracker '{ctx.tracker}' answered something that is not JSON while {what} "
        "(often a single sign-on login page or a proxy). Check that the url setting "
        f"({ctx.url}) points at Jira itself and that the token in {ctx.credential} is valid.",
        tracker=ctx.tracker,
    )


def status_error(
    ctx: Context, what: str, response: requests.Response, retry_after: float | None = None
) -> ConnectorError:
    """The secgate error for a non-2xx answer that is not (or no longer) retried."""
    status = response.status_code
    if looks_like_html(response) and status not in (429, 502, 503, 504):
        return html_error(ctx, what, status)
    detail = jira_messages(response)
    said = f": {detail}" if detail else ""
    name = ctx.tracker
    if status == 401:
        return AuthError(
            f"Jira tracker '{name}' refused the credential (HTTP 401) while {what}. Check the "
            f"token in {ctx.credential} (and the user setting for Jira Cloud); the token may "
            "have expired or been revoked.",
            tracker=name,
        )
    if status == 403:
        return AuthError(
            f"Jira tracker '{name}' did not allow {what} (HTTP 403){said}. The account behind "
            f"the token in {ctx.credential} may lack permission, or the token may have expired.",
            tracker=name,
        )
    if status == 404:
        return NotFoundError(
            f"Jira tracker '{name}': nothing found while {what} (HTTP 404){said}. Check the "
            "project key, issue key or version name in the config.",
            tracker=name,
        )
    if status == 400 and "does not exist for the field 'fixversion'" in detail.lower():
        return ReleaseNotFoundError(
            f"Jira tracker '{name}': the release is not a version of the project{said}.",
            tracker=name,
        )
    if status == 400 and "does not exist for the field 'project'" in detail.lower():
        return NotFoundError(
            f"Jira tracker '{name}': the project does not exist or is not visible to the "
            f"token's account{said}. Check the source's project key.",
            tracker=name,
        )
    if status == 400:
        return BadResponseError(
            f"Jira tracker '{name}' rejected the request while {what} (HTTP 400){said}. If "
            "this is a search, check the source's filter (a JQL fragment) and release template.",
            tracker=name,
        )
    if status == 410:
        return BadResponseError(
            f"Jira tracker '{name}' answered 410 Gone while {what}: the server no longer offers "
            "this API (Jira Cloud removed /search in favour of /search/jql). Set flavor = "
            '"auto" or "cloud" for this tracker.',
            tracker=name,
        )
    if status == 429:
        wait = f" It asked to wait {retry_after:.0f} s." if retry_after else ""
        return RateLimitedError(
            f"Jira tracker '{name}' kept rate-limiting secgate (HTTP 429) while {what}.{wait} "
            "Try again later, or lower the tracker's concurrency setting.",
            tracker=name,
            retry_after=retry_after,
        )
    if status >= 500:
        return UnavailableError(
            f"Jira tracker '{name}' failed with HTTP {status} while {what}{said}. Jira may be "
            "down or overloaded; try again later.",
            tracker=name,
        )
    return BadResponseError(
        f"Jira tracker '{name}' answered HTTP {status} while {what}{said}.", tracker=name
    )


def transport_error(ctx: Context, what: str, exc: requests.RequestException) -> ConnectorError:
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
        return UnavailableError(
            f"Jira tracker '{ctx.tracker}' did not answer in time while {what}. Jira may be "
            "overloaded; try again later or raise the tracker's timeout_seconds.",
            tracker=ctx.tracker,
        )
    return UnavailableError(
        f"Jira tracker '{ctx.tracker}' could not be reached at {ctx.url} while {what} "
        f"({type(exc).__name__}). Check the url setting and the network.",
        tracker=ctx.tracker,
    )


def describe_json(value: object) -> str:
    """A short, safe description of an unexpected JSON value for messages."""
    text = json.dumps(value)[:80]
    return text if len(text) < 80 else text + "..."
