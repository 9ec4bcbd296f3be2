"""When a product's releases shipped, as its trackers say: retrospective and previous release.

Pure: the services layer asks the trackers (``services.release_dates``) and
hands the answers here. A release counts as shipped when any source marks
its version released; its date is the earliest release date those sources
give. The release before another is the shipped one with the latest date
before it (before today for a release not yet shipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, kw_only=True, slots=True)
class ReleaseDate:
    """One release of a product, merged over its sources."""

    name: str
    released: bool
    released_on: date | None = None


def merge(observed: Iterable[ReleaseDate]) -> dict[str, ReleaseDate]:
    """Per release name: released by any source, on the earliest date a releasing source gives."""
    merged: dict[str, ReleaseDate] = {}
    for seen in observed:
        earlier = merged.get(seen.name)
        released = seen.released or (earlier is not None and earlier.released)
        dates = [
            d
            for d in (
                seen.released_on if seen.released else None,
                earlier.released_on if earlier is not None and earlier.released else None,
            )
            if d is not None
        ]
        merged[seen.name] = ReleaseDate(
            name=seen.name, released=released, released_on=min(dates) if dates else None
        )
    return merged


def already_shipped(releases: Sequence[ReleaseDate], release: str) -> ReleaseDate | None:
    """The release as the trackers give it, when they say it already shipped."""
    found = next((r for r in releases if r.name == release), None)
    return found if found is not None and found.released else None


def previous_release(releases: Sequence[ReleaseDate], release: str) -> ReleaseDate | None:
    """The shipped release (with a date) that came last before ``release``.

    Before a shipped release's own date when it has one; else any shipped one.
    Ties on one date are broken by name, so the answer is deterministic.
    """
    this = next((r for r in releases if r.name == release), None)
    before = this.released_on if this is not None and this.released else None
    candidates = [
        r
        for r in releases
        if r.name != release
        and r.released
        and r.released_on is not None
        and (before is None or r.released_on < before)
    ]
    return max(candidates, key=lambda r: (r.released_on, r.name), default=None)
