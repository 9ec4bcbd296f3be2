"""The product's releases with their released flags and dates, read from its trackers.

:func:`product_releases` is the one place secgate asks for them outside a
sync (the retrospective check and the ``since-previous-release`` activity
scope). It asks each source's connector live; once the store keeps the
release list from the project-wide sync, this is where it reads that cache
instead.
"""

from __future__ import annotations

from connectors.base import ConnectorError
from secgate_tui.config import Config
from secgate_tui.domain.release_dates import ReleaseDate, merge
from secgate_tui.services.connections import Connections

__all__ = ["ReleaseDatesError", "product_releases"]


class ReleaseDatesError(Exception):
    """A source's releases could not be read; the message names it and why."""


def product_releases(
    config: Config, connections: Connections, product_id: str
) -> list[ReleaseDate]:
    """Every release of the product in secgate's names, merged over its sources.

    Raises:
        ReleaseDatesError: a source's tracker could not list its versions.
    """
    product = config.product(product_id)
    observed: list[ReleaseDate] = []
    for source in product.sources:
        try:
            connector = connections.get(source.tracker)
            listed = connector.releases(source.scope())
        except ConnectorError as exc:
            raise ReleaseDatesError(
                f"the releases of {source.tracker} ({source.project}) could not be read: "
                f"{exc.message}"
            ) from None
        for release in listed:
            name = source.release_from_tracker(release.name)
            if name is not None:
                observed.append(
                    ReleaseDate(
                        name=name, released=release.released, released_on=release.release_date
                    )
                )
    return sorted(merge(observed).values(), key=lambda r: r.name)
