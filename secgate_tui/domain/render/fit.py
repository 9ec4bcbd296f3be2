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


@dataclass(frozen=True, kw_only=True)
class MachineBlock:
    """What the machine block of a record holds: its marker and canonical JSON."""

    kind: str
    record_id: str
    digest: str
    canonical: str


def fit_to_limit(
    d: Dialect,
    block: MachineBlock,
    full: Sequence[str],
    shorter: Iterable[Sequence[str]],
    limit: int | None,
    *,
    what: str,
) -> Rendered:
    """The full comment when it fits ``limit``, else the first shorter form that does.

    Args:
        full: the human part of the full comment (its lines).
        shorter: human parts, each shorter than the one before, to be tried in turn with
            the full JSON attached (a generator builds only those needed).
        what: how the error names the record ("record", "review").

    Raises:
        RecordTooLargeError: not even the last shorter form fits.
    """
    machine = ["", d.heading(d.text("Machine-readable record (do not edit)"))]
    inline = block_lines(block.kind, block.record_id, block.digest, block.canonical)
    body = "\n".join([*full, *machine, *d.verbatim(inline)]) + "\n"
    if limit is None or len(body) <= limit:
        return Rendered(body)
    name = attachment_name(block.kind, block.record_id)
    note = d.paragraph(
        d.text(
            f"The full record (every issue) is attached as {name}; its SHA-256 is the "
            "record digest."
        )
    )
    attached = d.verbatim(block_lines(block.kind, block.record_id, block.digest, None, name))
    for human in shorter:
        body = "\n".join([*human, *machine, note, *attached]) + "\n"
        if len(body) <= limit:
            return Rendered(body, name, block.canonical.encode("utf-8"))
    raise RecordTooLargeError(
        f"the {what}'s summary needs {len(body)} characters; the tracker accepts {limit}"
    )
