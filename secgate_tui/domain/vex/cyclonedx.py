"""CycloneDX JSON (1.4 to 1.6): the few fields the gate reads, as pydantic models.

The official ``cyclonedx-python-lib`` is the reference for the vocabularies
(its ``ImpactAnalysis*`` enums; a unit test keeps these equal to them) and does
the full JSON-schema validation on demand (``--strict-schema``, in
``services.vex_inputs``). Its object model is not used on the hot path: reading
only these fields keeps a 5,000-component SBOM well under a second.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from secgate_tui.domain.vex.errors import first_problem
from secgate_tui.domain.vex.model import (
    Component,
    Sbom,
    Statement,
    VexDocument,
    VexDocumentError,
    VexState,
)

SUPPORTED_SPEC_VERSIONS = ("1.4", "1.5", "1.6")


class CdxState(StrEnum):
    RESOLVED = "resolved"
    RESOLVED_WITH_PEDIGREE = "resolved_with_pedigree"
    EXPLOITABLE = "exploitable"
    IN_TRIAGE = "in_triage"
    FALSE_POSITIVE = "false_positive"
    NOT_AFFECTED = "not_affected"


class CdxJustification(StrEnum):
    CODE_NOT_PRESENT = "code_not_present"
    CODE_NOT_REACHABLE = "code_not_reachable"
    REQUIRES_CONFIGURATION = "requires_configuration"
    REQUIRES_DEPENDENCY = "requires_dependency"
    REQUIRES_ENVIRONMENT = "requires_environment"
    PROTECTED_BY_COMPILER = "protected_by_compiler"
    PROTECTED_AT_RUNTIME = "protected_at_runtime"
    PROTECTED_AT_PERIMETER = "protected_at_perimeter"
    PROTECTED_BY_MITIGATING_CONTROL = "protected_by_mitigating_control"


class CdxResponse(StrEnum):
    CAN_NOT_FIX = "can_not_fix"
    WILL_NOT_FIX = "will_not_fix"
    UPDATE = "update"
    ROLLBACK = "rollback"
    WORKAROUND_AVAILABLE = "workaround_available"


_STATE = {
    CdxState.RESOLVED: VexState.RESOLVED,
    CdxState.RESOLVED_WITH_PEDIGREE: VexState.RESOLVED,
    CdxState.EXPLOITABLE: VexState.AFFECTED,
    CdxState.IN_TRIAGE: VexState.IN_TRIAGE,
    CdxState.FALSE_POSITIVE: VexState.FALSE_POSITIVE,
    CdxState.NOT_AFFECTED: VexState.NOT_AFFECTED,
}

_Lenient = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Component(BaseModel):
    model_config = _Lenient

    bom_ref: str | None = Field(None, alias="bom-ref")
    name: str = ""
    version: str | None = None
    purl: str | None = None
    components: list[_Component] = []


class _Metadata(BaseModel):
    model_config = _Lenient

    timestamp: AwareDatetime | None = None
    component: _Component | None = None


class _Analysis(BaseModel):
    model_config = _Lenient

    state: CdxState | None = None
    justification: CdxJustification | None = None
    response: list[CdxResponse] = []
    detail: str = ""
    firstIssued: AwareDatetime | None = None
    lastUpdated: AwareDatetime | None = None


class _Affect(BaseModel):
    model_config = _Lenient

    ref: str = Field(min_length=1)


class _Vulnerability(BaseModel):
    model_config = _Lenient

    id: str = Field(min_length=1)
    analysis: _Analysis | None = None
    affects: list[_Affect] = []
    published: AwareDatetime | None = None
    updated: AwareDatetime | None = None


class _Bom(BaseModel):
    model_config = _Lenient

    bomFormat: Literal["CycloneDX"]
    specVersion: str
    metadata: _Metadata = _Metadata()
    components: list[_Component] = []
    vulnerabilities: list[_Vulnerability] | None = None


def parse_cyclonedx_sbom(data: Any, name: str, digest: str) -> Sbom:
    """The SBOM in ``data`` (a parsed CycloneDX JSON document).

    Raises:
        VexDocumentError: not CycloneDX, an unsupported spec version, or a
            field of the wrong shape, or two components with one bom-ref.
    """
    bom = _bom(data)
    root = _component(bom.metadata.component) if bom.metadata.component else None
    components: list[Component] = []
    seen: set[str] = set()
    for raw in _flatten(bom.components):
        component = _component(raw)
        if component.ref in seen:
            raise VexDocumentError(f"two components have the bom-ref '{component.ref}'")
        seen.add(component.ref)
        components.append(component)
    findings = None
    if bom.vulnerabilities is not None:
        findings = _document(bom, name, digest)
    return Sbom(
        name=name,
        spec_version=bom.specVersion,
        digest=digest,
        root=root,
        components=tuple(components),
        findings=findings,
    )


def parse_cyclonedx_vex(data: Any, name: str, digest: str) -> VexDocument:
    """The assessments of a CycloneDX VEX (its ``vulnerabilities`` with ``analysis``)."""
    bom = _bom(data)
    if bom.vulnerabilities is None:
        raise VexDocumentError("it has no 'vulnerabilities' array: it is not a VEX document")
    return _document(bom, name, digest)


def parse_cyclonedx(data: Any, name: str, digest: str) -> Sbom:
    """Alias of :func:`parse_cyclonedx_sbom`, the common case."""
    return parse_cyclonedx_sbom(data, name, digest)


def _bom(data: Any) -> _Bom:
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise VexDocumentError('it is not a CycloneDX document (no "bomFormat": "CycloneDX")')
    version = data.get("specVersion")
    if version not in SUPPORTED_SPEC_VERSIONS:
        raise VexDocumentError(
            f"CycloneDX specVersion {version!r} is not supported; secgate reads "
            f"{', '.join(SUPPORTED_SPEC_VERSIONS)}"
        )
    try:
        return _Bom.model_validate(data)
    except ValidationError as exc:
        raise VexDocumentError(first_problem(exc)) from None


def _flatten(components: list[_Component]) -> list[_Component]:
    flat: list[_Component] = []
    stack = list(reversed(components))
    while stack:
        component = stack.pop()
        flat.append(component)
        stack.extend(reversed(component.components))
    return flat


def _component(raw: _Component) -> Component:
    ref = raw.bom_ref or raw.purl or (f"{raw.name}@{raw.version}" if raw.version else raw.name)
    return Component(ref=ref, name=raw.name or ref, version=raw.version, purl=raw.purl)


def _document(bom: _Bom, name: str, digest: str) -> VexDocument:
    statements: list[Statement] = []
    seen: set[tuple[object, ...]] = set()
    for position, vulnerability in enumerate(bom.vulnerabilities or []):
        refs = tuple(sorted({affect.ref for affect in vulnerability.affects}))
        analysis = vulnerability.analysis
        key = (vulnerability.id, refs, analysis.model_dump_json() if analysis else None)
        if key in seen:
            raise VexDocumentError(
                f"vulnerability {vulnerability.id} is listed twice with the same analysis "
                "for the same components (a duplicate statement)"
            )
        seen.add(key)
        statements.append(_statement(vulnerability, refs, bom, name, position))
    return VexDocument(
        name=name,
        format=f"CycloneDX {bom.specVersion}",
        digest=digest,
        timestamp=bom.metadata.timestamp,
        statements=tuple(statements),
    )


def _statement(
    vulnerability: _Vulnerability, refs: tuple[str, ...], bom: _Bom, name: str, position: int
) -> Statement:
    analysis = vulnerability.analysis
    timestamp = None
    if analysis is not None:
        timestamp = analysis.lastUpdated or analysis.firstIssued
    timestamp = timestamp or vulnerability.updated or bom.metadata.timestamp
    if analysis is None or analysis.state is None:
        # A scanner's finding: it names the vulnerability, nobody has assessed it.
        state, raw_state = VexState.UNASSESSED, "(no analysis)"
    else:
        state, raw_state = _STATE[analysis.state], analysis.state.value
    return Statement(
        vulnerability=vulnerability.id,
        refs=refs,
        state=state,
        raw_state=raw_state,
        justification=analysis.justification.value if analysis and analysis.justification else None,
        responses=tuple(r.value for r in analysis.response) if analysis else (),
        action="",
        detail=(analysis.detail.strip() if analysis else ""),
        timestamp=timestamp,
        document=name,
        position=position,
    )
