"""Retrospective authorization (issue 13): a release the tracker already shows as shipped.

Authorizing it is allowed, but never silently: ``authorize`` refuses without
``--retrospective "reason"``, the reason goes into the record, and the
record's first line says so. The wording lives here, next to the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from secgate_tui.domain.release_dates import ReleaseDate, already_shipped
from secgate_tui.domain.software import Retrospective
from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z

__all__ = ["retrospective_for", "shipped_note"]


def _shipped_on(shipped: ReleaseDate) -> str:
    return (
        f"on {shipped.released_on.isoformat()}"
        if shipped.released_on
        else "(the tracker gives no release date)"
    )


def shipped_note(shipped: ReleaseDate, as_of: datetime | None = None) -> str:
    """One line for `status`: the release shipped before any authorization now
    (``as_of``: offline, per the release lists the last sync kept then)."""
    tracker = (
        "the tracker" if as_of is None else f"the tracker as of {iso_z(as_of)} (the last sync)"
    )
    return (
        f"release {printable(shipped.name, 80)} was already released {_shipped_on(shipped)} "
        f"according to {tracker}: authorizing it now is a RETROSPECTIVE authorization "
        '(authorize --retrospective "reason")'
    )


def retrospective_for(
    releases: Sequence[ReleaseDate], release: str, reason: str | None
) -> Retrospective | str | None:
    """The record's retrospective part, None for an ordinary release, or why it is refused."""
    shipped = already_shipped(releases, release)
    given = (reason or "").strip()
    if shipped is None:
        if reason is None:
            return None
        return (
            f"--retrospective was given, but the tracker does not show release "
            f"{printable(release, 80)} as released. Authorize it without --retrospective (or "
            "mark the version released in the tracker first, if it did ship)."
        )
    if not given:
        return (
            f"release {printable(release, 80)} was already released {_shipped_on(shipped)} "
            "according to the tracker. Authorizing a shipped release is a retrospective "
            'authorization: run authorize again with --retrospective "why it is authorized '
            'only now"; the reason goes into the record. Nothing was written.'
        )
    return Retrospective(released_on=shipped.released_on, reason=given)
