"""Open/close transitions of Jira issues, read from their changelogs.

A status change is a close when the new status's category is ``done`` and the
old one's is not, an open (reopen) when the reverse; statuses are resolved to
categories through ``/status`` once per call. Cloud reads the changelogs with
the issues through the bulk fetch (100 issues a request), which carries at most
the 40 newest entries; an issue with more is read again through its paginated
``/changelog``. Data Center expands the changelog of each issue, which is
complete. Requests run on a bounded pool; a history secgate cannot read in full
is an error, never a shorter list (a missed reopen would understate the review).
:meth:`History.histories` gives the entries themselves, for who set an
acceptance label (acceptors.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import quote

from connectors.base import BadResponseError, NotFoundError
from connectors.jira.client import JiraClient
from connectors.jira.errors import describe_json
from connectors.jira.mapping import parse_time
from secgate_tui.domain.model import StateEvent

BULK = 100
CHANGELOG_PAGE = 100
DONE = "done"

#: (created, from status id, from name, to status id, to name) of one status change
Change = tuple[datetime, str | None, str | None, str | None, str | None]


class History:
    """Reads the status changes of a set of issues for one ``state_events`` call."""

    def __init__(self, client: JiraClient) -> None:
        self.client = client

    def events(self, keys: Sequence[str]) -> list[StateEvent]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return []
        categories = self._categories()
        changes = [
            (key, change)
            for key, histories in self.histories(wanted).items()
            for history in histories
            for change in self._changes(key, history)
        ]
        events: list[StateEvent] = []
        for key, change in changes:
            state = self._transition(key, change, categories)
            if state is not None:
                events.append(
                    StateEvent(source=self.client.name, key=key, at=change[0], state=state)
                )
        return sorted(events, key=lambda e: (e.key, e.at))

    def histories(self, keys: Sequence[str]) -> dict[str, list[Any]]:
        """Every changelog entry of each issue (Jira's own order), complete or an error."""
        wanted = list(dict.fromkeys(keys))
        if self.client.is_cloud:
            chunks = [wanted[i : i + BULK] for i in range(0, len(wanted), BULK)]
            jobs = [functools.partial(self._bulk, chunk) for chunk in chunks]
        else:
            jobs = [functools.partial(self._datacenter, key) for key in wanted]
        return dict(self._pooled(jobs))

    # -- statuses ------------------------------------------------------------

    def _categories(self) -> dict[str, str]:
        """Status id and name -> category key."""
        api = "3" if self.client.is_cloud else "2"
        body = self.client.request("GET", f"/rest/api/{api}/status", "reading statuses")
        if not isinstance(body, list):
            raise self._bad(f"the status list is {describe_json(body)}")
        out: dict[str, str] = {}
        for status in body:
            category = status.get("statusCategory") if isinstance(status, dict) else None
            key = category.get("key") if isinstance(category, dict) else None
            if not isinstance(key, str):
                raise self._bad("a status without a category")
            for ident in (status.get("id"), status.get("name")):
                if isinstance(ident, str | int) and not isinstance(ident, bool):
                    out.setdefault(str(ident), key)
        return out

    def _transition(self, key: str, change: Change, categories: dict[str, str]) -> str | None:
        _, from_id, from_name, to_id, to_name = change
        before = self._category(key, from_id, from_name, categories)
        after = self._category(key, to_id, to_name, categories)
        if before != DONE and after == DONE:
            return "closed"
        if before == DONE and after != DONE:
            return "opened"
        return None

    def _category(
        self, key: str, ident: str | None, name: str | None, categories: dict[str, str]
    ) -> str:
        # By id first; a status since deleted may still be known by its name.
        for probe in (ident, name):
            if probe is not None and probe in categories:
                return categories[probe]
        raise self._bad(
            f"{key}'s history names status {name or ident or '(none)'}, which /status does "
            "not list, so whether it was a close cannot be told"
        )

    # -- reading -------------------------------------------------------------

    def _bulk(self, keys: list[str]) -> list[tuple[str, list[Any]]]:
        body = self.client.request(
            "POST",
            "/rest/api/3/issue/bulkfetch",
            "reading issue history",
            json_body={"issueIdsOrKeys": keys, "fields": ["status"], "expand": ["changelog"]},
            idempotent=True,  # a read, though a POST
        )
        if not isinstance(body, dict) or not isinstance(body.get("issues"), list):
            raise self._bad(f"the bulk fetch answered {describe_json(body)}")
        if body.get("issueErrors"):
            raise self._bad(f"{len(body['issueErrors'])} issues could not be read")
        found: dict[str, list[Any]] = {}
        for issue in body["issues"]:
            key = issue.get("key") if isinstance(issue, dict) else None
            if not isinstance(key, str):
                raise self._bad("an issue without a key")
            page = issue.get("changelog")
            histories = self._histories(key, page, "histories")
            if isinstance(page, dict) and _count(page.get("total")) > len(histories):
                histories = self._changelog(key)  # the expand stops at the newest 40
            found[key.upper()] = histories
        missing = [k for k in keys if k.upper() not in found]
        if missing:
            raise self._not_found(missing)
        return [(key, found[key.upper()]) for key in keys]

    def _changelog(self, key: str) -> list[Any]:
        path = f"/rest/api/3/issue/{quote(key, safe='')}/changelog"
        out: list[Any] = []
        while True:
            params = {"startAt": len(out), "maxResults": CHANGELOG_PAGE}
            page = self.client.request("GET", path, f"reading the history of {key}", params=params)
            values = self._histories(key, page, "values")
            out.extend(values)
            if page.get("isLast") is True:
                return out
            if not values:
                raise self._bad(f"{key}'s history ended early with an empty page")

    def _datacenter(self, key: str) -> list[tuple[str, list[Any]]]:
        body = self.client.request(
            "GET",
            f"/rest/api/2/issue/{quote(key, safe='')}",
            f"reading the history of {key}",
            params={"expand": "changelog", "fields": "status"},
        )
        page = body.get("changelog") if isinstance(body, dict) else None
        histories = self._histories(key, page, "histories")
        if isinstance(page, dict) and _count(page.get("total")) > len(histories):
            raise self._bad(f"{key}'s history came back incomplete")
        return [(key, histories)]

    def _histories(self, key: str, page: Any, name: str) -> list[Any]:
        value = page.get(name) if isinstance(page, dict) else None
        if not isinstance(value, list):
            raise self._bad(f"{key}'s history is not a list of changes")
        return value

    def _changes(self, key: str, history: Any) -> list[Change]:
        items = history.get("items") if isinstance(history, dict) else None
        if not isinstance(items, list):
            raise self._bad(f"a history entry of {key} has no items")
        status = [i for i in items if isinstance(i, dict) and i.get("field") == "status"]
        if not status:
            return []
        created = parse_time(history.get("created"))
        if created is None:
            raise self._bad(f"a status change of {key} has no readable time")
        return [
            (
                created,
                _text(i.get("from")),
                _text(i.get("fromString")),
                _text(i.get("to")),
                _text(i.get("toString")),
            )
            for i in status
        ]

    # -- plumbing ------------------------------------------------------------

    def _pooled(
        self, jobs: Sequence[Callable[[], list[tuple[str, list[Any]]]]]
    ) -> list[tuple[str, list[Any]]]:
        """Run the jobs on a bounded pool; the first failure wins."""
        with ThreadPoolExecutor(
            max_workers=self.client.settings.concurrency, thread_name_prefix="jira-history"
        ) as pool:
            futures = [pool.submit(job) for job in jobs]
            try:
                return [change for future in futures for change in future.result()]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _bad(self, detail: str) -> BadResponseError:
        return BadResponseError(
            f"Jira tracker '{self.client.name}' sent issue history secgate cannot read "
            f"({detail}). Neither reopened issues nor who accepted a risk can be read from it.",
            tracker=self.client.name,
        )

    def _not_found(self, keys: list[str]) -> NotFoundError:
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        return NotFoundError(
            f"Jira tracker '{self.client.name}' has no issue {shown} visible to this "
            "account, so its history cannot be read.",
            tracker=self.client.name,
        )


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
