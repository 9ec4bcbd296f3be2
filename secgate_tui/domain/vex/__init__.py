"""The vulnerability assessment check: an SBOM and its VEX statements, evaluated.

Pure: the documents arrive as parsed JSON values (``services.vex_inputs`` reads
the files), are mapped to one normalized model whatever their format
(CycloneDX or OpenVEX), and :func:`assess` turns them into a
:class:`VulnerabilityAssessment` that blocks with a reason on anything
untriaged, unaddressed, unjustified, stale or inconsistent.
"""

from secgate_tui.domain.vex.assess import VexPolicy, assess
from secgate_tui.domain.vex.cyclonedx import SUPPORTED_SPEC_VERSIONS, parse_cyclonedx
from secgate_tui.domain.vex.model import (
    AssessedVulnerability,
    Component,
    DocumentSummary,
    Sbom,
    SbomSummary,
    Statement,
    VexDocument,
    VexDocumentError,
    VexState,
    VulnerabilityAssessment,
)
from secgate_tui.domain.vex.openvex import is_openvex, parse_openvex

__all__ = [
    "SUPPORTED_SPEC_VERSIONS",
    "AssessedVulnerability",
    "Component",
    "DocumentSummary",
    "Sbom",
    "SbomSummary",
    "Statement",
    "VexDocument",
    "VexDocumentError",
    "VexPolicy",
    "VexState",
    "VulnerabilityAssessment",
    "assess",
    "is_openvex",
    "parse_cyclonedx",
    "parse_openvex",
]
