"""Which issues a Jira issue is linked to by the configured evidence link types. Pure.

An issue's ``issuelinks`` field lists each link with its type (``name``,
``inward`` and ``outward`` wording) and the other issue as ``outwardIssue``
(this issue is the link's source: the outward wording reads from here) or
``inwardIssue`` (the inward wording does). A configured type matches the
type's name or the wording as read from this issue, in any case, so both
``"Relates"`` and ``"is evidence for"`` can be configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.base import BadResponseError


def linked_keys(key: str, body: Any, types: Sequence[str], tracker: str) -> list[str]:
    """Keys of the issues ``key`` links to by one of ``types``, from its ``issuelinks``."""
    fields = body.get("fields") if isinstance(body, dict) else None
    links = fields.get("issuelinks") if isinstance(fields, dict) else None
    if links is None and isinstance(fields, dict):
        links = []  # Jira leaves out a field an issue has no value for
    if not isinstance(links, list):
        raise BadResponseError(
            f"Jira tracker '{tracker}' sent the links of {key} in a form secgate cannot read, "
            "so which releases it is linked to cannot be told.",
            tracker=tracker,
        )
    wanted = {t.strip().casefold() for t in types}
    found: list[str] = []
    for link in links:
        kind = link.get("type") if isinstance(link, dict) else None
        if not isinstance(kind, dict):
            continue
        for side, wording in (("outwardIssue", "outward"), ("inwardIssue", "inward")):
            other = link.get(side)
            other_key = other.get("key") if isinstance(other, dict) else None
            names = {
                str(kind.get("name") or "").casefold(),
                str(kind.get(wording) or "").casefold(),
            }
            if isinstance(other_key, str) and names & wanted and other_key not in found:
                found.append(other_key)
    return found
