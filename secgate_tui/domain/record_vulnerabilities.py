"""The authorization record's vulnerability assessment (issue 14): what the gate saw.

The SBOM (name, digest, component count), each VEX document by digest, the
count of vulnerabilities per state, and every vulnerability that is not
resolved, not_affected or false_positive (or that was flagged), with how it
was assessed. A record holds this only when the release had an SBOM/VEX
check; records without it keep their canonical JSON.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.vex import VulnerabilityAssessment


class RecordVexDocument(BaseModel):
    """An SBOM or VEX document the assessment read, pinned by its SHA-256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    format: str
    sha256: str


class RecordVulnerability(BaseModel):
    """One vulnerability of one component that is still open at authorization."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vulnerability: str
    component: str
    state: str
    justification: str | None = None
    response: str = ""
    linked_issue: str | None = None


class RecordVulnerabilities(BaseModel):
    """The ``vulnerabilities`` section of an authorization record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sbom: RecordVexDocument | None
    components: int
    documents: tuple[RecordVexDocument, ...]
    counts: dict[str, int]
    open: tuple[RecordVulnerability, ...]

    def digests(self) -> dict[str, str]:
        """Every document's name -> SHA-256 (the SBOM's included)."""
        named = {d.name: d.sha256 for d in self.documents}
        if self.sbom is not None:
            named[self.sbom.name] = self.sbom.sha256
        return named


def record_vulnerabilities(assessment: VulnerabilityAssessment) -> RecordVulnerabilities:
    """The record's section for a (passing) assessment."""
    sbom = assessment.sbom
    return RecordVulnerabilities(
        sbom=None
        if sbom is None
        else RecordVexDocument(
            name=sbom.name, format=f"CycloneDX {sbom.spec_version}", sha256=sbom.digest
        ),
        components=0 if sbom is None else sbom.component_count,
        documents=tuple(
            RecordVexDocument(name=d.name, format=d.format, sha256=d.digest)
            for d in assessment.documents
        ),
        counts=dict(sorted(assessment.counts.items())),
        open=tuple(
            RecordVulnerability(
                vulnerability=item.vulnerability,
                component=item.component,
                state=item.state.value,
                justification=item.justification,
                response=item.response,
                linked_issue=item.linked_issue,
            )
            for item in assessment.open
        ),
    )
