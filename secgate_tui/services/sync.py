"""Sync: tracker issues of a release into the store, every source concurrently.

Each source syncs incrementally from its cursor (minus a safety overlap, since
tracker clocks drift and JQL has minute resolution) or fully on demand, on first
use and at least every ``FULL_EVERY`` (only a full sync notices an issue that
left the release). A failing source never stops the others; its error is
recorded and the gate blocks on it. Activity evidence is observed in the same
pass, so ``status --offline`` can evaluate everything from the store.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.base import ConnectorError, NotFoundError, ReleaseNotFoundError
from secgate_tui.config import ActivityConfig, Config, Source
from secgate_tui.domain import (
    Activity,
    Disposition,
    DocumentEvidence,
    IssueEvidence,
    SourceState,
)
from secgate_tui.services.connections import Connections
from secgate_tui.services.store import Store

OVERLAP = timedelta(minutes=5)
FULL_EVERY = timedelta(hours=1)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def scope_key(source: Source, release: str) -> str:
    """Store key of one source's release scope (the filter is part of the scope)."""
    flt = hashlib.sha256(source.filter.encode()).hexdigest()[:12]
    return f"{source.tracker}|{source.project}|{source.release_name(release)}|{flt}"


@dataclass(frozen=True)
class SourceSync:
    source: Source
    state: SourceState
    count: int
    full: bool


class Syncer:
    """Syncs releases of products from their trackers into the store."""

    def __init__(
        self, config: Config, store: Store, connections: Connections, clock: Clock = utcnow
    ) -> None:
        self.config = config
        self.store = store
        self.connections = connections
        self.clock = clock

    def sync_release(
        self, product_id: str, release: str, *, full: bool = False
    ) -> list[SourceSync]:
        product = self.config.product(product_id)
        sources = product.sources
        workers = max(1, min(len(sources), os.cpu_count() or 2, 8))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda s: self._sync_source(s, release, full), sources))
        self.observe_activities(product_id)
        return results

    def _sync_source(self, source: Source, release: str, full: bool) -> SourceSync:
        key = scope_key(source, release)
        previous = self.store.sync_record(key)
        started = self.clock()
        is_full = (
            full
            or previous is None
            or previous.cursor is None
            or previous.full_at is None
            or started - previous.full_at > FULL_EVERY
        )
        since = (
            None
            if is_full or previous is None or previous.cursor is None
            else (previous.cursor - OVERLAP)
        )
        connector = self.connections.get(source.tracker)
        try:
            issues = connector.issues(source.scope(), release, since=since)
        except ReleaseNotFoundError:
            state = SourceState(
                source=source.tracker,
                project=source.project,
                synced_at=started,
                release_found=False,
            )
            self.store.save_sync(key, state, [], full=True, cursor=None)
            return SourceSync(source, state, 0, True)
        except ConnectorError as exc:
            state = SourceState(source=source.tracker, project=source.project, error=exc.message)
            self.store.save_sync(key, state, None, full=is_full, cursor=None)
            return SourceSync(source, state, 0, is_full)
        except Exception as exc:  # a connector bug must block, not pass or crash
            message = connector.redact(f"unexpected {type(exc).__name__}: {exc}")
            state = SourceState(source=source.tracker, project=source.project, error=message)
            self.store.save_sync(key, state, None, full=is_full, cursor=None)
            return SourceSync(source, state, 0, is_full)
        state = SourceState(source=source.tracker, project=source.project, synced_at=started)
        if not self.store.save_sync(key, state, issues, full=is_full, cursor=started):
            # A sync that started later already stored newer data: keep it.
            newer = self.store.sync_record(key)
            state = newer.state if newer else state
        return SourceSync(source, state, len(issues), is_full)

    # -- releases -----------------------------------------------------------------

    def releases(self, product_id: str) -> dict[str, bool]:
        """secgate release names of a product (all sources), with their released flag."""
        product = self.config.product(product_id)
        found: dict[str, bool] = {}
        for source in product.sources:
            connector = self.connections.get(source.tracker)
            for release in connector.releases(source.scope()):
                name = source.release_from_tracker(release.name)
                if name is not None:
                    found[name] = found.get(name, False) or release.released
        return found

    # -- activities -----------------------------------------------------------------

    def observe_activities(self, product_id: str) -> list[Activity]:
        product = self.config.product(product_id)
        observed = [self._observe(activity) for activity in product.activities]
        self.store.save_activities(product_id, observed)
        return observed

    def _observe(self, activity: ActivityConfig) -> Activity:
        base = Activity(
            id=activity.id,
            name=activity.name,
            evidence=activity.evidence,
            max_age_days=activity.max_age_days,
        )
        evidence = activity.evidence
        if isinstance(evidence, IssueEvidence):
            connector = self.connections.get(evidence.tracker)
            try:
                issue = connector.issue(evidence.key)
            except NotFoundError:
                return base.model_copy(update={"detail": f"{evidence.key} does not exist"})
            except ConnectorError as exc:
                return base.model_copy(
                    update={"detail": f"{evidence.key} could not be read: {exc.message}"}
                )
            # Done means closed as done: a pentest ticket closed as "Won't Do" or
            # "Duplicate" is no record of a penetration test. Its age is its
            # close date; `updated` moves with every comment, so it is no age.
            done = issue.closed and issue.disposition is Disposition.FIXED
            detail = f"{evidence.key} is {issue.status}"
            if issue.closed and not done:
                detail += f" (closed as {issue.resolution or 'no resolution'}, not done)"
            return base.model_copy(
                update={
                    "found": True,
                    "complete": done,
                    "evidence_date": issue.closed_at,
                    "detail": detail,
                }
            )
        if isinstance(evidence, DocumentEvidence):
            return self._observe_document(base, evidence)
        return base.model_copy(update={"detail": "no evidence configured"})

    def _observe_document(self, base: Activity, evidence: DocumentEvidence) -> Activity:
        path = Path(evidence.path).expanduser()
        if not path.is_absolute() and self.config.path is not None:
            path = self.config.path.parent / path
        try:
            content = path.read_bytes()
        except OSError as exc:
            return base.model_copy(update={"detail": f"{path} cannot be read: {exc.strerror}"})
        digest = hashlib.sha256(content).hexdigest()
        if digest != evidence.sha256.lower():
            return base.model_copy(
                update={
                    "found": True,
                    "detail": f"{path} has SHA-256 {digest}, not the configured {evidence.sha256}",
                }
            )
        # The document's date is the one pinned in the config next to its
        # SHA-256: a file's mtime changes with every checkout, so it is no age.
        dated = (
            None
            if evidence.date is None
            else datetime.combine(evidence.date, datetime.min.time(), UTC)
        )
        detail = f"{path} (SHA-256 verified)"
        if dated is None and base.max_age_days:
            detail += "; no date is configured for it, so its age cannot be shown"
        return base.model_copy(
            update={"found": True, "complete": True, "evidence_date": dated, "detail": detail}
        )


def source_states(store: Store, sources: Sequence[Source], release: str) -> list[SourceState]:
    states = []
    for source in sources:
        record = store.sync_record(scope_key(source, release))
        states.append(
            record.state if record else SourceState(source=source.tracker, project=source.project)
        )
    return states
