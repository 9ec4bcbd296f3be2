"""Checks every page of a GitLab list against GitLab's documented pagination headers.

GitLab's offset pagination answers each page with ``X-Page``, ``X-Per-Page``,
``X-Next-Page`` (empty on the last page) and a ``Link`` header whose
``rel="next"`` agrees with it; up to 10,000 results it also states ``X-Total``
and ``X-Total-Pages``. A page that contradicts these, or a list whose pages do
not add up to the stated total, was not produced by GitLab as documented (a
proxy, a cache, a bug): it is a bad response, so the source fails and the last
good data is kept. An empty answer never passes for an empty milestone when
GitLab's own count says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.base import BadResponseError


class PagesChangedError(BadResponseError):
    """The pages disagree on the total: the list changed while it was read (read again)."""


def _number(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name, "")
    return int(value) if value.isdigit() else None


def _has_next_link(headers: Mapping[str, str]) -> bool:
    return any('rel="next"' in part for part in headers.get("Link", "").split(","))


def check_page(
    headers: Mapping[str, str],
    items: Sequence[Any],
    params: Mapping[str, Any],
    *,
    tracker: str,
    what: str,
) -> None:
    """One page against its own headers and the page that was asked for.

    Raises:
        BadResponseError: the page contradicts GitLab's pagination rules.
    """
    page = int(params.get("page", 1))
    per_page = int(params.get("per_page", 20))
    problems: list[str] = []
    if _number(headers, "X-Page") != page:
        problems.append(f"X-Page is {headers.get('X-Page')!r} for page {page}")
    if _number(headers, "X-Per-Page") != per_page:
        problems.append(f"X-Per-Page is {headers.get('X-Per-Page')!r}, asked {per_page}")
    if len(items) > per_page:
        problems.append(f"{len(items)} items on a page of {per_page}")
    if "X-Next-Page" not in headers:
        problems.append("no X-Next-Page header")
    following = _number(headers, "X-Next-Page")
    if following is not None and following != page + 1:
        problems.append(f"X-Next-Page is {following} after page {page}")
    if (following is not None) != _has_next_link(headers):
        problems.append("X-Next-Page and the Link header disagree about a next page")
    if following is not None and len(items) < per_page:
        problems.append(f"a short page ({len(items)} of {per_page}) announces a next page")
    total = _number(headers, "X-Total")
    if total is not None:
        expected = min(per_page, max(0, total - (page - 1) * per_page))
        if len(items) != expected:
            problems.append(f"{len(items)} items where X-Total {total} means {expected}")
        if (following is not None) != (page * per_page < total):
            problems.append(f"X-Next-Page {following!r} contradicts X-Total {total}")
    if problems:
        raise BadResponseError(
            f"GitLab answered a page of {what} that contradicts its own pagination headers "
            f"({'; '.join(problems)}); nothing from this answer is trusted. Check for a "
            "proxy or cache between secgate and GitLab, then sync again.",
            tracker=tracker,
        )


def check_total(totals: Sequence[int | None], read: int, *, tracker: str, what: str) -> None:
    """Every page's ``X-Total`` (None where GitLab does not count) against what was read.

    Raises:
        PagesChangedError: the pages state different totals (the list changed).
        BadResponseError: the pages agree on a total that the items do not add up to.
    """
    stated = {total for total in totals if total is not None}
    if not stated:
        return  # above 10,000 results GitLab stops counting
    if len(stated) > 1:
        raise PagesChangedError(
            f"GitLab's count of {what} changed while it was read "
            f"({', '.join(str(t) for t in sorted(stated))}); read it again.",
            tracker=tracker,
        )
    (total,) = stated
    if read != total:
        raise BadResponseError(
            f"GitLab counted {total} items in {what} (X-Total) but its pages held {read}; nothing "
            "from this answer is trusted. Check for a proxy or cache between secgate and "
            "GitLab, then sync again.",
            tracker=tracker,
        )
