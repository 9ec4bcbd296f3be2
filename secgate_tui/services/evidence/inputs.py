"""Everything the gate evaluated besides the snapshot, as one value the bundle carries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

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

    def evaluate(self, issues: Iterable[Issue]) -> Verdict:
        return evaluate(
            issues, self.activities, self.policy, self.evaluated_at, self.sources, self.held
        )


def verdict_canonical(verdict: Verdict) -> bytes:
    """The verdict as the bundle records it (canonical JSON)."""
    data: dict[str, Any] = verdict.model_dump(mode="json")
    return canonical_json(data).encode("utf-8")


def as_canonical(model: BaseModel) -> bytes:
    return canonical_json(model.model_dump(mode="json")).encode("utf-8")
