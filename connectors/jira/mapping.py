"""Jira issue JSON -> :class:`secgate_tui.domain.Issue`. Pure: no network, no I/O.

Accepts both REST v2 bodies (text fields are wiki-markup strings) and v3 bodies
(text fields are Atlassian Document Format trees), so the same mapping serves
Data Center and Cloud.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors.keys import checked_key
from secgate_tui.domain.model import Disposition, Issue
from secgate_tui.domain.text import without_userinfo

#: Resolution name (case-insensitive) -> disposition; settings.dispositions go over these.
DEFAULT_DISPOSITIONS: dict[str, Disposition] = {
    "fixed": Disposition.FIXED,
    "done": Disposition.FIXED,
    "duplicate": Disposition.DUPLICATE,
    "won't fix": Disposition.WONT_FIX,
    "won't do": Disposition.WONT_FIX,
    "cannot reproduce": Disposition.NOT_A_DEFECT,
    "not a bug": Disposition.NOT_A_DEFECT,
    "risk accepted": Disposition.RISK_ACCEPTED,
    "deferred": Disposition.DEFERRED,
}

#: The fields a release gate needs; everything else stays on the server.
BASE_FIELDS = (
    "summary",
    "status",
    "resolution",
    "issuetype",
    "labels",
    "components",
    "fixVersions",
    "versions",
    "priority",
    "created",
    "updated",
    "resolutiondate",
    "assignee",
    "comment",
)


@dataclass(frozen=True)
class IssueMapper:
    """Maps Jira issue JSON to :class:`Issue` with what the tracker's settings say."""

    source: str
    base_url: str = ""
    dispositions: Mapping[str, Disposition] = field(default_factory=dict)
    default_disposition: Disposition | None = None
    severity_field: str | None = None
    justification_field: str | None = None
    justification_prefix: str = "Risk acceptance:"

    def table(self) -> dict[str, Disposition]:
        merged = dict(DEFAULT_DISPOSITIONS)
        merged.update({name.casefold(): value for name, value in self.dispositions.items()})
        return merged

    def fields(self) -> list[str]:
        extra = [f for f in (self.severity_field, self.justification_field) if f]
        return [*BASE_FIELDS, *(f for f in extra if f not in BASE_FIELDS)]

    def issue(
        self,
        raw: Mapping[str, Any],
        digest: str | None = None,
        table: Mapping[str, Disposition] | None = None,
    ) -> Issue:
        """One Jira issue as secgate's Issue.

        ``digest`` is the SHA-256 of the issue's text as Jira sent it, when the
        caller has it; otherwise the canonical JSON of ``raw`` is digested.
        ``table`` is :meth:`table`, passed in by callers mapping many issues.

        Raises:
            MappingError: the payload is not a Jira issue secgate can trust.
        """
        return _issue(raw, self, table if table is not None else self.table(), digest)


# ASCII escapes: the same digest for the same content, and a quarter cheaper to encode.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def raw_digest(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the issue's JSON as Jira sent it, keys sorted (order-independent)."""
    return hashlib.sha256(_CANONICAL.encode(raw).encode("utf-8")).hexdigest()


def _name(value: Any) -> str | None:
    """The ``name`` of a Jira object (status, priority, type, resolution, version)."""
    if isinstance(value, dict):
        name = value.get("name")
        return str(name) if name else None
    return named(value)


def _names(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    # The common shape inline (this runs three times for each of 20,000 issues).
    if all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in values):
        return tuple([v["name"] for v in values if v["name"]])
    return tuple([n for n in map(_name, values) if n])


