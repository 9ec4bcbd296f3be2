"""OpenVEX JSON (v0.0.1 to v0.2.0): its documented fields as pydantic models.

OpenVEX has no maintained Python library. The fields follow the specification
(github.com/openvex/spec, OPENVEX-SPEC.md): a document with ``@context``,
``@id``, ``author``, ``timestamp`` and ``statements``; each statement names a
``vulnerability`` (``name``), the ``products`` it speaks for (each with an
``@id``, ``identifiers`` and optional ``subcomponents``), a ``status``, and the
``justification`` / ``impact_statement`` / ``action_statement`` that status
needs. A statement without its own ``timestamp`` inherits the document's.
Version 0.0.x wrote products and subcomponents as plain strings; both are read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from secgate_tui.domain.vex.errors import first_problem
from secgate_tui.domain.vex.model import Statement, VexDocument, VexDocumentError, VexState

_CONTEXT = "https://openvex.dev/ns"
SUPPORTED_VERSIONS = ("v0.0.1", "v0.0.2", "v0.2.0")


class OvStatus(StrEnum):
    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


class OvJustification(StrEnum):
    COMPONENT_NOT_PRESENT = "component_not_present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present"
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path"
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary"
    )
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist"


_STATE = {
    OvStatus.NOT_AFFECTED: VexState.NOT_AFFECTED,
    OvStatus.AFFECTED: VexState.AFFECTED,
    OvStatus.FIXED: VexState.RESOLVED,
    OvStatus.UNDER_INVESTIGATION: VexState.IN_TRIAGE,
}

_Lenient = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Product(BaseModel):
    model_config = _Lenient

    id: str = Field("", alias="@id")
    identifiers: dict[str, str] = {}
    subcomponents: list[_Product | str] = []

    @property
    def ref(self) -> str:
        return self.id or self.identifiers.get("purl", "")


class _Vulnerability(BaseModel):
    model_config = _Lenient

    name: str = Field(min_length=1)
    aliases: list[str] = []


class _Statement(BaseModel):
    model_config = _Lenient

    vulnerability: _Vulnerability | str
    products: list[_Product | str] = []
    subcomponents: list[_Product | str] = []  # v0.0.x placement
    status: OvStatus
    justification: OvJustification | None = None
    impact_statement: str = ""
    action_statement: str = ""
    status_notes: str = ""
    timestamp: AwareDatetime | None = None
    last_updated: AwareDatetime | None = None


class _Document(BaseModel):
    model_config = _Lenient

    context: str = Field(alias="@context")
    id: str = Field("", alias="@id")
    timestamp: AwareDatetime
    statements: list[_Statement] = Field(min_length=1)


def is_openvex(data: Any) -> bool:
    context = data.get("@context") if isinstance(data, dict) else None
    return isinstance(context, str) and context.startswith(_CONTEXT)


def parse_openvex(data: Any, name: str, digest: str) -> VexDocument:
    """The statements of an OpenVEX document.

    Raises:
        VexDocumentError: not OpenVEX, an unknown version, a field of the
            wrong shape, a statement without products, or the same statement twice.
    """
    if not is_openvex(data):
        raise VexDocumentError(f'it is not an OpenVEX document (no "@context": "{_CONTEXT}")')
    version = data["@context"][len(_CONTEXT) :].lstrip("/") or "v0.2.0"
    if version not in SUPPORTED_VERSIONS:
        raise VexDocumentError(
            f"OpenVEX version {version!r} is not supported; secgate reads "
            f"{', '.join(SUPPORTED_VERSIONS)}"
        )
    try:
        document = _Document.model_validate(data)
    except ValidationError as exc:
        raise VexDocumentError(first_problem(exc)) from None
    statements = []
    seen: set[str] = set()
    for position, raw in enumerate(document.statements):
        key = raw.model_dump_json()
        if key in seen:
            raise VexDocumentError(f"statement {position} repeats an earlier statement exactly")
        seen.add(key)
        statements.append(_statement(raw, document, name, position))
    return VexDocument(
        name=name,
        format=f"OpenVEX {version}",
        digest=digest,
        timestamp=document.timestamp,
        statements=tuple(statements),
    )


def _ref(item: _Product | str) -> str:
    return item if isinstance(item, str) else item.ref


def _refs(raw: _Statement, position: int) -> tuple[str, ...]:
    # Subcomponents, when named, are what the statement is about; the product
    # is where they ship. Without them the product itself is the component.
    refs: set[str] = {_ref(s) for s in raw.subcomponents}
    for product in raw.products:
        if isinstance(product, _Product) and product.subcomponents:
            refs.update(_ref(s) for s in product.subcomponents)
    if not refs:
        refs = {_ref(p) for p in raw.products}
    refs.discard("")
    if not refs:
        raise VexDocumentError(f"statement {position} names no product")
    return tuple(sorted(refs))


def _statement(raw: _Statement, document: _Document, name: str, position: int) -> Statement:
    vulnerability = raw.vulnerability
    vuln_name = vulnerability if isinstance(vulnerability, str) else vulnerability.name
    details = [raw.impact_statement.strip(), raw.status_notes.strip()]
    return Statement(
        vulnerability=vuln_name,
        refs=_refs(raw, position),
        state=_STATE[raw.status],
        raw_state=raw.status.value,
        justification=raw.justification.value if raw.justification else None,
        responses=(),
        action=raw.action_statement.strip(),
        detail=" ".join(d for d in details if d),
        timestamp=raw.last_updated or raw.timestamp or document.timestamp,
        document=name,
        position=position,
    )
