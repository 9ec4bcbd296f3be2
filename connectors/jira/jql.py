"""JQL for a release scope: quoting, the incremental clause, and Jira's time zone rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from connectors.base import SourceScope

#: JQL reads dates in the API user's zone; UTC-12 is the farthest behind UTC.
UNKNOWN_ZONE_OVERLAP = timedelta(hours=14)


def jql_string(value: str) -> str:
    """A JQL string literal (tracker-side names are untrusted text)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def since_text(since: datetime, overlap_minutes: int, zone: str | None) -> str:
    """``yyyy-MM-dd HH:mm`` in the zone Jira reads it in, moved back by the overlap."""
    start = since.astimezone(UTC) - timedelta(minutes=overlap_minutes)
    local = start.astimezone(ZoneInfo(zone)) if zone else start - UNKNOWN_ZONE_OVERLAP
    return local.strftime("%Y-%m-%d %H:%M")


def scope_jql(scope: SourceScope, version: str | None, updated_since: str | None = None) -> str:
    """The source's JQL: one fix version, or (``version`` None) the whole project."""
    parts = [f"project = {jql_string(scope.project)}"]
    if version is not None:
        parts.append(f"fixVersion = {jql_string(version)}")
    if scope.filter.strip():
        parts.append(f"({scope.filter.strip()})")
    if updated_since:
        parts.append(f"updated >= {jql_string(updated_since)}")
    return " AND ".join(parts) + " ORDER BY key ASC"
