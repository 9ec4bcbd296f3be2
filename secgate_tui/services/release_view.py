"""A release as the store holds it: its issues, its sources' states, its release facts.

The sync stores each source (tracker, project, filter and options) once,
project-wide (``services.sync``); a release is selected from it locally with
:func:`secgate_tui.domain.scope.release_scope`, under the source's own name
of the release (its template applied). Nothing here reads a tracker.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from connectors.base import Release
from secgate_tui.config import Config, Source
from secgate_tui.domain import Category, Issue, SourceState
from secgate_tui.domain.scope import ReleaseScope, release_scope
from secgate_tui.services.store import Store

#: Names written verbatim by any JSON encoder: only for these may the store
#: skip, by a substring test, issues that cannot name the release.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9 ._+:~()\[\]-]+")


def source_key(source: Source) -> str:
    """Store key of one source: tracker, project, and a digest of what narrows the query.

    The release template is not part of it: one project-wide read serves
    every release, and two products reading the same project share it.
    """
    narrowing = json.dumps(
        {"filter": source.filter, "options": source.options}, sort_keys=True, default=str
    )
    return (
        f"{source.tracker}|{source.project}|{hashlib.sha256(narrowing.encode()).hexdigest()[:16]}"
    )


def legacy_scopes(store: Store, source: Source) -> list[str]:
    """The per-release scopes a store written before project-wide syncs holds for the source.

    Their key was ``tracker|project|<version name>|<12 hex of the filter>``.
    """
    prefix = f"{source.tracker}|{source.project}|"
    suffix = "|" + hashlib.sha256(source.filter.encode()).hexdigest()[:12]
    return [
        scope
        for scope in store.scopes()
        if scope.startswith(prefix)
        and scope.endswith(suffix)
        and len(scope) > len(prefix) + len(suffix)
    ]


def legacy_release_name(source: Source, scope: str) -> str:
    """The version name an old per-release scope key names."""
    return scope[len(f"{source.tracker}|{source.project}|") : -13]


def stored_release_list(store: Store, source: Source) -> tuple[Release, ...] | None:
    stored = store.source_releases(source_key(source))
    return None if stored is None else stored.releases


def release_found(store: Store, source: Source, release: str) -> bool | None:
    """Whether the source's last read release list names the release (None: never read)."""
    listed = stored_release_list(store, source)
    if listed is None:
        return None
    return source.release_name(release) in {r.name for r in listed}


def source_state(store: Store, source: Source, release: str) -> SourceState:
    """The source's last sync as it concerns one release, its missing issues included."""
    key = source_key(source)
    record = store.sync_record(key)
    state = record.state if record else SourceState(source=source.tracker, project=source.project)
    if not state.error and record is not None and release_found(store, source, release) is False:
        state = state.model_copy(update={"release_found": False})
    return with_missing(store, key, state, source.release_name(release))


def with_missing(store: Store, key: str, state: SourceState, release_name: str) -> SourceState:
    """The state with the unacknowledged missing issues that were in the release (they block)."""
    missing = tuple(
        item.key
        for item in store.vanished(key)
        if item.ack_reason is None and item.concerns(release_name)
    )
    return state.model_copy(update={"missing": missing}) if missing else state


def source_states(store: Store, sources: Sequence[Source], release: str) -> list[SourceState]:
    return [source_state(store, source, release) for source in sources]


def _source_issues(store: Store, source: Source, release: str) -> Iterable[Issue]:
    if release_found(store, source, release) is False:
        return []  # stale copies of a version the tracker no longer lists count for nothing
    name = source.release_name(release)
    key = source_key(source)
    if _PLAIN_NAME.fullmatch(name):
        return store.issues_mentioning(key, name)
    return store.issues([key])


def release_scope_issues(
    config: Config, store: Store, product_id: str, release: str
) -> ReleaseScope:
    """The release's members (fix version is the release) and affected issues (affect it,
    not fixed in it), over every source of the product; an issue counts once."""
    product = config.product(product_id)
    members: dict[tuple[str, str], Issue] = {}
    affected: dict[tuple[str, str], Issue] = {}
    for source in product.sources:
        scope = release_scope(_source_issues(store, source, release), source.release_name(release))
        members.update((issue.uid, issue) for issue in scope.members)
        affected.update((issue.uid, issue) for issue in scope.affected)
    return ReleaseScope(
        members=list(members.values()),
        affected=[issue for uid, issue in affected.items() if uid not in members],
    )


#: The name wanomaly's gate wiring uses for the same selection.
release_split = release_scope_issues


def release_issues(config: Config, store: Store, product_id: str, release: str) -> list[Issue]:
    """The release's members: the issues the six closure boards judge."""
    return release_scope_issues(config, store, product_id, release).members


def release_held(store: Store, product_id: str, release: str) -> dict[Category, int]:
    """Per category, how many issues it held that were not seen leaving (the gate's ``held``)."""
    held = store.held(product_id, release)
    return {
        category: len(held[category.value]) for category in Category if held.get(category.value)
    }


def stored_release(config: Config, store: Store, product_id: str, release: str) -> Release | None:
    """The release's facts as the trackers last listed them (no request), over every source.

    ``released`` when any source says so; ``release_date`` the earliest date a
    source gives. None when no source's stored list names the release (never
    synced, or no such version).
    """
    found: list[Release] = []
    for source in config.product(product_id).sources:
        name = source.release_name(release)
        found += [r for r in stored_release_list(store, source) or () if r.name == name]
    if not found:
        return None
    dates: list[date] = [r.release_date for r in found if r.release_date is not None]
    return Release(
        name=release,
        released=any(r.released for r in found),
        release_date=min(dates) if dates else None,
    )


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
    longer blocks (in any release: a deletion is one fact), and it no longer
    counts as held by its category. False when ``key`` is not missing from
    the release in any of its sources.
    """
    if not reason.strip() or not by.strip():
        raise ValueError("acknowledging a deleted issue needs a reason and who gives it")
    product = config.product(product_id)
    trackers = set()
    for source in product.sources:
        scope = source_key(source)
        concerned = any(
            item.key == key and item.concerns(source.release_name(release))
            for item in store.vanished(scope)
        )
        if concerned and store.acknowledge_vanished(
            scope, key, reason=reason.strip(), by=by.strip(), at=at
        ):
            trackers.add(source.tracker)
    if trackers:
        held = store.held(product_id, release)
        kept = {
            category: [(t, k) for t, k in members if not (k == key and t in trackers)]
            for category, members in held.items()
        }
        store.save_held(product_id, release, kept, at)
    return bool(trackers)
