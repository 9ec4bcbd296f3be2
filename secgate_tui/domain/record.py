"""The authorization record: what was checked, by whom, and its digest (IEC 81001-5-1 5.8).

The record's canonical JSON (:func:`canonical_json`) is what gets digested,
written to the tracker, read back, logged and exported. Its id is derived from
product, release, snapshot digest, authorizer and the digest of the activity
evidence and empty-category acknowledgements (:func:`evidence_digest`), so every
attempt to authorize the same decision (from any process or machine) looks for
the same marker and adopts a comment an earlier attempt posted instead of
posting twice, while changed evidence or acknowledgements give a new record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from secgate_tui.domain.canonical import canonical_json, sha256_hex
from secgate_tui.domain.classify import Classification, Classifier
from secgate_tui.domain.gate import Verdict
from secgate_tui.domain.model import RESIDUAL, ActivityState, Category, Disposition, Issue, utc
from secgate_tui.domain.record_anomalies import RecordAnomaly, record_anomalies
from secgate_tui.domain.record_vulnerabilities import RecordVulnerabilities, record_vulnerabilities
from secgate_tui.domain.software import Retrospective, SoftwareIdentity
from secgate_tui.domain.times import to_second

RECORD_KIND: Final = "secgate-record"
#: 2: the record id also covers the evidence digest.
#: 3: document control (document number, revision), the gate criteria applied, each
#: activity's evidence title, link and maximum age, and every time to the second.
#: Records of formats 1 and 2 stay readable, and render with their own layout.
FORMAT: Final = 3
FORMATS: Final = (1, 2, 3)
#: The first format with document control; fields it added are absent from older ones.
CONTROLLED: Final = 3


def _unset(value: object) -> bool:
    # Fields a format added are left out of older records' JSON, so their canonical
    # text (and digest) stays exactly what their version wrote.
    return value is None


class AuthorizerIdentity(BaseModel):
    """The tracker identity that authorized (from the connector's ``whoami``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tracker: str
    id: str
    name: str
    display_name: str = ""

    def matches(self, person: str | None) -> bool:
        """Whether a tracker's assignee value names this identity (case-insensitive)."""
        if not person:
            return False
        wanted = person.strip().casefold()
        return wanted in {
            v.strip().casefold() for v in (self.id, self.name, self.display_name) if v
        }


class RecordIssue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    key: str
    title: str
    status: str
    closed: bool
    disposition: Disposition
    url: str = ""


class RecordCategory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category
    total: int
    closed: int
    issues: tuple[RecordIssue, ...]
    empty: bool
    not_applicable_reason: str | None = None


class RecordResidual(BaseModel):
    """A residual item: accepted without a fix, with its risk justification."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category
    source: str
    key: str
    title: str
    disposition: Disposition
    justification: str
    assignee: str | None = None


class RecordActivity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    state: ActivityState
    # A document's date is optional (None when the config pins none).
    evidence: dict[str, str | None] | None = None
    evidence_date: AwareDatetime | None = None
    detail: str = ""
    #: Format 3: the evidence's own title (issue title, document file name) and link.
    evidence_title: str | None = Field(None, exclude_if=_unset)
    evidence_url: str | None = Field(None, exclude_if=_unset)
    #: Format 3: the maximum age the policy applied (0: any age).
    max_age_days: int | None = Field(None, exclude_if=_unset)


class Supersedes(BaseModel):
    """The earlier authorization of the same release that this record replaces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str
    record_digest: str


class AuthorizationRecord(BaseModel):
    """Everything an auditor needs to trust that a release was authorized."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = RECORD_KIND
    format: int = FORMAT
    record_id: str
    product: str
    product_name: str
    release: str
    authorized_at: AwareDatetime
    authorizer: AuthorizerIdentity
    secgate_version: str
    config_digest: str
    snapshot_digest: str
    categories: tuple[RecordCategory, ...]
    residual: tuple[RecordResidual, ...]
    activities: tuple[RecordActivity, ...]
    supersedes: Supersedes | None = None
    #: The security assessment of unresolved anomalies (domain/record_anomalies.py): left
    #: out of the canonical JSON while empty, so records written before it stay as they were.
    unresolved_anomalies: tuple[RecordAnomaly, ...] = Field((), exclude_if=lambda rows: not rows)
    #: Format 3: the controlled document's number (configured prefix + record id) and its
    #: revision (1 for the first authorization of the release, then one more per record).
    document_number: str | None = Field(None, exclude_if=_unset)
    revision: int | None = Field(None, exclude_if=_unset)
    #: Format 3: the gate criteria that were applied, in words.
    criteria: tuple[str, ...] | None = Field(None, exclude_if=_unset)
    #: Which software is authorized (issue 13). Left out of the canonical JSON while
    #: unset, so records written before it re-render and re-digest byte for byte.
    software: SoftwareIdentity | None = Field(None, exclude_if=lambda value: value is None)
    #: Set when the tracker showed the release as shipped before this authorization.
    retrospective: Retrospective | None = Field(None, exclude_if=lambda value: value is None)
    #: The vulnerability assessment (SBOM/VEX) the gate passed on (issue 14); absent when
    #: the release had none, so older records keep their canonical JSON.
    vulnerabilities: RecordVulnerabilities | None = Field(None, exclude_if=_unset)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def canonical(self) -> str:
        """The canonical JSON text; its SHA-256 is the record digest."""
        return canonical_json(self.as_json())

    @property
    def record_digest(self) -> str:
        return sha256_hex(self.canonical())

    @property
    def marker(self) -> str:
        return f"{self.kind} {self.record_id} sha256:{self.record_digest}"

    def same_authorization(self, other: AuthorizationRecord) -> bool:
        """Whether ``other`` is this record as an earlier attempt wrote it.

        A retry adopts a record an earlier attempt posted; it must say everything
        this attempt would have said, or it is not adopted. Only fields that
        legitimately differ between two attempts at one decision are exempt:

        - ``authorized_at``: the retry runs later than the attempt whose answer was
          lost; the adopted record keeps the earlier (true) time.
        - ``secgate_version``: a retry after upgrading secgate writes the same
          content with other tooling; the version does not change the decision.

        Everything else (the config digest, the predecessor named in ``supersedes``,
        the authorizer's names, every issue and activity) must be equal.
        """
        volatile = {"authorized_at", "secgate_version"}
        mine = {k: v for k, v in self.as_json().items() if k not in volatile}
        theirs = {k: v for k, v in other.as_json().items() if k not in volatile}
        return mine == theirs

    def same_decision(self, earlier: AuthorizationRecord) -> bool:
        """Whether ``earlier``, a record of an older format, states this very decision.

        A retry after an upgrade finds the record the previous version posted; it is
        adopted (rendered by its own format) when it says everything this record says
        about the release: the same issues, dispositions, activities and evidence (times
        compared to the second), configuration and authorizer. What only the newer
        format records (document control, the criteria in words, evidence titles and
        links, and any field a newer format adds while it is empty) is not compared;
        nor is the predecessor, which the caller checks against the chain.
        """
        if earlier.format >= self.format:
            return False
        return _decision(self.as_json(), earlier.as_json()) == _decision(
            earlier.as_json(), earlier.as_json()
        )


#: What two attempts at one decision may legitimately differ in, or what document
#: control adds; never compared across formats.
_NOT_THE_DECISION = frozenset(
    {
        "authorized_at",
        "secgate_version",
        "format",
        "record_id",
        "supersedes",
        "document_number",
        "revision",
        "criteria",
        # Same record id, so no issue affected the release without being fixed in it
        # (they are in the snapshot): the rows only restate the residual items.
        "unresolved_anomalies",
    }
)
_ACTIVITY_DESCRIPTION = frozenset({"evidence_title", "evidence_url", "max_age_days"})


def _decision(data: dict[str, Any], older: dict[str, Any]) -> dict[str, Any]:
    """``data`` without what :meth:`AuthorizationRecord.same_decision` leaves out."""
    view = {
        k: v
        for k, v in data.items()
        if k not in _NOT_THE_DECISION and (k in older or v not in (None, [], {}, ""))
    }
    view["activities"] = [
        {
            **{k: v for k, v in a.items() if k not in _ACTIVITY_DESCRIPTION},
            "evidence_date": _to_second(a.get("evidence_date")),
        }
        for a in data.get("activities", [])
    ]
    return view


def _to_second(value: object) -> object:
    if not isinstance(value, str):
        return value
    return to_second(datetime.fromisoformat(value)).isoformat()


def evidence_digest(
    activities: Sequence[RecordActivity],
    categories: Sequence[RecordCategory],
    software: SoftwareIdentity | None = None,
    retrospective: Retrospective | None = None,
    vulnerabilities: RecordVulnerabilities | None = None,
) -> str:
    """What the gate decided beyond the issue snapshot: activity evidence and acknowledgements.

    The snapshot digest covers the issues only; a record for the same issues but
    other activity evidence (or another reason an empty category does not apply)
    is another decision and must get another id. ``name`` and ``detail`` are
    descriptions of the activity, not evidence, and are left out.

    The software identity and a retrospective authorization's reason are covered
    only when present: another build is another decision, and records without
    them derive their ids exactly as before; so is the vulnerability assessment
    (another SBOM or VEX is another decision).
    """
    later: dict[str, Any] = {}
    if vulnerabilities is not None:
        later["vulnerabilities"] = vulnerabilities.model_dump(mode="json")
    if software is not None:
        later["software"] = software.model_dump(mode="json")
    if retrospective is not None:
        later["retrospective"] = retrospective.model_dump(mode="json")
    return sha256_hex(
        canonical_json(
            {
                **later,
                "activities": [
                    [
                        a.id,
                        a.state.value,
                        a.evidence,
                        None if a.evidence_date is None else a.evidence_date.isoformat(),
                    ]
                    for a in activities
                ],
                "acknowledged": [
                    [c.category.value, c.not_applicable_reason]
                    for c in categories
                    if c.not_applicable_reason is not None
                ],
            }
        )
    )


def record_id(
    product: str,
    release: str,
    snapshot_digest: str,
    authorizer_id: str,
    evidence: str | None,
) -> str:
    """Stable across retries: the same decision authorized by the same person, same id.

    ``evidence`` is :func:`evidence_digest`; None derives a format 1 id (which did
    not cover it), only to read records written before format 2.
    """
    parts = [product, release, snapshot_digest, authorizer_id]
    if evidence is not None:
        parts.append(evidence)
    digest = sha256_hex(canonical_json(parts))
    return f"SRA-{digest[:20]}"


def parse_record(data: Mapping[str, Any]) -> AuthorizationRecord:
    """A record from its JSON form. Raises ValueError when it is not one."""
    record = AuthorizationRecord.model_validate(dict(data))
    if record.kind != RECORD_KIND or record.format not in FORMATS:
        raise ValueError(f"not an authorization record of a known format ({record.format})")
    evidence = (
        None
        if record.format == 1
        else evidence_digest(
            record.activities,
            record.categories,
            record.software,
            record.retrospective,
            record.vulnerabilities,
        )
    )
    expected = record_id(
        record.product, record.release, record.snapshot_digest, record.authorizer.id, evidence
    )
    if record.record_id != expected:
        raise ValueError(
            f"record id {record.record_id} does not derive from its product, release, "
            "snapshot, authorizer, activity evidence and acknowledgements"
        )
    problem = _document_control_problem(record)
    if problem is not None:
        raise ValueError(problem)
    return record


def _document_control_problem(record: AuthorizationRecord) -> str | None:
    controlled = (record.document_number, record.revision, record.criteria)
    if record.format < CONTROLLED:
        if any(value is not None for value in controlled):
            return f"a format {record.format} record carries fields of a later format"
        return None
    if record.document_number is None or record.revision is None or record.criteria is None:
        return "the record lacks its document number, revision or gate criteria"
    if not record.document_number.endswith(record.record_id) or record.revision < 1:
        return (
            f"document {record.document_number} revision {record.revision} does not name "
            f"record {record.record_id}"
        )
    return None


def document_number(prefix: str, record_id: str) -> str:
    """The controlled document's number: the configured prefix, then the record id."""
    return f"{prefix}-{record_id}" if prefix else record_id


def build_record(
    *,
    product: str,
    product_name: str,
    release: str,
    verdict: Verdict,
    issues: Sequence[Issue],
    classification: Classification,
    authorizer: AuthorizerIdentity,
    at: datetime,
    secgate_version: str,
    config_digest: str,
    supersedes: Supersedes | None = None,
    document_prefix: str = "SEC-REC",
    criteria: Sequence[str] = (),
    revision: int = 1,
    software: SoftwareIdentity | None = None,
    retrospective: Retrospective | None = None,
) -> AuthorizationRecord:
    """The record of a PASS verdict (the current format). Raises ValueError for a verdict
    that did not pass.

    ``revision`` and ``supersedes`` come from the release's earlier records (the caller
    knows them); ``criteria`` are the gate criteria applied, in words. ``software`` is
    recorded only when it names something (an empty identity is left out, so the
    record is the one secgate wrote before identities existed).
    """
    if not verdict.passed:
        raise ValueError("only a passing verdict can be recorded as an authorization")
    classifier = Classifier(classification)
    by_category: dict[Category, list[RecordIssue]] = {category: [] for category in Category}
    for issue in sorted(issues, key=lambda i: (i.source, i.key)):
        category = classifier.classify(issue)
        if isinstance(category, Category):
            by_category[category].append(
                RecordIssue(
                    source=issue.source,
                    key=issue.key,
                    title=issue.title,
                    status=issue.status,
                    closed=issue.closed,
                    disposition=issue.disposition,
                    url=issue.url,
                )
            )
    categories: list[RecordCategory] = []
    residual: list[RecordResidual] = []
    for result in verdict.categories:
        listed = tuple(by_category[result.category])
        if len(listed) != result.total:
            # The issues are not the ones the verdict was computed from.
            raise ValueError(f"issues do not match the verdict in {result.category.value}")
        categories.append(
            RecordCategory(
                category=result.category,
                total=result.total,
                closed=result.closed,
                issues=listed,
                empty=result.empty,
                not_applicable_reason=result.not_applicable_reason,
            )
        )
        residual.extend(
            RecordResidual(
                category=result.category,
                source=item.source,
                key=item.key,
                title=item.title,
                disposition=item.disposition,
                justification=item.justification,
                assignee=item.assignee,
            )
            for item in result.residual
            if item.disposition in RESIDUAL
        )
    activities = tuple(
        RecordActivity(
            id=a.id,
            name=a.name,
            state=a.state,
            evidence=None if a.evidence is None else a.evidence.model_dump(mode="json"),
            evidence_date=None if a.evidence_date is None else to_second(a.evidence_date),
            detail=a.detail,
            evidence_title=a.evidence_title,
            evidence_url=a.evidence_url,
            max_age_days=a.max_age_days,
        )
        for a in verdict.activities
    )
    if software is not None and software.empty:
        software = None
    assessment = verdict.vulnerability_assessment
    vulnerabilities = None if assessment is None else record_vulnerabilities(assessment)
    evidence = evidence_digest(activities, categories, software, retrospective, vulnerabilities)
    rid = record_id(product, release, verdict.snapshot_digest, authorizer.id, evidence)
    return AuthorizationRecord(
        record_id=rid,
        product=product,
        product_name=product_name,
        release=release,
        authorized_at=to_second(utc(at)),
        authorizer=authorizer,
        secgate_version=secgate_version,
        config_digest=config_digest,
        snapshot_digest=verdict.snapshot_digest,
        categories=tuple(categories),
        residual=tuple(residual),
        activities=activities,
        supersedes=supersedes,
        unresolved_anomalies=record_anomalies(verdict, issues),
        document_number=document_number(document_prefix, rid),
        revision=revision,
        criteria=tuple(criteria),
        software=software,
        retrospective=retrospective,
        vulnerabilities=vulnerabilities,
    )


def residual_assigned_to(record: AuthorizationRecord) -> list[RecordResidual]:
    """Residual items whose assignee is the authorizer (separation of duties)."""
    return [item for item in record.residual if record.authorizer.matches(item.assignee)]
