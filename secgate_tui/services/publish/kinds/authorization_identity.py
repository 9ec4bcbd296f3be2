"""The software identity of an authorization: the SBOM's digest added, the policy applied."""

from __future__ import annotations

from secgate_tui.config_software import SoftwareSettings
from secgate_tui.domain import Verdict
from secgate_tui.domain.software import SbomDigest, SoftwareIdentity, missing_identity


def with_sbom(software: SoftwareIdentity | None, verdict: Verdict) -> SoftwareIdentity | None:
    """The identity with the SBOM the vulnerability assessment evaluated (given or configured).

    The digest is the assessment's own, so the record names exactly the file the
    seventh check read.
    """
    assessment = verdict.vulnerability_assessment
    if assessment is None or assessment.sbom is None:
        return software
    sbom = assessment.sbom
    digest = SbomDigest(name=sbom.name, sha256=sbom.digest, components=sbom.component_count)
    return (software or SoftwareIdentity()).model_copy(update={"sbom": digest})


def identity_refusal(
    settings: SoftwareSettings | None, software: SoftwareIdentity | None
) -> str | None:
    """Why the product's policy (``software.require``) refuses this identity, or None."""
    if settings is None or not settings.require:
        return None
    missing = missing_identity(software, settings.require)
    if not missing:
        return None
    return (
        "; ".join(missing)
        + " (products' software.require). Nothing was written; run authorize again with them."
    )
