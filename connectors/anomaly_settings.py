"""Tracker settings naming where an unresolved anomaly's facts live (acceptances, CWE, ...).

A field setting left empty (``""``) reads nothing, which turns off a default.

:class:`AnomalyFields` is mixed into the settings of trackers with custom
fields (Jira, Redmine); each sets its own defaults. GitLab, which has labels
and descriptions only, uses :func:`checked_acceptance_labels` alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.anomaly import ACCEPTANCE_DISPOSITIONS
from secgate_tui.domain.model import Disposition

FIELD = "Field (Jira: a field id like customfield_10060; Redmine: a custom field name or id)"


def checked_acceptance_labels(value: Mapping[str, Disposition]) -> dict[str, Disposition]:
    """Label prefixes that mark acceptances; each non-empty, each to risk-accepted or deferred."""
    for prefix, disposition in value.items():
        if not prefix.strip():
            raise ValueError("an acceptance label prefix is empty (it would match every label)")
        if disposition not in ACCEPTANCE_DISPOSITIONS:
            raise ValueError(
                f"acceptance label '{prefix}' maps to '{disposition.value}'; an acceptance of an "
                "unresolved anomaly is 'risk-accepted' or 'deferred'"
            )
    ordered = sorted(value, key=len, reverse=True)  # the longest prefix wins
    return {prefix: value[prefix] for prefix in ordered}


class AnomalyFields(BaseModel):
    """Where an open issue's acceptance, CWE, compensating controls and safety impact are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    acceptance_labels: dict[str, Disposition] = Field(
        default_factory=dict,
        description=(
            "Label prefix -> risk-accepted | deferred; a label '<prefix><release>' accepts the "
            "issue for that release. {} reads no labels."
        ),
    )
    acceptance_field: str | None = Field(
        None,
        description=(
            f"{FIELD} whose value, looked up in `dispositions`, is Risk Accepted or Deferred "
            "(for the releases in acceptance_release_field, else for any release)."
        ),
    )
    acceptance_release_field: str | None = Field(
        None, description=f"{FIELD} naming the release(s) acceptance_field is for."
    )
    acceptance_justification_field: str | None = Field(
        None,
        description=(
            f"{FIELD} holding the acceptance's rationale; unset or empty: the issue's "
            "justification (justification_field, else a comment starting with "
            "justification_prefix)."
        ),
    )
    target_version_field: str | None = Field(
        None,
        description=(
            f"{FIELD} holding the version a deferred fix is planned for; unset or empty: the "
            "issue's one fix version other than the accepted release."
        ),
    )
    accepted_by_field: str | None = Field(None, description=f"{FIELD} naming who accepted.")
    accepted_on_field: str | None = Field(
        None, description=f"{FIELD} holding when (a date, or a time with offset)."
    )
    expiry_field: str | None = Field(
        None, description=f"{FIELD} holding the date the acceptance expires."
    )
    cwe_field: str | None = Field(
        None, description=f"{FIELD} holding CWE ids (CWE-79, 79, 'CWE-79: XSS')."
    )
    compensating_controls_field: str | None = Field(
        None, description=f"{FIELD} describing compensating controls (empty: none stated)."
    )
    safety_impact_field: str | None = Field(None, description=f"{FIELD} holding the safety impact.")
    cwe_labels: bool = Field(True, description="Read labels like CWE-79 as CWE ids.")

    @field_validator("acceptance_labels")
    @classmethod
    def _labels(cls, value: dict[str, Disposition]) -> dict[str, Disposition]:
        return checked_acceptance_labels(value)
