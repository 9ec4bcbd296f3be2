"""The product's releases with their released flags and dates, read from its trackers
or from the release lists the store kept at the last sync.

Three ways to ask, one merge (``domain.release_dates.merge``):

- :func:`product_releases` asks each source's connector now;
- :func:`synced_releases` goes through the syncer's release list, which serves
  the list a sync stored in the last ``RELEASES_TTL`` (so the sync that every
  ``status`` and ``authorize`` runs first is the only read of it) and reads
  and stores it otherwise;
- :func:`stored_releases` reads only the store, for what runs offline
  (``status --offline``, the board, evidence bundles): the lists as of the
  last sync that read them, and when that was. A source whose list was never
  stored leaves the dates unknown, never partial: merged without it, an
  earlier release could pass for the previous one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.base import ConnectorError, Release
from secgate_tui.config import Config, Product, Source
from secgate_tui.domain.release_dates import ReleaseDate, merge
from secgate_tui.domain.text import printable
from secgate_tui.services.connections import Connections
from secgate_tui.services.release_view import source_key
from secgate_tui.services.store import Store
from secgate_tui.services.sync import Syncer

__all__ = [
    "ReleaseDatesError",
    "StoredReleaseDates",
    "product_releases",
    "stored_releases",
    "synced_releases",
]


class ReleaseDatesError(Exception):
    """A source's releases could not be read; the message names it and why."""


@dataclass(frozen=True, kw_only=True)
class StoredReleaseDates:
    """The product's releases as the store holds them from earlier syncs."""

    #: Merged over every source; None when a source's list was never stored.
    releases: tuple[ReleaseDate, ...] | None
    #: When the oldest of those lists was read from its tracker (None: see ``missing``).
    as_of: datetime | None = None
    #: The sources whose release list was never stored, in words.
    missing: tuple[str, ...] = ()


def _where(source: Source) -> str:
    return f"{printable(source.tracker, 80)} ({printable(source.project, 80)})"


def _merged(
    product: Product, listed: Iterable[tuple[Source, Sequence[Release]]]
) -> list[ReleaseDate]:
    observed = [
        ReleaseDate(name=name, released=release.released, released_on=release.release_date)
        for source, releases in listed
        for release in releases
        if (name := source.release_from_tracker(release.name)) is not None
    ]
    return sorted(merge(observed).values(), key=lambda r: r.name)


def _read(product: Product, lister: Callable[[Source], Sequence[Release]]) -> list[ReleaseDate]:
    def each() -> Iterable[tuple[Source, Sequence[Release]]]:
        for source in product.sources:
            try:
                yield source, lister(source)
            except ConnectorError as exc:
                raise ReleaseDatesError(
                    f"the releases of {source.tracker} ({source.project}) could not be read: "
                    f"{exc.message}"
                ) from None

    return _merged(product, each())


def product_releases(
    config: Config, connections: Connections, product_id: str
) -> list[ReleaseDate]:
    """Every release of the product in secgate's names, merged over its sources, read now.

    Raises:
        ReleaseDatesError: a source's tracker could not list its versions.
    """
    return _read(
        config.product(product_id),
        lambda source: connections.get(source.tracker).releases(source.scope()),
    )


def synced_releases(syncer: Syncer, product_id: str) -> list[ReleaseDate]:
    """As :func:`product_releases`, through the syncer's release lists: the ones a sync
    stored moments ago (``RELEASES_TTL``) serve, so a command that synced first reads
    each list once.

    Raises:
        ReleaseDatesError: a source's list was not that fresh and could not be read.
    """
    return _read(syncer.config.product(product_id), syncer.release_list)


def stored_releases(config: Config, store: Store, product_id: str) -> StoredReleaseDates:
    """The product's releases from the lists the store kept (nothing is read from a tracker)."""
    product = config.product(product_id)
    listed: list[tuple[Source, Sequence[Release]]] = []
    read_at: list[datetime] = []
    missing: list[str] = []
    for source in product.sources:
        stored = store.source_releases(source_key(source))
        if stored is None:
            missing.append(_where(source))
            continue
        listed.append((source, stored.releases))
        read_at.append(stored.read_at)
    if missing:
        return StoredReleaseDates(releases=None, missing=tuple(missing))
    return StoredReleaseDates(
        releases=tuple(_merged(product, listed)), as_of=min(read_at, default=None)
    )
