"""Fit a record's comment to the tracker's limit: one rule for every record renderer.

The full comment carries the human part and the whole canonical JSON in the
machine block. When that exceeds the limit, the canonical JSON moves to an
attachment (its SHA-256 is the record digest) and the human part is offered in
ever shorter forms, the first that fits being posted. When none fits, the
record cannot be written to that tracker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from secgate_tui.domain.render.block import attachment_name, block_lines
from secgate_tui.domain.render.dialect import Dialect


class RecordTooLargeError(ValueError):
    """Even the summary form does not fit the tracker's comment limit."""


@dataclass(frozen=True)
class Rendered:
    """The comment to post and, when the record did not fit, the attachment."""

    body: str
    attachment_name: str | None = None
    attachment: bytes | None = None


class Marked(Protocol):
    """What names a record in its marker line (every record kind has these)."""

    @property
    def kind(self) -> str: ...

    @property
    def record_id(self) -> str: ...

    @property
    def record_digest(self) -> str: ...


def fit_to_limit(
    record: Marked,
    canonical: str,
    d: Dialect,
    limit: int | None,
    *,
    full: Sequence[str],
    shorter: Iterable[Sequence[str]],
    what: str,
) -> Rendered:
    """The full comment when it fits ``limit``, else the first shorter form that does.

    Args:
        canonical: the record's canonical JSON (the machine block or the attachment).
        full: the human part of the full comment (its lines).
        shorter: human parts, each shorter than the one before, to be tried in turn with
            the full JSON attached (a generator builds only those needed).
        what: how the error names the record ("record", "review").

    Raises:
        RecordTooLargeError: not even the last shorter form fits.
    """
    kind, rid, digest = record.kind, record.record_id, record.record_digest
    machine = ["", d.heading(d.text("Machine-readable record (do not edit)"))]
    inline = block_lines(kind, rid, digest, canonical)
    body = "\n".join([*full, *machine, *d.verbatim(inline)]) + "\n"
    if limit is None or len(body) <= limit:
        return Rendered(body)
    name = attachment_name(kind, rid)
    note = d.paragraph(
        d.text(
            f"The full record (every issue) is attached as {name}; its SHA-256 is the "
            "record digest."
        )
    )
    attached = d.verbatim(block_lines(kind, rid, digest, None, name))
    for human in shorter:
        body = "\n".join([*human, *machine, note, *attached]) + "\n"
        if len(body) <= limit:
            return Rendered(body, name, canonical.encode("utf-8"))
    raise RecordTooLargeError(
        f"the {what}'s summary needs {len(body)} characters; the tracker accepts {limit}"
    )
