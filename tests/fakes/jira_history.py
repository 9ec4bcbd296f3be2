"""The fake Jira's issue history: statuses, changelogs, and the changelog expand.

Shapes follow the v3 OpenAPI document: ``GET /status`` is a list of
StatusDetails, ``GET /issue/{key}/changelog`` a PageBeanChangelog (Cloud only),
and ``expand=changelog`` adds a PageOfChangelogs to an issue. The bulk fetch
returns at most the 40 newest entries, newest first, as documented; an issue's
own ``expand`` returns them all, oldest first, as Data Center does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.jira_render import stamp
from tests.fakes.jira_state import FakeChange, FakeIssue, status_id

if TYPE_CHECKING:
    from tests.fakes.jira_server import FakeJira

BULK_CHANGELOG_CAP = 40


def wants_changelog(expand: Any) -> bool:
    items = expand if isinstance(expand, list) else [expand or ""]
    return any("changelog" in str(item).split(",") for item in items)


def entry(fake: FakeJira, change: FakeChange) -> dict[str, Any]:
    """A Changelog bean for one status transition or change of labels or resolution."""
    if change.field in ("labels", "resolution"):
        item: dict[str, Any] = {
            "field": change.field,
            "fieldtype": "jira",
            "fieldId": change.field,
            # Jira sends "from"/"to" null here; the v3 document types them as plain
            # strings, so the fake leaves them out (the connector reads the *String ones).
            "fromString": change.from_status,
            "toString": change.to_status,
        }
        # No resolution: Jira sends null, which the v3 document does not allow; left out.
        item = {name: value for name, value in item.items() if value != ""}
    else:
        item = {
            "field": "status",
            "fieldtype": "jira",
            "fieldId": "status",
            "from": status_id(change.from_status),
            "fromString": change.from_status,
            "to": status_id(change.to_status),
            "toString": change.to_status,
        }
    author = fake.state.find_user(change.author_id) if change.author_id else fake.state.user
    return {
        "id": str(change.id),
        "author": fake.render.user(details=True, user=author),
        "created": stamp(change.created, fake.state.user_zone),
        "items": [item],
    }


def expanded(fake: FakeJira, issue: FakeIssue, *, bulk: bool) -> dict[str, Any]:
    """The PageOfChangelogs an ``expand=changelog`` adds. Call with the state lock held."""
    history = issue.history
    shown = list(reversed(history))[:BULK_CHANGELOG_CAP] if bulk else list(history)
    return {
        "startAt": 0,
        "maxResults": len(shown),
        "total": len(history),
        "histories": [entry(fake, change) for change in shown],
    }


def with_changelog(
    fake: FakeJira, issue: FakeIssue, bean: dict[str, Any], *, bulk: bool
) -> dict[str, Any]:
    """An issue bean (the renderer's cached dict, left unchanged) plus its changelog."""
    return {**bean, "changelog": expanded(fake, issue, bulk=bulk)}


def statuses(fake: FakeJira, version: str) -> list[dict[str, Any]]:
    with fake.state.lock:
        return [fake.render.status(name, version) for name in fake.state.statuses()]


def changelog_page(
    fake: FakeJira, issue: FakeIssue, query: dict[str, list[str]], version: str
) -> dict[str, Any]:
    """A PageBeanChangelog: ``startAt`` paging, oldest first."""
    start = max(0, int(query.get("startAt", ["0"])[0] or 0))
    wanted = int(query.get("maxResults", ["100"])[0] or 100)
    size = max(1, min(wanted, fake.changelog_max_results))
    with fake.state.lock:
        history = list(issue.history)
        page = history[start : start + size]
        base = f"{fake.render.api(version)}/issue/{issue.key}/changelog"
        out: dict[str, Any] = {
            "self": f"{base}?startAt={start}&maxResults={size}",
            "startAt": start,
            "maxResults": size,
            "total": len(history),
            "isLast": start + size >= len(history),
            "values": [entry(fake, change) for change in page],
        }
        if not out["isLast"]:
            out["nextPage"] = f"{base}?startAt={start + size}&maxResults={size}"
        return out


CHANGELOG_PATH = re.compile(r"issue/([^/]+)/changelog")
