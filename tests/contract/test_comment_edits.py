"""Edited, deleted and rewritten comments, the same from every tracker.

Adoption of a record must refuse a comment that was edited after it was
posted, and a run that posted a duplicate record must be able to remove it
(or, where deletion is forbidden, rewrite it into a plain note). These tests
pin what each connector reports so that those rules can rely on it:

- ``created`` / ``updated`` are the tracker's server-side times;
- ``update_author_id`` is the last editor's account id, None when the tracker
  does not say (GitLab notes, Redmine 5.0 journals);
- ``edited`` is True / False where the tracker can tell, None where it cannot
  (Redmine 5.0 keeps no trace of a note edit).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import NotFoundError, NotSupportedError
from tests.contract.harness import Harness


def _stamp() -> str:
    return datetime.now(UTC).strftime("%H%M%S%f")


def test_a_new_comment_carries_server_times_and_is_not_edited(tracker: Harness) -> None:
    ref = tracker.connector.post_comment(tracker.comment_key, f"fresh secgate-edit-{_stamp()}")
    comment = tracker.connector.read_comment(ref)
    me = tracker.connector.whoami()
    assert comment.created is not None and comment.created.tzinfo is not None
    assert comment.author_id == me.id
    assert comment.update_author_id in (None, me.id)
    if tracker.reveals_edits:
        assert comment.edited is False
        assert comment.updated == comment.created
    else:
        assert comment.edited is None


def test_an_edit_by_another_account_is_reported(tracker: Harness) -> None:
    ref = tracker.connector.post_comment(tracker.comment_key, f"AUTHORIZED secgate-e-{_stamp()}")
    editor = tracker.edit_comment_as_other(ref, "NOT AUTHORIZED - DO NOT SHIP")
    comment = tracker.connector.read_comment(ref)
    assert comment.body == "NOT AUTHORIZED - DO NOT SHIP"
    assert comment.update_author_id == editor
    if tracker.reveals_edits:
        assert comment.edited is True
    else:
        assert comment.edited is None  # never False: the tracker cannot tell
    found = tracker.connector.find_comments(tracker.comment_key, "DO NOT SHIP")
    assert [c.edited for c in found if c.ref.id == ref.id] == [comment.edited]


def test_edit_comment_replaces_the_body_and_reads_it_back(tracker: Harness) -> None:
    marker = f"secgate-dup-{_stamp()}"
    ref = tracker.connector.post_comment(tracker.comment_key, f"record {marker}")
    note = "Duplicate of an earlier record; see the first one."
    edited = tracker.connector.edit_comment(ref, note)
    assert edited.ref.id == ref.id and edited.body == note
    assert tracker.connector.read_comment(ref).body == note
    assert tracker.connector.find_comments(tracker.comment_key, marker) == []
    if tracker.reveals_edits:
        assert edited.edited is True or edited.updated != edited.created


def test_delete_comment_removes_it(tracker: Harness) -> None:
    marker = f"secgate-del-{_stamp()}"
    keep = tracker.connector.post_comment(tracker.comment_key, f"keep {marker}")
    ref = tracker.connector.post_comment(tracker.comment_key, f"drop {marker}")
    tracker.connector.delete_comment(ref)
    with pytest.raises(NotFoundError):
        tracker.connector.read_comment(ref)
    assert [c.ref.id for c in tracker.connector.find_comments(tracker.comment_key, marker)] == [
        keep.id
    ]
    with pytest.raises(NotFoundError):
        tracker.connector.delete_comment(ref)


def test_a_forbidden_edit_or_delete_is_not_supported(tracker: Harness) -> None:
    ref = tracker.connector.post_comment(tracker.comment_key, f"locked secgate-{_stamp()}")
    locked = tracker.comments_locked()
    if locked is None:
        pytest.skip(f"{tracker.name} cannot take the edit permission away per test")
    with locked:
        with pytest.raises(NotSupportedError) as deleting:
            tracker.connector.delete_comment(ref)
        with pytest.raises(NotSupportedError):
            tracker.connector.edit_comment(ref, "duplicate")
    assert tracker.connector.read_comment(ref).body.startswith("locked")
    token = tracker.connector._token
    assert not token or token not in deleting.value.message
