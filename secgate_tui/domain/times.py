"""How a time reads wherever a person reads it, and in every field of a new record format.

One form: ISO 8601 in UTC, to the second, with ``Z`` (``2026-12-07T12:11:26Z``).
Trackers give times with milliseconds, microseconds or an offset; shown raw they
came out in three spellings for one instant. The canonical JSON of issues in a
snapshot is not formatted here: it keeps its own form, so snapshot digests stay.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def to_second(value: datetime) -> datetime:
    """``value`` in UTC without its fraction of a second (naive times are taken as UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def iso_z(value: datetime) -> str:
    """``2026-12-07T12:11:26Z``: UTC, to the second."""
    return to_second(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_z_or(value: datetime | None, missing: str = "unknown") -> str:
    """:func:`iso_z`, or ``missing`` when there is no time."""
    return missing if value is None else iso_z(value)


def iso_day(value: date) -> str:
    """A calendar day as ISO 8601 (``2026-12-07``), for dates without a time."""
    return value.isoformat()
