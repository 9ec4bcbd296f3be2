"""What the audit log holds for an authorization: the record and the comment as read back.

The JSON is exactly what earlier versions logged (the chain hashes it, and
``verify`` compares the tracker with it), so older entries validate here too.
"""

from __future__ import annotations

from connectors.base import AttachmentRef
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.services.publish.kind import AuditPayload


class AuthorizationPayload(AuditPayload):
    record: AuthorizationRecord
    #: The comment exactly as read back: ``verify`` reports any later edit against it.
    comment_body: str
    attachment: AttachmentRef | None = None
