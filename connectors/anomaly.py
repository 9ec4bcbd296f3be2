"""Reading the facts of an unresolved anomaly from tracker values, the same way for every tracker.

An issue that affects a release without being fixed in it needs, to pass the
gate, a disposition for that release (risk-accepted or deferred) with a
justification, a target version, who accepted it and when, and an expiry. An
open issue has no resolution, so each connector reads these from labels or
fields it is configured for; this module owns what those values mean:

- acceptance labels, ``<prefix><release>`` (``risk-accepted:4.1.0``);
- dates, CWE ids and the severity map.

Values that cannot be read fail closed: :class:`AnomalyFieldError` (a
``ValueError``) names the issue, where the value was and what is wrong, and the
connector turns it into its bad-response error, so the source's sync fails and
the gate blocks with that message. Nothing is guessed: a label
``risk-accepted:`` without a release is not read as "every release", and an
expiry that is not a date is not read as "never expires".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from secgate_tui.domain.model import Acceptance, Disposition, Severity
from secgate_tui.domain.text import printable

#: The dispositions an acceptance of an unresolved anomaly can carry.
ACCEPTANCE_DISPOSITIONS = frozenset({Disposition.RISK_ACCEPTED, Disposition.DEFERRED})

_SHOWN = 80  # characters of a tracker value quoted in an error
_CWE_ANYWHERE = re.compile(r"(?i)\bCWE-([0-9]{1,6})\b")
_CWE_LABEL = re.compile(r"(?i)CWE-([0-9]{1,6})")
_NUMBER = re.compile(r"[0-9]{1,6}")


class AnomalyFieldError(ValueError):
    """A tracker value meant to describe an acceptance, CWE or date cannot be read."""


def shown(value: object) -> str:
    """A tracker value quoted in an error: escaped, and cut to a sane length."""
    text = printable(str(value))
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


# --------------------------------------------------------------------------- severity


def severity_table(configured: Mapping[str, Severity]) -> dict[str, Severity]:
    """The configured ``severity_map`` with case-folded keys (tracker values vary in case)."""
    return {name.strip().casefold(): value for name, value in configured.items()}


def normalized_severity(raw: str | None, table: Mapping[str, Severity]) -> str | None:
    """The mapped severity; the raw value when the map is empty or does not name it.

    An unmapped value is kept as the tracker wrote it (not dropped, not guessed):
    it is not one of :class:`Severity`'s values, so a policy written against the
    normalized severity treats it as unknown and fails closed, and the record
    still shows what the tracker said.
    """
    if raw is None or not table:
        return raw
    found = table.get(raw.strip().casefold())
    return found.value if found is not None else raw


# --------------------------------------------------------------------------- labels


def label_acceptances(
    key: str, labels: Iterable[str], prefixes: Mapping[str, Disposition]
) -> list[tuple[Disposition, str]]:
    """(disposition, release) of each acceptance label, e.g. ``risk-accepted:4.1.0``.

    Prefixes match case-sensitively, as labels do in Jira and GitLab.

    Raises:
        AnomalyFieldError: a label carries a prefix but no release.
    """
    found: list[tuple[Disposition, str]] = []
    for label in labels:
        for prefix, disposition in prefixes.items():
            if prefix and label.startswith(prefix):
                release = label[len(prefix) :].strip()
                if not release:
                    raise AnomalyFieldError(
                        f"{key}: the label {shown(label)} names no release; write it as "
                        f"'{prefix}<release>'. secgate does not read an acceptance without a "
                        "release as one for every release"
                    )
                found.append((disposition, release))
                break
    return found


def cwe_from_labels(labels: Iterable[str]) -> list[str]:
    """``CWE-79`` style labels (any case) as CWE ids; other labels are not CWEs."""
    return [f"CWE-{int(m[1])}" for m in map(_CWE_LABEL.fullmatch, labels) if m]


def cwe_ids(key: str, values: Iterable[str], where: str) -> list[str]:
    """CWE ids from a field's values: ``CWE-79``, ``79``, ``CWE-79: Cross-site Scripting``,
    ``CWE-79, CWE-89``.

    Raises:
        AnomalyFieldError: a value that names no CWE id.
    """
    found: list[str] = []
    for value in values:
        named = _CWE_ANYWHERE.findall(value)
        if named:
            found.extend(f"CWE-{int(number)}" for number in named)
        elif _NUMBER.fullmatch(value.strip()):
            found.append(f"CWE-{int(value)}")
        elif value.strip():
            raise AnomalyFieldError(
                f"{key}: {where} holds {shown(value)}, which names no CWE id (like CWE-79)"
            )
    return found


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# --------------------------------------------------------------------------- dates


def parse_day(key: str, value: str, where: str) -> date:
    """A date (``2027-06-30``), or the UTC day of an ISO 8601 time with an offset.

    Raises:
        AnomalyFieldError: anything else.
    """
    return _parse(key, value, where).date()


def parse_instant(key: str, value: str, where: str) -> datetime:
    """An ISO 8601 time with an offset, or a date (taken as 00:00 UTC that day).

    Raises:
        AnomalyFieldError: anything else, including a time without an offset.
    """
    return _parse(key, value, where)


def _parse(key: str, value: str, where: str) -> datetime:
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise AnomalyFieldError(
            f"{key}: {where} holds {shown(value)}, which is not a date (YYYY-MM-DD) or a "
            "time with its UTC offset"
        )
    return parsed.astimezone(UTC)


# --------------------------------------------------------------------------- acceptances


@dataclass(frozen=True, kw_only=True)
class AcceptanceFacts:
    """What an issue's fields say about its acceptances, shared by each of them.

    A tracker holds one justification, acceptor and expiry per issue, while
    labels may accept it for several releases: each acceptance carries these.
    """

    justification: str | None = None
    target_version: str | None = None
    accepted_by: str | None = None
    accepted_on: datetime | None = None
    expires: date | None = None


def acceptances(
    found: Sequence[tuple[Disposition, str | None]],
    facts: AcceptanceFacts,
    fix_versions: Sequence[str],
) -> tuple[Acceptance, ...]:
    """One :class:`Acceptance` per (disposition, release), in a stable order.

    Without a target version of its own, an acceptance's target is the issue's
    fix version when it has exactly one other than the accepted release (the
    tracker's own "fixed in", which is where a deferral is going).
    """
    out = {
        Acceptance(
            disposition=disposition,
            release=release,
            justification=facts.justification,
            target_version=facts.target_version or _target(fix_versions, release),
            accepted_by=facts.accepted_by,
            accepted_on=facts.accepted_on,
            expires=facts.expires,
        )
        for disposition, release in found
    }
    return tuple(sorted(out, key=lambda a: (a.release or "", a.disposition.value)))


def _target(fix_versions: Sequence[str], release: str | None) -> str | None:
    others = [v for v in fix_versions if v != release]
    return others[0] if len(others) == 1 else None


def present(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Only the facts an issue has: the rest keep the Issue's defaults (and a sync of
    20,000 issues validates four fewer fields for each one without them)."""
    return {name: value for name, value in facts.items() if value is not None and value != ()}


def text_or_none(value: str | None) -> str | None:
    """Stripped text; None when empty (an empty field states nothing)."""
    if value is None:
        return None
    text = value.strip()
    return text or None
