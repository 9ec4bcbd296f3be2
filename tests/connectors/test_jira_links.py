"""Which issues a Jira issue is linked to by the configured evidence link types (pure)."""

from __future__ import annotations

import pytest

from connectors.base import BadResponseError
from connectors.jira.links import linked_keys

EVIDENCE = {"name": "Evidence", "inward": "has evidence", "outward": "is evidence for"}
RELATES = {"name": "Relates", "inward": "relates to", "outward": "relates to"}


def body(*links: dict[str, object]) -> dict[str, object]:
    return {"key": "IPC-9", "fields": {"issuelinks": list(links)}}


def test_the_type_matches_by_name_or_by_its_wording_as_read_from_this_issue() -> None:
    found = body(
        {"type": EVIDENCE, "outwardIssue": {"key": "IPC-1"}},
        {"type": EVIDENCE, "inwardIssue": {"key": "IPC-2"}},  # IPC-2 is evidence for IPC-9
        {"type": RELATES, "outwardIssue": {"key": "IPC-3"}},
    )
    assert linked_keys("IPC-9", found, ["Is Evidence For"], "j") == ["IPC-1"]
    assert linked_keys("IPC-9", found, ["has evidence"], "j") == ["IPC-2"]
    assert linked_keys("IPC-9", found, ["evidence"], "j") == ["IPC-1", "IPC-2"]
    assert linked_keys("IPC-9", found, ["blocks"], "j") == []


def test_no_links_is_no_release_and_an_unreadable_answer_fails_closed() -> None:
    assert linked_keys("IPC-9", {"key": "IPC-9", "fields": {}}, ["relates to"], "j") == []
    with pytest.raises(BadResponseError, match="cannot read"):
        linked_keys("IPC-9", {"fields": {"issuelinks": "x"}}, ["relates to"], "j")
    with pytest.raises(BadResponseError):
        linked_keys("IPC-9", [], ["relates to"], "j")
