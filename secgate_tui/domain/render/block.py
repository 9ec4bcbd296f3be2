"""The machine block: a record's canonical JSON and its marker, safe in any markup.

The block is the part of a tracker comment secgate trusts. It holds the record
as JSON armoured for markup: ASCII only, and inside strings every character
that could close a code block or start markup (``< > & ' ` { } [ ]``) is a
``\\uXXXX`` escape. Parsing it and serializing canonically gives back the exact
canonical text whose SHA-256 is the record digest, so whatever a tracker user
typed into a title can neither end the block early nor forge a marker line.
The last line is the marker ``<kind> <record id> sha256:<digest>``.

It is generic over the marker kind (``secgate-record`` for authorizations,
``secgate-review`` for periodic reviews).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from secgate_tui.domain.canonical import canonical_json, sha256_hex

KINDS: Final = ("secgate-record", "secgate-review")

_MARKER = re.compile(
    r"^(secgate-record|secgate-review) ([A-Za-z0-9._-]{1,80}) sha256:([0-9a-f]{64})$"
)
_ARMOUR = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&'`{}[]"})


class BlockError(ValueError):
    """A comment's machine block is missing, ambiguous or damaged (message for a person)."""


def marker_line(kind: str, record_id: str, digest: str) -> str:
    return f"{kind} {record_id} sha256:{digest}"


def marker_prefix(kind: str, record_id: str) -> str:
    """What a marker search looks for: every digest of this record id."""
    return f"{kind} {record_id} sha256:"


def attachment_name(kind: str, record_id: str) -> str:
    return f"{kind}-{record_id}.json"


def armour(value: Any) -> str:
    """JSON of ``value`` (sorted keys, compact) that no markup can end or reinterpret."""
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{_string(str(k))}:{armour(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(armour(v) for v in value) + "]"
    if isinstance(value, str):
        return _string(value)
    return json.dumps(value)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True).translate(_ARMOUR)


def block_lines(
    kind: str,
    record_id: str,
    digest: str,
    canonical: str | None,
    attachment: str | None = None,
) -> list[str]:
    """The block's lines: the armoured JSON (or the attachment's name), then the marker."""
    if (canonical is None) == (attachment is None):
        raise ValueError("a machine block holds either the JSON or an attachment's name")
    if canonical is not None:
        first = f"{kind}-json: {armour(json.loads(canonical))}"
    else:
        first = f"{kind}-attachment: {attachment}"
    return [first, marker_line(kind, record_id, digest)]


@dataclass(frozen=True)
class Extracted:
    """A machine block found in a comment body (not yet checked against its digest)."""

    kind: str
    record_id: str
    marker_digest: str
    json_text: str | None
    attachment: str | None

    def canonical(self, attachment_content: bytes | None = None) -> str:
        """The canonical JSON the block (or its attachment) holds."""
        if self.json_text is not None:
            text = self.json_text
        elif attachment_content is not None:
            try:
                text = attachment_content.decode("utf-8")
            except UnicodeDecodeError:
                raise BlockError(f"attachment {self.attachment} is not UTF-8 text") from None
        else:
            raise BlockError(f"the record is in attachment {self.attachment}, which was not read")
        try:
            value = json.loads(text)
        except ValueError:
            raise BlockError("the machine block is not valid JSON (it was edited or cut)") from None
        return canonical_json(value)

    def redigest(self, attachment_content: bytes | None = None) -> str:
        """SHA-256 of the canonical JSON actually present (compare with the marker)."""
        return sha256_hex(self.canonical(attachment_content))

    @property
    def marker(self) -> str:
        return marker_line(self.kind, self.record_id, self.marker_digest)


def extract(body: str, kind: str, record_id: str | None = None) -> Extracted:
    """The machine block of one comment body.

    Lines are compared stripped (trackers may re-wrap line ends). Exactly one
    marker of ``kind`` (and of ``record_id`` when given) and exactly one JSON or
    attachment line must be present; anything else is damage or forgery.

    Raises:
        BlockError: saying what is missing or ambiguous.
    """
    markers: list[re.Match[str]] = []
    payloads: list[str] = []
    attachments: list[str] = []
    json_prefix, attachment_prefix = f"{kind}-json: ", f"{kind}-attachment: "
    for raw in body.splitlines():
        line = raw.strip()
        match = _MARKER.match(line)
        if match and match.group(1) == kind:
            markers.append(match)
        elif line.startswith(json_prefix):
            payloads.append(line[len(json_prefix) :])
        elif line.startswith(attachment_prefix):
            attachments.append(line[len(attachment_prefix) :].strip())
    if record_id is not None:
        markers = [m for m in markers if m.group(2) == record_id]
    if not markers:
        raise BlockError(f"no '{kind}' marker line (the comment was edited or is not a record)")
    if len(markers) > 1:
        raise BlockError(f"{len(markers)} '{kind}' marker lines where one belongs")
    if len(payloads) + len(attachments) != 1:
        raise BlockError(
            "the machine block's JSON line is missing or duplicated (the comment was edited)"
        )
    marker = markers[0]
    return Extracted(
        kind=kind,
        record_id=marker.group(2),
        marker_digest=marker.group(3),
        json_text=payloads[0] if payloads else None,
        attachment=attachments[0] if attachments else None,
    )
