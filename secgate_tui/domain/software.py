"""The software an authorization names (issue 13): artifacts, VCS commit, SBOM digest.

A record that says only "release 2.1 passed" does not say which build was
released. These values pin it: each artifact by its SHA-256, the commit the
release was built from, and the SBOM by its digest. A product's policy may
require any of them (``products.P.software.require``); what is required and
absent blocks the authorization, with the reason :func:`missing_identity`
gives. Also here: the retrospective authorization of a release the tracker
already shows as shipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: A git object id: SHA-1 (40) or SHA-256 (64) hex digits, lower case.
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _sha256(value: str) -> str:
    if not _SHA256.fullmatch(value):
        raise ValueError("must be 64 lower-case hex digits (a SHA-256)")
    return value


class Requirement(StrEnum):
    """What a product's policy can require of the software identity."""

    ARTIFACTS = "artifacts"
    COMMIT = "commit"
    SBOM = "sbom"


class Artifact(BaseModel):
    """A file named by its base name and pinned by its SHA-256 and size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    sha256: str
    size: int = Field(ge=0)

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        return _sha256(value)


class SbomDigest(BaseModel):
    """The release's SBOM as evaluated by the vulnerability assessment: name, digest, size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    sha256: str
    components: int = Field(ge=0)

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        return _sha256(value)


class Commit(BaseModel):
    """The VCS revision the release was built from, and where secgate learned it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    #: How it was named: "--commit <rev>" or "tag <name>" (in the configured repository).
    source: str = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _object_id(cls, value: str) -> str:
        if not _COMMIT.fullmatch(value):
            raise ValueError("must be a full git object id (40 or 64 lower-case hex digits)")
        return value


class SoftwareIdentity(BaseModel):
    """Which software an authorization authorizes; every part optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    artifacts: tuple[Artifact, ...] = ()
    commit: Commit | None = None
    sbom: SbomDigest | None = None

    @property
    def empty(self) -> bool:
        return not self.artifacts and self.commit is None and self.sbom is None

    def artifact(self, sha256: str) -> Artifact | None:
        """The authorized artifact with this digest, if any."""
        return next((a for a in self.artifacts if a.sha256 == sha256), None)


_ABSENT = {
    Requirement.ARTIFACTS: "no artifact was named (give each released file with --artifact PATH)",
    Requirement.COMMIT: (
        "no commit was named (give --commit REV, or configure the product's "
        "software.git_repository and tag so secgate reads it from the release's tag)"
    ),
    # Either configured source satisfies it: a file (sbom) or an attachment on the
    # release's record issue (sbom_attachment), so the message names both.
    Requirement.SBOM: (
        "no SBOM was given (give --sbom FILE, or configure the product's "
        "vulnerability_assessment.sbom to read a file, or vulnerability_assessment."
        "sbom_attachment to read it from the release's record issue)"
    ),
}


def missing_identity(
    identity: SoftwareIdentity | None, required: Iterable[Requirement]
) -> list[str]:
    """Why the identity does not meet the product's policy (empty: it does)."""
    identity = identity or SoftwareIdentity()
    present = {
        Requirement.ARTIFACTS: bool(identity.artifacts),
        Requirement.COMMIT: identity.commit is not None,
        Requirement.SBOM: identity.sbom is not None,
    }
    return [
        f"the product requires {wanted.value} in the record, but {_ABSENT[wanted]}"
        for wanted in sorted(set(required), key=list(Requirement).index)
        if not present[wanted]
    ]


class Retrospective(BaseModel):
    """An authorization of a release the tracker already shows as shipped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: When the tracker says it shipped (None: released, but no date in the tracker).
    released_on: date | None
    reason: str = Field(min_length=1)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a retrospective authorization needs a reason")
        return value.strip()

    @property
    def shipped(self) -> str:
        """The date in words, for the record's first line."""
        return (
            self.released_on.isoformat() if self.released_on else "a date the tracker does not give"
        )
