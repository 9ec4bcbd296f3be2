"""A sandbox issue's acceptances, CWE ids, compensating controls and safety impact.

The sandbox stores issues as JSON it wrote itself, so these are plain members
of an issue object rather than a convention over labels or fields:

- ``acceptances``: a list of objects with the members of
  :class:`secgate_tui.domain.model.Acceptance` (``disposition`` risk-accepted or
  deferred, ``release``, ``justification``, ``target_version``, ``accepted_by``,
  ``accepted_on`` as ISO 8601 with offset, ``expires`` as YYYY-MM-DD);
- ``cwe``: a list of ids like ``CWE-79``;
- ``compensating_controls`` and ``safety_impact``: text.

A member that does not fit fails the sandbox's read (closed), as a real
tracker's unreadable value fails its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from connectors.anomaly import (
    ACCEPTANCE_DISPOSITIONS,
    AnomalyFieldError,
    cwe_ids,
    present,
    text_or_none,
    unique,
)
from secgate_tui.domain.model import Acceptance


def issue_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The Issue fields for unresolved anomalies, ready for ``Issue(**...)``.

    Raises:
        AnomalyFieldError: a member that does not fit.
    """
    key = str(raw.get("key"))
    listed = raw.get("acceptances") or []
    cwe = raw.get("cwe") or []
    if not isinstance(listed, list) or not isinstance(cwe, list):
        raise AnomalyFieldError(f"{key}: 'acceptances' and 'cwe' must be lists")
    try:
        accepted = [Acceptance.model_validate(item) for item in listed]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise AnomalyFieldError(f"{key}: an acceptance's {where}: {first['msg']}") from None
    for acceptance in accepted:
        if acceptance.disposition not in ACCEPTANCE_DISPOSITIONS:
            raise AnomalyFieldError(
                f"{key}: an acceptance is '{acceptance.disposition.value}', not risk-accepted "
                "or deferred"
            )
    return present(
        {
            "acceptances": tuple(sorted(accepted, key=lambda a: (a.release or "", a.disposition))),
            "cwe": unique(cwe_ids(key, [str(item) for item in cwe], "'cwe'")),
            "compensating_controls": text_or_none(_text(raw.get("compensating_controls"))),
            "safety_impact": text_or_none(_text(raw.get("safety_impact"))),
        }
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
