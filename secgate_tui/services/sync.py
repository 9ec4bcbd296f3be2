"""Sync: each source's issues, project-wide, into the store; every source concurrently.

A source (tracker, project, filter and options) is read once per sync for
every release of it: its release list (versions, milestones), kept in the
store for ``RELEASES_TTL`` so one sync reads it once, and one updated-since
issue query (``Connector.project_issues``). Releases are selected locally
(``services.release_view``). With nothing changed that is at most three
requests per source, whatever the number of releases: the tracker's identity
or trust check (once per process), the release list, and the query.

Each source syncs incrementally from its cursor (minus a safety overlap, since
tracker clocks drift and JQL has minute resolution) or fully: on demand (every
authorization asks), on first use, when its release list changed (a renamed
version does not touch its issues' update times), and at least every
``FULL_EVERY``: only a full sync notices an issue that left the source's list.
Such an issue is re-read by key before it is dropped, and a category
remembers what it held (``services.vanish``): an empty answer never clears a
release. A failing source never stops the others; its error is recorded, its
last good data is kept, and the gate blocks on it. Activity evidence is
observed in the same pass, so ``status --offline`` can evaluate everything
from the store.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.base import Connector, ConnectorError, NotFoundError, Release
from secgate_tui.config import ActivityConfig, Config, Source
from secgate_tui.domain import (
    Activity,
    ActivityScope,
    Category,
    Disposition,
    DocumentEvidence,
    Issue,
    IssueEvidence,
    SourceState,
)
from secgate_tui.domain.gate import category_members
from secgate_tui.services.connections import Connections
from secgate_tui.services.release_view import (
    acknowledge_deleted,
    legacy_release_name,
    legacy_scopes,
    release_held,
    release_issues,
    release_scope_issues,
    release_split,
    source_key,
    source_state,
    source_states,
    stored_release,
    with_missing,
)
from secgate_tui.services.store import Store, VanishedIssue
from secgate_tui.services.vanish import Reconciled, reconcile, unaccounted
from secgate_tui.services.vex_attachments_kept import refresh_attached

__all__ = [
    "FULL_EVERY",
    "OVERLAP",
    "RELEASES_TTL",
    "SourceSync",
    "Syncer",
    "acknowledge_deleted",
    "release_held",
    "release_issues",
    "release_scope_issues",
    "release_split",
    "source_key",
    "source_states",
    "stored_release",
    "with_missing",
]

OVERLAP = timedelta(minutes=5)
FULL_EVERY = timedelta(hours=1)
#: How long a source's release list read by one command serves the next ones.
RELEASES_TTL = timedelta(seconds=60)
#: The meta row holding the digest of a source's release names at its last sync.
_RELEASE_NAMES = "release_names:"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SourceSync:
    """One source's sync, as it concerns one release."""

    source: Source
    state: SourceState
    #: Issues of this release (fix version) among those the sync read.
    count: int
    full: bool
    #: Keys that left the list and that the tracker, read by key, places elsewhere.
    departed: tuple[str, ...] = ()
    #: Issues the source's query returned, for every release of the source.
    read: int = 0


@dataclass(frozen=True, kw_only=True)
class SourceOutcome:
    """One source's project-wide sync."""

    source: Source
    state: SourceState
    full: bool
    departed: tuple[str, ...] = ()
    #: Issues the query returned (and, at a full sync, kept after a re-read).
    read: int = 0
    #: How many of them carry each fix version.
    per_version: Counter[str] = field(default_factory=Counter)


def _per_version(issues: Sequence[Issue]) -> Counter[str]:
    """How many of the issues carry each fix version."""
    return Counter(name for issue in issues for name in set(issue.fix_versions))


def _names_digest(releases: Sequence[Release]) -> str:
    return hashlib.sha256("\n".join(sorted(r.name for r in releases)).encode()).hexdigest()


