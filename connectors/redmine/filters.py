"""A source's scope as Redmine issue-list filter parameters. Pure."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from connectors.base import SourceScope

#: Parameters secgate sets itself; a source's filter may not override them.
RESERVED = frozenset(
    {"project_id", "fixed_version_id", "status_id", "limit", "offset", "updated_on", "key", "sort"}
)
OPTIONS = frozenset({"trackers", "tracker_ids", "custom_fields"})


def issue_filters(scope: SourceScope) -> dict[str, Any]:
    """``project_id``, every status, and the source's tracker / custom-field filters.

    Raises:
        ValueError: an unknown option, or a filter that sets a reserved parameter.
    """
    unknown = set(scope.options) - OPTIONS
    if unknown:
        raise ValueError(
            f"unknown Redmine source option(s) {sorted(unknown)}; known: trackers, custom_fields"
        )
    params: dict[str, Any] = {"project_id": scope.project, "status_id": "*", "sort": "id"}
    trackers = scope.options.get("trackers") or scope.options.get("tracker_ids")
    if trackers:
        params["tracker_id"] = "|".join(str(t) for t in trackers)
    for field, value in dict(scope.options.get("custom_fields") or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        params[f"cf_{field}"] = "|".join(str(v) for v in values)
    for key, value in parse_qsl(scope.filter.lstrip("?&")):
        if key in RESERVED:
            raise ValueError(f"the source filter may not set '{key}'; secgate sets it")
        params[key] = value
    return params
