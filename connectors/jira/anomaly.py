"""An open Jira issue's acceptances, CWE ids, compensating controls and safety impact. Pure.

Read from the labels and fields the tracker's settings name (see
:class:`connectors.anomaly_settings.AnomalyFields`); what the values mean and
how a bad one fails closed is :mod:`connectors.anomaly`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from connectors.anomaly import (
    ACCEPTANCE_DISPOSITIONS,
    AcceptanceFacts,
    AnomalyFieldError,
    acceptances,
    cwe_from_labels,
    cwe_ids,
    label_acceptances,
    parse_day,
    parse_instant,
    present,
    shown,
    text_or_none,
    unique,
)
from connectors.anomaly_settings import AnomalyFields
from connectors.jira.textvalues import named, values
from secgate_tui.domain.model import Disposition


@dataclass(frozen=True)
class AnomalyRules:
    """Where this tracker keeps the facts; field ids as Jira names them."""

    labels: Mapping[str, Disposition] = field(default_factory=dict)
    acceptance_field: str | None = None
    release_field: str | None = None
    justification_field: str | None = None
    target_version_field: str | None = None
    accepted_by_field: str | None = None
    accepted_on_field: str | None = None
    expiry_field: str | None = None
    cwe_field: str | None = None
    cwe_labels: bool = False
    compensating_controls_field: str | None = None
    safety_impact_field: str | None = None

    @classmethod
    def of(cls, settings: AnomalyFields) -> AnomalyRules:
        return cls(
            labels=dict(settings.acceptance_labels),
            acceptance_field=settings.acceptance_field or None,
            release_field=settings.acceptance_release_field or None,
            justification_field=settings.acceptance_justification_field or None,
            target_version_field=settings.target_version_field or None,
            accepted_by_field=settings.accepted_by_field or None,
            accepted_on_field=settings.accepted_on_field or None,
            expiry_field=settings.expiry_field or None,
            cwe_field=settings.cwe_field or None,
            cwe_labels=settings.cwe_labels,
            compensating_controls_field=settings.compensating_controls_field or None,
            safety_impact_field=settings.safety_impact_field or None,
        )

    def fields(self) -> list[str]:
        """The field ids a search must ask for (labels and fixVersions are asked anyway)."""
        named_fields = (
            self.acceptance_field,
            self.release_field,
            self.justification_field,
            self.target_version_field,
            self.accepted_by_field,
            self.accepted_on_field,
            self.expiry_field,
            self.cwe_field,
            self.compensating_controls_field,
            self.safety_impact_field,
        )
        return [name for name in named_fields if name]

    def issue_fields(
        self,
        key: str,
        fields: Mapping[str, Any],
        *,
        labels: Sequence[str],
        fix_versions: Sequence[str],
        justification: str | None,
        table: Mapping[str, Disposition],
    ) -> dict[str, Any]:
        """The Issue fields for unresolved anomalies, ready for ``Issue(**...)``.

        ``justification`` is the issue's own (justification_field or comment);
        ``table`` the resolution table, through which acceptance_field is read.

        Raises:
            AnomalyFieldError: a label or field value that cannot be read.
        """
        found: list[tuple[Disposition, str | None]] = list(
            label_acceptances(key, labels, self.labels)
        )
        found.extend(self._field_acceptances(key, fields, table))
        out: dict[str, Any] = {}
        if found:
            facts = AcceptanceFacts(
                justification=self._text(fields, self.justification_field) or justification,
                target_version=self._text(fields, self.target_version_field),
                accepted_by=self._text(fields, self.accepted_by_field),
                accepted_on=self._time(key, fields, self.accepted_on_field),
                expires=self._day(key, fields, self.expiry_field),
            )
            out["acceptances"] = acceptances(found, facts, fix_versions)
        cwe = cwe_from_labels(labels) if self.cwe_labels else []
        if self.cwe_field:
            cwe = [*cwe_ids(key, values(fields.get(self.cwe_field)), self.cwe_field), *cwe]
        out["cwe"] = unique(cwe)
        out["compensating_controls"] = self._text(fields, self.compensating_controls_field)
        out["safety_impact"] = self._text(fields, self.safety_impact_field)
        return present(out)

    def _field_acceptances(
        self, key: str, fields: Mapping[str, Any], table: Mapping[str, Disposition]
    ) -> list[tuple[Disposition, str | None]]:
        if not self.acceptance_field:
            return []
        value = self._text(fields, self.acceptance_field)
        if value is None:
            return []
        disposition = table.get(value.casefold())
        if disposition not in ACCEPTANCE_DISPOSITIONS:
            raise AnomalyFieldError(
                f"{key}: {self.acceptance_field} holds {shown(value)}, which `dispositions` "
                "does not map to risk-accepted or deferred"
            )
        assert disposition is not None
        releases = values(fields.get(self.release_field)) if self.release_field else []
        return [(disposition, release) for release in releases] or [(disposition, None)]

    @staticmethod
    def _text(fields: Mapping[str, Any], name: str | None) -> str | None:
        return text_or_none(named(fields.get(name))) if name else None

    def _time(self, key: str, fields: Mapping[str, Any], name: str | None) -> datetime | None:
        text = self._text(fields, name)
        return parse_instant(key, text, str(name)) if text else None

    def _day(self, key: str, fields: Mapping[str, Any], name: str | None) -> date | None:
        text = self._text(fields, name)
        return parse_day(key, text, str(name)) if text else None
