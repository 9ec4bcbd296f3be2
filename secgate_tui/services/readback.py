"""Read a record comment back out of the tracker and check it against its marker.

A record comment holds a machine block whose marker line names the record id and
the SHA-256 of its canonical JSON (in the comment, or in an attachment when the
record did not fit). :func:`check_comment` extracts and re-digests it; the
write-back protocol, ``verify`` and the searches for earlier records all use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import AttachmentRef, Comment, Connector
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.render import BlockError, extract


@dataclass(frozen=True)
class ReadBack:
    """A record comment as the tracker holds it, checked against its marker."""

    comment: Comment
    canonical: str
    digest: str
    attachment: AttachmentRef | None = None


def check_comment(
    connector: Connector, comment: Comment, kind: str, record_id: str, digest: str | None
) -> ReadBack:
    """Extract and re-digest a comment's record; ``digest`` is the one expected, if known.

    Raises:
        BlockError: the record is missing, damaged, or not the expected one.
        ConnectorError: the attachment could not be read.
    """
    found = extract(comment.body, kind, record_id)
    if digest is not None and found.marker_digest != digest:
        raise BlockError(
            f"the marker names digest sha256:{found.marker_digest}, not sha256:{digest}"
        )
    content: bytes | None = None
    attachment: AttachmentRef | None = None
    if found.attachment is not None:
        content, attachment = _read_attachment(
            connector, comment.ref.key, found.attachment, found.marker_digest
        )
    canonical = found.canonical(content)
    actual = sha256_hex(canonical)
    if actual != found.marker_digest:
        raise BlockError(
            f"the machine block digests to sha256:{actual}, but its marker says "
            f"sha256:{found.marker_digest} (the record was edited)"
        )
    return ReadBack(comment, canonical, actual, attachment)


def _read_attachment(
    connector: Connector, key: str, name: str, digest: str
) -> tuple[bytes, AttachmentRef]:
    refs = connector.find_attachments(key, name)
    if not refs:
        raise BlockError(f"the attachment {name} holding the full record is missing from {key}")
    # An interrupted attempt may have left another version under the same name.
    for ref in refs:
        content = connector.read_attachment(ref)
        if sha256_hex(content) == digest:
            return content, ref
    raise BlockError(f"no attachment {name} on {key} holds the record with digest sha256:{digest}")
