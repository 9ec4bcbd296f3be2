"""What a periodic review covers, read from the trackers: every issue of the product's
releases, the released versions, and open/close history where a tracker has it.

Seam for the whole-period scope (issue 15, after the project-wide sync of issue
13): :func:`gather_issues` reads per release; replacing it by one project-wide
read per source changes nothing downstream, which takes a list of issues and
the released versions from :func:`product_releases`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time

from connectors.base import NotSupportedError, Release
from secgate_tui.config import Config, Product, Source
from secgate_tui.domain.classify import Classifier
from secgate_tui.domain.model import Issue, StateEvent
from secgate_tui.services.connections import Connections


def period_start(last_end: datetime | None, configured: date | None) -> datetime | None:
    """The end of the last review; a configured day counts from its start (no gap)."""
    candidates = [last_end] if last_end else []
    if configured is not None:
        candidates.append(datetime.combine(configured, time(0), tzinfo=UTC))
    return max(candidates, default=None)


def product_releases(
    connections: Connections, product: Product
) -> list[tuple[Source, list[Release]]]:
    """Every source's versions / milestones with their released flag and date.

    The review's one call of ``Connector.releases()``: the fix version's release
    date is when a fix shipped. (A cached release list in the store can replace
    this one function.)
    """
    return [
        (source, connections.get(source.tracker).releases(source.scope()))
        for source in product.sources
    ]


def gather_issues(
    config: Config, connections: Connections, product: Product
) -> tuple[list[Issue], dict[str, date | None]]:
    """Every issue of the product's sources, in any release or none, and the released
    versions.

    The review covers every security issue managed in the period, whatever its
    release (IEC 81001-5-1 4.1.8): one project-wide read per source
    (``Connector.project_issues``), the same read the sync makes, so issues that
    name no release are in scope too.

    Raises:
        ConnectorError: a source could not be read (a review needs all of them).
    """
    released: dict[str, date | None] = {}
    for _source, releases in product_releases(connections, product):
        for release in releases:
            if release.released:
                released.setdefault(release.name, release.release_date)

    def fetch(source: Source) -> list[Issue]:
        return connections.get(source.tracker).project_issues(source.scope())

    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(fetch, product.sources))
    newest: dict[tuple[str, str], Issue] = {}
    for issue in (i for batch in batches for i in batch):
        known = newest.get(issue.uid)
        if known is None or issue.updated > known.updated:
            newest[issue.uid] = issue
    return list(newest.values()), released


def gather_history(
    connections: Connections, product: Product, issues: list[Issue]
) -> tuple[list[StateEvent], set[str]]:
    """Open/close history of the product's security issues, per tracker that has one.

    A tracker whose connector cannot read history is left out of the returned
    sources, so the review says its reopens are unknown rather than zero.

    Raises:
        ConnectorError: a tracker with history could not be read.
    """
    classifier = Classifier(product.classification())
    keys: dict[str, list[str]] = {}
    for issue in issues:
        if classifier.classify(issue) is not None:
            keys.setdefault(issue.source, []).append(issue.key)
    events: list[StateEvent] = []
    sources: set[str] = set()
    for tracker in sorted({source.tracker for source in product.sources}):
        try:
            events.extend(connections.get(tracker).state_events(sorted(keys.get(tracker, []))))
        except NotSupportedError:
            continue
        sources.add(tracker)
    return events, sources