def parse_time(value: Any) -> datetime | None:
    """Jira's ``2026-11-20T10:15:30.000+0100``; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format tree (or a v2 string as is)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_text(child) for child in node)
    if not isinstance(node, dict):
        return str(node)
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    inner = adf_text(node.get("content"))
    if kind == "doc":
        return inner.rstrip("\n")
    if kind in ("paragraph", "heading", "codeBlock", "blockquote", "listItem", "rule"):
        return inner + "\n"
    return inner


def named(value: Any) -> str | None:
    """The display text of a Jira value: option, user, priority, plain string."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for attr in ("value", "displayName", "name", "key", "id"):
            if value.get(attr):
                return str(value[attr])
        if value.get("type") == "doc":
            return adf_text(value) or None
        return None
    if isinstance(value, list):
        names = [n for n in (named(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def disposition_of(
    closed: bool, resolution: str | None, rules: IssueMapper, table: Mapping[str, Disposition]
) -> Disposition:
    if resolution:
        return table.get(resolution.strip().casefold(), Disposition.UNKNOWN)
    if closed:
        return rules.default_disposition or Disposition.UNKNOWN
    return Disposition.UNKNOWN


def justification_of(fields: Mapping[str, Any], rules: IssueMapper) -> str | None:
    """The configured field, else the newest comment that starts with the prefix."""
    if rules.justification_field:
        text = named(fields.get(rules.justification_field))
        if text and text.strip():
            return text.strip()
    prefix = rules.justification_prefix
    comments = fields.get("comment")
    if not prefix or comments is None:
        return None
    listed = comments.get("comments") if isinstance(comments, dict) else comments
    if not isinstance(listed, list):
        return None
    newest: tuple[str, str] | None = None
    for comment in listed:
        if not isinstance(comment, dict):
            continue
        body = adf_text(comment.get("body")).lstrip()
        if not body.startswith(prefix):
            continue
        stamp = str(comment.get("created") or "")
        parsed = parse_time(stamp)
        order = parsed.isoformat() if parsed else stamp
        if newest is None or order >= newest[0]:
            newest = (order, body[len(prefix) :].strip())
    return newest[1] if newest and newest[1] else None


class MappingError(ValueError):
    """The payload lacks what every Jira issue has (key, status, created, updated)."""


def _issue(
    raw: Mapping[str, Any],
    rules: IssueMapper,
    table: Mapping[str, Disposition],
    digest: str | None,
) -> Issue:
    key = raw.get("key")
    fields = raw.get("fields")
    if not isinstance(key, str) or not isinstance(fields, dict):
        raise MappingError(f"an issue without key or fields (id {raw.get('id')!r})")
    try:
        checked_key(key)
    except ValueError as exc:
        raise MappingError(str(exc)) from None
    status = fields.get("status")
    if not isinstance(status, dict):
        status = None
    created = parse_time(fields.get("created"))
    updated = parse_time(fields.get("updated"))
    if status is None or created is None or updated is None:
        raise MappingError(f"{key} lacks status, created or updated")
    category = status.get("statusCategory")
    closed = isinstance(category, dict) and category.get("key") == "done"
    resolution = _name(fields.get("resolution"))
    try:
        return Issue(
            source=rules.source,
            key=key,
            url=without_userinfo(f"{rules.base_url}/browse/{key}") if rules.base_url else "",
            title=str(fields.get("summary") or ""),
            type=_name(fields.get("issuetype")) or "",
            status=_name(status) or "",
            closed=closed,
            resolution=resolution,
            disposition=disposition_of(closed, resolution, rules, table),
            labels=tuple(fields.get("labels") or ()),  # validated as strings by Issue
            components=_names(fields.get("components")),
            fix_versions=_names(fields.get("fixVersions")),
            affects_versions=_names(fields.get("versions")),
            priority=_name(fields.get("priority")),
            severity=named(fields.get(rules.severity_field)) if rules.severity_field else None,
            created=created,
            updated=updated,
            closed_at=parse_time(fields.get("resolutiondate")),
            assignee=named(fields.get("assignee")),
            justification=justification_of(fields, rules),
            raw_digest=digest or raw_digest(raw),
        )
    except ValidationError as exc:  # e.g. a label that is not a string
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MappingError(f"{key}: {where}: {first['msg']}") from None
