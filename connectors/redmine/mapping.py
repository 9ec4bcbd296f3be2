"""Pure mapping of Redmine's REST JSON to secgate's model. No network, no I/O.

Redmine has no resolution field: the disposition comes from a configured custom
field or, failing that, from the status name, through a table merged over
:data:`DEFAULT_DISPOSITIONS`. A closed issue whose value is in no table falls
back to ``default_disposition`` and otherwise stays ``unknown`` (it blocks).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from connectors.anomaly import normalized_severity, severity_table
from connectors.base import Markup, Release
from connectors.keys import checked_key
from connectors.redmine.anomaly import AnomalyRules
from connectors.redmine.fields import FieldRef, field_values
from secgate_tui.domain.model import Disposition, Issue, Severity
from secgate_tui.domain.text import without_userinfo

#: Stock Redmine statuses plus the names a security process commonly adds.
DEFAULT_DISPOSITIONS: Mapping[str, Disposition] = {
    "closed": Disposition.FIXED,
    "resolved": Disposition.FIXED,
    "fixed": Disposition.FIXED,
    "rejected": Disposition.WONT_FIX,
    "won't fix": Disposition.WONT_FIX,
    "wont fix": Disposition.WONT_FIX,
    "duplicate": Disposition.DUPLICATE,
    "not a defect": Disposition.NOT_A_DEFECT,
    "not a bug": Disposition.NOT_A_DEFECT,
    "risk accepted": Disposition.RISK_ACCEPTED,
    "deferred": Disposition.DEFERRED,
}

#: Dispositions a justification is looked for (they need one to pass the gate).
NEEDS_JUSTIFICATION = frozenset(
    {Disposition.RISK_ACCEPTED, Disposition.DEFERRED, Disposition.WONT_FIX}
)

JsonDict = dict[str, Any]


def disposition_table(overrides: Mapping[str, Disposition]) -> dict[str, Disposition]:
    """Defaults with the configured values on top, keys case-folded."""
    table = dict(DEFAULT_DISPOSITIONS)
    table.update({name.strip().casefold(): value for name, value in overrides.items()})
    return table


def parse_time(value: str | None) -> datetime | None:
    """Redmine's ``2026-11-22T08:26:04Z`` as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # Redmine always sends UTC; never guess otherwise
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The form ``updated_on=>=`` accepts: UTC, whole seconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def release_of(version: JsonDict, today: date) -> Release:
    """A version counts as released when closed or locked, or when its due date passed."""
    due = version.get("due_date")
    due_date = date.fromisoformat(due) if due else None
    released = version.get("status") in ("closed", "locked") or (
        due_date is not None and due_date < today
    )
    return Release(name=str(version["name"]), released=released, release_date=due_date)


def markup_of(text_formatting: str | None) -> Markup:
    """secgate's markup name for Redmine's text formatting setting."""
    if text_formatting == "textile":
        return "textile"
    if text_formatting in ("markdown", "common_mark"):
        return "markdown"
    return "plain"


def issue_key(issue_id: int | str) -> str:
    return f"#{issue_id}"


def issue_id(key: str) -> int:
    """``#123`` (or ``123``) -> 123; anything else is a ValueError."""
    text = key.strip().removeprefix("#")
    if not text.isdigit():
        raise ValueError(f"'{key}' is not a Redmine issue key like #123")
    return int(text)


