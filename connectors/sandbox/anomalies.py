"""The sandbox's unresolved-anomaly fields: acceptances, CWE, controls, safety impact.

The sandbox stores them as plain JSON beside each issue (``acceptances`` as a list
of objects with :class:`~secgate_tui.domain.Acceptance`'s field names). Fields a
stored issue does not carry stay unset, so its canonical JSON and every digest
over it are what they were before these fields existed.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from connectors.base import BadResponseError
from secgate_tui.domain import Acceptance


def anomaly_fields(raw: dict[str, Any], tracker: str) -> dict[str, Any]:
    """Issue keyword arguments for the fields ``raw`` carries (none: an empty dict).

    Raises:
        BadResponseError: an acceptance is not one (the sync of the source fails).
    """
    fields: dict[str, Any] = {}
    if raw.get("acceptances"):
        try:
            fields["acceptances"] = tuple(Acceptance.model_validate(a) for a in raw["acceptances"])
        except ValidationError as exc:
            raise BadResponseError(
                f"sandbox '{tracker}': issue {raw.get('key')} holds an acceptance secgate "
                f"cannot read ({exc.error_count()} problem(s), e.g. "
                f"{exc.errors()[0]['msg']}); nothing from this sync is trusted.",
                tracker=tracker,
            ) from None
    if raw.get("cwe"):
        fields["cwe"] = tuple(str(cwe) for cwe in raw["cwe"])
    for name in ("compensating_controls", "safety_impact"):
        if raw.get(name):
            fields[name] = str(raw[name])
    return fields
