"""Mapped issues share their repeated values, so a large sync's issues stay small.

Each issue mapped from a tracker's JSON has its own copies of values that
thousands of issues hold alike: the label, component and version tuples, the
status, type, priority and resolution names, and pydantic's set of the fields
given to the constructor (about 2 KB per issue, 40 MB for 20,000). Equal values
are replaced by one shared object; the issues compare, serialize and digest
exactly as before. A frozen model's values are never changed in place, and
pydantic copies the fields set before it changes one (``model_copy``).
"""

from __future__ import annotations

from typing import Any

from secgate_tui.domain.model import Issue

_SHARED = (
    "labels",
    "components",
    "fix_versions",
    "affects_versions",
    "status",
    "type",
    "priority",
    "resolution",
    "severity",
    "assignee",
    "source",
)


class Sharing:
    """One sync's table of shared values (dropped with it)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._field_sets: dict[frozenset[str], set[str]] = {}

    def share(self, issues: list[Issue]) -> list[Issue]:
        """The same issues, their repeated values shared; returns ``issues``."""
        values = self._values
        field_sets = self._field_sets
        for issue in issues:
            fields = issue.__dict__
            for name in _SHARED:
                value = fields[name]
                if value is not None:
                    fields[name] = values.setdefault(value, value)
            given = issue.__pydantic_fields_set__
            shared = field_sets.setdefault(frozenset(given), given)
            if shared is not given:
                object.__setattr__(issue, "__pydantic_fields_set__", shared)
        return issues
