"""The settings of a ``kind = "gitlab"`` tracker table."""

from __future__ import annotations

from pydantic import Field, field_validator

from connectors.anomaly_settings import checked_acceptance_labels
from connectors.base import TrackerSettings
from secgate_tui.domain.model import Disposition

#: Scoped labels ``risk-accepted::4.1.0`` / ``deferred::4.1.0``.
DEFAULT_ACCEPTANCE_LABELS = {
    "risk-accepted::": Disposition.RISK_ACCEPTED,
    "deferred::": Disposition.DEFERRED,
}


class GitLabSettings(TrackerSettings):
    """GitLab.com or a self-managed GitLab, reached with a personal/project/group token.

    GitLab has no resolution field: the disposition of a closed issue comes from
    scoped labels (``resolution::fixed`` ...), through ``dispositions``.
    """

    url: str = Field(
        "https://gitlab.com",
        description="Base URL of the GitLab instance (without /api/v4).",
    )
    # 16, not the trackers' 8: with mapping cheaper, a cold sync of 20,000
    # issues at 30 ms takes 1.8 s instead of 2.3-2.4 s (benchmarks/README.md).
    concurrency: int = Field(16, ge=1, le=64, description="Pages fetched at once on a full sync.")
    confidential_titles: bool = Field(
        False,
        description=(
            "Show the real titles of confidential issues in secgate and in records; "
            "by default they appear as '[confidential issue]'."
        ),
    )
    resolution_prefix: str = Field(
        "resolution::",
        description="Scoped-label prefix whose labels give a closed issue's disposition.",
    )
    severity_prefix: str = Field("severity::", description="Scoped-label prefix of severity.")
    priority_prefix: str = Field("priority::", description="Scoped-label prefix of priority.")
    component_prefix: str = Field(
        "component::", description="Scoped-label prefix of components (classification)."
    )
    affects_prefix: str = Field(
        "affects::",
        description="Scoped-label prefix naming released versions a defect affects (affects::1.2).",
    )
    acceptance_labels: dict[str, Disposition] = Field(
        default_factory=lambda: dict(DEFAULT_ACCEPTANCE_LABELS),
        description=(
            "Label prefix -> risk-accepted | deferred; a label '<prefix><release>' accepts an "
            "open issue for that release. {} reads no labels."
        ),
    )
    expiry_prefix: str = Field(
        "Acceptance expires:",
        description=(
            "A description line starting with this holds the acceptance's expiry date "
            "(YYYY-MM-DD); '' reads none."
        ),
    )
    compensating_controls_prefix: str = Field(
        "Compensating controls:",
        description=(
            "The description's paragraph starting with this describes compensating controls; "
            "'' reads none."
        ),
    )
    safety_impact_prefix: str = Field(
        "safety-impact::", description="Scoped-label prefix of the safety impact; '' reads none."
    )
    cwe_labels: bool = Field(True, description="Read labels like CWE-79 as CWE ids.")
    sync_overlap_seconds: int = Field(
        120,
        ge=0,
        le=86_400,
        description="Incremental sync asks for changes this long before the last cursor.",
    )
    retries: int = Field(
        4, ge=0, le=10, description="Retries of a read after 429, 5xx or a connection error."
    )
    retry_backoff_seconds: float = Field(
        0.5, ge=0, le=60, description="First backoff between retries (doubles, with jitter)."
    )
    max_retry_wait_seconds: float = Field(
        60.0,
        ge=0,
        description="A Retry-After longer than this fails at once instead of waiting.",
    )

    @field_validator("justification_field")
    @classmethod
    def _only_description(cls, value: str | None) -> str | None:
        # GitLab has no custom fields; the rationale lives in a note, or in the
        # description below a line that starts with justification_prefix.
        if value not in (None, "description"):
            raise ValueError(
                "GitLab has no custom fields: justification_field may only be 'description' "
                "(or unset, to take the newest note starting with justification_prefix)"
            )
        return value

    @field_validator("acceptance_labels")
    @classmethod
    def _acceptance_labels(cls, value: dict[str, Disposition]) -> dict[str, Disposition]:
        return checked_acceptance_labels(value)
