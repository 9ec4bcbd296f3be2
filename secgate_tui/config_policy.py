"""A product's own policy: ``[products.P.policy]`` over the global ``[policy]``.

A product may set any of the gate's policy keys for itself; each key it sets
replaces the global key's whole value for that product (a table such as
``justification_required`` or ``categories`` is replaced, not merged, so a
product can ask for less as well as more). Keys it leaves out come from
``[policy]``. ``record_time_window_minutes`` stays global: it bounds how far the
trackers' clocks may be from a record's own time when any record is read
back, whatever its product. The table is left out of the configuration digest
while a product does not have it, so existing configurations keep theirs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from secgate_tui.config_limits import MAX_ACTIVITY_AGE_DAYS, MAX_SNAPSHOT_AGE_SECONDS
from secgate_tui.domain import Category, CategoryPolicy, Disposition, Severity

__all__ = ["DOCUMENT_PREFIX_PATTERN", "GLOBAL_ONLY", "PolicyOverrides", "never_unknown"]

#: A document number prefix: what the record id follows.
DOCUMENT_PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"

#: Policy keys only ``[policy]`` may set, and why (the configuration error says it).
GLOBAL_ONLY = {
    "record_time_window_minutes": (
        "it bounds how far the trackers' clocks may be from a record's own time whenever "
        "any record is read back, so it applies to every product; set it in [policy]"
    ),
}


def never_unknown(
    value: dict[Severity, list[Disposition]] | None,
) -> dict[Severity, list[Disposition]] | None:
    """``justification_required`` may not list "unknown": it never passes."""
    for severity, dispositions in (value or {}).items():
        if Disposition.UNKNOWN in dispositions:
            raise ValueError(
                f"{severity.value}: 'unknown' is never accepted, with or without a "
                "justification; list only dispositions that may pass with one"
            )
    return value


class PolicyOverrides(BaseModel):
    """``[products.P.policy]``: the global policy keys this product sets for itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_snapshot_age_seconds: int | None = Field(
        None,
        ge=0,
        le=MAX_SNAPSHOT_AGE_SECONDS,
        description="This product's policy.max_snapshot_age_seconds.",
    )
    separation_of_duties: bool | None = Field(
        None, description="This product's policy.separation_of_duties."
    )
    categories: dict[Category, CategoryPolicy] | None = Field(
        None, description="This product's policy.categories (replaces the global table)."
    )
    justification_required: dict[Severity, list[Disposition]] | None = Field(
        None,
        description="This product's policy.justification_required (replaces the global "
        "table; {} asks for none).",
    )
    acceptance_max_age_days: int | None = Field(
        None,
        ge=0,
        le=MAX_ACTIVITY_AGE_DAYS,
        description="This product's policy.acceptance_max_age_days.",
    )
    document_prefix: str | None = Field(
        None,
        pattern=DOCUMENT_PREFIX_PATTERN,
        description="This product's policy.document_prefix.",
    )

    # Declared only to refuse it with the reason (GLOBAL_ONLY) rather than "unknown setting".
    record_time_window_minutes: int | None = Field(None, exclude=True)

    @field_validator(*GLOBAL_ONLY)
    @classmethod
    def _global_keys_stay_global(cls, value: object, info: ValidationInfo) -> None:
        if value is not None:
            raise ValueError(f"cannot be set per product: {GLOBAL_ONLY[str(info.field_name)]}")
        return None

    @field_validator("justification_required")
    @classmethod
    def _never_unknown(
        cls, value: dict[Severity, list[Disposition]] | None
    ) -> dict[Severity, list[Disposition]] | None:
        return never_unknown(value)

    def given(self) -> dict[str, Any]:
        """The keys this product sets, with their values (as validated)."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name not in GLOBAL_ONLY and getattr(self, name) is not None
        }
