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

from connectors.anomaly import AnomalyFieldError, normalized_severity
from connectors.jira.anomaly import AnomalyRules
from connectors.jira.textvalues import adf_text, named
from connectors.keys import checked_key
from secgate_tui.domain.model import Disposition, Issue, Severity
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
    #: Where acceptances, CWE ids, compensating controls and safety impact are.
    anomaly: AnomalyRules = field(default_factory=AnomalyRules)
    #: Case-folded tracker severity -> normalized severity (empty: kept as is).
    severity_map: Mapping[str, Severity] = field(default_factory=dict)

    def table(self) -> dict[str, Disposition]:
        merged = dict(DEFAULT_DISPOSITIONS)
        merged.update({name.casefold(): value for name, value in self.dispositions.items()})
        return merged

    def fields(self) -> list[str]:
        extra = [f for f in (self.severity_field, self.justification_field) if f]
        extra.extend(self.anomaly.fields())
        return [*BASE_FIELDS, *dict.fromkeys(f for f in extra if f not in BASE_FIELDS)]

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
    labels = tuple(fields.get("labels") or ())
    fix_versions = _names(fields.get("fixVersions"))
    justification = justification_of(fields, rules)
    severity = named(fields.get(rules.severity_field)) if rules.severity_field else None
    try:
        anomaly = rules.anomaly.issue_fields(
            key,
            fields,
            labels=[label for label in labels if isinstance(label, str)],
            fix_versions=fix_versions,
            justification=justification,
            table=table,
        )
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
            labels=labels,  # validated as strings by Issue
            components=_names(fields.get("components")),
            fix_versions=fix_versions,
            affects_versions=_names(fields.get("versions")),
            priority=_name(fields.get("priority")),
            severity=normalized_severity(severity, rules.severity_map),
            created=created,
            updated=updated,
            closed_at=parse_time(fields.get("resolutiondate")),
            assignee=named(fields.get("assignee")),
            justification=justification,
            raw_digest=digest or raw_digest(raw),
            **anomaly,
        )
    except AnomalyFieldError as exc:
        raise MappingError(str(exc)) from None
    except ValidationError as exc:  # e.g. a label that is not a string
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MappingError(f"{key}: {where}: {first['msg']}") from None
