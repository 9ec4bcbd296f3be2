"""Empty-category acknowledgements an authorization recorded, applied to the release again.

"System test findings: not applicable, documentation-only patch" is a decision
about the release, given once (in the authorize dialog or with ``--ack-empty``)
and written into its authorization record. ``status``, ``releases`` and the board
apply it from the newest authorization of the release in the local audit log, so
an authorized release reads PASS (acknowledged) rather than BLOCKED. An
acknowledgement given now wins over a recorded one. An entry that cannot be read
contributes nothing: the category then stays unacknowledged and blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from secgate_tui.domain import Category
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.store import Store

AUTHORIZATION = "authorization"


def recorded_acknowledgements(records: Sequence[AuthorizationRecord]) -> dict[Category, str]:
    """The empty-category acknowledgements the latest of ``records`` was given."""
    if not records:
        return {}
    return {
        c.category: c.not_applicable_reason
        for c in records[-1].categories
        if c.empty and c.not_applicable_reason is not None
    }


def release_acknowledgements(
    store: Store, product: str, release: str, given: Mapping[Category, str] | None = None
) -> dict[Category, str]:
    """The release's recorded acknowledgements, with ``given`` ones over them."""
    records: list[AuthorizationRecord] = []
    for entry in store.audit_entries(AUTHORIZATION, product, release):
        try:
            records.append(AuthorizationPayload.model_validate(entry.payload).record)
        except (ValidationError, ValueError):
            continue  # `verify --log` reports it; here it only acknowledges nothing
    return {**recorded_acknowledgements(records), **(given or {})}
