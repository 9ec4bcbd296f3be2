"""An open Redmine issue's acceptances, CWE ids, compensating controls and safety impact. Pure.

Read from custom fields named in the settings (by name or id; defaults are
names such as "Acceptance" and "Accepted for", so an instance without them
reads nothing). Who accepted and when, when no field says so, come from the
journal that set the acceptance field to its present disposition: the
connector reads journals for these issues as it does for residual items'
justification notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from connectors.redmine.fields import FieldRef, JsonDict, field_values
from secgate_tui.domain.model import Disposition, Issue


def _ref(spec: str | None) -> FieldRef | None:
    return FieldRef(spec) if spec and spec.strip() else None


class AnomalyRules:
    """The custom fields of one tracker's settings, resolved once."""

    def __init__(self, settings: AnomalyFields) -> None:
        self.labels = dict(settings.acceptance_labels)
        self.acceptance = _ref(settings.acceptance_field)
        self.release = _ref(settings.acceptance_release_field)
        self.justification = _ref(settings.acceptance_justification_field)
        self.target = _ref(settings.target_version_field)
        self.accepted_by = _ref(settings.accepted_by_field)
        self.accepted_on = _ref(settings.accepted_on_field)
        self.expiry = _ref(settings.expiry_field)
        self.cwe = _ref(settings.cwe_field)
        self.cwe_labels = settings.cwe_labels
        self.controls = _ref(settings.compensating_controls_field)
        self.safety = _ref(settings.safety_impact_field)

    def version_values(self, raw: JsonDict) -> list[str]:
        """Values of the fields that may hold version ids (version-format custom fields)."""
        return [*field_values(raw, self.release), *field_values(raw, self.target)]

    def issue_fields(
        self,
        key: str,
        raw: JsonDict,
        *,
        labels: Sequence[str],
        fix_versions: Sequence[str],
        justification: str | None,
        table: Mapping[str, Disposition],
        version_names: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The Issue fields for unresolved anomalies, ready for ``Issue(**...)``.

        Raises:
            AnomalyFieldError: a value that cannot be read (see connectors.anomaly).
        """
        names = version_names or {}
        found: list[tuple[Disposition, str | None]] = list(
            label_acceptances(key, labels, self.labels)
        )
        found.extend(self._field_acceptances(key, raw, table, names))
        out: dict[str, Any] = {}
        if found:
            target = self._text(raw, self.target)
            facts = AcceptanceFacts(
                justification=self._text(raw, self.justification) or justification,
                target_version=names.get(target, target) if target else None,
                accepted_by=self._text(raw, self.accepted_by),
                accepted_on=self._time(key, raw, self.accepted_on),
                expires=self._day(key, raw, self.expiry),
            )
            out["acceptances"] = acceptances(found, facts, fix_versions)
        cwe = cwe_from_labels(labels) if self.cwe_labels else []
        if self.cwe is not None:
            cwe = [*cwe_ids(key, field_values(raw, self.cwe), _name(self.cwe)), *cwe]
        out["cwe"] = unique(cwe)
        out["compensating_controls"] = self._text(raw, self.controls)
        out["safety_impact"] = self._text(raw, self.safety)
        return present(out)

    def _field_acceptances(
        self,
        key: str,
        raw: JsonDict,
        table: Mapping[str, Disposition],
        names: Mapping[str, str],
    ) -> list[tuple[Disposition, str | None]]:
        value = self._text(raw, self.acceptance)
        if value is None or self.acceptance is None:
            return []
        disposition = table.get(value.casefold())
        if disposition not in ACCEPTANCE_DISPOSITIONS:
            raise AnomalyFieldError(
                f"{key}: the custom field {_name(self.acceptance)} holds {shown(value)}, which "
                "`dispositions` does not map to risk-accepted or deferred"
            )
        assert disposition is not None
        releases = [names.get(v, v) for v in field_values(raw, self.release)]
        return [(disposition, release) for release in releases] or [(disposition, None)]

    # -- journals ------------------------------------------------------------

    def needs_journals(self, issue: Issue) -> bool:
        """An acceptance still without justification, acceptor or time: read the journals."""
        return any(
            not (a.justification and a.accepted_by and a.accepted_on) for a in issue.acceptances
        )

    def with_journals(
        self,
        issue: Issue,
        journals: Iterable[JsonDict],
        note_justification: str | None,
        table: Mapping[str, Disposition],
    ) -> Issue:
        """Acceptances completed from the journals: the justification note, and who set
        the acceptance field to its present disposition and when (the newest such journal)."""
        setter = self._setter(journals, table)
        completed = []
        for acceptance in issue.acceptances:
            update: dict[str, Any] = {}
            if not acceptance.justification and note_justification:
                update["justification"] = note_justification
            by, at = setter.get(acceptance.disposition, (None, None))
            if not acceptance.accepted_by and by:
                update["accepted_by"] = by
            if not acceptance.accepted_on and at:
                update["accepted_on"] = at
            completed.append(acceptance.model_copy(update=update) if update else acceptance)
        return issue.model_copy(update={"acceptances": tuple(completed)})

    def _setter(
        self, journals: Iterable[JsonDict], table: Mapping[str, Disposition]
    ) -> dict[Disposition, tuple[str | None, datetime | None]]:
        field_id = self.acceptance.known_id if self.acceptance else None
        if field_id is None:
            return {}
        found: dict[Disposition, tuple[str | None, datetime | None]] = {}
        ordered = sorted(journals, key=lambda j: int(j.get("id") or 0))
        for journal in ordered:
            for detail in journal.get("details") or []:
                if detail.get("property") != "cf" or str(detail.get("name")) != str(field_id):
                    continue
                value = str(detail.get("new_value") or "").strip().casefold()
                disposition = table.get(value)
                if disposition in ACCEPTANCE_DISPOSITIONS:
                    assert disposition is not None
                    user = journal.get("user")
                    name = user.get("name") if isinstance(user, dict) else None
                    stamp = journal.get("created_on")
                    at = parse_instant("journal", str(stamp), "created_on") if stamp else None
                    found[disposition] = (str(name) if name else None, at)
        return found

    # -- values --------------------------------------------------------------

    @staticmethod
    def _text(raw: JsonDict, ref: FieldRef | None) -> str | None:
        return text_or_none("\n".join(field_values(raw, ref))) if ref else None

    def _time(self, key: str, raw: JsonDict, ref: FieldRef | None) -> datetime | None:
        text = self._text(raw, ref)
        return parse_instant(key, text, f"the custom field {_name(ref)}") if text else None

    def _day(self, key: str, raw: JsonDict, ref: FieldRef | None) -> date | None:
        text = self._text(raw, ref)
        return parse_day(key, text, f"the custom field {_name(ref)}") if text else None


def _name(ref: FieldRef | None) -> str:
    if ref is None:
        return "(none)"
    return f"#{ref.id}" if ref.id is not None else f"'{ref.name}'"
