"""Redmine custom fields as settings name them (by id or name) and their values on an issue."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]


class FieldRef:
    """A custom field named in settings by id ("7") or by name (case-insensitive)."""

    def __init__(self, spec: str) -> None:
        spec = spec.strip()
        self.id = int(spec) if spec.isdigit() else None
        self.name = spec.casefold()
        self.seen_id: int | None = None

    def matches(self, field: JsonDict) -> bool:
        if self.id is not None:
            return field.get("id") == self.id
        found = str(field.get("name", "")).casefold() == self.name
        if found and isinstance(field.get("id"), int):
            # Journals name a changed field by id only: remember it (the same on every issue).
            self.seen_id = field["id"]
        return found

    @property
    def known_id(self) -> int | None:
        """The field's id, configured or seen on an issue; None before either."""
        return self.id if self.id is not None else self.seen_id


def field_values(raw: JsonDict, ref: FieldRef | None) -> list[str]:
    """The non-empty values of one custom field of an issue (lists flattened)."""
    if ref is None:
        return []
    for field in raw.get("custom_fields") or ():
        if ref.matches(field):
            value = field.get("value")
            values = value if isinstance(value, list) else [value]
            return [str(item).strip() for item in values if item not in (None, "")]
    return []
