"""The normalized SBOM/VEX model both formats map to, and the assessment's result.

Statements and components are slotted dataclasses: an SBOM has thousands of
components and every field comes from an already validated document model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class VexDocumentError(ValueError):
    """A document is malformed or unsupported; the text says what is wrong in it."""


class VexState(StrEnum):
    """A finding's assessment, in one vocabulary for CycloneDX and OpenVEX."""

    UNASSESSED = "unassessed"  # no statement at all
    IN_TRIAGE = "in_triage"  # CycloneDX in_triage, OpenVEX under_investigation
    AFFECTED = "affected"  # CycloneDX exploitable, OpenVEX affected
    NOT_AFFECTED = "not_affected"
    FALSE_POSITIVE = "false_positive"
    RESOLVED = "resolved"  # CycloneDX resolved(_with_pedigree), OpenVEX fixed


#: States that need nothing more once justified: they are not listed as open.
SETTLED = frozenset({VexState.NOT_AFFECTED, VexState.FALSE_POSITIVE, VexState.RESOLVED})


@dataclass(frozen=True, slots=True)
class Component:
    """One component of the SBOM (the release's root component included)."""

    ref: str  # bom-ref, or the purl when the document gives none
    name: str
    version: str | None
    purl: str | None

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


@dataclass(frozen=True, slots=True)
class Statement:
    """One assessment of one vulnerability for the components its refs name.

    ``refs`` are what the document names: a bom-ref, a BOM-Link
    (``urn:cdx:...#ref``) or a purl; the assessment resolves them against the SBOM.
    """

    vulnerability: str
    refs: tuple[str, ...]
    state: VexState
    raw_state: str
    justification: str | None
    responses: tuple[str, ...]
    action: str
    detail: str
    timestamp: datetime | None
    document: str
    position: int

    def same_assessment(self, other: Statement) -> bool:
        return (self.state, self.justification, self.responses, self.action, self.detail) == (
            other.state,
            other.justification,
            other.responses,
            other.action,
            other.detail,
        )


@dataclass(frozen=True, slots=True)
class VexDocument:
    """A VEX document (or the analysis embedded in a scanned SBOM)."""

    name: str
    format: str  # "CycloneDX 1.6", "OpenVEX v0.2.0"
    digest: str
    timestamp: datetime | None
    statements: tuple[Statement, ...]

    @property
    def assessed_at(self) -> datetime | None:
        """The document's timestamp or its newest statement's, whichever is later."""
        times = [s.timestamp for s in self.statements if s.timestamp is not None]
        if self.timestamp is not None:
            times.append(self.timestamp)
        return max(times) if times else None


@dataclass(frozen=True, slots=True)
class Sbom:
    """The release's SBOM: its components and the scanner's findings, if it carries any."""

    name: str
    spec_version: str
    digest: str
    root: Component | None
    components: tuple[Component, ...]
    #: The embedded ``vulnerabilities`` (a scanner's output), None when the key is absent.
    findings: VexDocument | None


class SbomSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    digest: str
    spec_version: str
    component_count: int
    release_version: str | None


class DocumentSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    format: str
    digest: str
    assessed_at: AwareDatetime | None


@dataclass(frozen=True, slots=True)
class AssessedVulnerability:
    """One vulnerability of one component: how it stands, and why it blocks (if it does)."""

    vulnerability: str
    component: str
    ref: str
    state: VexState
    raw_state: str
    justification: str | None
    response: str
    detail: str
    linked_issue: str | None
    kev: bool
    reason: str | None


class VulnerabilityAssessment(BaseModel):
    """The seventh gate check's result (``vulnerability_assessment`` in ``status --json``)."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    sbom: SbomSummary | None
    documents: tuple[DocumentSummary, ...]
    max_age_days: int
    counts: dict[str, int]
    #: Every finding that is not resolved, not_affected or false_positive, and every
    #: finding that blocks (e.g. not_affected without a justification).
    open: tuple[AssessedVulnerability, ...]
    reasons: tuple[str, ...]
