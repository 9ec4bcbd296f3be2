"""How many issues each source contributed to a periodic review (issue 15's scope).

An auditor checks that the review covered every source of the product: for each
source, the issues read, those the classification marks security-related, and
those in the review's period (opened, closed or still open in it). A configured
source that gave nothing is listed with zeros rather than left out.
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel, ConfigDict


class SourceCount(BaseModel):
    """One source's contribution; ``source`` is the tracker name issues carry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    issues: int
    security: int
    in_period: int


class SourceCounter:
    """Counts while the review figures walk the issues once."""

    def __init__(self, names: Collection[str] = ()) -> None:
        self._counts: dict[str, list[int]] = {name: [0, 0, 0] for name in names}

    def read(self, source: str) -> None:
        """An issue that is not security-related."""
        self._counts.setdefault(source, [0, 0, 0])[0] += 1

    def security(self, source: str, *, in_period: bool) -> None:
        counts = self._counts.setdefault(source, [0, 0, 0])
        counts[0] += 1
        counts[1] += 1
        counts[2] += in_period

    def counts(self) -> tuple[SourceCount, ...]:
        return tuple(
            SourceCount(source=name, issues=issues, security=security, in_period=in_period)
            for name, (issues, security, in_period) in sorted(self._counts.items())
        )
