"""The normalized model every connector maps its tracker into.

Names follow IEC 81001-5-1: the six categories of 5.8.1/5.8.5, the dispositions
a problem-resolution process can reach, and the activities of 5.8.6. Every model
is frozen so a snapshot cannot change between evaluation and record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator


class Category(StrEnum):
    """Where a security-related issue is tracked to closure (5.8.1, 5.8.5)."""

    SYSTEM_TEST_FINDINGS = "system-test-findings"
    REQUIREMENTS = "requirements"
    SECURITY_BY_DESIGN = "security-by-design"
    IMPLEMENTATION = "implementation"
    VERIFICATION_VALIDATION = "verification-validation"
    DEFECT_MANAGEMENT = "defect-management"

    # A property shadowing str.title on purpose: "the category's title" reads
    # naturally at every use, and nothing calls str.title() on a Category.
    @property
    def title(self) -> str:  # type: ignore[override]
        return _CATEGORY_TITLES[self]


_CATEGORY_TITLES = {
    Category.SYSTEM_TEST_FINDINGS: "System test findings",
    Category.REQUIREMENTS: "Security requirements",
    Category.SECURITY_BY_DESIGN: "Security by design",
    Category.IMPLEMENTATION: "Implementation",
    Category.VERIFICATION_VALIDATION: "Verification / validation",
    Category.DEFECT_MANAGEMENT: "Security defect management",
}


class Disposition(StrEnum):
    """How the problem-resolution process ended for an issue."""

    FIXED = "fixed"
    DUPLICATE = "duplicate"
    NOT_A_DEFECT = "not-a-defect"
    RISK_ACCEPTED = "risk-accepted"
    DEFERRED = "deferred"
    WONT_FIX = "wont-fix"
    UNKNOWN = "unknown"


#: Accepted without further ado when the issue is closed.
ACCEPTED = frozenset({Disposition.FIXED, Disposition.DUPLICATE, Disposition.NOT_A_DEFECT})
#: Accepted only with a justification; listed in the record as residual items.
RESIDUAL = frozenset({Disposition.RISK_ACCEPTED, Disposition.DEFERRED, Disposition.WONT_FIX})


def utc(value: datetime) -> datetime:
    """Normalize an aware datetime to UTC; naive datetimes are a bug upstream."""
    tzinfo = value.tzinfo
    if tzinfo is UTC:
        # Already UTC (what ISO times ending in Z or +00:00 parse to): astimezone
        # would return the same object, at the cost of a call per time mapped.
        return value
    if tzinfo is None:
        raise ValueError("naive datetime: every time in secgate is timezone-aware")
    return value.astimezone(UTC)


class Severity(StrEnum):
    """The normalized severity policies are written against (a source's ``severity_map``)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Acceptance(BaseModel):
    """A disposition of an issue for one release it affects but is not fixed in.

    An open issue has no resolution; a risk acceptance or deferral for a release
    is read from tracker fields or labels the connector is configured for (for
    example a Jira label ``risk-accepted:4.1.0``). ``release`` names the release
    it is for (None: every release the issue affects). Fields are declared in
    alphabetical order for the same reason as :class:`Issue`'s.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    accepted_by: str | None = None
    accepted_on: AwareDatetime | None = None
    disposition: Disposition
    expires: dt.date | None = None
    justification: str | None = None
    release: str | None = None
    target_version: str | None = None

    @field_validator("accepted_on")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else utc(value)


def _unset(value: object) -> bool:
    """Left out of an issue's canonical JSON: issues without the field keep their digest."""
    return value is None or value == ()


class Issue(BaseModel):
    """One tracker issue, normalized. Text fields are untrusted tracker input.

    Fields are declared in alphabetical order on purpose: pydantic serializes
    in declaration order, so ``model_dump_json`` is already canonical JSON
    (sorted keys, compact, UTF-8) and the snapshot digest of 100,000 issues
    needs no Python-level re-sorting (see canonical.py).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Fields added after the first release (acceptances, compensating_controls,
    # cwe, resolved_by, resolved_on, safety_impact) are left out of the JSON while
    # unset, so an issue that does not carry them has the canonical text, and the
    # snapshot digest and record id, it had before they existed.
    acceptances: tuple[Acceptance, ...] = Field((), exclude_if=_unset)
    affects_versions: tuple[str, ...] = ()
    assignee: str | None = None
    closed: bool
    closed_at: AwareDatetime | None = None
    compensating_controls: str | None = Field(None, exclude_if=_unset)
    components: tuple[str, ...] = ()
    created: AwareDatetime
    cwe: tuple[str, ...] = Field((), exclude_if=_unset)
    disposition: Disposition = Disposition.UNKNOWN
    fix_versions: tuple[str, ...] = ()
    justification: str | None = None
    key: str
    labels: tuple[str, ...] = ()
    priority: str | None = None
    raw_digest: str = ""
    resolution: str | None = None
    #: Who set the resolution of a closed issue, and when, as the tracker's history
    #: shows it (read for residual items: their acceptor and justifier).
    resolved_by: str | None = Field(None, exclude_if=_unset)
    resolved_on: AwareDatetime | None = Field(None, exclude_if=_unset)
    safety_impact: str | None = Field(None, exclude_if=_unset)
    severity: str | None = None
    source: str
    status: str
    title: str
    type: str = ""
    updated: AwareDatetime
    url: str = ""

    @model_validator(mode="after")
    def _to_utc(self) -> Issue:
        # One call for the issue's four times: a field validator costs a call per
        # field, and a sync maps 20,000 issues (the store loads as many).
        fields = self.__dict__
        for name in _TIMES:
            value = fields[name]
            if value is not None and value.tzinfo is not UTC:
                fields[name] = utc(value)
        return self

    # The issue's canonical JSON is kept once computed or once read from the store
    # (which writes exactly that text), under "_canonical" in pydantic's private
    # dictionary: the snapshot digest of 100,000 issues then costs a join instead
    # of a re-serialization. Never part of equality. The dictionary is made on
    # first use: a declared private attribute would have pydantic set one up for
    # every issue a sync maps (2 us each), most of which never need it.

    @classmethod
    def from_canonical_json(cls, data: str | bytes) -> Issue:
        """An issue read back from text that :meth:`canonical_json` produced."""
        issue = cls.model_validate_json(data)
        text = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        object.__setattr__(issue, "__pydantic_private__", {"_canonical": text})
        # Canonical text sets every field; one shared set instead of a 2 KB set
        # per issue keeps 100,000 loaded issues within the memory budget.
        # pydantic copies this set before changing it (model_copy).
        object.__setattr__(issue, "__pydantic_fields_set__", _ALL_FIELDS)
        # Issues of one release share a few label / version / component tuples.
        fields = issue.__dict__
        for name in ("labels", "components", "fix_versions", "affects_versions"):
            fields[name] = _SHARED_TUPLES.setdefault(fields[name], fields[name])
        return issue

    def canonical_json(self) -> bytes:
        """Compact JSON with sorted keys (fields are declared in sorted order)."""
        # The private dict directly: this runs once per issue per verdict.
        private = self.__pydantic_private__
        cached: bytes | None = private.get("_canonical") if private is not None else None
        if cached is None:
            cached = self.__pydantic_serializer__.to_json(self)
            if private is None:
                object.__setattr__(self, "__pydantic_private__", {"_canonical": cached})
            else:
                private["_canonical"] = cached
        return cached

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Issue:
        copied = super().model_copy(update=update, deep=deep)
        # The kept text describes the original, not the copy.
        object.__setattr__(copied, "__pydantic_private__", None)
        return copied

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Issue):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.source, self.key, self.updated, self.title, self.status))

    @property
    def uid(self) -> tuple[str, str]:
        """Identity across sources: the same key may exist in two trackers."""
        return (self.source, self.key)


def canonical_texts(issues: Iterable[Issue]) -> list[bytes]:
    """Each issue's :meth:`Issue.canonical_json`, in order.

    The snapshot digest joins 100,000 of them: reading the kept text from the
    private dictionary here costs half of a method call per issue.
    """
    texts: list[bytes] = []
    append = texts.append
    for issue in issues:
        private = issue.__pydantic_private__
        text = private.get("_canonical") if private is not None else None
        append(text if text is not None else issue.canonical_json())
    return texts


_ALL_FIELDS = set(Issue.model_fields)
_TIMES = ("created", "updated", "closed_at", "resolved_on")
_SHARED_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


class ActivityState(StrEnum):
    """The state of a required activity's record (5.8.6)."""

    COMPLETE = "complete"
    MISSING = "missing"
    INCOMPLETE = "incomplete"
    STALE = "stale"


class IssueEvidence(BaseModel):
    """The activity's record is a tracker issue (closed when the activity is done)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tracker: str
    key: str


class DocumentEvidence(BaseModel):
    """The activity's record is a document whose content is pinned by its SHA-256.

    ``date`` is the document's own date (e.g. when the assessment was done),
    pinned in the config with its digest; an activity with ``max_age_days``
    needs it, since a file's modification time says nothing about its age.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    sha256: str
    date: dt.date | None = None


Evidence = IssueEvidence | DocumentEvidence


class ActivityScope(StrEnum):
    """Which evidence counts for a release (issue 13): see ``domain.activity_scope``."""

    RELEASE = "release"
    SINCE_PREVIOUS_RELEASE = "since-previous-release"
    PRODUCT = "product"


class Activity(BaseModel):
    """A required security activity and what was observed about its record.

    The observation (`found`, `complete`, `evidence_date`, `detail`) is made by
    the services layer; whether that makes the record complete, missing,
    incomplete or stale is decided purely by :func:`activity_state`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    evidence: Evidence | None = None
    max_age_days: int = 0
    found: bool = False
    complete: bool = False
    evidence_date: AwareDatetime | None = None
    detail: str = ""
    #: The evidence as a person finds it: the issue's title and link, or the document's path.
    # Left out of the JSON while empty, like scope below: observations stored before.
    evidence_title: str = Field("", exclude_if=lambda title: not title)
    evidence_url: str = Field("", exclude_if=lambda url: not url)
    # Both left out of the JSON at their defaults, so stored observations and evidence
    # bundles written before activity scopes read back and re-digest as they were.
    scope: ActivityScope = Field(
        ActivityScope.PRODUCT, exclude_if=lambda scope: scope is ActivityScope.PRODUCT
    )
    #: The evidence issue's fix versions, as its tracker names them.
    evidence_versions: tuple[str, ...] = Field((), exclude_if=lambda versions: not versions)


def activity_state(activity: Activity, now: datetime) -> ActivityState:
    """Fail closed: no record is missing, an unfinished one incomplete, an old one stale."""
    if activity.evidence is None or not activity.found:
        return ActivityState.MISSING
    if not activity.complete:
        return ActivityState.INCOMPLETE
    if activity.max_age_days > 0:
        if activity.evidence_date is None:
            return ActivityState.STALE
        age = utc(now) - utc(activity.evidence_date)
        if age.total_seconds() > activity.max_age_days * 86400:
            return ActivityState.STALE
    return ActivityState.COMPLETE


class SourceState(BaseModel):
    """How one tracker source of a release last synced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    project: str
    synced_at: AwareDatetime | None = None
    error: str | None = None
    release_found: bool = True
    #: Keys that left the release list while the tracker, asked for each by key,
    #: answered "not found" or "forbidden": deleted, or no longer visible to
    #: secgate's account. They block until seen again or acknowledged as deleted.
    missing: tuple[str, ...] = ()


class EventState(StrEnum):
    OPENED = "opened"
    CLOSED = "closed"
    REOPENED = "reopened"


class StateEvent(BaseModel):
    """One open/close transition of an issue, from the tracker's history.

    Connectors fill these where the tracker exposes history (Jira changelog,
    GitLab resource state events, Redmine journals). An ``opened`` event after a
    ``closed`` one counts as a reopen, as does an explicit ``reopened``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    key: str
    at: AwareDatetime
    state: EventState

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)
