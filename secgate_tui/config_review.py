"""Each product's ``review`` settings: targets, participants and where defect analysis is read.

``[products.P.review]`` is optional; unset, every figure has "no target", the
reviewer alone signs off, and deployed defects' root cause, field action and
disclosure decision are read from labels with the default prefixes
(``root-cause:``, ``field-action:``, ``disclosure:``). The product leaves the
table out of the config digest while it is unset, so configurations without
it keep their digest. The targets' meaning is the domain's
(:mod:`~secgate_tui.domain.review_targets`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from secgate_tui.config_limits import MAX_NAME
from secgate_tui.domain.review_metrics import DefectLabels
from secgate_tui.domain.review_targets import ReviewTargets


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

    @field_validator("participants")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.strip() or len(name) > MAX_NAME:
                raise ValueError(f"each participant must be 1 to {MAX_NAME} characters")
        return value
