"""Which issues of a source belong to a release's gate: its members and the anomalies.

A release's members are the issues whose fix version is the release (the six
closure boards). Issues that affect the release (affects-versions, or the
tracker's configured equivalent) without being fixed in it are the release's
candidate unresolved anomalies: known problems present in the software being
released (FDA premarket guidance V.A.5), whatever their fix version or state.
The selection is local, so one project-wide read of a source serves every
release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from secgate_tui.domain.model import Issue


@dataclass(frozen=True)
class ReleaseScope:
    members: list[Issue] = field(default_factory=list)
    affected: list[Issue] = field(default_factory=list)


def release_scope(issues: Iterable[Issue], release_name: str) -> ReleaseScope:
    """Split one source's issues for the release that source names ``release_name``.

    ``release_name`` is the source's own name of the release (its template
    applied). An issue both fixed in and affecting the release is a member: its
    fix ships in this release, so the closure boards judge it.
    """
    scope = ReleaseScope()
    for issue in issues:
        if release_name in issue.fix_versions:
            scope.members.append(issue)
        elif release_name in issue.affects_versions:
            scope.affected.append(issue)
    return scope
