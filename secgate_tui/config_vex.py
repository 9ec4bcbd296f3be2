"""Each product's ``vulnerability_assessment`` settings: where its SBOM and VEX come from.

Paths may hold ``{release}`` (the release name) and are relative to the
configuration file's directory. The SBOM and VEX may instead (or as well)
come from files attached to the release's record issue in the tracker:
``sbom_attachment`` and ``vex_attachments`` are file-name patterns
(shell-style: ``*``, ``?``, ``[...]``) that may hold ``{release}``. The policy
part is the domain's :class:`~secgate_tui.domain.vex.VexPolicy`.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secgate_tui.config_limits import MAX_ACTIVITY_AGE_DAYS, MAX_NAME
from secgate_tui.domain.vex import VexPolicy

#: 100 MB: a 5,000-component SBOM with 2,000 vulnerabilities is about 3 MB.
DEFAULT_MAX_FILE_MB = 100


class VulnerabilityAssessmentSettings(BaseModel):
    """``[products.P.vulnerability_assessment]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sbom: str | None = Field(
        None,
        max_length=MAX_NAME * 4,
        description="CycloneDX JSON SBOM of the release, e.g. 'build/{release}.cdx.json'.",
    )
    vex: list[str] = Field(
        default_factory=list, description="CycloneDX VEX or OpenVEX JSON files ({release} allowed)."
    )
    max_age_days: int = Field(
        30, ge=1, le=MAX_ACTIVITY_AGE_DAYS, description="The newest assessment may be this old."
    )
    require_sbom: bool = True
    require_version_match: bool = Field(
        True, description="The SBOM's metadata.component.version must equal the release name."
    )
    kev: str | None = Field(
        None, description="Local copy of CISA's Known Exploited Vulnerabilities catalog (JSON)."
    )
    risk_acceptances: dict[str, str] = Field(
        default_factory=dict,
        description="Vulnerability id -> tracker issue key of its risk acceptance.",
    )
    max_file_mb: int = Field(DEFAULT_MAX_FILE_MB, ge=1, le=4096)
    sbom_attachment: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_NAME,
        description=(
            "File-name pattern of the SBOM attached to the release's record issue, "
            "e.g. 'sbom-{release}.cdx.json' or '*-{release}.cdx.json'."
        ),
    )
    vex_attachments: list[str] = Field(
        default_factory=list,
        description="File-name patterns of VEX documents attached to the record issue.",
    )

    @field_validator("vex", "vex_attachments")
    @classmethod
    def _paths_not_blank(cls, value: list[str]) -> list[str]:
        if any(not path.strip() for path in value):
            raise ValueError("a VEX path or pattern is empty")
        return value

    @model_validator(mode="after")
    def _one_sbom(self) -> Self:
        if self.sbom and self.sbom_attachment:
            raise ValueError(
                "give the SBOM either as a file (sbom) or as an attachment (sbom_attachment), "
                "not both: a release has one SBOM"
            )
        return self

    @property
    def from_attachments(self) -> bool:
        """Whether an input comes from the release's record issue."""
        return bool(self.sbom_attachment or self.vex_attachments)

    def policy(self) -> VexPolicy:
        return VexPolicy(
            max_age_days=self.max_age_days,
            require_sbom=self.require_sbom,
            require_version_match=self.require_version_match,
            risk_acceptances=self.risk_acceptances,
        )


#: Keys added after records began carrying the config digest: left out while unset.
_LATER_KEYS = ("sbom_attachment", "vex_attachments")


def digest_view(product: dict[str, Any]) -> None:
    """Drop the unset later keys from a dumped product's settings (config digest stays equal)."""
    settings = product.get("vulnerability_assessment")
    if isinstance(settings, dict):
        for key in _LATER_KEYS:
            if not settings.get(key):
                settings.pop(key, None)
