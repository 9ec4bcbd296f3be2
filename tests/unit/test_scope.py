"""The release's members and affected issues, selected locally from a source's issues."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secgate_tui.domain import Issue
from secgate_tui.domain.scope import release_scope

AT = datetime(2026, 1, 1, tzinfo=UTC)


def issue(key: str, fix: tuple[str, ...] = (), affects: tuple[str, ...] = ()) -> Issue:
    return Issue(
        source="jira",
        key=key,
        title=key,
        status="Open",
        closed=False,
        created=AT,
        updated=AT,
        fix_versions=fix,
        affects_versions=affects,
    )


@pytest.mark.parametrize(
    ("fix", "affects", "member", "affected"),
    [
        (("2.1",), (), True, False),
        ((), ("2.1",), False, True),
        (("2.2",), ("2.1",), False, True),  # fixed later: still present in 2.1
        (("2.1",), ("2.1",), True, False),  # fixed in the release it affects
        (("2.2",), ("2.2",), False, False),
        ((), (), False, False),
    ],
)
def test_an_issue_is_a_member_an_anomaly_or_out(
    fix: tuple[str, ...], affects: tuple[str, ...], member: bool, affected: bool
) -> None:
    scope = release_scope([issue("IPC-1", fix, affects)], "2.1")
    assert (len(scope.members), len(scope.affected)) == (int(member), int(affected))
