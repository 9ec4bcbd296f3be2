"""GitLab issue JSON -> :class:`secgate_tui.domain.Issue`. Pure: no network, no I/O.

GitLab has no resolution field. A closed issue's disposition comes from a
scoped label (``resolution::fixed`` ...) looked up in the disposition table;
a closed issue without one gets the configured default (fixed unless
configured otherwise); one whose resolution label nobody configured is
``unknown``, which blocks: a gate must not guess.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import types
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.anomaly import normalized_severity, severity_table
from connectors.gitlab import anomaly
from connectors.gitlab.settings import GitLabSettings
from connectors.keys import checked_key
from secgate_tui.domain.model import RESIDUAL, Disposition, Issue
from secgate_tui.domain.text import without_userinfo

Json = dict[str, Any]

CONFIDENTIAL_TITLE = "[confidential issue]"

DEFAULT_DISPOSITIONS: Mapping[str, Disposition] = {
    "resolution::fixed": Disposition.FIXED,
    "resolution::duplicate": Disposition.DUPLICATE,
    "resolution::not-a-defect": Disposition.NOT_A_DEFECT,
    "resolution::risk-accepted": Disposition.RISK_ACCEPTED,
    "resolution::deferred": Disposition.DEFERRED,
    "resolution::wont-fix": Disposition.WONT_FIX,
}

_WEB_KEY = re.compile(r"^https?://[^/]+/(?P<path>.+?)/-/issues/(?P<iid>\d+)")


def disposition_table(settings: GitLabSettings) -> Mapping[str, Disposition]:
    """Defaults (re-prefixed if the prefix is configured) merged with settings.dispositions."""
    return _table(settings.resolution_prefix, tuple(settings.dispositions.items()))


@functools.lru_cache(maxsize=16)
def _table(
    prefix: str, configured: tuple[tuple[str, Disposition], ...]
) -> Mapping[str, Disposition]:
    # Built once per configuration, not once per issue: a sync maps 20,000 of them.
    table = {
        prefix + label.removeprefix("resolution::"): value
        for label, value in DEFAULT_DISPOSITIONS.items()
    }
    table.update(configured)
    return types.MappingProxyType(table)


def issue_key(raw: Json) -> str:
    """``group/project#iid``, from references.full, else from the web URL."""
    full = (raw.get("references") or {}).get("full")
    if isinstance(full, str) and "#" in full:
        return full
    match = _WEB_KEY.match(str(raw.get("web_url") or ""))
    if match:
        return f"{match['path']}#{match['iid']}"
    return f"{raw.get('project_id')}#{raw.get('iid')}"


def raw_digest(raw: Json) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


_STATES = frozenset({"opened", "closed"})


