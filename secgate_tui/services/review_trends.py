"""A product's review trends from the store: for the terminal UI's reviews screen.

The store holds each source's issues as its last project-wide sync read them
(``services.sync``); the trends of every security issue of the product's sources
are computed from them with no tracker call. A source never synced, or whose
last sync failed, gives no trends but the reason: a chart over part of the
product's issues would understate every month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from secgate_tui.config import Config
from secgate_tui.domain.model import Issue
from secgate_tui.domain.review_trends import ReviewTrends, review_trends
from secgate_tui.services.release_view import source_key
from secgate_tui.services.store import Store


@dataclass(frozen=True, kw_only=True)
class StoredTrends:
    """The trends as of the oldest of the sources' last syncs; or why there are none."""

    product: str
    trends: ReviewTrends | None = None
    synced_at: datetime | None = None
    problem: str | None = None


def _not_synced(product_id: str, where: str) -> str:
    return (
        f"No trends: source {where} of {product_id} has not been synced yet, so its issues "
        f"are not in the local store. Run `secgate sync --product {product_id}` (or open a "
        "release of the product), then look again."
    )


def _failed(product_id: str, where: str, error: str) -> str:
    return (
        f"No trends: the last sync of source {where} of {product_id} failed ({error}), so "
        f"the store may hold part of its issues. Run `secgate sync --product {product_id}` "
        "when the tracker answers."
    )


def stored_trends(config: Config, store: Store, product_id: str, now: datetime) -> StoredTrends:
    """The product's trends over 24 months up to ``now``, from the store only.

    Raises:
        ConfigError: the product is not configured.
    """
    product = config.product(product_id)
    keys: list[str] = []
    synced: list[datetime] = []
    for source in product.sources:
        key = source_key(source)
        where = f"{source.tracker}:{source.project}"
        record = store.sync_record(key)
        if record is None or record.state.synced_at is None:
            return StoredTrends(product=product_id, problem=_not_synced(product_id, where))
        if record.state.error:
            problem = _failed(product_id, where, record.state.error)
            return StoredTrends(product=product_id, problem=problem)
        keys.append(key)
        synced.append(record.state.synced_at)
    # Two sources of one tracker may share issues: each counts once, as last read.
    newest: dict[tuple[str, str], Issue] = {}
    for issue in store.issues(keys):
        known = newest.get(issue.uid)
        if known is None or issue.updated > known.updated:
            newest[issue.uid] = issue
    return StoredTrends(
        product=product_id,
        trends=review_trends(newest.values(), product.classification(), now=now),
        synced_at=min(synced, default=None),
    )
