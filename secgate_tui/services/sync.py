"""Sync: tracker issues of a release into the store, every source concurrently.

Each source syncs incrementally from its cursor (minus a safety overlap, since
tracker clocks drift and JQL has minute resolution) or fully on demand, on first
use and at least every ``FULL_EVERY`` (only a full sync notices an issue that
left the release). An issue that left a list is re-read by key before it is
dropped, and a category remembers what it held (``services.vanish``): an empty
answer never clears a release. A failing source never stops the others; its
error is recorded, its last good data is kept, and the gate blocks on it.
Activity evidence is observed in the same pass, so ``status --offline`` can
evaluate everything from the store.
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
    Category,
    Disposition,
    DocumentEvidence,
    Issue,
    IssueEvidence,
    SourceState,
)
from secgate_tui.domain.gate import category_members
from secgate_tui.domain.scope import ReleaseScope, release_scope
from secgate_tui.services.connections import Connections
from secgate_tui.services.store import Store
from secgate_tui.services.vanish import reconcile, unaccounted

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
    #: Keys that left the list and that the tracker, read by key, places elsewhere.
    departed: tuple[str, ...] = ()


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
        self._update_held(product_id, release, results)
        self.observe_activities(product_id)
        return results

    def _sync_source(self, source: Source, release: str, full: bool) -> SourceSync:
        """One source: list, re-read what left (full syncs), store, or keep the last data."""
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
        reconciled = None
        try:
            issues = connector.issues(source.scope(), release, since=since)
            if is_full:
                reconciled = reconcile(
                    connector,
                    source.release_name(release),
                    listed=issues,
                    stored=self.store.issue_keys(key),
                    vanished=self.store.vanished(key),
                    now=started,
                )
                issues = [*issues, *reconciled.keep]
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
        # The vanished issues are recorded before the list replaces the stored
        # ones: killed in between, an issue is both stored and missing (blocks),
        # never silently gone.
        if (
            reconciled is not None
            and not self.store.update_vanished(
                key, reconciled.missing, reconciled.resolved, started
            )
        ) or not self.store.save_sync(key, state, issues, full=is_full, cursor=started):
            # A sync that started later already stored newer data: keep it.
            newer = self.store.sync_record(key)
            state = newer.state if newer else state
            return SourceSync(source, with_missing(self.store, key, state), len(issues), is_full)
        departed = tuple(reconciled.departed) if reconciled else ()
        state = with_missing(self.store, key, state)
        return SourceSync(source, state, len(issues), is_full, departed)

    # -- what categories held ---------------------------------------------------------

    def _update_held(self, product_id: str, release: str, results: Sequence[SourceSync]) -> None:
        """Rule 2 of ``services.vanish``: remember what each category holds.

        Only after a sync in which no source failed (a failed source kept its
        old data, so what the categories hold now says nothing new) and which
        changed something (loading a big release's issues costs ~0.3 s per
        20,000).
        """
        if any(r.state.error for r in results):
            return
        if not any(r.full or r.count for r in results):
            # Nothing changed in the store since the last sync that updated it;
            # the next full sync (at least hourly) re-reads what is still held.
            return
        product = self.config.product(product_id)
        issues = release_issues(self.config, self.store, product_id, release)
        per_category, _ = category_members(issues, product.classification())
        present = {issue.uid for issue in issues}
        settled = {(r.source.tracker, key) for r in results for key in r.departed}
        for source in product.sources:
            settled |= {
                (source.tracker, item.key)
                for item in self.store.vanished(scope_key(source, release))
                if item.ack_reason is not None
            }

        def release_names(tracker: str) -> set[str]:
            return {s.release_name(release) for s in product.sources if s.tracker == tracker}

        previous = self.store.held(product_id, release)
        held: dict[str, list[tuple[str, str]]] = {}
        for category in Category:
            members = per_category[category]
            if members:
                held[category.value] = [issue.uid for issue in members]
            elif previous.get(category.value):
                held[category.value] = unaccounted(
                    previous[category.value],
                    present=present,
                    settled=settled,
                    connector_for=self.connections.get,
                    release_names=release_names,
                )
        self.store.save_held(product_id, release, held, self.clock())

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
                    "evidence_title": issue.title,
                    "evidence_url": issue.url,
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
            update={
                "found": True,
                "complete": True,
                "evidence_date": dated,
                "detail": detail,
                "evidence_title": path.name,
                "evidence_url": str(path),
            }
        )


def with_missing(store: Store, scope: str, state: SourceState) -> SourceState:
    """The state with the scope's unacknowledged missing issues (they block)."""
    missing = tuple(item.key for item in store.vanished(scope) if item.ack_reason is None)
    return state.model_copy(update={"missing": missing}) if missing else state


def source_states(store: Store, sources: Sequence[Source], release: str) -> list[SourceState]:
    states = []
    for source in sources:
        scope = scope_key(source, release)
        record = store.sync_record(scope)
        state = (
            record.state if record else SourceState(source=source.tracker, project=source.project)
        )
        states.append(with_missing(store, scope, state))
    return states


def release_issues(config: Config, store: Store, product_id: str, release: str) -> list[Issue]:
    """The release's members: what its closure boards judge (see :func:`release_split`)."""
    return release_split(config, store, product_id, release).members


def release_split(config: Config, store: Store, product_id: str, release: str) -> ReleaseScope:
    """The release's members, and the issues that affect it without being fixed in it.

    A source's stored answer is split with ``domain.scope.release_scope``; what it
    does not place among the affected stays a member, as before affected issues
    were stored (a tracker that matched the release another way, e.g. by case,
    must never lose a member).
    """
    product = config.product(product_id)
    members: dict[tuple[str, str], Issue] = {}
    affected: dict[tuple[str, str], Issue] = {}
    for source in product.sources:
        stored = store.issues([scope_key(source, release)])
        scope = release_scope(stored, source.release_name(release))
        outside = {issue.uid for issue in scope.affected}
        for issue in stored:
            # Two sources may overlap; an issue counts once.
            (affected if issue.uid in outside else members)[issue.uid] = issue
    return ReleaseScope(
        members=list(members.values()),
        affected=[issue for uid, issue in affected.items() if uid not in members],
    )


def release_held(store: Store, product_id: str, release: str) -> dict[Category, int]:
    """Per category, how many issues it held that were not seen leaving (the gate's ``held``)."""
    held = store.held(product_id, release)
    return {
        category: len(held[category.value]) for category in Category if held.get(category.value)
    }


def acknowledge_deleted(
    config: Config,
    store: Store,
    *,
    product_id: str,
    release: str,
    key: str,
    reason: str,
    by: str,
    at: datetime,
) -> bool:
    """Record a person's word that a missing issue of the release was deleted on purpose.

    The acknowledgement (reason, who, when) stays in the store; the issue no
    longer blocks, and it no longer counts as held by its category. False when
    ``key`` is not missing in any source of the release.
    """
    if not reason.strip() or not by.strip():
        raise ValueError("acknowledging a deleted issue needs a reason and who gives it")
    product = config.product(product_id)
    trackers = set()
    for source in product.sources:
        scope = scope_key(source, release)
        if store.acknowledge_vanished(scope, key, reason=reason.strip(), by=by.strip(), at=at):
            trackers.add(source.tracker)
    if trackers:
        held = store.held(product_id, release)
        kept = {
            category: [(t, k) for t, k in members if not (k == key and t in trackers)]
            for category, members in held.items()
        }
        store.save_held(product_id, release, kept, at)
    return bool(trackers)