def validate(raw: Any) -> None:
    """What every GitLab issue has (REST v4 "List issues"); anything else is not trusted.

    Raises:
        ValueError: naming the first member that does not fit.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"an item that is not an issue object ({type(raw).__name__})")
    for name in ("id", "iid", "project_id"):
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"an issue whose '{name}' is {value!r}")
    if raw.get("state") not in _STATES:
        raise ValueError(f"issue {raw['iid']} has the state {raw.get('state')!r}")


class IssueMapper:
    """The mapping for one tracker's settings, prepared once: a sync maps 20,000 issues."""

    def __init__(self, source: str, settings: GitLabSettings) -> None:
        self.source = source
        self.settings = settings
        self.table = disposition_table(settings)
        self.resolution_prefix = settings.resolution_prefix
        self.default = settings.default_disposition or Disposition.FIXED
        self.severities = severity_table(settings.severity_map)
        self.prefixes = tuple(
            p
            for p in (
                settings.severity_prefix,
                settings.priority_prefix,
                settings.component_prefix,
                settings.affects_prefix,
            )
            if p
        )

    def resolution(self, labels: Sequence[str]) -> tuple[str | None, Disposition]:
        """The resolution label(s), raw, and the disposition, before open/closed."""
        table, prefix = self.table, self.resolution_prefix
        found = [label for label in labels if label in table or label.startswith(prefix)]
        if not found:
            return None, Disposition.UNKNOWN
        values = {table.get(label, Disposition.UNKNOWN) for label in found}
        # Two resolutions that disagree (possible without scoped-label enforcement) fail closed.
        disposition = values.pop() if len(values) == 1 else Disposition.UNKNOWN
        return ",".join(found), disposition

    def disposition(self, raw: Json) -> tuple[str | None, Disposition]:
        return self._disposition([str(label) for label in raw.get("labels") or []], raw)

    def _disposition(self, labels: Sequence[str], raw: Json) -> tuple[str | None, Disposition]:
        label, disposition = self.resolution(labels)
        if label is None and raw.get("state") == "closed":
            return None, self.default
        return label, disposition

    def scoped(self, labels: Sequence[str]) -> dict[str, list[str]]:
        """Values of the scoped labels secgate reads, by prefix, in one pass."""
        prefixes = self.prefixes
        found: dict[str, list[str]] = {p: [] for p in prefixes}
        for label in labels:
            # One C-level test skips the labels no prefix starts (most of them).
            if not prefixes or not label.startswith(prefixes):
                continue
            for prefix in prefixes:
                if label.startswith(prefix):
                    found[prefix].append(label[len(prefix) :])
        return found

    def issue(
        self, raw: Json, justification: str | None = None, digest: str | None = None
    ) -> Issue:
        """One normalized issue. ``justification`` comes from the issue's notes, if fetched.

        Raises:
            ValueError: the item is not a GitLab issue (ids, state, times as documented).
        """
        validate(raw)
        s = self.settings
        labels = tuple([str(label) for label in raw.get("labels") or []])
        label, disposition = self._disposition(labels, raw)
        closed = raw.get("state") == "closed"
        title = str(raw.get("title") or "")
        if raw.get("confidential") and not s.confidential_titles:
            title = CONFIDENTIAL_TITLE
        scoped = self.scoped(labels)
        severity = next(iter(scoped.get(s.severity_prefix, [])), None)
        if severity is None and str(raw.get("severity") or "UNKNOWN") != "UNKNOWN":
            severity = str(raw["severity"]).lower()  # incidents carry their own severity
        milestone = raw.get("milestone") or {}
        assignees = raw.get("assignees") or ([raw["assignee"]] if raw.get("assignee") else [])
        if justification is None and s.justification_field == "description":
            justification = description_justification(
                str(raw.get("description") or ""), s.justification_prefix
            )
        created = _time(raw.get("created_at"))
        if created is None:
            raise ValueError("issue without created_at")
        key = checked_key(issue_key(raw))
        fix_versions = (str(milestone["title"]),) if milestone.get("title") else ()
        facts = anomaly.issue_fields(
            key,
            s,
            labels=labels,
            description=str(raw.get("description") or ""),
            fix_versions=fix_versions,
            justification=justification,
        )
        closed_at = _time(raw.get("closed_at")) if closed else None
        if closed and label is None and disposition in RESIDUAL:
            facts.update(anomaly.closer(raw, closed_at))
        return Issue(
            source=self.source,
            key=key,
            url=without_userinfo(str(raw.get("web_url") or "")),
            title=title,
            type=str(raw.get("issue_type") or raw.get("type") or "issue"),
            status=str(raw.get("state") or ""),
            closed=closed,
            resolution=label,
            disposition=disposition,
            labels=labels,
            components=tuple(scoped.get(s.component_prefix, [])),
            fix_versions=fix_versions,
            affects_versions=tuple(scoped.get(s.affects_prefix, [])),
            priority=next(iter(scoped.get(s.priority_prefix, [])), None),
            severity=normalized_severity(severity, self.severities),
            created=created,
            updated=_time(raw.get("updated_at")) or created,
            closed_at=closed_at,
            assignee=str(assignees[0].get("username")) if assignees else None,
            justification=justification,
            raw_digest=digest or raw_digest(raw),
            **facts,
        )


def disposition_of(raw: Json, settings: GitLabSettings) -> tuple[str | None, Disposition]:
    return IssueMapper("", settings).disposition(raw)


def description_justification(description: str, prefix: str) -> str | None:
    """The description's text from the first line starting with the prefix, if any."""
    if not prefix or prefix not in description:  # most descriptions: no line to look for
        return None
    lines = description.splitlines()
    for index, line in enumerate(lines):
        if prefix and line.strip().startswith(prefix):
            text = "\n".join(lines[index:]).strip()
            return text or None
    return None


def note_justification(notes: Sequence[Json], prefix: str) -> str | None:
    """The newest user note that starts with the prefix."""
    candidates = [
        note
        for note in notes
        if not note.get("system") and str(note.get("body") or "").lstrip().startswith(prefix)
    ]
    if not candidates:
        return None
    newest = max(candidates, key=lambda n: (str(n.get("created_at") or ""), n.get("id") or 0))
    return str(newest["body"]).strip() or None
