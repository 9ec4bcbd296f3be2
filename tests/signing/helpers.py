"""Messages for the signing tests."""

from __future__ import annotations

from datetime import UTC, datetime

from secgate_tui.domain.signature import SignedMessage, build_message

DIGEST = "ab" * 32
SIGNED_AT = datetime(2026, 12, 7, 14, 3, 11, tzinfo=UTC)


def message(
    principal: str,
    role: str = "release-manager",
    *,
    record_id: str = "SRA-0123456789abcdef0123",
    digest: str = DIGEST,
    at: datetime = SIGNED_AT,
    kind: str = "authorization",
) -> SignedMessage:
    return build_message(
        record_kind=kind,
        record_id=record_id,
        record_digest=digest,
        principal=principal,
        name=principal.split("@")[0].title(),
        role=role,
        meaning="I approve release 2.1 of Infusion Pump Controller for distribution",
        signed_at=at,
    )
