"""Read a record comment back out of the tracker and check it against its marker.

A record comment holds a machine block whose marker line names the record id and
the SHA-256 of its canonical JSON (in the comment, or in an attachment when the
record did not fit). :func:`check_comment` extracts and re-digests it; the
write-back protocol, ``verify`` and the searches for earlier records all use it.
:func:`unaltered` checks the rest: the whole comment is what secgate renders for
that record, never edited, and posted when the record says it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.base import AttachmentRef, Comment, Connector
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.render import BlockError, extract
from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z


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


# -- is the comment exactly what secgate wrote, and never edited? ------------------------

#: The record's time may precede the comment's creation by this much unless configured
#: (``policy.record_time_window_minutes``): a retry carries the first attempt's time.
DEFAULT_WINDOW = timedelta(minutes=10)


def normalized(body: str) -> str:
    """A body as compared: the only change a tracker may make is to its line endings
    (Rails, hence Redmine, may store CRLF; the JSON APIs give back what was sent)."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def first_difference(expected: str, actual: str) -> str:
    """Where ``actual`` departs from ``expected``, in words (tracker text escaped)."""
    old, new = expected.splitlines(), actual.splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return (
                f"line {number} reads '{printable(b, 100)}' where secgate wrote "
                f"'{printable(a, 100)}'"
            )
    return f"it has {len(new)} lines where secgate wrote {len(old)}"


def unaltered(
    comment: Comment, expected: str, recorded_at: datetime, window: timedelta = DEFAULT_WINDOW
) -> str | None:
    """Why ``comment`` is not exactly the record secgate wrote (None: it is).

    ``expected`` is the whole comment rendered again from the record in its machine
    block; ``recorded_at`` the record's own time. Refused: a comment the tracker says
    was edited; a body other than the rendering (line endings aside); a record time
    after the comment's server-side creation, or before it by more than ``window``
    (a backdated record does not fit the comment's own timestamps).
    """
    if comment.edited:
        return "the tracker says it was edited after it was posted"
    if normalized(comment.body) != normalized(expected):
        difference = first_difference(normalized(expected), normalized(comment.body))
        return f"it is not the comment secgate writes for the record it holds: {difference}"
    if comment.created is None:
        return "the tracker did not give its creation time, so the record's time is unproven"
    # Compared to the second: some trackers keep no finer creation time.
    at, created = recorded_at.replace(microsecond=0), comment.created.replace(microsecond=0)
    if at > created:
        return (
            f"the record's time {_iso(recorded_at)} is after the comment was created "
            f"({_iso(comment.created)})"
        )
    if created - at > window:
        return (
            f"the record's time {_iso(recorded_at)} is more than {_minutes(window)} before "
            f"the comment was created ({_iso(comment.created)})"
        )
    return None


def _iso(value: datetime) -> str:
    return iso_z(value)


def _minutes(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
