"""What left a release, and whether the tracker itself said so.

A consistent but false answer (an empty list, ``X-Total: 0``, a proxy or a
token that lost a permission) must never clear a release. Two rules, both fail
closed, both built on reading an issue by key (``Connector.issue``), which
goes through another endpoint than the list:

1. :func:`reconcile` (one source, at a full sync): an issue that left the
   source's project-wide list since the last good sync (deleted, moved to
   another project, hidden, or no longer matching the source's filter) is
   re-read before it is dropped. Only the tracker's answer for that issue
   removes it: it no longer names any version it named when stored (fix or
   affects), or the read gives another key (moved to another project). An
   issue the tracker still places in one of those versions is kept, with
   what the read says. "Not found" and "forbidden" are not told
   apart: Jira and GitLab answer 404 for a deleted issue and for one the
   account may not see (Redmine answers 404 and 403, but a proxy can answer
   either), so the issue is recorded as missing, with the versions it was
   in, and blocks those releases until it is seen again or a person
   acknowledges the deletion.
   Any other failure of a read fails the source, which keeps its last data.
2. :func:`unaccounted` (one product release, after every source synced):
   each category remembers the issues it held at its last non-empty sync.
   While it is empty, members not seen leaving the release (rule 1's
   confirmed departures, or a re-read here) stay held, and the gate refuses
   to acknowledge the category as not applicable. This also covers what
   rule 1 cannot see: a scope changed in the config, a classification rule
   changed, or a release wiped by a "no such version" answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from connectors.base import AuthError, Connector, NotFoundError
from secgate_tui.domain import Issue
from secgate_tui.services.store import VanishedIssue

Uid = tuple[str, str]  # (tracker name, issue key), as Issue.uid


@dataclass(frozen=True, kw_only=True)
class Reconciled:
    """What one source's re-reads decided."""

    #: Re-read issues the tracker still places in a release they were in: stored with the list.
    keep: list[Issue]
    #: Not found or forbidden by key: they block until seen again or acknowledged.
    missing: list[VanishedIssue]
    #: Seen in the list again, or confirmed elsewhere: their vanished entries go.
    resolved: list[str]
    #: Confirmed out of the source's releases by the tracker's answer for each.
    departed: list[str]


def read_each(connector: Connector, keys: Sequence[str]) -> dict[str, Issue | None]:
    """Each issue by key; None where the tracker says not found or forbidden.

    Raises:
        ConnectorError: any other failure (unreachable, rate limited, bad answer).
    """

    def one(key: str) -> Issue | None:
        try:
            return connector.issue(key)
        except (NotFoundError, AuthError):
            return None

    if not keys:
        return {}
    # The tracker's own concurrency setting: a wiped milestone is re-read
    # quickly without tripping the tracker's rate limit.
    workers = min(connector.settings.concurrency, len(keys))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(keys, pool.map(one, keys), strict=True))


def in_release(issue: Issue, key: str, release_names: Collection[str]) -> bool:
    """Whether the tracker's answer for ``key`` still places it in the release."""
    return issue.key == key and any(name in issue.fix_versions for name in release_names)


def versions_of(issue: Issue) -> tuple[str, ...]:
    """Every version an issue names: the releases it belongs to or affects."""
    return tuple(sorted({*issue.fix_versions, *issue.affects_versions}))


def reconcile(
    connector: Connector,
    *,
    listed: Sequence[Issue],
    left: Sequence[Issue],
    vanished: Sequence[VanishedIssue],
    now: datetime,
) -> Reconciled:
    """Rule 1 for one source's full sync: re-read what left the list.

    Args:
        connector: the source's tracker.
        listed: the full project-wide list the tracker just answered.
        left: the stored copies of issues from the last good sync that are
            not in ``listed``.
        vanished: the source's earlier unexplained vanishings (re-read again,
            unless acknowledged, so an issue that comes back clears).
        now: when this sync started (a new vanishing's ``since``).

    Raises:
        ConnectorError: a re-read failed other than "not found" / "forbidden".
    """
    listed_keys = {issue.key for issue in listed}
    was_in: dict[str, tuple[str, ...] | None] = {
        item.key: item.versions
        for item in vanished
        if item.key not in listed_keys and item.ack_reason is None
    }
    was_in.update({issue.key: versions_of(issue) for issue in left if issue.key not in listed_keys})
    first_seen = {item.key: item.since for item in vanished}
    keys = sorted(was_in)
    reads = read_each(connector, keys)
    keep: list[Issue] = []
    missing: list[VanishedIssue] = []
    departed: list[str] = []
    for key in keys:
        issue, versions = reads[key], was_in[key]
        if issue is None:
            missing.append(
                VanishedIssue(
                    key=key,
                    source=connector.name,
                    since=first_seen.get(key, now),
                    versions=versions,
                )
            )
        elif issue.key == key and set(versions_of(issue)) & set(
            versions_of(issue) if versions is None else versions
        ):
            keep.append(issue)
        else:
            departed.append(key)
    back = [item.key for item in vanished if item.key in listed_keys]
    resolved = sorted({*back, *departed, *(issue.key for issue in keep)})
    return Reconciled(keep=keep, missing=missing, resolved=resolved, departed=departed)


def unaccounted(
    held: Sequence[Uid],
    *,
    present: Collection[Uid],
    settled: Collection[Uid],
    connector_for: Callable[[str], Connector],
    release_names: Callable[[str], Collection[str]],
) -> list[Uid]:
    """Rule 2 for one empty category: the issues it held not seen leaving the release.

    Args:
        held: what the category held at its last non-empty sync.
        present: every issue in the release now (in any category: a label
            change moves an issue, it does not remove it).
        settled: confirmed departures of this sync and acknowledged deletions.
        connector_for: the connector of a tracker name.
        release_names: the release's version / milestone names in a tracker.

    A member is re-read by key; it is accounted for only when the tracker's
    answer places it outside the release. A failed read leaves it held.
    """
    left = [uid for uid in held if uid not in present and uid not in settled]
    remaining: list[Uid] = []
    by_tracker: dict[str, list[str]] = {}
    for tracker, key in left:
        by_tracker.setdefault(tracker, []).append(key)
    for tracker, keys in sorted(by_tracker.items()):
        try:
            reads = read_each(connector_for(tracker), keys)
        except Exception:  # unreadable (or a tracker no longer configured): stays held
            remaining.extend((tracker, key) for key in keys)
            continue
        for key in keys:
            issue = reads[key]
            if issue is None or in_release(issue, key, release_names(tracker)):
                remaining.append((tracker, key))
    return remaining
