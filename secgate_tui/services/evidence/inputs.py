"""Everything the gate evaluated besides the snapshot, as one value the bundle carries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from secgate_tui.domain import (
    Activity,
    Category,
    GatePolicy,
    Issue,
    SourceState,
    Verdict,
    canonical_json,
    evaluate,
)
from secgate_tui.domain.vex import VulnerabilityAssessment


class GateInputs(BaseModel):
    """The arguments of :func:`secgate_tui.domain.evaluate` other than the issues."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: str
    release: str
    policy: GatePolicy
    activities: tuple[Activity, ...]
    sources: tuple[SourceState, ...]
    held: dict[Category, int]
    evaluated_at: AwareDatetime
    #: The SBOM/VEX check as evaluated at export (its files are not in the bundle yet);
    #: absent from inputs.json when the product has none, as in earlier bundles.
    vulnerability_assessment: VulnerabilityAssessment | None = Field(
        None, exclude_if=lambda assessment: assessment is None
    )

    #: The snapshot's issues that affect the release without being fixed in it, as
    #: (source, key); absent from inputs.json when there are none, as in earlier bundles.
    affected: tuple[tuple[str, str], ...] = Field((), exclude_if=lambda affected: not affected)
    #: The names the release has in its sources (acceptances name it so); likewise.
    release_names: tuple[str, ...] = Field((), exclude_if=lambda names: not names)

    def evaluate(self, issues: Iterable[Issue]) -> Verdict:
        """The gate over the snapshot's issues, the affected ones apart from the members."""
        outside = set(self.affected)
        members: list[Issue] = []
        affected: list[Issue] = []
        for issue in issues:
            (affected if issue.uid in outside else members).append(issue)
        return evaluate(
            members,
            self.activities,
            self.policy,
            self.evaluated_at,
            self.sources,
            self.held,
            self.vulnerability_assessment,
            affected=affected,
            release_names=self.release_names,
        )


def verdict_canonical(verdict: Verdict) -> bytes:
    """The verdict as the bundle records it (canonical JSON)."""
    data: dict[str, Any] = verdict.model_dump(mode="json")
    return canonical_json(data).encode("utf-8")


def as_canonical(model: BaseModel) -> bytes:
    return canonical_json(model.model_dump(mode="json")).encode("utf-8")
