"""The ``[trackers.<name>]`` keys a Jira tracker accepts beyond the common ones."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from connectors.anomaly_settings import AnomalyFields
from connectors.base import TrackerSettings
from secgate_tui.domain.model import Disposition

#: ``risk-accepted:4.1.0`` / ``deferred:4.1.0`` (Jira labels hold no spaces).
DEFAULT_ACCEPTANCE_LABELS = {
    "risk-accepted:": Disposition.RISK_ACCEPTED,
    "deferred:": Disposition.DEFERRED,
}


class JiraSettings(TrackerSettings, AnomalyFields):
    """Settings of one Jira tracker (Cloud or Data Center).

    Fields are named by id (``customfield_10060``), as Jira's REST API names them.
    """

    flavor: Literal["auto", "cloud", "datacenter"] = Field(
        "auto",
        description=(
            "auto: ask the server (serverInfo.deploymentType); cloud or datacenter: force the "
            "search API and skip that question."
        ),
    )
    severity_field: str | None = Field(
        None,
        description="Field id holding the severity, e.g. customfield_10050 (unset: no severity).",
    )
    acceptance_labels: dict[str, Disposition] = Field(
        default_factory=lambda: dict(DEFAULT_ACCEPTANCE_LABELS),
        description=(
            "Label prefix -> risk-accepted | deferred; a label '<prefix><release>' accepts the "
            "issue for that release. {} reads no labels."
        ),
    )
    overlap_minutes: int = Field(
        10,
        ge=1,
        le=1440,
        description=(
            "Incremental syncs ask for issues updated this many minutes before the last sync "
            "(JQL dates have minute resolution and clocks drift)."
        ),
    )
    timezone: str | None = Field(
        None,
        description=(
            "IANA time zone of the API user's Jira profile, in which Jira reads JQL dates. "
            "Unset: incremental syncs overlap by 14 extra hours, which covers every zone."
        ),
    )
    retry_attempts: int = Field(
        5, ge=1, le=20, description="Attempts per read request on 429 / 502 / 503 / 504 / reset."
    )
    retry_max_seconds: float = Field(
        60.0, gt=0, description="Longest total time spent retrying one request."
    )
    concurrency: int = Field(16, ge=1, le=64, description="Parallel requests during a sync.")
    issue_type: str = Field(
        "Task",
        min_length=1,
        description="Issue type of the issues secgate creates (record issues, corrective actions).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value