def raw_digest(raw: JsonDict) -> str:
    """SHA-256 of the issue JSON as received, canonically serialized."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def justification_from_notes(journals: Iterable[JsonDict], prefix: str) -> str | None:
    """The latest note starting with ``prefix``, without it; None when there is none."""
    found: str | None = None
    for journal in journals:
        notes = journal.get("notes") or ""
        stripped = notes.lstrip()
        if prefix and stripped.startswith(prefix):
            text = stripped[len(prefix) :].strip()
            if text:
                found = text
    return found


class IssueMapper:
    """Maps issue JSON to :class:`Issue` with one tracker's settings and lookups."""

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        dispositions: Mapping[str, Disposition],
        default_disposition: Disposition | None,
        disposition_field: str | None,
        justification_field: str | None,
        label_fields: Sequence[str],
        affects_version_field: str | None,
        severity_field: str | None,
        anomaly: AnomalyRules | None = None,
        severity_map: Mapping[str, Severity] | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.table = disposition_table(dispositions)
        self.default_disposition = default_disposition
        self.disposition_field = FieldRef(disposition_field) if disposition_field else None
        self.justification_field = FieldRef(justification_field) if justification_field else None
        self.label_fields = [FieldRef(spec) for spec in label_fields]
        self.affects_field = FieldRef(affects_version_field) if affects_version_field else None
        self.severity_field = FieldRef(severity_field) if severity_field else None
        #: Where acceptances, CWE ids, compensating controls and safety impact are.
        self.anomaly = anomaly
        self.severities = severity_table(severity_map or {})

    def version_values(self, raw: JsonDict) -> list[str]:
        """Values of the custom fields that may hold version ids, to translate to names."""
        found = field_values(raw, self.affects_field)
        return [*found, *self.anomaly.version_values(raw)] if self.anomaly else found

    def resolution(self, raw: JsonDict) -> str:
        """The raw value the disposition is read from: custom field, else status."""
        configured = field_values(raw, self.disposition_field)
        if configured:
            return configured[0]
        return str((raw.get("status") or {}).get("name", ""))

    def disposition(self, resolution: str, closed: bool) -> Disposition:
        found = self.table.get(resolution.strip().casefold())
        if found is not None:
            return found
        if closed and self.default_disposition is not None:
            return self.default_disposition
        return Disposition.UNKNOWN

    def field_justification(self, raw: JsonDict) -> str | None:
        values = field_values(raw, self.justification_field)
        text = "\n".join(values).strip()
        return text or None

    def needs_note_justification(self, issue: Issue) -> bool:
        """A residual item without a field justification or without who resolved it, or
        an acceptance still missing its justification, acceptor or time: its journals
        must be read."""
        if self.anomaly is not None and self.anomaly.needs_journals(issue):
            return True
        residual = issue.closed and issue.disposition in NEEDS_JUSTIFICATION
        return residual and not (issue.justification and issue.resolved_by)

    def resolver(self, issue: Issue, journals: Iterable[JsonDict]) -> dict[str, Any]:
        """Who set a residual item's present resolution, and when: the newest journal
        that set the disposition field to it or, when the status gives it, the newest
        status change. Nothing when the journals do not show it ("not stated")."""
        if not issue.closed or issue.disposition not in NEEDS_JUSTIFICATION or issue.resolved_by:
            return {}
        wanted = (issue.resolution or "").strip().casefold()
        field_id = self.disposition_field.known_id if self.disposition_field else None
        newest: dict[str, JsonDict] = {}
        for journal in sorted(journals, key=lambda j: int(j.get("id") or 0)):
            for detail in journal.get("details") or []:
                if detail.get("property") == "attr" and detail.get("name") == "status_id":
                    newest["status"] = journal
                elif (
                    field_id is not None
                    and detail.get("property") == "cf"
                    and str(detail.get("name")) == str(field_id)
                ):
                    # Only the newest change of the field explains its present value.
                    value = str(detail.get("new_value") or "").strip().casefold()
                    if value == wanted:
                        newest["field"] = journal
                    else:
                        newest.pop("field", None)
        found = newest.get("field")
        if found is None and wanted == issue.status.strip().casefold():
            found = newest.get("status")
        if found is None:
            return {}
        user = found.get("user")
        name = user.get("name") if isinstance(user, dict) else None
        at = parse_time(found.get("created_on"))
        if not name or at is None:
            return {}
        return {"resolved_by": str(name), "resolved_on": at}

    def with_journals(self, issue: Issue, journals: Sequence[JsonDict], prefix: str) -> Issue:
        """The issue completed from its journals: the justification note (when no field
        gave one), who resolved a residual item and when, and, for acceptances, who set
        them and when."""
        text = justification_from_notes(journals, prefix)
        if text and not issue.justification:
            issue = issue.model_copy(update={"justification": text})
        resolved = self.resolver(issue, journals)
        if resolved:
            issue = issue.model_copy(update=resolved)
        if self.anomaly is not None and issue.acceptances:
            issue = self.anomaly.with_journals(issue, journals, text, self.table)
        return issue

    def issue(
        self,
        raw: JsonDict,
        closed_statuses: Mapping[int, bool],
        version_names: Mapping[str, str] | None = None,
    ) -> Issue:
        """One issue. ``closed_statuses`` is status id -> is_closed, read once per run.

        Raises:
            KeyError: the status is not in ``closed_statuses`` (the caller
                re-reads the statuses once, then fails closed).
        """
        status = raw.get("status") or {}
        closed = status.get("is_closed")  # Redmine 5.1+ sends it on the issue itself
        if closed is None:
            closed = closed_statuses[int(status["id"])]
        resolution = self.resolution(raw)
        labels: list[str] = []
        for ref in self.label_fields:
            labels.extend(field_values(raw, ref))
        affects = field_values(raw, self.affects_field)
        if version_names:
            affects = [version_names.get(value, value) for value in affects]
        severity = field_values(raw, self.severity_field)
        category = raw.get("category")
        version = raw.get("fixed_version")
        assignee = raw.get("assigned_to")
        created = parse_time(raw.get("created_on"))
        updated = parse_time(raw.get("updated_on")) or created
        if created is None or updated is None:
            raise ValueError(f"issue {raw.get('id')} has no created_on time")
        key = checked_key(issue_key(raw["id"]))
        fix_versions = (str(version["name"]),) if version else ()
        justification = self.field_justification(raw)
        facts: dict[str, Any] = {}
        if self.anomaly is not None:
            facts = self.anomaly.issue_fields(
                key,
                raw,
                labels=labels,
                fix_versions=fix_versions,
                justification=justification,
                table=self.table,
                version_names=version_names,
            )
        return Issue(
            source=self.source,
            key=key,
            url=without_userinfo(f"{self.base_url}/issues/{raw['id']}"),
            title=str(raw.get("subject", "")),
            type=str((raw.get("tracker") or {}).get("name", "")),
            status=str(status.get("name", "")),
            closed=bool(closed),
            resolution=resolution or None,
            disposition=self.disposition(resolution, bool(closed)),
            labels=tuple(dict.fromkeys(labels)),
            components=(str(category["name"]),) if category else (),
            fix_versions=fix_versions,
            affects_versions=tuple(dict.fromkeys(affects)),
            priority=(raw.get("priority") or {}).get("name"),
            severity=normalized_severity(severity[0] if severity else None, self.severities),
            created=created,
            updated=updated,
            closed_at=parse_time(raw.get("closed_on")) if closed else None,
            assignee=(assignee or {}).get("name"),
            justification=justification,
            raw_digest=raw_digest(raw),
            **facts,
        )
