"""Each product's ``review`` settings: targets, participants and where defect analysis is read.

``[products.P.review]`` is optional; unset, every figure has "no target", the
reviewer alone signs off, no deployment source is read, and deployed defects'
root cause, field action and disclosure decision are read from labels with the
default prefixes
(``root-cause:``, ``field-action:``, ``disclosure:``). The product leaves the
table out of the config digest while it is unset, so configurations without
it keep their digest. The targets' meaning is the domain's
(:mod:`~secgate_tui.domain.review_targets`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secgate_tui.config_limits import MAX_NAME
from secgate_tui.domain.review_metrics import DefectLabels
from secgate_tui.domain.review_targets import ReviewTargets


class DeploymentSource(BaseModel):
    """``[products.P.review.deployments]``: where the review reads when fixes reached the
    field. Exactly one of ``csv`` (a file of installations: ``version, installation,
    deployed_at``; relative to the config file) or ``label_prefix`` (a label
    ``<prefix><installation>@<YYYY-MM-DD>`` on the security issue per deployment)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    csv: str | None = Field(None, description="CSV of installations, one row per deployment.")
    label_prefix: str | None = Field(
        None, description="Label prefix of a deployment of the issue's fix, e.g. 'deployed:'."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> DeploymentSource:
        given = [value for value in (self.csv, self.label_prefix) if value is not None]
        if len(given) != 1:
            raise ValueError("set exactly one of csv or label_prefix")
        if not given[0].strip():
            raise ValueError("the deployment source is empty")
        return self


class ReviewSettings(BaseModel):
    """``[products.P.review]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: ReviewTargets = Field(
        default_factory=ReviewTargets,
        description="Time to close per severity, deployed vulnerabilities fixed, time to fix "
        "shipped; unset: no target.",
    )
    participants: list[str] = Field(
        default_factory=list,
        description="Who takes part in every review (management sign-off), besides the reviewer.",
    )
    defect_labels: DefectLabels = Field(
        default_factory=DefectLabels,
        description="Label prefixes stating a deployed defect's root cause, field action and "
        "disclosure decision.",
    )

    deployments: DeploymentSource | None = Field(
        None,
        description="Where deployments of fixes to installations are read (FDA: time from fix "
        "shipped to deployment); unset: the record says no deployment source is configured.",
        # Left out of the config digest while unset, so existing configs keep theirs.
        exclude_if=lambda source: source is None,
    )

    @field_validator("participants")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.strip() or len(name) > MAX_NAME:
                raise ValueError(f"each participant must be 1 to {MAX_NAME} characters")
        return value