class Syncer:
    """Syncs products' sources from their trackers into the store."""

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
        """Sync the product's sources; their outcome for ``release``, one per source."""
        return self.sync_product(product_id, [release], full=full)[release]

    def sync_product(
        self, product_id: str, releases: Sequence[str], *, full: bool = False
    ) -> dict[str, list[SourceSync]]:
        """Sync each source of the product once; per release, each source's outcome.

        What each category of those releases holds is remembered afterwards
        (rule 2 of ``services.vanish``).
        """
        product = self.config.product(product_id)
        distinct = list({source_key(s): s for s in product.sources}.values())
        workers = max(1, min(len(distinct), os.cpu_count() or 2, 8))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = dict(
                zip(
                    (source_key(s) for s in distinct),
                    pool.map(lambda s: self._sync_source(s, full), distinct),
                    strict=True,
                )
            )
        per_release: dict[str, list[SourceSync]] = {}
        for release in dict.fromkeys(releases):
            results = [
                self._for_release(outcomes[source_key(s)], s, release) for s in product.sources
            ]
            self._update_held(product_id, release, results)
            per_release[release] = results
        # The SBOM/VEX attached to each release's record issue, when configured.
        refresh_attached(
            self.config, self.store, self.connections, product_id, list(per_release), self.clock()
        )
        self.observe_activities(product_id)
        return per_release

    def _for_release(self, outcome: SourceOutcome, source: Source, release: str) -> SourceSync:
        state = outcome.state
        if not state.error:
            state = source_state(self.store, source, release)
        count = outcome.per_version[source.release_name(release)]
        return SourceSync(source, state, count, outcome.full, outcome.departed, outcome.read)

    # -- one source -----------------------------------------------------------------

    def _sync_source(self, source: Source, full: bool) -> SourceOutcome:
        """One source: release list, issues, re-read what left (full syncs), store."""
        key = source_key(source)
        previous = self.store.sync_record(key)
        started = self.clock()
        connector = self.connections.get(source.tracker)
        legacy = legacy_scopes(self.store, source)
        is_full = (
            full
            or bool(legacy)
            or previous is None
            or previous.cursor is None
            or previous.full_at is None
            or started - previous.full_at > FULL_EVERY
        )
        names = ""
        reconciled = None
        try:
            listed = self.release_list(source, fresh=full)
            names = _names_digest(listed)
            if self.store.get_meta(_RELEASE_NAMES + key) != names:
                is_full = True  # a renamed version changes its issues without touching them
            since = None if is_full or previous is None else previous.cursor
            since = None if since is None else since - OVERLAP
            issues = connector.project_issues(source.scope(), since=since)
            if is_full:
                reconciled = self._reconcile(connector, source, key, legacy, issues, started)
                issues = [*issues, *reconciled.keep]
        except ConnectorError as exc:
            return self._failed(source, key, is_full, exc.message)
        except Exception as exc:  # a connector bug must block, not pass or crash
            message = connector.redact(f"unexpected {type(exc).__name__}: {exc}")
            return self._failed(source, key, is_full, message)
        state = SourceState(source=source.tracker, project=source.project, synced_at=started)
        # The vanished issues are recorded before the list replaces the stored
        # ones: killed in between, an issue is both stored and missing (blocks),
        # never silently gone.
        if (
            reconciled is not None
            and not self.store.update_vanished(
                key,
                reconciled.missing,
                reconciled.resolved,
                started,
                acknowledged=self._legacy_acknowledged(source, legacy),
            )
        ) or not self.store.save_sync(
            key, state, issues, full=is_full, cursor=started, retire=legacy
        ):
            # A sync that started later already stored newer data: keep it.
            newer = self.store.sync_record(key)
            state = newer.state if newer else state
            return SourceOutcome(
                source=source,
                state=state,
                full=is_full,
                read=len(issues),
                per_version=_per_version(issues),
            )
        if is_full:
            self.store.set_meta(_RELEASE_NAMES + key, names)
        departed = tuple(reconciled.departed) if reconciled else ()
        return SourceOutcome(
            source=source,
            state=state,
            full=is_full,
            departed=departed,
            read=len(issues),
            per_version=_per_version(issues),
        )

    def _failed(self, source: Source, key: str, full: bool, message: str) -> SourceOutcome:
        state = SourceState(source=source.tracker, project=source.project, error=message)
        self.store.save_sync(key, state, None, full=full, cursor=None)
        return SourceOutcome(source=source, state=state, full=full)

    def _reconcile(
        self,
        connector: Connector,
        source: Source,
        key: str,
        legacy: Sequence[str],
        issues: Sequence[Issue],
        started: datetime,
    ) -> Reconciled:
        """Rule 1 over the source, and over an old store's per-release scopes once."""
        listed = {issue.key for issue in issues}
        left = self.store.stored_issues(key, sorted(self.store.issue_keys(key) - listed))
        vanished = self.store.vanished(key)
        for scope in legacy:
            left += self.store.stored_issues(scope, sorted(self.store.issue_keys(scope) - listed))
            name = legacy_release_name(source, scope)
            vanished += [
                VanishedIssue(key=v.key, source=v.source, since=v.since, versions=(name,))
                for v in self.store.vanished(scope)
                if v.ack_reason is None
            ]
        return reconcile(connector, listed=issues, left=left, vanished=vanished, now=started)

    def _legacy_acknowledged(self, source: Source, legacy: Sequence[str]) -> list[VanishedIssue]:
        """Deletions a person acknowledged in an old store's per-release scopes."""
        return [
            VanishedIssue(
                key=v.key,
                source=v.source,
                since=v.since,
                ack_reason=v.ack_reason,
                ack_by=v.ack_by,
                ack_at=v.ack_at,
                versions=(legacy_release_name(source, scope),),
            )
            for scope in legacy
            for v in self.store.vanished(scope)
            if v.ack_reason is not None
        ]

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
        if not any(r.full or r.read for r in results):
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
                for item in self.store.vanished(source_key(source))
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

    def release_list(self, source: Source, *, fresh: bool = False) -> tuple[Release, ...]:
        """The source's versions / milestones, read at most once per ``RELEASES_TTL``
        (``fresh``: read now), and kept in the store with their released flag and date.

        Raises:
            ConnectorError: the tracker could not list them.
        """
        key = source_key(source)
        stored = self.store.source_releases(key)
        now = self.clock()
        if (
            not fresh
            and stored is not None
            and timedelta(0) <= now - stored.read_at <= RELEASES_TTL
        ):
            return stored.releases
        listed = tuple(self.connections.get(source.tracker).releases(source.scope()))
        self.store.save_releases(key, listed, now)
        return listed

    def releases(self, product_id: str) -> dict[str, bool]:
        """secgate release names of a product (all sources), with their released flag."""
        return {name: r.released for name, r in self.release_facts(product_id).items()}

    def release_facts(self, product_id: str) -> dict[str, Release]:
        """secgate release name -> its facts (released when any source says so, the
        earliest date a source gives), from each source's release list.

        Raises:
            ConnectorError: a source's tracker could not list them.
        """
        product = self.config.product(product_id)
        found: dict[str, Release] = {}
        for source in product.sources:
            for release in self.release_list(source):
                name = source.release_from_tracker(release.name)
                if name is None:
                    continue
                seen = found.get(name)
                dates = [d for d in (release.release_date, seen and seen.release_date) if d]
                found[name] = Release(
                    name=name,
                    released=release.released or bool(seen and seen.released),
                    release_date=min(dates) if dates else None,
                )
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
            scope=activity.evidence_scope,
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
            versions = tuple(issue.fix_versions)
            if activity.evidence_scope is ActivityScope.RELEASE:
                try:
                    linked = connector.linked_versions(evidence.key)
                except ConnectorError as exc:
                    return base.model_copy(
                        update={
                            "detail": f"{evidence.key}'s links could not be read: {exc.message}"
                        }
                    )
                versions += tuple(v for v in linked if v not in versions)
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
                    # Which releases the evidence is for (activity scope "release"): its
                    # fix versions, then those of the issues it is linked to as evidence.
                    "evidence_versions": versions,
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
