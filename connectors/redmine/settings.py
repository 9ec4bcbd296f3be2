"""Settings of a ``kind = "redmine"`` tracker table, over the common ones."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from connectors.anomaly_settings import AnomalyFields
from connectors.base import TrackerSettings

#: Redmine's own names for its text formatting setting ("" is plain text).
TextFormatting = Literal["textile", "markdown", "common_mark", ""]


class RedmineSettings(TrackerSettings, AnomalyFields):
    """A Redmine instance. Custom fields are named by id (``"7"``) or by name.

    Ids are exact; names are matched case-insensitively against the name each
    issue carries in its ``custom_fields`` list, so no admin right is needed
    to look them up. A field an issue does not carry is read as empty, so the
    defaults below (names) cost nothing where those fields do not exist.
    """

    kind: str = Field("redmine", description="Always 'redmine' for this connector.")
    disposition_field: str | None = Field(
        None,
        description=(
            "Custom field whose value is mapped through `dispositions` (e.g. 'Resolution'); "
            "when unset or empty on an issue, the status name is mapped instead."
        ),
    )
    label_fields: tuple[str, ...] = Field(
        ("Labels",),
        description=(
            "Custom fields whose values become the issue's labels for classification "
            "(list or single-value fields; absent fields are ignored)."
        ),
    )
    affects_version_field: str | None = Field(
        None,
        description=(
            "Custom field holding the affected versions (a version-format field's ids are "
            "translated to version names)."
        ),
    )
    severity_field: str | None = Field(
        None, description="Custom field holding the severity; unset leaves severity empty."
    )
    acceptance_field: str | None = Field(
        "Acceptance",
        description=(
            "Custom field whose value, looked up in `dispositions`, is Risk Accepted or "
            "Deferred for the versions in acceptance_release_field (empty: any release)."
        ),
    )
    acceptance_release_field: str | None = Field(
        "Accepted for",
        description="Custom field (version or text) naming the release(s) the acceptance is for.",
    )
    accepted_by_field: str | None = Field(
        "Accepted by",
        description=(
            "Custom field (text) naming who accepted; empty: the author of the journal that set "
            "acceptance_field."
        ),
    )
    accepted_on_field: str | None = Field(
        "Accepted on",
        description="Custom field (date) of the acceptance; empty: that journal's time.",
    )
    expiry_field: str | None = Field(
        "Acceptance expires", description="Custom field (date) the acceptance expires on."
    )
    cwe_field: str | None = Field("CWE", description="Custom field holding CWE ids.")
    compensating_controls_field: str | None = Field(
        "Compensating controls",
        description="Custom field describing compensating controls (empty: none stated).",
    )
    safety_impact_field: str | None = Field(
        "Safety impact", description="Custom field holding the safety impact."
    )
    text_formatting: TextFormatting | None = Field(
        None,
        description=(
            "The instance's text formatting for notes (textile, markdown, common_mark, or '' "
            "for none). Unset: read from the server's wiki syntax help page."
        ),
    )
    concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description=(
            "Pages fetched at once on a full sync; raise it to the number of Redmine "
            "workers. More than the server serves at once only queue there, and the wait "
            "in that queue counts against timeout_seconds (a timed-out page is retried, "
            "which costs the server the whole page again)."
        ),
    )
    overlap_seconds: int = Field(
        120,
        ge=0,
        description=(
            "Incremental syncs ask for issues updated since the cursor minus this margin, "
            "covering clock skew and Redmine's one-second resolution."
        ),
    )
    retries: int = Field(
        4, ge=0, le=10, description="Attempts after the first for 5xx and connection errors."
    )
    verify_tls: bool = Field(True, description="Verify the server's TLS certificate.")
